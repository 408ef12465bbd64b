/* wrong_arity.c — must not build: the C function takes two parameters, the signature one; a method lacks its self. */
#include <stdint.h>

#include <sigbind.h>

typedef struct Box {
    int64_t v;
} Box;

static int64_t scale(int64_t x, int64_t by) { return x * by; }
static int64_t box_get(void) { return 0; }

static const sb_function_def functions[] = {
    SB_FUNCTION(scale, "int64_t scale(int64_t x)", NULL),
    SB_END,
};
static const sb_method_def box_methods[] = {
    SB_METHOD(box_get, "int64_t get(Box *self)", NULL),
    SB_END,
};
static const sb_class_def classes[] = {
    {.name = "Box", .size = sizeof(Box), .methods = box_methods},
    SB_END,
};
SB_MODULE(wrong_arity, .functions = functions, .classes = classes);
