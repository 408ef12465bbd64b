/* compat.c — the one place that knows CPython versions: every run-time gate of DESIGN §7 lives here. */
#define _GNU_SOURCE
#include "runtime/runtime.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
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
static sb_vectorcall_fn p_vectorcall;  /* PyObject_Vectorcall: stable ABI from 3.12, exported from 3.11 */
typedef PyThreadState *(*tstate_fn)(void);
static tstate_fn p_unchecked;          /* the current thread state or NULL, never a fatal error: 3.13's public
                                          PyThreadState_GetUnchecked, 3.7-3.12's _PyThreadState_UncheckedGet */
static size_t tid_offset;              /* 3.7-3.11: PyThreadState.thread_id's offset */
static bool attached_ok;               /* attached_check passed: sb__compat_attached can answer */

static void ascii_layout_check(void);
static void int_layout_check(void);
static void attached_check(void);

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
    /* Gate: PyObject_Vectorcall (and PY_VECTORCALL_ARGUMENTS_OFFSET) joined the
     * stable ABI in 3.12 (PEP 590's calling convention, the same from 3.8).
     * 3.11 already exports it as a function with that signature and meaning
     * (Objects/call.c; documented API since 3.9, where 3.9 and 3.10 have it
     * only as a static inline function): 3.11 is frozen, so the gate takes it
     * there too (callbacks: ~60 instructions less than a tuple and
     * PyObject_Call; test_callback_stubs proves it on 3.11). Older versions
     * call with an argument tuple. */
    if (v >= 0x030B00)
        p_vectorcall = (sb_vectorcall_fn)(uintptr_t)dlsym(RTLD_DEFAULT, "PyObject_Vectorcall");
    /* Gate: which thread state is attached to this thread, without a fatal error when none is
     * (sb__compat_attached: a Callback called by C code that a call from another interpreter
     * made). 3.13 has PyThreadState_GetUnchecked; 3.7-3.12 (frozen) export the same function as
     * _PyThreadState_UncheckedGet. It returns this thread's state from 3.12, where the current
     * thread state is thread-local; before 3.12 it is the one holding the (one, process-wide)
     * GIL, on any thread, and its thread_id tells whether it is this thread's: at offset 176 in
     * 3.7-3.10 and 152 in 3.11 (Include/cpython/pystate.h; Include/pystate.h in 3.7), checked
     * against PyThread_get_thread_ident by attached_check before use. Proven on 3.7.16, 3.8.18,
     * 3.9.18, 3.10.13, 3.11.2, 3.11.7, 3.12.1 and 3.13.0 (test_interpreters). */
    p_unchecked = (tstate_fn)(uintptr_t)dlsym(RTLD_DEFAULT, "PyThreadState_GetUnchecked");
    if (!p_unchecked && v < 0x030D00)
        p_unchecked = (tstate_fn)(uintptr_t)dlsym(RTLD_DEFAULT, "_PyThreadState_UncheckedGet");
    if (v < 0x030B00)
        tid_offset = 176;
    else if (v < 0x030C00)
        tid_offset = 152;
    version = v;
}

/* With the GIL, on the thread whose state is current: does what sb__compat_attached reads
 * agree with what the stable ABI says? Otherwise it answers "cannot tell" for good. */
static void attached_check(void)
{
    PyThreadState *ts = PyThreadState_Get();
    if (!p_unchecked || p_unchecked() != ts)
        return;
    if (version < 0x030C00) {
        unsigned long tid;
        memcpy(&tid, (const char *)ts + tid_offset, sizeof tid);
        if (tid != PyThread_get_thread_ident())
            return;
    }
    attached_ok = true;
}

int sb__compat_attached(PyInterpreterState **interp)
{
    if (!attached_ok)
        return -1;
    PyThreadState *ts = p_unchecked();
    if (!ts)
        return 0;
    if (version < 0x030C00) {
        /* the GIL's holder, maybe on another thread: ours only if its thread_id is this thread.
         * Read without the GIL: 3.9-3.11 free a thread state only after it stopped being current;
         * 3.7 and 3.8 free it just before (_PyThreadState_DeleteCurrent), a window in which this
         * reads a freed block of the exiting thread, which does not hold this thread's ident. */
        unsigned long tid;
        memcpy(&tid, (const char *)ts + tid_offset, sizeof tid);
        if (tid != PyThread_get_thread_ident())
            return 0;
    }
    *interp = sb__compat_interp(); /* ts is this thread's and current: the GIL is held */
    return 1;
}

/* Set (for good) once a module on this runtime was initialised in an
 * interpreter other than the main one; until then every sigbind call, and so
 * every callback made during one, runs in the main interpreter. */
atomic_bool sb__compat_subinterp_seen;

int sb__compat_init(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT, ascii_once = PTHREAD_ONCE_INIT, int_once = PTHREAD_ONCE_INIT,
                          attached_once = PTHREAD_ONCE_INIT;
    pthread_once(&once, read_version);
    if (!atomic_load_explicit(&sb__compat_subinterp_seen, memory_order_relaxed)) {
        PyInterpreterState *interp = sb__compat_interp();
        if (!interp || PyInterpreterState_GetID(interp) != 0) {
            atomic_store_explicit(&sb__compat_subinterp_seen, true, memory_order_relaxed);
            sb__cbstub_general(); /* callback stubs leave their main-interpreter-only fast entries */
        }
    }
    if (version && version < 0x030A00)
        pthread_once(&ascii_once, ascii_layout_check); /* with the GIL: it makes two str */
    if (version)
        pthread_once(&int_once, int_layout_check); /* with the GIL: it makes ints */
    if (version)
        pthread_once(&attached_once, attached_check); /* with the GIL, this thread's state current */
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

/* Gate: 3.7-3.9 (frozen) lay out a compact ASCII str as PyASCIIObject
 * {ob_refcnt, ob_type, length, hash, state, wstr} followed by its characters
 * and a NUL (Include/unicodeobject.h of 3.7, Include/cpython/unicodeobject.h
 * of 3.8 and 3.9); those bytes are its UTF-8, the very pointer
 * PyUnicode_AsUTF8AndSize returns for it. The layout and the state bits
 * (interned:2, kind:3, compact:1, ascii:1, ready:1 from bit 0) are checked
 * once against strings made for the purpose before they are relied on
 * (ascii_layout_checked). Proven on 3.7.16, 3.8.18, 3.9.18. */
#define ASCII_LENGTH_AT (2 * sizeof(void *))
#define ASCII_STATE_AT (2 * sizeof(void *) + sizeof(Py_ssize_t) + sizeof(Py_hash_t))
#define ASCII_DATA_AT (ASCII_STATE_AT + sizeof(void *) + sizeof(void *)) /* state (padded), wstr */
#define ASCII_STATE_MASK 0xFCu /* kind, compact, ascii, ready */
#define ASCII_STATE 0xE4u      /* kind 1 (one byte), compact, ascii, ready */
static bool ascii_layout;      /* checked: compact ASCII strings are read in place */

static unsigned str_state(PyObject *s)
{
    unsigned st;
    memcpy(&st, (const char *)s + ASCII_STATE_AT, sizeof st);
    return st;
}

static void ascii_layout_check(void)
{
    static const char probe[] = "sigbind layout probe";
    PyObject *a = PyUnicode_FromString(probe), *b = PyUnicode_FromString("caf\xc3\xa9");
    if (a && b) {
        Py_ssize_t n;
        memcpy(&n, (const char *)a + ASCII_LENGTH_AT, sizeof n);
        ascii_layout = n == (Py_ssize_t)sizeof probe - 1 && (str_state(a) & ASCII_STATE_MASK) == ASCII_STATE &&
                       memcmp((const char *)a + ASCII_DATA_AT, probe, sizeof probe) == 0 &&
                       (str_state(b) & ASCII_STATE_MASK) != ASCII_STATE;
    }
    Py_XDECREF(a);
    Py_XDECREF(b);
    PyErr_Clear();
}

/* Gate: an int's layout, for sb__compat_small_int (runtime.h). 3.7-3.11:
 * PyLongObject {ob_refcnt, ob_type, ob_size, ob_digit[]} (Include/longintrepr.h,
 * Include/cpython/longintrepr.h of 3.11): |ob_size| digits, the int's sign in
 * ob_size's. 3.12 and 3.13: {ob_refcnt, ob_type, lv_tag, ob_digit[]}
 * (Include/cpython/longintrepr.h): lv_tag = ndigits << 3 | sign (0 positive,
 * 1 zero, 2 negative). Digits of 30 bits in a uint32_t (PYLONG_BITS_IN_DIGIT,
 * 30 on 64-bit builds). Neither is part of the stable ABI, so the layout is
 * used only on those versions and only after ints made for the purpose read
 * back right (one digit of either sign, zero, and ints of two or more digits
 * that must not be taken for one); else SB_INT_API: the callers convert with
 * PyLong_AsLongLongAndOverflow. Proven on 3.7.16, 3.8.18, 3.9.18, 3.10.13,
 * 3.11.7, 3.12.1, 3.13.0. */
int sb__compat_int_layout = SB_INT_API;

static void int_layout_check(void)
{
    static const long long small[] = {0, 1, -1, 5, -7, 1000, (1LL << 30) - 1, -((1LL << 30) - 1)};
    static const long long big[] = {1LL << 30, -(1LL << 30), 1LL << 45, -(1LL << 62), INT64_MAX, INT64_MIN};
    if (sizeof(void *) != 8 || version < 0x030700 || version >= 0x030E00)
        return;
    sb__compat_int_layout = version >= 0x030C00 ? SB_INT_TAGGED : SB_INT_SIZED;
    bool ok = true;
    for (size_t i = 0; ok && i < sizeof small / sizeof small[0] + sizeof big / sizeof big[0]; i++) {
        bool is_small = i < sizeof small / sizeof small[0];
        long long want = is_small ? small[i] : big[i - sizeof small / sizeof small[0]];
        PyObject *v = PyLong_FromLongLong(want);
        int64_t got = 0;
        ok = v && sb__compat_small_int(v, &got) == is_small && (!is_small || got == want);
        Py_XDECREF(v);
    }
    if (!ok)
        sb__compat_int_layout = SB_INT_API;
    PyErr_Clear();
}

const char *sb__compat_utf8_fast(PyObject *str, Py_UCS4 *buf, Py_ssize_t cap, Py_ssize_t *size)
{
    if (SB_LIKELY(p_utf8 != NULL)) {
        const char *u = p_utf8(str, size);
        if (SB_UNLIKELY(!u)) {
            PyErr_Clear();
            return NULL;
        }
        return SB_LIKELY(strlen(u) == (size_t)*size) ? u : NULL;
    }
    if (SB_LIKELY(ascii_layout) && (str_state(str) & ASCII_STATE_MASK) == ASCII_STATE) {
        const char *u = (const char *)str + ASCII_DATA_AT;
        memcpy(size, (const char *)str + ASCII_LENGTH_AT, sizeof *size);
        return SB_LIKELY(strlen(u) == (size_t)*size) ? u : NULL;
    }
    /* Gate: 3.7-3.9 have no stable call that returns a str's UTF-8 without
     * making a bytes object (PyUnicode_AsUTF8AndSize joined the limited API in
     * 3.10). Other than compact ASCII strings: PyUnicode_AsUCS4 (stable from 3.7) copies the code points into
     * buf, and they are encoded in place: code point i occupies bytes
     * [4i, 4i + 4) and is read before anything is written there, and its UTF-8
     * ends at or before byte 4i + 4. Proven on 3.7.16, 3.8.18, 3.9.18 (the
     * suite's str tests, test_str_arguments_*). */
    Py_ssize_t len = PyUnicode_GetLength(str);
    if (SB_UNLIKELY(len < 0 || len >= cap)) {
        if (len < 0)
            PyErr_Clear();
        return NULL;
    }
    if (SB_UNLIKELY(!PyUnicode_AsUCS4(str, buf, cap, 1))) {
        PyErr_Clear();
        return NULL;
    }
    unsigned char *o = (unsigned char *)buf;
    Py_ssize_t i = 0;
    /* ASCII, four code points at a time (read before byte i is written);
     * the packing below is for little-endian machines (a constant test) */
    const uint32_t one = 1;
    unsigned char low;
    memcpy(&low, &one, 1);
    for (; low == 1 && i + 4 <= len; i += 4) {
        uint64_t x, y;
        memcpy(&x, buf + i, sizeof x);
        memcpy(&y, buf + i + 2, sizeof y);
        const uint64_t ones = UINT64_C(0x0000000100000001), highs = UINT64_C(0x8000000080000000);
        /* not ASCII, or a NUL (a zero lane: (lane - 1) & ~lane has its top bit) */
        if (((x | y) & UINT64_C(0xFFFFFF80FFFFFF80)) | ((((x - ones) & ~x) | ((y - ones) & ~y)) & highs))
            break;
        /* x = c0 | c1 << 32 with c < 0x80: (x | x >> 24) & 0xFFFF = c0 | c1 << 8 */
        uint32_t w = (uint32_t)((x | x >> 24) & 0xFFFF) | (uint32_t)((y | y >> 24) & 0xFFFF) << 16;
        memcpy(o + i, &w, sizeof w); /* bytes c0 c1 c2 c3 */
    }
    size_t p = (size_t)i;
    for (; i < len; i++) {
        Py_UCS4 c = buf[i];
        if (SB_LIKELY(c - 1 < 0x7F)) {
            o[p++] = (unsigned char)c;
        } else if (c == 0) {
            return NULL; /* an embedded NUL: the general path reports it */
        } else if (c < 0x800) {
            o[p++] = (unsigned char)(0xC0 | (c >> 6));
            o[p++] = (unsigned char)(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            if (SB_UNLIKELY(c >= 0xD800 && c <= 0xDFFF))
                return NULL; /* a lone surrogate: the general path raises UnicodeEncodeError */
            o[p++] = (unsigned char)(0xE0 | (c >> 12));
            o[p++] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
            o[p++] = (unsigned char)(0x80 | (c & 0x3F));
        } else {
            o[p++] = (unsigned char)(0xF0 | (c >> 18));
            o[p++] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
            o[p++] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
            o[p++] = (unsigned char)(0x80 | (c & 0x3F));
        }
    }
    o[p] = 0;
    *size = (Py_ssize_t)p;
    return (const char *)o;
}

bool sb__compat_base_dealloc_decrefs_type(void)
{
    /* Gate: when a Python subclass's instance dies, subtype_dealloc calls our
     * (heap) base's tp_dealloc. Up to 3.7 subtype_dealloc then drops the type
     * reference itself, always; from 3.8 it does so only when the base is not a
     * heap type (bpo-35810), so our base dealloc must drop it. */
    return version >= 0x030800;
}

void sb__compat_object_reinit(PyObject *obj, PyTypeObject *tp)
{
    /* Gate: from 3.8 PyObject_Init takes a reference to a heap type (bpo-35810,
     * as PyType_GenericAlloc does on every version); 3.7's does not. */
    PyObject_Init(obj, tp);
    if (version < 0x030800)
        Py_INCREF(tp);
}

int sb__compat_method_flags(void)
{
    /* Gate: METH_FASTCALL | METH_KEYWORDS is part of the stable ABI from 3.10
     * (PEP 652 lists it with 3.10); before that, the stable conventions are
     * METH_VARARGS | METH_KEYWORDS, METH_O and METH_NOARGS. */
    return version >= 0x030A00 ? METH_FASTCALL | METH_KEYWORDS : METH_VARARGS | METH_KEYWORDS;
}

int sb__compat_function_flags(void)
{
    /* Gate: bound functions (PyCFunction objects whose __self__ is the
     * Function) use METH_FASTCALL | METH_KEYWORDS on every version. The
     * limited API lists it from 3.10 (PEP 652), but the flag values (0x0080,
     * 0x0002) and the convention (self, args, nargs, kwnames) are the same
     * from 3.7 (bpo-29464 gave METH_FASTCALL its final form in 3.7), and 3.7-3.9
     * are frozen: no release will change them. It imports no symbol (the abi3
     * audit stays clean). Proven on 3.7.16, 3.8.18 and 3.9.18 by the whole
     * Python suite (positional, keyword, dict-keyword calls via f(**d),
     * functools.partial, defaults, star-args and star-kwargs, errors). Methods of C-face
     * classes keep sb__compat_method_flags. */
    return version >= 0x030700 ? METH_FASTCALL | METH_KEYWORDS : METH_VARARGS | METH_KEYWORDS;
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
     * past the trampoline pool; earlier versions use closures there). The
     * same gate gives C-face classes with __call__ a vectorcall entry
     * (class.c sp_vcall): from 3.12 a heap type's instance may carry its
     * vectorcallfunc (NULL there means tp_call, Include/cpython/abstract.h
     * _PyVectorcall_FunctionInline), and assigning __call__ on a Python
     * subclass clears the flag (What's New in 3.12, gh-93274). */
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

sb_vectorcall_fn sb__compat_vectorcall(void)
{
    return p_vectorcall;
}
