/* bufview.c — buffers with a length and an element format, on every version: a memoryview holds the export, formats match C types. */
#include "runtime/runtime.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* Formats                                                             */
/* A struct-module format of one item (memoryview.format) as a class and a
 * size, or false when it is not a single native-order scalar. '@' (or no
 * prefix) means native sizes; '=' (and '<'/'>'/'!' in the machine's order)
 * standard sizes. */

static bool little_endian(void)
{
    const uint16_t one = 1;
    return *(const uint8_t *)&one == 1;
}

static bool format_item(const char *f, sb_class *cls, size_t *size)
{
    bool standard = false;
    if (*f == '@') {
        f++;
    } else if (*f == '=' || *f == '<' || *f == '>' || *f == '!') {
        if ((*f == '<' && !little_endian()) || ((*f == '>' || *f == '!') && little_endian()))
            return false;
        standard = true;
        f++;
    }
    if (!f[0] || f[1])
        return false;
    switch (*f) {
    case 'b': *cls = SB_CLASS_SINT; *size = 1; return true;
    case 'B': case 'c': *cls = SB_CLASS_UINT; *size = 1; return true;
    case '?': *cls = SB_CLASS_BOOL; *size = 1; return true;
    case 'h': *cls = SB_CLASS_SINT; *size = 2; return true;
    case 'H': *cls = SB_CLASS_UINT; *size = 2; return true;
    case 'i': *cls = SB_CLASS_SINT; *size = 4; return true;
    case 'I': *cls = SB_CLASS_UINT; *size = 4; return true;
    case 'l': *cls = SB_CLASS_SINT; *size = standard ? 4 : sizeof(long); return true;
    case 'L': *cls = SB_CLASS_UINT; *size = standard ? 4 : sizeof(long); return true;
    case 'q': *cls = SB_CLASS_SINT; *size = 8; return true;
    case 'Q': *cls = SB_CLASS_UINT; *size = 8; return true;
    case 'n': *cls = SB_CLASS_SINT; *size = sizeof(size_t); return !standard;
    case 'N': *cls = SB_CLASS_UINT; *size = sizeof(size_t); return !standard;
    case 'e': *cls = SB_CLASS_FLOAT; *size = 2; return true;
    case 'f': *cls = SB_CLASS_FLOAT; *size = 4; return true;
    case 'd': *cls = SB_CLASS_FLOAT; *size = 8; return true;
    default: return false;
    }
}

const char *sb__format_of(sb_type elem)
{
    if (elem.ptr || elem.named)
        return NULL;
    const sb_kindinfo *k = sb__kind((sb_kind)elem.kind);
    switch (k->cls) {
    case SB_CLASS_BOOL: return "?";
    case SB_CLASS_FLOAT: return k->size == 4 ? "f" : "d";
    case SB_CLASS_SINT: return k->size == 1 ? "b" : k->size == 2 ? "h" : k->size == 4 ? "i" : "q";
    case SB_CLASS_UINT: return k->size == 1 ? "B" : k->size == 2 ? "H" : k->size == 4 ? "I" : "Q";
    default: return NULL; /* void: any bytes */
    }
}

bool sb__format_fits(const char *have, sb_type elem)
{
    if (elem.ptr || elem.named)
        return false;
    const sb_kindinfo *k = sb__kind((sb_kind)elem.kind);
    if (k->cls == SB_CLASS_VOID)
        return true; /* void *: any contiguous memory, counted in bytes */
    sb_class cls;
    size_t size;
    if (!format_item(have, &cls, &size) || size != k->size)
        return false;
    if (size == 1 && k->cls != SB_CLASS_BOOL && cls != SB_CLASS_BOOL)
        return true; /* bytes for any char type: b, B, c */
    return cls == (sb_class)k->cls;
}

/* ------------------------------------------------------------------ */
/* Views                                                               */

/* A boolean / an integer / a str attribute of the memoryview. */
static int mv_flag(PyObject *mv, const char *name)
{
    PyObject *v = PyObject_GetAttrString(mv, name);
    int r = v ? PyObject_IsTrue(v) : -1;
    Py_XDECREF(v);
    return r;
}

static Py_ssize_t mv_size(PyObject *mv, const char *name)
{
    PyObject *v = PyObject_GetAttrString(mv, name);
    Py_ssize_t r = v ? PyLong_AsSsize_t(v) : -1;
    Py_XDECREF(v);
    return r;
}

static int mv_format(PyObject *mv, char *out, size_t cap)
{
    PyObject *v = PyObject_GetAttrString(mv, "format");
    if (!v)
        return -1;
    PyObject *b = PyUnicode_AsUTF8String(v);
    Py_DECREF(v);
    if (!b)
        return -1;
    const char *s = PyBytes_AsString(b);
    int rc = -1;
    if (s) {
        size_t n = strlen(s);
        if (n >= cap) /* a struct format of many items: not a scalar anyway */
            n = cap - 1;
        memcpy(out, s, n);
        out[n] = '\0';
        rc = 0;
    }
    Py_DECREF(b);
    return rc;
}

/* >= 3.11: the buffer API itself (no memoryview, no attribute look-ups). */
static int open_with_api(PyObject *obj, bool writable, sb_bufview *v)
{
    int want = SB_PyBUF_FORMAT | SB_PyBUF_C_CONTIGUOUS;
    if (sb__compat_getbuffer(obj, &v->view, want | (writable ? SB_PyBUF_WRITABLE : 0)) == 0) {
        v->held = true;
        v->buf = v->view.buf;
        v->len = v->view.len;
        v->itemsize = v->view.itemsize > 0 ? v->view.itemsize : 1;
        v->readonly = v->view.readonly != 0;
        v->contiguous = true;
        const char *f = v->view.format ? v->view.format : "B";
        size_t n = strlen(f);
        if (n >= sizeof v->format)
            n = sizeof v->format - 1;
        memcpy(v->format, f, n);
        v->format[n] = '\0';
        return 0;
    }
    if (!PyErr_ExceptionMatches(PyExc_BufferError))
        return -1; /* TypeError: no buffer at all */
    /* Which rule failed: read-only, or not C-contiguous? */
    PyErr_Clear();
    sb_buffer probe;
    if (sb__compat_getbuffer(obj, &probe, SB_PyBUF_FORMAT | SB_PyBUF_C_CONTIGUOUS) == 0) {
        sb__compat_releasebuffer(&probe);
        v->contiguous = true;
        v->readonly = true;
    } else {
        PyErr_Clear();
        v->contiguous = false;
    }
    return 1;
}

int sb__bufview_open(PyObject *obj, bool writable, sb_bufview *v)
{
    memset(v, 0, sizeof *v);
    if (sb__compat_have_buffer())
        return open_with_api(obj, writable, v);
    if (PyBytes_Check(obj)) { /* immutable: no export to hold */
        v->contiguous = v->readonly = true;
        if (writable)
            return 1;
        v->buf = PyBytes_AsString(obj);
        v->len = PyBytes_Size(obj);
        v->itemsize = 1;
        v->format[0] = 'B';
        return v->buf ? 0 : -1;
    }
    PyObject *mv = PyMemoryView_FromObject(obj);
    if (!mv)
        return -1; /* TypeError: not a buffer (the caller words it) */
    int contiguous = mv_flag(mv, "c_contiguous");
    int readonly = contiguous == 1 ? mv_flag(mv, "readonly") : 0;
    Py_ssize_t nbytes = contiguous == 1 ? mv_size(mv, "nbytes") : 0;
    if (contiguous < 0 || readonly < 0 || nbytes < 0 ||
        (contiguous == 1 && mv_format(mv, v->format, sizeof v->format) < 0)) {
        Py_DECREF(mv);
        return -1;
    }
    /* The item size: known from a scalar format, else asked (one look-up saved per call). */
    sb_class cls;
    size_t fsize;
    Py_ssize_t itemsize = contiguous != 1 ? 1
                          : format_item(v->format, &cls, &fsize) ? (Py_ssize_t)fsize : mv_size(mv, "itemsize");
    if (itemsize < 0) {
        Py_DECREF(mv);
        return -1;
    }
    v->contiguous = contiguous == 1;
    v->readonly = readonly == 1;
    v->len = nbytes;
    v->itemsize = itemsize ? itemsize : 1;
    if (!v->contiguous || (writable && v->readonly)) {
        Py_DECREF(mv);
        return 1; /* the caller says why, with v's flags */
    }
    void *buf = NULL;
    Py_ssize_t len = nbytes;
    if (PyByteArray_Check(obj))
        buf = PyByteArray_AsString(obj); /* contiguous and writable; the view stops resizes */
    else if (sb__compat_buffer_address(mv, writable, &buf, &len) < 0) {
        Py_DECREF(mv);
        return -1;
    }
    v->buf = buf;
    v->mv = mv;
    return 0;
}

void sb__bufview_close(sb_bufview *v)
{
    if (v->held) {
        v->held = false;
        sb__compat_releasebuffer(&v->view);
    }
    if (v->mv) {
        PyObject *mv = v->mv;
        v->mv = NULL;
        /* release() drops the export now (a bytearray may be resized again);
         * the reference may outlive this call otherwise. */
        PyObject *et, *ev, *tb;
        PyErr_Fetch(&et, &ev, &tb); /* closing on an error path keeps that error */
        PyObject *r = PyObject_CallMethod(mv, "release", NULL);
        if (r)
            Py_DECREF(r);
        else
            PyErr_Clear();
        Py_DECREF(mv);
        PyErr_Restore(et, ev, tb);
    }
    v->buf = NULL;
}

/* ------------------------------------------------------------------ */
/* [[len(n)]] parameters and results                                   */

int sb__buffer_arg(const sb_lenarg *a, PyObject *v, sb_cell *cell, sb_cell *lencell, bool lenset, sb_temp *tmp)
{
    char tn[64]; /* the parameter's type, for messages: formatted only on errors */
#define SB_TN (sb__type_format(a->type, tn, sizeof tn), tn)
    sb_type elem = a->type;
    elem.ptr--;
    if (v == Py_None) { /* NULL and no items */
        cell->p = NULL;
        if (!lenset)
            lencell->u = 0;
        else if (lencell->u != 0)
            goto mismatch_none;
        return 0;
    }
    sb_bufview bv;
    int rc = sb__bufview_open(v, !a->type.cconst, &bv);
    if (rc < 0) {
        if (!PyErr_ExceptionMatches(PyExc_TypeError))
            return -1;
        PyErr_Clear();
        PyObject *tname = PyObject_GetAttrString((PyObject *)Py_TYPE(v), "__qualname__");
        if (tname)
            PyErr_Format(PyExc_TypeError, "%s() argument '%s' (%s) must be a buffer%s (bytes, bytearray, array.array, "
                         "memoryview...) or None, not %U", a->fname, a->pname, SB_TN,
                         a->type.cconst ? "" : " (writable)", tname);
        Py_XDECREF(tname);
        return -1;
    }
    if (rc > 0) {
        PyErr_Format(PyExc_TypeError, "%s() argument '%s' (%s) needs a %s buffer, and %R is %s", a->fname, a->pname,
                     SB_TN, bv.contiguous ? "writable" : "C-contiguous", v, bv.contiguous ? "read-only" : "not");
        return -1;
    }
    if (!sb__format_fits(bv.format, elem)) {
        const char *want = sb__format_of(elem);
        PyErr_Format(PyExc_TypeError, "%s() argument '%s' (%s) must be a buffer of format '%s', not '%s' (%R)",
                     a->fname, a->pname, SB_TN, want ? want : "?", bv.format, v);
        sb__bufview_close(&bv);
        return -1;
    }
    size_t isz = elem.kind == SB_K_VOID ? 1 : sb__type_size(elem);
    uint64_t count = (uint64_t)bv.len / isz;
    const sb_kindinfo *lk = sb__kind((sb_kind)a->lentype.kind);
    if (count > lk->max) {
        PyErr_Format(PyExc_OverflowError, "%s() argument '%s' (%s): %llu items do not fit its length '%s' (%s, at "
                     "most %llu)", a->fname, a->pname, SB_TN, (unsigned long long)count, a->lenname, lk->name,
                     (unsigned long long)lk->max);
        sb__bufview_close(&bv);
        return -1;
    }
    if (lenset && lencell->u != count) {
        PyErr_Format(PyExc_ValueError, "%s() argument '%s' (%s) has %llu item%s, and an earlier buffer of length "
                     "'%s' has %llu: they must be equal", a->fname, a->pname, SB_TN, (unsigned long long)count,
                     count == 1 ? "" : "s", a->lenname, (unsigned long long)lencell->u);
        sb__bufview_close(&bv);
        return -1;
    }
    lencell->u = count;
    cell->p = bv.buf;
    /* The export is held until the call returns (sb__temp_release). */
    tmp->obj = bv.mv;
    if (bv.held)
        tmp->view = bv.view;
    else
        tmp->view.obj = NULL;
    return 0;
mismatch_none:
    PyErr_Format(PyExc_ValueError, "%s() argument '%s' (%s) is None (0 items), and an earlier buffer of length '%s' "
                 "has %llu: they must be equal", a->fname, a->pname, SB_TN, a->lenname, (unsigned long long)lencell->u);
    return -1;
}
#undef SB_TN

PyObject *sb__buffer_result(const void *p, uint64_t count, sb_type ret, const char *fname)
{
    sb_type elem = ret;
    elem.ptr--;
    size_t isz = elem.kind == SB_K_VOID ? 1 : sb__type_size(elem);
    if (!p) {
        if (count == 0)
            return PyBytes_FromStringAndSize("", 0);
        PyErr_Format(PyExc_ValueError, "%s() returned NULL with %llu items", fname, (unsigned long long)count);
        return NULL;
    }
    if (count > (uint64_t)PY_SSIZE_T_MAX / isz) {
        PyErr_Format(PyExc_OverflowError, "%s() returned %llu items: too many", fname, (unsigned long long)count);
        return NULL;
    }
    PyObject *b = PyBytes_FromStringAndSize(p, (Py_ssize_t)(count * isz));
    const char *fmt = sb__format_of(elem);
    if (!b || isz == 1 || !fmt)
        return b; /* bytes for char types and void */
    /* Typed items: a read-only memoryview of them, cast to their format. */
    PyObject *mv = PyMemoryView_FromObject(b);
    Py_DECREF(b);
    if (!mv)
        return NULL;
    PyObject *typed = PyObject_CallMethod(mv, "cast", "s", fmt);
    Py_DECREF(mv);
    return typed;
}

int sb__cell_count(const sb_cell *c, sb_type t, uint64_t *out)
{
    const sb_kindinfo *k = sb__kind((sb_kind)t.kind);
    uint64_t u = c->u;
    if (k->size < 8)
        u &= ((uint64_t)1 << (8 * k->size)) - 1;
    if (k->cls == SB_CLASS_SINT && k->size < 8 && (u >> (8 * k->size - 1)) & 1)
        return -1; /* negative */
    if (k->cls == SB_CLASS_SINT && k->size == 8 && c->i < 0)
        return -1;
    *out = u;
    return 0;
}
