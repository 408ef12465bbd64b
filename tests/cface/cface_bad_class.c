/* cface_bad_class.c — C-face modules with a broken class table (one per BAD_CASE): importing each must fail with a clear error. */
#include <stddef.h>
#include <stdint.h>

#include <sigbind.h>

typedef struct A {
    int64_t x;
} A;

typedef struct B {
    A base;
    int64_t y;
} B;

#if BAD_CASE == 1
static int64_t plain(int64_t v) { return v; }
/* An instance method whose first parameter is not the class's struct. */
static const sb_method_def a_methods[] = {
    SB_METHOD(plain, "int64_t plain(int64_t v)", NULL),
    SB_END,
};
static const sb_class_def classes[] = {
    {.name = "A", .size = sizeof(A), .methods = a_methods},
    SB_END,
};
SB_MODULE(cface_bad_class1, .classes = classes);
#elif BAD_CASE == 2
static int64_t get_x(A *self) { return self->x; }
/* A subclass of a final class. */
static const sb_method_def a_methods[] = {
    SB_METHOD(get_x, "int64_t get_x(A *self)", NULL),
    SB_END,
};
static const sb_class_def classes[] = {
    {.name = "A", .size = sizeof(A), .methods = a_methods},
    {.name = "B", .size = sizeof(B), .base = "A"},
    SB_END,
};
SB_MODULE(cface_bad_class2, .classes = classes);
#else
/* A field declaration that is not "type name". */
static const sb_field_def a_fields[] = {
    SB_FIELD(A, x, "int64_t", SB_READWRITE, NULL),
    SB_END,
};
static const sb_class_def classes[] = {
    {.name = "A", .size = sizeof(A), .fields = a_fields},
    SB_END,
};
SB_MODULE(cface_bad_class3, .classes = classes);
#endif
