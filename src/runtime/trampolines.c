/* trampolines.c — a fixed pool of compiled C entry points for class methods, so a method descriptor's ml_meth needs no libffi closure. */
#include "runtime/runtime.h"

#include <pthread.h>

/* A CPython method descriptor calls ml_meth(self, ...) with no pointer to
 * the method itself, so each method needs an entry point of its own. A libffi
 * closure makes one at run time, but its entry (ffi_closure_unix64_inner)
 * classifies every argument on every call: ~500 instructions. The pool below
 * is SB_TRAMP_POOL ordinary functions, each reading its handler and user data
 * from its own slot: a method takes a free slot and gives it back when its
 * Function object dies. When the pool runs out, callers fall back to closures. */

typedef struct tramp_slot {
    sb_tramp_fast fast;
    sb_tramp_varargs varargs;
    void *user;
    unsigned next_free; /* index + 1 of the next free slot, 0 = none */
} tramp_slot;

static tramp_slot pool[SB_TRAMP_POOL];
static unsigned first_free; /* index + 1, 0 = the pool is used up (after the first fill) */
static unsigned filled;     /* slots handed out at least once: [0, filled) */
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;

/* Entry points: E(i) defines fast_<i> and varargs_<i> for the slot whose
 * number is the octal literal 0<i> (three octal digits: 512 slots). */
#define E(i)                                                                                                   \
    static PyObject *fast_##i(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)      \
    {                                                                                                          \
        const tramp_slot *s = &pool[0##i];                                                                     \
        return s->fast(s->user, self, args, nargs, kwnames);                                                   \
    }                                                                                                          \
    static PyObject *varargs_##i(PyObject *self, PyObject *args, PyObject *kwargs)                             \
    {                                                                                                          \
        const tramp_slot *s = &pool[0##i];                                                                     \
        return s->varargs(s->user, self, args, kwargs);                                                        \
    }
#define E8(p) E(p##0) E(p##1) E(p##2) E(p##3) E(p##4) E(p##5) E(p##6) E(p##7)
#define E64(p) E8(p##0) E8(p##1) E8(p##2) E8(p##3) E8(p##4) E8(p##5) E8(p##6) E8(p##7)
E64(0) E64(1) E64(2) E64(3) E64(4) E64(5) E64(6) E64(7)

typedef PyObject *(*fast_entry)(PyObject *, PyObject *const *, Py_ssize_t, PyObject *);
typedef PyObject *(*varargs_entry)(PyObject *, PyObject *, PyObject *);

#define F(i) fast_##i,
#define F8(p) F(p##0) F(p##1) F(p##2) F(p##3) F(p##4) F(p##5) F(p##6) F(p##7)
#define F64(p) F8(p##0) F8(p##1) F8(p##2) F8(p##3) F8(p##4) F8(p##5) F8(p##6) F8(p##7)
static const fast_entry fast_entries[SB_TRAMP_POOL] = {F64(0) F64(1) F64(2) F64(3) F64(4) F64(5) F64(6) F64(7)};

#define V(i) varargs_##i,
#define V8(p) V(p##0) V(p##1) V(p##2) V(p##3) V(p##4) V(p##5) V(p##6) V(p##7)
#define V64(p) V8(p##0) V8(p##1) V8(p##2) V8(p##3) V8(p##4) V8(p##5) V8(p##6) V8(p##7)
static const varargs_entry varargs_entries[SB_TRAMP_POOL] = {V64(0) V64(1) V64(2) V64(3) V64(4) V64(5) V64(6)
                                                                 V64(7)};

unsigned sb__tramp_acquire(sb_tramp_fast fast, sb_tramp_varargs varargs, void *user, PyCFunction *fast_fn,
                           PyCFunction *varargs_fn)
{
    pthread_mutex_lock(&pool_lock);
    unsigned i;
    if (first_free) {
        i = first_free - 1;
        first_free = pool[i].next_free;
    } else if (filled < SB_TRAMP_POOL) {
        i = filled++;
    } else {
        pthread_mutex_unlock(&pool_lock);
        return 0;
    }
    pool[i] = (tramp_slot){fast, varargs, user, 0};
    pthread_mutex_unlock(&pool_lock);
    *fast_fn = (PyCFunction)(void (*)(void))fast_entries[i];
    *varargs_fn = (PyCFunction)(void (*)(void))varargs_entries[i];
    return i + 1;
}

void sb__tramp_release(unsigned slot)
{
    if (!slot || slot > SB_TRAMP_POOL)
        return;
    pthread_mutex_lock(&pool_lock);
    pool[slot - 1] = (tramp_slot){NULL, NULL, NULL, first_free};
    first_free = slot;
    pthread_mutex_unlock(&pool_lock);
}

unsigned sb__tramp_in_use(void)
{
    pthread_mutex_lock(&pool_lock);
    unsigned n = filled;
    for (unsigned i = first_free; i; i = pool[i - 1].next_free)
        n--;
    pthread_mutex_unlock(&pool_lock);
    return n;
}
