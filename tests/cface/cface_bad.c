/* cface_bad.c — a C-face module whose function table has a bad signature: importing it must fail with SignatureError. */
#include <sigbind.h>

static int ok(int x) { return x; }
static int bad(int x) { return x; }

static const sb_function_def functions[] = {
    SB_FUNCTION(ok, "int ok(int x)", NULL),
    SB_FUNCTION(bad, "int bad(int x y)", NULL),
    SB_END,
};

SB_MODULE(cface_bad, .doc = "Never imports.", .functions = functions);
