/* compat.c — the one place that knows CPython versions: every run-time gate of DESIGN §7 lives here. */
#define _GNU_SOURCE
#include "runtime/runtime.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* The running interpreter's version, read once from Py_GetVersion() (stable
 * ABI 3.2; Py_Version data only exists from 3.11). Plain C data, identical for
 * every interpreter of the process, so a static is fine (DESIGN §2.3 is about
 * Python objects). */
static unsigned version;

/* METH_FASTCALL's value is in the stable ABI manifest (const, 3.7), but a
 * limited build below 3.10 does not see the name. */
#ifndef METH_FASTCALL
#define METH_FASTCALL 0x0080
#endif

/* Symbols newer than the 3.7 floor, resolved with dlsym at run time so that the
 * binary never links them (they would fail to resolve on older versions). */
typedef int (*getbuffer_fn)(PyObject *, sb_buffer *, int);
typedef void (*releasebuffer_fn)(sb_buffer *);
typedef const char *(*utf8_fn)(PyObject *, Py_ssize_t *);
static getbuffer_fn p_getbuffer;       /* PyObject_GetBuffer: stable ABI from 3.11 */
static releasebuffer_fn p_releasebuffer; /* PyBuffer_Release: stable ABI from 3.11 */
static utf8_fn p_utf8;                 /* PyUnicode_AsUTF8AndSize: stable ABI from 3.10 */
typedef int (*aswrite_fn)(PyObject *, void **, Py_ssize_t *);
typedef int (*asread_fn)(PyObject *, const void **, Py_ssize_t *);
static aswrite_fn p_aswrite;           /* PyObject_AsWriteBuffer: stable ABI (abi_only) 3.2, deprecated */
static asread_fn p_asread;             /* PyObject_AsReadBuffer: likewise */
typedef PyInterpreterState *(*interp_fn)(void);
static interp_fn p_interp_get;         /* PyInterpreterState_Get: stable ABI from 3.9 */

/* Runs once per process (pthread_once): interpreters with their own GIL may
 * import the module at the same time. */
static void read_version(void)
{
    unsigned major = 0, minor = 0, micro = 0;
    if (sscanf(Py_GetVersion(), "%u.%u.%u", &major, &minor, &micro) < 2)
        return; /* version stays 0: sb__compat_init reports it */
    unsigned v = (major << 16) | (minor << 8) | (micro & 0xff);
    /* Gate: the Py_buffer API joined the stable ABI in 3.11 (its struct layout
     * is frozen from then on); older versions use the bytes/bytearray paths. */
    if (v >= 0x030B00) {
        p_getbuffer = (getbuffer_fn)(uintptr_t)dlsym(RTLD_DEFAULT, "PyObject_GetBuffer");
        p_releasebuffer = (releasebuffer_fn)(uintptr_t)dlsym(RTLD_DEFAULT, "PyBuffer_Release");
        if (!p_getbuffer || !p_releasebuffer)
            p_getbuffer = NULL, p_releasebuffer = NULL;
    }
    /* Gate: PyUnicode_AsUTF8AndSize joined the stable ABI in 3.10; it returns
     * the str's cached UTF-8 without making a bytes object. */
    /* Gate: below 3.11 the only stable way to learn where a buffer's memory is
     * are the old PyObject_AsWriteBuffer/AsReadBuffer (stable ABI 3.2, kept
     * exported as abi_only on every version; deprecated, so looked up here
     * rather than named). They release the export at once: callers hold a
     * memoryview of the object, which keeps the memory in place. */
    if (v < 0x030B00) {
        p_aswrite = (aswrite_fn)(uintptr_t)dlsym(RTLD_DEFAULT, "PyObject_AsWriteBuffer");
        p_asread = (asread_fn)(uintptr_t)dlsym(RTLD_DEFAULT, "PyObject_AsReadBuffer");
    }
    if (v >= 0x030A00)
        p_utf8 = (utf8_fn)(uintptr_t)dlsym(RTLD_DEFAULT, "PyUnicode_AsUTF8AndSize");
    /* Gate: PyInterpreterState_Get joined the stable ABI in 3.9. */
    if (v >= 0x030900)
        p_interp_get = (interp_fn)(uintptr_t)dlsym(RTLD_DEFAULT, "PyInterpreterState_Get");
    version = v;
}

int sb__compat_init(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, read_version);
    if (!version) {
        PyErr_SetString(PyExc_ImportError, "sigbind: cannot read the Python version");
        return -1;
    }
    return 0;
}

/* Gate: the Py_mod_multiple_interpreters slot (3.12, PEP 684) declares that
 * the module works in interpreters with their own GIL (it keeps no Python
 * state outside module state, and its C-level statics are constant or set
 * once under pthread_once). Older versions reject unknown slot ids, so they
 * get a terminator there instead. Py_GetVersion is safe before any init. */
#define SB_Py_mod_multiple_interpreters 3
#define SB_Py_MOD_PER_INTERPRETER_GIL_SUPPORTED ((void *)2)

void sb__compat_module_slots(PyModuleDef_Slot *slot)
{
    unsigned major = 0, minor = 0;
    if (sscanf(Py_GetVersion(), "%u.%u", &major, &minor) == 2 && (major > 3 || (major == 3 && minor >= 12))) {
        slot->slot = SB_Py_mod_multiple_interpreters;
        slot->value = SB_Py_MOD_PER_INTERPRETER_GIL_SUPPORTED;
    } else {
        slot->slot = 0;
        slot->value = NULL;
    }
}

unsigned sb__py_version(void)
{
    return version;
}

void sb__compat_dealloc_type(PyTypeObject *tp)
{
    /* Gate: instances of heap types hold a reference to their type. Our objects
     * are allocated with PyType_GenericAlloc, which takes that reference on
     * every version (3.7 there; 3.8 moved it into PyObject_Init, bpo-35810), so
     * the custom tp_dealloc drops it on every version. Objects made with
     * PyObject_New would need `version >= 0x030800` here. */
    Py_DECREF(tp);
}

int sb__compat_visit_type(PyObject *self, visitproc visit, void *arg)
{
    /* Gate: from 3.9 the traverse function of a heap type must visit the type
     * (bpo-40217); before 3.9 subtype traversal did it, so visiting again would
     * over-count. */
    if (version >= 0x030900) {
        PyObject *tp = (PyObject *)Py_TYPE(self);
        Py_VISIT(tp);
    }
    return 0;
}

int sb__compat_have_buffer(void)
{
    return p_getbuffer != NULL;
}

int sb__compat_getbuffer(PyObject *obj, sb_buffer *view, int flags)
{
    return p_getbuffer(obj, view, flags);
}

void sb__compat_releasebuffer(sb_buffer *view)
{
    p_releasebuffer(view);
}

int sb__compat_buffer_address(PyObject *view, bool writable, void **buf, Py_ssize_t *len)
{
    if (p_getbuffer) {
        /* >= 3.11: the buffer API proper; the view keeps the export. */
        sb_buffer b;
        if (p_getbuffer(view, &b, writable ? SB_PyBUF_WRITABLE : SB_PyBUF_SIMPLE) < 0)
            return -1;
        *buf = b.buf;
        *len = b.len;
        p_releasebuffer(&b);
        return 0;
    }
    if (writable ? !p_aswrite : !p_asread) {
        PyErr_SetString(PyExc_SystemError, "sigbind: no way to reach a buffer's memory on this CPython");
        return -1;
    }
    if (writable)
        return p_aswrite(view, buf, len);
    const void *rb;
    if (p_asread(view, &rb, len) < 0)
        return -1;
    *buf = (void *)rb;
    return 0;
}

PyInterpreterState *sb__compat_interp(void)
{
    if (p_interp_get)
        return p_interp_get();
    /* Gate: 3.7 and 3.8 (frozen) have no stable call for it, and both lay out
     * PyThreadState as {prev, next, interp, ...} (Include/pystate.h of 3.7,
     * Include/cpython/pystate.h of 3.8): the third pointer. */
    if (version < 0x030900) {
        PyThreadState *ts = PyThreadState_Get();
        PyInterpreterState *interp;
        memcpy(&interp, (char *)ts + 2 * sizeof(void *), sizeof interp);
        return interp;
    }
    return NULL;
}

const char *sb__compat_utf8(PyObject *str, Py_ssize_t *size, int *unavailable)
{
    if (!p_utf8) {
        *unavailable = 1;
        return NULL;
    }
    *unavailable = 0;
    return p_utf8(str, size);
}

bool sb__compat_base_dealloc_decrefs_type(void)
{
    /* Gate: when a Python subclass's instance dies, subtype_dealloc calls our
     * (heap) base's tp_dealloc. Up to 3.7 subtype_dealloc then drops the type
     * reference itself, always; from 3.8 it does so only when the base is not a
     * heap type (bpo-35810), so our base dealloc must drop it. */
    return version >= 0x030800;
}

int sb__compat_method_flags(void)
{
    /* Gate: METH_FASTCALL | METH_KEYWORDS is part of the stable ABI from 3.10
     * (PEP 652 lists it with 3.10); before that, the stable conventions are
     * METH_VARARGS | METH_KEYWORDS, METH_O and METH_NOARGS. */
    return version >= 0x030A00 ? METH_FASTCALL | METH_KEYWORDS : METH_VARARGS | METH_KEYWORDS;
}

bool sb__compat_have_offset_members(void)
{
    /* Gate: PyType_FromSpec reads the __dictoffset__ / __weaklistoffset__
     * members (a __dict__ and weak references for heap types of the limited
     * API) from 3.9 (bpo-38140); earlier versions make them plain attributes. */
    return version >= 0x030900;
}

bool sb__compat_type_doc_keeps_signature(void)
{
    /* Gate: from 3.10 a heap type made by PyType_FromSpec keeps the
     * "Name(sig)\n--\n\n" head of its tp_doc, so type.__text_signature__ (what
     * inspect.signature(cls) reads) works; up to 3.9 PyType_FromSpec strips it
     * (_PyType_DocWithoutSignature), and inspect reads a user-defined
     * __init__ method instead. */
    return version >= 0x030A00;
}

bool sb__compat_have_vectorcall_methods(void)
{
    /* Gate: vectorcall for heap types made by PyType_FromSpec (the
     * __vectorcalloffset__ member with Py_TPFLAGS_HAVE_VECTORCALL) is part of
     * the limited API from 3.12 (PEP 590's flags joined it then); with
     * Py_TPFLAGS_METHOD_DESCRIPTOR the interpreter calls such a descriptor with
     * the instance as the first argument and binds nothing (class.c uses them
     * past the trampoline pool; earlier versions use closures there). */
    return version >= 0x030C00;
}

bool sb__compat_freeze_type(PyTypeObject *tp)
{
    /* Gate: Py_TPFLAGS_IMMUTABLETYPE exists from 3.10 (bpo-43908): type
     * setattr/delattr refuse, and the flag is not inherited by Python
     * subclasses. The limited API can pass it to PyType_FromSpec only, but the
     * C face adds descriptors after making the type, so the flag is set on the
     * finished type: tp_flags sits at a fixed place in PyTypeObject (after
     * the variable-size header and 18 pointer-size fields: tp_name through
     * tp_as_buffer, unchanged from 3.0 to 3.13), and what is read there is
     * checked against PyType_GetFlags before anything is written. */
    if (version < 0x030A00)
        return false;
    const unsigned long immutable = 1UL << 8;
    unsigned long *flags = (unsigned long *)(void *)((char *)tp + sizeof(PyVarObject) + 18 * sizeof(void *));
    unsigned long now = PyType_GetFlags(tp);
    if (*flags != now || !(now & Py_TPFLAGS_HEAPTYPE))
        return false;
    *flags = now | immutable;
    PyType_Modified(tp);
    return true;
}
