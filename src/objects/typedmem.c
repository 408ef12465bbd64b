/* typedmem.c — typed memory: elements read/written through Pointers; sigbind.new/cast/sizeof/alignof/offsetof/string_at/buffer/from_buffer. */
#include "objects/objects.h"

#include <stdio.h>
#include <string.h>

#ifndef PyBUF_READ
#define PyBUF_READ 0x100
#endif
#ifndef PyBUF_WRITE
#define PyBUF_WRITE 0x200
#endif

/* ------------------------------------------------------------------ */
/* Elements. Scalars and pointers today; a struct or union type (a      */
/* `named` type with a layout) plugs in at sb__elem_check (its size and  */
/* alignment come from sb__type_size/sb__type_align), sb__elem_get and   */
/* sb__elem_set.                                                        */

bool sb__elem_is_char(sb_type e)
{
    return e.ptr == 0 && e.kind == SB_K_CHAR && !e.named;
}

static const char *type_text(sb_type t, char *buf, size_t cap)
{
    sb__type_format(t, buf, cap);
    return buf;
}

int sb__elem_check(sb_type e, const char *fn)
{
    char tn[64];
    if (e.ptr >= 8) {
        PyErr_Format(PyExc_TypeError, "%s: '%s' has too many levels of pointers", fn, type_text(e, tn, sizeof tn));
        return -1;
    }
    if (e.ptr == 0 && e.named && e.named->what == SB_NAMED_STRUCT)
        return 0; /* a struct/union element: a Struct view */
    if (e.ptr == 0 && e.named) {
        PyErr_Format(PyExc_TypeError, "%s: '%s' is an opaque type: its size is unknown", fn,
                     type_text(e, tn, sizeof tn));
        return -1;
    }
    if (e.ptr == 0 && e.kind == SB_K_VOID) {
        PyErr_Format(PyExc_TypeError, "%s: 'void' has no size", fn);
        return -1;
    }
    if (e.kind == SB_K_PYOBJECT && e.ptr == 1 && !e.named) {
        PyErr_Format(PyExc_TypeError, "%s: 'PyObject *' elements are not supported (no reference would be owned)", fn);
        return -1;
    }
    return 0;
}

int sb__elem_type(sb_type t, sb_type *elem, size_t *size, const char *what)
{
    char tn[64];
    *elem = t;
    if (t.ptr == 0) {
        PyErr_Format(PyExc_TypeError, "%s: '%s' is not a pointer type", what, type_text(t, tn, sizeof tn));
        return -1;
    }
    elem->ptr--;
    if (elem->ptr == 0 && elem->kind == SB_K_VOID && !elem->named) {
        PyErr_Format(PyExc_TypeError, "%s: a Pointer (%s) has no element type: cast it first, e.g. "
                     "sigbind.cast('uint8_t *', p)", what, type_text(t, tn, sizeof tn));
        return -1;
    }
    if (sb__elem_check(*elem, what) < 0)
        return -1;
    *size = sb__type_size(*elem);
    return 0;
}

static uint8_t conv_of(sb_type e)
{
    switch (sb__kind((sb_kind)e.kind)->cls) {
    case SB_CLASS_SINT: return SB_CV_SINT;
    case SB_CLASS_UINT: return SB_CV_UINT;
    case SB_CLASS_BOOL: return SB_CV_BOOL;
    case SB_CLASS_FLOAT: return e.kind == SB_K_FLOAT ? SB_CV_FLOAT : SB_CV_DOUBLE;
    default: return SB_CV_VOID;
    }
}

static bool is_struct(sb_type e)
{
    return e.ptr == 0 && e.named && e.named->what == SB_NAMED_STRUCT;
}

uint8_t sb__elem_fa(sb_type t)
{
    if (t.ptr == 0)
        return SB_FA_SLOW;
    t.ptr--;
    if (t.ptr || t.named || sb__elem_is_char(t) || sb__type_wide(t))
        return SB_FA_SLOW;
    const sb_kindinfo *ki = sb__kind((sb_kind)t.kind);
    switch (conv_of(t)) {
    case SB_CV_SINT:
        return ki->size == 1 ? SB_FA_I8 : ki->size == 2 ? SB_FA_I16 : ki->size == 4 ? SB_FA_I32
               : ki->size == 8 ? SB_FA_I64 : SB_FA_SLOW;
    case SB_CV_UINT:
        return ki->size == 1 ? SB_FA_U8 : ki->size == 2 ? SB_FA_U16 : ki->size == 4 ? SB_FA_U32
               : ki->size == 8 ? SB_FA_U64 : SB_FA_SLOW;
    case SB_CV_BOOL: return ki->size == 1 ? SB_FA_BOOL : SB_FA_SLOW;
    case SB_CV_FLOAT: return ki->size == 4 ? SB_FA_F32 : SB_FA_SLOW;
    case SB_CV_DOUBLE: return ki->size == 8 && ki->ffi == &ffi_type_double ? SB_FA_F64 : SB_FA_SLOW;
    default: return SB_FA_SLOW;
    }
}

PyObject *sb__elem_get_in(PyObject *base, PyTypeObject *ptrtype, sb_type e, const char *a)
{
    sb_pointer *bp = base && Py_TYPE(base) == ptrtype ? (sb_pointer *)base : NULL;
    if (sb__type_is_fnptr(e) && bp && bp->module) {
        /* callable; the Pointer keeps what owns its type (its owner) alive */
        void *v;
        memcpy(&v, a, sizeof v);
        return sb__function_at(sb__state(bp->module), e, v, "fnptr", base, NULL, NULL);
    }
    if (is_struct(e))
        return sb__struct_view(e.named->user, (void *)(uintptr_t)a, base); /* writes go to the memory */
    PyObject *r = sb__elem_get(ptrtype, e, a);
    if (r && bp && Py_TYPE(r) == ptrtype) {
        sb_pointer *q = (sb_pointer *)r;
        if (bp->module && !q->module) {
            Py_INCREF(bp->module); /* a pointer element can make functions of its own elements too */
            q->module = bp->module;
        }
        if (e.named && !q->owner) {
            Py_INCREF(base); /* its type is base's (a Library's): base keeps that alive */
            q->owner = base;
        }
    }
    return r;
}

PyObject *sb__elem_get(PyTypeObject *ptrtype, sb_type e, const char *a)
{
    if (is_struct(e))
        return sb__struct_view(e.named->user, (void *)(uintptr_t)a, NULL);
    if (e.ptr) {
        void *v;
        memcpy(&v, a, sizeof v);
        if (!v) {
            Py_INCREF(Py_None);
            return Py_None;
        }
        return sb__pointer_make(ptrtype, v, e, NULL); /* C's memory: nothing to keep alive */
    }
    if (sb__elem_is_char(e))
        return PyBytes_FromStringAndSize(a, 1);
    if (sb__type_wide(e))
        return sb__wide_get(e, a);
    sb_cell c;
    c.u = 0;
    uint8_t conv = conv_of(e);
    if (conv == SB_CV_FLOAT) {
        memcpy(&c.f, a, sizeof c.f);
    } else if (conv == SB_CV_DOUBLE) {
        memcpy(&c.d, a, sizeof c.d);
    } else {
        switch (sb__kind((sb_kind)e.kind)->size) {
        case 1: { uint8_t v; memcpy(&v, a, 1); c.u = v; break; }
        case 2: { uint16_t v; memcpy(&v, a, 2); c.u = v; break; }
        case 4: { uint32_t v; memcpy(&v, a, 4); c.u = v; break; }
        default: memcpy(&c.u, a, 8); break;
        }
    }
    return sb__from_c(NULL, conv, e, &c);
}

/* Converts v for an element of type e into *c (pointers: c->p). 0 or -1. */
static int elem_convert(PyTypeObject *ptrtype, sb_state *st, sb_type e, PyObject *v, const char *fname,
                        const char *pname, sb_cell *c)
{
    char tn[64];
    c->u = 0;
    if (sb__type_is_fnptr(e) && st) { /* a Callback or function of its type too */
        sb_convctx cx = {fname, pname, e, st, SB_CX_ARGUMENT, false};
        return sb__to_c(&cx, SB_CV_FUNC, e, v, c, NULL);
    }
    if (e.ptr) {
        /* Only addresses: a buffer or str stored in C memory would not outlive the assignment. */
        if (v == Py_None) {
            c->p = NULL;
            return 0;
        }
        if (Py_TYPE(v) == ptrtype) {
            c->p = ((sb_pointer *)v)->addr;
            return 0;
        }
        if (PyLong_Check(v) && !PyBool_Check(v)) {
            PyObject *zero = PyLong_FromLong(0);
            int neg = zero ? PyObject_RichCompareBool(v, zero, Py_LT) : -1;
            Py_XDECREF(zero);
            if (neg < 0)
                return -1;
            c->p = neg ? NULL : PyLong_AsVoidPtr(v);
            if (neg || (!c->p && PyErr_Occurred())) {
                PyErr_Clear();
                PyErr_Format(PyExc_OverflowError, "%s() argument '%s' (%s) must be an address in 0..%zu, not %R",
                             fname, pname, type_text(e, tn, sizeof tn), (size_t)-1, v);
                return -1;
            }
            return 0;
        }
        PyObject *tnm = PyObject_GetAttrString((PyObject *)Py_TYPE(v), "__name__");
        if (tnm) {
            PyErr_Format(PyExc_TypeError,
                         "%s() argument '%s' (%s) must be a sigbind.Pointer, int address or None, not %U (C memory "
                         "cannot keep a Python object alive: copy it into sigbind.new() memory and store that)",
                         fname, pname, type_text(e, tn, sizeof tn), tnm);
            Py_DECREF(tnm);
        }
        return -1;
    }
    if (sb__elem_is_char(e) && (PyBytes_Check(v) || PyByteArray_Check(v))) {
        Py_ssize_t n = PyBytes_Check(v) ? PyBytes_Size(v) : PyByteArray_Size(v);
        if (n != 1) {
            PyErr_Format(PyExc_ValueError, "%s() argument '%s' (char) must be one byte or an int, not %zd bytes",
                         fname, pname, n);
            return -1;
        }
        c->i = (signed char)(PyBytes_Check(v) ? PyBytes_AsString(v) : PyByteArray_AsString(v))[0];
        if (CHAR_MIN == 0)
            c->u = (unsigned char)c->i;
        return 0;
    }
    sb_convctx cx = {fname, pname, e, NULL, false, false};
    sb_temp tmp;
    memset(&tmp, 0, sizeof tmp);
    return sb__to_c(&cx, conv_of(e), e, v, c, &tmp); /* scalars make no temporaries */
}

int sb__elem_set(PyTypeObject *ptrtype, sb_state *st, sb_type e, char *a, PyObject *v, const char *fname,
                 const char *pname, bool init)
{
    char tn[64];
    if (!init && e.ptr == 0 && e.cconst) {
        PyErr_Format(PyExc_TypeError, "%s() argument '%s': cannot assign to a '%s' element", fname, pname,
                     type_text(e, tn, sizeof tn));
        return -1;
    }
    if (is_struct(e)) {
        char what[160];
        snprintf(what, sizeof what, "%s() argument '%s'", fname, pname);
        return sb__struct_store(e.named->user ? ((const sb_layout *)e.named->user)->rt_state : NULL, e.named->user, v,
                                a, what);
    }
    if (sb__type_wide(e)) {
        sb_convctx cx = {fname, pname, e, st, false, false};
        return sb__wide_set(&cx, e, v, a);
    }
    sb_cell c;
    if (elem_convert(ptrtype, st, e, v, fname, pname, &c) < 0)
        return -1;
    if (e.ptr) {
        memcpy(a, &c.p, sizeof c.p);
        return 0;
    }
    switch (conv_of(e)) {
    case SB_CV_FLOAT: memcpy(a, &c.f, sizeof c.f); return 0;
    case SB_CV_DOUBLE: memcpy(a, &c.d, sizeof c.d); return 0;
    default: break;
    }
    switch (sb__kind((sb_kind)e.kind)->size) {
    case 1: { uint8_t v8 = (uint8_t)c.u; memcpy(a, &v8, 1); break; }
    case 2: { uint16_t v16 = (uint16_t)c.u; memcpy(a, &v16, 2); break; }
    case 4: { uint32_t v32 = (uint32_t)c.u; memcpy(a, &v32, 4); break; }
    default: memcpy(a, &c.u, 8); break;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Type arguments                                                       */

/* Parses a str type argument ("int[10]"); SignatureError on bad text. 0 or -1. */
static int parse_type_in(sb_state *st, const sb_scope *scope, PyObject *arg, const char *fn, sb_type *elem,
                         int64_t *count);

static int parse_type(sb_state *st, PyObject *arg, const char *fn, sb_type *elem, int64_t *count)
{
    return parse_type_in(st, NULL, arg, fn, elem, count);
}

/* Parses the type text `arg` ("int[10]", "uint8_t *") in `scope` (NULL: the
 * type table only) into *elem and *count (-1: not an array). Texts parsed
 * without a scope are remembered by identity in st->type_memo, so the same
 * str (a literal in a loop: `sigbind.cast("int *", p)` in a comparator) is
 * not parsed again: what it parses to cannot change. */
static int parse_type_in(sb_state *st, const sb_scope *scope, PyObject *arg, const char *fn, sb_type *elem,
                         int64_t *count)
{
    enum { MEMO = sizeof st->type_memo / sizeof st->type_memo[0] };
    if (!scope) {
        for (unsigned i = 0; i < MEMO; i++)
            if (st->type_memo[i].text == arg) {
                *elem = st->type_memo[i].elem;
                *count = st->type_memo[i].count;
                return 0;
            }
    }
    if (!PyUnicode_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "%s() argument 'type' must be a str such as 'int[10]', not %R", fn,
                     (PyObject *)Py_TYPE(arg));
        return -1;
    }
    PyObject *b = sb__text_utf8(st, arg);
    if (!b)
        return -1;
    char *s;
    Py_ssize_t n;
    int rc = PyBytes_AsStringAndSize(b, &s, &n);
    if (rc == 0) {
        sb_error err;
        if (sb__array_type_parse(s, (size_t)n, scope, elem, count, &err) < 0) {
            char what[64];
            snprintf(what, sizeof what, "%s() argument 'type'", fn);
            sb__raise_sigerror(st, s, (size_t)n, &err, what);
            rc = -1;
        }
    }
    Py_DECREF(b);
    if (rc == 0 && !scope) {
        struct sb_type_memo *m = &st->type_memo[st->type_memo_next++ % MEMO];
        PyObject *old = m->text;
        Py_INCREF(arg);
        m->text = arg;
        Py_XDECREF(old);
        m->elem = *elem;
        m->count = *count;
    }
    return rc;
}

/* "int[10]" for messages. */
static const char *array_text(sb_type e, int64_t count, char *buf, size_t cap)
{
    size_t n = sb__type_format(e, buf, cap);
    if (count == SB_ARRAY_OPEN)
        snprintf(buf + n, cap - n, "[]");
    else if (count >= 0)
        snprintf(buf + n, cap - n, "[%lld]", (long long)count);
    return buf;
}

static sb_pointer *as_pointer(sb_state *st, PyObject *obj)
{
    return Py_TYPE(obj) == (PyTypeObject *)st->PointerType ? (sb_pointer *)obj : NULL;
}

/* An int address in 0..SIZE_MAX. 0 or -1 + exception. */
static int int_address(PyObject *v, const char *fn, void **out)
{
    PyObject *zero = PyLong_FromLong(0);
    int neg = zero ? PyObject_RichCompareBool(v, zero, Py_LT) : -1;
    Py_XDECREF(zero);
    if (neg < 0)
        return -1;
    void *a = neg ? NULL : PyLong_AsVoidPtr(v);
    if (neg || (!a && PyErr_Occurred())) {
        PyErr_Clear();
        PyErr_Format(PyExc_OverflowError, "%s(): an address must be in 0..%zu, not %R", fn, (size_t)-1, v);
        return -1;
    }
    *out = a;
    return 0;
}

/* ------------------------------------------------------------------ */
/* sigbind.new(type, init=None)                                         */

static PyObject *mem_new(PyObject *module, PyObject *args, PyObject *kwds)
{
    return sb__mem_new_in(module, NULL, NULL, args, kwds);
}

PyObject *sb__mem_new_in(PyObject *module, const sb_scope *scope, PyObject *scope_owner, PyObject *args,
                         PyObject *kwds)
{
    static char *kwlist[] = {"type", "init", NULL};
    PyObject *targ, *init = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|O:new", kwlist, &targ, &init))
        return NULL;
    sb_state *st = sb__state(module);
    sb_type e;
    int64_t count;
    char tn[96];
    if (parse_type_in(st, scope, targ, "new", &e, &count) < 0 || sb__elem_check(e, "new()") < 0)
        return NULL;
    array_text(e, count, tn, sizeof tn);
    size_t size = sb__type_size(e);
    PyObject *text = NULL, *seq = NULL, *result = NULL;
    const char *bytes = NULL;
    Py_ssize_t nbytes_init = 0;
    int64_t n = count == SB_ARRAY_NONE ? 1 : count;
    if (count != SB_ARRAY_NONE && init != Py_None) {
        if (sb__elem_is_char(e) && (PyBytes_Check(init) || PyUnicode_Check(init))) {
            /* char arrays take text: bytes as is, str as UTF-8; "char[]" adds the NUL. */
            text = PyUnicode_Check(init) ? PyUnicode_AsUTF8String(init) : (Py_INCREF(init), init);
            if (!text)
                return NULL;
            bytes = PyBytes_AsString(text);
            nbytes_init = PyBytes_Size(text);
            if (count == SB_ARRAY_OPEN)
                n = (int64_t)nbytes_init + 1;
            else if (nbytes_init > count) {
                PyErr_Format(PyExc_ValueError, "new(): init has %zd bytes, more than '%s' holds", nbytes_init, tn);
                goto done;
            }
        } else {
            seq = sb__snapshot(init, "new() argument 'init' must be an iterable of values for an array");
            if (!seq)
                goto done;
            Py_ssize_t k = PyTuple_Size(seq);
            if (count == SB_ARRAY_OPEN)
                n = k;
            else if (k > count) {
                PyErr_Format(PyExc_ValueError, "new(): init has %zd items, more than '%s' holds", k, tn);
                goto done;
            }
        }
    } else if (count == SB_ARRAY_OPEN) {
        PyErr_Format(PyExc_TypeError, "new(): '%s' needs init (an iterable, or bytes/str for char[]) to know its length", tn);
        goto done;
    }
    if ((uint64_t)n > (uint64_t)PY_SSIZE_T_MAX / size) {
        PyErr_Format(PyExc_OverflowError, "new(): '%s' is too large (%lld items of %zu bytes)", tn, (long long)n, size);
        goto done;
    }
    Py_ssize_t total = (Py_ssize_t)((size_t)n * size);
    /* The memory is a bytearray's (zero-filled, aligned for any scalar; never
     * resized): the Pointer and everything derived from it keep it alive, and
     * buffer() exports it without copying on every version. */
    PyObject *ba = PyByteArray_FromStringAndSize(NULL, 0);
    /* (Grown in a second step: when the first allocation fails, CPython's
     * constructor frees a half-made object whose export count is garbage.) */
    if (!ba || PyByteArray_Resize(ba, total) < 0) {
        Py_XDECREF(ba);
        goto done;
    }
    char *mem = PyByteArray_AsString(ba);
    memset(mem, 0, (size_t)total);
    sb_type pt = e;
    pt.ptr++;
    /* The owner is a memoryview of the bytearray, never handed out: it holds an
     * export, so the bytearray (which buffer(p).obj reaches) can be written
     * but never resized or freed while the memory is reachable. */
    PyObject *pin = PyMemoryView_FromObject(ba);
    Py_DECREF(ba);
    if (pin && e.named && scope_owner) { /* a type of the Library's: the memory keeps it alive too */
        PyObject *both = PyTuple_Pack(2, pin, scope_owner);
        Py_DECREF(pin);
        pin = both;
    }
    if (!pin)
        goto done;
    result = sb__pointer_new(st, mem, pt, pin);
    Py_DECREF(pin);
    if (!result)
        goto done;
    ((sb_pointer *)result)->lo = mem;
    ((sb_pointer *)result)->span = (size_t)total;
    if (bytes) {
        memcpy(mem, bytes, (size_t)nbytes_init);
    } else if (seq) {
        for (Py_ssize_t i = 0; i < PyTuple_Size(seq); i++) {
            char pn[40];
            snprintf(pn, sizeof pn, "init[%zd]", i);
            if (sb__elem_set((PyTypeObject *)st->PointerType, st, e, mem + (size_t)i * size,
                             PyTuple_GetItem(seq, i), "new", pn, true) < 0) {
                Py_CLEAR(result);
                break;
            }
        }
    } else if (init != Py_None) {
        if (sb__elem_set((PyTypeObject *)st->PointerType, st, e, mem, init, "new", "init", true) < 0)
            Py_CLEAR(result);
    }
done:
    Py_XDECREF(text);
    Py_XDECREF(seq);
    return result;
}

/* ------------------------------------------------------------------ */
/* sigbind.cast(type, obj)                                              */

static void free_sig_capsule(PyObject *cap)
{
    sb__sig_free(PyCapsule_GetPointer(cap, "sigbind.functype"));
}

/* The address cast() takes: None (NULL), a Pointer, an int, a Callback or a
 * function bound by sigbind (its C address, as C casts a function). 0 or -1 + exception. */
static int cast_address(sb_state *st, PyObject *obj, void **addr, sb_pointer **ptr)
{
    *ptr = NULL;
    *addr = NULL;
    if (obj == Py_None)
        return 0;
    if ((*ptr = as_pointer(st, obj))) {
        *addr = (*ptr)->addr;
        return 0;
    }
    if (PyLong_Check(obj) && !PyBool_Check(obj))
        return int_address(obj, "cast", addr);
    if (st->CallbackType && sb__callback_check(st, obj)) {
        *addr = sb__callback_address(obj);
        return 0;
    }
    PyObject *self = PyCFunction_Check(obj) ? PyCFunction_GetSelf(obj) : NULL;
    if (self && st->FunctionType && Py_TYPE(self) == (PyTypeObject *)st->FunctionType) {
        *addr = (void *)(uintptr_t)((sb_function *)self)->fn;
        return 0;
    }
    PyErr_Format(PyExc_TypeError,
                 "cast() argument 'obj' must be a sigbind.Pointer, an int address, a Callback, a function bound by "
                 "sigbind or None, not %R (for a buffer use sigbind.from_buffer())",
                 (PyObject *)Py_TYPE(obj));
    return -1;
}

/* cast() to a function type written in place ("int (*)(int)", "int (int)"):
 * a callable, whose type (parsed here) its Function keeps; owner (may be NULL)
 * keeps scope's types alive. */
static PyObject *cast_functype(sb_state *st, const sb_scope *scope, PyObject *owner, PyObject *targ, PyObject *obj)
{
    enum { MEMO = sizeof st->fn_memo / sizeof st->fn_memo[0] };
    void *addr;
    sb_pointer *p;
    if (cast_address(st, obj, &addr, &p) < 0)
        return NULL;
    PyObject *cap = NULL;
    for (unsigned i = 0; !scope && i < MEMO; i++)
        if (st->fn_memo[i].text == targ) { /* the same str as a recent cast: what it parses to cannot change */
            cap = st->fn_memo[i].cap;
            Py_INCREF(cap);
        }
    if (!cap) {
        PyObject *b = sb__text_utf8(st, targ);
        if (!b)
            return NULL;
        sb_error err;
        sb_sig *sig = sb__functype_parse(PyBytes_AsString(b), (size_t)PyBytes_Size(b), scope, &err);
        if (!sig)
            sb__raise_sigerror(st, PyBytes_AsString(b), (size_t)PyBytes_Size(b), &err, "cast() argument 'type'");
        Py_DECREF(b);
        if (!sig)
            return NULL;
        if (!(cap = PyCapsule_New(sig, "sigbind.functype", free_sig_capsule))) {
            sb__sig_free(sig);
            return NULL;
        }
        if (!scope) {
            struct sb_fn_memo *m = &st->fn_memo[st->fn_memo_next++ % MEMO];
            PyObject *ot = m->text, *oc = m->cap;
            Py_INCREF(targ);
            Py_INCREF(cap);
            m->text = targ;
            m->cap = cap;
            Py_XDECREF(ot);
            Py_XDECREF(oc);
        }
    }
    const sb_sig *sig = PyCapsule_GetPointer(cap, "sigbind.functype");
    /* Its spelling for messages: "int (*)(int)" from "int __fn(int)". */
    char spell[256];
    const char *fn = strstr(sig->text, "__fn(");
    snprintf(spell, sizeof spell, "%.*s(*)%s", fn ? (int)(fn - sig->text) : 0, sig->text,
             fn ? fn + 4 : sig->text);
    sb_named nd;
    memset(&nd, 0, sizeof nd);
    nd.what = SB_NAMED_FUNC;
    nd.name = spell;
    nd.user = sig;
    /* Kept with the callable: the type, the scope's owner, a Callback or function cast (its code). */
    PyObject *src = !p && obj != Py_None && !PyLong_Check(obj) ? obj : Py_None;
    PyObject *keep = PyTuple_Pack(3, cap, owner ? owner : Py_None, src);
    Py_DECREF(cap);
    if (!keep)
        return NULL;
    PyObject *r = sb__function_at(st, (sb_type){SB_K_VOID, 1, 0, &nd}, addr, "fnptr", keep, NULL, NULL);
    Py_DECREF(keep);
    return r;
}

/* Does the type text look like a function type ("int (*)(int)")? */
static bool looks_functype(PyObject *targ)
{
    return PyUnicode_Check(targ) && PyUnicode_FindChar(targ, '(', 0, PyUnicode_GetLength(targ), 1) >= 0;
}

PyObject *sb__mem_cast_in(PyObject *module, const sb_scope *scope, PyObject *owner, PyObject *args)
{
    /* No PyArg_ParseTuple: cast() runs per comparison in qsort comparators. */
    if (PyTuple_Size(args) != 2) {
        PyErr_Format(PyExc_TypeError, "cast() takes exactly 2 arguments (type, obj) (%zd given)",
                     PyTuple_Size(args));
        return NULL;
    }
    PyObject *targ = PyTuple_GetItem(args, 0), *obj = PyTuple_GetItem(args, 1);
    sb_state *st = sb__state(module);
    sb_type t;
    int64_t count;
    char tn[96];
    for (unsigned i = 0; !scope && i < sizeof st->fn_memo / sizeof st->fn_memo[0]; i++)
        if (st->fn_memo[i].text == targ) /* a function type cast recently: no failed parse as a data type first */
            return cast_functype(st, scope, owner, targ, obj);
    if (parse_type_in(st, scope, targ, "cast", &t, &count) < 0) {
        if (!looks_functype(targ) || !PyErr_ExceptionMatches(st->SignatureError))
            return NULL;
        PyErr_Clear();
        return cast_functype(st, scope, owner, targ, obj);
    }
    if (count != SB_ARRAY_NONE || !t.ptr) {
        PyErr_Format(PyExc_TypeError, "cast() argument 'type' must be a pointer type such as 'uint8_t *', not '%s'",
                     array_text(t, count, tn, sizeof tn));
        return NULL;
    }
    void *addr;
    sb_pointer *p;
    if (cast_address(st, obj, &addr, &p) < 0)
        return NULL;
    if (sb__type_is_fnptr(t)) { /* a function: callable (its type is owner's), keeping a Callback cast alive */
        PyObject *keep;
        if (owner && obj != Py_None) {
            keep = PyTuple_Pack(2, owner, obj);
            if (!keep)
                return NULL;
        } else {
            keep = owner ? owner : obj;
            Py_INCREF(keep);
        }
        PyObject *r = sb__function_at(st, t, addr, "fnptr", keep, NULL, NULL);
        Py_DECREF(keep);
        return r;
    }
    if (!addr) { /* NULL is None, as C returns it */
        Py_INCREF(Py_None);
        return Py_None;
    }
    if (!p && obj != Py_None && !PyLong_Check(obj)) { /* a Callback or function: its code stays with the Pointer */
        PyObject *keep = owner ? PyTuple_Pack(2, obj, owner) : (Py_INCREF(obj), obj);
        PyObject *r = keep ? sb__pointer_new(st, addr, t, keep) : NULL;
        Py_XDECREF(keep);
        return r;
    }
    if (!p)
        return sb__pointer_new(st, addr, t, owner);
    PyObject *r = sb__pointer_derive(obj, p->addr, t);
    if (r && owner && t.named) { /* a type of the Library's: kept alive with the memory */
        sb_pointer *q = (sb_pointer *)r;
        PyObject *both = PyTuple_Pack(2, q->owner ? q->owner : Py_None, owner);
        if (!both) {
            Py_DECREF(r);
            return NULL;
        }
        PyObject *old = q->owner;
        q->owner = both;
        Py_XDECREF(old);
    }
    return r;
}

static PyObject *mem_cast(PyObject *module, PyObject *args)
{
    return sb__mem_cast_in(module, NULL, NULL, args);
}

/* ------------------------------------------------------------------ */
/* sizeof, alignof, offsetof                                            */

static PyObject *mem_sizeof(PyObject *module, PyObject *arg)
{
    sb_state *st = sb__state(module);
    char tn[96];
    if (sb__struct_check(st, arg)) { /* a Struct value: its type's size (anonymous types too) */
        const sb_layout *L;
        sb__struct_data(arg, &L);
        return PyLong_FromSize_t(L->size);
    }
    sb_pointer *p = as_pointer(st, arg);
    if (p) {
        if (!p->lo) {
            PyErr_Format(PyExc_TypeError,
                         "sizeof(): a Pointer (%s) from C does not know the size of its memory (only memory from "
                         "new() and from_buffer() does); sizeof('%s') is the size of the pointer itself",
                         type_text(p->type, tn, sizeof tn), type_text(p->type, tn, sizeof tn));
            return NULL;
        }
        char *a = (char *)p->addr;
        return PyLong_FromSize_t(a < p->lo || a > p->lo + p->span ? 0 : (size_t)(p->lo + p->span - a));
    }
    if (!PyUnicode_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "sizeof() argument must be a type (str) or a sigbind.Pointer, not %R",
                     (PyObject *)Py_TYPE(arg));
        return NULL;
    }
    sb_type e;
    int64_t count;
    if (parse_type(st, arg, "sizeof", &e, &count) < 0)
        return NULL;
    if (!(e.ptr == 1 && e.kind == SB_K_PYOBJECT) && sb__elem_check(e, "sizeof()") < 0)
        return NULL;
    size_t size = sb__type_size(e);
    if (count == SB_ARRAY_OPEN) {
        PyErr_Format(PyExc_TypeError, "sizeof(): '%s' has no size (its length is not given)",
                     array_text(e, count, tn, sizeof tn));
        return NULL;
    }
    if (count >= 0) {
        if ((uint64_t)count > (uint64_t)PY_SSIZE_T_MAX / size) {
            PyErr_Format(PyExc_OverflowError, "sizeof(): '%s' is too large", array_text(e, count, tn, sizeof tn));
            return NULL;
        }
        size *= (size_t)count;
    }
    return PyLong_FromSize_t(size);
}

static PyObject *mem_alignof(PyObject *module, PyObject *arg)
{
    if (sb__struct_check(sb__state(module), arg)) {
        const sb_layout *L;
        sb__struct_data(arg, &L);
        return PyLong_FromSize_t(L->align);
    }
    sb_type e;
    int64_t count;
    if (parse_type(sb__state(module), arg, "alignof", &e, &count) < 0)
        return NULL;
    if (!(e.ptr == 1 && e.kind == SB_K_PYOBJECT) && sb__elem_check(e, "alignof()") < 0)
        return NULL;
    return PyLong_FromSize_t(sb__type_align(e));
}

static PyObject *mem_offsetof(PyObject *module, PyObject *args)
{
    PyObject *targ, *field;
    if (PyTuple_Size(args) >= 1 && sb__struct_check(sb__state(module), PyTuple_GetItem(args, 0))) {
        /* a Struct value: its type's members (anonymous types too) */
        const sb_layout *L;
        sb__struct_data(PyTuple_GetItem(args, 0), &L);
        PyObject *path = PyTuple_GetSlice(args, 1, PyTuple_Size(args));
        PyObject *r = path ? sb__struct_offsetof(L, path) : NULL;
        Py_XDECREF(path);
        return r;
    }
    if (!PyArg_ParseTuple(args, "OU:offsetof", &targ, &field))
        return NULL;
    sb_type e;
    int64_t count;
    char tn[96];
    if (parse_type(sb__state(module), targ, "offsetof", &e, &count) < 0)
        return NULL;
    /* Struct and union types plug in here (issue #6 item 2). */
    PyErr_Format(PyExc_TypeError, "offsetof(): '%s' is not a struct or union type, so it has no field %R",
                 array_text(e, count, tn, sizeof tn), field);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* string_at, buffer, from_buffer                                       */

/* The address of a Pointer or int argument; *known = bytes known valid from
 * there (or -1). NULL page -> ValueError. 0 or -1. */
static int address_arg(sb_state *st, PyObject *obj, const char *fn, char **addr, Py_ssize_t *known, sb_pointer **ptr)
{
    sb_pointer *p = as_pointer(st, obj);
    *ptr = p;
    *known = -1;
    if (p) {
        *addr = p->addr;
        if (p->lo)
            *known = sb__pointer_known(p, 1);
    } else if (PyLong_Check(obj) && !PyBool_Check(obj)) {
        void *a;
        if (int_address(obj, fn, &a) < 0)
            return -1;
        *addr = a;
    } else {
        PyErr_Format(PyExc_TypeError, "%s() argument 'p' must be a sigbind.Pointer or an int address, not %R", fn,
                     (PyObject *)Py_TYPE(obj));
        return -1;
    }
    if ((uintptr_t)*addr < SB_NULL_PAGE) {
        PyErr_Format(PyExc_ValueError, "%s(): cannot read through a NULL pointer", fn);
        return -1;
    }
    return 0;
}

static PyObject *mem_string_at(PyObject *module, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"p", "n", NULL};
    PyObject *obj;
    Py_ssize_t n = -1;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|n:string_at", kwlist, &obj, &n))
        return NULL;
    char *a;
    Py_ssize_t known;
    sb_pointer *p;
    if (address_arg(sb__state(module), obj, "string_at", &a, &known, &p) < 0)
        return NULL;
    if (n < -1) {
        PyErr_Format(PyExc_ValueError, "string_at() argument 'n' must be >= 0, or -1 for up to the NUL, not %zd", n);
        return NULL;
    }
    if (n == -1) {
        if (known >= 0) {
            const char *z = memchr(a, 0, (size_t)known);
            if (!z) {
                PyErr_Format(PyExc_ValueError, "string_at(): no NUL in the %zd bytes of memory the Pointer knows", known);
                return NULL;
            }
            n = z - a;
        } else {
            n = (Py_ssize_t)strlen(a);
        }
    } else if (known >= 0 && n > known) {
        PyErr_Format(PyExc_IndexError, "string_at(): %zd bytes asked, and the Pointer's memory has %zd", n, known);
        return NULL;
    }
    return PyBytes_FromStringAndSize(a, n);
}

static PyObject *mem_buffer(PyObject *module, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"p", "n", NULL};
    PyObject *obj, *narg = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|O:buffer", kwlist, &obj, &narg))
        return NULL;
    char *a;
    Py_ssize_t known, n;
    sb_pointer *p;
    if (address_arg(sb__state(module), obj, "buffer", &a, &known, &p) < 0)
        return NULL;
    if (narg == Py_None) {
        if (known < 0) {
            PyErr_SetString(PyExc_TypeError, "buffer(): memory from C has no known size: give n");
            return NULL;
        }
        n = known;
    } else {
        n = PyNumber_AsSsize_t(narg, PyExc_OverflowError);
        if (n == -1 && PyErr_Occurred())
            return NULL;
        if (n < 0) {
            PyErr_Format(PyExc_ValueError, "buffer() argument 'n' must be >= 0, not %zd", n);
            return NULL;
        }
        if (known >= 0 && n > known) {
            PyErr_Format(PyExc_IndexError, "buffer(): %zd bytes asked, and the Pointer's memory has %zd", n, known);
            return NULL;
        }
    }
    bool readonly = p && p->type.ptr == 1 && p->type.cconst;
    PyObject *holder = p ? p->owner : NULL;
    if (holder && PyTuple_Check(holder) && PyTuple_Size(holder) == 2) /* Library.new(): (memory, Library) */
        holder = PyTuple_GetItem(holder, 0);
    if (p && p->lo && holder && (PyByteArray_Check(holder) || PyMemoryView_Check(holder))) {
        /* Memory of new() or from_buffer(): a slice of a view of the object
         * that holds it, so the view keeps it alive (every version). */
        PyObject *mv = PyMemoryView_FromObject(holder);
        PyObject *flat = mv ? PyObject_CallMethod(mv, "cast", "s", "B") : NULL;
        Py_XDECREF(mv);
        Py_ssize_t off = a - p->lo;
        PyObject *view = flat ? PySequence_GetSlice(flat, off, off + n) : NULL;
        Py_XDECREF(flat);
        if (view && readonly && PyObject_HasAttrString(view, "toreadonly")) {
            PyObject *ro = PyObject_CallMethod(view, "toreadonly", NULL);
            Py_DECREF(view);
            view = ro;
        }
        return view;
    }
    /* Memory from C: the view is exactly as long-lived as C keeps it. */
    return PyMemoryView_FromMemory(a, n, readonly ? PyBUF_READ : PyBUF_WRITE);
}

static PyObject *mem_from_buffer(PyObject *module, PyObject *args)
{
    PyObject *targ, *obj;
    if (!PyArg_ParseTuple(args, "OO:from_buffer", &targ, &obj))
        return NULL;
    sb_state *st = sb__state(module);
    sb_type e;
    int64_t count;
    char tn[96];
    if (parse_type(st, targ, "from_buffer", &e, &count) < 0 || sb__elem_check(e, "from_buffer()") < 0)
        return NULL;
    array_text(e, count, tn, sizeof tn);
    if (count == SB_ARRAY_NONE) {
        PyErr_Format(PyExc_TypeError, "from_buffer() argument 'type' must be an array type such as 'char[]' or "
                     "'int[4]', not '%s'", tn);
        return NULL;
    }
    bool writable = !(e.ptr == 0 && e.cconst);
    PyObject *mv = PyMemoryView_FromObject(obj);
    if (!mv) {
        if (PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError, "from_buffer() argument 'buffer' must support the buffer protocol "
                         "(bytearray, bytes, memoryview, array.array, ...), not %R", (PyObject *)Py_TYPE(obj));
        }
        return NULL;
    }
    PyObject *result = NULL;
    PyObject *flag = PyObject_GetAttrString(mv, "c_contiguous");
    int contiguous = flag ? PyObject_IsTrue(flag) : -1;
    Py_XDECREF(flag);
    flag = contiguous == 1 ? PyObject_GetAttrString(mv, "readonly") : NULL;
    int ro = flag ? PyObject_IsTrue(flag) : -1;
    Py_XDECREF(flag);
    if (contiguous < 0 || (contiguous == 1 && ro < 0))
        goto done;
    if (!contiguous) {
        PyErr_Format(PyExc_TypeError, "from_buffer(): the buffer (%R) is not C-contiguous", (PyObject *)Py_TYPE(obj));
        goto done;
    }
    if (writable && ro) {
        PyErr_Format(PyExc_TypeError, "from_buffer(): '%s' needs a writable buffer, and %R is read-only (use a "
                     "const element type, e.g. 'const char[]')", tn, (PyObject *)Py_TYPE(obj));
        goto done;
    }
    void *buf;
    Py_ssize_t len;
    if (sb__compat_buffer_address(mv, writable, &buf, &len) < 0)
        goto done;
    size_t size = sb__type_size(e);
    size_t span;
    if (count == SB_ARRAY_OPEN) {
        span = (size_t)len / size * size;
    } else if ((uint64_t)count > (uint64_t)len / size) {
        PyErr_Format(PyExc_ValueError, "from_buffer(): '%s' needs %llu bytes, and the buffer has %zd", tn,
                     (unsigned long long)count * size, len);
        goto done;
    } else {
        span = (size_t)count * size;
    }
    sb_type pt = e;
    pt.ptr++;
    /* The memoryview holds the export: a bytearray cannot be resized under the Pointer. */
    result = sb__pointer_new(st, buf, pt, mv);
    if (result) {
        ((sb_pointer *)result)->lo = buf;
        ((sb_pointer *)result)->span = span;
    }
done:
    Py_DECREF(mv);
    return result;
}

PyMethodDef sb__memory_functions[] = {
    {"new", (PyCFunction)(void (*)(void))mem_new, METH_VARARGS | METH_KEYWORDS,
     "new(type, init=None)\n--\n\n"
     "Allocate zero-filled memory owned by the returned Pointer: new('int[10]'), new('double', 2.5), "
     "new('char[]', b'abc') (length from init; char[] adds the NUL), new('int[]', [1, 2, 3]). "
     "The memory is freed when the last Pointer into it is gone."},
    {"cast", mem_cast, METH_VARARGS,
     "cast(type, obj, /)\n--\n\nThe same address as a Pointer of another pointer type ('uint8_t *'); obj is a "
     "Pointer (whose memory stays alive) or an int address."},
    {"sizeof", mem_sizeof, METH_O,
     "sizeof(type_or_pointer, /)\n--\n\nThe size in bytes of a type ('int[10]') or of the memory a Pointer "
     "from new()/from_buffer() reaches."},
    {"alignof", mem_alignof, METH_O, "alignof(type, /)\n--\n\nThe alignment of a type in bytes."},
    {"offsetof", mem_offsetof, METH_VARARGS,
     "offsetof(type, field, /)\n--\n\nThe offset of a struct field (struct types are not supported yet: "
     "raises TypeError)."},
    {"string_at", (PyCFunction)(void (*)(void))mem_string_at, METH_VARARGS | METH_KEYWORDS,
     "string_at(p, n=-1)\n--\n\nThe n bytes at p (n=-1: up to the NUL) as bytes."},
    {"buffer", (PyCFunction)(void (*)(void))mem_buffer, METH_VARARGS | METH_KEYWORDS,
     "buffer(p, n=None)\n--\n\nA writable memoryview of the n bytes at p, without copying (n defaults to the "
     "rest of new()/from_buffer() memory)."},
    {"from_buffer", mem_from_buffer, METH_VARARGS,
     "from_buffer(type, buffer, /)\n--\n\nA Pointer into a buffer's memory ('char[]', 'int[4]'), without "
     "copying; it keeps the buffer alive (and a bytearray from being resized)."},
    {NULL, NULL, 0, NULL},
};
