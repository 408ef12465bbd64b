/* sigbind_module.c — the `sigbind` Python module: multi-phase init, module state, load() and signature(). */
#include "pyface/pyface.h"

#include <pthread.h>
#include <string.h>

#ifndef SB_VERSION
#define SB_VERSION "0.0.0"
#endif

static PyObject *mod_load(PyObject *module, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"name", "declarations", "header", "include_dirs", "defines", NULL};
    PyObject *name = Py_None, *decls = Py_None, *header = Py_None, *dirs = Py_None, *defines = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OO$OOO:load", kwlist, &name, &decls, &header, &dirs, &defines))
        return NULL;
    if (name != Py_None && !PyUnicode_Check(name) && !PyBytes_Check(name) &&
        !PyObject_HasAttrString(name, "__fspath__")) {
        PyErr_Format(PyExc_TypeError, "load() argument 'name' must be str, bytes, os.PathLike or None, not %R",
                     (PyObject *)Py_TYPE(name));
        return NULL;
    }
    if (decls != Py_None && !PyUnicode_Check(decls)) {
        PyErr_Format(PyExc_TypeError, "load() argument 'declarations' must be str or None, not %R",
                     (PyObject *)Py_TYPE(decls));
        return NULL;
    }
    PyObject *lib = sb__load(module, name, decls);
    if (!lib || header == Py_None)
        return lib;
    /* load(..., header=...): lib.include(header, include_dirs=..., defines=...) */
    PyObject *a = PyTuple_Pack(1, header);
    PyObject *kw = a ? Py_BuildValue("{sOsO}", "include_dirs", dirs, "defines", defines) : NULL;
    PyObject *r = kw ? sb__library_include(lib, a, kw) : NULL;
    Py_XDECREF(a);
    Py_XDECREF(kw);
    if (!r) {
        Py_DECREF(lib);
        return NULL;
    }
    Py_DECREF(r);
    return lib;
}

static PyObject *mod_signature(PyObject *module, PyObject *arg)
{
    if (!PyUnicode_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "signature() argument must be str, not %R", (PyObject *)Py_TYPE(arg));
        return NULL;
    }
    PyObject *b = sb__text_utf8(sb__state(module), arg);
    if (!b)
        return NULL;
    char *s;
    Py_ssize_t n;
    PyObject *r = NULL;
    if (PyBytes_AsStringAndSize(b, &s, &n) == 0) {
        sb_plan *plan = sb__plan_from_text(sb__state(module), s, (size_t)n);
        if (plan) {
            r = PyUnicode_FromString(plan->sig->text);
            sb__plan_free(plan);
        }
    }
    Py_DECREF(b);
    return r;
}

static PyObject *mod_callback(PyObject *module, PyObject *args, PyObject *kwds)
{
    return sb__callback_make(module, NULL, NULL, args, kwds);
}

static PyMethodDef mod_methods[] = {
    {"callback", (PyCFunction)(void (*)(void))mod_callback, METH_VARARGS | METH_KEYWORDS,
     "callback(type, callable, *, error_result=None)\n--\n\n"
     "A C function pointer calling `callable`: type is a C function type, 'int (const void *a, const void *b)'. "
     "Usable wherever a function pointer parameter is declared; C may call it from any thread while the "
     "Callback lives. If the callable raises, the exception goes to sys.unraisablehook and C gets "
     "error_result (None: zero / NULL)."},
    {"load", (PyCFunction)(void (*)(void))mod_load, METH_VARARGS | METH_KEYWORDS,
     "load(name=None, declarations=None, *, header=None, include_dirs=None, defines=None)\n--\n\n"
     "Open a shared library: a path, a file name ('libm.so.6'), a short name ('m', found like the dynamic "
     "linker would), or None for the running process. `declarations` are prototypes to bind at once; "
     "`header` ('zlib.h', a path or a list) is run through the C preprocessor and declared as by "
     "Library.include()."},
    {"_lookup_steps", sb__library_lookup_steps, METH_O,
     "_lookup_steps(lib, /)\n--\n\nTest hook: the type entries lib's name lookups visited so far."},
    {"signature", mod_signature, METH_O,
     "signature(text, /)\n--\n\nCheck a prototype and return it normalized; raises SignatureError."},
    {NULL, NULL, 0, NULL},
};

/* Adds a type of the state as a module attribute. */
static int add_object(PyObject *module, const char *name, PyObject *type)
{
    Py_INCREF(type);
    if (PyModule_AddObject(module, name, type) < 0) {
        Py_DECREF(type);
        return -1;
    }
    return 0;
}

static int add_type(PyObject *module, PyType_Spec *spec, PyObject **slot)
{
    const char *dot = strrchr(spec->name, '.');
    *slot = PyType_FromSpec(spec);
    return *slot ? add_object(module, dot ? dot + 1 : spec->name, *slot) : -1;
}

static int add_exception(PyObject *module, const char *name, const char *doc, PyObject *base, PyObject **slot)
{
    *slot = PyErr_NewExceptionWithDoc(name, doc, base, NULL);
    if (!*slot)
        return -1;
    Py_INCREF(*slot);
    if (PyModule_AddObject(module, strrchr(name, '.') + 1, *slot) < 0) {
        Py_DECREF(*slot);
        return -1;
    }
    return 0;
}

static int mod_exec(PyObject *module)
{
    if (sb__compat_init() < 0)
        return -1;
    sb_state *st = sb__state(module);
    st->module = module;
    if (sb__objects_init(st) < 0 || add_type(module, &sb__function_spec, &st->FunctionType) < 0 ||
        add_type(module, &sb__library_spec, &st->LibraryType) < 0 || add_object(module, "Pointer", st->PointerType) < 0 ||
        add_object(module, "Callback", st->CallbackType) < 0 || add_object(module, "Struct", st->StructType) < 0 ||
        add_type(module, &sb__cvalue_spec, &st->CValueType) < 0)
        return -1;
    if (add_exception(module, "sigbind.SignatureError",
                      "A signature could not be parsed or is not supported; .text, .column (1-based) and .reason "
                      "say where and why.",
                      PyExc_ValueError, &st->SignatureError) < 0 ||
        add_exception(module, "sigbind.SymbolNotFoundError", "A library has no symbol of that name.",
                      PyExc_AttributeError, &st->SymbolNotFoundError) < 0 ||
        add_exception(module, "sigbind.StatusError",
                      "A C function's [[status]] contract reported failure; .status and .function say which.",
                      PyExc_RuntimeError, &st->StatusError) < 0)
        return -1;
    if (PyModule_AddFunctions(module, sb__memory_functions) < 0) /* new, cast, sizeof, ... (typedmem.c) */
        return -1;
    if (PyModule_AddStringConstant(module, "__version__", SB_VERSION) < 0)
        return -1;
    return 0;
}

/* Room for exec, the per-interpreter-GIL slot (filled once by compat where the
 * version knows it) and the terminator. */
static PyModuleDef_Slot mod_slots[] = {
    {Py_mod_exec, (void *)mod_exec},
    {0, NULL},
    {0, NULL},
};

static struct PyModuleDef sigbind_def = {
    PyModuleDef_HEAD_INIT,
    "sigbind",
    "Call C from Python by pasting prototypes: sigbind.load('m').bind('double cos(double x)').",
    sizeof(sb_state),
    mod_methods,
    mod_slots,
    sb__state_traverse,
    sb__state_clear,
    sb__state_free,
};

static void fill_slots(void)
{
    sb__compat_module_slots(&mod_slots[1]);
}

/* PyMODINIT_FUNC only implies default visibility from 3.9 headers on. */
SB_EXPORT PyMODINIT_FUNC PyInit_sigbind(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, fill_slots);
    return PyModuleDef_Init(&sigbind_def);
}
