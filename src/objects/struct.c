/* struct.c — the Struct object: a C struct/union value (owned, or a view into other memory) with members as attributes. */
#include "objects/objects.h"

#include <stdio.h>
#include <string.h>

typedef struct sb_struct {
    PyObject_HEAD
    const sb_layout *L;
    unsigned char *data;       /* the value: owned (base NULL) or inside base's memory */
    PyObject *owner;           /* keeps L alive (the Library that declared it), or NULL */
    PyObject *base;            /* whose memory `data` is in (a parent Struct), or NULL */
    sb_state *state;
    PyObject *module;          /* strong: state lives as long as it */
    bool view;                 /* data is not separately allocated: inline, or another's (base) or C's memory */
} sb_struct;

static sb_struct *alloc_struct_n(sb_state *st, PyObject *module, const sb_layout *L, PyObject *owner, size_t extra)
{
    sb_struct *s = (sb_struct *)PyType_GenericAlloc((PyTypeObject *)st->StructType, (Py_ssize_t)extra);
    if (!s)
        return NULL;
    s->L = L;
    s->state = st;
    Py_XINCREF(module);
    s->module = module;
    Py_XINCREF(owner);
    s->owner = owner;
    return s;
}

static sb_struct *alloc_struct(sb_state *st, PyObject *module, const sb_layout *L, PyObject *owner)
{
    return alloc_struct_n(st, module, L, owner, 0);
}

PyObject *sb__struct_new(sb_state *st, PyObject *module, const sb_layout *L, PyObject *owner, const void *src)
{
    /* The value lives in the object itself (one allocation, zero-filled), 16-byte aligned. */
    sb_struct *s = alloc_struct_n(st, module, L, owner, L->size + 16);
    if (!s)
        return NULL;
    s->data = (unsigned char *)(((uintptr_t)(s + 1) + 15) & ~(uintptr_t)15);
    s->view = true; /* not separately allocated: nothing to free */
    if (src)
        memcpy(s->data, src, L->size);
    return (PyObject *)s;
}

static PyObject *struct_view(sb_struct *parent, const sb_layout *L, unsigned char *data)
{
    sb_struct *s = alloc_struct(parent->state, parent->module, L, parent->owner);
    if (!s)
        return NULL;
    s->data = data;
    s->view = true;
    Py_INCREF(parent);
    s->base = (PyObject *)parent;
    return (PyObject *)s;
}

PyObject *sb__struct_view(const sb_layout *L, void *data, PyObject *base)
{
    sb_state *st = L->rt_state;
    if (!st) {
        PyErr_Format(PyExc_TypeError, "%s was not declared by a Library", L->name);
        return NULL;
    }
    sb_struct *s = alloc_struct(st, NULL, L, (PyObject *)L->rt_owner);
    if (!s)
        return NULL;
    s->data = data;
    s->view = true;
    Py_XINCREF(base);
    s->base = base; /* keeps the memory alive (a Pointer to owned memory, or NULL: C's memory) */
    return (PyObject *)s;
}

bool sb__struct_check(sb_state *st, PyObject *obj)
{
    return st && st->StructType && Py_TYPE(obj) == (PyTypeObject *)st->StructType;
}

void *sb__struct_data(PyObject *obj, const sb_layout **L)
{
    sb_struct *s = (sb_struct *)obj;
    if (L)
        *L = s->L;
    return s->data;
}

void sb__struct_set_owner(PyObject *obj, PyObject *owner)
{
    sb_struct *s = (sb_struct *)obj;
    if (!s->owner) {
        Py_INCREF(owner);
        s->owner = owner;
    }
}

/* ---- one member <-> Python ---- */

/* An array of bytes: assignment takes bytes (or str) for it. */
static bool is_char_array(const sb_field *f)
{
    return f->count && !f->type.ptr && !f->type.named &&
           (f->type.kind == SB_K_CHAR || f->type.kind == SB_K_SCHAR || f->type.kind == SB_K_UCHAR);
}

/* A `char[N]`: reads as bytes (up to its NUL), as in ctypes and cffi; signed
 * and unsigned char arrays are arrays of numbers. */
static bool is_text_array(const sb_field *f)
{
    return f->count && !f->type.ptr && !f->type.named && f->type.kind == SB_K_CHAR;
}

/* A `wchar_t[N]` (char16_t, char32_t): reads as str (up to its NUL), as ctypes' c_wchar arrays and cffi do. */
static bool is_wtext_array(const sb_field *f)
{
    return f->count && !f->type.ptr && !f->type.named &&
           (f->type.kind == SB_K_WCHAR || f->type.kind == SB_K_CHAR16 || f->type.kind == SB_K_CHAR32);
}

static size_t elem_size(sb_type t)
{
    return sb__type_size(t);
}


static uint8_t conv_of_member(sb_type t)
{
    if (t.ptr)
        return sb__type_is_cstring(t) ? SB_CV_CSTR : SB_CV_PTR;
    switch (sb__kind((sb_kind)t.kind)->cls) {
    case SB_CLASS_SINT: return SB_CV_SINT;
    case SB_CLASS_UINT: return SB_CV_UINT;
    case SB_CLASS_BOOL: return SB_CV_BOOL;
    default: return t.kind == SB_K_FLOAT ? SB_CV_FLOAT : SB_CV_DOUBLE;
    }
}

/* A single element (not an array) at p -> Python; mname names a function pointer. */
static PyObject *get_elem(sb_struct *s, sb_type t, unsigned char *p, const char *mname)
{
    if (!t.ptr && t.named && t.named->what == SB_NAMED_STRUCT)
        return struct_view(s, t.named->user, p); /* writes through to this struct */
    if (sb__type_wide(t))
        return sb__wide_get(t, p);
    sb_cell c;
    sb__cell_load(t, p, &c);
    if (sb__type_is_fnptr(t)) /* callable; its type belongs to the layout, so to its owner */
        return sb__function_at(s->state, t, c.p, mname, s->owner ? s->owner : (PyObject *)s, NULL, NULL);
    uint8_t conv = conv_of_member(t);
    if (conv == SB_CV_PTR) {
        if (!c.p) {
            Py_INCREF(Py_None);
            return Py_None;
        }
        /* A typed Pointer (`int *`, `char **`, `struct s *`); named types keep
         * the declaring Library alive. */
        return sb__pointer_new(s->state, c.p, t, t.named ? s->owner : NULL);
    }
    return sb__from_c(s->state, conv, t, &c);
}

static int set_elem(sb_state *st, const sb_layout *L, const char *mname, sb_type t, unsigned char *p, PyObject *v,
                    Py_ssize_t index);

static int set_field(sb_state *st, const sb_layout *L, const sb_field *f, unsigned char *base, PyObject *v);
static int set_bits(const sb_layout *L, const sb_field *f, unsigned char *base, PyObject *v);

/* What an error message calls the value: a fixed text, an argument (built
 * from its context), or a struct member — made only when an error happens. */
typedef struct what_ {
    const char *text;
    const sb_convctx *cx;
    const sb_layout *parent;
    const char *member;
    char buf[200];
} what_;

static const char *what_text(what_ *w)
{
    if (w->text)
        return w->text;
    if (w->cx) {
        char tn[96];
        sb__type_format(w->cx->declared, tn, sizeof tn);
        snprintf(w->buf, sizeof w->buf, "%s (%s)", sb__conv_who(w->cx), tn);
    } else {
        snprintf(w->buf, sizeof w->buf, "%s attribute '%s'", w->parent ? w->parent->name : "?",
                 w->member ? w->member : "?");
    }
    return w->buf;
}

static int store(sb_state *st, const sb_layout *L, PyObject *v, void *dst, what_ *w);

int sb__struct_store(sb_state *st, const sb_layout *L, PyObject *v, void *dst, const char *what)
{
    what_ w = {what, NULL, NULL, NULL, ""};
    return store(st, L, v, dst, &w);
}

int sb__struct_store_arg(const sb_convctx *cx, const sb_layout *L, PyObject *v, void *dst)
{
    what_ w = {NULL, cx, NULL, NULL, ""};
    return store(cx->state, L, v, dst, &w);
}

/* Python value -> a struct value at dst (a Struct of the same layout, a dict, or a sequence). */
static int store(sb_state *st, const sb_layout *L, PyObject *v, void *dst, what_ *w)
{
    unsigned char *d = dst;
    if (sb__struct_check(st, v)) {
        const sb_layout *vl;
        void *src = sb__struct_data(v, &vl);
        if (vl != L) {
            PyErr_Format(PyExc_TypeError, "%s must be a %s, not a %s", what_text(w), L->name, vl->name);
            return -1;
        }
        memmove(d, src, L->size);
        return 0;
    }
    _Alignas(16) unsigned char small[256];
    unsigned char *tmp = L->size <= sizeof small ? small : PyMem_Calloc(L->size, 1);
    if (!tmp)
        return PyErr_NoMemory(), -1;
    if (tmp == small)
        memset(small, 0, L->size);
    int rc = 0;
    if (PyDict_Check(v)) {
        /* Over a snapshot of the items: a member's conversion may run Python
         * code that changes the dict or drops the values in it. */
        PyObject *items = PyDict_Items(v);
        rc = items ? 0 : -1;
        for (Py_ssize_t i = 0; rc == 0 && i < PyList_Size(items); i++) {
            PyObject *kv = PyList_GetItem(items, i);
            PyObject *k = PyTuple_GetItem(kv, 0), *val = PyTuple_GetItem(kv, 1);
            PyObject *kb = PyUnicode_Check(k) ? PyUnicode_AsUTF8String(k) : NULL;
            const sb_field *f = kb ? sb__layout_field(L, PyBytes_AsString(kb), (size_t)PyBytes_Size(kb)) : NULL;
            if (!f) {
                if (!PyErr_Occurred())
                    PyErr_Format(PyExc_TypeError, "%s: %s has no member %R", what_text(w), L->name, k);
                rc = -1;
            } else {
                rc = set_field(st, L, f, tmp, val);
            }
            Py_XDECREF(kb);
        }
        Py_XDECREF(items);
    } else if (PyTuple_Check(v) || PyList_Check(v)) {
        PyObject *seq = PySequence_Tuple(v); /* a snapshot, as for dicts */
        Py_ssize_t n = seq ? PyTuple_Size(seq) : -1;
        if (!seq) {
            rc = -1;
        }
        /* In order, as C's `{1, 2}`: a union (or an anonymous union member)
         * takes one value, for its first member. */
        Py_ssize_t npos = 0;
        for (uint16_t i = 0; i < L->nfields; i++)
            npos += !L->fields[i].inert;
        if (rc == 0 && n > npos) {
            PyErr_Format(PyExc_TypeError, "%s: %s takes at most %zd value%s in order, not %zd", what_text(w), L->name,
                         npos, npos == 1 ? "" : "s", n);
            rc = -1;
        }
        for (Py_ssize_t i = 0, k = 0; rc == 0 && k < n; i++)
            if (!L->fields[i].inert)
                rc = set_field(st, L, &L->fields[i], tmp, PyTuple_GetItem(seq, k++));
        Py_XDECREF(seq);
    } else {
        PyObject *tn = PyObject_GetAttrString((PyObject *)Py_TYPE(v), "__name__");
        PyErr_Format(PyExc_TypeError, "%s must be a %s, a dict or a tuple, not %S", what_text(w), L->name,
                     tn ? tn : Py_None);
        Py_XDECREF(tn);
        rc = -1;
    }
    if (rc == 0)
        memcpy(d, tmp, L->size);
    if (tmp != small)
        PyMem_Free(tmp);
    return rc;
}

/* Sets one member of the value at `base` (arrays: from a sequence, char arrays from bytes/str). */
static int set_field(sb_state *st, const sb_layout *L, const sb_field *f, unsigned char *base, PyObject *v)
{
    if (f->bit_width)
        return set_bits(L, f, base, v);
    unsigned char *p = base + f->offset;
    if (f->flex) {
        PyErr_Format(PyExc_TypeError, "%s member '%s' is a flexible array: write its elements through the Pointer it "
                     "reads as", L->name, f->name);
        return -1;
    }
    if (!f->count)
        return set_elem(st, L, f->name, f->type, p, v, -1);
    size_t es = elem_size(f->type);
    if (is_char_array(f) && (PyBytes_Check(v) || PyUnicode_Check(v))) {
        PyObject *b = PyUnicode_Check(v) ? PyUnicode_AsUTF8String(v) : (Py_INCREF(v), v);
        if (!b)
            return -1;
        Py_ssize_t n = PyBytes_Size(b);
        if ((size_t)n > f->count) {
            PyErr_Format(PyExc_ValueError, "%s attribute '%s' (char[%u]) holds at most %u bytes, not %zd", L->name,
                         f->name, (unsigned)f->count, (unsigned)f->count, n);
            Py_DECREF(b);
            return -1;
        }
        memset(p, 0, f->count);
        memcpy(p, PyBytes_AsString(b), (size_t)n);
        Py_DECREF(b);
        return 0;
    }
    if (is_wtext_array(f) && PyUnicode_Check(v)) {
        PyObject *b = sb__wstr_encode((sb_kind)f->type.kind, v);
        if (!b)
            return -1;
        size_t n = (size_t)PyBytes_Size(b) / es;
        if (n > f->count) {
            char tn[64];
            sb__type_format(f->type, tn, sizeof tn);
            PyErr_Format(PyExc_ValueError, "%s attribute '%s' (%s[%u]) holds at most %u characters, not %zu", L->name,
                         f->name, tn, (unsigned)f->count, (unsigned)f->count, n);
            Py_DECREF(b);
            return -1;
        }
        memset(p, 0, f->count * es);
        memcpy(p, PyBytes_AsString(b), n * es);
        Py_DECREF(b);
        return 0;
    }
    PyObject *seq = sb__snapshot(v, "an array member takes a sequence");
    if (!seq)
        return -1;
    Py_ssize_t n = PyTuple_Size(seq);
    if ((size_t)n > f->count) {
        PyErr_Format(PyExc_ValueError, "%s attribute '%s' has %u elements, not %zd", L->name, f->name,
                     (unsigned)f->count, n);
        Py_DECREF(seq);
        return -1;
    }
    unsigned char *tmp = PyMem_Calloc(f->count, es);
    int rc = tmp ? 0 : (PyErr_NoMemory(), -1);
    for (Py_ssize_t i = 0; rc == 0 && i < n; i++)
        rc = set_elem(st, L, f->name, f->type, tmp + (size_t)i * es, PyTuple_GetItem(seq, i), i);
    if (rc == 0)
        memcpy(p, tmp, f->count * es);
    PyMem_Free(tmp);
    Py_DECREF(seq);
    return rc;
}

/* Sets a member (index -1) or element `index` of an array member mname. */
static int set_elem(sb_state *st, const sb_layout *L, const char *mname, sb_type t, unsigned char *p, PyObject *v,
                    Py_ssize_t index)
{
    char iname[96];
    if (index >= 0) { /* messages name the element: 'arr[1]' */
        snprintf(iname, sizeof iname, "%s[%zd]", mname, index);
        mname = iname;
    }
    if (!t.ptr && t.named && t.named->what == SB_NAMED_STRUCT) {
        what_ w = {NULL, NULL, L, mname, ""};
        return store(st, t.named->user, v, p, &w);
    }
    if (sb__type_wide(t)) {
        sb_convctx cx = {L->name, mname, t, st, SB_CX_ATTRIBUTE, false};
        return sb__wide_set(&cx, t, v, p);
    }
    uint8_t conv = conv_of_member(t);
    sb_cell c;
    c.u = 0;
    if (sb__type_is_fnptr(t) && st) {
        /* A Callback or function of this type, a Pointer, an address or None
         * (never a plain callable: nothing would keep its Callback alive). */
        sb_convctx cx = {L->name, mname, t, st, SB_CX_ATTRIBUTE, false};
        if (sb__to_c(&cx, SB_CV_FUNC, t, v, &c, NULL) < 0)
            return -1;
        sb__cell_store(t, p, &c);
        return 0;
    }
    if (conv == SB_CV_PTR || conv == SB_CV_CSTR) {
        /* Only addresses: memory a Python object owns (a str, a buffer) would
         * outlive nothing once stored in C memory. */
        if (v == Py_None) {
            c.p = NULL;
        } else if (st && Py_TYPE(v) == (PyTypeObject *)st->PointerType) {
            c.p = ((sb_pointer *)v)->addr;
        } else if (sb__struct_check(st, v)) {
            c.p = sb__struct_data(v, NULL); /* the caller keeps that Struct alive */
        } else if (PyLong_Check(v) && !PyBool_Check(v)) {
            c.p = PyLong_AsVoidPtr(v);
            if (!c.p && PyErr_Occurred())
                return -1;
        } else {
            char tn[64];
            sb__type_format(t, tn, sizeof tn);
            PyErr_Format(PyExc_TypeError, "%s attribute '%s' (%s) takes a sigbind.Pointer, an int address or None "
                         "(a str or buffer would not outlive the assignment)", L->name, mname, tn);
            return -1;
        }
        sb__cell_store(t, p, &c);
        return 0;
    }
    sb_convctx cx = {L->name, mname, t, st, SB_CX_ATTRIBUTE, false};
    if (sb__to_c(&cx, conv, t, v, &c, NULL) < 0)
        return -1;
    sb__cell_store(t, p, &c);
    return 0;
}

/* Bit-fields: the bytes the field occupies, from its storage unit's start
 * (x86-64's order: little-endian, bits from the least significant), read into
 * or written back from a uint64_t; never a byte more, so a packed struct's
 * bit-field at its end does not reach past it (sb_field: bit_offset + bit_width <= 64). */
static unsigned bit_bytes(const sb_field *f)
{
    return (f->bit_offset + f->bit_width + 7u) / 8u;
}

static uint64_t load_unit(const sb_field *f, const unsigned char *p)
{
    uint64_t u = 0;
    for (unsigned i = 0, n = bit_bytes(f); i < n; i++)
        u |= (uint64_t)p[i] << (8 * i);
    return u;
}

static void store_unit(const sb_field *f, unsigned char *p, uint64_t u)
{
    for (unsigned i = 0, n = bit_bytes(f); i < n; i++)
        p[i] = (unsigned char)(u >> (8 * i));
}

static PyObject *get_bits(const sb_field *f, const unsigned char *base)
{
    uint64_t unit = load_unit(f, base + f->offset);
    uint64_t mask = f->bit_width >= 64 ? UINT64_MAX : ((UINT64_C(1) << f->bit_width) - 1);
    uint64_t v = (unit >> f->bit_offset) & mask;
    const sb_kindinfo *ki = sb__kind((sb_kind)f->type.kind);
    if (ki->cls == SB_CLASS_BOOL)
        return PyBool_FromLong((long)v);
    if (ki->cls == SB_CLASS_SINT && f->bit_width < 64 && (v >> (f->bit_width - 1)) & 1)
        return PyLong_FromLongLong((long long)(v | ~mask)); /* sign-extended */
    return ki->cls == SB_CLASS_SINT ? PyLong_FromLongLong((long long)v) : PyLong_FromUnsignedLongLong(v);
}

static int set_bits(const sb_layout *L, const sb_field *f, unsigned char *base, PyObject *v)
{
    const sb_kindinfo *ki = sb__kind((sb_kind)f->type.kind);
    uint8_t conv = ki->cls == SB_CLASS_SINT ? SB_CV_SINT : ki->cls == SB_CLASS_UINT ? SB_CV_UINT : SB_CV_BOOL;
    sb_convctx cx = {L->name, f->name, f->type, NULL, SB_CX_ATTRIBUTE, false};
    sb_cell c;
    c.u = 0;
    if (sb__to_c(&cx, conv, f->type, v, &c, NULL) < 0)
        return -1;
    unsigned w = f->bit_width;
    int64_t lo = conv == SB_CV_SINT ? (w >= 64 ? INT64_MIN : -((int64_t)1 << (w - 1))) : 0;
    uint64_t hi = conv == SB_CV_SINT ? (w >= 64 ? (uint64_t)INT64_MAX : ((uint64_t)1 << (w - 1)) - 1)
                                     : (w >= 64 ? UINT64_MAX : ((uint64_t)1 << w) - 1);
    /* the cell holds the value at its type's width: widen it back */
    int64_t sv = 0;
    uint64_t uv = c.u;
    if (conv == SB_CV_SINT) {
        switch (ki->size) {
        case 1: sv = (int8_t)c.u; break;
        case 2: sv = (int16_t)c.u; break;
        case 4: sv = (int32_t)c.u; break;
        default: sv = c.i; break;
        }
        uv = (uint64_t)sv;
    } else if (ki->size < 8) {
        uv &= (UINT64_C(1) << (ki->size * 8)) - 1;
    }
    bool ok = conv == SB_CV_SINT ? (sv >= lo && (sv < 0 || (uint64_t)sv <= hi)) : uv <= hi;
    if (!ok) {
        char tn[64];
        sb__type_format(f->type, tn, sizeof tn);
        if (conv == SB_CV_SINT)
            PyErr_Format(PyExc_OverflowError, "%s attribute '%s' (%s : %u) must be in %lld..%llu, not %R", L->name,
                         f->name, tn, w, (long long)lo, (unsigned long long)hi, v);
        else
            PyErr_Format(PyExc_OverflowError, "%s attribute '%s' (%s : %u) must be in 0..%llu, not %R", L->name,
                         f->name, tn, w, (unsigned long long)hi, v);
        return -1;
    }
    uint64_t mask = (w >= 64 ? UINT64_MAX : ((UINT64_C(1) << w) - 1)) << f->bit_offset;
    uint64_t unit = load_unit(f, base + f->offset);
    unit = (unit & ~mask) | ((uv << f->bit_offset) & mask);
    store_unit(f, base + f->offset, unit);
    return 0;
}

/* An array member as a view: a Pointer to its first element that knows the
 * array's bounds (len, index checks, iteration), writes into this struct and
 * keeps it alive, as ctypes' and cffi's array members do. */
static PyObject *array_view(sb_struct *s, const sb_field *f)
{
    sb_type pt = f->type;
    pt.ptr++;
    unsigned char *p = s->data + f->offset;
    PyObject *v = sb__pointer_new(s->state, p, pt, (PyObject *)s);
    if (v) {
        ((sb_pointer *)v)->lo = (char *)p;
        ((sb_pointer *)v)->span = (size_t)f->count * elem_size(f->type);
    }
    return v;
}

/* A member's value; an array is a view, or with `copy` a list of its values
 * (for repr, _asdict, ==, s[name] and dict(s)). */
static PyObject *get_member_as(sb_struct *s, const sb_field *f, bool copy)
{
    if (f->bit_width)
        return get_bits(f, s->data);
    unsigned char *p = s->data + f->offset;
    if (f->flex) { /* char data[]: a pointer to the elements after the struct (their number is C's to know) */
        sb_type t = f->type;
        t.ptr++;
        return sb__pointer_new(s->state, p, t, (PyObject *)s);
    }
    if (!f->count)
        return get_elem(s, f->type, p, f->name);
    if (is_text_array(f))
        return PyBytes_FromStringAndSize((const char *)p, (Py_ssize_t)strnlen((const char *)p, f->count));
    if (is_wtext_array(f))
        return sb__wstr_get((sb_kind)f->type.kind, p, f->count);
    if (!copy)
        return array_view(s, f);
    PyObject *list = PyList_New(f->count);
    size_t es = elem_size(f->type);
    for (uint32_t i = 0; list && i < f->count; i++) {
        PyObject *v = get_elem(s, f->type, p + i * es, f->name);
        if (!v) {
            Py_CLEAR(list);
            break;
        }
        PyList_SetItem(list, i, v);
    }
    return list;
}

static PyObject *get_member(sb_struct *s, const sb_field *f)
{
    return get_member_as(s, f, true);
}

static const sb_field *find(const sb_struct *s, PyObject *name)
{
    if (!PyUnicode_Check(name))
        return NULL;
    PyObject *b = PyUnicode_AsUTF8String(name);
    if (!b) {
        PyErr_Clear();
        return NULL;
    }
    const sb_field *f = sb__layout_field(s->L, PyBytes_AsString(b), (size_t)PyBytes_Size(b));
    Py_DECREF(b);
    return f;
}

static PyObject *struct_getattro(PyObject *self, PyObject *name)
{
    const sb_field *f = find((sb_struct *)self, name);
    if (f)
        return get_member_as((sb_struct *)self, f, false);
    return PyObject_GenericGetAttr(self, name);
}

static int struct_setattro(PyObject *self, PyObject *name, PyObject *v)
{
    sb_struct *s = (sb_struct *)self;
    const sb_field *f = find(s, name);
    if (!f) {
        PyErr_Format(PyExc_AttributeError, "%s has no member %R", s->L->name, name);
        return -1;
    }
    if (!v) {
        PyErr_Format(PyExc_AttributeError, "%s members cannot be deleted", s->L->name);
        return -1;
    }
    return set_field(s->state, s->L, f, s->data, v);
}

static PyObject *struct_asdict(PyObject *self, PyObject *unused)
{
    (void)unused;
    sb_struct *s = (sb_struct *)self;
    PyObject *d = PyDict_New();
    for (uint16_t i = 0; d && i < s->L->nfields; i++) {
        const sb_field *f = &s->L->fields[i];
        PyObject *v = get_member(s, f);
        if (v && sb__struct_check(s->state, v)) { /* nested: a dict too */
            PyObject *dv = struct_asdict(v, NULL);
            Py_DECREF(v);
            v = dv;
        }
        if (!v || PyDict_SetItemString(d, f->name, v) < 0)
            Py_CLEAR(d);
        Py_XDECREF(v);
    }
    return d;
}

static PyObject *struct_keys(PyObject *self, PyObject *unused)
{
    (void)unused;
    sb_struct *s = (sb_struct *)self;
    PyObject *l = PyList_New(s->L->nfields);
    for (uint16_t i = 0; l && i < s->L->nfields; i++) {
        PyObject *n = PyUnicode_FromString(s->L->fields[i].name);
        if (!n) {
            Py_CLEAR(l);
            break;
        }
        PyList_SetItem(l, i, n);
    }
    return l;
}

static PyObject *struct_subscript(PyObject *self, PyObject *key)
{
    const sb_field *f = find((sb_struct *)self, key);
    if (!f) {
        if (!PyErr_Occurred())
            PyErr_SetObject(PyExc_KeyError, key);
        return NULL;
    }
    return get_member((sb_struct *)self, f);
}

static Py_ssize_t struct_len(PyObject *self)
{
    return ((sb_struct *)self)->L->nfields;
}

static PyObject *struct_richcompare(PyObject *a, PyObject *b, int op)
{
    sb_struct *s = (sb_struct *)a;
    if ((op != Py_EQ && op != Py_NE) || !sb__struct_check(s->state, b) || ((sb_struct *)b)->L != s->L)
        Py_RETURN_NOTIMPLEMENTED;
    PyObject *da = struct_asdict(a, NULL), *db = da ? struct_asdict(b, NULL) : NULL;
    PyObject *r = db ? PyObject_RichCompare(da, db, op) : NULL;
    Py_XDECREF(da);
    Py_XDECREF(db);
    return r;
}

static PyObject *struct_repr(PyObject *self)
{
    sb_struct *s = (sb_struct *)self;
    PyObject *parts = PyList_New(0);
    for (uint16_t i = 0; parts && i < s->L->nfields; i++) {
        PyObject *v = get_member(s, &s->L->fields[i]);
        PyObject *item = v ? PyUnicode_FromFormat("%s=%R", s->L->fields[i].name, v) : NULL;
        Py_XDECREF(v);
        if (!item || PyList_Append(parts, item) < 0)
            Py_CLEAR(parts);
        Py_XDECREF(item);
    }
    if (!parts)
        return NULL;
    PyObject *sep = PyUnicode_FromString(", ");
    PyObject *body = sep ? PyUnicode_Join(sep, parts) : NULL;
    Py_XDECREF(sep);
    Py_DECREF(parts);
    if (!body)
        return NULL;
    PyObject *r = PyUnicode_FromFormat("%s(%U)", s->L->name, body);
    Py_DECREF(body);
    return r;
}

/* One member name of an offsetof() path: *t, *count and *off move to it. */
static int offsetof_name(sb_type *t, uint32_t *count, size_t *off, const char *name, size_t len)
{
    const sb_layout *L = !t->ptr && !*count && t->named && t->named->what == SB_NAMED_STRUCT ? t->named->user : NULL;
    if (!L) {
        char tn[96];
        sb__type_format(*t, tn, sizeof tn);
        PyErr_Format(PyExc_TypeError, "offsetof(): '%s'%s has no member '%.*s'", tn, *count ? " (an array)" : "",
                     (int)len, name);
        return -1;
    }
    const sb_field *f = sb__layout_field(L, name, len);
    if (!f) {
        PyErr_Format(PyExc_AttributeError, "offsetof(): %s has no member '%.*s'", L->name, (int)len, name);
        return -1;
    }
    if (f->bit_width) {
        PyErr_Format(PyExc_TypeError, "offsetof(): %s member '%s' is a bit-field: it has no byte offset", L->name,
                     f->name);
        return -1;
    }
    *off += f->offset;
    *t = f->type;
    *count = f->count;
    return 0;
}

PyObject *sb__struct_offsetof(const sb_layout *L, PyObject *path)
{
    sb_type t = {SB_K_VOID, 0, 0, &L->named};
    uint32_t count = 0;
    size_t off = 0;
    if (PyTuple_Size(path) == 0) {
        PyErr_SetString(PyExc_TypeError, "offsetof() needs a member name (or a path: 'a', 'b', 2 or 'a.b')");
        return NULL;
    }
    for (Py_ssize_t i = 0; i < PyTuple_Size(path); i++) {
        PyObject *step = PyTuple_GetItem(path, i);
        if (PyUnicode_Check(step)) {
            PyObject *b = PyUnicode_AsUTF8String(step);
            if (!b)
                return NULL;
            const char *s = PyBytes_AsString(b);
            int rc = 0;
            for (const char *p = s, *end = s + PyBytes_Size(b);;) { /* "a.b.c" is three steps */
                const char *dot = memchr(p, '.', (size_t)(end - p));
                const char *stop = dot ? dot : end;
                if ((rc = offsetof_name(&t, &count, &off, p, (size_t)(stop - p))) < 0 || !dot)
                    break;
                p = dot + 1;
            }
            Py_DECREF(b);
            if (rc < 0)
                return NULL;
        } else if (PyLong_Check(step) && !PyBool_Check(step)) {
            Py_ssize_t k = PyLong_AsSsize_t(step);
            if (k == -1 && PyErr_Occurred())
                return NULL;
            if (!count) {
                PyErr_Format(PyExc_TypeError, "offsetof(): index %zd of something that is not an array", k);
                return NULL;
            }
            if (k < 0 || (size_t)k >= count) {
                PyErr_Format(PyExc_IndexError, "offsetof(): index %zd out of range for an array of %u", k,
                             (unsigned)count);
                return NULL;
            }
            off += (size_t)k * sb__type_size(t);
            count = 0;
        } else {
            PyErr_Format(PyExc_TypeError, "offsetof() path items are member names (str) or array indexes (int), not %R",
                         (PyObject *)Py_TYPE(step));
            return NULL;
        }
    }
    return PyLong_FromSize_t(off);
}

static PyObject *get_address(PyObject *self, void *c)
{
    (void)c;
    return PyLong_FromVoidPtr(((sb_struct *)self)->data);
}

static PyObject *get_ctype(PyObject *self, void *c)
{
    (void)c;
    return PyUnicode_FromString(((sb_struct *)self)->L->name);
}

static PyObject *get_size(PyObject *self, void *c)
{
    (void)c;
    return PyLong_FromSize_t(((sb_struct *)self)->L->size);
}

static int struct_traverse(PyObject *self, visitproc visit, void *arg)
{
    sb_struct *s = (sb_struct *)self;
    Py_VISIT(s->owner);
    Py_VISIT(s->base);
    Py_VISIT(s->module);
    return sb__compat_visit_type(self, visit, arg);
}

static void struct_dealloc(PyObject *self)
{
    sb_struct *s = (sb_struct *)self;
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    if (!s->base && !s->view)
        PyMem_Free(s->data);
    Py_CLEAR(s->base);
    Py_CLEAR(s->owner);
    Py_CLEAR(s->module);
    freefunc tfree = (freefunc)PyType_GetSlot(tp, Py_tp_free);
    tfree(self);
    sb__compat_dealloc_type(tp);
}

static PyObject *struct_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    (void)type, (void)args, (void)kwds;
    PyErr_SetString(PyExc_TypeError, "sigbind.Struct values are made by Library.new() or returned by C functions");
    return NULL;
}

static PyMethodDef struct_methods[] = {
    {"_asdict", struct_asdict, METH_NOARGS, "The members as a dict (nested structs as dicts)."},
    {"keys", struct_keys, METH_NOARGS, "The member names, in order (so dict(s) works)."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef struct_getset[] = {
    {"_address", get_address, NULL, "Where the value is in memory (valid while this object lives).", NULL},
    {"_type", get_ctype, NULL, "The C type: 'struct point'.", NULL},
    {"_size", get_size, NULL, "sizeof the C type.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot struct_slots[] = {
    {Py_tp_doc, (void *)"A C struct or union value; members are attributes (and keys: dict(s))."},
    {Py_tp_new, (void *)struct_new},
    {Py_tp_dealloc, (void *)struct_dealloc},
    {Py_tp_traverse, (void *)struct_traverse},
    {Py_tp_getattro, (void *)struct_getattro},
    {Py_tp_setattro, (void *)struct_setattro},
    {Py_tp_repr, (void *)struct_repr},
    {Py_tp_richcompare, (void *)struct_richcompare},
    {Py_tp_methods, (void *)struct_methods},
    {Py_tp_getset, (void *)struct_getset},
    {Py_mp_subscript, (void *)struct_subscript},
    {Py_mp_length, (void *)struct_len},
    {Py_tp_hash, (void *)PyObject_HashNotImplemented},
    {0, NULL},
};

PyType_Spec sb__struct_spec = {
    "sigbind.Struct", sizeof(sb_struct), 1, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC, struct_slots,
};
