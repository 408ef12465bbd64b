/* module.c — the C face's modules: sb_module_def -> multi-phase module with functions, exceptions and constants in module state. */
#include "cface/cface.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the runtime keeps per sb_module_def, for the life of the process (plain
 * C, shared by every interpreter that imports the module). */
typedef struct sb_module_rt {
    PyModuleDef def;            /* first: PyModule_GetDef() leads back here */
    PyModuleDef_Slot slots[3];
    sb_module_def *user;
    void *classes;              /* class.c's records, made by the first import */
} sb_module_rt;

static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;

static sb_module_def *user_def(PyObject *module)
{
    PyModuleDef *d = PyModule_GetDef(module);
    return d ? ((sb_module_rt *)(void *)d)->user : NULL;
}

void *sb__module_records(PyObject *module)
{
    PyModuleDef *d = module ? PyModule_GetDef(module) : NULL;
    if (!d) {
        PyErr_Clear();
        return NULL;
    }
    return ((sb_module_rt *)(void *)d)->classes;
}

/* The module's SignatureError / StatusError: sigbind's own when it can be
 * imported (so `except sigbind.SignatureError` works), else local ones. */
static PyObject *shared_or_local(const char *attr, const char *modname, PyObject *base)
{
    PyObject *sigbind = PyImport_ImportModule("sigbind");
    if (sigbind) {
        PyObject *t = PyObject_GetAttrString(sigbind, attr);
        Py_DECREF(sigbind);
        if (t)
            return t;
    }
    PyErr_Clear();
    char name[256];
    snprintf(name, sizeof name, "%s.%s", modname, attr);
    return PyErr_NewException(name, base, NULL);
}

static int add_exceptions(PyObject *module, sb_state *st, const sb_module_def *def)
{
    if (!def->exceptions)
        return 0;
    for (const sb_exception_def *e = def->exceptions; e->name; e++) {
        PyObject *base = sb_exception_type(e->base ? e->base : "Exception"); /* borrowed */
        if (!base)
            return -1;
        char qual[256];
        snprintf(qual, sizeof qual, "%s.%s", def->name, e->name);
        PyObject *t = PyErr_NewExceptionWithDoc(qual, e->doc, base, NULL);
        if (!t)
            return -1;
        if (PyDict_SetItemString(st->exc_cache, e->name, t) < 0 || PyModule_AddObject(module, e->name, t) < 0) {
            Py_DECREF(t);
            return -1;
        }
    }
    return 0;
}

static int add_constants(PyObject *module, const sb_module_def *def)
{
    if (!def->constants)
        return 0;
    for (const sb_constant_def *c = def->constants; c->name; c++) {
        PyObject *v = c->kind == SB_CONST_INT     ? PyLong_FromLongLong(c->i)
                      : c->kind == SB_CONST_FLOAT ? PyFloat_FromDouble(c->d)
                      : c->kind == SB_CONST_STR   ? PyUnicode_FromString(c->s ? c->s : "")
                                                  : NULL;
        if (!v) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_SystemError, "%s: constant '%s' has no valid kind", def->name, c->name);
            return -1;
        }
        if (PyModule_AddObject(module, c->name, v) < 0) {
            Py_DECREF(v);
            return -1;
        }
    }
    return 0;
}

static int add_functions(PyObject *module, sb_state *st, const sb_module_def *def, const sb_scope *scope)
{
    if (!def->functions)
        return 0;
    PyObject *modname = PyModule_GetNameObject(module);
    if (!modname)
        return -1;
    int rc = 0;
    for (const sb_function_def *fd = def->functions; fd->signature && rc == 0; fd++) {
        if (!fd->fn) {
            PyErr_Format(PyExc_SystemError, "%s: function entry '%s' has no C function", def->name, fd->signature);
            rc = -1;
            break;
        }
        char context[128];
        snprintf(context, sizeof context, "%s: function table", def->name);
        sb_plan *plan = sb__plan_from_text_ex(st, fd->signature, strlen(fd->signature), context, scope, 0);
        if (!plan) {
            rc = -1;
            break;
        }
        sb_fnextra extra = {NULL, NULL, fd->doc, modname, true, NULL};
        PyObject *fn = sb__function_new(module, NULL, plan, fd->fn, &extra); /* owns plan (and its name) */
        if (!fn || PyModule_AddObject(module, ((sb_function *)PyCFunction_GetSelf(fn))->plan->sig->name, fn) < 0) {
            Py_XDECREF(fn);
            rc = -1;
        }
    }
    Py_DECREF(modname);
    return rc;
}

/* ---- The sole module ----
 * A C-face module made in the main interpreter while no other C-face module
 * of this runtime (this extension file) lives there is the sole one: its
 * classes get specialised slot entries (class.c) that call the C function
 * without setting sb__current_module, and sb__module_now() gives it to code
 * on a thread of the main interpreter where nothing set the variable. Only
 * that module's code can then run in the main interpreter without setting it
 * (every other entry sets it), so the helpers still see the module whose code
 * runs. When a second one is made there (a re-import, an embedding program
 * with two module definitions), the sole module's classes go back to their
 * typed entries (which set it) before any code of the new one runs; the sole
 * module stays the fallback while it lives (a call already under way on one
 * of its specialised entries finishes with it). Written in the main
 * interpreter under its GIL; read from any interpreter (atomics). */
static _Atomic(PyObject *) sole_module;
static _Atomic(PyInterpreterState *) sole_interp;
static unsigned main_live; /* C-face modules of this runtime alive in the main interpreter (its GIL) */

PyObject *sb__module_now(void)
{
    PyObject *m = sb__current_module;
    if (m)
        return m;
    m = atomic_load_explicit(&sole_module, memory_order_acquire);
    if (m && sb__compat_interp() == atomic_load_explicit(&sole_interp, memory_order_relaxed))
        return m;
    return NULL;
}

static void count_module(PyObject *module, sb_state *st)
{
    PyInterpreterState *interp = sb__compat_interp();
    if (!interp || PyInterpreterState_GetID(interp) != 0)
        return;
    st->cface_main = true;
    PyObject *sole = atomic_load_explicit(&sole_module, memory_order_relaxed);
    if (main_live++ == 0 && !sole) {
        st->cface_sole = true;
        atomic_store_explicit(&sole_interp, interp, memory_order_relaxed);
        atomic_store_explicit(&sole_module, module, memory_order_release);
    } else if (sole) {
        sb_state *sst = sb__state(sole);
        if (sst && sst->cface_sole) {
            sst->cface_sole = false;
            sb__classes_despecialise(sst);
        }
    }
}

static void uncount_module(PyObject *module)
{
    sb_state *st = sb__state(module);
    if (!st || !st->cface_main)
        return;
    st->cface_main = false;
    main_live--;
    if (st->cface_sole) {
        st->cface_sole = false;
        sb__classes_despecialise(st); /* instances may outlive the module */
    }
    if (atomic_load_explicit(&sole_module, memory_order_relaxed) == module)
        atomic_store_explicit(&sole_module, NULL, memory_order_release);
}

static int cmod_clear(PyObject *module)
{
    uncount_module(module);
    return sb__state_clear(module);
}

static void cmod_free(void *module)
{
    uncount_module(module);
    sb__state_free(module);
}

static int cmod_exec(PyObject *module)
{
    if (sb__compat_init() < 0)
        return -1;
    sb_module_def *def = user_def(module);
    sb_state *st = sb__state(module);
    if (!def || !st) {
        PyErr_SetString(PyExc_SystemError, "sigbind: module without its definition");
        return -1;
    }
    st->module = module;
    count_module(module, st);
    if (sb__objects_init(st) < 0 || !(st->FunctionType = PyType_FromSpec(&sb__function_spec)) ||
        !(st->exc_cache = PyDict_New()) ||
        !(st->SignatureError = shared_or_local("SignatureError", def->name, PyExc_ValueError)) ||
        !(st->StatusError = shared_or_local("StatusError", def->name, PyExc_RuntimeError)))
        return -1;
    /* Exception bases and the exec hook may name this module's exceptions. */
    PyObject *outer = sb__current_module;
    sb__current_module = module;
    int rc = 0;
    sb_module_rt *rt = def->runtime_;
    if (add_exceptions(module, st, def) < 0 || add_constants(module, def) < 0 ||
        sb__classes_add(module, st, def, &rt->classes) < 0 ||
        add_functions(module, st, def, sb__classes_scope(rt->classes)) < 0 || (def->exec && def->exec(module) < 0))
        rc = -1;
    if (rc == 0 && def->exec && PyErr_Occurred())
        rc = -1;
    sb__current_module = outer;
    return rc;
}

PyObject *sb_module_init(sb_module_def *def)
{
    pthread_mutex_lock(&init_lock);
    sb_module_rt *rt = def->runtime_;
    if (!rt) {
        rt = calloc(1, sizeof *rt);
        if (!rt) {
            pthread_mutex_unlock(&init_lock);
            return PyErr_NoMemory();
        }
        PyModuleDef proto = {PyModuleDef_HEAD_INIT, def->name, def->doc, sizeof(sb_state), NULL, NULL,
                             sb__state_traverse, cmod_clear, cmod_free};
        rt->def = proto;
        rt->user = def;
        rt->slots[0].slot = Py_mod_exec;
        rt->slots[0].value = (void *)cmod_exec;
        sb__compat_module_slots(&rt->slots[1]); /* per-interpreter GIL where the version knows it */
        rt->def.m_slots = rt->slots;
        def->runtime_ = rt; /* lives as long as the process, like a static PyModuleDef */
    }
    pthread_mutex_unlock(&init_lock);
    return PyModuleDef_Init(&rt->def);
}
