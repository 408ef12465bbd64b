/* cface_classes.c — C-face classes under test: every protocol, fields of every kind, GC hooks, inheritance, dict/weakref. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sigbind.h>

/* ---- Vec: number protocol, comparisons, hashing, str/repr, conversions ---- */

typedef struct Vec {
    double x, y;
} Vec;

static void vec_init(Vec *self, double x, double y)
{
    self->x = x;
    self->y = y;
}

static char *vec_repr(Vec *self)
{
    char *s = malloc(64);
    if (s)
        snprintf(s, 64, "Vec(%g, %g)", self->x, self->y);
    return s;
}

static char *vec_str(Vec *self)
{
    char *s = malloc(64);
    if (s)
        snprintf(s, 64, "(%g, %g)", self->x, self->y);
    return s;
}

/* A new Vec of self's class (new reference), made through Python. */
static PyObject *vec_new(Vec *self, double x, double y)
{
    PyObject *cls = sb_getattr(sb_self(self), "__class__");
    if (!cls)
        return NULL;
    PyObject *v = sb_call(cls, "(double x, double y)", x, y);
    sb_decref(cls);
    return v;
}

static PyObject *vec_add(Vec *self, Vec *other)
{
    return vec_new(self, self->x + other->x, self->y + other->y);
}

static PyObject *vec_sub(Vec *self, Vec *other)
{
    return vec_new(self, self->x - other->x, self->y - other->y);
}

static PyObject *vec_mul(Vec *self, double k)
{
    return vec_new(self, self->x * k, self->y * k);
}

static Vec *vec_iadd(Vec *self, Vec *other)
{
    self->x += other->x;
    self->y += other->y;
    return self;
}

static PyObject *vec_neg(Vec *self)
{
    return vec_new(self, -self->x, -self->y);
}

static double vec_abs(Vec *self)
{
    return self->x * self->x + self->y * self->y; /* squared, good enough for a test */
}

static bool vec_eq(Vec *self, Vec *other)
{
    return self->x == other->x && self->y == other->y;
}

static bool vec_lt(Vec *self, Vec *other)
{
    return vec_abs(self) < vec_abs(other);
}

static bool vec_bool(Vec *self)
{
    return self->x != 0 || self->y != 0;
}

static int64_t vec_hash(Vec *self)
{
    return (int64_t)(self->x * 1000003 + self->y);
}

static int64_t vec_index(Vec *self)
{
    return (int64_t)self->x;
}

static double vec_float(Vec *self)
{
    return self->x;
}

static const sb_method_def vec_methods[] = {
    SB_METHOD(vec_init, "void __init__(Vec *self, double x = 0.0, double y = 0.0)", NULL),
    SB_METHOD(vec_repr, "char *__repr__(Vec *self) [[free]]", NULL),
    SB_METHOD(vec_str, "char *__str__(Vec *self) [[free]]", NULL),
    SB_METHOD(vec_add, "PyObject *__add__(Vec *self, Vec *other)", NULL),
    SB_METHOD(vec_sub, "PyObject *__sub__(Vec *self, Vec *other)", NULL),
    SB_METHOD(vec_mul, "PyObject *__mul__(Vec *self, double k)", NULL),
    SB_METHOD(vec_mul, "PyObject *__rmul__(Vec *self, double k)", NULL),
    SB_METHOD(vec_iadd, "Vec *__iadd__(Vec *self, Vec *other)", NULL),
    SB_METHOD(vec_neg, "PyObject *__neg__(Vec *self)", NULL),
    SB_METHOD(vec_abs, "double __abs__(Vec *self)", NULL),
    SB_METHOD(vec_eq, "bool __eq__(Vec *self, Vec *other)", NULL),
    SB_METHOD(vec_lt, "bool __lt__(Vec *self, Vec *other)", NULL),
    SB_METHOD(vec_bool, "bool __bool__(Vec *self)", NULL),
    SB_METHOD(vec_hash, "int64_t __hash__(Vec *self)", NULL),
    SB_METHOD(vec_index, "int64_t __index__(Vec *self)", NULL),
    SB_METHOD(vec_float, "double __float__(Vec *self)", NULL),
    SB_END,
};

static const sb_field_def vec_fields[] = {
    SB_FIELD(Vec, x, "double x", SB_READWRITE, "The x coordinate."),
    SB_FIELD(Vec, y, "double y", SB_READWRITE, NULL),
    SB_END,
};

/* Unhashable: __eq__ without __hash__. */
typedef struct Point {
    int32_t x;
} Point;

static bool point_eq(Point *self, Point *other)
{
    return self->x == other->x;
}

static const sb_method_def point_methods[] = {
    SB_METHOD(point_eq, "bool __eq__(Point *self, Point *other)", NULL),
    SB_END,
};

/* ---- Seq: sequence/mapping protocol over a fixed array ---- */

typedef struct Seq {
    int64_t items[8];
    int64_t n;
} Seq;

static void seq_init(Seq *self, int64_t n)
{
    if (n < 0 || n > 8) {
        sb_raise("ValueError", "Seq() holds 0..8 items, not %lld", (long long)n);
        return;
    }
    self->n = n;
    for (int64_t i = 0; i < n; i++)
        self->items[i] = i * 10;
}

static size_t seq_len(Seq *self)
{
    return (size_t)self->n;
}

static int64_t seq_getitem(Seq *self, int64_t i)
{
    if (i < 0)
        i += self->n;
    if (i < 0 || i >= self->n)
        return sb_raise("IndexError", "Seq index out of range");
    return self->items[i];
}

static void seq_setitem(Seq *self, int64_t i, int64_t v)
{
    if (i < 0 || i >= self->n) {
        sb_raise("IndexError", "Seq assignment index out of range");
        return;
    }
    self->items[i] = v;
}

static void seq_delitem(Seq *self, int64_t i)
{
    if (i < 0 || i >= self->n) {
        sb_raise("IndexError", "Seq deletion index out of range");
        return;
    }
    memmove(&self->items[i], &self->items[i + 1], sizeof self->items[0] * (size_t)(self->n - i - 1));
    self->n--;
}

static bool seq_contains(Seq *self, int64_t v)
{
    for (int64_t i = 0; i < self->n; i++)
        if (self->items[i] == v)
            return true;
    return false;
}

static const sb_method_def seq_methods[] = {
    SB_METHOD(seq_init, "void __init__(Seq *self, int64_t n = 3)", NULL),
    SB_METHOD(seq_len, "size_t __len__(Seq *self)", NULL),
    SB_METHOD(seq_getitem, "int64_t __getitem__(Seq *self, int64_t i)", NULL),
    SB_METHOD(seq_setitem, "void __setitem__(Seq *self, int64_t i, int64_t v)", NULL),
    SB_METHOD(seq_delitem, "void __delitem__(Seq *self, int64_t i)", NULL),
    SB_METHOD(seq_contains, "bool __contains__(Seq *self, int64_t v)", NULL),
    SB_END,
};

/* ---- Bag: __getattr__ / __setattr__ / __delattr__ over a dict field ---- */

typedef struct Bag {
    PyObject *store;
    int64_t sets, dels;
} Bag;

static PyObject *bag_store(Bag *self)
{
    if (!self->store)
        self->store = sb_dict("()");
    return self->store;
}

static PyObject *bag_getattr(Bag *self, PyObject *name)
{
    PyObject *d = bag_store(self);
    if (!d)
        return NULL;
    PyObject *v = sb_call_method(d, "__getitem__", "(PyObject *k)", name);
    if (!v && sb_exception_matches("KeyError")) {
        sb_error_clear();
        sb_raise("AttributeError", "Bag has no attribute %s", "of that name");
    }
    return v;
}

static void bag_setattr(Bag *self, PyObject *name, PyObject *value)
{
    PyObject *d = bag_store(self);
    if (!d)
        return;
    PyObject *r = sb_call_method(d, "__setitem__", "(PyObject *k, PyObject *v)", name, value);
    sb_decref(r);
    self->sets++;
}

static void bag_delattr(Bag *self, PyObject *name)
{
    PyObject *d = bag_store(self);
    if (!d)
        return;
    PyObject *r = sb_call_method(d, "pop", "(PyObject *k)", name);
    if (!r && sb_exception_matches("KeyError")) {
        sb_error_clear();
        sb_raise("AttributeError", "Bag has no attribute to delete");
        return;
    }
    sb_decref(r);
    self->dels++;
}

static int64_t bag_counts(Bag *self)
{
    return self->sets * 100 + self->dels;
}

static const sb_method_def bag_methods[] = {
    SB_METHOD(bag_getattr, "PyObject *__getattr__(Bag *self, PyObject *name)", NULL),
    SB_METHOD(bag_setattr, "void __setattr__(Bag *self, PyObject *name, PyObject *value)", NULL),
    SB_METHOD(bag_delattr, "void __delattr__(Bag *self, PyObject *name)", NULL),
    SB_METHOD(bag_counts, "int64_t counts(Bag *self)", NULL),
    SB_END,
};

static const sb_field_def bag_fields[] = {
    SB_FIELD(Bag, store, "PyObject *store", SB_READONLY, NULL),
    SB_END,
};

/* ---- Resource: context manager, destroy hook, const char * field ---- */

static int64_t destroyed_count;

typedef struct Resource {
    const char *state;
    int64_t enters, exits;
    int32_t small;
    uint8_t byte;
    bool flag;
    float ratio;
} Resource;

static void resource_init(Resource *self)
{
    self->state = "new";
}

static Resource *resource_enter(Resource *self)
{
    self->enters++;
    self->state = "open";
    return self;
}

static bool resource_exit(Resource *self, PyObject *type, PyObject *value, PyObject *tb)
{
    (void)value, (void)tb;
    self->exits++;
    self->state = "closed";
    /* Swallow ValueError, let everything else through. */
    PyObject *ve = sb_exception_type("ValueError");
    return ve && type == ve;
}

static void resource_destroy(void *self)
{
    (void)self;
    destroyed_count++;
}

static int64_t destroyed(void)
{
    return destroyed_count;
}

static const sb_method_def resource_methods[] = {
    SB_METHOD(resource_init, "void __init__(Resource *self)", NULL),
    SB_METHOD(resource_enter, "Resource *__enter__(Resource *self)", NULL),
    SB_METHOD(resource_exit, "bool __exit__(Resource *self, PyObject *type, PyObject *value, PyObject *tb)", NULL),
    SB_STATIC_METHOD(destroyed, "int64_t destroyed()", "How many Resources died."),
    SB_END,
};

static const sb_field_def resource_fields[] = {
    SB_FIELD(Resource, state, "const char *state", SB_READWRITE, "Read-only: const char * fields always are."),
    SB_FIELD(Resource, enters, "int64_t enters", SB_READONLY, NULL),
    SB_FIELD(Resource, exits, "int64_t exits", SB_READONLY, NULL),
    SB_FIELD(Resource, small, "int32_t small", SB_READWRITE, NULL),
    SB_FIELD(Resource, byte, "uint8_t byte", SB_READWRITE, NULL),
    SB_FIELD(Resource, flag, "bool flag", SB_READWRITE, NULL),
    SB_FIELD(Resource, ratio, "float ratio", SB_READWRITE, NULL),
    SB_END,
};

/* ---- Node: GC through a PyObject * field and a user traverse/clear hook ---- */

typedef struct Node {
    PyObject *next;         /* a field: traversed by the runtime */
    PyObject *extra[2];     /* held elsewhere: traversed by the hooks */
} Node;

static void node_hold(Node *self, PyObject *a, PyObject *b)
{
    sb_incref(a);
    sb_incref(b);
    sb_decref(self->extra[0]);
    sb_decref(self->extra[1]);
    self->extra[0] = a;
    self->extra[1] = b;
}

static int node_traverse(void *self, sb_visitproc visit, void *arg)
{
    Node *n = self;
    for (int i = 0; i < 2; i++)
        if (n->extra[i]) {
            int rc = visit(n->extra[i], arg);
            if (rc)
                return rc;
        }
    return 0;
}

static void node_clear(void *self)
{
    Node *n = self;
    for (int i = 0; i < 2; i++) {
        PyObject *o = n->extra[i];
        n->extra[i] = NULL;
        sb_decref(o);
    }
}

static const sb_method_def node_methods[] = {
    SB_METHOD(node_hold, "void hold(Node *self, PyObject *a, PyObject *b)", NULL),
    SB_END,
};

static const sb_field_def node_fields[] = {
    SB_FIELD(Node, next, "PyObject *next", SB_READWRITE, NULL),
    SB_END,
};

/* ---- Shape / Square: inheritance, Python subclasses, overriding ---- */

typedef struct Shape {
    int64_t sides;
} Shape;

static void shape_init(Shape *self, int64_t sides)
{
    self->sides = sides;
}

static int64_t shape_sides(Shape *self)
{
    return self->sides;
}

static char *shape_describe(Shape *self)
{
    char *s = malloc(48);
    if (s)
        snprintf(s, 48, "shape with %lld sides", (long long)self->sides);
    return s;
}

static PyObject *shape_call_describe(Shape *self)
{
    /* Dispatches through Python: a Python subclass's override wins. */
    return sb_call_method(sb_self(self), "describe", NULL);
}

typedef struct Square {
    Shape base;
    double side;
} Square;

static void square_init(Square *self, double side)
{
    shape_init(&self->base, 4);
    self->side = side;
}

static double square_area(Square *self)
{
    return self->side * self->side;
}

static int64_t square_base_sides(Square *self)
{
    return shape_sides(&self->base) * 10;
}

static const sb_method_def shape_methods[] = {
    SB_METHOD(shape_init, "void __init__(Shape *self, int64_t sides)", "Makes a shape."),
    SB_METHOD(shape_sides, "int64_t sides(Shape *self)", NULL),
    SB_METHOD(shape_describe, "char *describe(Shape *self) [[free]]", NULL),
    SB_METHOD(shape_call_describe, "PyObject *call_describe(Shape *self)", NULL),
    SB_END,
};

static const sb_method_def square_methods[] = {
    SB_METHOD(square_init, "void __init__(Square *self, double side = 1.0)", NULL),
    SB_METHOD(square_area, "double area(Square *self)", NULL),
    SB_METHOD(square_base_sides, "int64_t base_sides(Square *self)", NULL),
    SB_END,
};

/* A module function taking a class pointer. */
static double total_area(Square *a, Square *b)
{
    return square_area(a) + square_area(b);
}

/* ---- Open: __dict__ and weak references on request ---- */

typedef struct Open {
    int32_t v;
} Open;

static const sb_field_def open_fields[] = {
    SB_FIELD(Open, v, "int32_t v", SB_READWRITE, NULL),
    SB_END,
};

/* ---- Counter: __call__ with *args and **kwargs ---- */

typedef struct Counter {
    int64_t calls;
} Counter;

static PyObject *counter_call(Counter *self, PyObject *args, PyObject *kwargs)
{
    self->calls++;
    return sb_tuple("(int64_t n, PyObject *a, PyObject *k)", self->calls, args, kwargs);
}

static const sb_method_def counter_methods[] = {
    SB_METHOD(counter_call, "PyObject *__call__(Counter *self, *args, **kwargs)", NULL),
    SB_END,
};

static const sb_field_def counter_fields[] = {
    SB_FIELD(Counter, calls, "int64_t calls", SB_READONLY, NULL),
    SB_END,
};

/* ---- Samples: buffer export of an array inside the struct (3.11+) ---- */

typedef struct Samples {
    double data[4];
    bool frozen;
} Samples;

static void samples_init(Samples *self, bool frozen)
{
    for (int i = 0; i < 4; i++)
        self->data[i] = i * 1.5;
    self->frozen = frozen;
}

static int samples_buffer(void *self, sb_buffer_info *info)
{
    Samples *s = self;
    info->buf = s->data;
    info->len = 4;
    info->itemsize = sizeof(double);
    info->format = "d";
    info->readonly = s->frozen;
    return 0;
}

static double samples_sum(Samples *self)
{
    return self->data[0] + self->data[1] + self->data[2] + self->data[3];
}

static const sb_method_def samples_methods[] = {
    SB_METHOD(samples_init, "void __init__(Samples *self, bool frozen = false)", NULL),
    SB_METHOD(samples_sum, "double sum(Samples *self)", NULL),
    SB_END,
};

/* ---- Safety (tests/py/test_cface_safety.py) ---- */

/* Guard: C code that trusts its constructor. Every hook and method aborts the
 * process if it sees a struct its __init__ did not make (a zero struct), so a
 * test fails loudly (in its child interpreter) if the runtime ever hands one
 * over. */
#define GUARD_MAGIC 0x5AFE5AFEu

typedef struct Guard {
    uint32_t magic;
    int64_t value;
    char *buf;              /* malloc'ed by __init__, freed by destroy */
} Guard;

static int64_t guards_destroyed;

static void guard_check(const Guard *self, const char *where)
{
    if (self->magic != GUARD_MAGIC) {
        fprintf(stderr, "Guard: %s saw a struct its __init__ did not make\n", where);
        abort();
    }
}

static void guard_init(Guard *self, int64_t value)
{
    if (self->magic == GUARD_MAGIC) /* __init__ again: keep one buffer */
        free(self->buf);
    self->magic = GUARD_MAGIC;
    self->value = value;
    self->buf = malloc(16);
}

static int64_t guard_get(Guard *self)
{
    guard_check(self, "get()");
    return self->value;
}

static int64_t guard_get_doubled(Guard *self)
{
    guard_check(self, "the doubled getter");
    return 2 * self->value;
}

/* [[nogil]] method: fails for a negative value */
static int64_t guard_slow(Guard *self, int64_t n)
{
    guard_check(self, "slow()");
    if (n < 0)
        sb_raise("ValueError", "Guard.slow(): n must be >= 0, not %lld", (long long)n);
    return self->value + n;
}

static void guard_destroy(void *self)
{
    guard_check(self, "destroy");
    free(((Guard *)self)->buf);
    guards_destroyed++;
}

static int64_t guard_destroyed(void)
{
    return guards_destroyed;
}

static const sb_method_def guard_methods[] = {
    SB_METHOD(guard_init, "void __init__(Guard *self, int64_t value)", NULL),
    SB_METHOD(guard_get, "int64_t get(Guard *self)", NULL),
    SB_GETTER(guard_get_doubled, "int64_t doubled(Guard *self)", "Twice the value."),
    SB_METHOD(guard_slow, "int64_t slow(Guard *self, int64_t n) [[nogil]]", NULL),
    SB_STATIC_METHOD(guard_destroyed, "int64_t destroyed()", "How many Guards died (destroy ran)."),
    SB_END,
};

/* Stateful: pickles through __getstate__/__setstate__ (and has a constructor,
 * so unpickling builds the instance through __setstate__). */
typedef struct Stateful {
    uint32_t magic;
    int64_t value;
} Stateful;

static void stateful_init(Stateful *self, int64_t value)
{
    self->magic = GUARD_MAGIC;
    self->value = value;
}

static int64_t stateful_getstate(Stateful *self)
{
    if (self->magic != GUARD_MAGIC)
        abort();
    return self->value;
}

static void stateful_setstate(Stateful *self, int64_t value)
{
    stateful_init(self, value);
}

static int64_t stateful_get(Stateful *self)
{
    if (self->magic != GUARD_MAGIC)
        abort();
    return self->value;
}

static const sb_method_def stateful_methods[] = {
    SB_METHOD(stateful_init, "void __init__(Stateful *self, int64_t value)", NULL),
    SB_METHOD(stateful_getstate, "int64_t __getstate__(Stateful *self)", NULL),
    SB_METHOD(stateful_setstate, "void __setstate__(Stateful *self, int64_t value)", NULL),
    SB_METHOD(stateful_get, "int64_t get(Stateful *self)", NULL),
    SB_END,
};

/* Tagged: a C subclass of Shape (which refuses pickling) that says how. */
typedef struct Tagged {
    Shape shape;
} Tagged;

static int64_t tagged_getstate(Tagged *self)
{
    return self->shape.sides;
}

static void tagged_setstate(Tagged *self, int64_t sides)
{
    self->shape.sides = sides;
}

static const sb_method_def tagged_methods[] = {
    SB_METHOD(tagged_getstate, "int64_t __getstate__(Tagged *self)", NULL),
    SB_METHOD(tagged_setstate, "void __setstate__(Tagged *self, int64_t sides)", NULL),
    SB_END,
};

/* [[nogil]] functions that raise: the exception is held for the call while
 * the GIL is released and raised when the call returns. */
static int64_t nogil_check(int64_t n)
{
    if (n < 0)
        sb_raise("ValueError", "nogil_check(): n must be >= 0, not %lld", (long long)n);
    return 2 * n;
}

static int64_t nogil_own(int64_t n)
{
    sb_raise("SafetyError", "the module's own exception, n=%lld", (long long)n);
    return n;
}

/* Raise, check, clear, raise twice (the last wins), chain: all without the GIL. */
static int64_t nogil_sequence(int64_t mode)
{
    if (sb_error_occurred())
        return -1;
    sb_raise("KeyError", "first");
    if (!sb_error_occurred() || !sb_exception_matches("LookupError") || sb_exception_matches("ValueError"))
        return -2;
    sb_error_clear();
    if (sb_error_occurred())
        return -3;
    if (mode == 0)
        return 0; /* cleared: no exception */
    sb_raise("KeyError", "second");
    if (mode == 1)
        sb_raise("ValueError", "third wins");
    else
        sb_raise_from("ValueError", "chained from the KeyError");
    return mode;
}

/* A [[free]] result dropped because the call raised. */
static char *nogil_text(int64_t n)
{
    char *s = malloc(32);
    if (s)
        snprintf(s, 32, "n=%lld", (long long)n);
    if (n < 0)
        sb_raise("ValueError", "nogil_text(): negative");
    return s;
}

/* sb_gil_acquire inside a [[nogil]] function, then raise with the GIL held. */
static int64_t nogil_with_gil(int64_t n)
{
    sb_gil g = sb_gil_acquire();
    if (n < 0)
        sb_raise("ValueError", "raised holding sb_gil_acquire");
    sb_gil_release(g);
    return n;
}

/* sb_raise inside sb_allow_threads (the GIL released by the C code itself). */
static void allow_block(void *arg)
{
    int64_t n = *(int64_t *)arg;
    if (n < 0)
        sb_raise("ValueError", "raised inside sb_allow_threads");
}

static int64_t allow_threads_raise(int64_t n)
{
    sb_allow_threads(allow_block, &n);
    return sb_error_occurred() ? -1 : n;
}

static const sb_exception_def exceptions[] = {
    SB_EXCEPTION("SafetyError", "RuntimeError", "The module's own exception (raised without the GIL)."),
    SB_END,
};

static const sb_class_def classes[] = {
    {.name = "Vec", .doc = "A 2-D vector.", .size = sizeof(Vec), .methods = vec_methods, .fields = vec_fields},
    {.name = "Point", .size = sizeof(Point), .methods = point_methods},
    {.name = "Seq", .size = sizeof(Seq), .methods = seq_methods},
    {.name = "Bag", .size = sizeof(Bag), .methods = bag_methods, .fields = bag_fields},
    {.name = "Resource", .size = sizeof(Resource), .methods = resource_methods, .fields = resource_fields,
     .destroy = resource_destroy},
    {.name = "Node", .size = sizeof(Node), .methods = node_methods, .fields = node_fields,
     .traverse = node_traverse, .clear = node_clear},
    {.name = "Shape", .size = sizeof(Shape), .flags = SB_SUBCLASSABLE, .methods = shape_methods},
    {.name = "Square", .size = sizeof(Square), .base = "Shape", .methods = square_methods},
    {.name = "Open", .size = sizeof(Open), .flags = SB_DICT | SB_WEAKREF | SB_SUBCLASSABLE, .fields = open_fields},
    {.name = "Counter", .size = sizeof(Counter), .methods = counter_methods, .fields = counter_fields},
    {.name = "Samples", .size = sizeof(Samples), .methods = samples_methods, .buffer = samples_buffer},
    {.name = "Guard", .size = sizeof(Guard), .flags = SB_SUBCLASSABLE, .methods = guard_methods,
     .destroy = guard_destroy},
    {.name = "Stateful", .size = sizeof(Stateful), .methods = stateful_methods},
    {.name = "Tagged", .size = sizeof(Tagged), .base = "Shape", .methods = tagged_methods},
    SB_END,
};

/* Test hook into the runtime linked into this module (src/runtime/trampolines.c):
 * how many trampoline pool slots its methods hold. */
unsigned sb__tramp_in_use(void);

static uint32_t trampolines_in_use(void)
{
    return sb__tramp_in_use();
}

static const sb_function_def functions[] = {
    SB_FUNCTION(total_area, "double total_area(Square *a, Square *b)", "Sum of two squares' areas."),
    SB_FUNCTION(trampolines_in_use, "uint32_t trampolines_in_use(void)",
                "Trampoline pool slots held by methods (src/runtime/trampolines.c; at most 512)."),
    SB_FUNCTION(nogil_check, "int64_t nogil_check(int64_t n) [[nogil]]", "Raises ValueError without the GIL."),
    SB_FUNCTION(nogil_own, "int64_t nogil_own(int64_t n) [[nogil]]", "Raises SafetyError without the GIL."),
    SB_FUNCTION(nogil_sequence, "int64_t nogil_sequence(int64_t mode) [[nogil]]",
                "Raise, check, clear, raise again without the GIL."),
    SB_FUNCTION(nogil_text, "char *nogil_text(int64_t n) [[nogil, free]]", "A [[free]] result, or raises."),
    SB_FUNCTION(nogil_with_gil, "int64_t nogil_with_gil(int64_t n) [[nogil]]",
                "Raises while holding sb_gil_acquire inside a [[nogil]] call."),
    SB_FUNCTION(allow_threads_raise, "int64_t allow_threads_raise(int64_t n)", "Raises inside sb_allow_threads."),
    SB_END,
};

SB_MODULE(cface_classes, .doc = "sigbind's class test module.", .functions = functions, .exceptions = exceptions,
          .classes = classes);
