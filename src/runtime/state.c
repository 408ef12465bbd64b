/* state.c — the module state every module on the runtime keeps (sigbind and C-face modules): access, GC, the running module. */
#include "runtime/runtime.h"

/* The module whose C-face code runs on this thread (runtime.h). */
_Thread_local PyObject *sb__current_module;

/* Every module built on the runtime (sigbind itself and C-face modules) keeps
 * an sb_state at the start of its module state. */
sb_state *sb__state(PyObject *module)
{
    return (sb_state *)PyModule_GetState(module);
}

/* Module state of every module on the runtime: traverse and clear. */
int sb__state_traverse(PyObject *module, visitproc visit, void *arg)
{
    sb_state *st = sb__state(module);
    if (!st)
        return 0;
    Py_VISIT(st->FunctionType);
    Py_VISIT(st->LibraryType);
    for (unsigned i = 0; i < st->nptr_free; i++)
        Py_VISIT((PyObject *)Py_TYPE(st->ptr_free[i]));
    Py_VISIT(st->PointerType);
    Py_VISIT(st->SignatureError);
    Py_VISIT(st->SymbolNotFoundError);
    Py_VISIT(st->StatusError);
    Py_VISIT(st->exc_cache);
    Py_VISIT(st->classes);
    Py_VISIT(st->class_keep);
    Py_VISIT(st->CallbackType);
    Py_VISIT(st->StructType);
    Py_VISIT(st->MethodType);
    Py_VISIT(st->BoundMethod);
    Py_VISIT(st->CValueType);
    for (size_t i = 0; i < sizeof st->fn_memo / sizeof st->fn_memo[0]; i++)
        Py_VISIT(st->fn_memo[i].cap);
    return 0;
}

int sb__state_clear(PyObject *module)
{
    sb_state *st = sb__state(module);
    if (!st)
        return 0;
    Py_CLEAR(st->FunctionType);
    Py_CLEAR(st->LibraryType);
    Py_CLEAR(st->PointerType); /* no Pointer joins the free list from now on */
    while (st->nptr_free) {
        PyObject *o = st->ptr_free[--st->nptr_free];
        PyTypeObject *tp = Py_TYPE(o);
        PyObject_GC_Del(o);
        sb__compat_dealloc_type(tp);
    }
    Py_CLEAR(st->SignatureError);
    Py_CLEAR(st->SymbolNotFoundError);
    Py_CLEAR(st->StatusError);
    Py_CLEAR(st->exc_cache);
    Py_CLEAR(st->classes);
    Py_CLEAR(st->class_keep);
    Py_CLEAR(st->CallbackType);
    Py_CLEAR(st->StructType);
    Py_CLEAR(st->MethodType);
    Py_CLEAR(st->BoundMethod);
    Py_CLEAR(st->CValueType);
    for (size_t i = 0; i < sizeof st->type_memo / sizeof st->type_memo[0]; i++)
        Py_CLEAR(st->type_memo[i].text);
    for (size_t i = 0; i < sizeof st->fn_memo / sizeof st->fn_memo[0]; i++) {
        Py_CLEAR(st->fn_memo[i].text);
        Py_CLEAR(st->fn_memo[i].cap);
    }
    return 0;
}

void sb__state_free(void *module)
{
    sb__state_clear((PyObject *)module);
}
