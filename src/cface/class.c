/* class.c — the C face's classes: sb_class_def -> heap type with fields, methods, properties, protocols and GC by signature. */
#include "cface/cface.h"

#include <structmember.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Process-wide records (plain C, made once per sb_module_def like a   */
/* static type spec, never freed): what every interpreter's type of a  */
/* class shares. Nothing here refers to a Python object.               */

/* The special methods with a direct slot entry (see "Direct type slots"
 * below). The number methods come in threes: the operator, its reflected
 * form and its in-place form, sharing one nb_* slot (divmod has no in-place
 * form). */
enum {
    SP_LEN, SP_CONTAINS, SP_GETITEM, SP_SETITEM, SP_DELITEM, SP_ITER, SP_NEXT,
    SP_LT, SP_LE, SP_EQ, SP_NE, SP_GT, SP_GE, /* SP_LT + Py_LT ... SP_LT + Py_GE */
    SP_HASH, SP_CALL, SP_REPR, SP_STR, SP_INIT,
    SP_ADD, SP_SUB = SP_ADD + 3, SP_MUL = SP_SUB + 3, SP_TRUEDIV = SP_MUL + 3, SP_FLOORDIV = SP_TRUEDIV + 3,
    SP_MOD = SP_FLOORDIV + 3, SP_POW = SP_MOD + 3, SP_LSHIFT = SP_POW + 3, SP_RSHIFT = SP_LSHIFT + 3,
    SP_AND = SP_RSHIFT + 3, SP_OR = SP_AND + 3, SP_XOR = SP_OR + 3, SP_MATMUL = SP_XOR + 3,
    SP_DIVMOD = SP_MATMUL + 3, /* and SP_DIVMOD + 1: __rdivmod__ */
    SP_NEG = SP_DIVMOD + 2, SP_POS, SP_ABS, SP_INVERT, SP_BOOL, SP_INDEX, SP_INT, SP_FLOAT,
    SP_GETATTR,
    SP_N
};

typedef struct spset {
    uint32_t w[(SP_N + 31) / 32];
} spset;

static inline bool sp_has(const spset *s, int k)
{
    return (s->w[k / 32] >> (k % 32)) & 1u;
}

static inline void sp_put(spset *s, int k, bool on)
{
    if (on)
        s->w[k / 32] |= 1u << (k % 32);
    else
        s->w[k / 32] &= ~(1u << (k % 32));
}

typedef struct classrec classrec;

typedef struct fieldrec {
    char *name;             /* attribute name */
    sb_type type;
    uint8_t conv;           /* sb_conv */
    size_t offset;          /* in the struct */
    bool readonly;
    const classrec *cls;
} fieldrec;

struct classrec {
    const sb_class_def *def;
    sb_named named;         /* the signature type name: "Rect" in "Rect *self" */
    const classrec *base;   /* a sigbind base class, or NULL */
    char *tp_name;          /* "module.Rect" */
    char *tp_doc;           /* "Rect(w, h=1)\n--\n\n<doc>" */
    bool gc;                /* Py_TPFLAGS_HAVE_GC: PyObject * fields, hooks, a __dict__ */
    bool dict, weakref;     /* granted on this version */
    Py_ssize_t dictoff, weakoff; /* where those slots are (after the struct), when granted */
    bool has_init;          /* declares __init__ on a version whose tp_init is its direct entry (3.10+: the
                               class's text signature works; the method is kept as _sigbind_init) */
    bool ctor;              /* it or a base declares __init__: instances are unbuilt until it runs */
    bool pickles;           /* it or a base declares __reduce__, __reduce_ex__ or __getstate__ */
    spset own_sp;           /* the special methods with a direct slot entry it declares (SP_*) */
    size_t ngetset;         /* entries of getset (fields and __dict__) */
    size_t nfields;
    fieldrec *fields;
    size_t nobj;            /* PyObject * fields of this class and its bases */
    size_t *objoffs;
    PyGetSetDef *getset;    /* fields (+ __dict__), NULL-terminated */
    PyMemberDef members[3];
    PyType_Slot slots[12];  /* the slots every interpreter's type shares; make_class adds the rest */
    PyType_Spec spec;
    void *closures[4];      /* tp_dealloc, tp_traverse, tp_clear, bf_getbuffer: libffi closures, or NULL */
    void *code[4];          /* their entries (a closure's or a pool stub's, make_entry) */
};

/* ------------------------------------------------------------------ */
/* Direct type slots: the special methods that go into the type's     */
/* slots at creation, each through an entry of its own below (no       */
/* attribute lookup, no closure). An entry finds the method's Function */
/* through the per-type record `classrt` (one per class and            */
/* interpreter, owned by a capsule in the class's _sigbind_keep): the  */
/* type's tp_getset array lives inside that record and its first entry */
/* is the marker `_sigbind_class` whose closure is the record, so      */
/* PyType_GetSlot(type, Py_tp_getset) reaches it in one step on every  */
/* version (tp_getset is stored as given and never inherited; a Python */
/* subclass's is CPython's own, so the walk goes on to its tp_base).   */
/* Nothing is added to the instance layout and nothing is shared       */
/* between interpreters. The number methods are here too: a binary   */
/* nb_* slot serves an operator and its reflected form and is called   */
/* with the instance on either side (sp_binary). Special methods       */
/* without an entry (attribute hooks, __enter__...) are set on the     */
/* type after creation and reached through CPython's generic slot_*.   */

static const char *const sp_names[SP_N] = {
    "__len__", "__contains__", "__getitem__", "__setitem__", "__delitem__", "__iter__", "__next__",
    "__lt__", "__le__", "__eq__", "__ne__", "__gt__", "__ge__",
    "__hash__", "__call__", "__repr__", "__str__", "__init__",
    "__add__", "__radd__", "__iadd__", "__sub__", "__rsub__", "__isub__", "__mul__", "__rmul__", "__imul__",
    "__truediv__", "__rtruediv__", "__itruediv__", "__floordiv__", "__rfloordiv__", "__ifloordiv__",
    "__mod__", "__rmod__", "__imod__", "__pow__", "__rpow__", "__ipow__",
    "__lshift__", "__rlshift__", "__ilshift__", "__rshift__", "__rrshift__", "__irshift__",
    "__and__", "__rand__", "__iand__", "__or__", "__ror__", "__ior__", "__xor__", "__rxor__", "__ixor__",
    "__matmul__", "__rmatmul__", "__imatmul__", "__divmod__", "__rdivmod__",
    "__neg__", "__pos__", "__abs__", "__invert__", "__bool__", "__index__", "__int__", "__float__",
    "__getattr__",
};

static int sp_index(const char *name)
{
    for (int k = 0; k < SP_N; k++)
        if (!strcmp(name, sp_names[k]))
            return k;
    return -1;
}

/* A typed direct entry (see "Typed entries" below): the special method's C
 * function called straight from its slot, for a method of the instance and
 * at most one int, bool, `PyObject *` or instance argument. */
enum { TA_NONE, TA_INT, TA_BOOL, TA_OBJ, TA_INST };  /* the argument after self */
enum { TR_VOID, TR_SINT, TR_UINT, TR_BOOL, TR_OBJ }; /* the result */
#define SP_NTYPED SP_DIVMOD /* the slots before divmod and the unary number methods */
/* The specialised typed entries (see "Specialised entries"): one per slot and
 * exact signature kind, for a class declared SB_ERRVALUE. */
enum {
    SK_NONE,
    SK_LEN,      /* __len__(self) -> an 8-byte integer */
    SK_CONTAINS, /* __contains__(self, a signed integer of 32 bits or more) -> bool */
    SK_GETITEM,  /* __getitem__(self, a signed integer of 32 bits or more) -> int64_t-wide signed */
    SK_NEXT_INT, /* __next__(self) -> an 8-byte signed integer */
    SK_NEXT_OBJ, /* __next__(self) -> PyObject * */
    SK_CMP,      /* __eq__ and the others (self, an instance) -> bool */
    SK_BIN_INT,  /* __add__, __sub__, ... but __pow__ (self, a signed integer of 32 bits or more) -> 8-byte signed */
};

typedef struct sptyped {
    void (*cfn)(void);      /* the C function; NULL: the slot calls the method's Function (generic) */
    PyObject *module;       /* its module (sb__current_module during the call); borrowed from the Function */
    uint64_t rmask, rsign;  /* the result from its register word: ((r & rmask) ^ rsign) - rsign (its own
                               width, sign-extended for a signed type; a bool is 0 or 1) */
    uint64_t errv;          /* SB_ERRVALUE: the error value (r & rmask), the only result after which the call
                               looks for an exception */
    bool always;            /* look for an exception after every call (no SB_ERRVALUE, or a void result) */
    int64_t amin;           /* TA_INT: the parameter's range */
    uint64_t amax;
    PyTypeObject *atype;    /* TA_INST: the argument's exact type (borrowed: the module state keeps it) */
    uint8_t arg, ret;       /* TA_*, TR_* */
    bool needbuilt;         /* self's class has a constructor and this is not it: self must be built */
    bool arg_ctor;          /* TA_INST: the argument's class has a constructor (it must be built) */
    uint8_t spec;           /* SK_*: the specialised entry of its slot and signature, or SK_NONE */
    PyTypeObject *stype;    /* the type (the record's) whose instances take the specialised entry when spec is
                               the slot's one kind (SK_NEXT_INT for __next__, not SK_NEXT_OBJ), else NULL: one
                               compare with the instance's type tests both (sp_spec) */
} sptyped;

/* Py_TPFLAGS_HAVE_VECTORCALL (Include/object.h: 1UL << 11 since 3.8, in the limited API from 3.12) */
#define SB_TPFLAGS_HAVE_VECTORCALL (1UL << 11)
typedef PyObject *(*sb_vcallfn)(PyObject *callable, PyObject *const *args, size_t nargsf, PyObject *kwnames);

typedef struct classrt {
    const classrec *rec;
    spset direct;           /* the SP_* whose slots are this type's entries */
    PyTypeObject *type;     /* borrowed: the type this record belongs to (it owns the record) */
    unsigned nfree;         /* dead instances kept in `free` (the class's freelist) */
    PyObject **free;        /* rec->def->freelist slots, or NULL */
    Py_ssize_t basicsize;   /* the type's instance size (rec->spec.basicsize, plus the vectorcall word) */
    Py_ssize_t vcoff;       /* >= 3.12, a class with a direct __call__: where the instance's vectorcallfunc
                               word is (its __vectorcalloffset__), set by class_alloc; else 0 */
    PyMemberDef members[4]; /* the record's members, then __vectorcalloffset__ when vcoff */
    sb_function *fn[SP_N];  /* borrowed: kept by the defining class's _sigbind_keep (a base's by its type) */
    sptyped ty[SP_NTYPED];  /* per fn[k] of the slots before divmod: its typed entry, if any */
    PyGetSetDef getset[];   /* [0]: the marker; then the record's getset; NULL-terminated */
} classrt;

static PyObject *rt_marker(PyObject *self, void *closure)
{
    (void)self, (void)closure;
    Py_INCREF(Py_None);
    return Py_None;
}

/* The record of tp's nearest sigbind class, or NULL (no exception) when tp
 * is not one nor derives from one (a number slot's other operand may be
 * anything; a static type is never one, and is not asked for its slots:
 * PyType_GetSlot refuses static types before 3.10). */
static classrt *rt_peek(PyTypeObject *tp)
{
    while (tp && (PyType_GetFlags(tp) & Py_TPFLAGS_HEAPTYPE)) {
        PyGetSetDef *gs = (PyGetSetDef *)PyType_GetSlot(tp, Py_tp_getset);
        if (SB_LIKELY(gs && gs[0].get == rt_marker))
            return gs[0].closure;
        tp = (PyTypeObject *)PyType_GetSlot(tp, Py_tp_base);
    }
    return NULL;
}

/* The same, with an exception when there is none. */
static classrt *rt_of(PyTypeObject *tp)
{
    classrt *rt = rt_peek(tp);
    if (!rt && !PyErr_Occurred())
        PyErr_SetString(PyExc_SystemError, "sigbind: not an instance of a sigbind class");
    return rt;
}

/* The record of an instance's class, cached in the instance: the word after
 * the state word is padding up to the struct (SB_INST_OFFSET, runtime.h),
 * zero from the allocation (and from the free list). The cache is believed
 * only while its record's type is the instance's type, so a Python subclass's
 * instance (whose record is its sigbind base's) and one whose __class__ was
 * assigned take the walk each time; a record lives as long as its module's
 * state, as its type does. */
#define INST_RT(obj) (*(classrt **)(void *)((char *)(obj) + SB_INST_STATE_OFFSET + sizeof(uintptr_t)))
_Static_assert(SB_INST_STATE_OFFSET + sizeof(uintptr_t) + sizeof(classrt *) <= SB_INST_OFFSET,
               "the instance record cache lies in the padding before the struct");

static SB_NOINLINE classrt *rt_self_slow(PyObject *self)
{
    classrt *rt = rt_of(Py_TYPE(self));
    if (rt && rt->type == Py_TYPE(self) && (!rt->rec->ctor || SB_INST_STATE(self) == SB_INST_BUILT))
        INST_RT(self) = rt; /* only once built (see BUILT): a cached record also says "built" (sp_typed) */
    return rt;
}

static SB_ALWAYS_INLINE classrt *rt_self(PyObject *self)
{
    classrt *rt = INST_RT(self);
    if (SB_LIKELY(rt && rt->type == Py_TYPE(self)))
        return rt;
    return rt_self_slow(self);
}

static void rt_free(PyObject *capsule)
{
    classrt *rt = PyCapsule_GetPointer(capsule, "sigbind.classrt");
    if (!rt)
        return;
    for (unsigned i = 0; i < rt->nfree; i++)
        (rt->rec->gc ? PyObject_GC_Del : PyObject_Free)(rt->free[i]);
    free(rt->free);
    free(rt);
}

static PyObject *sp_vcall(PyObject *self, PyObject *const *args, size_t nargsf, PyObject *kwnames);

/* tp_alloc of a class with a free list (a kept instance when there is one)
 * or a vectorcall __call__ (>= 3.12: the instance's vectorcallfunc word is
 * set, for an instance of exactly this class: a Python subclass allocates
 * with PyType_GenericAlloc, so its instances keep the word NULL, which
 * CPython takes as "call tp_call"). A reused instance is zeroed first, the
 * word included, then set again. */
static PyObject *class_alloc(PyTypeObject *tp, Py_ssize_t nitems)
{
    classrt *rt = rt_of(tp);
    if (!rt)
        return NULL;
    PyObject *obj;
    if (rt->type != tp || !rt->nfree) {
        if (!(obj = PyType_GenericAlloc(tp, nitems)))
            return NULL;
    } else {
        obj = rt->free[--rt->nfree];
        memset((char *)obj + sizeof(PyObject), 0, (size_t)rt->basicsize - sizeof(PyObject));
        sb__compat_object_reinit(obj, tp);
        if (rt->rec->gc)
            PyObject_GC_Track(obj);
    }
    if (rt->vcoff && rt->type == tp)
        *(sb_vcallfn *)(void *)((char *)obj + rt->vcoff) = sp_vcall;
    return obj;
}

/* Keeps a dead instance of exactly rt's class instead of freeing it (1), or 0. */
static int freelist_keep(PyObject *self, PyTypeObject *tp)
{
    PyGetSetDef *gs = (PyGetSetDef *)PyType_GetSlot(tp, Py_tp_getset);
    classrt *rt = gs && gs[0].get == rt_marker ? gs[0].closure : NULL;
    if (!rt || !rt->free || rt->type != tp || rt->nfree >= rt->rec->def->freelist)
        return 0;
    rt->free[rt->nfree++] = self;
    return 1;
}

typedef struct classset {
    size_t n;
    classrec *recs;
    sb_scope scope;
} classset;

/* Instance layout (runtime.h): header, the state word, the struct at
 * SB_INST_OFFSET, then a __dict__ and a weak-reference list slot only when
 * the class (or a base) asks for them (SB_DICT, SB_WEAKREF): each class puts
 * them after its own struct, so a subclass's struct can still start with
 * its base's (the subclass has its own, further on). */
#define DICT_SLOT(self, rec) ((PyObject **)(void *)((char *)(self) + (rec)->dictoff))
#define WEAKLIST_SLOT(self, rec) ((PyObject **)(void *)((char *)(self) + (rec)->weakoff))

static pthread_mutex_t records_lock = PTHREAD_MUTEX_INITIALIZER;

/* libffi call interfaces of the closures (prepared once; constant after). */
static ffi_cif cif_dealloc, cif_traverse, cif_clear, cif_fast, cif_varargs, cif_getbuffer;
static ffi_type *at_p1[1] = {&ffi_type_pointer};
static ffi_type *at_p3[3] = {&ffi_type_pointer, &ffi_type_pointer, &ffi_type_pointer};
static ffi_type *at_fast[4] = {&ffi_type_pointer, &ffi_type_pointer, &SB_FFI_SSIZE, &ffi_type_pointer};
static ffi_type *at_getbuffer[3] = {&ffi_type_pointer, &ffi_type_pointer, &ffi_type_sint};
static pthread_once_t cifs_once = PTHREAD_ONCE_INIT;
static bool cifs_ok;

static void prep_cifs(void)
{
    cifs_ok = ffi_prep_cif(&cif_dealloc, FFI_DEFAULT_ABI, 1, &ffi_type_void, at_p1) == FFI_OK &&
              ffi_prep_cif(&cif_traverse, FFI_DEFAULT_ABI, 3, &ffi_type_sint, at_p3) == FFI_OK &&
              ffi_prep_cif(&cif_clear, FFI_DEFAULT_ABI, 1, &ffi_type_sint, at_p1) == FFI_OK &&
              ffi_prep_cif(&cif_fast, FFI_DEFAULT_ABI, 4, &ffi_type_pointer, at_fast) == FFI_OK &&
              ffi_prep_cif(&cif_varargs, FFI_DEFAULT_ABI, 3, &ffi_type_pointer, at_p3) == FFI_OK &&
              ffi_prep_cif(&cif_getbuffer, FFI_DEFAULT_ABI, 3, &ffi_type_sint, at_getbuffer) == FFI_OK;
}

static void *make_closure(ffi_cif *cif, void (*fn)(ffi_cif *, void *, void **, void *), void *user, void **code)
{
    ffi_closure *cl = ffi_closure_alloc(sizeof(ffi_closure), code);
    if (!cl)
        return NULL;
    if (ffi_prep_closure_loc(cl, cif, fn, user, *code) != FFI_OK) {
        ffi_closure_free(cl);
        return NULL;
    }
    return cl;
}

/* ------------------------------------------------------------------ */
/* Instances: dealloc, traverse, clear (entries bound to the record, make_entry). */

/* May C code see the struct (the class has no constructor, or it ran)? */
#define BUILT(self, rec) (!(rec)->ctor || SB_INST_STATE(self) == SB_INST_BUILT)

static void clear_fields(PyObject *self, const classrec *rec)
{
    char *base = SB_INST_STRUCT(self);
    for (size_t i = 0; i < rec->nobj; i++) {
        PyObject **slot = (PyObject **)(void *)(base + rec->objoffs[i]);
        Py_CLEAR(*slot);
    }
    if (rec->dict) {
        PyObject **d = DICT_SLOT(self, rec);
        Py_CLEAR(*d);
    }
}

static void do_dealloc(PyObject *self, const classrec *rec)
{
    PyTypeObject *tp = Py_TYPE(self);
    /* Our own dealloc for instances of this class (or a C subclass); a
     * Python subclass's instance arrives through subtype_dealloc. */
    bool direct = PyType_GetSlot(tp, Py_tp_dealloc) == rec->code[0];
    for (const classrec *r = rec; r; r = r->base)
        if (r->gc) {
            PyObject_GC_UnTrack(self);
            break;
        }
    if (rec->weakref && *WEAKLIST_SLOT(self, rec))
        PyObject_ClearWeakRefs(self);
    /* The hooks never see a struct whose constructor did not run. */
    bool built = BUILT(self, rec);
    for (const classrec *r = rec; r && built; r = r->base)
        if (r->def->destroy)
            r->def->destroy(SB_INST_STRUCT(self));
    for (const classrec *r = rec; r && built; r = r->base)
        if (r->def->clear)
            r->def->clear(SB_INST_STRUCT(self));
    clear_fields(self, rec);
    if (!direct || !rec->def->freelist || !freelist_keep(self, tp)) {
        freefunc tfree = (freefunc)PyType_GetSlot(tp, Py_tp_free);
        tfree(self);
    }
    if (direct || sb__compat_base_dealloc_decrefs_type())
        Py_DECREF(tp);
}

static int do_traverse(PyObject *self, visitproc visit, void *arg, const classrec *rec)
{
    char *base = SB_INST_STRUCT(self);
    for (size_t i = 0; i < rec->nobj; i++) {
        PyObject *o = *(PyObject **)(void *)(base + rec->objoffs[i]);
        Py_VISIT(o);
    }
    if (rec->dict) {
        PyObject *d = *DICT_SLOT(self, rec);
        Py_VISIT(d);
    }
    for (const classrec *r = rec; r && BUILT(self, rec); r = r->base)
        if (r->def->traverse) {
            int rc = r->def->traverse(base, visit, arg);
            if (rc)
                return rc;
        }
    return sb__compat_visit_type(self, visit, arg);
}

static void tramp_dealloc(ffi_cif *cif, void *ret, void **args, void *user)
{
    (void)cif, (void)ret;
    do_dealloc(*(PyObject **)args[0], user);
}

static void tramp_traverse(ffi_cif *cif, void *ret, void **args, void *user)
{
    (void)cif;
    *(ffi_sarg *)ret = do_traverse(*(PyObject **)args[0], *(visitproc *)args[1], *(void **)args[2], user);
}

static int do_clear(PyObject *self, const classrec *rec)
{
    for (const classrec *r = rec; r && BUILT(self, rec); r = r->base)
        if (r->def->clear)
            r->def->clear(SB_INST_STRUCT(self));
    clear_fields(self, rec);
    return 0;
}

static void tramp_clear(ffi_cif *cif, void *ret, void **args, void *user)
{
    (void)cif;
    *(ffi_sarg *)ret = do_clear(*(PyObject **)args[0], user);
}

/* ------------------------------------------------------------------ */
/* Buffer export (>= 3.11): the class's hook describes a 1-D array.    */

static int do_getbuffer(PyObject *self, sb_buffer *view, int flags, const classrec *rec)
{
    const classrec *r = rec;
    while (r && !r->def->buffer)
        r = r->base;
    view->obj = NULL;
    sb_buffer_info info = {NULL, 0, 1, NULL, false};
    if (!BUILT(self, rec))
        return sb__unbuilt_error(self);
    if (!r || r->def->buffer(SB_INST_STRUCT(self), &info) < 0) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_BufferError, "%s: the buffer hook failed", rec->def->name);
        return -1;
    }
    if ((flags & SB_PyBUF_WRITABLE) && info.readonly) {
        PyErr_Format(PyExc_BufferError, "%s exports a read-only buffer", rec->def->name);
        return -1;
    }
    size_t itemsize = info.itemsize ? info.itemsize : 1;
    Py_ssize_t *dims = PyMem_Malloc(2 * sizeof *dims); /* shape and strides, freed on release */
    if (!dims) {
        PyErr_NoMemory();
        return -1;
    }
    dims[0] = (Py_ssize_t)info.len;
    dims[1] = (Py_ssize_t)itemsize;
    Py_INCREF(self);
    view->obj = self;
    view->buf = info.buf;
    view->len = (Py_ssize_t)(info.len * itemsize);
    view->itemsize = (Py_ssize_t)itemsize;
    view->readonly = info.readonly;
    view->ndim = 1;
    view->format = (flags & SB_PyBUF_FORMAT) ? (char *)(info.format ? info.format : "B") : NULL;
    view->shape = (flags & SB_PyBUF_ND) ? &dims[0] : NULL;
    view->strides = (flags & SB_PyBUF_STRIDES) == SB_PyBUF_STRIDES ? &dims[1] : NULL;
    view->suboffsets = NULL;
    view->internal = dims;
    return 0;
}

static void tramp_getbuffer(ffi_cif *cif, void *ret, void **args, void *user)
{
    (void)cif;
    *(ffi_sarg *)ret = do_getbuffer(*(PyObject **)args[0], *(sb_buffer **)args[1], *(int *)args[2], user);
}

/* The same four entries through the callback stub pool (cbstubs.c): a stub
 * bound to the record saves the argument registers and calls these, about a
 * tenth of a libffi closure's cost (an instance's dealloc is part of every
 * construction that is dropped). Used while the pool has a free stub, else
 * the closures above. */
#if SB_HAVE_CBSTUBS
static PyObject *frame_obj(const sb_cbframe *frame, int i)
{
    return (PyObject *)(uintptr_t)frame->gp[i];
}

static uint64_t stub_dealloc(void *user, const sb_cbframe *frame)
{
    do_dealloc(frame_obj(frame, 0), user);
    return 0;
}

static uint64_t stub_traverse(void *user, const sb_cbframe *frame)
{
    visitproc visit = (visitproc)(uintptr_t)frame->gp[1];
    return (uint64_t)(int64_t)do_traverse(frame_obj(frame, 0), visit, (void *)(uintptr_t)frame->gp[2], user);
}

static uint64_t stub_clear(void *user, const sb_cbframe *frame)
{
    return (uint64_t)(int64_t)do_clear(frame_obj(frame, 0), user);
}

static uint64_t stub_getbuffer(void *user, const sb_cbframe *frame)
{
    sb_buffer *view = (sb_buffer *)(uintptr_t)frame->gp[1];
    return (uint64_t)(int64_t)do_getbuffer(frame_obj(frame, 0), view, (int)(uint32_t)frame->gp[2], user);
}
#endif

enum { ENTRY_DEALLOC, ENTRY_TRAVERSE, ENTRY_CLEAR, ENTRY_GETBUFFER };

/* rec->code[i]: entry i bound to rec, a pool stub or else a libffi closure
 * (rec->closures[i]); false when neither can be had. Both are kept for the
 * life of the process, as the record is. */
static bool make_entry(classrec *rec, int i)
{
    static ffi_cif *const cifs[4] = {&cif_dealloc, &cif_traverse, &cif_clear, &cif_getbuffer};
    static void (*const tramps[4])(ffi_cif *, void *, void **, void *) = {tramp_dealloc, tramp_traverse,
                                                                          tramp_clear, tramp_getbuffer};
#if SB_HAVE_CBSTUBS
    static const sb_cbstub_fn stubs[4] = {stub_dealloc, stub_traverse, stub_clear, stub_getbuffer};
    static const int regs[4] = {1, 3, 1, 3};
    if (!getenv("SIGBIND_CLOSURE_ENTRIES") && sb__cbstub_take(stubs[i], NULL, rec, regs[i], false, &rec->code[i]) >= 0)
        return true;
#endif
    return cifs_ok && (rec->closures[i] = make_closure(cifs[i], tramps[i], rec, &rec->code[i])) != NULL;
}

static void class_releasebuffer(PyObject *self, sb_buffer *view)
{
    (void)self;
    PyMem_Free(view->internal);
    view->internal = NULL;
}

/* ------------------------------------------------------------------ */
/* Fields: typed attributes over the struct.                           */

static void field_load(const fieldrec *fr, const char *p, sb_cell *c)
{
    sb__cell_load(fr->type, p, c);
}

static void field_store(const fieldrec *fr, char *p, const sb_cell *c)
{
    sb__cell_store(fr->type, p, c);
}

static PyObject *field_get(PyObject *self, void *closure)
{
    const fieldrec *fr = closure;
    char *p = (char *)SB_INST_STRUCT(self) + fr->offset;
    if (fr->conv == SB_CV_PYOBJ) {
        PyObject *o = *(PyObject **)(void *)p;
        o = o ? o : Py_None;
        Py_INCREF(o);
        return o;
    }
    sb_cell c;
    field_load(fr, p, &c);
    return sb__from_c(NULL, fr->conv, fr->type, &c);
}

static int field_set(PyObject *self, PyObject *value, void *closure)
{
    const fieldrec *fr = closure;
    char *p = (char *)SB_INST_STRUCT(self) + fr->offset;
    if (fr->conv == SB_CV_PYOBJ) {
        PyObject **slot = (PyObject **)(void *)p, *old = *slot;
        Py_XINCREF(value); /* NULL: del obj.field */
        *slot = value;
        Py_XDECREF(old);
        return 0;
    }
    if (!value) {
        PyErr_Format(PyExc_AttributeError, "%s attribute '%s' cannot be deleted", fr->cls->def->name, fr->name);
        return -1;
    }
    sb_convctx cx = {fr->cls->def->name, fr->name, fr->type, NULL, SB_CX_ATTRIBUTE, false};
    sb_cell c;
    c.u = 0;
    if (sb__to_c(&cx, fr->conv, fr->type, value, &c, NULL) < 0)
        return -1;
    field_store(fr, p, &c);
    return 0;
}

static PyObject *dict_get(PyObject *self, void *closure)
{
    PyObject **d = DICT_SLOT(self, (const classrec *)closure);
    if (!*d && !(*d = PyDict_New()))
        return NULL;
    Py_INCREF(*d);
    return *d;
}

/* __reduce__ of a class that does not say how to pickle it: its instances
 * hold C data that object's default reduction would silently lose (protocols
 * 0 and 1) or that CPython refuses only by accident of the layout. */
static PyObject *refuse_reduce(PyObject *self, PyObject *unused)
{
    (void)unused;
    PyObject *name = PyObject_GetAttrString((PyObject *)Py_TYPE(self), "__qualname__");
    if (name)
        PyErr_Format(PyExc_TypeError, "cannot pickle '%U' object", name);
    Py_XDECREF(name);
    return NULL;
}

static PyMethodDef refuse_reduce_def = {
    "__reduce__", refuse_reduce, METH_NOARGS,
    "Refuses: this class does not define how to pickle it (no __reduce__, __reduce_ex__ or __getstate__)."};

/* ------------------------------------------------------------------ */
/* Building the records                                                */

static const sb_named *scope_lookup(const sb_scope *scope, const char *name, size_t len, int tag)
{
    const classset *set = scope->ctx;
    if (tag == 'u' || tag == 'e')
        return NULL;
    for (size_t i = 0; i < set->n; i++)
        if (strlen(set->recs[i].named.name) == len && memcmp(set->recs[i].named.name, name, len) == 0)
            return &set->recs[i].named;
    return NULL;
}

const sb_scope *sb__classes_scope(void *records)
{
    classset *set = records;
    return set && set->n ? &set->scope : NULL;
}

void sb__classes_despecialise(sb_state *st)
{
    Py_ssize_t n = st && st->classes ? PyList_Size(st->classes) : 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyTypeObject *tp = (PyTypeObject *)PyList_GetItem(st->classes, i);
        classrt *rt = tp ? rt_peek(tp) : NULL;
        if (rt && rt->type == tp)
            for (int k = 0; k < SP_NTYPED; k++) {
                rt->ty[k].spec = SK_NONE;
                rt->ty[k].stype = NULL;
            }
    }
}

PyTypeObject *sb__class_find(void *records, sb_state *st, const char *name, bool *ctor)
{
    const classset *set = records;
    for (size_t i = 0; set && st && st->classes && i < set->n; i++)
        if (strcmp(set->recs[i].named.name, name) == 0) {
            *ctor = set->recs[i].ctor;
            return (PyTypeObject *)PyList_GetItem(st->classes, (Py_ssize_t)set->recs[i].named.index);
        }
    return NULL;
}

/* "(w, h=1)" from the constructor's "($self, /, w, h=1)" (ts: tslen bytes, or NULL). */
static char *ctor_doc(const char *name, const char *ts, size_t tslen, const char *doc)
{
    const char *rest = ")";
    size_t nrest = 1;
    if (ts && tslen >= 6 && strncmp(ts, "($self", 6) == 0) {
        rest = ts + 6;
        nrest = tslen - 6;
        if (nrest >= 3 && strncmp(rest, ", /", 3) == 0)
            rest += 3, nrest -= 3;
        if (nrest >= 2 && strncmp(rest, ", ", 2) == 0)
            rest += 2, nrest -= 2;
    }
    size_t n = strlen(name) + nrest + (doc ? strlen(doc) : 0) + 8;
    char *d = malloc(n);
    if (d)
        snprintf(d, n, "%s(%.*s\n--\n\n%s", name, (int)nrest, rest, doc ? doc : "");
    return d;
}

static int rec_fail(sb_state *st, const char *modname, const char *cls, const char *what)
{
    (void)st;
    PyErr_Format(PyExc_TypeError, "%s: class %s: %s", modname, cls, what);
    return -1;
}

/* Fills set->recs[i]. Returns 0, or -1 with an exception set. */
static int build_record(sb_state *st, const sb_module_def *def, classset *set, size_t i)
{
    const sb_class_def *cd = &def->classes[i];
    classrec *rec = &set->recs[i];
    rec->def = cd;
    rec->named.what = SB_NAMED_CLASS;
    rec->named.name = cd->name;
    rec->named.index = (uint32_t)i;
    rec->named.user = rec;
    char msg[200];
    if (cd->base) {
        for (size_t j = 0; j < i; j++)
            if (!strcmp(def->classes[j].name, cd->base))
                rec->base = &set->recs[j];
        if (!rec->base) {
            snprintf(msg, sizeof msg, "base class '%s' is not an earlier class of the module", cd->base);
            return rec_fail(st, def->name, cd->name, msg);
        }
        if (!(rec->base->def->flags & SB_SUBCLASSABLE)) {
            snprintf(msg, sizeof msg, "base class '%s' is final (declare it SB_SUBCLASSABLE)", cd->base);
            return rec_fail(st, def->name, cd->name, msg);
        }
        if (cd->size < rec->base->def->size)
            return rec_fail(st, def->name, cd->name, "its struct is smaller than its base's (put the base struct first)");
    }
    if ((cd->traverse == NULL) != (cd->clear == NULL))
        return rec_fail(st, def->name, cd->name, "give both traverse and clear hooks, or neither");
    bool offsets = sb__compat_have_offset_members();
    for (const classrec *r = rec; r; r = r->base) {
        rec->dict |= offsets && (r->def->flags & SB_DICT);
        rec->weakref |= offsets && (r->def->flags & SB_WEAKREF);
    }
    /* Fields. */
    size_t nf = 0;
    for (const sb_field_def *f = cd->fields; f && f->decl; f++)
        nf++;
    rec->fields = calloc(nf ? nf : 1, sizeof *rec->fields);
    rec->getset = calloc(nf + 2, sizeof *rec->getset);
    size_t nbaseobj = rec->base ? rec->base->nobj : 0;
    rec->objoffs = calloc(nbaseobj + nf + 1, sizeof *rec->objoffs);
    if (!rec->fields || !rec->getset || !rec->objoffs) {
        PyErr_NoMemory();
        return -1;
    }
    if (nbaseobj)
        memcpy(rec->objoffs, rec->base->objoffs, nbaseobj * sizeof *rec->objoffs);
    rec->nobj = nbaseobj;
    size_t ng = 0;
    for (size_t k = 0; k < nf; k++) {
        const sb_field_def *f = &cd->fields[k];
        fieldrec *fr = &rec->fields[k];
        fr->cls = rec;
        /* "int64_t w": the type, then the name. */
        const char *e = f->decl + strlen(f->decl);
        while (e > f->decl && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        const char *nm = e;
        while (nm > f->decl && (nm[-1] == '_' || (nm[-1] >= '0' && nm[-1] <= '9') || (nm[-1] >= 'a' && nm[-1] <= 'z') ||
                                (nm[-1] >= 'A' && nm[-1] <= 'Z')))
            nm--;
        sb_error err;
        if (nm == e || nm == f->decl ||
            sb__type_parse_in(f->decl, (size_t)(nm - f->decl), NULL, &fr->type, &err) < 0) {
            snprintf(msg, sizeof msg, "field '%s': expected a C type and a name", f->decl);
            return rec_fail(st, def->name, cd->name, msg);
        }
        if (!(fr->name = malloc((size_t)(e - nm) + 1))) {
            PyErr_NoMemory();
            return -1;
        }
        memcpy(fr->name, nm, (size_t)(e - nm));
        fr->name[e - nm] = '\0';
        sb_type t = fr->type;
        bool pyobj = t.ptr == 1 && t.kind == SB_K_PYOBJECT;
        bool cstr = sb__type_is_cstring(t);
        if (t.ptr && !pyobj && !cstr) {
            snprintf(msg, sizeof msg, "field '%s': pointer fields other than 'const char *' and 'PyObject *' are not "
                     "supported (use a getter)", f->decl);
            return rec_fail(st, def->name, cd->name, msg);
        }
        if (!t.ptr && t.kind == SB_K_VOID)
            return rec_fail(st, def->name, cd->name, "a field cannot have type void");
        const sb_kindinfo *ki = sb__kind((sb_kind)t.kind);
        size_t sz = t.ptr ? sizeof(void *) : ki->size;
        if (f->offset + sz > cd->size) {
            snprintf(msg, sizeof msg, "field '%s' lies outside the struct (offset %zu, size %zu)", fr->name,
                     f->offset, cd->size);
            return rec_fail(st, def->name, cd->name, msg);
        }
        fr->offset = f->offset;
        fr->conv = pyobj ? SB_CV_PYOBJ
                   : cstr ? SB_CV_CSTR
                   : ki->cls == SB_CLASS_SINT ? SB_CV_SINT
                   : ki->cls == SB_CLASS_UINT ? SB_CV_UINT
                   : ki->cls == SB_CLASS_BOOL ? SB_CV_BOOL
                   : t.kind == SB_K_FLOAT ? SB_CV_FLOAT : SB_CV_DOUBLE;
        fr->readonly = (f->flags & SB_READONLY) || cstr;
        if (pyobj)
            rec->objoffs[rec->nobj++] = f->offset;
        PyGetSetDef *g = &rec->getset[ng++];
        g->name = fr->name;
        g->get = field_get;
        g->set = fr->readonly ? NULL : field_set;
        g->doc = f->doc;
        g->closure = fr;
    }
    rec->nfields = nf;
    if (rec->dict) {
        PyGetSetDef *g = &rec->getset[ng++];
        g->name = "__dict__";
        g->get = dict_get;
        g->closure = rec;
        g->doc = "The instance's attributes.";
    }
    rec->ngetset = ng;
    rec->gc = rec->nobj > 0 || rec->dict;
    for (const classrec *r = rec; r; r = r->base)
        rec->gc |= r->def->traverse != NULL;
    /* Names and the docstring (with the constructor's signature). */
    size_t tn = strlen(def->name) + strlen(cd->name) + 2;
    if (!(rec->tp_name = malloc(tn))) {
        PyErr_NoMemory();
        return -1;
    }
    snprintf(rec->tp_name, tn, "%s.%s", def->name, cd->name);
    const char *ts = NULL;
    size_t tslen = 0;
    sb_plan *init = NULL;
    for (const sb_method_def *m = cd->methods; m && m->signature; m++) {
        sb_error err;
        sb_sig *sig = sb__sig_parse_in(m->signature, strlen(m->signature), &set->scope, &err);
        if (sig && !strcmp(sig->name, "__init__") && m->kind == SB_M_INSTANCE) {
            sig->flags |= SB_SIG_METHOD;
            init = sb__plan_new(sig, &err); /* errors are reported when the methods are made */
            break;
        }
        sb__sig_free(sig);
    }
    if (init) {
        ts = sb__plan_text_signature(init, &tslen);
        rec->has_init = sb__compat_type_doc_keeps_signature();
    }
    rec->ctor = init != NULL || (rec->base && rec->base->ctor);
    rec->named.flags = rec->ctor ? SB_NAMED_CTOR : 0;
    rec->pickles = rec->base && rec->base->pickles;
    for (const sb_method_def *m = cd->methods; m && m->signature; m++) {
        sb_error err;
        sb_sig *sig = sb__sig_parse_in(m->signature, strlen(m->signature), &set->scope, &err);
        rec->pickles |= sig && (!strcmp(sig->name, "__reduce__") || !strcmp(sig->name, "__reduce_ex__") ||
                                !strcmp(sig->name, "__getstate__"));
        sb__sig_free(sig);
    }
    for (const sb_method_def *m = cd->methods; m && m->signature; m++) {
        sb_error err;
        sb_sig *sig = m->kind == SB_M_INSTANCE ? sb__sig_parse_in(m->signature, strlen(m->signature), &set->scope, &err)
                                                : NULL;
        int k = sig ? sp_index(sig->name) : -1;
        if (k >= 0)
            sp_put(&rec->own_sp, k, true);
        sb__sig_free(sig);
    }
    rec->tp_doc = ctor_doc(cd->name, ts, tslen, cd->doc);
    sb__plan_free(init);
    if (!rec->tp_doc) {
        PyErr_NoMemory();
        return -1;
    }
    /* Slots: closures bound to this record. */
    pthread_once(&cifs_once, prep_cifs);
    if (!make_entry(rec, ENTRY_DEALLOC) ||
        (rec->gc && (!make_entry(rec, ENTRY_TRAVERSE) || !make_entry(rec, ENTRY_CLEAR)))) {
        PyErr_SetString(PyExc_MemoryError, "sigbind: libffi cannot make a closure");
        return -1;
    }
    bool buffer = false;
    for (const classrec *r = rec; r; r = r->base)
        buffer |= r->def->buffer != NULL;
    buffer = buffer && sb__compat_have_buffer();
    if (buffer && !make_entry(rec, ENTRY_GETBUFFER)) {
        PyErr_SetString(PyExc_MemoryError, "sigbind: libffi cannot make a closure");
        return -1;
    }
    size_t ns = 0, nm = 0;
    rec->slots[ns++] = (PyType_Slot){Py_tp_doc, rec->tp_doc};
    /* tp_new stays object's: zero-filled instances (unbuilt when the class
     * has a constructor), and "takes no arguments" for a class without
     * __init__. tp_init, tp_getset and the special methods' slots are
     * added per type by make_class. */
    rec->slots[ns++] = (PyType_Slot){Py_tp_dealloc, rec->code[0]};
    if (rec->gc) {
        rec->slots[ns++] = (PyType_Slot){Py_tp_traverse, rec->code[1]};
        rec->slots[ns++] = (PyType_Slot){Py_tp_clear, rec->code[2]};
    }
    if (buffer) {
        rec->slots[ns++] = (PyType_Slot){SB_Py_bf_getbuffer, rec->code[3]};
        rec->slots[ns++] = (PyType_Slot){SB_Py_bf_releasebuffer, (void *)class_releasebuffer};
    }
    size_t end = SB_INST_OFFSET + ((cd->size + 7) & ~(size_t)7);
    if (rec->dict) {
        rec->dictoff = (Py_ssize_t)end;
        end += sizeof(PyObject *);
    }
    if (rec->weakref) {
        rec->weakoff = (Py_ssize_t)end;
        end += sizeof(PyObject *);
    }
    if (rec->dict)
        rec->members[nm++] = (PyMemberDef){"__dictoffset__", T_PYSSIZET, rec->dictoff, READONLY, NULL};
    if (rec->weakref)
        rec->members[nm++] = (PyMemberDef){"__weaklistoffset__", T_PYSSIZET, rec->weakoff, READONLY, NULL};
    if (nm)
        rec->slots[ns++] = (PyType_Slot){Py_tp_members, rec->members};
    rec->slots[ns] = (PyType_Slot){0, NULL};
    rec->spec.name = rec->tp_name;
    rec->spec.basicsize = (int)end;
    rec->spec.itemsize = 0;
    rec->spec.flags = Py_TPFLAGS_DEFAULT | (rec->gc ? Py_TPFLAGS_HAVE_GC : 0) |
                      ((cd->flags & SB_SUBCLASSABLE) ? Py_TPFLAGS_BASETYPE : 0);
    rec->spec.slots = rec->slots;
    return 0;
}

static classset *build_records(sb_state *st, const sb_module_def *def)
{
    classset *set = calloc(1, sizeof *set);
    if (!set)
        return (classset *)PyErr_NoMemory();
    for (const sb_class_def *c = def->classes; c && c->name; c++)
        set->n++;
    set->recs = calloc(set->n ? set->n : 1, sizeof *set->recs);
    if (!set->recs) {
        free(set);
        return (classset *)PyErr_NoMemory();
    }
    set->scope.lookup = scope_lookup;
    set->scope.ctx = set;
    /* Names first: a class's methods may name a later class. */
    for (size_t i = 0; i < set->n; i++)
        set->recs[i].named = (sb_named){.what = SB_NAMED_CLASS, .name = def->classes[i].name, .index = (uint32_t)i, .user = &set->recs[i]};
    for (size_t i = 0; i < set->n; i++)
        if (build_record(st, def, set, i) < 0)
            return NULL; /* a broken table: the import fails; the partial records are not reused */
    return set;
}

/* ------------------------------------------------------------------ */
/* Methods: method descriptors whose C function is an entry point of    */
/* the method's own (a trampoline pool slot or a closure) bound to its  */
/* Function object.                                                     */

#define STACK_ARGS 9

/* The bodies of a method's entry point, with the instance (or class) first:
 * reached from a trampoline pool slot (trampolines.c) or a closure. */
static PyObject *method_fast(void *user, PyObject *self, PyObject *const *argv, Py_ssize_t nargs, PyObject *kwnames)
{
    Py_ssize_t nkw = kwnames ? PyTuple_Size(kwnames) : 0;
    PyObject *stack[STACK_ARGS], **v = stack;
    if (nargs + nkw + 1 > STACK_ARGS && !(v = PyMem_Malloc(sizeof *v * (size_t)(nargs + nkw + 1))))
        return PyErr_NoMemory();
    v[0] = self;
    if (nargs + nkw)
        memcpy(v + 1, argv, sizeof *v * (size_t)(nargs + nkw));
    PyObject *r = sb__call_fast((PyObject *)user, v, nargs + 1, kwnames);
    if (v != stack)
        PyMem_Free(v);
    return r;
}

static PyObject *method_varargs(void *user, PyObject *self, PyObject *tuple, PyObject *kwargs)
{
    Py_ssize_t n = tuple ? PyTuple_Size(tuple) : 0;
    PyObject *all = PyTuple_New(n + 1);
    if (!all)
        return NULL;
    Py_INCREF(self);
    PyTuple_SetItem(all, 0, self);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *o = PyTuple_GetItem(tuple, i);
        Py_INCREF(o);
        PyTuple_SetItem(all, i + 1, o);
    }
    PyObject *r = sb__call_varargs((PyObject *)user, all, kwargs);
    Py_DECREF(all);
    return r;
}

/* Binary operators and comparisons: NotImplemented when `other` would not
 * convert to the declared type (Python's rule for foreign operands). */
static const char *const binops[] = {
    "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__add__", "__radd__", "__iadd__", "__sub__",
    "__rsub__", "__isub__", "__mul__", "__rmul__", "__imul__", "__truediv__", "__rtruediv__", "__itruediv__",
    "__floordiv__", "__rfloordiv__", "__ifloordiv__", "__mod__", "__rmod__", "__imod__", "__pow__", "__rpow__",
    "__ipow__", "__lshift__", "__rlshift__", "__ilshift__", "__rshift__", "__rrshift__", "__irshift__", "__and__",
    "__rand__", "__iand__", "__or__", "__ror__", "__ior__", "__xor__", "__rxor__", "__ixor__", "__matmul__",
    "__rmatmul__", "__imatmul__", "__divmod__", "__rdivmod__",
};

static bool is_binop(const char *name)
{
    for (size_t i = 0; i < sizeof binops / sizeof binops[0]; i++)
        if (!strcmp(name, binops[i]))
            return true;
    return false;
}

static bool accepts(sb_function *f, PyObject *other)
{
    const sb_plan *pl = f->plan;
    if (pl->npy < 2)
        return true;
    const sb_slot *s = &pl->slots[pl->py[1].slot];
    switch (s->conv) {
    case SB_CV_INST: {
        PyTypeObject *tp = sb__class_type(f->state, s->type.named);
        if (!tp) {
            PyErr_Clear();
            return false;
        }
        return PyObject_TypeCheck(other, tp);
    }
    case SB_CV_SINT:
    case SB_CV_UINT:
    case SB_CV_BOOL:
        return PyLong_Check(other);
    case SB_CV_FLOAT:
    case SB_CV_DOUBLE:
        return PyFloat_Check(other) || PyLong_Check(other);
    case SB_CV_CSTR:
        return PyUnicode_Check(other) || PyBytes_Check(other) || other == Py_None;
    default:
        return true;
    }
}

static PyObject *binop_fast(void *user, PyObject *self, PyObject *const *argv, Py_ssize_t nargs, PyObject *kwnames)
{
    if (nargs == 1 && !kwnames && !accepts(user, argv[0])) {
        Py_INCREF(Py_NotImplemented);
        return Py_NotImplemented;
    }
    return method_fast(user, self, argv, nargs, kwnames);
}

static PyObject *binop_varargs(void *user, PyObject *self, PyObject *tuple, PyObject *kwargs)
{
    if (tuple && PyTuple_Size(tuple) == 1 && (!kwargs || PyDict_Size(kwargs) == 0) &&
        !accepts(user, PyTuple_GetItem(tuple, 0))) {
        Py_INCREF(Py_NotImplemented);
        return Py_NotImplemented;
    }
    return method_varargs(user, self, tuple, kwargs);
}


/* ---- Typed entries ----
 * A special method of the instance with at most one more parameter, of an
 * integer, bool, `PyObject *` or class pointer type, a result of an integer,
 * bool, `PyObject *` or void type and nothing else in its signature (no
 * [[nogil]], error contract, [[free]], default, out or length parameter) is
 * called from its slot without its Function: the argument converts inline
 * (exact types only: an int subclass, __index__, a bool for an int, an
 * instance of a subclass or of an unbuilt instance take the generic way
 * below, which converts or reports them), the C function is called through
 * the register stub sb__callregs_2 (callregs_x86_64.S: the two words to rdi
 * and rsi, then a jump to it; x86-64 System V, so only where the register
 * call path is, SB_HAVE_CALLREGS; no C function is called through a pointer
 * of another type; only the result's own width is read) -- and the result converts straight into what the slot
 * returns (len() gets a Py_ssize_t, `in` a truth value, no int object made).
 * The class record comes from the instance's cache word (INST_RT), not from
 * PyType_GetSlot. sb__current_module is set around the call (one TLS address
 * per call; a TLS descriptor access, see CMakeLists.txt), and an exception
 * the C code set is looked for with PyErr_Occurred after every call (a
 * C-face function may raise and return any value, sigbind.h), or, for a
 * class declared SB_ERRVALUE, only after a call that returned its result
 * type's error value (-1, all bits, false, NULL; void: always). The generic way
 * stays the reference: SIGBIND_GENERIC_SLOTS=1 in the
 * environment when a class is made turns its typed entries off (the suite
 * compares both, tests/py/test_cface_slots.py TypedEntries). */

#if SB_HAVE_CALLREGS

/* Whether f (the method of slot k) fits a typed entry; fills *t. */
static bool sp_typed_plan(sb_state *st, sb_function *f, int k, bool errvalue, sptyped *t)
{
    const sb_plan *pl = f->plan;
    const sb_sig *sig = pl->sig;
    memset(t, 0, sizeof *t);
    if (pl->fast != SB_FAST_REGS || !pl->simple || pl->nout || pl->varargs_slot >= 0 || pl->varkw_slot >= 0 ||
        (sig->flags & ~(unsigned)SB_SIG_METHOD) || sig->contract.kind != SB_CONTRACT_NONE || f->defaults ||
        pl->nargs < 1 || pl->nargs > 2 || pl->npy != pl->nargs || f->releases || f->adopt || !f->cface)
        return false;
    const sb_slot *s0 = &pl->slots[0];
    if (s0->conv != SB_CV_INST || s0->type.ptr != 1 || s0->flags || !s0->type.named)
        return false;
    t->needbuilt = (s0->type.named->flags & SB_NAMED_CTOR) && !f->constructs;
    if (pl->nargs == 2) {
        const sb_slot *s = &pl->slots[1];
        if (s->flags || s->py != 1)
            return false;
        switch (s->conv) {
        case SB_CV_SINT:
        case SB_CV_UINT:
            t->arg = TA_INT;
            t->amin = s->min;
            t->amax = s->max;
            break;
        case SB_CV_BOOL:
            t->arg = TA_BOOL;
            break;
        case SB_CV_PYOBJ:
            t->arg = TA_OBJ;
            break;
        case SB_CV_INST:
            if (s->type.ptr != 1 || !s->type.named || (Py_ssize_t)s->type.named->index >= PyList_Size(st->classes))
                return false;
            t->arg = TA_INST;
            t->atype = (PyTypeObject *)PyList_GetItem(st->classes, (Py_ssize_t)s->type.named->index);
            t->arg_ctor = (s->type.named->flags & SB_NAMED_CTOR) != 0;
            if (!t->atype)
                return false;
            break;
        default:
            return false;
        }
    }
    switch (pl->ret_conv) {
    case SB_CV_VOID:
        t->ret = TR_VOID;
        break;
    case SB_CV_SINT:
    case SB_CV_UINT:
        if (pl->ret_size != 1 && pl->ret_size != 2 && pl->ret_size != 4 && pl->ret_size != 8)
            return false;
        t->ret = pl->ret_conv == SB_CV_SINT ? TR_SINT : TR_UINT;
        t->rmask = pl->ret_size == 8 ? UINT64_MAX : ((uint64_t)1 << (8 * pl->ret_size)) - 1;
        t->rsign = t->ret == TR_SINT ? (uint64_t)1 << (8 * pl->ret_size - 1) : 0;
        break;
    case SB_CV_BOOL:
        t->ret = TR_BOOL;
        t->rmask = 0xff; /* a C bool is 0 or 1 in its low byte */
        break;
    case SB_CV_PYOBJ:
        t->ret = TR_OBJ;
        t->rmask = UINT64_MAX;
        break;
    default:
        return false;
    }
    bool num = t->ret == TR_SINT || t->ret == TR_UINT || t->ret == TR_BOOL;
    switch (k) { /* what each slot's entry takes; the rest go the generic way */
    case SP_LEN:
    case SP_HASH:
        if (t->arg != TA_NONE || !num)
            return false;
        break;
    case SP_CONTAINS:
        if (t->arg == TA_NONE || !num)
            return false;
        break;
    case SP_GETITEM:
    case SP_LT:
    case SP_LE:
    case SP_EQ:
    case SP_NE:
    case SP_GT:
    case SP_GE:
        if (t->arg == TA_NONE)
            return false;
        break;
    case SP_NEXT:
        if (t->arg != TA_NONE)
            return false;
        break;
    case SP_CALL:
    case SP_INIT:
        break;
    default: /* a binary number method: only its specialised entry (sp_binary) */
        if (k < SP_ADD || (k - SP_ADD) % 3 || k == SP_POW || !errvalue || t->ret != TR_SINT ||
            t->rmask != UINT64_MAX || t->arg != TA_INT || t->amin > -(INT64_C(1) << 31))
            return false;
        break;
    }
    t->always = !errvalue || t->ret == TR_VOID;
    t->errv = t->ret == TR_SINT || t->ret == TR_UINT ? t->rmask : 0; /* -1 at its width, all bits; false; NULL */
    bool wide = t->rmask == UINT64_MAX, sarg = t->arg == TA_INT && t->amin <= -(INT64_C(1) << 31);
    if (errvalue && st->cface_sole) { /* the sole module's classes only (sp_scall_n) */
        if (k == SP_LEN && (t->ret == TR_SINT || t->ret == TR_UINT) && wide)
            t->spec = SK_LEN;
        else if (k == SP_CONTAINS && t->ret == TR_BOOL && sarg)
            t->spec = SK_CONTAINS;
        else if (k == SP_GETITEM && t->ret == TR_SINT && wide && sarg)
            t->spec = SK_GETITEM;
        else if (k == SP_NEXT && t->ret == TR_SINT && wide)
            t->spec = SK_NEXT_INT;
        else if (k == SP_NEXT && t->ret == TR_OBJ)
            t->spec = SK_NEXT_OBJ;
        else if (k >= SP_LT && k <= SP_GE && t->ret == TR_BOOL && t->arg == TA_INST)
            t->spec = SK_CMP;
        else if (k >= SP_ADD)
            t->spec = SK_BIN_INT;
    }
    t->module = f->module;
    t->cfn = f->fn;
    return true;
}

/* sp_typed without the instance's cached record (a subclass's instance, an
 * unbuilt one, the first call). */
static SB_NOINLINE const sptyped *sp_typed_slow(PyObject *self, int k)
{
    classrt *rt = rt_self_slow(self);
    if (!rt)
        return NULL;
    const sptyped *t = &rt->ty[k];
    if (!t->cfn || (t->needbuilt && SB_INST_STATE(self) != SB_INST_BUILT))
        return NULL;
    return t;
}

/* The typed entry of slot k for self, or NULL: the generic way (no typed
 * entry, an unbuilt instance, or no record: the generic way reports it). A
 * record cached in the instance means it is built (rt_self_slow). */
static SB_ALWAYS_INLINE const sptyped *sp_typed(PyObject *self, int k)
{
    classrt *rt = INST_RT(self);
    if (SB_UNLIKELY(!rt || rt->type != Py_TYPE(self)))
        return sp_typed_slow(self, k);
    const sptyped *t = &rt->ty[k];
    return SB_LIKELY(t->cfn != NULL) ? t : NULL;
}

/* The argument in its register word, or false: the generic way converts it. */
static SB_ALWAYS_INLINE bool sp_targ(const sptyped *t, PyObject *v, uint64_t *out)
{
    if (SB_LIKELY(t->arg == TA_INT)) { /* the common case first: one test, not a switch */
        if (SB_UNLIKELY(!PyLong_CheckExact(v)))
            return false;
        int64_t x;
        if (SB_UNLIKELY(!sb__compat_small_int(v, &x))) {
            int overflow;
            x = PyLong_AsLongLongAndOverflow(v, &overflow);
            if (overflow)
                return false;
        }
        if (SB_UNLIKELY(x < t->amin || (x > 0 && (uint64_t)x > t->amax)))
            return false;
        *out = (uint64_t)x;
        return true;
    }
    switch (t->arg) {
    case TA_BOOL:
        if (v != Py_True && v != Py_False)
            return false;
        *out = v == Py_True;
        return true;
    case TA_OBJ:
        *out = (uint64_t)(uintptr_t)v;
        return true;
    case TA_INST:
        if (SB_UNLIKELY(Py_TYPE(v) != t->atype || (t->arg_ctor && SB_INST_STATE(v) != SB_INST_BUILT)))
            return false;
        *out = (uint64_t)(uintptr_t)SB_INST_STRUCT(v);
        return true;
    default:
        return false;
    }
}

/* A typed call that failed: drops a PyObject * result. */
static SB_NOINLINE void sp_tfail(const sptyped *t, uint64_t r)
{
    if (t->ret == TR_OBJ)
        Py_XDECREF((PyObject *)(uintptr_t)r);
}

/* The call: the C function's result at its own width (sign-extended).
 * *failed: the C code set an exception (a PyObject * result is dropped). */
static SB_ALWAYS_INLINE uint64_t sp_tcall(const sptyped *t, PyObject *self, uint64_t arg, bool *failed)
{
    PyObject **cur = &sb__current_module;
    SB_OPAQUE(cur); /* one TLS address lookup for the call, not one per access */
    PyObject *outer = *cur;
    *cur = t->module;
    uint64_t r = sb__callregs_2(t->cfn, (uint64_t)(uintptr_t)SB_INST_STRUCT(self), arg);
    *cur = outer;
    if ((t->always || (r & t->rmask) == t->errv) && SB_UNLIKELY(PyErr_Occurred() != NULL)) {
        sp_tfail(t, r);
        *failed = true;
        return 0;
    }
    *failed = false;
    return ((r & t->rmask) ^ t->rsign) - t->rsign;
}

/* A NULL PyObject * result without an exception: the end of an iteration, or an error. */
static SB_NOINLINE PyObject *sp_tnull(bool next)
{
    if (next)
        PyErr_SetNone(PyExc_StopIteration);
    else
        PyErr_SetString(PyExc_SystemError, "a PyObject * result was NULL without an exception set");
    return NULL;
}

/* A result as an object (a new reference), as the Function's result would be. */
static SB_ALWAYS_INLINE PyObject *sp_tbox(const sptyped *t, uint64_t r, bool next)
{
    if (SB_LIKELY(t->ret == TR_SINT))
        return PyLong_FromLongLong((long long)r);
    switch (t->ret) {
    case TR_VOID:
        Py_INCREF(Py_None);
        return Py_None;
    case TR_BOOL:
        return PyBool_FromLong((long)r);
    case TR_SINT:
        return PyLong_FromLongLong((long long)r);
    case TR_UINT:
        return PyLong_FromUnsignedLongLong(r);
    default:
        return SB_LIKELY(r) ? (PyObject *)(uintptr_t)r : sp_tnull(next);
    }
}

/* A call's one positional argument (borrowed) from its tuple and dict, or
 * false when the call is not that (the generic way binds it). */
static SB_ALWAYS_INLINE bool sp_targs(const sptyped *t, PyObject *args, PyObject *kwargs, uint64_t *out)
{
    if (kwargs && PyDict_Size(kwargs))
        return false;
    Py_ssize_t n = PyTuple_Size(args);
    if (t->arg == TA_NONE)
        return n == 0;
    return n == 1 && sp_targ(t, PyTuple_GetItem(args, 0), out);
}

/* ---- Specialised entries ----
 * For a class declared SB_ERRVALUE, the commonest slot signatures (sptyped.spec,
 * SK_*) have an entry of their own in front of the typed one: the cached record
 * and its type checked, the spec byte compared, the C function reached by one
 * jump (sb__callregs_j), and the result tested the one way its type allows
 * (a length's sign, a bool's byte, -1, NULL); an int argument of one digit is
 * read in place (sb__compat_small_int). Anything else -- another spec, no
 * cached record (a subclass's instance, an unbuilt one), an argument of
 * another type or size -- goes on to the typed entry, which goes on to the
 * generic one: each entry only takes the cases it is sure of, so results and
 * errors are the typed entry's (tests/py/test_cface_slots.py TypedEntries,
 * SpecialisedEntries). */

/* The slot's typed entry when it is of the given kind, for an instance
 * whose cached record is its type's (so built), or NULL. Each slot has one
 * such kind but __next__ (SK_NEXT_INT; SK_NEXT_OBJ is tested apart), so
 * stype stands for "rt->type == Py_TYPE(self) && spec == kind". */
static SB_ALWAYS_INLINE const sptyped *sp_spec(PyObject *self, int k, int kind)
{
    classrt *rt = INST_RT(self);
    if (SB_LIKELY(rt != NULL) && SB_LIKELY(rt->ty[k].stype == Py_TYPE(self))) {
        assert(rt->ty[k].spec == kind);
        return &rt->ty[k];
    }
    (void)kind;
    return NULL;
}

/* The call: the C function's raw result word. nargs: the C function's (1: the
 * struct alone; 2: and a). sb__current_module is left as it is: only classes
 * of the sole module (cface/module.c) have specialised entries, and while they
 * do, no other C-face module of this runtime runs in the main interpreter, so
 * the variable is either unset (sb__module_now() then gives the sole module)
 * or already the sole module; a second module turns them off first
 * (sb__classes_despecialise). That saves a TLS access and a save/restore per call. */
static SB_ALWAYS_INLINE uint64_t sp_scall_n(const sptyped *t, PyObject *self, int nargs, uint64_t a)
{
    void (*fn)(void) = t->cfn;
    uint64_t st = (uint64_t)(uintptr_t)SB_INST_STRUCT(self);
    return nargs == 1 ? sb__callregs_j1(st, fn) : sb__callregs_j(st, a, fn);
}

static SB_ALWAYS_INLINE uint64_t sp_scall(const sptyped *t, PyObject *self, uint64_t a)
{
    return sp_scall_n(t, self, 2, a);
}

static SB_ALWAYS_INLINE uint64_t sp_scall0(const sptyped *t, PyObject *self)
{
    return sp_scall_n(t, self, 1, 0);
}

/* An int argument for a signed parameter of 32 bits or more: an exact int of one digit (or zero). */
static SB_ALWAYS_INLINE bool sp_sarg(PyObject *v, uint64_t *out)
{
    int64_t x;
    if (SB_UNLIKELY(!PyLong_CheckExact(v)) || SB_UNLIKELY(!sb__compat_small_int(v, &x)))
        return false;
    *out = (uint64_t)x;
    return true;
}

/* A result equal to its type's error value: was an exception set? */
static SB_NOINLINE bool sp_sfailed(void)
{
    return PyErr_Occurred() != NULL;
}

/* An 8-byte signed result as an int, or NULL: its error value with an exception. */
static SB_ALWAYS_INLINE PyObject *sp_sint(uint64_t r)
{
    if (SB_UNLIKELY(r == UINT64_MAX) && sp_sfailed())
        return NULL;
    return PyLong_FromLongLong((long long)r);
}

/* A bool result that was false, from a slot returning an object: NULL (an exception), or False. */
static SB_NOINLINE PyObject *sp_sfalse(void)
{
    if (PyErr_Occurred())
        return NULL;
    Py_INCREF(Py_False);
    return Py_False;
}
#endif

/* ---- The direct slot entries ---- */

static sb_function *sp_fn(PyObject *self, int k)
{
    classrt *rt = rt_self(self);
    sb_function *f = rt ? rt->fn[k] : NULL;
    if (SB_UNLIKELY(!f) && rt) {
        if (k == SP_SETITEM || k == SP_DELITEM)
            PyErr_SetString(PyExc_AttributeError, sp_names[k]); /* as CPython's generic slot says it */
        else
            PyErr_Format(PyExc_SystemError, "sigbind: %s.%s is not ready", rt->rec->def->name, sp_names[k]);
    }
    return f;
}

static PyObject *sp_call1(PyObject *self, int k)
{
    sb_function *f = sp_fn(self, k);
    return f ? sb__call_fast((PyObject *)f, &self, 1, NULL) : NULL;
}

static PyObject *sp_call2(PyObject *self, PyObject *a, int k)
{
    sb_function *f = sp_fn(self, k);
    PyObject *v[2] = {self, a};
    return f ? sb__call_fast((PyObject *)f, v, 2, NULL) : NULL;
}

static PyObject *sp_call3(PyObject *self, PyObject *a, PyObject *b, int k)
{
    sb_function *f = sp_fn(self, k);
    PyObject *v[3] = {self, a, b};
    return f ? sb__call_fast((PyObject *)f, v, 3, NULL) : NULL;
}

/* self, then a call's tuple and dict, as a vector call. */
static PyObject *sp_call_args(PyObject *self, PyObject *args, PyObject *kwargs, int k)
{
    sb_function *f = sp_fn(self, k);
    if (!f)
        return NULL;
    Py_ssize_t n = PyTuple_Size(args), nkw = kwargs ? PyDict_Size(kwargs) : 0;
    PyObject *stack[STACK_ARGS], **v = stack, *kwnames = NULL, *r = NULL;
    if (n < 0 || nkw < 0)
        return NULL;
    if (n + nkw + 1 > STACK_ARGS && !(v = PyMem_Malloc(sizeof *v * (size_t)(n + nkw + 1))))
        return PyErr_NoMemory();
    v[0] = self;
    for (Py_ssize_t i = 0; i < n; i++)
        v[i + 1] = PyTuple_GetItem(args, i); /* borrowed: the tuple is the caller's, immutable */
    Py_ssize_t j = 0;
    if (nkw) {
        /* Keyword values are held: converting one may run code that changes the dict. */
        PyObject *key, *value;
        Py_ssize_t pos = 0;
        if (!(kwnames = PyTuple_New(nkw)))
            goto done;
        while (j < nkw && PyDict_Next(kwargs, &pos, &key, &value)) {
            Py_INCREF(key);
            PyTuple_SetItem(kwnames, j, key);
            Py_INCREF(value);
            v[1 + n + j++] = value;
        }
    }
    r = sb__call_fast((PyObject *)f, v, n + 1, kwnames);
done:
    for (Py_ssize_t i = 0; i < j; i++)
        Py_DECREF(v[1 + n + i]);
    Py_XDECREF(kwnames);
    if (v != stack)
        PyMem_Free(v);
    return r;
}

/* Each entry: the typed way when there is one (SB_HAVE_CALLREGS), else the
 * generic one (a NOINLINE body of its own, so that the typed way stays small). */

static SB_NOINLINE Py_ssize_t sp_len_g(PyObject *self)
{
    PyObject *r = sp_call1(self, SP_LEN);
    if (!r)
        return -1;
    Py_ssize_t n = PyNumber_AsSsize_t(r, PyExc_OverflowError); /* CPython's slot_sq_length, and its wording */
    Py_DECREF(r);
    if (n < 0 && !PyErr_Occurred())
        PyErr_SetString(PyExc_ValueError, "__len__() should return >= 0");
    return n;
}

#if SB_HAVE_CALLREGS
/* A typed __len__'s result that is not a length: the error CPython gives for the same int. */
static SB_NOINLINE Py_ssize_t sp_len_bad(const sptyped *t)
{
    if (t->ret == TR_UINT) /* as PyNumber_AsSsize_t says it for the int __len__ returned */
        PyErr_SetString(PyExc_OverflowError, "cannot fit 'int' into an index-sized integer");
    else
        PyErr_SetString(PyExc_ValueError, "__len__() should return >= 0");
    return -1;
}
#endif

#if SB_HAVE_CALLREGS
/* A specialised __len__'s negative result: its error value with an exception, or not a length. */
static SB_NOINLINE Py_ssize_t sp_len_neg(const sptyped *t, uint64_t r)
{
    if (r == UINT64_MAX && PyErr_Occurred())
        return -1;
    return sp_len_bad(t);
}
#endif

static SB_NOINLINE Py_ssize_t sp_len_t(PyObject *self)
{
#if SB_HAVE_CALLREGS
    const sptyped *t = sp_typed(self, SP_LEN);
    if (SB_LIKELY(t != NULL)) {
        bool failed;
        uint64_t v = sp_tcall(t, self, 0, &failed);
        if (SB_UNLIKELY(failed))
            return -1;
        if (SB_UNLIKELY((int64_t)v < 0)) /* negative, or an unsigned value past PY_SSIZE_T_MAX */
            return sp_len_bad(t);
        return (Py_ssize_t)v;
    }
#endif
    return sp_len_g(self);
}

static Py_ssize_t sp_len(PyObject *self)
{
#if SB_HAVE_CALLREGS
    const sptyped *t = sp_spec(self, SP_LEN, SK_LEN);
    if (SB_LIKELY(t != NULL)) {
        uint64_t r = sp_scall0(t, self);
        return SB_LIKELY((int64_t)r >= 0) ? (Py_ssize_t)r : sp_len_neg(t, r);
    }
#endif
    return sp_len_t(self);
}

static SB_NOINLINE int sp_contains_g(PyObject *self, PyObject *item)
{
    PyObject *r = sp_call2(self, item, SP_CONTAINS);
    if (!r)
        return -1;
    int truth = PyObject_IsTrue(r);
    Py_DECREF(r);
    return truth;
}

static SB_NOINLINE int sp_contains_t(PyObject *self, PyObject *item)
{
#if SB_HAVE_CALLREGS
    const sptyped *t = sp_typed(self, SP_CONTAINS);
    uint64_t a;
    if (SB_LIKELY(t != NULL) && sp_targ(t, item, &a)) {
        bool failed;
        uint64_t v = sp_tcall(t, self, a, &failed);
        return failed ? -1 : v != 0;
    }
#endif
    return sp_contains_g(self, item);
}

static int sp_contains(PyObject *self, PyObject *item)
{
#if SB_HAVE_CALLREGS
    const sptyped *t = sp_spec(self, SP_CONTAINS, SK_CONTAINS);
    uint64_t a;
    if (SB_LIKELY(t != NULL) && SB_LIKELY(sp_sarg(item, &a))) {
        if (SB_LIKELY((uint8_t)sp_scall(t, self, a) != 0))
            return 1;
        return sp_sfailed() ? -1 : 0;
    }
#endif
    return sp_contains_t(self, item);
}

static SB_NOINLINE PyObject *sp_getitem_g(PyObject *self, PyObject *key)
{
    return sp_call2(self, key, SP_GETITEM);
}

static SB_NOINLINE PyObject *sp_getitem_t(PyObject *self, PyObject *key)
{
#if SB_HAVE_CALLREGS
    const sptyped *t = sp_typed(self, SP_GETITEM);
    uint64_t a;
    if (SB_LIKELY(t != NULL) && sp_targ(t, key, &a)) {
        bool failed;
        uint64_t v = sp_tcall(t, self, a, &failed);
        return failed ? NULL : sp_tbox(t, v, false);
    }
#endif
    return sp_getitem_g(self, key);
}

static PyObject *sp_getitem(PyObject *self, PyObject *key)
{
#if SB_HAVE_CALLREGS
    const sptyped *t = sp_spec(self, SP_GETITEM, SK_GETITEM);
    uint64_t a;
    if (SB_LIKELY(t != NULL) && SB_LIKELY(sp_sarg(key, &a))) {
        return sp_sint(sp_scall(t, self, a));
    }
#endif
    return sp_getitem_t(self, key);
}

static PyObject *sp_item(PyObject *self, Py_ssize_t i)
{
#if SB_HAVE_CALLREGS
    const sptyped *t = sp_typed(self, SP_GETITEM);
    if (t && t->arg == TA_INT && (int64_t)i >= t->amin && (i < 0 || (uint64_t)i <= t->amax)) {
        bool failed;
        uint64_t v = sp_tcall(t, self, (uint64_t)(int64_t)i, &failed);
        return failed ? NULL : sp_tbox(t, v, false);
    }
#endif
    PyObject *key = PyLong_FromSsize_t(i);
    PyObject *r = key ? sp_call2(self, key, SP_GETITEM) : NULL;
    Py_XDECREF(key);
    return r;
}

static int sp_ass_subscript(PyObject *self, PyObject *key, PyObject *value)
{
    PyObject *r = value ? sp_call3(self, key, value, SP_SETITEM) : sp_call2(self, key, SP_DELITEM);
    Py_XDECREF(r);
    return r ? 0 : -1;
}

static int sp_ass_item(PyObject *self, Py_ssize_t i, PyObject *value)
{
    PyObject *key = PyLong_FromSsize_t(i);
    int rc = key ? sp_ass_subscript(self, key, value) : -1;
    Py_XDECREF(key);
    return rc;
}

static PyObject *sp_iter(PyObject *self)
{
    return sp_call1(self, SP_ITER);
}

static SB_NOINLINE PyObject *sp_iternext_g(PyObject *self)
{
    return sp_call1(self, SP_NEXT);
}

static SB_NOINLINE PyObject *sp_iternext_t(PyObject *self)
{
#if SB_HAVE_CALLREGS
    const sptyped *t = sp_typed(self, SP_NEXT);
    if (SB_LIKELY(t != NULL)) {
        bool failed;
        uint64_t v = sp_tcall(t, self, 0, &failed);
        return failed ? NULL : sp_tbox(t, v, true);
    }
#endif
    return sp_iternext_g(self);
}

static PyObject *sp_iternext(PyObject *self)
{
#if SB_HAVE_CALLREGS
    const sptyped *t = sp_spec(self, SP_NEXT, SK_NEXT_INT);
    if (SB_LIKELY(t != NULL))
        return sp_sint(sp_scall0(t, self));
    classrt *rt = INST_RT(self);
    if (rt != NULL && rt->type == Py_TYPE(self)) {
        t = &rt->ty[SP_NEXT];
        if (t->spec == SK_NEXT_OBJ) {
            PyObject *r = (PyObject *)(uintptr_t)sp_scall0(t, self);
            return SB_LIKELY(r != NULL) ? r : sp_sfailed() ? NULL : sp_tnull(true);
        }
    }
#endif
    return sp_iternext_t(self);
}

static SB_NOINLINE PyObject *sp_richcompare_g(PyObject *self, PyObject *other, int op)
{
    classrt *rt = rt_self(self);
    if (!rt || op < Py_LT || op > Py_GE)
        return NULL;
    sb_function *f = rt->fn[SP_LT + op];
    if (f) {
        if (!accepts(f, other)) {
            Py_INCREF(Py_NotImplemented);
            return Py_NotImplemented;
        }
        return sp_call2(self, other, SP_LT + op);
    }
    if (op == Py_NE && rt->fn[SP_EQ]) { /* object.__ne__: the inverse of __eq__ */
        PyObject *r = sp_richcompare_g(self, other, Py_EQ);
        if (!r || r == Py_NotImplemented)
            return r;
        int t = PyObject_IsTrue(r);
        Py_DECREF(r);
        return t < 0 ? NULL : PyBool_FromLong(!t);
    }
    Py_INCREF(Py_NotImplemented);
    return Py_NotImplemented;
}

static SB_NOINLINE PyObject *sp_richcompare_t(PyObject *self, PyObject *other, int op)
{
#if SB_HAVE_CALLREGS
    const sptyped *t = (unsigned)op <= Py_GE ? sp_typed(self, SP_LT + op) : NULL;
    uint64_t a;
    if (t && sp_targ(t, other, &a)) {
        bool failed;
        uint64_t v = sp_tcall(t, self, a, &failed);
        return failed ? NULL : sp_tbox(t, v, false);
    }
    if (op == Py_NE && !t) { /* no __ne__: the inverse of a typed bool __eq__ (object.__ne__) */
        classrt *rt = INST_RT(self);
        t = rt && rt->type == Py_TYPE(self) && !rt->fn[SP_NE] ? &rt->ty[SP_EQ] : NULL;
        if (t && t->cfn && t->ret == TR_BOOL && sp_targ(t, other, &a)) {
            bool failed;
            uint64_t v = sp_tcall(t, self, a, &failed);
            return failed ? NULL : PyBool_FromLong(!v);
        }
    }
#endif
    return sp_richcompare_g(self, other, op);
}

#if SB_HAVE_CALLREGS
/* A specialised comparison (SK_CMP) of slot k, or NULL with *taken false: not this entry's case. */
static SB_ALWAYS_INLINE PyObject *sp_cmp_spec(PyObject *self, PyObject *other, int k, bool *taken)
{
    const sptyped *t = sp_spec(self, k, SK_CMP);
    if (SB_LIKELY(t != NULL) && SB_LIKELY(Py_TYPE(other) == t->atype) &&
        (!t->arg_ctor || SB_INST_STATE(other) == SB_INST_BUILT)) {
        *taken = true;
        if (SB_LIKELY((uint8_t)sp_scall(t, self, (uint64_t)(uintptr_t)SB_INST_STRUCT(other)) != 0)) {
            Py_INCREF(Py_True);
            return Py_True;
        }
        return sp_sfalse();
    }
    *taken = false;
    return NULL;
}
#endif

static PyObject *sp_richcompare(PyObject *self, PyObject *other, int op)
{
#if SB_HAVE_CALLREGS
    bool taken = false;
    PyObject *r = NULL;
    if (SB_LIKELY(op == Py_EQ)) /* the commonest, with its record offset a constant */
        r = sp_cmp_spec(self, other, SP_EQ, &taken);
    else if ((unsigned)op <= Py_GE)
        r = sp_cmp_spec(self, other, SP_LT + op, &taken);
    if (SB_LIKELY(taken))
        return r;
#endif
    return sp_richcompare_t(self, other, op);
}

static SB_NOINLINE Py_hash_t sp_hash_g(PyObject *self)
{
    PyObject *r = sp_call1(self, SP_HASH);
    if (!r)
        return -1;
    if (!PyLong_Check(r)) {
        Py_DECREF(r);
        PyErr_SetString(PyExc_TypeError, "__hash__ method should return an integer");
        return -1;
    }
    Py_hash_t h = PyLong_AsSsize_t(r);
    if (h == -1 && PyErr_Occurred()) { /* too large: the int's own hash, as CPython does */
        PyErr_Clear();
        h = PyObject_Hash(r);
    }
    Py_DECREF(r);
    return h == -1 && !PyErr_Occurred() ? -2 : h;
}

#if SB_HAVE_CALLREGS
/* The hash of an unsigned result past INT64_MAX: the int's own, as CPython does. */
static SB_NOINLINE Py_hash_t sp_hash_big(uint64_t v)
{
    PyObject *n = PyLong_FromUnsignedLongLong(v);
    Py_hash_t h = n ? PyObject_Hash(n) : -1;
    Py_XDECREF(n);
    return h;
}
#endif

static Py_hash_t sp_hash(PyObject *self)
{
#if SB_HAVE_CALLREGS
    const sptyped *t = sp_typed(self, SP_HASH);
    if (SB_LIKELY(t != NULL)) {
        bool failed;
        uint64_t v = sp_tcall(t, self, 0, &failed);
        if (failed)
            return -1;
        if (SB_UNLIKELY((int64_t)v < 0 && t->ret == TR_UINT))
            return sp_hash_big(v);
        Py_hash_t h = (Py_hash_t)(int64_t)v;
        return h == -1 ? -2 : h;
    }
#endif
    return sp_hash_g(self);
}

static SB_NOINLINE PyObject *sp_call_g(PyObject *self, PyObject *args, PyObject *kwargs)
{
    return sp_call_args(self, args, kwargs, SP_CALL);
}

static PyObject *sp_call(PyObject *self, PyObject *args, PyObject *kwargs)
{
#if SB_HAVE_CALLREGS
    const sptyped *t = sp_typed(self, SP_CALL);
    uint64_t a = 0;
    if (SB_LIKELY(t != NULL) && sp_targs(t, args, kwargs, &a)) {
        bool failed;
        uint64_t v = sp_tcall(t, self, a, &failed);
        return failed ? NULL : sp_tbox(t, v, false);
    }
#endif
    return sp_call_g(self, args, kwargs);
}

/* >= 3.12: __call__ through vectorcall (the instance's word, class_alloc).
 * The same entries as sp_call: one positional argument, no keywords, a typed
 * entry: straight to the C function; anything else through the Function (the
 * same binding and messages). An instance whose type is not its word's
 * (__class__ assigned; CPython refuses that for these immutable types, but
 * the word is not believed) calls its type's tp_call. */
static SB_NOINLINE PyObject *sp_vcall_other(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    ternaryfunc call = (ternaryfunc)PyType_GetSlot(Py_TYPE(self), Py_tp_call);
    Py_ssize_t nkw = kwnames ? PyTuple_Size(kwnames) : 0;
    PyObject *tuple = PyTuple_New(nargs), *kw = nkw ? PyDict_New() : NULL, *r = NULL;
    if (!tuple || (nkw && !kw))
        goto done;
    for (Py_ssize_t i = 0; i < nargs; i++) {
        Py_INCREF(args[i]);
        PyTuple_SetItem(tuple, i, args[i]);
    }
    for (Py_ssize_t i = 0; i < nkw; i++)
        if (PyDict_SetItem(kw, PyTuple_GetItem(kwnames, i), args[nargs + i]) < 0)
            goto done;
    if (!call)
        PyErr_SetString(PyExc_TypeError, "sigbind: the object's type has no __call__");
    else
        r = call(self, tuple, kw);
done:
    Py_XDECREF(tuple);
    Py_XDECREF(kw);
    return r;
}

static PyObject *sp_vcall(PyObject *self, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    Py_ssize_t nargs = (Py_ssize_t)(nargsf & ~SB_VECTORCALL_ARGUMENTS_OFFSET);
    classrt *rt = rt_self(self);
    if (SB_UNLIKELY(!rt || rt->type != Py_TYPE(self)))
        return rt ? sp_vcall_other(self, args, nargs, kwnames) : NULL;
#if SB_HAVE_CALLREGS
    const sptyped *t = sp_typed(self, SP_CALL);
    uint64_t a = 0;
    if (SB_LIKELY(t != NULL) && !kwnames &&
        (t->arg == TA_NONE ? nargs == 0 : nargs == 1 && sp_targ(t, args[0], &a))) {
        bool failed;
        uint64_t v = sp_tcall(t, self, a, &failed);
        return failed ? NULL : sp_tbox(t, v, false);
    }
#endif
    sb_function *f = sp_fn(self, SP_CALL);
    if (!f)
        return NULL;
    Py_ssize_t nkw = kwnames ? PyTuple_Size(kwnames) : 0;
    PyObject *stack[STACK_ARGS], **v = stack, *r;
    if (nargs + nkw + 1 > STACK_ARGS && !(v = PyMem_Malloc(sizeof *v * (size_t)(nargs + nkw + 1))))
        return PyErr_NoMemory();
    v[0] = self;
    memcpy(v + 1, args, sizeof *v * (size_t)(nargs + nkw)); /* borrowed: the caller holds them for the call */
    r = sb__call_fast((PyObject *)f, v, nargs + 1, kwnames);
    if (v != stack)
        PyMem_Free(v);
    return r;
}

static PyObject *sp_repr(PyObject *self)
{
    return sp_call1(self, SP_REPR);
}

static PyObject *sp_str(PyObject *self)
{
    return sp_call1(self, SP_STR);
}

/* tp_getattro of a class declaring __getattr__: the usual lookup, then, when
 * it fails with AttributeError, the method (as CPython's slot_tp_getattr_hook
 * does for a class written in Python, without looking either up by name).
 * For an instance of a Python subclass the usual lookup alone: the subclass's
 * tp_getattro is CPython's hook, which calls this one as __getattribute__ and
 * then whichever __getattr__ the subclass's MRO gives (an override wins). */
static PyObject *sp_getattro(PyObject *self, PyObject *name)
{
    PyObject *r = PyObject_GenericGetAttr(self, name);
    if (r || !PyErr_ExceptionMatches(PyExc_AttributeError))
        return r;
    classrt *rt = INST_RT(self);
    if (!rt || rt->type != Py_TYPE(self))
        rt = rt_peek(Py_TYPE(self));
    if (!rt || rt->type != Py_TYPE(self) || !rt->fn[SP_GETATTR])
        return NULL;
    PyErr_Clear();
    return sp_call2(self, name, SP_GETATTR);
}

/* Type.__getattr__ by name (tp_methods, so that adding it does not turn the
 * slot into CPython's generic hook): the method of the instance's class. */
static PyObject *sp_getattr_method(PyObject *self, PyObject *name)
{
    return sp_call2(self, name, SP_GETATTR);
}

static PyMethodDef sp_getattr_def[] = {
    {"__getattr__", sp_getattr_method, METH_O,
     "__getattr__($self, name, /)\n--\n\nCalled when the usual attribute lookup fails."},
    {NULL, NULL, 0, NULL},
};

static SB_NOINLINE int sp_init_g(PyObject *self, PyObject *args, PyObject *kwargs)
{
    PyObject *r = sp_call_args(self, args, kwargs, SP_INIT);
    Py_XDECREF(r);
    return r ? 0 : -1;
}

static int sp_init(PyObject *self, PyObject *args, PyObject *kwargs)
{
#if SB_HAVE_CALLREGS
    const sptyped *t = sp_typed(self, SP_INIT);
    uint64_t a = 0;
    if (SB_LIKELY(t != NULL) && sp_targs(t, args, kwargs, &a)) {
        bool failed;
        SB_INST_STATE(self) = SB_INST_BUILT; /* the constructor runs */
        sp_tcall(t, self, a, &failed);
        return failed ? -1 : 0;
    }
#endif
    return sp_init_g(self, args, kwargs);
}

/* ---- Number methods ---- */


/* f(self, other), or NotImplemented when `other` would not convert. */
static PyObject *nb_call(sb_function *f, PyObject *self, PyObject *other)
{
    if (!accepts(f, other)) {
        Py_INCREF(Py_NotImplemented);
        return Py_NotImplemented;
    }
    PyObject *v[2] = {self, other};
    return sb__call_fast((PyObject *)f, v, 2, NULL);
}

/* A binary nb_* slot: called as a OP b with either operand the instance
 * (CPython's binary_op1 calls the one slot both types share once), so it
 * does what CPython's slot wrapper does for a class written in Python:
 * a's operator method, then b's reflected one, with b's first when b's
 * type is a proper subtype of a's that overrides it; the reflected method
 * is not tried for operands of one type. k is the operator's SP_*. */
static PyObject *sp_binary(PyObject *a, PyObject *b, int k)
{
#if SB_HAVE_CALLREGS
    /* instance + exact int (SK_BIN_INT): with an exact int on the right the slot was a's type's, so
     * a is an instance of a sigbind class or of a subclass (its cache word is there to read), and
     * int has no reflected method of ours: the plain call below is what the general way would make */
    uint64_t x;
    if (k < SP_NTYPED && PyLong_CheckExact(b)) { /* divmod has no typed entry */
        if (SB_UNLIKELY(!INST_RT(a)) && !rt_self_slow(a)) /* the cache word is filled by the first call */
            return NULL;
        const sptyped *t = sp_spec(a, k, SK_BIN_INT);
        if (SB_LIKELY(t != NULL) && SB_LIKELY(sp_sarg(b, &x))) {
            return sp_sint(sp_scall(t, a, x));
        }
    }
#endif
    PyTypeObject *ta = Py_TYPE(a), *tb = Py_TYPE(b);
    classrt *ra = rt_peek(ta), *rb = ta == tb ? NULL : rt_peek(tb);
    sb_function *fa = ra ? ra->fn[k] : NULL, *fb = rb ? rb->fn[k + 1] : NULL;
    PyObject *r;
    if (fb && ra && fb != ra->fn[k + 1] && PyType_IsSubtype(tb, ta)) {
        r = nb_call(fb, b, a);
        if (r != Py_NotImplemented)
            return r;
        Py_DECREF(r);
        fb = NULL;
    }
    if (fa) {
        r = nb_call(fa, a, b);
        if (r != Py_NotImplemented || !fb)
            return r;
        Py_DECREF(r);
    }
    if (fb)
        return nb_call(fb, b, a);
    Py_INCREF(Py_NotImplemented);
    return Py_NotImplemented;
}

/* An in-place nb_* slot: always called with the instance first. */
static PyObject *sp_inplace(PyObject *self, PyObject *other, int k)
{
    sb_function *f = sp_fn(self, k);
    return f ? nb_call(f, self, other) : NULL;
}

#define SP_NB(op, K)                                                                                                  \
    static PyObject *sp_nb_##op(PyObject *a, PyObject *b)                                                             \
    {                                                                                                                 \
        return sp_binary(a, b, K);                                                                                    \
    }                                                                                                                 \
    static PyObject *sp_nb_i##op(PyObject *a, PyObject *b)                                                            \
    {                                                                                                                 \
        return sp_inplace(a, b, K + 2);                                                                               \
    }
SP_NB(add, SP_ADD)
SP_NB(sub, SP_SUB)
SP_NB(mul, SP_MUL)
SP_NB(truediv, SP_TRUEDIV)
SP_NB(floordiv, SP_FLOORDIV)
SP_NB(mod, SP_MOD)
SP_NB(lshift, SP_LSHIFT)
SP_NB(rshift, SP_RSHIFT)
SP_NB(and, SP_AND)
SP_NB(or, SP_OR)
SP_NB(xor, SP_XOR)
SP_NB(matmul, SP_MATMUL)
#undef SP_NB

static PyObject *sp_nb_divmod(PyObject *a, PyObject *b)
{
    return sp_binary(a, b, SP_DIVMOD);
}

/* pow(a, b) as a binary operator; pow(a, b, m) calls a's __pow__ with the
 * modulus (a reflected __rpow__ is not tried with three arguments, as in
 * CPython's slot for classes written in Python). */
static PyObject *sp_nb_pow(PyObject *a, PyObject *b, PyObject *mod)
{
    if (mod == Py_None)
        return sp_binary(a, b, SP_POW);
    classrt *ra = rt_peek(Py_TYPE(a));
    sb_function *f = ra ? ra->fn[SP_POW] : NULL;
    if (!f) {
        Py_INCREF(Py_NotImplemented);
        return Py_NotImplemented;
    }
    PyObject *v[3] = {a, b, mod};
    return sb__call_fast((PyObject *)f, v, 3, NULL);
}

static PyObject *sp_nb_ipow(PyObject *a, PyObject *b, PyObject *mod)
{
    if (mod == Py_None)
        return sp_inplace(a, b, SP_POW + 2);
    return sp_call3(a, b, mod, SP_POW + 2);
}

#define SP_NB1(op, K)                                                                                                 \
    static PyObject *sp_nb_##op(PyObject *self)                                                                       \
    {                                                                                                                 \
        return sp_call1(self, K);                                                                                     \
    }
SP_NB1(neg, SP_NEG)
SP_NB1(pos, SP_POS)
SP_NB1(abs, SP_ABS)
SP_NB1(invert, SP_INVERT)
SP_NB1(index, SP_INDEX) /* the callers check the result's type (PyNumber_Index, PyNumber_Long, PyNumber_Float) */
SP_NB1(int, SP_INT)
SP_NB1(float, SP_FLOAT)
#undef SP_NB1

static int sp_nb_bool(PyObject *self)
{
    PyObject *r = sp_call1(self, SP_BOOL);
    if (!r)
        return -1;
    int t = r == Py_True ? 1 : r == Py_False ? 0 : -1;
    if (t < 0)
        PyErr_Format(PyExc_TypeError, "__bool__ should return bool, returned %s",
                     PyLong_Check(r) ? "int" : "a non-bool");
    Py_DECREF(r);
    return t;
}

/* Adds the number slots of the SP_* in `direct` to slots[*ns]: one nb_* slot
 * for an operator and its reflected form, another for its in-place form. */
static void sp_number_slots(const spset *direct, PyType_Slot *slots, size_t *ns)
{
    static const struct {
        int k, slot, islot;
        void *fn, *ifn;
    } bin[] = {
        {SP_ADD, Py_nb_add, Py_nb_inplace_add, (void *)sp_nb_add, (void *)sp_nb_iadd},
        {SP_SUB, Py_nb_subtract, Py_nb_inplace_subtract, (void *)sp_nb_sub, (void *)sp_nb_isub},
        {SP_MUL, Py_nb_multiply, Py_nb_inplace_multiply, (void *)sp_nb_mul, (void *)sp_nb_imul},
        {SP_TRUEDIV, Py_nb_true_divide, Py_nb_inplace_true_divide, (void *)sp_nb_truediv, (void *)sp_nb_itruediv},
        {SP_FLOORDIV, Py_nb_floor_divide, Py_nb_inplace_floor_divide, (void *)sp_nb_floordiv, (void *)sp_nb_ifloordiv},
        {SP_MOD, Py_nb_remainder, Py_nb_inplace_remainder, (void *)sp_nb_mod, (void *)sp_nb_imod},
        {SP_POW, Py_nb_power, Py_nb_inplace_power, (void *)sp_nb_pow, (void *)sp_nb_ipow},
        {SP_LSHIFT, Py_nb_lshift, Py_nb_inplace_lshift, (void *)sp_nb_lshift, (void *)sp_nb_ilshift},
        {SP_RSHIFT, Py_nb_rshift, Py_nb_inplace_rshift, (void *)sp_nb_rshift, (void *)sp_nb_irshift},
        {SP_AND, Py_nb_and, Py_nb_inplace_and, (void *)sp_nb_and, (void *)sp_nb_iand},
        {SP_OR, Py_nb_or, Py_nb_inplace_or, (void *)sp_nb_or, (void *)sp_nb_ior},
        {SP_XOR, Py_nb_xor, Py_nb_inplace_xor, (void *)sp_nb_xor, (void *)sp_nb_ixor},
        {SP_MATMUL, Py_nb_matrix_multiply, Py_nb_inplace_matrix_multiply, (void *)sp_nb_matmul,
         (void *)sp_nb_imatmul},
        {SP_DIVMOD, Py_nb_divmod, 0, (void *)sp_nb_divmod, NULL},
    };
    static const struct {
        int k, slot;
        void *fn;
    } un[] = {
        {SP_NEG, Py_nb_negative, (void *)sp_nb_neg},   {SP_POS, Py_nb_positive, (void *)sp_nb_pos},
        {SP_ABS, Py_nb_absolute, (void *)sp_nb_abs},   {SP_INVERT, Py_nb_invert, (void *)sp_nb_invert},
        {SP_BOOL, Py_nb_bool, (void *)sp_nb_bool},     {SP_INDEX, Py_nb_index, (void *)sp_nb_index},
        {SP_INT, Py_nb_int, (void *)sp_nb_int},        {SP_FLOAT, Py_nb_float, (void *)sp_nb_float},
    };
    for (size_t i = 0; i < sizeof bin / sizeof bin[0]; i++) {
        if (sp_has(direct, bin[i].k) || sp_has(direct, bin[i].k + 1))
            slots[(*ns)++] = (PyType_Slot){bin[i].slot, bin[i].fn};
        if (bin[i].islot && sp_has(direct, bin[i].k + 2))
            slots[(*ns)++] = (PyType_Slot){bin[i].islot, bin[i].ifn};
    }
    for (size_t i = 0; i < sizeof un / sizeof un[0]; i++)
        if (sp_has(direct, un[i].k))
            slots[(*ns)++] = (PyType_Slot){un[i].slot, un[i].fn};
}

/* Adds the slots of the SP_* bits in `direct` to slots[*ns]. */
static void sp_slots(const spset *direct, PyType_Slot *slots, size_t *ns)
{
#define SP_ADD(id, fn) (slots[(*ns)++] = (PyType_Slot){(id), (void *)(fn)})
    if (sp_has(direct, SP_LEN)) {
        SP_ADD(Py_sq_length, sp_len);
        SP_ADD(Py_mp_length, sp_len);
    }
    if (sp_has(direct, SP_CONTAINS))
        SP_ADD(Py_sq_contains, sp_contains);
    if (sp_has(direct, SP_GETITEM)) {
        SP_ADD(Py_mp_subscript, sp_getitem);
        SP_ADD(Py_sq_item, sp_item);
    }
    if (sp_has(direct, SP_SETITEM) || sp_has(direct, SP_DELITEM)) {
        SP_ADD(Py_mp_ass_subscript, sp_ass_subscript);
        SP_ADD(Py_sq_ass_item, sp_ass_item);
    }
    if (sp_has(direct, SP_ITER))
        SP_ADD(Py_tp_iter, sp_iter);
    if (sp_has(direct, SP_NEXT))
        SP_ADD(Py_tp_iternext, sp_iternext);
    if (sp_has(direct, SP_EQ)) /* the orderings without __eq__ are not direct */
        SP_ADD(Py_tp_richcompare, sp_richcompare);
    if (sp_has(direct, SP_HASH))
        SP_ADD(Py_tp_hash, sp_hash);
    if (sp_has(direct, SP_CALL))
        SP_ADD(Py_tp_call, sp_call);
    if (sp_has(direct, SP_REPR))
        SP_ADD(Py_tp_repr, sp_repr);
    if (sp_has(direct, SP_STR))
        SP_ADD(Py_tp_str, sp_str);
    if (sp_has(direct, SP_INIT))
        SP_ADD(Py_tp_init, sp_init);
    if (sp_has(direct, SP_GETATTR))
        SP_ADD(Py_tp_getattro, sp_getattro);
    sp_number_slots(direct, slots, ns);
#undef SP_ADD
}

/* The same as libffi closure handlers (when the trampoline pool is used up):
 * `user` is the sb_function. */
static void closure_fast(ffi_cif *cif, void *ret, void **args, void *user)
{
    sb_function *f = user;
    *(PyObject **)ret = (f->tramp_binop ? binop_fast : method_fast)(
        user, *(PyObject **)args[0], *(PyObject *const **)args[1], *(Py_ssize_t *)args[2], *(PyObject **)args[3]);
    (void)cif;
}

static void closure_varargs(ffi_cif *cif, void *ret, void **args, void *user)
{
    sb_function *f = user;
    *(PyObject **)ret = (f->tramp_binop ? binop_varargs : method_varargs)(user, *(PyObject **)args[0],
                                                                         *(PyObject **)args[1], *(PyObject **)args[2]);
    (void)cif;
}

/* >= 3.12: instance methods as our own vectorcall method descriptors. The
 * interpreter calls them with the instance first (no bound object, no
 * closure): straight into the call path. */
#define SB_TPFLAGS_METHOD_DESCRIPTOR (1UL << 17)
#define SB_VECTORCALL_ARGUMENTS_OFFSET ((size_t)1 << (8 * sizeof(size_t) - 1))

typedef PyObject *(*sb_vectorcallfunc)(PyObject *callable, PyObject *const *args, size_t nargsf, PyObject *kwnames);

typedef struct sb_method {
    PyObject_HEAD
    sb_vectorcallfunc vectorcall;
    sb_function *f;               /* strong; set while the descriptor lives (no tp_clear: the cycles it is in
                                     are broken by the module's and the class's) */
    PyObject *name, *qualname;    /* str */
    bool binop;                   /* NotImplemented for an operand that does not convert */
} sb_method;

static PyObject *method_vectorcall(PyObject *self, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    sb_method *m = (sb_method *)self;
    Py_ssize_t nargs = (Py_ssize_t)(nargsf & ~SB_VECTORCALL_ARGUMENTS_OFFSET);
    if (m->binop && nargs == 2 && !kwnames && !accepts(m->f, args[1])) {
        Py_INCREF(Py_NotImplemented);
        return Py_NotImplemented;
    }
    return sb__call_fast((PyObject *)m->f, args, nargs, kwnames);
}

static PyObject *method_call(PyObject *self, PyObject *args, PyObject *kwargs)
{
    sb_method *m = (sb_method *)self;
    if (m->binop && PyTuple_Size(args) == 2 && (!kwargs || PyDict_Size(kwargs) == 0) &&
        !accepts(m->f, PyTuple_GetItem(args, 1))) {
        Py_INCREF(Py_NotImplemented);
        return Py_NotImplemented;
    }
    return sb__call_varargs((PyObject *)m->f, args, kwargs);
}

static PyObject *method_descr_get(PyObject *self, PyObject *obj, PyObject *type)
{
    (void)type;
    if (!obj || obj == Py_None) {
        Py_INCREF(self);
        return self;
    }
    sb_state *st = ((sb_method *)self)->f->state;
    return PyObject_CallFunctionObjArgs(st->BoundMethod, self, obj, NULL);
}

static int method_traverse(PyObject *self, visitproc visit, void *arg)
{
    sb_method *m = (sb_method *)self;
    Py_VISIT(m->f);
    return sb__compat_visit_type(self, visit, arg);
}

static void method_dealloc(PyObject *self)
{
    sb_method *m = (sb_method *)self;
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    Py_CLEAR(m->f);
    Py_CLEAR(m->name);
    Py_CLEAR(m->qualname);
    freefunc tfree = (freefunc)PyType_GetSlot(tp, Py_tp_free);
    tfree(self);
    sb__compat_dealloc_type(tp);
}

static PyObject *method_get_name(PyObject *self, void *c)
{
    (void)c;
    PyObject *n = ((sb_method *)self)->name;
    Py_INCREF(n);
    return n;
}

static PyObject *method_get_qualname(PyObject *self, void *c)
{
    (void)c;
    PyObject *n = ((sb_method *)self)->qualname;
    Py_INCREF(n);
    return n;
}

static PyObject *method_get_doc(PyObject *self, void *c)
{
    (void)c;
    const sb_function *f = ((sb_method *)self)->f;
    const char *doc = f->def.ml_doc, *sep = doc ? strstr(doc, "\n--\n\n") : NULL;
    return PyUnicode_FromString(sep ? sep + 5 : doc ? doc : "");
}

static PyObject *method_get_text_signature(PyObject *self, void *c)
{
    (void)c;
    size_t n;
    const char *ts = sb__plan_text_signature(((sb_method *)self)->f->plan, &n);
    return PyUnicode_FromStringAndSize(ts, (Py_ssize_t)n);
}

static PyObject *method_repr(PyObject *self)
{
    return PyUnicode_FromFormat("<method '%U' of sigbind class>", ((sb_method *)self)->qualname);
}

static PyGetSetDef method_getset[] = {
    {"__name__", method_get_name, NULL, NULL, NULL},
    {"__qualname__", method_get_qualname, NULL, NULL, NULL},
    {"__doc__", method_get_doc, NULL, NULL, NULL},
    {"__text_signature__", method_get_text_signature, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMemberDef method_members[] = {
    {"__vectorcalloffset__", T_PYSSIZET, offsetof(sb_method, vectorcall), READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyType_Slot method_slots[] = {
    /* no Py_tp_doc: the __doc__ getset gives each method its own */
    {Py_tp_dealloc, (void *)method_dealloc},
    {Py_tp_traverse, (void *)method_traverse},
    {Py_tp_call, (void *)method_call},
    {Py_tp_descr_get, (void *)method_descr_get},
    {Py_tp_repr, (void *)method_repr},
    {Py_tp_getset, (void *)method_getset},
    {Py_tp_members, (void *)method_members},
    {0, NULL},
};

static PyType_Spec method_spec = {
    "sigbind.Method", sizeof(sb_method), 0,
    (unsigned int)(Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | SB_TPFLAGS_HAVE_VECTORCALL | SB_TPFLAGS_METHOD_DESCRIPTOR),
    method_slots,
};

static PyObject *make_method(sb_state *st, sb_function *f, const char *clsname, bool binop)
{
    sb_method *m = (sb_method *)PyType_GenericAlloc((PyTypeObject *)st->MethodType, 0);
    if (!m)
        return NULL;
    m->vectorcall = method_vectorcall;
    Py_INCREF(f);
    m->f = f;
    m->binop = binop;
    m->name = PyUnicode_FromString(f->plan->sig->name);
    m->qualname = PyUnicode_FromFormat("%s.%s", clsname, f->plan->sig->name);
    if (!m->name || !m->qualname) {
        Py_DECREF(m);
        return NULL;
    }
    return (PyObject *)m;
}

/* Gives f an entry point of its own as its ml_meth, called with the instance
 * (or class) first: a trampoline pool slot, or a libffi closure when the pool
 * is used up. Returns 1, or 0 when the pool is used up and `closure` is
 * false, or -1 with an exception. */
static int bind_entry(sb_function *f, bool binop, bool closure)
{
    int flags = sb__compat_method_flags();
    bool fast = flags != (METH_VARARGS | METH_KEYWORDS);
    PyCFunction fast_fn, varargs_fn;
    f->def.ml_flags = flags;
    f->tramp_binop = binop;
    f->tramp = sb__tramp_acquire(binop ? binop_fast : method_fast, binop ? binop_varargs : method_varargs, f,
                                 &fast_fn, &varargs_fn);
    if (f->tramp) {
        f->def.ml_meth = fast ? fast_fn : varargs_fn;
        return 1;
    }
    if (!closure)
        return 0;
    void *code = NULL;
    if (!sb__function_more(f))
        return -1;
    f->more->closure = make_closure(fast ? &cif_fast : &cif_varargs, fast ? closure_fast : closure_varargs, f, &code);
    if (!f->more->closure) {
        PyErr_SetString(PyExc_MemoryError, "sigbind: libffi cannot make a closure");
        return -1;
    }
    f->def.ml_meth = (PyCFunction)code;
    return 1;
}

/* Properties made from getter/setter functions: per type, owned by a capsule
 * in the type's dict (the functions are kept by the same tuple). */
typedef struct prop {
    sb_function *get, *set;
    const char *doc;        /* the getter's */
    char name[64];
} prop;

typedef struct propset {
    size_t n;
    prop *props;
    PyGetSetDef *defs;
} propset;

static PyObject *prop_get(PyObject *self, void *closure)
{
    prop *p = closure;
    PyObject *a[1] = {self};
    return sb__call_fast((PyObject *)p->get, a, 1, NULL);
}

static int prop_set(PyObject *self, PyObject *value, void *closure)
{
    prop *p = closure;
    if (!value) {
        PyErr_Format(PyExc_AttributeError, "property '%s' cannot be deleted", p->name);
        return -1;
    }
    if (!p->set) {
        PyErr_Format(PyExc_AttributeError, "property '%s' is read-only", p->name);
        return -1;
    }
    PyObject *a[2] = {self, value};
    PyObject *r = sb__call_fast((PyObject *)p->set, a, 2, NULL);
    Py_XDECREF(r);
    return r ? 0 : -1;
}

static void propset_free(PyObject *capsule)
{
    propset *ps = PyCapsule_GetPointer(capsule, "sigbind.properties");
    if (ps) {
        free(ps->props);
        free(ps->defs);
        free(ps);
    }
}

static const char *prop_name(const char *name, int kind)
{
    const char *prefix = kind == SB_M_GETTER ? "get_" : "set_";
    return strncmp(name, prefix, 4) == 0 && name[4] ? name + 4 : name;
}

static int method_error(sb_state *st, const char *context, const sb_method_def *m, const char *what)
{
    sb_error err = {(size_t)-1, ""};
    snprintf(err.msg, sizeof err.msg, "%s", what);
    sb__raise_sigerror(st, m->signature, strlen(m->signature), &err, context);
    return -1;
}

/* Makes the type of class i in this interpreter and its methods. */
static int make_class(PyObject *module, sb_state *st, const sb_module_def *def, classset *set, size_t i)
{
    classrec *rec = &set->recs[i];
    const sb_class_def *cd = rec->def;
    PyObject *bases = NULL;
    const classrt *base_rt = NULL;
    if (rec->base) {
        PyObject *bt = PyList_GetItem(st->classes, (Py_ssize_t)rec->base->named.index);
        if (!bt || !(bases = PyTuple_Pack(1, bt)) || !(base_rt = rt_of((PyTypeObject *)bt))) {
            Py_XDECREF(bases);
            return -1;
        }
    }
    /* This type's record: the base's special methods, then its own (set
     * below, before the class is published); kept by the module state and
     * (through _sigbind_keep) by the class. */
    classrt *rt = calloc(1, sizeof *rt + (rec->ngetset + 2) * sizeof(PyGetSetDef));
    PyObject *rtcap = rt ? PyCapsule_New(rt, "sigbind.classrt", rt_free) : NULL;
    if (!rtcap || PyList_Append(st->class_keep, rtcap) < 0) {
        if (!rtcap)
            free(rt);
        Py_XDECREF(rtcap);
        Py_XDECREF(bases);
        return rt ? -1 : (PyErr_NoMemory(), -1);
    }
    rt->rec = rec;
    if (cd->freelist && !(rt->free = calloc(cd->freelist, sizeof *rt->free))) {
        Py_DECREF(rtcap);
        Py_XDECREF(bases);
        PyErr_NoMemory();
        return -1;
    }
    spset defined = rec->own_sp;
    if (base_rt) {
        memcpy(rt->fn, base_rt->fn, sizeof rt->fn);
        memcpy(rt->ty, base_rt->ty, sizeof rt->ty);
        for (int k = 0; k < SP_N; k++)
            if (rt->fn[k])
                sp_put(&defined, k, true);
    }
    if (sp_has(&rec->own_sp, SP_EQ) && !sp_has(&rec->own_sp, SP_HASH)) {
        sp_put(&defined, SP_HASH, false); /* __eq__ without __hash__: unhashable, as in Python */
        rt->fn[SP_HASH] = NULL;
        rt->ty[SP_HASH].cfn = NULL;
    }
    rt->direct = defined;
    if (!sp_has(&defined, SP_EQ))
        for (int k = SP_LT; k <= SP_GE; k++)
            sp_put(&rt->direct, k, false); /* orderings alone keep object's __eq__ and __hash__: generic slots */
    if (!sb__compat_type_doc_keeps_signature())
        sp_put(&rt->direct, SP_INIT, false); /* 3.7-3.9: __init__ is the method itself (inspect reads it) */
    rt->getset[0] = (PyGetSetDef){"_sigbind_class", rt_marker, NULL, "sigbind's record of this class (internal).", rt};
    if (rec->ngetset)
        memcpy(&rt->getset[1], rec->getset, rec->ngetset * sizeof *rec->getset);
    PyType_Slot slots[sizeof rec->slots / sizeof rec->slots[0] + 2 * SP_N + 4];
    size_t ns = 0;
    while (rec->slots[ns].slot) {
        slots[ns] = rec->slots[ns];
        ns++;
    }
    slots[ns++] = (PyType_Slot){Py_tp_getset, rt->getset};
    PyType_Spec spec = rec->spec;
    rt->basicsize = spec.basicsize;
    if (sp_has(&rt->direct, SP_CALL) && sb__compat_have_vectorcall_methods()) {
        /* >= 3.12: __call__ by vectorcall: a word after the instance's
         * layout, named by __vectorcalloffset__ (a subclass made here puts
         * its own after its own struct, as with __dict__). */
        size_t nm = 0;
        for (size_t i = 0; i < ns; i++)
            if (slots[i].slot == Py_tp_members) {
                for (const PyMemberDef *m = slots[i].pfunc; m->name; m++)
                    rt->members[nm++] = *m;
                slots[i--] = slots[--ns];
            }
        rt->vcoff = rt->basicsize;
        rt->basicsize += (Py_ssize_t)sizeof(sb_vcallfn);
        rt->members[nm++] = (PyMemberDef){"__vectorcalloffset__", T_PYSSIZET, rt->vcoff, READONLY, NULL};
        slots[ns++] = (PyType_Slot){Py_tp_members, rt->members};
        spec.basicsize = (int)rt->basicsize;
        spec.flags |= (unsigned)SB_TPFLAGS_HAVE_VECTORCALL;
    }
    if (cd->freelist || rt->vcoff)
        slots[ns++] = (PyType_Slot){Py_tp_alloc, (void *)class_alloc};
    sp_slots(&rt->direct, slots, &ns);
    if (sp_has(&rec->own_sp, SP_GETATTR))
        slots[ns++] = (PyType_Slot){Py_tp_methods, sp_getattr_def};
    slots[ns] = (PyType_Slot){0, NULL};
    spec.slots = slots;
    PyObject *type = PyType_FromSpecWithBases(&spec, bases);
    Py_XDECREF(bases);
    if (!type || PyList_Append(st->classes, type) < 0) {
        Py_XDECREF(type);
        Py_DECREF(rtcap);
        return -1;
    }
    rt->type = (PyTypeObject *)type;
    PyObject *modname = PyModule_GetNameObject(module);
    PyObject *keep = PyList_New(0);
    size_t nprops = 0;
    for (const sb_method_def *m = cd->methods; m && m->signature; m++)
        nprops += m->kind == SB_M_GETTER || m->kind == SB_M_SETTER;
    propset *ps = calloc(1, sizeof *ps);
    if (ps) {
        ps->props = calloc(nprops + 1, sizeof *ps->props);
        ps->defs = calloc(nprops + 1, sizeof *ps->defs);
    }
    PyObject *capsule = ps ? PyCapsule_New(ps, "sigbind.properties", propset_free) : NULL;
    if (!capsule && ps) {
        free(ps->props);
        free(ps->defs);
        free(ps);
    }
    int rc = -1;
    bool has_eq = false, has_hash = false;
    if (!modname || !keep || !capsule || !ps->props || !ps->defs || PyList_Append(keep, rtcap) < 0) {
        if (!PyErr_Occurred())
            PyErr_NoMemory();
        goto done;
    }
    char context[192];
    snprintf(context, sizeof context, "%s: class %s", def->name, cd->name);
    for (const sb_method_def *m = cd->methods; m && m->signature; m++) {
        if (!m->fn) {
            PyErr_Format(PyExc_SystemError, "%s: method entry '%s' has no C function", context, m->signature);
            goto done;
        }
        bool inst = m->kind == SB_M_INSTANCE || m->kind == SB_M_GETTER || m->kind == SB_M_SETTER;
        sb_plan *plan = sb__plan_from_text_ex(st, m->signature, strlen(m->signature), context, &set->scope,
                                              inst || m->kind == SB_M_CLASS ? SB_SIG_METHOD : 0);
        if (!plan)
            goto done;
        const char *name = plan->sig->name;
        /* The implicit first parameter. */
        const sb_param *p0 = plan->sig->nparams ? &plan->sig->params[0] : NULL;
        const char *bad = NULL;
        if (inst) {
            bool ok = p0 && p0->type.ptr == 1 && p0->type.named && p0->type.named->what == SB_NAMED_CLASS &&
                      !(p0->flags & (SB_PARAM_OUT | SB_PARAM_INOUT));
            if (ok) { /* this class or one of its bases */
                ok = false;
                for (const classrec *r = rec; r; r = r->base)
                    ok |= p0->type.named == &r->named;
            }
            if (!ok)
                bad = "the first parameter must be a pointer to the class's struct ('T *self')";
        } else if (m->kind == SB_M_CLASS) {
            if (!p0 || !(p0->type.kind == SB_K_PYOBJECT && p0->type.ptr == 1 && !p0->type.named))
                bad = "a class method's first parameter must be 'PyObject *cls'";
        } else if (m->kind != SB_M_STATIC) {
            bad = "unknown method kind";
        }
        if (!bad && m->kind == SB_M_GETTER && plan->sig->nparams != 1)
            bad = "a getter takes only the instance";
        if (!bad && m->kind == SB_M_SETTER && plan->sig->nparams != 2)
            bad = "a setter takes the instance and the value";
        if (!bad && !strcmp(name, "__init__") && plan->ret_conv != SB_CV_VOID)
            bad = "__init__ must return void (report errors with sb_raise)";
        if (bad) {
            method_error(st, context, m, bad);
            sb__plan_free(plan);
            goto done;
        }
        sb_fnextra extra = {NULL, NULL, m->doc, modname, true, NULL};
        sb_function *f = sb__function_make(module, NULL, plan, m->fn, &extra);
        if (!f)
            goto done;
        int ok = PyList_Append(keep, (PyObject *)f);
        Py_DECREF(f); /* kept by `keep` */
        if (ok < 0)
            goto done;
        f->stop_on_null = !strcmp(name, "__next__");
        int sp = m->kind == SB_M_INSTANCE ? sp_index(name) : -1;
        if (sp >= 0)
            rt->fn[sp] = f;
        /* __init__ builds an unbuilt instance; so does __setstate__ (unpickling
         * makes the instance with cls.__new__, then sets its state). */
        f->constructs = m->kind == SB_M_INSTANCE && (!strcmp(name, "__init__") || !strcmp(name, "__setstate__"));
        if (sp >= 0 && sp < SP_NTYPED) {
#if SB_HAVE_CALLREGS
            /* SIGBIND_GENERIC_SLOTS=1 (read at class creation): no typed entries, the suite's oracle */
            const char *generic = getenv("SIGBIND_GENERIC_SLOTS");
            if ((generic && *generic && strcmp(generic, "0")) || !sp_typed_plan(st, f, sp, (cd->flags & SB_ERRVALUE) != 0, &rt->ty[sp]))
                rt->ty[sp].cfn = NULL;
            else if (rt->ty[sp].spec != SK_NONE && rt->ty[sp].spec != SK_NEXT_OBJ)
                rt->ty[sp].stype = rt->type;
#else
            rt->ty[sp].cfn = NULL;
#endif
        }
        PyObject *attr = NULL;
        if (m->kind == SB_M_STATIC) {
            PyObject *fn = PyCFunction_NewEx(&f->def, (PyObject *)f, modname);
            PyObject *builtins = fn ? PyEval_GetBuiltins() : NULL; /* borrowed */
            PyObject *sm = builtins ? PyDict_GetItemString(builtins, "staticmethod") : NULL;
            attr = sm ? PyObject_CallFunctionObjArgs(sm, fn, NULL) : NULL;
            if (fn && !sm && !PyErr_Occurred())
                PyErr_SetString(PyExc_SystemError, "sigbind: builtins.staticmethod not found");
            Py_XDECREF(fn);
        } else if (m->kind == SB_M_GETTER || m->kind == SB_M_SETTER) {
            const char *pn = prop_name(name, m->kind);
            size_t k;
            for (k = 0; k < ps->n; k++)
                if (!strcmp(ps->props[k].name, pn))
                    break;
            if (k == ps->n) {
                ps->n++;
                snprintf(ps->props[k].name, sizeof ps->props[k].name, "%s", pn);
            }
            if (m->kind == SB_M_GETTER) {
                ps->props[k].get = f;
                ps->props[k].doc = m->doc;
            } else {
                ps->props[k].set = f;
            }
            continue;
        } else if (sp >= 0 && sp_has(&rt->direct, sp) && sp != SP_INIT) {
            /* In the type's slot already: its slot wrapper is the attribute. */
            has_eq |= sp == SP_EQ;
            has_hash |= sp == SP_HASH;
            continue;
        } else {
            /* A CPython method descriptor over a trampoline pool slot (the
             * cheapest call on every version); past the pool, a vectorcall
             * Method on 3.12+ and a closure before. */
            bool vectorcall = m->kind == SB_M_INSTANCE && st->MethodType;
            int bound = bind_entry(f, is_binop(name), !vectorcall);
            if (bound < 0)
                goto done;
            if (!bound)
                attr = make_method(st, f, cd->name, is_binop(name));
            else
                attr = m->kind == SB_M_CLASS ? PyDescr_NewClassMethod((PyTypeObject *)type, &f->def)
                                             : PyDescr_NewMethod((PyTypeObject *)type, &f->def);
        }
        has_eq |= !strcmp(name, "__eq__");
        has_hash |= !strcmp(name, "__hash__");
        /* Setting a special method on a heap type updates its slot, as for a
         * class written in Python. */
        bool hidden_init = rec->has_init && !strcmp(name, "__init__");
        if (!attr || PyObject_SetAttrString(type, hidden_init ? "_sigbind_init" : name, attr) < 0) {
            Py_XDECREF(attr);
            goto done;
        }
        Py_DECREF(attr);
    }
    for (size_t k = 0; k < ps->n; k++) {
        prop *p = &ps->props[k];
        if (!p->get) {
            PyErr_Format(PyExc_TypeError, "%s: property '%s' has a setter but no getter", context, p->name);
            goto done;
        }
        ps->defs[k] = (PyGetSetDef){p->name, prop_get, prop_set, (char *)p->doc, p};
        PyObject *d = PyDescr_NewGetSet((PyTypeObject *)type, &ps->defs[k]);
        if (!d || PyObject_SetAttrString(type, p->name, d) < 0) {
            Py_XDECREF(d);
            goto done;
        }
        Py_DECREF(d);
    }
    if (has_eq && !has_hash && PyObject_SetAttrString(type, "__hash__", Py_None) < 0)
        goto done;
    /* Pickling: refused unless the class (or a base) says how. A class that
     * says it with __getstate__ alone gets object's __reduce__ back over its
     * base's refusal. */
    if (!rec->pickles && !rec->base) {
        PyObject *d = PyDescr_NewMethod((PyTypeObject *)type, &refuse_reduce_def);
        int bad = !d || PyObject_SetAttrString(type, "__reduce__", d) < 0;
        Py_XDECREF(d);
        if (bad)
            goto done;
    } else if (rec->pickles && rec->base && !rec->base->pickles) {
        bool own = false;
        for (const sb_method_def *m = cd->methods; m && m->signature; m++) {
            sb_error err;
            sb_sig *sig = sb__sig_parse_in(m->signature, strlen(m->signature), &set->scope, &err);
            own |= sig && (!strcmp(sig->name, "__reduce__") || !strcmp(sig->name, "__reduce_ex__"));
            sb__sig_free(sig);
        }
        PyObject *d = own ? NULL : PyObject_GetAttrString((PyObject *)&PyBaseObject_Type, "__reduce__");
        int bad = !own && (!d || PyObject_SetAttrString(type, "__reduce__", d) < 0);
        Py_XDECREF(d);
        if (bad)
            goto done;
    }
    if (PyList_Append(keep, capsule) < 0)
        goto done;
    {
        /* What the descriptors point into (method Functions, the property
         * table): kept by the class and by the module state, so that deleting
         * or replacing the attribute frees nothing; from 3.10 the class is
         * immutable besides (below), so the attribute cannot go either. */
        PyObject *t = PyList_AsTuple(keep);
        if (!t || PyObject_SetAttrString(type, "_sigbind_keep", t) < 0 || PyList_Append(st->class_keep, t) < 0) {
            Py_XDECREF(t);
            goto done;
        }
        Py_DECREF(t);
    }
    /* Complete: no Python code may change the class from here on (>= 3.10;
     * its Python subclasses stay mutable). */
    sb__compat_freeze_type((PyTypeObject *)type);
    Py_INCREF(type);
    if (PyModule_AddObject(module, cd->name, type) < 0) {
        Py_DECREF(type);
        goto done;
    }
    rc = 0;
done:
    Py_DECREF(rtcap);
    Py_XDECREF(capsule);
    Py_XDECREF(keep);
    Py_XDECREF(modname);
    Py_DECREF(type);
    return rc;
}

int sb__classes_add(PyObject *module, sb_state *st, const sb_module_def *def, void **records)
{
    if (!def->classes || !def->classes[0].name)
        return 0;
    pthread_mutex_lock(&records_lock);
    classset *set = *records;
    if (!set && (set = build_records(st, def)) != NULL)
        *records = set; /* lives as long as the process, like a static type spec */
    pthread_mutex_unlock(&records_lock);
    if (!set)
        return -1;
    if (!(st->classes = PyList_New(0)) || !(st->class_keep = PyList_New(0)))
        return -1;
    if (sb__compat_have_vectorcall_methods()) {
        PyObject *types = PyImport_ImportModule("types");
        st->BoundMethod = types ? PyObject_GetAttrString(types, "MethodType") : NULL;
        Py_XDECREF(types);
        if (!st->BoundMethod || !(st->MethodType = PyType_FromSpec(&method_spec)))
            return -1;
    }
    for (size_t i = 0; i < set->n; i++)
        if (make_class(module, st, def, set, i) < 0)
            return -1;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Public helpers                                                      */

PyObject *sb_self(void *self)
{
    return self ? SB_INST_OBJECT(self) : NULL;
}

int sb_stop_iteration(void)
{
    sb_callstate *cs = sb__gil_back();
    PyErr_SetNone(PyExc_StopIteration);
    sb__gil_away(cs);
    return -1;
}
