/* stubgen.c — Library.stub(): a .pyi of a Library's bound functions, constants and globals, typed as the converters accept them. */
#include "pyface/pyface.h"

#include <stdlib.h>
#include <string.h>

static const sb_stubnames pyface_names = {"Pointer", "Struct", "Callback"};

static int append(PyObject *parts, PyObject *u)
{
    int r = u ? PyList_Append(parts, u) : -1;
    Py_XDECREF(u);
    return r;
}

static int put(PyObject *parts, const char *s) { return append(parts, PyUnicode_FromString(s)); }

/* "def name(...) -> R: ...\n" of one bound function (its __self__ is the sigbind.Function). */
static int put_function(PyObject *parts, sb_state *st, PyObject *name, PyObject *bound)
{
    PyObject *self = PyObject_GetAttrString(bound, "__self__");
    if (!self)
        return -1;
    int r = 0;
    if (PyObject_TypeCheck(self, (PyTypeObject *)st->FunctionType)) {
        char *sig = sb__stub_signature(((sb_function *)self)->plan, &pyface_names, NULL);
        if (!sig) {
            PyErr_NoMemory();
            r = -1;
        } else {
            r = append(parts, PyUnicode_FromFormat("def %U%s: ...\n", name, sig));
        }
        free(sig);
    }
    Py_DECREF(self);
    return r;
}

/* The annotation of a constant's or a global's current value. */
static const char *value_type(sb_state *st, PyObject *v)
{
    if (PyBool_Check(v))
        return "bool";
    if (PyLong_Check(v))
        return "int";
    if (PyFloat_Check(v))
        return "float";
    if (PyUnicode_Check(v))
        return "str";
    if (PyBytes_Check(v))
        return "bytes";
    if (Py_TYPE(v) == (PyTypeObject *)st->PointerType || v == Py_None)
        return "Pointer | None";
    if (st->kinds->struct_check(st, v))
        return "Struct";
    return "Any";
}

/* "NAME: T\n" for every attribute dir() lists that is neither a function nor the Library's own. */
static int put_values(PyObject *parts, sb_library *lib, sb_state *st)
{
    PyObject *under = PyUnicode_FromString("_");
    PyObject *names = under ? PyObject_Dir((PyObject *)lib) : NULL;
    PyObject *own = names ? PyObject_Dir((PyObject *)Py_TYPE(lib)) : NULL;
    PyObject *sorted = own ? PySequence_List(names) : NULL;
    int r = sorted && PyList_Sort(sorted) == 0 ? 0 : -1;
    for (Py_ssize_t i = 0; r == 0 && i < PyList_Size(sorted); i++) {
        PyObject *nm = PyList_GetItem(sorted, i);
        int skip = PySequence_Contains(own, nm);
        if (skip == 0)
            skip = PyDict_Contains(lib->funcs, nm);
        if (skip < 0) {
            r = -1;
            break;
        }
        Py_ssize_t priv = skip ? 0 : PyUnicode_Tailmatch(nm, under, 0, 1, -1);
        if (priv < 0) {
            r = -1;
            break;
        }
        if (skip || priv)
            continue;
        PyObject *v = PyObject_GetAttr((PyObject *)lib, nm);
        if (!v) { /* a declared function the library lacks: not part of the stub */
            PyErr_Clear();
            continue;
        }
        r = append(parts, PyUnicode_FromFormat("%U: %s\n", nm, value_type(st, v)));
        Py_DECREF(v);
    }
    Py_XDECREF(sorted);
    Py_XDECREF(own);
    Py_XDECREF(names);
    Py_XDECREF(under);
    return r;
}

PyObject *sb__library_stub(PyObject *self, PyObject *unused)
{
    (void)unused;
    sb_library *lib = (sb_library *)self;
    sb_state *st = sb__state(lib->module);
    PyObject *parts = PyList_New(0);
    int r = parts ? append(parts, PyUnicode_FromFormat("# Type stub of the functions, constants and globals of "
                                                        "sigbind.load(%R), written by Library.stub().\n", lib->path))
                  : -1;
    if (r == 0)
        r = put(parts, sb__stub_prelude()) < 0 || put(parts, "\nfrom sigbind import Callback, Pointer, Struct\n\n") < 0
                ? -1 : 0;
    if (r == 0)
        r = put_values(parts, lib, st);
    if (r == 0 && put(parts, "\n") < 0)
        r = -1;
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    PyObject *keys = r == 0 ? PyDict_Keys(lib->funcs) : NULL;
    if (keys && PyList_Sort(keys) == 0) {
        for (pos = 0; r == 0 && pos < PyList_Size(keys); pos++) {
            key = PyList_GetItem(keys, pos);
            value = PyDict_GetItem(lib->funcs, key);
            if (value)
                r = put_function(parts, st, key, value);
        }
    } else {
        r = -1;
    }
    Py_XDECREF(keys);
    PyObject *empty = r == 0 ? PyUnicode_FromString("") : NULL;
    PyObject *text = empty ? PyUnicode_Join(empty, parts) : NULL;
    Py_XDECREF(empty);
    Py_XDECREF(parts);
    return text;
}
