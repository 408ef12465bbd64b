/* raise.c — the C face's exceptions: sb_raise and friends, names resolved against builtins, the calling module and dotted Python names. */
#include "cface/cface.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Errors while a sigbind call has released the GIL                    */
/* A [[nogil]] function, and code run by sb_allow_threads, run without the
 * GIL on the thread of their call. There the error functions below take the
 * GIL back for their own duration (PyEval_RestoreThread of the call's saved
 * thread state, as a callback does), work on the exception held for the call
 * (sb_callstate.raised) as if it were the current one, keep it there and
 * release the GIL again; the call (or sb_allow_threads) sets it once the GIL
 * is back. On any other thread nothing can take the GIL back for them. */

/* Takes the GIL back if this thread's sigbind call released it: returns the
 * call's state (the held exception is now the current one), else NULL. */
sb_callstate *sb__gil_back(void)
{
    sb_callstate *cs = sb__callstate;
    if (!cs || cs->held || !cs->saved)
        return NULL;
    PyEval_RestoreThread(cs->saved);
    cs->saved = NULL;
    cs->held = true;
    PyErr_Restore(cs->raised[0], cs->raised[1], cs->raised[2]);
    cs->raised[0] = cs->raised[1] = cs->raised[2] = NULL;
    return cs;
}

/* Undoes sb__gil_back (NULL: nothing to undo): the current exception is held again. */
void sb__gil_away(sb_callstate *cs)
{
    if (!cs)
        return;
    PyErr_Fetch(&cs->raised[0], &cs->raised[1], &cs->raised[2]);
    cs->held = false;
    cs->saved = PyEval_SaveThread();
}

/* The calling module's cache of exception types by name, or NULL. */
static PyObject *module_cache(void)
{
    PyObject *m = sb__module_now();
    if (!m)
        return NULL;
    return sb__state(m)->exc_cache;
}

static int is_exception_class(PyObject *obj)
{
    return PyType_Check(obj) && PyObject_IsSubclass(obj, PyExc_BaseException) == 1;
}

PyObject *sb_exception_type(const char *name)
{
    if (!name || !name[0]) {
        PyErr_SetString(PyExc_SystemError, "sigbind: no exception name given");
        return NULL;
    }
    PyObject *cache = module_cache();
    PyObject *t;
    /* 1. The module's own exceptions and earlier look-ups. */
    if (cache && (t = PyDict_GetItemString(cache, name)) != NULL)
        return t;
    /* 2. Builtins ("ValueError"). */
    if (!strchr(name, '.')) {
        PyObject *builtins = PyImport_ImportModule("builtins");
        if (!builtins)
            return NULL;
        t = PyObject_GetAttrString(builtins, name);
        Py_DECREF(builtins);
        if (!t || !is_exception_class(t)) {
            Py_XDECREF(t);
            PyErr_Clear();
            PyErr_Format(PyExc_SystemError, "sigbind: unknown exception '%s' (not a builtin exception%s)", name,
                         sb__module_now() ? " nor one of this module's" : "");
            return NULL;
        }
    } else {
        /* 3. "package.module.Name": imported once, then cached per module. */
        const char *dot = strrchr(name, '.');
        size_t n = (size_t)(dot - name);
        char *modname = malloc(n + 1);
        if (!modname)
            return PyErr_NoMemory();
        memcpy(modname, name, n);
        modname[n] = '\0';
        PyObject *mod = PyImport_ImportModule(modname);
        free(modname);
        if (!mod)
            return NULL;
        t = PyObject_GetAttrString(mod, dot + 1);
        Py_DECREF(mod);
        if (!t)
            return NULL;
        if (!is_exception_class(t)) {
            Py_DECREF(t);
            PyErr_Format(PyExc_SystemError, "sigbind: '%s' is not an exception class", name);
            return NULL;
        }
    }
    /* Borrowed result: the cache keeps it; without a module, builtins and
     * imported modules do (they live in sys.modules). */
    if (cache) {
        int rc = PyDict_SetItemString(cache, name, t);
        Py_DECREF(t);
        return rc < 0 ? NULL : t;
    }
    Py_DECREF(t);
    return t;
}

/* printf-style formatting into a new str (UTF-8, invalid bytes replaced). */
static PyObject *format_message(const char *fmt, va_list ap)
{
    char stack[512];
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(stack, sizeof stack, fmt, ap);
    PyObject *msg;
    if (n < 0) {
        msg = PyUnicode_FromString(fmt);
    } else if ((size_t)n < sizeof stack) {
        msg = PyUnicode_DecodeUTF8(stack, n, "replace");
    } else {
        char *buf = malloc((size_t)n + 1);
        if (!buf) {
            va_end(ap2);
            return PyErr_NoMemory();
        }
        vsnprintf(buf, (size_t)n + 1, fmt, ap2);
        msg = PyUnicode_DecodeUTF8(buf, n, "replace");
        free(buf);
    }
    va_end(ap2);
    return msg;
}

static int vraise(const char *exc, const char *fmt, va_list ap)
{
    /* Look up first: the lookup must not clobber an exception being chained. */
    PyObject *type = sb_exception_type(exc);
    if (!type)
        return -1;
    PyObject *msg = format_message(fmt, ap);
    if (!msg)
        return -1;
    PyErr_SetObject(type, msg);
    Py_DECREF(msg);
    return -1;
}

int sb_raise(const char *exc, const char *fmt, ...)
{
    sb_callstate *cs = sb__gil_back();
    va_list ap;
    va_start(ap, fmt);
    vraise(exc, fmt, ap);
    va_end(ap);
    sb__gil_away(cs);
    return -1;
}

/* The current exception as one normalized value with its traceback attached
 * (new reference), or NULL; clears it. */
static PyObject *take_exception(void)
{
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);
    if (!t)
        return NULL;
    PyErr_NormalizeException(&t, &v, &tb);
    if (tb && v)
        PyException_SetTraceback(v, tb);
    Py_XDECREF(t);
    Py_XDECREF(tb);
    return v;
}

int sb_raise_from(const char *exc, const char *fmt, ...)
{
    sb_callstate *cs = sb__gil_back();
    PyObject *cause = take_exception();
    va_list ap;
    va_start(ap, fmt);
    vraise(exc, fmt, ap);
    va_end(ap);
    if (cause) {
        PyObject *raised = take_exception();
        if (raised) {
            Py_INCREF(cause);
            PyException_SetCause(raised, cause);   /* steals */
            PyException_SetContext(raised, cause); /* steals */
            sb_error_restore(raised);
        } else {
            Py_DECREF(cause);
        }
    }
    sb__gil_away(cs);
    return -1;
}

int sb_raise_errno(const char *filename)
{
    int e = errno;
    sb_callstate *cs = sb__gil_back();
    errno = e;
    if (filename)
        PyErr_SetFromErrnoWithFilename(PyExc_OSError, filename);
    else
        PyErr_SetFromErrno(PyExc_OSError);
    sb__gil_away(cs);
    return -1;
}

bool sb_error_occurred(void)
{
    sb_callstate *cs = sb__callstate;
    if (cs && !cs->held && cs->saved)
        return cs->raised[0] != NULL; /* the GIL is released: the held exception */
    return PyErr_Occurred() != NULL;
}

bool sb_exception_matches(const char *exc)
{
    sb_callstate *cs = sb__gil_back();
    bool match = false;
    if (PyErr_Occurred()) {
        PyObject *t, *v, *tb;
        PyErr_Fetch(&t, &v, &tb);
        PyObject *type = sb_exception_type(exc);
        if (!type)
            PyErr_Clear(); /* an unknown name matches nothing */
        PyErr_Restore(t, v, tb);
        match = type && PyErr_ExceptionMatches(type);
    }
    sb__gil_away(cs);
    return match;
}

void sb_error_clear(void)
{
    sb_callstate *cs = sb__gil_back();
    PyErr_Clear();
    sb__gil_away(cs);
}

PyObject *sb_error_fetch(void)
{
    return take_exception();
}

void sb_error_restore(PyObject *exc)
{
    if (!exc) {
        PyErr_Clear();
        return;
    }
    if (PyObject_IsInstance(exc, PyExc_BaseException) != 1) {
        PyErr_Clear();
        Py_DECREF(exc);
        PyErr_SetString(PyExc_SystemError, "sb_error_restore() needs an exception instance");
        return;
    }
    PyObject *type = (PyObject *)Py_TYPE(exc);
    Py_INCREF(type);
    PyObject *tb = PyException_GetTraceback(exc); /* new reference or NULL */
    PyErr_Restore(type, exc, tb);
}
