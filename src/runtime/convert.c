/* convert.c — Python <-> C value converters, one matching pair per converter kind (DESIGN §5). */
#include "runtime/runtime.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* "cos() argument 'x' (double)" prefix pieces for messages. */
static const char *param_name(const sb_convctx *cx)
{
    return cx->pname;
}

static const char *fn_name(const sb_convctx *cx)
{
    return cx->fname;
}

/* What a message is about: "cos() argument 'x'", "Rect attribute 'w'",
 * "callback return value". In a per-thread buffer, used right away. */
static const char *who(const sb_convctx *cx)
{
    static _Thread_local char buf[192];
    switch (cx->kind) {
    case SB_CX_ATTRIBUTE: snprintf(buf, sizeof buf, "%s attribute '%s'", fn_name(cx), param_name(cx)); break;
    case SB_CX_RESULT: snprintf(buf, sizeof buf, "%s %s", fn_name(cx), param_name(cx)); break;
    default: snprintf(buf, sizeof buf, "%s() argument '%s'", fn_name(cx), param_name(cx)); break;
    }
    return buf;
}

static void type_text(const sb_convctx *cx, char *buf, size_t cap)
{
    sb__type_format(cx->declared, buf, cap);
}

static int type_error(const sb_convctx *cx, const char *expected, PyObject *obj)
{
    char tn[64];
    type_text(cx, tn, sizeof tn);
    PyObject *tname = PyObject_GetAttrString((PyObject *)Py_TYPE(obj), "__name__");
    if (!tname)
        return -1;
    PyErr_Format(PyExc_TypeError, "%s (%s) must be %s, not %U", who(cx), tn,
                 expected, tname);
    Py_DECREF(tname);
    return -1;
}

/* The given value for a message: its repr, or "an int of N bits" for ints too
 * long to print (repr would fail or flood the message). New reference. */
static PyObject *describe(PyObject *given)
{
    if (PyLong_Check(given)) {
        PyObject *bits = PyObject_CallMethod(given, "bit_length", NULL);
        long nbits = bits ? PyLong_AsLong(bits) : -1;
        Py_XDECREF(bits);
        PyErr_Clear();
        if (nbits > 128)
            return PyUnicode_FromFormat("an int of %ld bits", nbits);
    }
    PyObject *r = PyObject_Repr(given);
    if (!r) {
        PyErr_Clear();
        r = PyUnicode_FromString("a value without a repr");
    }
    return r;
}

static int range_error(const sb_convctx *cx, const sb_kindinfo *ki, PyObject *given)
{
    char tn[64];
    type_text(cx, tn, sizeof tn);
    char range[64];
    if (ki->cls == SB_CLASS_SINT)
        snprintf(range, sizeof range, "%lld..%llu", (long long)ki->min, (unsigned long long)ki->max);
    else
        snprintf(range, sizeof range, "0..%llu", (unsigned long long)ki->max);
    PyObject *what = describe(given);
    if (!what)
        return -1;
    PyErr_Format(PyExc_OverflowError, "%s (%s) must be in %s, not %U", who(cx),
                 tn, range, what);
    Py_DECREF(what);
    return -1;
}

/* A sigbind.Pointer (of this module or of another module on the runtime)?
 * It has __index__ (int(p) is its address), but an address is not a number:
 * numeric parameters refuse it, as ctypes and cffi do. */
static bool is_pointer(const sb_convctx *cx, PyObject *obj)
{
    PyTypeObject *tp = Py_TYPE(obj);
    if (cx->state && tp == (PyTypeObject *)cx->state->PointerType)
        return true;
    if (PyLong_Check(obj) || PyFloat_Check(obj))
        return false;
    PyObject *mod = PyObject_GetAttrString((PyObject *)tp, "__module__");
    PyObject *name = mod ? PyObject_GetAttrString((PyObject *)tp, "__name__") : NULL;
    bool yes = name && PyUnicode_Check(mod) && PyUnicode_CompareWithASCIIString(mod, "sigbind") == 0 &&
               PyUnicode_Check(name) && PyUnicode_CompareWithASCIIString(name, "Pointer") == 0;
    Py_XDECREF(mod);
    Py_XDECREF(name);
    PyErr_Clear();
    return yes;
}

static int pointer_error(const sb_convctx *cx, const char *expected)
{
    char tn[64];
    type_text(cx, tn, sizeof tn);
    PyErr_Format(PyExc_TypeError, "%s (%s) must be %s, not a Pointer (an address; int(p) is its value as a number)",
                 who(cx), tn, expected);
    return -1;
}

/* An int, or the result of __index__ (new reference); TypeError naming the parameter otherwise. */
static PyObject *as_index(const sb_convctx *cx, PyObject *obj)
{
    if (PyLong_Check(obj)) {
        Py_INCREF(obj);
        return obj;
    }
    if (PyFloat_Check(obj) || PyUnicode_Check(obj) || PyBytes_Check(obj)) {
        type_error(cx, "int", obj);
        return NULL;
    }
    if (is_pointer(cx, obj)) {
        pointer_error(cx, "int");
        return NULL;
    }
    PyObject *r = PyNumber_Index(obj);
    if (!r && PyErr_ExceptionMatches(PyExc_TypeError)) {
        PyErr_Clear();
        type_error(cx, "int", obj);
    }
    return r;
}

static int to_int(const sb_convctx *cx, uint8_t conv, sb_kind kind, PyObject *obj, sb_cell *cell)
{
    const sb_kindinfo *ki = sb__kind(kind);
    PyObject *num = obj;
    if (SB_UNLIKELY(!PyLong_Check(obj)) && !(num = as_index(cx, obj)))
        return -1;
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(num, &overflow);
    if (v == -1 && !overflow && PyErr_Occurred())
        goto fail;
    if (conv == SB_CV_SINT) {
        if (SB_UNLIKELY(overflow || v < ki->min || (v > 0 && (uint64_t)v > ki->max))) {
            range_error(cx, ki, num);
            goto fail;
        }
        cell->i = v;
    } else {
        uint64_t u;
        if (SB_UNLIKELY(overflow < 0 || (!overflow && v < 0))) {
            range_error(cx, ki, num);
            goto fail;
        }
        if (overflow > 0) {
            u = PyLong_AsUnsignedLongLong(num);
            if (u == (uint64_t)-1 && PyErr_Occurred()) {
                PyErr_Clear();
                range_error(cx, ki, num);
                goto fail;
            }
        } else {
            u = (uint64_t)v;
        }
        if (SB_UNLIKELY(u > ki->max)) {
            range_error(cx, ki, num);
            goto fail;
        }
        cell->u = u;
    }
    if (num != obj)
        Py_DECREF(num);
    return 0;
fail:
    if (num != obj)
        Py_DECREF(num);
    return -1;
}

static int to_double(const sb_convctx *cx, uint8_t conv, PyObject *obj, sb_cell *cell)
{
    double d;
    if (SB_LIKELY(PyFloat_Check(obj))) {
        d = PyFloat_AsDouble(obj);
    } else if (PyLong_Check(obj)) {
        d = PyLong_AsDouble(obj);
        if (d == -1.0 && PyErr_Occurred()) {
            char tn[16];
            type_text(cx, tn, sizeof tn);
            PyErr_Clear();
            PyObject *what = describe(obj);
            if (!what)
                return -1;
            PyErr_Format(PyExc_OverflowError, "%s (%s): %U is too large for a %s", who(cx), tn, what, tn);
            Py_DECREF(what);
            return -1;
        }
    } else if (PyUnicode_Check(obj) || PyBytes_Check(obj)) {
        return type_error(cx, "float", obj);
    } else if (is_pointer(cx, obj)) {
        return pointer_error(cx, "float");
    } else {
        d = PyFloat_AsDouble(obj); /* __float__ (and __index__ from 3.8) */
        if (d == -1.0 && PyErr_Occurred()) {
            if (!PyErr_ExceptionMatches(PyExc_TypeError))
                return -1;
            /* Asked with the TypeError put aside: an attribute lookup with an exception set is
             * undefined (3.13 reports it as unraisable and loses it). */
            PyObject *et, *ev, *etb;
            PyErr_Fetch(&et, &ev, &etb);
            int own = PyObject_HasAttrString((PyObject *)Py_TYPE(obj), "__float__");
            if (own) {
                PyErr_Restore(et, ev, etb);
                return -1; /* its own error, e.g. __float__ returned a non-float */
            }
            Py_XDECREF(et);
            Py_XDECREF(ev);
            Py_XDECREF(etb);
            /* 3.7's PyFloat_AsDouble does not try __index__ yet: the same on every version. */
            PyObject *i = PyNumber_Index(obj);
            if (!i) {
                if (!PyErr_ExceptionMatches(PyExc_TypeError))
                    return -1;
                PyErr_Clear();
                return type_error(cx, "float", obj);
            }
            d = PyLong_AsDouble(i);
            Py_DECREF(i);
            if (d == -1.0 && PyErr_Occurred())
                return -1;
        }
    }
    if (conv == SB_CV_FLOAT) {
        if (isfinite(d) && (d > FLT_MAX || d < -FLT_MAX)) {
            PyErr_Format(PyExc_OverflowError, "%s (float) must be within the range of float, not %R",
                         who(cx), obj);
            return -1;
        }
        cell->u = 0;
        cell->f = (float)d;
    } else {
        cell->d = d;
    }
    return 0;
}

static int to_bool(const sb_convctx *cx, PyObject *obj, sb_cell *cell)
{
    if (obj == Py_True) {
        cell->u = 1;
        return 0;
    }
    if (obj == Py_False) {
        cell->u = 0;
        return 0;
    }
    if (PyLong_Check(obj)) {
        /* The int's value, not a subclass's __bool__. */
        int overflow;
        long long v = PyLong_AsLongLongAndOverflow(obj, &overflow);
        if (v == -1 && !overflow && PyErr_Occurred())
            return -1;
        cell->u = (overflow || v) ? 1 : 0;
        return 0;
    }
    return type_error(cx, "bool or int", obj);
}

/* Text in: str (UTF-8, no NUL), bytes (no NUL), None. */
static int to_cstr(const sb_convctx *cx, PyObject *obj, sb_cell *cell, sb_temp *tmp)
{
    const char *s;
    Py_ssize_t n;
    if (PyUnicode_Check(obj)) {
        int unavailable;
        s = sb__compat_utf8(obj, &n, &unavailable);
        if (unavailable) {
            PyObject *b = PyUnicode_AsUTF8String(obj);
            if (b) {
                tmp->obj = b;
                char *bs;
                if (PyBytes_AsStringAndSize(b, &bs, &n) < 0)
                    return -1;
                s = bs;
            }
        }
        if (!s) { /* lone surrogates cannot be UTF-8 */
            if (!PyErr_ExceptionMatches(PyExc_UnicodeEncodeError))
                return -1;
            PyObject *et, *ev, *etb;
            PyErr_Fetch(&et, &ev, &etb);
            char tn[64];
            type_text(cx, tn, sizeof tn);
            PyErr_Format(PyExc_ValueError, "%s (%s) must be encodable as UTF-8: %S", who(cx), tn, ev ? ev : Py_None);
            Py_XDECREF(et);
            Py_XDECREF(ev);
            Py_XDECREF(etb);
            return -1;
        }
    } else if (PyBytes_Check(obj)) {
        char *bs;
        if (PyBytes_AsStringAndSize(obj, &bs, &n) < 0)
            return -1;
        s = bs;
    } else if (obj == Py_None) {
        cell->p = NULL;
        return 0;
    } else if (cx->state && Py_TYPE(obj) == (PyTypeObject *)cx->state->PointerType) {
        cell->p = ((sb_pointer *)obj)->addr; /* typed memory, e.g. sigbind.new("char[64]") */
        return 0;
    } else {
        return type_error(cx, "str, bytes or None", obj);
    }
    if (SB_UNLIKELY(strlen(s) != (size_t)n)) {
        char tn[64];
        type_text(cx, tn, sizeof tn);
        PyErr_Format(PyExc_ValueError, "%s (%s) must not contain NUL characters", who(cx), tn);
        return -1;
    }
    cell->p = (void *)s;
    return 0;
}

static int buffer_error(const sb_convctx *cx, PyObject *obj, const char *what)
{
    char tn[64];
    type_text(cx, tn, sizeof tn);
    PyObject *detail = PyUnicode_FromFormat(what, obj);
    if (!detail)
        return -1;
    PyErr_Format(PyExc_TypeError, "%s (%s) %U", who(cx), tn, detail);
    Py_DECREF(detail);
    return -1;
}

/* A boolean attribute (memoryview.readonly, .c_contiguous): 1, 0 or -1. */
static int flag_attr(PyObject *obj, const char *name)
{
    PyObject *v = PyObject_GetAttrString(obj, name);
    int r = v ? PyObject_IsTrue(v) : -1;
    Py_XDECREF(v);
    return r;
}

/* An int as an address in 0..SIZE_MAX. */
static int to_address(const sb_convctx *cx, PyObject *obj, sb_cell *cell)
{
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(obj, &overflow);
    void *p = NULL;
    if (v == -1 && !overflow && PyErr_Occurred())
        return -1;
    if (overflow < 0 || (!overflow && v < 0) || (overflow > 0 && (p = PyLong_AsVoidPtr(obj)) == NULL)) {
        char tn[64];
        type_text(cx, tn, sizeof tn);
        PyErr_Clear();
        PyObject *what = describe(obj);
        if (!what)
            return -1;
        PyErr_Format(PyExc_OverflowError, "%s (%s) must be an address in 0..%zu, not %U",
                     who(cx), tn, (size_t)-1, what);
        Py_DECREF(what);
        return -1;
    }
    cell->p = overflow ? p : (void *)(uintptr_t)v;
    return 0;
}

/* A list or tuple for a `T *` (or `T[]`) parameter: its items converted into
 * temporary memory, an array of T that lives until the call returns, as cffi
 * does (one struct by pointer is a list of one: [(1, 2)]). The items are
 * snapshotted first (a conversion that runs Python code cannot resize or free
 * what is looped over) and stay alive with the memory; elements are converted
 * as members are (pointers: a Pointer, an address, bytes or None, never a
 * buffer whose export nothing would hold). */
static int list_to_memory(const sb_convctx *cx, sb_type type, PyObject *obj, sb_cell *cell, sb_temp *tmp)
{
    sb_type e = type;
    e.ptr--;
    bool is_struct = !e.ptr && e.named && e.named->what == SB_NAMED_STRUCT;
    uint8_t conv = is_struct ? SB_CV_STRUCT : (uint8_t)sb__type_conv(e);
    if ((!e.ptr && e.kind == SB_K_VOID && !e.named) || (!e.ptr && e.named && !is_struct) || conv == SB_CV_PYOBJ ||
        conv == SB_CV_INST)
        return type_error(cx, "a Pointer, a buffer or None (a list needs a pointer to a known element type)", obj);
    size_t size = sb__type_size(e);
    PyObject *seq = sb__snapshot(obj, "a list or tuple");
    if (!seq)
        return -1;
    Py_ssize_t n = PyTuple_Size(seq);
    if ((size_t)n >= (size_t)PY_SSIZE_T_MAX / size) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        return -1;
    }
    /* [memory (a private bytearray: never resized), the snapshot, UTF-8 copies...] */
    PyObject *keep = PyList_New(0), *mem = PyByteArray_FromStringAndSize(NULL, 0);
    int rc = keep && mem && PyByteArray_Resize(mem, (Py_ssize_t)((size_t)n * size + 1)) == 0 &&
                     PyList_Append(keep, mem) == 0 && PyList_Append(keep, seq) == 0
                 ? 0 : -1;
    char *base = rc == 0 ? PyByteArray_AsString(mem) : NULL;
    if (base)
        memset(base, 0, (size_t)n * size + 1);
    for (Py_ssize_t i = 0; rc == 0 && i < n; i++) {
        char pname[96];
        snprintf(pname, sizeof pname, "%s[%zd]", cx->pname ? cx->pname : "?", i);
        sb_convctx ecx = *cx;
        ecx.pname = pname;
        ecx.declared = e;
        PyObject *item = PyTuple_GetItem(seq, i);
        char *dst = base + (size_t)i * size;
        sb_cell c;
        c.u = 0;
        if (is_struct) {
            rc = cx->state->kinds->struct_store(&ecx, e.named->user, item, dst);
            continue;
        }
        sb_temp et;
        memset(&et, 0, sizeof et);
        rc = sb__to_c(&ecx, conv, e, item, &c, conv == SB_CV_CSTR ? &et : NULL);
        if (et.obj) /* a str's UTF-8 copy: kept with the memory */
            rc = rc == 0 ? PyList_Append(keep, et.obj) : rc;
        sb__temp_release(&et);
        if (rc == 0)
            sb__cell_store(e, dst, &c);
    }
    Py_XDECREF(mem);
    Py_XDECREF(seq);
    if (rc < 0) {
        Py_XDECREF(keep);
        return -1;
    }
    tmp->obj = keep;
    cell->p = base;
    return 0;
}

/* Pointer in: None, int address, Pointer, bytes, bytearray, buffers, a list or tuple of elements. */
static int to_ptr(const sb_convctx *cx, sb_type type, PyObject *obj, sb_cell *cell, sb_temp *tmp)
{
    sb_state *st = cx->state;
    if (obj == Py_None) {
        cell->p = NULL;
        return 0;
    }
    if (Py_TYPE(obj) == (PyTypeObject *)st->PointerType) {
        const sb_pointer *p = (const sb_pointer *)obj;
        if (SB_UNLIKELY(!sb__pointer_fits(type, p->type))) {
            char want[64], have[64];
            type_text(cx, want, sizeof want);
            sb__type_format(p->type, have, sizeof have);
            PyErr_Format(PyExc_TypeError, "%s (%s) must be a Pointer of that type (or void *), not a Pointer (%s)",
                         who(cx), want, have);
            return -1;
        }
        cell->p = p->addr;
        return 0;
    }
    if (st->kinds->struct_check(st, obj)) {
        /* A Struct value by address (C may write into it): `struct point *` or `void *`. */
        const sb_layout *L;
        void *data = st->kinds->struct_data(obj, &L);
        if (type.named && type.named->what == SB_NAMED_STRUCT && type.ptr == 1 && !sb__named_same(type.named, &L->named)) {
            char tn[96];
            sb__type_format(cx->declared, tn, sizeof tn);
            PyErr_Format(PyExc_TypeError, "%s (%s) must point to a %s, not a %s", who(cx), tn, type.named->name,
                         L->name);
            return -1;
        }
        cell->p = data;
        return 0;
    }
    if (PyLong_Check(obj) && !PyBool_Check(obj)) {
        if (cx->no_address)
            return type_error(cx, "a sigbind.Pointer, a buffer or None (a C-face function takes no raw address)",
                              obj);
        return to_address(cx, obj, cell);
    }
    if (PyBytes_Check(obj)) {
        cell->p = (void *)PyBytes_AsString(obj);
        return cell->p ? 0 : -1;
    }
    if (tmp && (PyList_Check(obj) || PyTuple_Check(obj)))
        return list_to_memory(cx, type, obj, cell, tmp);
    bool writable = !type.cconst;
    if (!tmp) {
        /* Stored, not passed to a call: nothing would hold a buffer's export. */
    } else if (sb__compat_have_buffer()) {
        /* >= 3.11: any buffer exporter (bytearray included), zero-copy; the
         * export keeps a bytearray from being resized under the C code. */
        if (sb__compat_getbuffer(obj, &tmp->view, writable ? SB_PyBUF_WRITABLE : SB_PyBUF_SIMPLE) == 0) {
            cell->p = tmp->view.buf;
            return 0;
        }
        if (PyErr_ExceptionMatches(PyExc_BufferError)) {
            /* read-only, or not contiguous? ask again without WRITABLE */
            PyErr_Clear();
            sb_buffer probe;
            int readonly_only = writable && sb__compat_getbuffer(obj, &probe, SB_PyBUF_SIMPLE) == 0;
            if (readonly_only)
                sb__compat_releasebuffer(&probe);
            PyErr_Clear();
            return buffer_error(cx, obj, readonly_only ? "needs a writable buffer, and %R is read-only"
                                                       : "needs a C-contiguous buffer, and %R is not");
        }
        if (!PyErr_ExceptionMatches(PyExc_TypeError))
            return -1;
        PyErr_Clear();
    } else {
        /* < 3.11: the buffer API is not in the stable ABI. A memoryview of the
         * object holds its export until the call returns (tmp), so a bytearray
         * cannot be resized or freed under the C code — by a later argument's
         * conversion or by another thread during a [[nogil]] call — and the
         * address of that memory comes from the old buffer calls: zero-copy,
         * as on 3.11+, so a result pointing into it points into the object. */
        PyObject *mv = PyMemoryView_FromObject(obj);
        if (mv) {
            void *buf = NULL;
            Py_ssize_t len;
            if (PyByteArray_Check(obj)) {
                buf = PyByteArray_AsString(obj); /* contiguous and writable */
            } else {
                int contiguous = flag_attr(mv, "c_contiguous");
                int readonly = contiguous == 1 ? flag_attr(mv, "readonly") : 0;
                if (contiguous < 0 || readonly < 0) {
                    Py_DECREF(mv);
                    return -1;
                }
                if (!contiguous || (writable && readonly)) {
                    Py_DECREF(mv);
                    return buffer_error(cx, obj, !contiguous ? "needs a C-contiguous buffer, and %R is not"
                                                             : "needs a writable buffer, and %R is read-only");
                }
                if (sb__compat_buffer_address(mv, writable, &buf, &len) < 0) {
                    Py_DECREF(mv);
                    return -1;
                }
            }
            tmp->obj = mv;
            cell->p = buf;
            return 0;
        }
        if (!PyErr_ExceptionMatches(PyExc_TypeError))
            return -1;
        PyErr_Clear();
    }
    /* Anything with __index__ (a Pointer of another module instance, say) is an address. */
    if (!PyBool_Check(obj) && PyObject_HasAttrString((PyObject *)Py_TYPE(obj), "__index__") &&
        (!cx->no_address || is_pointer(cx, obj))) {
        PyObject *i = PyNumber_Index(obj);
        if (!i)
            return -1;
        int rc = to_address(cx, i, cell);
        Py_DECREF(i);
        return rc;
    }
    return type_error(cx, "a sigbind.Pointer, int address, buffer or None", obj);
}

PyTypeObject *sb__class_type(sb_state *st, const sb_named *nd)
{
    PyObject *tp = st && st->classes && nd ? PyList_GetItem(st->classes, (Py_ssize_t)nd->index) : NULL;
    if (!tp && !PyErr_Occurred())
        PyErr_Format(PyExc_SystemError, "sigbind: class '%s' is not ready", nd ? nd->name : "?");
    return (PyTypeObject *)tp;
}

/* `T *` of a C-face class: an instance of T (or a subclass) -> its struct. */
static int to_inst(const sb_convctx *cx, sb_type type, PyObject *obj, sb_cell *cell)
{
    PyTypeObject *tp = sb__class_type(cx->state, type.named);
    if (!tp)
        return -1;
    if (SB_LIKELY(PyObject_TypeCheck(obj, tp))) {
        if (SB_UNLIKELY(SB_INST_STATE(obj) != SB_INST_BUILT) && (type.named->flags & SB_NAMED_CTOR) &&
            cx->kind != SB_CX_CONSTRUCTOR)
            return sb__unbuilt_error(obj);
        cell->p = SB_INST_STRUCT(obj);
        return 0;
    }
    return type_error(cx, type.named->name, obj);
}

int sb__unbuilt_error(PyObject *obj)
{
    PyObject *tname = PyObject_GetAttrString((PyObject *)Py_TYPE(obj), "__qualname__");
    if (!tname)
        return -1;
    PyErr_Format(PyExc_TypeError, "%U instance was not initialised: call %U.__init__ (a subclass's __init__ must call "
                 "super().__init__())", tname, tname);
    Py_DECREF(tname);
    return -1;
}

/* `T *` of a Library's opaque type T: None, or a Pointer of exactly that type
 * (handles of different types cannot be confused; nor ints or buffers). */
static int to_handle(const sb_convctx *cx, sb_type type, PyObject *obj, sb_cell *cell)
{
    if (obj == Py_None) {
        cell->p = NULL;
        return 0;
    }
    if (cx->state && Py_TYPE(obj) == (PyTypeObject *)cx->state->PointerType) {
        sb_pointer *p = (sb_pointer *)obj;
        if (sb__named_same(p->type.named, type.named) && p->type.ptr == type.ptr) {
            if (p->released) {
                char tn[64];
                sb__type_format(cx->declared, tn, sizeof tn);
                PyErr_Format(PyExc_ValueError, "%s (%s) is a released handle", who(cx), tn);
                return -1;
            }
            cell->p = p->addr;
            return 0;
        }
        char want[64], got[64], tn[64];
        sb_type bare = type;
        bare.cconst = 0;
        sb__type_format(bare, want, sizeof want);
        sb__type_format(p->type, got, sizeof got);
        sb__type_format(cx->declared, tn, sizeof tn);
        PyErr_Format(PyExc_TypeError, "%s (%s) must be a %s handle, not a Pointer (%s)", who(cx), tn, want, got);
        return -1;
    }
    char want[80];
    sb_type bare = type;
    bare.cconst = 0;
    sb__type_format(bare, want, sizeof want - 8);
    strcat(want, " handle");
    return type_error(cx, want, obj);
}

/* Is obj a sigbind.Callback made by another module on the runtime (its own type object)? */
static bool foreign_callback(PyObject *obj)
{
    PyObject *tp = (PyObject *)Py_TYPE(obj);
    PyObject *name = PyObject_GetAttrString(tp, "__name__");
    PyObject *mod = name ? PyObject_GetAttrString(tp, "__module__") : NULL;
    bool yes = mod && PyUnicode_Check(name) && PyUnicode_Check(mod) &&
               PyUnicode_CompareWithASCIIString(name, "Callback") == 0 &&
               PyUnicode_CompareWithASCIIString(mod, "sigbind") == 0;
    Py_XDECREF(name);
    Py_XDECREF(mod);
    PyErr_Clear();
    return yes;
}

/* A function pointer: None, a Callback of the same function type, a C
 * function bound by sigbind with that type, a Pointer or int address (taken
 * on trust), or any Python callable, wrapped in a Callback that lives until
 * the call returns (tmp). */
static int to_func(const sb_convctx *cx, sb_type type, PyObject *obj, sb_cell *cell, sb_temp *tmp)
{
    const sb_sig *want = type.named ? type.named->user : NULL;
    sb_state *st = cx->state;
    if (obj == Py_None) {
        cell->p = NULL;
        return 0;
    }
    if (st && st->CallbackType && st->kinds->callback_check(st, obj)) {
        if (!sb__functype_equal(want, st->kinds->callback_sig(obj))) {
            char tn[96];
            sb__type_format(cx->declared, tn, sizeof tn);
            PyObject *got = PyObject_GetAttrString(obj, "type");
            if (got)
                PyErr_Format(PyExc_TypeError, "%s (%s) must be a callback of that type, not a Callback (%U)",
                             who(cx), tn, got);
            Py_XDECREF(got);
            return -1;
        }
        cell->p = st->kinds->callback_address(obj);
        return 0;
    }
    if (st && foreign_callback(obj)) {
        /* A Callback made by another module on the runtime (sigbind itself, or a
         * C-face module): same object, another type object. Compared by its type text. */
        PyObject *tt = PyObject_GetAttrString(obj, "type");
        PyObject *tb = tt ? PyUnicode_AsUTF8String(tt) : NULL;
        PyObject *ad = tb ? PyObject_GetAttrString(obj, "address") : NULL;
        void *addr = ad ? PyLong_AsVoidPtr(ad) : NULL;
        sb_sig *got = NULL;
        if (addr) {
            sb_error err;
            got = sb__functype_parse(PyBytes_AsString(tb), (size_t)PyBytes_Size(tb), NULL, &err);
        }
        bool same = got && sb__functype_equal(want, got);
        sb__sig_free(got);
        if (same) {
            cell->p = addr;
        } else if (!PyErr_Occurred()) {
            char tn[96];
            sb__type_format(cx->declared, tn, sizeof tn);
            PyErr_Format(PyExc_TypeError, "%s (%s) must be a callback of that type, not a Callback (%U)", who(cx), tn,
                         tt);
        }
        Py_XDECREF(tt);
        Py_XDECREF(tb);
        Py_XDECREF(ad);
        return same ? 0 : -1;
    }
    if (st && PyCFunction_Check(obj)) {
        PyObject *self = PyCFunction_GetSelf(obj);
        if (self && Py_TYPE(self) == (PyTypeObject *)st->FunctionType) {
            const sb_function *f = (const sb_function *)self;
            if (!sb__functype_equal(want, f->plan->sig)) {
                char tn[96];
                sb__type_format(cx->declared, tn, sizeof tn);
                PyErr_Format(PyExc_TypeError, "%s (%s) must be a function of that type, not %s", who(cx), tn, f->plan->sig->text);
                return -1;
            }
            cell->p = (void *)(uintptr_t)f->fn;
            return 0;
        }
    }
    if (st && Py_TYPE(obj) == (PyTypeObject *)st->PointerType) {
        cell->p = ((sb_pointer *)obj)->addr;
        return 0;
    }
    if (PyCallable_Check(obj) && st && st->CallbackType && want && tmp && !tmp->noescape) {
        /* C may keep this pointer after the call: a Callback made for the
         * call would be freed under it. The user keeps one alive instead. */
        char tn[96];
        sb__type_format(cx->declared, tn, sizeof tn);
        PyObject *tname = PyObject_GetAttrString((PyObject *)Py_TYPE(obj), "__name__");
        if (tname)
            PyErr_Format(PyExc_TypeError,
                         "%s (%s) may be kept by C after the call: pass sigbind.callback(type, fn) and keep it "
                         "alive while C may call it, or declare the parameter [[noescape]] if C calls it only "
                         "during the call (got %U)",
                         who(cx), tn, tname);
        Py_XDECREF(tname);
        return -1;
    }
    if (PyCallable_Check(obj) && st && st->CallbackType && want && tmp) {
        PyObject *cb = st->kinds->callback_for_call(st, want, obj, tmp->owner);
        if (!cb)
            return -1;
        tmp->obj = cb; /* released when the call returns: C must not keep the address */
        cell->p = st->kinds->callback_address(cb);
        return 0;
    }
    if (PyLong_Check(obj) && !PyBool_Check(obj)) {
        void *p = PyLong_AsVoidPtr(obj);
        if (!p && PyErr_Occurred())
            return -1;
        cell->p = p;
        return 0;
    }
    if (!tmp) /* stored in memory (a member, an element, a callback's result): nothing would keep a wrapper */
        return type_error(cx, "a sigbind.callback(type, fn) (kept alive while C may call it), a function of that type, "
                              "a Pointer, an int address or None", obj);
    return type_error(cx, "a sigbind.Callback, a function bound by sigbind, a callable or None", obj);
}


/* ------------------------------------------------------------------ */
/* Wide scalars (SB_CLASS_WIDE and long double): converted in memory.  */

bool sb__type_wide(sb_type t)
{
    return !t.ptr && !t.named && (t.kind == SB_K_LDOUBLE || sb__kind((sb_kind)t.kind)->cls == SB_CLASS_WIDE);
}

/* The two 64-bit halves of a 16-byte integer in memory (lo first on little-endian machines). */
static void i128_words(const unsigned char *p, uint64_t *lo, uint64_t *hi)
{
    const uint16_t one = 1;
    bool little = *(const unsigned char *)&one == 1;
    memcpy(lo, p + (little ? 0 : 8), 8);
    memcpy(hi, p + (little ? 8 : 0), 8);
}

static void i128_store(unsigned char *p, uint64_t lo, uint64_t hi)
{
    const uint16_t one = 1;
    bool little = *(const unsigned char *)&one == 1;
    memcpy(p + (little ? 0 : 8), &lo, 8);
    memcpy(p + (little ? 8 : 0), &hi, 8);
}

PyObject *sb__wide_get(sb_type t, const void *mem)
{
    switch ((sb_kind)t.kind) {
    case SB_K_LDOUBLE: {
        long double v;
        memcpy(&v, mem, sizeof v);
        return PyFloat_FromDouble((double)v);
    }
    case SB_K_CFLOAT: {
        float v[2];
        memcpy(v, mem, sizeof v);
        return PyComplex_FromDoubles(v[0], v[1]);
    }
    case SB_K_CDOUBLE: {
        double v[2];
        memcpy(v, mem, sizeof v);
        return PyComplex_FromDoubles(v[0], v[1]);
    }
    case SB_K_INT128:
    case SB_K_UINT128: {
        uint64_t lo, hi;
        i128_words(mem, &lo, &hi);
        PyObject *h = t.kind == SB_K_INT128 ? PyLong_FromLongLong((long long)hi) : PyLong_FromUnsignedLongLong(hi);
        PyObject *l = PyLong_FromUnsignedLongLong(lo), *sh = PyLong_FromLong(64);
        PyObject *hs = h && sh ? PyNumber_Lshift(h, sh) : NULL;
        PyObject *r = hs && l ? PyNumber_Or(hs, l) : NULL;
        Py_XDECREF(h);
        Py_XDECREF(l);
        Py_XDECREF(sh);
        Py_XDECREF(hs);
        return r;
    }
    case SB_K_FLOAT128: {
#ifdef SB_FLOAT128
        SB_FLOAT128 v;
        memcpy(&v, mem, sizeof v);
        return PyFloat_FromDouble((double)v);
#else
        PyErr_SetString(PyExc_TypeError, "_Float128 is not supported by this build of sigbind");
        return NULL;
#endif
    }
    default:
        PyErr_SetString(PyExc_SystemError, "sigbind: not a wide type");
        return NULL;
    }
}

/* obj -> a 128-bit integer at mem, range-checked. */
static int int128_set(const sb_convctx *cx, bool sign, PyObject *obj, void *mem)
{
    PyObject *v = as_index(cx, obj);
    if (!v)
        return -1;
    PyObject *sh = PyLong_FromLong(64);
    PyObject *h = sh ? PyNumber_Rshift(v, sh) : NULL; /* floor: -1 for small negatives */
    Py_XDECREF(sh);
    if (!h) {
        Py_DECREF(v);
        return -1;
    }
    int overflow = 0;
    long long hs = 0;
    unsigned long long hu = 0;
    if (sign) {
        hs = PyLong_AsLongLongAndOverflow(h, &overflow);
    } else if (PyObject_RichCompareBool(h, Py_False, Py_LT) == 1) { /* negative (Py_False == 0) */
        overflow = 1;
    } else {
        hu = PyLong_AsUnsignedLongLong(h);
        if (hu == (unsigned long long)-1 && PyErr_Occurred()) {
            PyErr_Clear();
            overflow = 1;
        }
    }
    Py_DECREF(h);
    if (overflow || (hs == -1 && PyErr_Occurred())) {
        PyErr_Clear();
        char tn[64];
        type_text(cx, tn, sizeof tn);
        PyObject *what = describe(obj);
        if (what)
            PyErr_Format(PyExc_OverflowError, "%s (%s) must be in %s, not %U", who(cx), tn,
                         sign ? "-2**127..2**127-1" : "0..2**128-1", what);
        Py_XDECREF(what);
        Py_DECREF(v);
        return -1;
    }
    unsigned long long lo = PyLong_AsUnsignedLongLongMask(v);
    Py_DECREF(v);
    if (lo == (unsigned long long)-1 && PyErr_Occurred())
        return -1;
    i128_store(mem, lo, sign ? (uint64_t)hs : hu);
    return 0;
}

/* obj -> a Python complex (new reference): complex, float, int or anything with __complex__/__float__/__index__. */
static PyObject *as_complex(const sb_convctx *cx, PyObject *obj)
{
    if (PyUnicode_Check(obj) || PyBytes_Check(obj) || obj == Py_None) {
        type_error(cx, "complex", obj);
        return NULL;
    }
    if (is_pointer(cx, obj)) {
        pointer_error(cx, "complex");
        return NULL;
    }
    PyObject *c = PyObject_CallFunctionObjArgs((PyObject *)&PyComplex_Type, obj, NULL);
    if (!c && PyErr_ExceptionMatches(PyExc_TypeError)) {
        PyErr_Clear();
        type_error(cx, "complex", obj);
    }
    return c;
}

int sb__wide_set(const sb_convctx *cx, sb_type t, PyObject *obj, void *mem)
{
    switch ((sb_kind)t.kind) {
    case SB_K_LDOUBLE:
    case SB_K_FLOAT128: {
        sb_cell c;
        if (to_double(cx, SB_CV_DOUBLE, obj, &c) < 0)
            return -1;
        if (t.kind == SB_K_LDOUBLE) {
            long double v = c.d;
            memcpy(mem, &v, sizeof v);
            return 0;
        }
#ifdef SB_FLOAT128
        SB_FLOAT128 v = c.d;
        memcpy(mem, &v, sizeof v);
        return 0;
#else
        PyErr_SetString(PyExc_TypeError, "_Float128 is not supported by this build of sigbind");
        return -1;
#endif
    }
    case SB_K_CFLOAT:
    case SB_K_CDOUBLE: {
        PyObject *c = as_complex(cx, obj);
        if (!c)
            return -1;
        double re = PyComplex_RealAsDouble(c), im = PyComplex_ImagAsDouble(c);
        Py_DECREF(c);
        if (PyErr_Occurred())
            return -1;
        if (t.kind == SB_K_CDOUBLE) {
            double v[2] = {re, im};
            memcpy(mem, v, sizeof v);
            return 0;
        }
        if ((isfinite(re) && fabs(re) > FLT_MAX) || (isfinite(im) && fabs(im) > FLT_MAX)) {
            PyErr_Format(PyExc_OverflowError, "%s (float _Complex) must be within the range of float, not %R",
                         who(cx), obj);
            return -1;
        }
        float v[2] = {(float)re, (float)im};
        memcpy(mem, v, sizeof v);
        return 0;
    }
    case SB_K_INT128:
    case SB_K_UINT128:
        return int128_set(cx, t.kind == SB_K_INT128, obj, mem);
    default:
        PyErr_SetString(PyExc_SystemError, "sigbind: not a wide type");
        return -1;
    }
}

/* ------------------------------------------------------------------ */
/* Strings of wchar_t, char16_t, char32_t.                             */

bool sb__is_wide_char_ptr(sb_type t)
{
    return !t.named && t.ptr == 1 && (t.kind == SB_K_WCHAR || t.kind == SB_K_CHAR16 || t.kind == SB_K_CHAR32);
}

/* The codec of one code unit of `kind` in this machine's byte order. */
static const char *wide_codec(sb_kind kind, size_t *unit)
{
    const uint16_t one = 1;
    bool little = *(const unsigned char *)&one == 1;
    *unit = sb__kind(kind)->size;
    if (*unit == 2)
        return little ? "utf-16-le" : "utf-16-be";
    return little ? "utf-32-le" : "utf-32-be";
}

/* A str for a `wchar_t *` (char16_t, char32_t): a NUL-terminated copy in the right width, kept in tmp. */
static int to_wstr(const sb_convctx *cx, sb_type type, PyObject *obj, sb_cell *cell, sb_temp *tmp)
{
    char tn[64];
    type_text(cx, tn, sizeof tn);
    if (!tmp) {
        PyErr_Format(PyExc_TypeError, "%s (%s) cannot keep a str (nothing would own its memory): pass a Pointer",
                     who(cx), tn);
        return -1;
    }
    size_t unit;
    const char *codec = wide_codec((sb_kind)type.kind, &unit);
    PyObject *enc = PyUnicode_AsEncodedString(obj, codec, "strict");
    if (!enc)
        return -1;
    Py_ssize_t n = PyBytes_Size(enc);
    const char *src = PyBytes_AsString(enc);
    if (memchr(src, 0, (size_t)n)) {
        for (Py_ssize_t i = 0; i + (Py_ssize_t)unit <= n; i += (Py_ssize_t)unit) {
            static const char zero[4];
            if (!memcmp(src + i, zero, unit)) {
                Py_DECREF(enc);
                PyErr_Format(PyExc_ValueError, "%s (%s): embedded null character", who(cx), tn);
                return -1;
            }
        }
    }
    PyObject *buf = PyBytes_FromStringAndSize(NULL, n + (Py_ssize_t)unit);
    if (!buf) {
        Py_DECREF(enc);
        return -1;
    }
    char *dst = PyBytes_AsString(buf);
    memcpy(dst, src, (size_t)n);
    memset(dst + n, 0, unit);
    Py_DECREF(enc);
    tmp->obj = buf;
    cell->p = dst;
    return 0;
}

/* bytes for a `wchar_t *` (char16_t, char32_t): refused, as ctypes' c_wchar_p does; its bytes are
 * not units of that width and may hold no wide NUL, so C would read past them. */
static int wstr_refuses_bytes(const sb_convctx *cx)
{
    char tn[64];
    type_text(cx, tn, sizeof tn);
    PyErr_Format(PyExc_TypeError,
                 "%s (%s) must be str, a buffer of wide units or a Pointer, not bytes", who(cx), tn);
    return -1;
}

PyObject *sb__wstr_encode(sb_kind kind, PyObject *str)
{
    size_t unit;
    return PyUnicode_AsEncodedString(str, wide_codec(kind, &unit), "strict");
}

PyObject *sb__wstr_get(sb_kind kind, const void *p, size_t maxunits)
{
    size_t unit;
    const char *codec = wide_codec(kind, &unit);
    const unsigned char *s = p;
    size_t n = 0;
    static const unsigned char zero[4];
    while (n < maxunits && memcmp(s + n * unit, zero, unit))
        n++;
    return PyUnicode_Decode((const char *)s, (Py_ssize_t)(n * unit), codec, unit == 2 ? "surrogatepass" : "strict");
}

int sb__to_c(const sb_convctx *cx, uint8_t conv, sb_type type, PyObject *obj, sb_cell *cell, sb_temp *tmp)
{
    switch (conv) {
    case SB_CV_DOUBLE:
        if (SB_LIKELY(PyFloat_Check(obj))) {
            cell->d = PyFloat_AsDouble(obj);
            return 0;
        }
        return to_double(cx, conv, obj, cell);
    case SB_CV_FLOAT:
        return to_double(cx, conv, obj, cell);
    case SB_CV_SINT:
    case SB_CV_UINT:
        return to_int(cx, conv, (sb_kind)type.kind, obj, cell);
    case SB_CV_BOOL:
        return to_bool(cx, obj, cell);
    case SB_CV_CSTR:
        return to_cstr(cx, obj, cell, tmp);
    case SB_CV_PTR:
        if (type.named && type.named->what == SB_NAMED_OPAQUE)
            return to_handle(cx, type, obj, cell);
        if (SB_UNLIKELY(sb__is_wide_char_ptr(type))) {
            if (PyUnicode_Check(obj))
                return to_wstr(cx, type, obj, cell, tmp);
            if (PyBytes_Check(obj)) /* as ctypes' c_wchar_p: bytes are chars, not wide units */
                return wstr_refuses_bytes(cx);
        }
        return to_ptr(cx, type, obj, cell, tmp);
    case SB_CV_PYOBJ:
        cell->p = obj;
        return 0;
    case SB_CV_INST:
        return to_inst(cx, type, obj, cell);
    case SB_CV_FUNC:
        return to_func(cx, type, obj, cell, tmp);
    case SB_CV_STRUCT: /* cell->p: storage the call path provides */
        return cx->state->kinds->struct_store(cx, type.named->user, obj, cell->p);
    case SB_CV_WIDE: /* cell->p: storage the call path provides */
        return sb__wide_set(cx, type, obj, cell->p);
    default:
        PyErr_SetString(PyExc_SystemError, "sigbind: bad converter");
        return -1;
    }
}

PyObject *sb__snapshot(PyObject *v, const char *msg)
{
    PyObject *t = PySequence_Tuple(v);
    if (!t && PyErr_ExceptionMatches(PyExc_TypeError)) {
        PyErr_Clear();
        PyErr_SetString(PyExc_TypeError, msg);
    }
    return t;
}

void sb__temp_release(sb_temp *tmp)
{
    Py_CLEAR(tmp->obj);
    if (tmp->view.obj) {
        sb__compat_releasebuffer(&tmp->view);
        tmp->view.obj = NULL;
    }
}

/* Reads the value of `type` (scalar) from a cell that holds it in its low bytes. */
static PyObject *int_from_cell(uint8_t conv, sb_kind kind, const sb_cell *cell)
{
    const sb_kindinfo *ki = sb__kind(kind);
    if (conv == SB_CV_SINT) {
        int64_t v;
        switch (ki->size) {
        case 1: v = (int8_t)cell->u; break;
        case 2: v = (int16_t)cell->u; break;
        case 4: v = (int32_t)cell->u; break;
        default: v = cell->i; break;
        }
        return PyLong_FromLongLong(v);
    }
    uint64_t u;
    switch (ki->size) {
    case 1: u = (uint8_t)cell->u; break;
    case 2: u = (uint16_t)cell->u; break;
    case 4: u = (uint32_t)cell->u; break;
    default: u = cell->u; break;
    }
    return PyLong_FromUnsignedLongLong(u);
}

PyObject *sb__from_c(sb_state *st, uint8_t conv, sb_type type, const sb_cell *cell)
{
    switch (conv) {
    case SB_CV_VOID:
        Py_INCREF(Py_None);
        return Py_None;
    case SB_CV_DOUBLE:
        return PyFloat_FromDouble(cell->d);
    case SB_CV_FLOAT:
        return PyFloat_FromDouble((double)cell->f);
    case SB_CV_SINT:
    case SB_CV_UINT:
        return int_from_cell(conv, (sb_kind)type.kind, cell);
    case SB_CV_BOOL:
        return PyBool_FromLong((long)(cell->u & 0xff));
    case SB_CV_CSTR:
        if (!cell->p) {
            Py_INCREF(Py_None);
            return Py_None;
        }
        return PyUnicode_DecodeUTF8((const char *)cell->p, (Py_ssize_t)strlen((const char *)cell->p),
                                    "surrogateescape");
    case SB_CV_PTR:
        if (!cell->p) {
            Py_INCREF(Py_None);
            return Py_None;
        }
        if (sb__is_wide_char_ptr(type)) /* as ctypes' c_wchar_p: the string */
            return sb__wstr_get((sb_kind)type.kind, cell->p, (size_t)-1 / 4);
        return st->kinds->pointer_new(st, cell->p, type, NULL);
    case SB_CV_PYOBJ:
        /* A PyObject * result is a new reference handed to us. */
        if (!cell->p) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_SystemError, "a PyObject * result was NULL without an exception set");
            return NULL;
        }
        return (PyObject *)cell->p;
    case SB_CV_STRUCT: /* cell->p: the returned value */
        return st->kinds->struct_new(st, NULL, type.named->user, NULL, cell->p);
    case SB_CV_WIDE: /* cell->p: the value */
        return sb__wide_get(type, cell->p);
    case SB_CV_FUNC: {
        /* A function pointer comes back as an address (a void * Pointer). */
        sb_type vp = {SB_K_VOID, 1, 0, NULL};
        if (!cell->p) {
            Py_INCREF(Py_None);
            return Py_None;
        }
        return st->kinds->pointer_new(st, cell->p, vp, NULL);
    }
    case SB_CV_INST: {
        /* A pointer to an instance's struct (a method returning self): the instance. */
        PyObject *o = cell->p ? SB_INST_OBJECT(cell->p) : Py_None;
        Py_INCREF(o);
        return o;
    }
    default:
        PyErr_SetString(PyExc_SystemError, "sigbind: bad converter");
        return NULL;
    }
}

void sb__default_cell(const sb_literal *lit, uint8_t conv, sb_cell *cell)
{
    cell->u = 0;
    switch (conv) {
    case SB_CV_DOUBLE:
        cell->d = sb__literal_double(lit);
        break;
    case SB_CV_FLOAT:
        cell->f = (float)sb__literal_double(lit);
        break;
    case SB_CV_SINT:
    case SB_CV_UINT:
    case SB_CV_BOOL:
        cell->u = lit->neg ? (uint64_t)0 - lit->mag : lit->mag;
        break;
    case SB_CV_CSTR:
        cell->p = lit->kind == SB_LIT_STRING ? (void *)lit->s : NULL;
        break;
    default:
        cell->p = NULL;
        break;
    }
}

/* A scalar or pointer of type t in memory -> cell (integers zero-extended in
 * the low bytes, as the converters read them), and back. */
void sb__cell_load(sb_type t, const void *mem, sb_cell *c)
{
    const unsigned char *p = mem;
    c->u = 0;
    if (t.ptr) {
        memcpy(&c->p, p, sizeof c->p);
        return;
    }
    if (t.kind == SB_K_DOUBLE) {
        memcpy(&c->d, p, sizeof c->d);
        return;
    }
    if (t.kind == SB_K_LDOUBLE) { /* read as a double (a Python float) */
        long double ld;
        memcpy(&ld, p, sizeof ld);
        c->d = (double)ld;
        return;
    }
    if (t.kind == SB_K_FLOAT) {
        memcpy(&c->f, p, sizeof c->f);
        return;
    }
    switch (sb__kind((sb_kind)t.kind)->size) {
    case 1: { uint8_t v; memcpy(&v, p, 1); c->u = v; break; }
    case 2: { uint16_t v; memcpy(&v, p, 2); c->u = v; break; }
    case 4: { uint32_t v; memcpy(&v, p, 4); c->u = v; break; }
    default: memcpy(&c->u, p, 8); break;
    }
}

void sb__cell_store(sb_type t, void *mem, const sb_cell *c)
{
    unsigned char *p = mem;
    if (t.ptr) {
        memcpy(p, &c->p, sizeof c->p);
        return;
    }
    if (t.kind == SB_K_DOUBLE) {
        memcpy(p, &c->d, sizeof c->d);
        return;
    }
    if (t.kind == SB_K_LDOUBLE) {
        long double ld = c->d;
        memcpy(p, &ld, sizeof ld);
        return;
    }
    if (t.kind == SB_K_FLOAT) {
        memcpy(p, &c->f, sizeof c->f);
        return;
    }
    switch (sb__kind((sb_kind)t.kind)->size) {
    case 1: { uint8_t v = (uint8_t)c->u; memcpy(p, &v, 1); break; }
    case 2: { uint16_t v = (uint16_t)c->u; memcpy(p, &v, 2); break; }
    case 4: { uint32_t v = (uint32_t)c->u; memcpy(p, &v, 4); break; }
    default: memcpy(p, &c->u, 8); break;
    }
}

const char *sb__conv_who(const sb_convctx *cx)
{
    return who(cx);
}
