/* pycall.c — calling Python from C in the signature language: sb_call, sb_call_method, sb_extract, sb_value, sb_tuple, sb_dict. */
#include "cface/cface.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/*
 * Parameter lists ("(int64_t a, const char *s)") and types ("const char *")
 * are parsed by the signature parser (src/core/proto.c) on every call: a parameter
 * list is wrapped as the prototype "void f<params>" and the error columns are
 * mapped back to the caller's text. The parser handles about 3 million short
 * signatures per second (one malloc'd arena each), i.e. a few hundred ns per
 * sb_call, small next to calling a Python function; nothing is cached, so
 * there is no global state and the text may live anywhere (stack, heap).
 *
 * Conversions reuse the Python face's converters (src/convert.c): C -> Python
 * with sb__from_c, Python -> C with sb__to_c, so the same types convert the
 * same way in both faces.
 *
 * Text: a char * or const char * value becomes a str (NULL: None), like a
 * char * result in the Python face; sb_extract gives a const char * from
 * str/bytes, while a (writable) char * is a pointer, never a str's UTF-8.
 *
 * Pointers other than char *: C -> Python gives a sigbind.Pointer when a
 * sigbind module's state is at hand, i.e. while a C-face module's function or
 * exec hook runs (sb__current_module). Elsewhere (a plain embedding program)
 * there is no Pointer type to make one from, and the address comes back as an
 * int (NULL as None either way); int(p) of a Pointer is the same number.
 */

/* "void f" + params: the wrapped text's columns are offset by this much. */
#define PREFIX "void f"
#define PREFIX_LEN (sizeof PREFIX - 1)

/* The sb_state of the C-face module whose code is running on this thread
 * (module.c gives every C-face module an sb_state as its module state), or
 * NULL. Used for its Pointer and SignatureError types. */
static sb_state *current_state(void)
{
    PyObject *m = sb__module_now();
    if (!m)
        return NULL;
    sb_state *st = (sb_state *)PyModule_GetState(m);
    if (!st) {
        PyErr_Clear();
        return NULL;
    }
    return st;
}

/* Raises the error of a parameter list or type text: sigbind.SignatureError
 * (a ValueError) with .text, .column (1-based), .reason, like the Python face.
 * SignatureError is the running C-face module's (which is sigbind's own when
 * sigbind is importable), else sigbind's if it can be imported, else plain
 * ValueError with the same attributes and message. */
static void raise_text_error(const char *what, const char *text, size_t len, size_t col, const char *fmt, ...)
    SB_PRINTF(5, 6);
static void raise_text_error(const char *what, const char *text, size_t len, size_t col, const char *fmt, ...)
{
    sb_error err;
    err.col = col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err.msg, sizeof err.msg, fmt, ap);
    va_end(ap);

    PyObject *type = NULL; /* new reference */
    sb_state *cur = current_state();
    if (cur && cur->SignatureError) {
        type = cur->SignatureError;
        Py_INCREF(type);
    } else {
        PyObject *mod = PyImport_ImportModule("sigbind");
        if (mod) {
            type = PyObject_GetAttrString(mod, "SignatureError");
            Py_DECREF(mod);
        }
        if (!type || !PyType_Check(type) || PyObject_IsSubclass(type, PyExc_ValueError) != 1) {
            Py_XDECREF(type);
            type = PyExc_ValueError;
            Py_INCREF(type);
        }
        PyErr_Clear();
    }
    /* errors.c formats the message with the caret and sets the attributes; it
     * only reads st->SignatureError. */
    sb_state st;
    memset(&st, 0, sizeof st);
    st.SignatureError = type;
    sb__raise_sigerror(&st, text, len, &err, what);
    if (!PyErr_Occurred())
        PyErr_SetString(PyExc_SystemError, "sigbind: could not report an error in a parameter list");
    Py_DECREF(type);
}

/* ------------------------------------------------------------------ */
/* Parsing                                                             */

typedef enum pl_use {
    USE_CALL,   /* sb_call: positional, then keyword-only parameters as keywords */
    USE_TUPLE,  /* sb_tuple: names and '*' are only documentation */
    USE_DICT    /* sb_dict: every parameter needs its name (the key) */
} pl_use;

/* Column of the first "[[" outside the parentheses, or (size_t)-1. */
static size_t outer_annotation(const char *s, size_t len)
{
    int depth = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '"' || c == '\'') {
            for (i++; i < len && s[i] != c; i++)
                if (s[i] == '\\')
                    i++;
        } else if (c == '(') {
            depth++;
        } else if (c == ')') {
            depth--;
        } else if (c == '[' && depth <= 0 && i + 1 < len && s[i + 1] == '[') {
            return i;
        }
    }
    return (size_t)-1;
}

/* Parses a parameter list for `fname` ("sb_call"). NULL text means "()".
 * Returns the signature (free with sb__sig_free) or NULL with an exception. */
static sb_sig *parse_params(const char *fname, const char *params, pl_use use)
{
    if (!params)
        params = "()";
    size_t len = strlen(params);
    char what[48];
    snprintf(what, sizeof what, "%s()", fname);

    size_t i = 0;
    while (i < len && (params[i] == ' ' || params[i] == '\t' || params[i] == '\n' || params[i] == '\r'))
        i++;
    if (i >= len || params[i] != '(') {
        raise_text_error(what, params, len, i, "expected '(' to start the parameter list");
        return NULL;
    }

    char stack[256];
    char *buf = PREFIX_LEN + len + 1 <= sizeof stack ? stack : malloc(PREFIX_LEN + len + 1);
    if (!buf) {
        PyErr_NoMemory();
        return NULL;
    }
    memcpy(buf, PREFIX, PREFIX_LEN);
    memcpy(buf + PREFIX_LEN, params, len + 1);
    sb_error err;
    sb_sig *sig = sb__sig_parse(buf, PREFIX_LEN + len, &err);
    if (buf != stack)
        free(buf);
    if (!sig) {
        size_t col = err.col == (size_t)-1 ? err.col : err.col >= PREFIX_LEN ? err.col - PREFIX_LEN : 0;
        raise_text_error(what, params, len, col, "%s", err.msg);
        return NULL;
    }

    /* What a prototype may say but a list of C values may not. */
    size_t col = (size_t)-1;
    const char *why = NULL;
    for (uint16_t k = 0; k < sig->nparams && !why; k++) {
        const sb_param *prm = &sig->params[k];
        col = prm->col - PREFIX_LEN;
        if (prm->flags & (SB_PARAM_VARARGS | SB_PARAM_VARKW))
            why = "*args and **kwargs are not supported here (every parameter is one C value)";
        else if (prm->flags & (SB_PARAM_OUT | SB_PARAM_INOUT))
            why = "[[out]] and [[inout]] have no meaning here (every parameter is a C value passed in)";
        else if (prm->def)
            col = prm->def->def_pos - PREFIX_LEN, why = "parameters take no default here (every value is an argument)";
        else if (use == USE_CALL && sig->kwonly >= 0 && k >= sig->kwonly && !prm->name)
            why = "a keyword-only parameter needs a name (it is the keyword)";
        else if (use == USE_DICT && !prm->name)
            why = "every parameter needs a name (the names are the keys)";
        else if (!prm->type.ptr && !prm->type.named && sb__kind((sb_kind)prm->type.kind)->cls == SB_CLASS_WIDE)
            why = "complex, __int128 and _Float128 values are not supported here (pass a pointer)";
    }
    if (!why) {
        if (sig->flags & SB_SIG_VARIADIC) {
            const char *dots = strstr(params, "...");
            col = dots ? (size_t)(dots - params) : (size_t)-1;
            why = "'...' is not allowed here (list every parameter)";
        } else if ((sig->flags & (SB_SIG_NOGIL | SB_SIG_FREE)) || sig->contract.kind != SB_CONTRACT_NONE) {
            col = outer_annotation(params, len);
            why = "annotations after the parameter list have no meaning here";
        }
    }
    if (why) {
        sb__sig_free(sig);
        raise_text_error(what, params, len, col, "%s", why);
        return NULL;
    }
    return sig;
}

/* Parses one type ("const char *") for `fname`; 0 or -1 with an exception. */
static int parse_type(const char *fname, const char *text, sb_type *t)
{
    char what[48];
    snprintf(what, sizeof what, "%s()", fname);
    if (!text) {
        PyErr_Format(PyExc_SystemError, "%s: no type given (NULL)", what);
        return -1;
    }
    size_t len = strlen(text);
    sb_error err;
    if (sb__type_parse(text, len, t, &err) < 0) {
        raise_text_error(what, text, len, err.col, "%s", err.msg);
        return -1;
    }
    return 0;
}

/* The converter kind of a value of type t. */
static uint8_t conv_of(sb_type t)
{
    if (t.ptr) {
        if (t.kind == SB_K_PYOBJECT)
            return SB_CV_PYOBJ;
        return sb__type_is_cstring(t) ? SB_CV_CSTR : SB_CV_PTR;
    }
    switch (sb__kind((sb_kind)t.kind)->cls) {
    case SB_CLASS_SINT: return SB_CV_SINT;
    case SB_CLASS_UINT: return SB_CV_UINT;
    case SB_CLASS_BOOL: return SB_CV_BOOL;
    case SB_CLASS_FLOAT: return t.kind == SB_K_FLOAT ? SB_CV_FLOAT : SB_CV_DOUBLE;
    default: return SB_CV_VOID;
    }
}

/* ------------------------------------------------------------------ */
/* C -> Python                                                         */

/* Reads one variadic argument of type t into *cell, by the type it has after
 * C's default argument promotions: types narrower than int (bool, char,
 * short, int8_t, uint16_t, ...) arrive as int, float as double; every other
 * type is read as itself, pointers as void * (PyObject * as itself). Values
 * narrower than the cell are stored whole; sb__from_c keeps the type's bytes,
 * so an out-of-range int given for an int8_t converts as a C cast would.
 * (ap is a pointer to a va_list, as C11 7.16 allows.) */
static void read_arg(sb_type t, va_list *ap, sb_cell *cell)
{
    cell->u = 0;
    if (t.ptr) {
        if (t.kind == SB_K_PYOBJECT)
            cell->p = va_arg(*ap, PyObject *);
        else
            cell->p = va_arg(*ap, void *);
        return;
    }
    switch ((sb_kind)t.kind) {
    case SB_K_VOID:
        break;
    case SB_K_BOOL:
        cell->u = va_arg(*ap, int) != 0;
        break;
    case SB_K_CHAR:
    case SB_K_SCHAR:
    case SB_K_SHORT:
    case SB_K_INT8:
    case SB_K_INT16:
    case SB_K_INT:
    case SB_K_INT32:
        cell->i = va_arg(*ap, int);
        break;
    case SB_K_UCHAR:
    case SB_K_USHORT:
    case SB_K_UINT8:
    case SB_K_UINT16:
        /* promoted to (signed) int: int holds every value of these types */
        cell->u = (unsigned)va_arg(*ap, int);
        break;
    case SB_K_UINT:
    case SB_K_UINT32:
        cell->u = va_arg(*ap, unsigned int);
        break;
    case SB_K_LONG: cell->i = va_arg(*ap, long); break;
    case SB_K_ULONG: cell->u = va_arg(*ap, unsigned long); break;
    case SB_K_LLONG: cell->i = va_arg(*ap, long long); break;
    case SB_K_ULLONG: cell->u = va_arg(*ap, unsigned long long); break;
    case SB_K_INT64: cell->i = va_arg(*ap, int64_t); break;
    case SB_K_UINT64: cell->u = va_arg(*ap, uint64_t); break;
    case SB_K_SIZE: cell->u = va_arg(*ap, size_t); break;
    case SB_K_SSIZE: cell->i = va_arg(*ap, Py_ssize_t); break;
    case SB_K_INTPTR: cell->i = va_arg(*ap, intptr_t); break;
    case SB_K_UINTPTR: cell->u = va_arg(*ap, uintptr_t); break;
    case SB_K_PTRDIFF: cell->i = va_arg(*ap, ptrdiff_t); break;
    case SB_K_FLOAT: cell->f = (float)va_arg(*ap, double); break;
    case SB_K_DOUBLE: cell->d = va_arg(*ap, double); break;
    case SB_K_LDOUBLE: cell->d = (double)va_arg(*ap, long double); break;
    case SB_K_WCHAR: /* promoted to int when narrower */
        if (sizeof(wchar_t) < sizeof(int))
            cell->u = (unsigned)va_arg(*ap, int);
        else
            cell->i = va_arg(*ap, int);
        break;
    case SB_K_CHAR16: cell->u = (unsigned)va_arg(*ap, int); break;
    case SB_K_CHAR32: cell->u = va_arg(*ap, unsigned int); break;
    case SB_K_CFLOAT: /* refused when the parameter list is parsed */
    case SB_K_CDOUBLE:
    case SB_K_INT128:
    case SB_K_UINT128:
    case SB_K_FLOAT128:
    case SB_K_PYOBJECT: /* only behind '*', handled above */
    case SB_K_COUNT:
        break;
    }
}

/* Python value of one C value (new reference, or NULL + exception). */
static PyObject *value_of(const char *fname, const char *pname, sb_type t, const sb_cell *cell)
{
    uint8_t conv = conv_of(t);
    if (conv == SB_CV_PYOBJ) {
        /* Borrowed from the caller: the new reference is ours to hand on. */
        PyObject *o = (PyObject *)cell->p;
        if (!o) {
            /* Like Py_BuildValue's "O": NULL passes an exception already set
             * (e.g. from the call that produced the argument) through. */
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_SystemError, "%s() argument '%s' (PyObject *) is NULL", fname, pname);
            return NULL;
        }
        Py_INCREF(o);
        return o;
    }
    if (conv == SB_CV_PTR) {
        if (!cell->p) {
            Py_INCREF(Py_None);
            return Py_None;
        }
        sb_state *st = current_state();
        if (st && st->PointerType)
            return sb__pointer_new(st, cell->p, t, NULL);
        /* No sigbind module at hand: the address as an int (see the top). */
        return PyLong_FromVoidPtr(cell->p);
    }
    return sb__from_c(NULL, conv, t, cell);
}

/* The name used in messages: the parameter's, or "argN" like the Python face. */
static const char *param_label(const sb_param *prm, unsigned idx, char *buf, size_t cap)
{
    if (prm->name)
        return prm->name;
    snprintf(buf, cap, "arg%u", idx);
    return buf;
}

/* Reads and converts parameter k of sig from ap. */
static PyObject *next_value(const char *fname, const sb_sig *sig, uint16_t k, va_list *ap)
{
    sb_cell cell;
    read_arg(sig->params[k].type, ap, &cell);
    char lab[24];
    return value_of(fname, param_label(&sig->params[k], k, lab, sizeof lab), sig->params[k].type, &cell);
}

/* The positional arguments (a tuple of the first npos parameters) and, when
 * kw is not NULL, the keyword-only ones in a dict (*kw = NULL when none). */
static PyObject *build_args(const char *fname, const sb_sig *sig, pl_use use, va_list *ap, PyObject **kw)
{
    uint16_t npos = sig->nparams;
    if (use == USE_CALL && sig->kwonly >= 0 && (uint16_t)sig->kwonly < npos)
        npos = (uint16_t)sig->kwonly;
    PyObject *args = PyTuple_New(npos);
    if (!args)
        return NULL;
    for (uint16_t k = 0; k < npos; k++) {
        PyObject *v = next_value(fname, sig, k, ap);
        if (!v || PyTuple_SetItem(args, k, v) < 0) { /* SetItem steals v */
            Py_DECREF(args);
            return NULL;
        }
    }
    if (kw) {
        *kw = NULL;
        if (npos < sig->nparams) {
            PyObject *d = PyDict_New();
            if (!d) {
                Py_DECREF(args);
                return NULL;
            }
            for (uint16_t k = npos; k < sig->nparams; k++) {
                PyObject *v = next_value(fname, sig, k, ap);
                int rc = v ? PyDict_SetItemString(d, sig->params[k].name, v) : -1;
                Py_XDECREF(v);
                if (rc < 0) {
                    Py_DECREF(d);
                    Py_DECREF(args);
                    return NULL;
                }
            }
            *kw = d;
        }
    }
    return args;
}

/* NULL in: pass a set exception through, else SystemError. */
static PyObject *null_arg(const char *fname, const char *what)
{
    if (!PyErr_Occurred())
        PyErr_Format(PyExc_SystemError, "%s(): %s is NULL", fname, what);
    return NULL;
}

static PyObject *vcall(const char *fname, PyObject *callable, const char *params, va_list *ap)
{
    if (!callable)
        return null_arg(fname, "the callable");
    sb_sig *sig = parse_params(fname, params, USE_CALL);
    if (!sig)
        return NULL;
    PyObject *kw = NULL;
    PyObject *args = build_args(fname, sig, USE_CALL, ap, &kw);
    sb__sig_free(sig);
    if (!args)
        return NULL;
    PyObject *r = PyObject_Call(callable, args, kw);
    Py_DECREF(args);
    Py_XDECREF(kw);
    return r;
}

PyObject *sb_vcall(PyObject *callable, const char *params, va_list ap)
{
    /* A va_list parameter may be an array type adjusted to a pointer, so
     * &ap would not be a va_list *: work on a copy. */
    va_list aq;
    va_copy(aq, ap);
    PyObject *r = vcall("sb_vcall", callable, params, &aq);
    va_end(aq);
    return r;
}

PyObject *sb_call(PyObject *callable, const char *params, ...)
{
    va_list ap;
    va_start(ap, params);
    PyObject *r = vcall("sb_call", callable, params, &ap);
    va_end(ap);
    return r;
}

PyObject *sb_call_method(PyObject *obj, const char *name, const char *params, ...)
{
    if (!obj)
        return null_arg("sb_call_method", "the object");
    if (!name) {
        PyErr_SetString(PyExc_SystemError, "sb_call_method(): the method name is NULL");
        return NULL;
    }
    PyObject *meth = PyObject_GetAttrString(obj, name);
    if (!meth)
        return NULL;
    va_list ap;
    va_start(ap, params);
    PyObject *r = vcall("sb_call_method", meth, params, &ap);
    va_end(ap);
    Py_DECREF(meth);
    return r;
}

PyObject *sb_value(const char *type, ...)
{
    sb_type t;
    if (parse_type("sb_value", type, &t) < 0)
        return NULL;
    /* "void" reads no argument and gives None, like a void result. */
    va_list ap;
    va_start(ap, type);
    sb_cell cell;
    read_arg(t, &ap, &cell);
    va_end(ap);
    return value_of("sb_value", "value", t, &cell);
}

PyObject *sb_tuple(const char *params, ...)
{
    sb_sig *sig = parse_params("sb_tuple", params, USE_TUPLE);
    if (!sig)
        return NULL;
    va_list ap;
    va_start(ap, params);
    PyObject *r = build_args("sb_tuple", sig, USE_TUPLE, &ap, NULL);
    va_end(ap);
    sb__sig_free(sig);
    return r;
}

PyObject *sb_dict(const char *params, ...)
{
    sb_sig *sig = parse_params("sb_dict", params, USE_DICT);
    if (!sig)
        return NULL;
    PyObject *d = PyDict_New();
    if (!d) {
        sb__sig_free(sig);
        return NULL;
    }
    va_list ap;
    va_start(ap, params);
    for (uint16_t k = 0; k < sig->nparams; k++) {
        PyObject *v = next_value("sb_dict", sig, k, &ap);
        int rc = v ? PyDict_SetItemString(d, sig->params[k].name, v) : -1;
        Py_XDECREF(v);
        if (rc < 0) {
            Py_CLEAR(d);
            break;
        }
    }
    va_end(ap);
    sb__sig_free(sig);
    return d;
}

/* ------------------------------------------------------------------ */
/* Python -> C                                                         */

static int extract_type_error(const sb_convctx *cx, const char *expected, PyObject *obj)
{
    char tn[64];
    sb__type_format(cx->declared, tn, sizeof tn);
    PyObject *tname = PyObject_GetAttrString((PyObject *)Py_TYPE(obj), "__name__");
    if (!tname)
        return -1;
    PyErr_Format(PyExc_TypeError, "%s() argument '%s' (%s) must be %s, not %U", cx->fname, cx->pname, tn, expected,
                 tname);
    Py_DECREF(tname);
    return -1;
}

/* Pointers other than const char *: the address must stay valid after the
 * call, so only objects whose memory is their own qualify: None (NULL), an
 * int address, any object with __index__ (a sigbind.Pointer of any module:
 * its int() is its address), bytes and bytearray (their storage, valid while
 * the object lives and, for bytearray, is not resized). Other buffers
 * (memoryview, array) would need a view released before returning. */
static int extract_pointer(const sb_convctx *cx, PyObject *obj, void **out)
{
    if (obj == Py_None) {
        *out = NULL;
        return 0;
    }
    if (PyBytes_Check(obj)) {
        *out = PyBytes_AsString(obj);
        return *out ? 0 : -1;
    }
    if (PyByteArray_Check(obj)) {
        *out = PyByteArray_AsString(obj);
        return *out ? 0 : -1;
    }
    if (PyUnicode_Check(obj) || PyFloat_Check(obj))
        return extract_type_error(cx, "a sigbind.Pointer, int address, bytes, bytearray or None", obj);
    PyObject *num = PyNumber_Index(obj);
    if (!num) {
        if (!PyErr_ExceptionMatches(PyExc_TypeError))
            return -1;
        PyErr_Clear();
        return extract_type_error(cx, "a sigbind.Pointer, int address, bytes, bytearray or None", obj);
    }
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(num, &overflow);
    void *p = NULL;
    if (v == -1 && !overflow && PyErr_Occurred()) {
        Py_DECREF(num);
        return -1;
    }
    if (overflow > 0)
        p = PyLong_AsVoidPtr(num);
    if (overflow < 0 || (!overflow && v < 0) || (overflow > 0 && !p)) {
        char tn[64];
        sb__type_format(cx->declared, tn, sizeof tn);
        PyErr_Clear();
        PyErr_Format(PyExc_OverflowError, "%s() argument '%s' (%s) must be an address in 0..%zu, not %R", cx->fname,
                     cx->pname, tn, (size_t)-1, num);
        Py_DECREF(num);
        return -1;
    }
    Py_DECREF(num);
    *out = overflow ? p : (void *)(uintptr_t)v;
    return 0;
}

int sb_extract(PyObject *obj, const char *type, void *out)
{
    sb_type t;
    if (parse_type("sb_extract", type, &t) < 0)
        return -1;
    if (!obj) {
        null_arg("sb_extract", "the object");
        return -1;
    }
    if (!out) {
        PyErr_SetString(PyExc_SystemError, "sb_extract(): out is NULL");
        return -1;
    }
    uint8_t conv = conv_of(t);
    if (conv == SB_CV_VOID) {
        raise_text_error("sb_extract()", type, strlen(type), 0, "a value of type void cannot be extracted");
        return -1;
    }
    sb_convctx cx = {"sb_extract", "value", t, current_state(), SB_CX_ARGUMENT, false};

    if (conv == SB_CV_PYOBJ) {
        memcpy(out, &obj, sizeof obj); /* borrowed */
        return 0;
    }
    if (conv == SB_CV_PTR || (conv == SB_CV_CSTR && !t.cconst)) {
        /* A char * may be written to: like the Python face, it never takes a
         * str (declare const char * for text). */
        void *p = NULL;
        if (extract_pointer(&cx, obj, &p) < 0)
            return -1;
        memcpy(out, &p, sizeof p);
        return 0;
    }
    if (conv == SB_CV_CSTR && PyUnicode_Check(obj)) {
        /* The result must point into obj with nothing temporary behind it.
         * From 3.10 the stable ABI has PyUnicode_AsUTF8AndSize, which returns
         * the UTF-8 the str object caches in itself (valid while it lives);
         * sb__to_c below uses it, with the Python face's messages (NUL,
         * unencodable). Before 3.10 the stable ABI only encodes into a new
         * bytes object, which would have to outlive this call with no owner
         * (or be kept in a cache that grows without bound), so a str is
         * refused there; bytes work on every version. */
        if (sb__compat_init() < 0)
            return -1;
        Py_ssize_t n;
        int unavailable = 0;
        const char *s = sb__compat_utf8(obj, &n, &unavailable);
        if (unavailable) {
            PyErr_SetString(PyExc_TypeError,
                            "sb_extract() argument 'value' (const char *): borrowing the UTF-8 of a str needs "
                            "Python 3.10+; pass bytes (s.encode()) or extract 'PyObject *' and keep the str");
            return -1;
        }
        if (!s)
            PyErr_Clear(); /* sb__to_c raises it again, with the parameter named */
    }

    sb_cell cell;
    cell.u = 0;
    sb_temp tmp;
    memset(&tmp, 0, sizeof tmp);
    if (sb__to_c(&cx, conv, t, obj, &cell, &tmp) < 0) {
        sb__temp_release(&tmp);
        return -1;
    }
    if (tmp.obj || tmp.view.obj) {
        /* Not reached (str is handled above); a pointer into a temporary
         * would dangle, so never hand one out. */
        sb__temp_release(&tmp);
        PyErr_SetString(PyExc_SystemError, "sb_extract(): the value needed a temporary");
        return -1;
    }
    switch (conv) {
    case SB_CV_SINT:
    case SB_CV_UINT:
        switch (sb__kind((sb_kind)t.kind)->size) {
        case 1: {
            uint8_t v = (uint8_t)cell.u;
            memcpy(out, &v, 1);
            break;
        }
        case 2: {
            uint16_t v = (uint16_t)cell.u;
            memcpy(out, &v, 2);
            break;
        }
        case 4: {
            uint32_t v = (uint32_t)cell.u;
            memcpy(out, &v, 4);
            break;
        }
        default:
            memcpy(out, &cell.u, 8);
            break;
        }
        break;
    case SB_CV_BOOL: {
        bool b = cell.u != 0;
        memcpy(out, &b, sizeof b);
        break;
    }
    case SB_CV_FLOAT:
        memcpy(out, &cell.f, sizeof cell.f);
        break;
    case SB_CV_DOUBLE:
        memcpy(out, &cell.d, sizeof cell.d);
        break;
    case SB_CV_CSTR: /* bytes or None: points into obj */
        memcpy(out, &cell.p, sizeof cell.p);
        break;
    default:
        PyErr_SetString(PyExc_SystemError, "sb_extract(): unexpected converter");
        return -1;
    }
    return 0;
}
