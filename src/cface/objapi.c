/* objapi.c — the C face's object helpers for code without Python.h: buffers, bytes, instances and classes, iteration, attributes, len, type tests, calls with run-time arguments. */
#include "cface/cface.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The qualified name of obj's type (new reference; never NULL unless out of memory). */
static PyObject *type_name(PyObject *obj)
{
    PyObject *n = PyObject_GetAttrString((PyObject *)Py_TYPE(obj), "__qualname__");
    if (!n) {
        PyErr_Clear();
        n = PyUnicode_FromString("?");
    }
    return n;
}

/* Sets exc with "<prefix> <obj's type name>". Returns -1. */
static int type_error_of(PyObject *exc, const char *prefix, PyObject *obj)
{
    PyObject *n = type_name(obj);
    if (n)
        PyErr_Format(exc, "%s %U", prefix, n);
    Py_XDECREF(n);
    return -1;
}

PyObject *sb_none(void)
{
    Py_INCREF(Py_None);
    return Py_None;
}

bool sb_is_none(PyObject *obj) { return obj == Py_None; }

/* ------------------------------------------------------------------ */
/* Buffers                                                             */

int sb_buffer_get(PyObject *obj, const char *type, bool writable, sb_buffer_view *view)
{
    memset(view, 0, sizeof *view);
    sb_type elem = {SB_K_VOID, 0, 0, NULL};
    if (type) {
        sb_error err = {0};
        if (sb__type_parse(type, strlen(type), &elem, &err) < 0 || elem.ptr || elem.named ||
            elem.kind == SB_K_PYOBJECT) {
            PyErr_Format(PyExc_SystemError, "sb_buffer_get(): '%s' is not a scalar C type%s%s", type,
                         err.msg[0] ? ": " : "", err.msg);
            return -1;
        }
    }
    if (!obj) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_SystemError, "sb_buffer_get(): NULL object");
        return -1;
    }
    sb_bufview *v = malloc(sizeof *v);
    if (!v) {
        PyErr_NoMemory();
        return -1;
    }
    const char *fmt = sb__format_of(elem);
    int rc = sb__bufview_open(obj, writable, v);
    if (rc < 0) {
        free(v);
        if (PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Clear();
            char prefix[160];
            snprintf(prefix, sizeof prefix, "expected a buffer%s%s (bytes, bytearray, array.array, memoryview...), not",
                     fmt ? " of " : "", fmt ? type : "");
            type_error_of(PyExc_TypeError, prefix, obj);
        }
        return -1;
    }
    if (rc > 0) {
        PyErr_Format(PyExc_TypeError, "expected a %s buffer, and %R is %s", v->contiguous ? "writable" : "C-contiguous",
                     obj, v->contiguous ? "read-only" : "not");
        free(v);
        return -1;
    }
    if (type && !sb__format_fits(v->format, elem)) {
        char prefix[160];
        snprintf(prefix, sizeof prefix, "expected a buffer of %s (format '%s'), not a buffer of format '%s':", type,
                 fmt, v->format);
        type_error_of(PyExc_TypeError, prefix, obj);
        sb__bufview_close(v);
        free(v);
        return -1;
    }
    view->buf = v->buf;
    view->len = (size_t)v->len;
    if (!type)
        view->itemsize = (size_t)v->itemsize;
    else
        view->itemsize = elem.kind == SB_K_VOID ? 1 : sb__type_size(elem);
    view->count = view->len / view->itemsize;
    memcpy(view->format, v->format, sizeof view->format);
    view->readonly = v->readonly;
    view->internal_ = v;
    return 0;
}

void sb_buffer_release(sb_buffer_view *view)
{
    if (!view || !view->internal_)
        return;
    sb_bufview *v = view->internal_;
    view->internal_ = NULL;
    view->buf = NULL;
    sb__bufview_close(v);
    free(v);
}

static PyObject *bytes_like(const void *data, size_t n, bool array)
{
    if (n > (size_t)PY_SSIZE_T_MAX) {
        PyErr_Format(PyExc_OverflowError, "%s(): %zu bytes is too many", array ? "sb_bytearray" : "sb_bytes", n);
        return NULL;
    }
    PyObject *b = array ? PyByteArray_FromStringAndSize(data, (Py_ssize_t)(data ? n : 0))
                        : PyBytes_FromStringAndSize(data, (Py_ssize_t)n);
    if (b && array && !data && n && PyByteArray_Resize(b, (Py_ssize_t)n) < 0)
        Py_CLEAR(b);
    if (b && array && !data && n)
        memset(PyByteArray_AsString(b), 0, n);
    else if (b && !array && !data && n)
        memset(PyBytes_AsString(b), 0, n);
    return b;
}

PyObject *sb_bytes(const void *data, size_t n) { return bytes_like(data, n, false); }
PyObject *sb_bytearray(const void *data, size_t n) { return bytes_like(data, n, true); }

/* ------------------------------------------------------------------ */
/* Classes and instances                                               */

static PyTypeObject *find_class(const char *fn, const char *name, bool *ctor)
{
    PyObject *m = sb__module_now();
    if (!name) {
        PyErr_Format(PyExc_SystemError, "%s(): no class name given", fn);
        return NULL;
    }
    if (!m) {
        PyErr_Format(PyExc_SystemError, "%s(\"%s\"): no C-face module is running on this thread", fn, name);
        return NULL;
    }
    PyTypeObject *tp = sb__class_find(sb__module_records(m), sb__state(m), name, ctor);
    if (!tp && !PyErr_Occurred())
        PyErr_Format(PyExc_SystemError, "%s(): this module has no class '%s'", fn, name);
    return tp;
}

PyObject *sb_class_object(const char *name)
{
    bool ctor;
    return (PyObject *)find_class("sb_class_object", name, &ctor);
}

void *sb_instance_data(PyObject *obj, const char *cls)
{
    bool ctor = false;
    PyTypeObject *tp = find_class("sb_instance_data", cls, &ctor);
    if (!tp)
        return NULL;
    if (!obj) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_SystemError, "sb_instance_data(): NULL object");
        return NULL;
    }
    if (!PyObject_TypeCheck(obj, tp)) {
        char prefix[128];
        snprintf(prefix, sizeof prefix, "expected a %s instance, not", cls);
        type_error_of(PyExc_TypeError, prefix, obj);
        return NULL;
    }
    if (ctor && SB_INST_STATE(obj) != SB_INST_BUILT) {
        sb__unbuilt_error(obj);
        return NULL;
    }
    return SB_INST_STRUCT(obj);
}

/* ------------------------------------------------------------------ */
/* Iteration, attributes, len                                          */

PyObject *sb_iter(PyObject *iterable)
{
    if (!iterable) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_SystemError, "sb_iter(): NULL object");
        return NULL;
    }
    return PyObject_GetIter(iterable);
}

int sb_next(PyObject *iter, PyObject **item)
{
    *item = NULL;
    if (!iter) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_SystemError, "sb_next(): NULL iterator");
        return -1;
    }
    /* PyIter_Check is a macro reading the type object (not in the limited API
     * before 3.8); PyIter_Next on a non-iterator would call a NULL slot. */
    if (!PyObject_HasAttrString((PyObject *)Py_TYPE(iter), "__next__")) {
        return type_error_of(PyExc_TypeError, "sb_next(): expected an iterator (from sb_iter), not", iter);
    }
    *item = PyIter_Next(iter);
    if (*item)
        return 1;
    return PyErr_Occurred() ? -1 : 0;
}

int sb_setattr(PyObject *obj, const char *name, PyObject *value)
{
    if (!obj || !name) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_SystemError, "sb_setattr(): NULL object or name");
        return -1;
    }
    return value ? PyObject_SetAttrString(obj, name, value) : PyObject_DelAttrString(obj, name);
}

int sb_hasattr(PyObject *obj, const char *name)
{
    PyObject *v = sb_getattr(obj, name);
    if (v) {
        Py_DECREF(v);
        return 1;
    }
    if (PyErr_ExceptionMatches(PyExc_AttributeError)) {
        PyErr_Clear();
        return 0;
    }
    return -1; /* any other error propagates (unlike hasattr() before 3.2) */
}

ptrdiff_t sb_len(PyObject *obj)
{
    if (!obj) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_SystemError, "sb_len(): NULL object");
        return -1;
    }
    return PyObject_Size(obj);
}

/* ------------------------------------------------------------------ */
/* Type tests against names                                            */

/* The type a name stands for: a class of the running module, an exception
 * of it, a builtin type ("int", "list", "ValueError"), or a dotted name
 * ("collections.abc.Mapping"). New reference, or NULL with an exception. */
static PyObject *named_type(const char *fn, const char *name)
{
    if (!name || !name[0]) {
        PyErr_Format(PyExc_SystemError, "%s(): no type name given", fn);
        return NULL;
    }
    PyObject *m = sb__module_now();
    if (m) {
        bool ctor;
        PyTypeObject *tp = sb__class_find(sb__module_records(m), sb__state(m), name, &ctor);
        if (tp) {
            Py_INCREF(tp);
            return (PyObject *)tp;
        }
        PyObject *cache = sb__state(m)->exc_cache;
        PyObject *t = cache ? PyDict_GetItemString(cache, name) : NULL;
        if (t) {
            Py_INCREF(t);
            return t;
        }
    }
    const char *dot = strrchr(name, '.');
    PyObject *mod;
    if (dot) {
        size_t n = (size_t)(dot - name);
        char *modname = malloc(n + 1);
        if (!modname)
            return PyErr_NoMemory();
        memcpy(modname, name, n);
        modname[n] = '\0';
        mod = PyImport_ImportModule(modname);
        free(modname);
    } else {
        mod = PyImport_ImportModule("builtins");
    }
    if (!mod)
        return NULL;
    PyObject *t = PyObject_GetAttrString(mod, dot ? dot + 1 : name);
    Py_DECREF(mod);
    if (!t || !PyType_Check(t)) {
        if (t || PyErr_ExceptionMatches(PyExc_AttributeError)) {
            Py_XDECREF(t);
            PyErr_Clear();
            PyErr_Format(PyExc_SystemError, "%s(): unknown type '%s' (not a class or exception of this module, a "
                         "builtin type, or a dotted name of a class)", fn, name);
        }
        return NULL;
    }
    return t;
}

int sb_isinstance(PyObject *obj, const char *type)
{
    if (!obj) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_SystemError, "sb_isinstance(): NULL object");
        return -1;
    }
    PyObject *t = named_type("sb_isinstance", type);
    if (!t)
        return -1;
    int r = PyObject_IsInstance(obj, t);
    Py_DECREF(t);
    return r;
}

int sb_issubclass(PyObject *cls, const char *type)
{
    if (!cls) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_SystemError, "sb_issubclass(): NULL class");
        return -1;
    }
    PyObject *t = named_type("sb_issubclass", type);
    if (!t)
        return -1;
    int r = PyObject_IsSubclass(cls, t);
    Py_DECREF(t);
    return r;
}

/* ------------------------------------------------------------------ */
/* Calls with arguments built at run time                              */

PyObject *sb_list_new(void) { return PyList_New(0); }

int sb_list_append(PyObject *list, PyObject *item)
{
    if (!list || !item) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_SystemError, "sb_list_append(): NULL list or item");
        return -1;
    }
    return PyList_Append(list, item);
}

PyObject *sb_dict_new(void) { return PyDict_New(); }

int sb_dict_set(PyObject *dict, const char *key, PyObject *value)
{
    if (!dict || !key || !value) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_SystemError, "sb_dict_set(): NULL dict, key or value");
        return -1;
    }
    if (!PyDict_Check(dict)) {
        return type_error_of(PyExc_TypeError, "sb_dict_set(): expected a dict, not", dict);
    }
    return PyDict_SetItemString(dict, key, value);
}

int sb_setitem(PyObject *obj, PyObject *key, PyObject *value)
{
    if (!obj || !key) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_SystemError, "sb_setitem(): NULL object or key");
        return -1;
    }
    return value ? PyObject_SetItem(obj, key, value) : PyObject_DelItem(obj, key);
}

PyObject *sb_getitem(PyObject *obj, PyObject *key)
{
    if (!obj || !key) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_SystemError, "sb_getitem(): NULL object or key");
        return NULL;
    }
    return PyObject_GetItem(obj, key);
}

PyObject *sb_call_object(PyObject *callable, PyObject *args, PyObject *kwargs)
{
    if (!callable) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_SystemError, "sb_call_object(): NULL callable");
        return NULL;
    }
    if (kwargs && !PyDict_Check(kwargs)) {
        type_error_of(PyExc_TypeError, "sb_call_object(): keyword arguments must be a dict, not", kwargs);
        return NULL;
    }
    /* Any iterable of positional arguments (a list built with sb_list_append,
     * a tuple, ...) becomes a tuple; the callee cannot change the caller's list. */
    PyObject *tuple = args ? PySequence_Tuple(args) : PyTuple_New(0);
    if (!tuple)
        return NULL;
    PyObject *r = PyObject_Call(callable, tuple, kwargs);
    Py_DECREF(tuple);
    return r;
}
