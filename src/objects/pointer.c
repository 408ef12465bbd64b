/* pointer.c — the Pointer object: a C address with its pointer type; int(), ==, hash, bool, repr; typed access p[i], slices, len, iteration, p + n. */
#include "objects/objects.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

PyObject *sb__pointer_new(sb_state *st, void *addr, sb_type type, PyObject *owner)
{
    PyObject *p;
    if (st->nptr_free) { /* one of the state's dead Pointers (pointer_dealloc), its fields zeros */
        p = st->ptr_free[--st->nptr_free];
        PyTypeObject *tp = Py_TYPE(p);
        sb__compat_object_reinit(p, tp);
        Py_DECREF(tp); /* reinit took a type reference; the dead Pointer had kept its own */
        sb_pointer *q = (sb_pointer *)p;
        q->addr = addr;
        q->type = type;
        Py_XINCREF(owner);
        q->owner = owner;
        PyObject_GC_Track(p);
    } else {
        p = sb__pointer_make((PyTypeObject *)st->PointerType, addr, type, owner);
    }
    if (p && st->module) {
        Py_INCREF(st->module);
        ((sb_pointer *)p)->module = st->module;
    }
    return p;
}

PyObject *sb__pointer_make(PyTypeObject *tp, void *addr, sb_type type, PyObject *owner)
{
    sb_pointer *p = (sb_pointer *)PyType_GenericAlloc(tp, 0);
    if (!p)
        return NULL;
    p->addr = addr;
    p->type = type;
    Py_XINCREF(owner);
    p->owner = owner;
    return (PyObject *)p;
}

static PyObject *pointer_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"address", "type", NULL};
    PyObject *addr;
    const char *tname = "void *";
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|s:Pointer", kwlist, &addr, &tname))
        return NULL;
    sb_type t;
    sb_error err;
    if (sb__type_parse(tname, strlen(tname), &t, &err) < 0) {
        PyErr_Format(PyExc_ValueError, "Pointer(): invalid type '%s': %s", tname, err.msg);
        return NULL;
    }
    if (!t.ptr) {
        PyErr_Format(PyExc_ValueError, "Pointer(): type must be a pointer type, not '%s'", tname);
        return NULL;
    }
    int overflow = 0;
    if (PyBool_Check(addr))
        addr = Py_None; /* an address is an int, not a bool: rejected below */
    long long v = PyLong_Check(addr) ? PyLong_AsLongLongAndOverflow(addr, &overflow) : -1;
    void *a = (void *)(uintptr_t)v;
    if (PyLong_Check(addr) && overflow > 0)
        a = PyLong_AsVoidPtr(addr);
    if (!PyLong_Check(addr) || overflow < 0 || (!overflow && v < 0) || (overflow > 0 && !a)) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "Pointer() address must be an int in 0..%zu, not %R", (size_t)-1, addr);
        return NULL;
    }
    if (!a) { /* NULL is None, as C's NULL results are (ctypes and cffi agree) */
        Py_INCREF(Py_None);
        return Py_None;
    }
    sb_pointer *p = (sb_pointer *)PyType_GenericAlloc(type, 0);
    if (!p)
        return NULL;
    p->addr = a;
    p->type = t;
    return (PyObject *)p;
}

void sb__pointer_released(sb_state *st, PyObject *obj)
{
    if (obj && Py_TYPE(obj) == (PyTypeObject *)st->PointerType) {
        sb_pointer *p = (sb_pointer *)obj;
        p->released = true;
        Py_CLEAR(p->releaser);
    }
}

/* Calls a typed handle's release function (one pointer argument) on it,
 * straight through its plan: no Python call from a dying object. */
static void release_handle(sb_pointer *p)
{
    sb_function *rf = (sb_function *)PyCFunction_GetSelf(p->releaser);
    if (!rf || rf->plan->nargs != 1) {
        PyErr_Clear();
        return;
    }
    sb_cell ret, arg;
    arg.p = p->addr;
    void *avalues[1] = {&arg};
    ret.u = 0;
    ffi_call(&rf->plan->cif, FFI_FN(rf->fn), &ret, avalues);
}

/* The owner and the release function may lead back to this Pointer (a
 * bytearray subclass holding a Pointer made from it, say): collectable. */
static int pointer_traverse(PyObject *self, visitproc visit, void *arg)
{
    sb_pointer *p = (sb_pointer *)self;
    Py_VISIT(p->owner);
    Py_VISIT(p->releaser);
    Py_VISIT(p->module);
    return sb__compat_visit_type(self, visit, arg);
}

static int pointer_clear(PyObject *self)
{
    sb_pointer *p = (sb_pointer *)self;
    Py_CLEAR(p->owner); /* not the releaser: dealloc still releases the handle with it */
    Py_CLEAR(p->module);
    return 0;
}

static void pointer_dealloc(PyObject *self)
{
    sb_pointer *p = (sb_pointer *)self;
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    if (p->release && p->addr)
        p->release(p->addr);
    if (p->releaser && p->addr && !p->released)
        release_handle(p);
    Py_CLEAR(p->releaser);
    Py_CLEAR(p->owner);
    /* Kept for reuse by its module's state while the free list has room (and
     * the state still has this type: not after its clear). The module
     * reference goes last: it may be the module's last, which frees the list. */
    PyObject *m = p->module;
    sb_state *st = m ? sb__state(m) : NULL;
    if (st && (PyObject *)tp == st->PointerType && st->nptr_free < SB_PTR_FREE_MAX) {
        memset((char *)p + sizeof(PyObject), 0, sizeof *p - sizeof(PyObject));
        st->ptr_free[st->nptr_free++] = self;
        Py_DECREF(m);
        return;
    }
    Py_CLEAR(p->module);
    freefunc tfree = (freefunc)PyType_GetSlot(tp, Py_tp_free);
    tfree(self);
    sb__compat_dealloc_type(tp);
}

static PyObject *pointer_repr(PyObject *self)
{
    sb_pointer *p = (sb_pointer *)self;
    char tn[64];
    sb__type_format(p->type, tn, sizeof tn);
    char addr[32];
    snprintf(addr, sizeof addr, "0x%" PRIxPTR, (uintptr_t)p->addr);
    if (p->released)
        return PyUnicode_FromFormat("<sigbind.Pointer (%s) %s, released>", tn, addr);
    return PyUnicode_FromFormat("<sigbind.Pointer (%s) %s>", tn, addr);
}

static PyObject *pointer_int(PyObject *self)
{
    return PyLong_FromVoidPtr(((sb_pointer *)self)->addr);
}

static int pointer_bool(PyObject *self)
{
    return ((sb_pointer *)self)->addr != NULL;
}

static Py_hash_t pointer_hash(PyObject *self)
{
    PyObject *i = pointer_int(self);
    if (!i)
        return -1;
    Py_hash_t h = PyObject_Hash(i);
    Py_DECREF(i);
    return h;
}

/* == and != by address; < <= > >= by address too, as C orders pointers into
 * one allocation (and cffi orders any two) — types aside. */
static PyObject *pointer_richcompare(PyObject *a, PyObject *b, int op)
{
    if (Py_TYPE(a) != Py_TYPE(b)) {
        Py_INCREF(Py_NotImplemented);
        return Py_NotImplemented;
    }
    uintptr_t x = (uintptr_t)((sb_pointer *)a)->addr, y = (uintptr_t)((sb_pointer *)b)->addr;
    int r;
    switch (op) {
    case Py_EQ: r = x == y; break;
    case Py_NE: r = x != y; break;
    case Py_LT: r = x < y; break;
    case Py_LE: r = x <= y; break;
    case Py_GT: r = x > y; break;
    default: r = x >= y; break;
    }
    return PyBool_FromLong(r);
}

static PyObject *get_address(PyObject *self, void *c)
{
    (void)c;
    return pointer_int(self);
}

static PyObject *get_type(PyObject *self, void *c)
{
    (void)c;
    char tn[64];
    sb__type_format(((sb_pointer *)self)->type, tn, sizeof tn);
    return PyUnicode_FromString(tn);
}

/* ------------------------------------------------------------------ */
/* Typed access: p[i], p[a:b], len(p), iter(p), p.value, p + n, p - q.  */

PyObject *sb__pointer_derive(PyObject *self, void *addr, sb_type type)
{
    sb_pointer *p = (sb_pointer *)self;
    /* A Pointer that frees (or releases) its memory itself must outlive the
     * derived one; otherwise the derived one shares what keeps the memory. */
    PyObject *owner = (p->release || p->releaser) ? self : p->owner;
    PyObject *q = sb__pointer_make(Py_TYPE(self), addr, type, owner);
    if (q) {
        ((sb_pointer *)q)->lo = p->lo;
        ((sb_pointer *)q)->span = p->span;
        Py_XINCREF(p->module);
        ((sb_pointer *)q)->module = p->module;
    }
    return q;
}

/* Elements from p to the end of its known region, or -1 when unknown. */
Py_ssize_t sb__pointer_known(const sb_pointer *p, size_t size)
{
    if (!p->lo)
        return -1;
    const char *a = (const char *)p->addr;
    if (a < p->lo || a > p->lo + p->span)
        return 0;
    return (Py_ssize_t)((size_t)(p->lo + p->span - a) / size);
}

static const char *tname(const sb_pointer *p, char *buf, size_t cap)
{
    sb__type_format(p->type, buf, cap);
    return buf;
}

/* The address of element i (negative: from the end of a known region), or NULL + exception. */
static char *locate(sb_pointer *p, Py_ssize_t i, sb_type *elem, const char *what)
{
    size_t size;
    char tn[64];
    if (sb__elem_type(p->type, elem, &size, what) < 0)
        return NULL;
    Py_ssize_t n = sb__pointer_known(p, size);
    if (n >= 0) {
        Py_ssize_t j = i < 0 ? i + n : i;
        if (j < 0 || j >= n) {
            PyErr_Format(PyExc_IndexError, "%s: index %zd out of range for a Pointer (%s) to %zd items", what, i,
                         tname(p, tn, sizeof tn), n);
            return NULL;
        }
        i = j;
    } else if (i < 0) {
        PyErr_Format(PyExc_IndexError,
                     "%s: negative index %zd on a Pointer (%s) of unknown length (write (p - %zd)[0] for the "
                     "element before p)",
                     what, i, tname(p, tn, sizeof tn), i == PY_SSIZE_T_MIN ? PY_SSIZE_T_MAX : -i);
        return NULL;
    }
    uintptr_t a = (uintptr_t)p->addr;
    if ((size_t)i > (UINTPTR_MAX - a) / size) {
        PyErr_Format(PyExc_IndexError, "%s: index %zd is beyond the address space for a Pointer (%s)", what, i,
                     tname(p, tn, sizeof tn));
        return NULL;
    }
    a += (uintptr_t)i * size;
    if (a < SB_NULL_PAGE) {
        PyErr_Format(PyExc_ValueError, "%s: cannot access memory through a NULL Pointer (%s)", what,
                     tname(p, tn, sizeof tn));
        return NULL;
    }
    return (char *)a;
}

static PyObject *pointer_item(PyObject *self, Py_ssize_t i)
{
    sb_type e;
    char *a = locate((sb_pointer *)self, i, &e, "Pointer[]");
    return a ? sb__elem_get_in(self, Py_TYPE(self), e, a) : NULL;
}

/* Indexes of a slice: start, step and count; 0 or -1 + exception. */
static int slice_range(sb_pointer *p, PyObject *key, size_t size, Py_ssize_t *start, Py_ssize_t *step,
                       Py_ssize_t *count)
{
    Py_ssize_t stop;
    if (PySlice_Unpack(key, start, &stop, step) < 0)
        return -1;
    Py_ssize_t n = sb__pointer_known(p, size);
    if (n >= 0) {
        *count = PySlice_AdjustIndices(n, start, &stop, *step);
        return 0;
    }
    if (*start < 0 || stop < 0 || stop == PY_SSIZE_T_MAX || *step <= 0) {
        char tn[64];
        PyErr_Format(PyExc_IndexError,
                     "Pointer[a:b]: slicing a Pointer (%s) of unknown length needs explicit start and stop >= 0 "
                     "and a positive step",
                     tname(p, tn, sizeof tn));
        return -1;
    }
    *count = stop > *start ? (stop - *start - 1) / *step + 1 : 0;
    return 0;
}

/* p[i] for an exact int i of a Pointer to a common scalar, where the element
 * is plainly inside what is known (no region, or inside it), above the NULL
 * page: read straight from memory. NULL (no exception): take the general
 * path, which also reports every error. */
static SB_ALWAYS_INLINE PyObject *item_fast(sb_pointer *p, PyObject *key)
{
    static const uint8_t size[] = {[SB_FA_I8] = 1, [SB_FA_I16] = 2, [SB_FA_I32] = 4, [SB_FA_I64] = 8,
                                   [SB_FA_U8] = 1, [SB_FA_U16] = 2, [SB_FA_U32] = 4, [SB_FA_U64] = 8,
                                   [SB_FA_BOOL] = 1, [SB_FA_F32] = 4, [SB_FA_F64] = 8};
    uint8_t fa = p->elem_fa;
    if (SB_UNLIKELY(!fa))
        p->elem_fa = fa = sb__elem_fa(p->type);
    if (fa == SB_FA_SLOW)
        return NULL;
    int overflow;
    long i = PyLong_AsLongAndOverflow(key, &overflow);
    /* 2**31 elements at most here: no address arithmetic can wrap */
    if (overflow || i < 0 || i > INT32_MAX)
        return NULL;
    uintptr_t a = (uintptr_t)p->addr, off = (uintptr_t)i * size[fa];
    if (a < SB_NULL_PAGE || a > UINTPTR_MAX - off - 8)
        return NULL;
    if (p->lo && (a < (uintptr_t)p->lo || a + off + size[fa] > (uintptr_t)p->lo + p->span))
        return NULL;
    return sb__fa_get(fa, (const char *)a + off);
}

static PyObject *pointer_subscript(PyObject *self, PyObject *key)
{
    sb_pointer *p = (sb_pointer *)self;
    if (PyLong_CheckExact(key)) {
        PyObject *v = item_fast(p, key);
        if (v || PyErr_Occurred())
            return v;
    }
    if (!PySlice_Check(key)) {
        Py_ssize_t i = PyNumber_AsSsize_t(key, PyExc_IndexError);
        if (i == -1 && PyErr_Occurred())
            return NULL;
        return pointer_item(self, i);
    }
    sb_type e;
    size_t size;
    Py_ssize_t start, step, count;
    if (sb__elem_type(p->type, &e, &size, "Pointer[a:b]") < 0 || slice_range(p, key, size, &start, &step, &count) < 0)
        return NULL;
    if (count == 0)
        return sb__elem_is_char(e) ? PyBytes_FromStringAndSize(NULL, 0) : PyList_New(0);
    /* Both ends are checked, so every element in between is too. */
    sb_type e2;
    char *first = locate(p, start, &e2, "Pointer[a:b]");
    char *last = first ? locate(p, start + (count - 1) * step, &e2, "Pointer[a:b]") : NULL;
    if (!last)
        return NULL;
    if (sb__elem_is_char(e)) {
        PyObject *b = PyBytes_FromStringAndSize(NULL, count);
        if (!b)
            return NULL;
        char *out = PyBytes_AsString(b);
        for (Py_ssize_t k = 0; k < count; k++)
            out[k] = first[k * step];
        return b;
    }
    PyObject *list = PyList_New(count);
    for (Py_ssize_t k = 0; list && k < count; k++) {
        PyObject *v = sb__elem_get_in(self, Py_TYPE(self), e, first + k * step * (Py_ssize_t)size);
        if (!v) {
            Py_CLEAR(list);
            break;
        }
        PyList_SetItem(list, k, v);
    }
    return list;
}

/* The state of the module whose Pointer this is, or NULL (a Pointer(...) made directly). */
static sb_state *ptr_state(PyObject *self)
{
    PyObject *m = ((sb_pointer *)self)->module;
    return m ? sb__state(m) : NULL;
}

static int set_item(PyObject *self, Py_ssize_t i, PyObject *v)
{
    sb_type e;
    char *a = locate((sb_pointer *)self, i, &e, "Pointer[]");
    if (!a)
        return -1;
    char pn[32];
    snprintf(pn, sizeof pn, "p[%zd]", i);
    return sb__elem_set(Py_TYPE(self), ptr_state(self), e, a, v, "Pointer.__setitem__", pn, false);
}

static int pointer_ass_subscript(PyObject *self, PyObject *key, PyObject *v)
{
    sb_pointer *p = (sb_pointer *)self;
    char tn[64];
    if (!v) {
        PyErr_Format(PyExc_TypeError, "cannot delete items of a Pointer (%s): C memory has no holes", tname(p, tn, sizeof tn));
        return -1;
    }
    if (!PySlice_Check(key)) {
        Py_ssize_t i = PyNumber_AsSsize_t(key, PyExc_IndexError);
        if (i == -1 && PyErr_Occurred())
            return -1;
        return set_item(self, i, v);
    }
    sb_type e;
    size_t size;
    Py_ssize_t start, step, count;
    if (sb__elem_type(p->type, &e, &size, "Pointer[a:b]") < 0 || slice_range(p, key, size, &start, &step, &count) < 0)
        return -1;
    /* A snapshot of the values (a tuple holds each one while it is converted,
     * whatever their __index__ does to the caller's container), all converted
     * into scratch memory before the first is stored: all or nothing. */
    PyObject *seq = sb__snapshot(v, "Pointer[a:b] = values: values must be iterable");
    if (!seq)
        return -1;
    int rc = 0;
    if (PyTuple_Size(seq) != count) {
        PyErr_Format(PyExc_ValueError, "Pointer[a:b] = values: the slice of a Pointer (%s) has %zd items, and %zd were given",
                     tname(p, tn, sizeof tn), count, PyTuple_Size(seq));
        rc = -1;
    }
    for (Py_ssize_t k = 0; rc == 0 && k < count; k++)
        if (!locate(p, start + k * step, &e, "Pointer[a:b]"))
            rc = -1;
    char *scratch = rc == 0 ? PyMem_Calloc(count ? (size_t)count : 1, size) : NULL;
    if (rc == 0 && !scratch)
        rc = (PyErr_NoMemory(), -1);
    for (Py_ssize_t k = 0; rc == 0 && k < count; k++) {
        char pn[32];
        snprintf(pn, sizeof pn, "p[%zd]", start + k * step);
        rc = sb__elem_set(Py_TYPE(self), ptr_state(self), e, scratch + (size_t)k * size, PyTuple_GetItem(seq, k),
                          "Pointer.__setitem__", pn, false);
    }
    for (Py_ssize_t k = 0; rc == 0 && k < count; k++)
        memcpy(locate(p, start + k * step, &e, "Pointer[a:b]"), scratch + (size_t)k * size, size);
    PyMem_Free(scratch);
    Py_DECREF(seq);
    return rc;
}

static Py_ssize_t pointer_length(PyObject *self)
{
    sb_pointer *p = (sb_pointer *)self;
    sb_type e;
    size_t size;
    if (sb__elem_type(p->type, &e, &size, "len()") < 0)
        return -1;
    Py_ssize_t n = sb__pointer_known(p, size);
    if (n < 0) {
        char tn[64];
        PyErr_Format(PyExc_TypeError,
                     "len(): a Pointer (%s) from C has no known length (only memory from sigbind.new() and "
                     "from_buffer() knows its length)",
                     tname(p, tn, sizeof tn));
    }
    return n;
}

static PyObject *pointer_iter(PyObject *self)
{
    sb_pointer *p = (sb_pointer *)self;
    sb_type e;
    size_t size;
    if (sb__elem_type(p->type, &e, &size, "iter()") < 0)
        return NULL;
    if (sb__pointer_known(p, size) < 0) {
        char tn[64];
        PyErr_Format(PyExc_TypeError, "a Pointer (%s) of unknown length is not iterable: slice it (p[0:n])",
                     tname(p, tn, sizeof tn));
        return NULL;
    }
    return PySeqIter_New(self);
}

static PyObject *get_value(PyObject *self, void *c)
{
    (void)c;
    return pointer_item(self, 0);
}

static int set_value(PyObject *self, PyObject *v, void *c)
{
    (void)c;
    if (!v) {
        PyErr_SetString(PyExc_TypeError, "cannot delete Pointer.value");
        return -1;
    }
    return set_item(self, 0, v);
}

/* p + n: n elements on; stays inside a known region (one past its end allowed). */
static PyObject *offset(PyObject *self, Py_ssize_t n, const char *op)
{
    sb_pointer *p = (sb_pointer *)self;
    sb_type e;
    size_t size;
    char tn[64];
    if (sb__elem_type(p->type, &e, &size, op) < 0)
        return NULL;
    Py_ssize_t lim = PY_SSIZE_T_MAX / (Py_ssize_t)size;
    uintptr_t a = (uintptr_t)p->addr;
    uintptr_t moved = a + (uintptr_t)(n * (Py_ssize_t)(n > lim || n < -lim ? 0 : size)); /* wraps mod 2^N */
    if (n > lim || n < -lim || (n >= 0 ? moved < a : moved > a)) {
        PyErr_Format(PyExc_OverflowError, "%s: moving a Pointer (%s) by %zd items leaves the address space", op,
                     tname(p, tn, sizeof tn), n);
        return NULL;
    }
    a = moved;
    if (p->lo && ((char *)a < p->lo || (char *)a > p->lo + p->span)) {
        Py_ssize_t here = (Py_ssize_t)(((char *)p->addr - p->lo) / (ptrdiff_t)size);
        PyErr_Format(PyExc_IndexError,
                     "%s: moving a Pointer (%s) by %zd items leaves its memory (%zd items; it is at item %zd)", op,
                     tname(p, tn, sizeof tn), n, (Py_ssize_t)(p->span / size), here);
        return NULL;
    }
    return sb__pointer_derive(self, (void *)a, p->type);
}

static PyObject *pointer_add(PyObject *a, PyObject *b)
{
    PyObject *ptr, *num;
    if (PyLong_Check(b) && !PyBool_Check(b)) {
        ptr = a, num = b;
    } else if (PyLong_Check(a) && !PyBool_Check(a)) {
        ptr = b, num = a;
    } else {
        Py_INCREF(Py_NotImplemented);
        return Py_NotImplemented;
    }
    Py_ssize_t n = PyLong_AsSsize_t(num);
    if (n == -1 && PyErr_Occurred())
        return NULL;
    return offset(ptr, n, "Pointer + n");
}

static PyObject *pointer_sub(PyObject *a, PyObject *b)
{
    if (PyLong_Check(b) && !PyBool_Check(b)) {
        Py_ssize_t n = PyLong_AsSsize_t(b);
        if (n == -1 && PyErr_Occurred())
            return NULL;
        if (n == PY_SSIZE_T_MIN) {
            PyErr_SetString(PyExc_OverflowError, "Pointer - n: n is too large");
            return NULL;
        }
        /* b is an int, so a is the Pointer. */
        return offset(a, -n, "Pointer - n");
    }
    if (Py_TYPE(a) == Py_TYPE(b)) {
        sb_pointer *p = (sb_pointer *)a, *q = (sb_pointer *)b;
        sb_type e, f;
        size_t size, size2;
        char tn[64], tn2[64];
        if (sb__elem_type(p->type, &e, &size, "Pointer - Pointer") < 0 ||
            sb__elem_type(q->type, &f, &size2, "Pointer - Pointer") < 0)
            return NULL;
        if (e.kind != f.kind || e.ptr != f.ptr || !sb__named_same(e.named, f.named)) {
            PyErr_Format(PyExc_TypeError, "Pointer - Pointer: the types differ (%s and %s); cast one first",
                         tname(p, tn, sizeof tn), tname(q, tn2, sizeof tn2));
            return NULL;
        }
        ptrdiff_t d = (char *)p->addr - (char *)q->addr;
        if (d % (ptrdiff_t)size) {
            PyErr_Format(PyExc_ValueError, "Pointer - Pointer: the addresses are %zd bytes apart, not a multiple of "
                         "the %zu-byte items of a %s", (Py_ssize_t)d, size, tname(p, tn, sizeof tn));
            return NULL;
        }
        return PyLong_FromSsize_t((Py_ssize_t)(d / (ptrdiff_t)size));
    }
    Py_INCREF(Py_NotImplemented);
    return Py_NotImplemented;
}

static PyGetSetDef pointer_getset[] = {
    {"address", get_address, NULL, "The address, as an int.", NULL},
    {"type", get_type, NULL, "The pointer's C type, e.g. 'int *'.", NULL},
    {"value", get_value, set_value, "The value it points to: p[0].", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot pointer_slots[] = {
    {Py_tp_doc, (void *)"Pointer(address, type='void *')\n--\n\nA C address and its pointer type. NULL is never made "
                        "into a Pointer: C functions returning NULL give None."},
    {Py_tp_new, (void *)pointer_new},
    {Py_tp_dealloc, (void *)pointer_dealloc},
    {Py_tp_traverse, (void *)pointer_traverse},
    {Py_tp_clear, (void *)pointer_clear},
    {Py_tp_repr, (void *)pointer_repr},
    {Py_tp_hash, (void *)pointer_hash},
    {Py_tp_richcompare, (void *)pointer_richcompare},
    {Py_tp_getset, (void *)pointer_getset},
    {Py_nb_int, (void *)pointer_int},
    {Py_nb_index, (void *)pointer_int},
    {Py_nb_bool, (void *)pointer_bool},
    {Py_nb_add, (void *)pointer_add},
    {Py_nb_subtract, (void *)pointer_sub},
    {Py_mp_subscript, (void *)pointer_subscript},
    {Py_mp_ass_subscript, (void *)pointer_ass_subscript},
    {Py_mp_length, (void *)pointer_length},
    {Py_sq_item, (void *)pointer_item},
    {Py_tp_iter, (void *)pointer_iter},
    {0, NULL},
};

PyType_Spec sb__pointer_spec = {
    "sigbind.Pointer", sizeof(sb_pointer), 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC, pointer_slots,
};
