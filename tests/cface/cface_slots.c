/* cface_slots.c — classes whose special methods exercise the type slots: the bench pair of bench/slots_hand.c, hostile protocol cases, free lists, opt-in __dict__/__weakref__. */
#include <sigbind.h>

#include <stdint.h>
#include <string.h>

/* ---- Vec: the benchmark class (bench/slots.py); bench/slots_hand.c is the same in limited-API C ---- */

typedef struct Vec {
    int64_t n;
    int64_t items[16];
} Vec;

static void vec_init(Vec *self, int64_t n)
{
    if (n < 0 || n > 16) {
        sb_raise("ValueError", "Vec size must be in 0..16");
        return;
    }
    self->n = n;
    for (int64_t i = 0; i < n; i++)
        self->items[i] = i;
}

static size_t vec_len(Vec *self)
{
    return (size_t)self->n;
}

static bool vec_contains(Vec *self, int64_t v)
{
    for (int64_t i = 0; i < self->n; i++)
        if (self->items[i] == v)
            return true;
    return false;
}

static int64_t vec_getitem(Vec *self, int64_t i)
{
    if (i < 0 || i >= self->n)
        return sb_raise("IndexError", "Vec index out of range");
    return self->items[i];
}

static void vec_setitem(Vec *self, int64_t i, int64_t v)
{
    if (i < 0 || i >= self->n) {
        sb_raise("IndexError", "Vec assignment index out of range");
        return;
    }
    self->items[i] = v;
}

static void vec_delitem(Vec *self, int64_t i)
{
    if (i < 0 || i >= self->n) {
        sb_raise("IndexError", "Vec deletion index out of range");
        return;
    }
    memmove(&self->items[i], &self->items[i + 1], sizeof self->items[0] * (size_t)(self->n - i - 1));
    self->n--;
}

static bool vec_eq(Vec *self, Vec *other)
{
    return self->n == other->n && memcmp(self->items, other->items, sizeof self->items[0] * (size_t)self->n) == 0;
}

static int64_t vec_call(Vec *self, int64_t x)
{
    return self->n + x;
}

static PyObject *vec_iter(Vec *self)
{
    return sb_call(sb_class_object("VecIter"), "(PyObject *v)", sb_self(self));
}

static const sb_method_def vec_methods[] = {
    SB_METHOD(vec_init, "void __init__(Vec *self, int64_t n)", NULL),
    SB_METHOD(vec_len, "size_t __len__(Vec *self)", NULL),
    SB_METHOD(vec_contains, "bool __contains__(Vec *self, int64_t v)", NULL),
    SB_METHOD(vec_getitem, "int64_t __getitem__(Vec *self, int64_t i)", NULL),
    SB_METHOD(vec_setitem, "void __setitem__(Vec *self, int64_t i, int64_t v)", NULL),
    SB_METHOD(vec_delitem, "void __delitem__(Vec *self, int64_t i)", NULL),
    SB_METHOD(vec_eq, "bool __eq__(Vec *self, Vec *other)", NULL),
    SB_METHOD(vec_call, "int64_t __call__(Vec *self, int64_t x)", NULL),
    SB_METHOD(vec_call, "int64_t __add__(Vec *self, int64_t k)", NULL), /* obj + 1: the same sum */
    SB_METHOD(vec_iter, "PyObject *__iter__(Vec *self)", NULL),
    SB_END,
};

/* VecIter: walks a Vec (holds a reference), re-reading its length each step. */
typedef struct VecIter {
    PyObject *vec;   /* owned: keeps `data` alive */
    Vec *data;
    int64_t i;
} VecIter;

static void veciter_init(VecIter *self, Vec *v)
{
    sb_incref(sb_self(v));
    sb_decref(self->vec);
    self->vec = sb_self(v);
    self->data = v;
    self->i = 0;
}

static VecIter *veciter_iter(VecIter *self)
{
    return self;
}

/* The GC's clear hook: `vec` is cleared by the runtime, `data` here, so that
 * __next__ tests one pointer (as bench/slots_hand.c's, whose iterator has no
 * tp_clear, tests none). */
static int veciter_traverse(void *self, sb_visitproc visit, void *arg)
{
    (void)self, (void)visit, (void)arg; /* `vec` is a field: the runtime visits it */
    return 0;
}

static void veciter_clear(void *self)
{
    ((VecIter *)self)->data = NULL;
}

static int64_t veciter_next(VecIter *self)
{
    Vec *v = self->data; /* NULL once cleared */
    if (!v || self->i >= v->n)
        return sb_stop_iteration();
    return v->items[self->i++];
}

static const sb_method_def veciter_methods[] = {
    SB_METHOD(veciter_init, "void __init__(VecIter *self, Vec *v)", NULL),
    SB_METHOD(veciter_iter, "VecIter *__iter__(VecIter *self)", NULL),
    SB_METHOD(veciter_next, "int64_t __next__(VecIter *self)", NULL),
    SB_END,
};

static const sb_field_def veciter_fields[] = {
    SB_FIELD(VecIter, vec, "PyObject *vec", SB_READONLY, NULL),
    SB_END,
};

/* ---- Num: numbers, comparisons, hash, repr/str, attribute hooks through the slots ---- */

typedef struct Num {
    int64_t v;
    int64_t getattr_calls;
} Num;

static void num_init(Num *self, int64_t v)
{
    self->v = v;
}

static PyObject *num_add(Num *self, Num *other)
{
    return sb_call(sb_class_object("Num"), "(int64_t v)", self->v + other->v);
}

static PyObject *num_radd(Num *self, int64_t other)
{
    return sb_call(sb_class_object("Num"), "(int64_t v)", self->v + other);
}

static PyObject *num_sub(Num *self, Num *other)
{
    return sb_call(sb_class_object("Num"), "(int64_t v)", self->v - other->v);
}

static PyObject *num_neg(Num *self)
{
    return sb_call(sb_class_object("Num"), "(int64_t v)", -self->v);
}

static int64_t num_index(Num *self)
{
    return self->v;
}

static double num_float(Num *self)
{
    return (double)self->v;
}

static bool num_bool(Num *self)
{
    return self->v != 0;
}

static bool num_lt(Num *self, Num *other)
{
    return self->v < other->v;
}

static bool num_eq(Num *self, Num *other)
{
    if (self->v == -999)
        return sb_raise("ValueError", "Num(-999) refuses to compare");
    return self->v == other->v;
}

static int64_t num_hash(Num *self)
{
    return self->v;
}

static const char *num_repr(Num *self)
{
    return self->v ? "<Num>" : "<Num zero>";
}

static const char *num_str(Num *self)
{
    return self->v < 0 ? "negative" : "non-negative";
}

static int64_t num_getattr(Num *self, const char *name)
{
    self->getattr_calls++;
    if (!strcmp(name, "missing"))
        return sb_raise("AttributeError", "Num has no attribute 'missing'");
    return (int64_t)strlen(name);
}

static int64_t num_calls(Num *self)
{
    return self->getattr_calls;
}

static const sb_method_def num_methods[] = {
    SB_METHOD(num_init, "void __init__(Num *self, int64_t v = 0)", NULL),
    SB_METHOD(num_add, "PyObject *__add__(Num *self, Num *other)", NULL),
    SB_METHOD(num_radd, "PyObject *__radd__(Num *self, int64_t other)", NULL),
    SB_METHOD(num_sub, "PyObject *__sub__(Num *self, Num *other)", NULL),
    SB_METHOD(num_neg, "PyObject *__neg__(Num *self)", NULL),
    SB_METHOD(num_index, "int64_t __index__(Num *self)", NULL),
    SB_METHOD(num_float, "double __float__(Num *self)", NULL),
    SB_METHOD(num_bool, "bool __bool__(Num *self)", NULL),
    SB_METHOD(num_lt, "bool __lt__(Num *self, Num *other)", NULL),
    SB_METHOD(num_eq, "bool __eq__(Num *self, Num *other)", NULL),
    SB_METHOD(num_hash, "int64_t __hash__(Num *self)", NULL),
    SB_METHOD(num_repr, "const char *__repr__(Num *self)", NULL),
    SB_METHOD(num_str, "const char *__str__(Num *self)", NULL),
    SB_METHOD(num_getattr, "int64_t __getattr__(Num *self, const char *name)", NULL),
    SB_GETTER(num_calls, "int64_t getattr_calls(Num *self)", NULL),
    SB_END,
};

static const sb_field_def num_fields[] = {
    SB_FIELD(Num, v, "int64_t v", SB_READWRITE, NULL),
    SB_END,
};

/* ---- Z: every number slot (binary, reflected, in-place, unary); ZSub: a C subclass whose __radd__ takes a Z ---- */

typedef struct Z {
    int64_t v;
} Z;

static void z_init(Z *self, int64_t v)
{
    self->v = v;
}

#define Z_BINOP(name, expr)                                                                                           \
    static int64_t z_##name(Z *self, int64_t k)                                                                       \
    {                                                                                                                 \
        return (expr);                                                                                                \
    }
Z_BINOP(add, self->v + k)
Z_BINOP(radd, k * 1000 + self->v) /* tells a reflected call from a forward one */
Z_BINOP(sub, self->v - k)
Z_BINOP(rsub, k - self->v)
Z_BINOP(mul, self->v * k)
Z_BINOP(floordiv, self->v / k)
Z_BINOP(mod, self->v % k)
Z_BINOP(pow, self->v * self->v + k)
Z_BINOP(lshift, self->v << k)
Z_BINOP(rshift, self->v >> k)
Z_BINOP(and, self->v & k)
Z_BINOP(or, self->v | k)
Z_BINOP(xor, self->v ^ k)
Z_BINOP(matmul, self->v * 100 + k)
Z_BINOP(divmod, self->v * 10 + k)
Z_BINOP(rdivmod, k * 10 + self->v)
#undef Z_BINOP

static double z_truediv(Z *self, double k)
{
    return (double)self->v / k;
}

static Z *z_iadd(Z *self, int64_t k)
{
    self->v += k * 2; /* in place, and not the same as __add__ */
    return self;
}

static Z *z_ior(Z *self, int64_t k)
{
    self->v |= k;
    return self;
}

static int64_t z_neg(Z *self)
{
    return -self->v;
}

static int64_t z_pos(Z *self)
{
    return self->v + 1;
}

static int64_t z_abs(Z *self)
{
    return self->v < 0 ? -self->v : self->v;
}

static int64_t z_invert(Z *self)
{
    return ~self->v;
}

static bool z_bool(Z *self)
{
    return self->v != 7;
}

static int64_t z_index(Z *self)
{
    if (self->v == -1)
        return sb_raise("ValueError", "Z(-1) has no index");
    return self->v;
}

static int64_t z_int(Z *self)
{
    return self->v * 2;
}

static double z_float(Z *self)
{
    return (double)self->v / 2;
}

static const sb_method_def z_methods[] = {
    SB_METHOD(z_init, "void __init__(Z *self, int64_t v = 0)", NULL),
    SB_METHOD(z_add, "int64_t __add__(Z *self, int64_t k)", NULL),
    SB_METHOD(z_radd, "int64_t __radd__(Z *self, int64_t k)", NULL),
    SB_METHOD(z_iadd, "Z *__iadd__(Z *self, int64_t k)", NULL),
    SB_METHOD(z_sub, "int64_t __sub__(Z *self, int64_t k)", NULL),
    SB_METHOD(z_rsub, "int64_t __rsub__(Z *self, int64_t k)", NULL),
    SB_METHOD(z_mul, "int64_t __mul__(Z *self, int64_t k)", NULL),
    SB_METHOD(z_truediv, "double __truediv__(Z *self, double k)", NULL),
    SB_METHOD(z_floordiv, "int64_t __floordiv__(Z *self, int64_t k)", NULL),
    SB_METHOD(z_mod, "int64_t __mod__(Z *self, int64_t k)", NULL),
    SB_METHOD(z_pow, "int64_t __pow__(Z *self, int64_t k)", NULL),
    SB_METHOD(z_lshift, "int64_t __lshift__(Z *self, int64_t k)", NULL),
    SB_METHOD(z_rshift, "int64_t __rshift__(Z *self, int64_t k)", NULL),
    SB_METHOD(z_and, "int64_t __and__(Z *self, int64_t k)", NULL),
    SB_METHOD(z_or, "int64_t __or__(Z *self, int64_t k)", NULL),
    SB_METHOD(z_ior, "Z *__ior__(Z *self, int64_t k)", NULL),
    SB_METHOD(z_xor, "int64_t __xor__(Z *self, int64_t k)", NULL),
    SB_METHOD(z_matmul, "int64_t __matmul__(Z *self, int64_t k)", NULL),
    SB_METHOD(z_divmod, "int64_t __divmod__(Z *self, int64_t k)", NULL),
    SB_METHOD(z_rdivmod, "int64_t __rdivmod__(Z *self, int64_t k)", NULL),
    SB_METHOD(z_neg, "int64_t __neg__(Z *self)", NULL),
    SB_METHOD(z_pos, "int64_t __pos__(Z *self)", NULL),
    SB_METHOD(z_abs, "int64_t __abs__(Z *self)", NULL),
    SB_METHOD(z_invert, "int64_t __invert__(Z *self)", NULL),
    SB_METHOD(z_bool, "bool __bool__(Z *self)", NULL),
    SB_METHOD(z_index, "int64_t __index__(Z *self)", NULL),
    SB_METHOD(z_int, "int64_t __int__(Z *self)", NULL),
    SB_METHOD(z_float, "double __float__(Z *self)", NULL),
    SB_END,
};

static const sb_field_def z_fields[] = {
    SB_FIELD(Z, v, "int64_t v", SB_READWRITE, NULL),
    SB_END,
};

static int64_t z_intbool(Z *self)
{
    return self->v;
}

static const sb_method_def zintbool_methods[] = {
    SB_METHOD(z_intbool, "int64_t __bool__(ZIntBool *self)", NULL), /* not a bool: bool() refuses it, as CPython does */
    SB_END,
};

static int64_t zsub_radd(Z *self, Z *other)
{
    return -(self->v * 1000 + other->v);
}

static const sb_method_def zsub_methods[] = {
    SB_METHOD(zsub_radd, "int64_t __radd__(ZSub *self, Z *other)", NULL),
    SB_END,
};

/* ---- Pooled: a free list of 4; Plain: no __dict__, no __weakref__; Open: both ---- */

typedef struct Pooled {
    int64_t a;
    PyObject *obj;
} Pooled;

static void pooled_init(Pooled *self, int64_t a)
{
    self->a = a;
}

static uint64_t pooled_addr(Pooled *self)
{
    return (uint64_t)(uintptr_t)sb_self(self);
}

static int64_t pooled_call(Pooled *self, int64_t x)
{
    return self->a + x;
}

static const sb_method_def pooled_methods[] = {
    SB_METHOD(pooled_init, "void __init__(Pooled *self, int64_t a = 0)", NULL),
    SB_METHOD(pooled_addr, "uint64_t addr(Pooled *self)", NULL),
    SB_METHOD(pooled_call, "int64_t __call__(Pooled *self, int64_t x)", NULL), /* a free list with vectorcall */
    SB_END,
};

static const sb_field_def pooled_fields[] = {
    SB_FIELD(Pooled, a, "int64_t a", SB_READWRITE, NULL),
    SB_FIELD(Pooled, obj, "PyObject *obj", SB_READWRITE, NULL),
    SB_END,
};

typedef struct Plain {
    int64_t a;
} Plain;

static const sb_field_def plain_fields[] = {
    SB_FIELD(Plain, a, "int64_t a", SB_READWRITE, NULL),
    SB_END,
};

/* A C subclass of a class with __dict__ and __weakref__: its struct grows over where the base keeps them. */
typedef struct OpenSub {
    Plain base;
    int64_t b, c;
} OpenSub;

static const sb_field_def opensub_fields[] = {
    SB_FIELD(OpenSub, b, "int64_t b", SB_READWRITE, NULL),
    SB_FIELD(OpenSub, c, "int64_t c", SB_READWRITE, NULL),
    SB_END,
};

/* ---- Ty, TyWide: one special method per typed slot entry (src/cface/class.c "Typed entries"), each also
 * raising from C while returning an ordinary value (a C-face function may raise and return any value) ---- */

typedef struct Ty {
    int64_t v;
} Ty;

static void ty_init(Ty *self, int64_t v)
{
    if (v == 99) {
        sb_raise("ValueError", "Ty(99) refused");
        return;
    }
    self->v = v;
}

static int64_t ty_len(Ty *self)
{
    if (self->v == 1000)
        sb_raise("RuntimeError", "len of Ty(1000)"); /* and returns a valid length */
    return self->v;
}

static bool ty_contains(Ty *self, int32_t x)
{
    if (x == 1000) {
        sb_raise("RuntimeError", "1000 in Ty");
        return true;
    }
    return x == self->v;
}

static PyObject *ty_getitem(Ty *self, PyObject *key)
{
    (void)self;
    if (sb_is_none(key) || sb_isinstance(key, "bytes") == 1) {
        sb_raise("KeyError", "None or bytes");
        sb_incref(key);
        return key; /* a new reference with an exception set: dropped by the caller */
    }
    sb_incref(key);
    return key;
}

static int64_t ty_next(Ty *self)
{
    if (self->v <= 0)
        return sb_stop_iteration();
    if (self->v == 500) {
        self->v = 0;
        sb_raise("RuntimeError", "next of Ty(500)");
        return 7;
    }
    return self->v--;
}

static Ty *ty_iter(Ty *self)
{
    return self;
}

static bool ty_eq(Ty *self, Ty *other)
{
    if (other->v == 1000) {
        sb_raise("RuntimeError", "Ty(1000) compared");
        return true;
    }
    return self->v == other->v;
}

static bool ty_lt(Ty *self, int64_t other)
{
    return self->v < other;
}

static int64_t ty_hash(Ty *self)
{
    return self->v; /* -1 becomes -2, as CPython does */
}

static int32_t ty_call(Ty *self, bool neg)
{
    return neg ? (int32_t)-self->v : (int32_t)self->v; /* a 32-bit result, sign-extended */
}

static const sb_method_def ty_methods[] = {
    SB_METHOD(ty_init, "void __init__(Ty *self, int64_t v)", NULL),
    SB_METHOD(ty_len, "int64_t __len__(Ty *self)", NULL),
    SB_METHOD(ty_contains, "bool __contains__(Ty *self, int32_t x)", NULL),
    SB_METHOD(ty_getitem, "PyObject *__getitem__(Ty *self, PyObject *key)", NULL),
    SB_METHOD(ty_iter, "Ty *__iter__(Ty *self)", NULL),
    SB_METHOD(ty_next, "int64_t __next__(Ty *self)", NULL),
    SB_METHOD(ty_eq, "bool __eq__(Ty *self, Ty *other)", NULL),
    SB_METHOD(ty_lt, "bool __lt__(Ty *self, int64_t other)", NULL),
    SB_METHOD(ty_hash, "int64_t __hash__(Ty *self)", NULL),
    SB_METHOD(ty_call, "int32_t __call__(Ty *self, bool neg)", NULL),
    SB_END,
};

static const sb_field_def ty_fields[] = {
    SB_FIELD(Ty, v, "int64_t v", SB_READWRITE, NULL),
    SB_END,
};

/* Results of other widths and signedness; no constructor (instances are usable from Cls.__new__). */
typedef struct TyWide {
    uint64_t v;
} TyWide;

static size_t tywide_len(TyWide *self)
{
    return (size_t)self->v;
}

static uint64_t tywide_hash(TyWide *self)
{
    return self->v;
}

static int8_t tywide_getitem(TyWide *self, uint8_t i)
{
    (void)self;
    return (int8_t)-(int)(i & 0x7f);
}

static uint16_t tywide_call(TyWide *self)
{
    return (uint16_t)(self->v + 65535u); /* 16 bits: wraps */
}

static PyObject *tywide_next(TyWide *self)
{
    if (!self->v)
        return NULL; /* no exception: the end */
    self->v--;
    return sb_value("int64_t", (int64_t)self->v);
}

static TyWide *tywide_iter(TyWide *self)
{
    return self;
}

static const sb_method_def tywide_methods[] = {
    SB_METHOD(tywide_len, "size_t __len__(TyWide *self)", NULL),
    SB_METHOD(tywide_hash, "uint64_t __hash__(TyWide *self)", NULL),
    SB_METHOD(tywide_getitem, "int8_t __getitem__(TyWide *self, uint8_t i)", NULL),
    SB_METHOD(tywide_call, "uint16_t __call__(TyWide *self)", NULL),
    SB_METHOD(tywide_iter, "TyWide *__iter__(TyWide *self)", NULL),
    SB_METHOD(tywide_next, "PyObject *__next__(TyWide *self)", NULL),
    SB_END,
};

static const sb_field_def tywide_fields[] = {
    SB_FIELD(TyWide, v, "uint64_t v", SB_READWRITE, NULL),
    SB_END,
};

/* TyErr: SB_ERRVALUE, errors reported as a hand-written slot does (raise and return the error value). */
typedef struct TyErr {
    int64_t v;
} TyErr;

static int64_t tyerr_len(TyErr *self)
{
    if (self->v < 0)
        return sb_raise("RuntimeError", "len of TyErr(%lld)", (long long)self->v);
    return self->v;
}

static bool tyerr_contains(TyErr *self, int64_t x)
{
    if (x < 0) {
        sb_raise("RuntimeError", "negative in TyErr");
        return false;
    }
    return x == self->v;
}

static int64_t tyerr_getitem(TyErr *self, int64_t i)
{
    if (i == 7)
        return sb_raise("IndexError", "TyErr index 7");
    return i == 0 ? -1 : self->v * i; /* -1 without an exception is a result */
}

static PyObject *tyerr_call(TyErr *self, PyObject *arg)
{
    if (sb_is_none(arg)) {
        sb_raise("TypeError", "TyErr(None)");
        return NULL;
    }
    (void)self;
    sb_incref(arg);
    return arg;
}

static const sb_method_def tyerr_methods[] = {
    SB_METHOD(tyerr_len, "int64_t __len__(TyErr *self)", NULL),
    SB_METHOD(tyerr_contains, "bool __contains__(TyErr *self, int64_t x)", NULL),
    SB_METHOD(tyerr_getitem, "int64_t __getitem__(TyErr *self, int64_t i)", NULL),
    SB_METHOD(tyerr_call, "PyObject *__call__(TyErr *self, PyObject *arg)", NULL),
    SB_END,
};

static const sb_field_def tyerr_fields[] = {
    SB_FIELD(TyErr, v, "int64_t v", SB_READWRITE, NULL),
    SB_END,
};

/* TySpec, TySpecIt: SB_ERRVALUE classes whose special methods have the specialised entries
 * (class.c "Specialised entries"): results, the error values with and without an exception. */
typedef TyErr TySpec; /* its __getitem__ is TyErr's */

static void tyspec_init(TySpec *self, int64_t v)
{
    self->v = v;
}

static size_t tyspec_len(TySpec *self)
{
    if (self->v == 1000)
        return (size_t)sb_raise("RuntimeError", "len of TySpec(1000)");
    return (size_t)self->v; /* -1: the error value without an exception; other negatives: too large */
}

static bool tyspec_contains(TySpec *self, int32_t x)
{
    if (x < 0) {
        sb_raise("RuntimeError", "negative in TySpec");
        return false;
    }
    return x == self->v;
}

static TySpec *tyspec_iter(TySpec *self)
{
    return self;
}

static int64_t tyspec_next(TySpec *self)
{
    if (self->v == 500)
        return sb_raise("RuntimeError", "next of TySpec(500)");
    if (self->v <= 0)
        return sb_stop_iteration();
    return self->v-- == 1 ? -1 : self->v + 1; /* 1 comes back as -1: the error value as a result */
}

static bool tyspec_eq(TySpec *self, TySpec *other)
{
    if (other->v == 1000) {
        sb_raise("RuntimeError", "TySpec(1000) compared");
        return false;
    }
    return self->v == other->v;
}

static bool tyspec_lt(TySpec *self, TySpec *other)
{
    return self->v < other->v;
}

static int64_t tyspec_add(TySpec *self, int64_t k)
{
    if (k == 7)
        return sb_raise("ValueError", "TySpec + 7");
    if (k == 99) /* the module's own exception: found through the module whose code runs */
        return sb_raise("SlotError", "TySpec + 99");
    return k == 0 ? -1 : self->v + k; /* + 0 is -1 without an exception: a result */
}

static int64_t tyspec_sub(TySpec *self, int32_t k)
{
    return self->v - k;
}

static const sb_method_def tyspec_methods[] = {
    SB_METHOD(tyspec_init, "void __init__(TySpec *self, int64_t v)", NULL),
    SB_METHOD(tyspec_len, "size_t __len__(TySpec *self)", NULL),
    SB_METHOD(tyspec_contains, "bool __contains__(TySpec *self, int32_t x)", NULL),
    SB_METHOD(tyerr_getitem, "int64_t __getitem__(TySpec *self, int64_t i)", NULL),
    SB_METHOD(tyspec_iter, "TySpec *__iter__(TySpec *self)", NULL),
    SB_METHOD(tyspec_next, "int64_t __next__(TySpec *self)", NULL),
    SB_METHOD(tyspec_eq, "bool __eq__(TySpec *self, TySpec *other)", NULL),
    SB_METHOD(tyspec_lt, "bool __lt__(TySpec *self, TySpec *other)", NULL),
    SB_METHOD(tyspec_add, "int64_t __add__(TySpec *self, int64_t k)", NULL),
    SB_METHOD(tyspec_sub, "int64_t __sub__(TySpec *self, int32_t k)", NULL),
    SB_END,
};

static const sb_field_def tyspec_fields[] = {
    SB_FIELD(TySpec, v, "int64_t v", SB_READWRITE, NULL),
    SB_END,
};

typedef struct TySpecIt {
    int64_t v;
} TySpecIt;

static void tyspecit_init(TySpecIt *self, int64_t v)
{
    self->v = v;
}

static TySpecIt *tyspecit_iter(TySpecIt *self)
{
    return self;
}

static PyObject *tyspecit_next(TySpecIt *self)
{
    if (self->v == 500) {
        sb_raise("RuntimeError", "next of TySpecIt(500)");
        return NULL;
    }
    if (self->v <= 0)
        return NULL; /* no exception: the end */
    self->v--;
    return sb_value("int64_t", (int64_t)self->v);
}

static const sb_method_def tyspecit_methods[] = {
    SB_METHOD(tyspecit_init, "void __init__(TySpecIt *self, int64_t v)", NULL),
    SB_METHOD(tyspecit_iter, "TySpecIt *__iter__(TySpecIt *self)", NULL),
    SB_METHOD(tyspecit_next, "PyObject *__next__(TySpecIt *self)", NULL),
    SB_END,
};

/* apply(f): f() from C, so that a Python callable runs inside a call of this module's function. */
static PyObject *apply(PyObject *f)
{
    return sb_call(f, "()");
}

static const sb_function_def functions[] = {
    SB_FUNCTION(apply, "PyObject *apply(PyObject *f)", "f(), called from C."),
    SB_END,
};

static const sb_exception_def exceptions[] = {
    SB_EXCEPTION("SlotError", NULL, "Raised by name from a slot's C function (TySpec + 99)."),
    SB_END,
};

static const sb_class_def classes[] = {
    /* SB_ERRVALUE: errors come with the error value, as in bench/slots_hand.c */
    {.name = "Vec", .size = sizeof(Vec), .flags = SB_SUBCLASSABLE | SB_ERRVALUE, .methods = vec_methods},
    {.name = "VecIter", .size = sizeof(VecIter), .flags = SB_ERRVALUE, .methods = veciter_methods,
     .fields = veciter_fields, .traverse = veciter_traverse, .clear = veciter_clear},
    {.name = "Num", .size = sizeof(Num), .flags = SB_SUBCLASSABLE, .methods = num_methods, .fields = num_fields},
    {.name = "Z", .size = sizeof(Z), .flags = SB_SUBCLASSABLE, .methods = z_methods, .fields = z_fields},
    {.name = "ZSub", .size = sizeof(Z), .base = "Z", .methods = zsub_methods},
    {.name = "ZIntBool", .size = sizeof(Z), .methods = zintbool_methods},
    {.name = "Pooled", .size = sizeof(Pooled), .flags = SB_SUBCLASSABLE, .methods = pooled_methods,
     .fields = pooled_fields, .freelist = 4},
    {.name = "Plain", .size = sizeof(Plain), .flags = SB_SUBCLASSABLE, .fields = plain_fields},
    {.name = "Open", .size = sizeof(Plain), .flags = SB_SUBCLASSABLE | SB_DICT | SB_WEAKREF, .fields = plain_fields},
    {.name = "OpenSub", .size = sizeof(OpenSub), .base = "Open", .fields = opensub_fields},
    {.name = "Ty", .size = sizeof(Ty), .flags = SB_SUBCLASSABLE, .methods = ty_methods, .fields = ty_fields},
    {.name = "TyWide", .size = sizeof(TyWide), .methods = tywide_methods, .fields = tywide_fields},
    {.name = "TyErr", .size = sizeof(TyErr), .flags = SB_ERRVALUE, .methods = tyerr_methods, .fields = tyerr_fields},
    {.name = "TySpec", .size = sizeof(TySpec), .flags = SB_SUBCLASSABLE | SB_ERRVALUE, .methods = tyspec_methods,
     .fields = tyspec_fields},
    {.name = "TySpecIt", .size = sizeof(TySpecIt), .flags = SB_ERRVALUE, .methods = tyspecit_methods},
    SB_END,
};

SB_MODULE(cface_slots, .doc = "Classes whose special methods fill the type slots.", .functions = functions,
          .exceptions = exceptions, .classes = classes);
