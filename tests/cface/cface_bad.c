/* cface_bad.c — C-face modules whose function table has a bad signature (a syntax error; with BAD_VARIADIC a variadic function): importing must fail with SignatureError. */
#include <sigbind.h>

static int ok(int x) { return x; }
static int bad(int x) { return x; }

static const sb_function_def functions[] = {
    SB_FUNCTION(ok, "int ok(int x)", NULL),
#ifdef BAD_VARIADIC
    SB_FUNCTION(bad, "int bad(int x, ...)", NULL),
#else
    SB_FUNCTION(bad, "int bad(int x y)", NULL),
#endif
    SB_END,
};

#ifdef BAD_VARIADIC
SB_MODULE(cface_bad_variadic, .doc = "Never imports.", .functions = functions);
#else
SB_MODULE(cface_bad, .doc = "Never imports.", .functions = functions);
#endif
