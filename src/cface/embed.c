/* embed.c — embedding: starting Python from a C program, the GIL token API, import, eval and exec. */
#include "cface/cface.h"

/*
 * Everything here is the stable ABI as of 3.7 (each symbol is a function/data
 * row of abi3/stable_abi.tsv added <= 3.7), so an embedding program built once
 * runs with any libpython3.so >= 3.7.
 *
 * Since 3.7 Py_InitializeEx also creates the GIL (PyEval_InitThreads is
 * implied) and leaves it held by the calling thread, so PyGILState_Ensure
 * works from any other thread as soon as sb_embed_init has returned.
 */

/* Raises SystemError for a NULL argument of a public function. */
static void null_arg(const char *fn, const char *what)
{
    PyErr_Format(PyExc_SystemError, "%s(): %s is NULL", fn, what);
}

/* ------------------------------------------------------------------ */
/* Starting and stopping                                               */

int sb_embed_init(void)
{
    if (Py_IsInitialized())
        return 0;
    /* 0: no signal handlers; a C program keeps its own SIGINT etc. A failure
     * inside is a fatal error in CPython >= 3.7 (it aborts); the check below
     * is for completeness. */
    Py_InitializeEx(0);
    if (!Py_IsInitialized())
        return -1;
    /* sys.argv is never empty ([''] as 3.8+ makes it; 3.7 leaves []), so
     * code reading sys.argv[0] works the same everywhere. */
    PyObject *argv = PySys_GetObject("argv"); /* borrowed, no exception */
    if (argv && PyList_Check(argv) && PyList_Size(argv) == 0) {
        PyObject *empty = PyUnicode_FromString("");
        if (!empty || PyList_Append(argv, empty) < 0)
            PyErr_Clear();
        Py_XDECREF(empty);
    }
    /* Up to 3.12, threading takes the thread that first imports it for the
     * main thread: imported first on a thread that called sb_gil_acquire,
     * that thread would be "MainThread" and this one "Dummy-1" (and 3.7's
     * threading._shutdown fails at finalization: "Exception ignored in:
     * <module 'threading'>"). So it is imported here, on the thread that
     * starts the interpreter, as PyO3 does. */
    PyObject *threading = PyImport_ImportModule("threading");
    if (!threading)
        PyErr_Clear();
    Py_XDECREF(threading);
    return 0;
}

int sb_embed_finalize(void)
{
    if (!Py_IsInitialized())
        return 0;
    return Py_FinalizeEx() < 0 ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* Import, eval, exec                                                  */

PyObject *sb_import(const char *name)
{
    if (!name) {
        null_arg("sb_import", "name");
        return NULL;
    }
    return PyImport_ImportModule(name);
}

PyObject *sb_namespace(void)
{
    PyObject *ns = PyDict_New();
    if (!ns)
        return NULL;
    /* Borrowed: the builtins dict of the current frame, or of the interpreter
     * when no Python code is running (the usual case when embedding). */
    PyObject *builtins = PyEval_GetBuiltins();
    if (!builtins) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_SystemError, "sb_namespace(): no builtins");
        Py_DECREF(ns);
        return NULL;
    }
    if (PyDict_SetItemString(ns, "__builtins__", builtins) < 0) {
        Py_DECREF(ns);
        return NULL;
    }
    return ns;
}

/* Compiles text in mode (Py_eval_input / Py_file_input) and runs it with
 * globals (NULL: a fresh namespace) and locals (NULL: globals). Like Python's
 * eval()/exec(), a globals dict without __builtins__ gets the current
 * builtins inserted, so builtin names resolve in it. New reference or NULL. */
static PyObject *run(const char *fn, const char *filename, const char *text, int mode, PyObject *globals,
                     PyObject *locals)
{
    if (!text) {
        null_arg(fn, "the code");
        return NULL;
    }
    PyObject *own_globals = NULL;
    if (!globals) {
        own_globals = globals = sb_namespace();
        if (!globals)
            return NULL;
    } else {
        /* Not optional: a frame with non-dict globals crashes CPython. */
        if (!PyDict_Check(globals)) {
            PyErr_Format(PyExc_TypeError, "%s(): globals must be a dict", fn);
            return NULL;
        }
        if (!PyDict_GetItemString(globals, "__builtins__")) {
            PyObject *builtins = PyEval_GetBuiltins();
            if (!builtins || PyDict_SetItemString(globals, "__builtins__", builtins) < 0) {
                if (!PyErr_Occurred())
                    PyErr_Format(PyExc_SystemError, "%s(): no builtins", fn);
                return NULL;
            }
        }
    }
    if (!locals) {
        locals = globals;
    } else if (!PyMapping_Check(locals)) {
        PyErr_Format(PyExc_TypeError, "%s(): locals must be a mapping", fn);
        Py_XDECREF(own_globals);
        return NULL;
    }
    PyObject *code = Py_CompileString(text, filename, mode);
    PyObject *result = NULL;
    if (code) {
        result = PyEval_EvalCode(code, globals, locals);
        Py_DECREF(code);
    }
    Py_XDECREF(own_globals);
    return result;
}

PyObject *sb_eval(const char *expr, PyObject *globals, PyObject *locals)
{
    return run("sb_eval", "<sb_eval>", expr, Py_eval_input, globals, locals);
}

int sb_exec(const char *code, PyObject *globals, PyObject *locals)
{
    PyObject *r = run("sb_exec", "<sb_exec>", code, Py_file_input, globals, locals);
    if (!r)
        return -1;
    Py_DECREF(r);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Errors                                                              */

void sb_error_print(void)
{
    if (!PyErr_Occurred())
        return;
    if (PyErr_ExceptionMatches(PyExc_SystemExit)) {
        /* PyErr_Print() would end the process on SystemExit (as the python
         * command does); here it is printed like any other exception. */
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);
        PyErr_NormalizeException(&type, &value, &tb);
        if (tb && value)
            PyException_SetTraceback(value, tb);
        PyErr_Display(type, value, tb);
        Py_XDECREF(type);
        Py_XDECREF(value);
        Py_XDECREF(tb);
        PyErr_Clear(); /* anything printing itself raised */
        return;
    }
    /* Through sys.excepthook, setting sys.last_type/last_value/last_traceback. */
    PyErr_Print();
}

/* ------------------------------------------------------------------ */
/* The GIL                                                             */

/* While fn runs, this thread's call state (the one of the sigbind call
 * running this code, or one of its own) says the GIL is released with the
 * saved thread state, like a [[nogil]] call: callbacks and the error functions
 * (raise.c) called from fn take it back. The current exception is held there
 * meanwhile and set again after fn. */
void sb_allow_threads(void (*fn)(void *arg), void *arg)
{
    if (!fn)
        return;
    sb_callstate *outer = sb__callstate;
    if (outer && !outer->held) { /* already without the GIL (a [[nogil]] function) */
        fn(arg);
        return;
    }
    sb_callstate local = {false, NULL, {NULL, NULL, NULL}, {NULL, NULL, NULL}};
    sb_callstate *cs = outer ? outer : &local;
    PyErr_Fetch(&cs->raised[0], &cs->raised[1], &cs->raised[2]);
    sb__callstate = cs;
    cs->held = false;
    cs->saved = PyEval_SaveThread();
    fn(arg);
    PyEval_RestoreThread(cs->saved);
    cs->saved = NULL;
    cs->held = true;
    sb__callstate = outer;
    PyErr_Restore(cs->raised[0], cs->raised[1], cs->raised[2]);
    cs->raised[0] = cs->raised[1] = cs->raised[2] = NULL;
    if (local.interrupt[0]) /* a callback's KeyboardInterrupt/SystemExit: there is no call to raise it */
        PyErr_Restore(local.interrupt[0], local.interrupt[1], local.interrupt[2]);
}

/* The token's state: PyGILState_Ensure's, or this value when the GIL was
 * taken back from this thread's sigbind call that had released it (a
 * [[nogil]] function or sb_allow_threads: its saved thread state, which also
 * works in a subinterpreter). */
#define GIL_FROM_CALL 0x5B

sb_gil sb_gil_acquire(void)
{
    sb_gil g;
    if (sb__gil_back()) {
        g.state_ = GIL_FROM_CALL;
        return g;
    }
    g.state_ = (int)PyGILState_Ensure();
    return g;
}

void sb_gil_release(sb_gil gil)
{
    if (gil.state_ == GIL_FROM_CALL) {
        sb__gil_away(sb__callstate);
        return;
    }
    PyGILState_Release((PyGILState_STATE)gil.state_);
}

/* ------------------------------------------------------------------ */
/* References and attributes                                           */

void sb_incref(PyObject *obj)
{
    Py_XINCREF(obj);
}

void sb_decref(PyObject *obj)
{
    Py_XDECREF(obj);
}

PyObject *sb_getattr(PyObject *obj, const char *name)
{
    if (!obj) {
        if (!PyErr_Occurred())
            null_arg("sb_getattr", "the object");
        return NULL;
    }
    if (!name) {
        null_arg("sb_getattr", "name");
        return NULL;
    }
    return PyObject_GetAttrString(obj, name);
}
