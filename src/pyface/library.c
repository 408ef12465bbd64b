/* library.c — the Library object: finding and loading shared libraries, binding and declaring functions. */
#define _GNU_SOURCE
#include "pyface/pyface.h"

#include <dirent.h>
#include <errno.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Finding a library by short name ("m" -> libm.so.6), as the dynamic  */
/* linker would: the ld.so cache first, then the usual directories.    */

typedef struct tried {
    char text[1024];
    size_t n;
} tried;

static void tried_add(tried *t, const char *what)
{
    int w = snprintf(t->text + t->n, sizeof t->text - t->n, "%s%s", t->n ? ", " : "", what);
    if (w > 0 && t->n + (size_t)w < sizeof t->text)
        t->n += (size_t)w;
}

/* Does `file` look like "lib<name>.so" or "lib<name>.so.<digits...>"? */
static bool soname_matches(const char *file, const char *name)
{
    size_t nl = strlen(name);
    if (strncmp(file, "lib", 3) || strncmp(file + 3, name, nl) || strncmp(file + 3 + nl, ".so", 3))
        return false;
    const char *rest = file + 3 + nl + 3;
    return *rest == '\0' || *rest == '.';
}

/* glibc's /etc/ld.so.cache, "glibc-ld.so.cache1.1" format: a header, then
 * entries {int32 flags; uint32 key, value; uint32 osversion; uint64 hwcap},
 * key/value being offsets of NUL-terminated strings from the file's start. */
/* What the cache said, remembered for the process (libraries are never
 * unloaded, and ld.so.cache changes only with ldconfig): sigbind.load("z")
 * reads the cache once per name. Guarded by a mutex: interpreters with their
 * own GIL may load at the same time. */
#define CACHE_MEMO 32
static struct {
    char name[64];
    char path[448];
} cache_memo[CACHE_MEMO];
static unsigned cache_memo_n;
static pthread_mutex_t cache_memo_lock = PTHREAD_MUTEX_INITIALIZER;

static bool memo_find(const char *name, char *path, size_t cap)
{
    bool found = false;
    pthread_mutex_lock(&cache_memo_lock);
    for (unsigned i = 0; i < cache_memo_n && !found; i++)
        if (!strcmp(cache_memo[i].name, name)) {
            snprintf(path, cap, "%s", cache_memo[i].path);
            found = true;
        }
    pthread_mutex_unlock(&cache_memo_lock);
    return found;
}

static void memo_add(const char *name, const char *path)
{
    if (strlen(name) >= sizeof cache_memo[0].name || strlen(path) >= sizeof cache_memo[0].path)
        return;
    pthread_mutex_lock(&cache_memo_lock);
    unsigned i = cache_memo_n < CACHE_MEMO ? cache_memo_n++ : 0; /* full: the first entry makes room */
    snprintf(cache_memo[i].name, sizeof cache_memo[i].name, "%s", name);
    snprintf(cache_memo[i].path, sizeof cache_memo[i].path, "%s", path);
    pthread_mutex_unlock(&cache_memo_lock);
}

static void *dlopen_from_cache(const char *name, tried *t)
{
    char known[sizeof cache_memo[0].path];
    if (memo_find(name, known, sizeof known)) {
        tried_add(t, known);
        void *h = dlopen(known, RTLD_NOW | RTLD_LOCAL);
        if (h)
            return h;
    }
    int fd = open("/etc/ld.so.cache", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat sb;
    void *handle = NULL;
    if (fstat(fd, &sb) == 0 && sb.st_size > 48) {
        size_t size = (size_t)sb.st_size;
        const char *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map != MAP_FAILED) {
            static const char magic[] = "glibc-ld.so.cache1.1";
            if (memcmp(map, magic, sizeof magic - 1) == 0) {
                uint32_t nlibs;
                memcpy(&nlibs, map + 20, 4);
                const size_t entsz = 24, hdr = 48;
                for (uint32_t i = 0; i < nlibs && hdr + (size_t)(i + 1) * entsz <= size && !handle; i++) {
                    uint32_t key, value;
                    memcpy(&key, map + hdr + (size_t)i * entsz + 4, 4);
                    memcpy(&value, map + hdr + (size_t)i * entsz + 8, 4);
                    if (key >= size || value >= size || !memchr(map + key, '\0', size - key) ||
                        !memchr(map + value, '\0', size - value))
                        continue;
                    if (!soname_matches(map + key, name))
                        continue;
                    tried_add(t, map + value);
                    handle = dlopen(map + value, RTLD_NOW | RTLD_LOCAL);
                    if (handle)
                        memo_add(name, map + value);
                }
            }
            munmap((void *)map, size);
        }
    }
    close(fd);
    return handle;
}

static void *dlopen_from_dirs(const char *name, tried *t)
{
    static const char *const dirs[] = {
        "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
        "/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib",
    };
    for (size_t d = 0; d < sizeof dirs / sizeof dirs[0]; d++) {
        DIR *dir = opendir(dirs[d]);
        if (!dir)
            continue;
        struct dirent *e;
        char best[512] = "";
        while ((e = readdir(dir)) != NULL) {
            if (!soname_matches(e->d_name, name))
                continue;
            /* Prefer the longest versioned name that sorts last ("libz.so.1.2.13"
             * over "libz.so.1" over "libz.so", which may be a linker script). */
            if (!best[0] || strcmp(e->d_name, best) > 0)
                snprintf(best, sizeof best, "%s", e->d_name);
        }
        closedir(dir);
        if (best[0]) {
            char path[1024];
            snprintf(path, sizeof path, "%s/%s", dirs[d], best);
            tried_add(t, path);
            void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
            if (h)
                return h;
        }
    }
    return NULL;
}

/* The file a handle came from. */
static PyObject *handle_path(void *handle, const char *fallback)
{
    struct link_map *lm = NULL;
    if (dlinfo(handle, RTLD_DI_LINKMAP, &lm) == 0 && lm && lm->l_name && lm->l_name[0])
        return PyUnicode_DecodeFSDefault(lm->l_name);
    return PyUnicode_DecodeFSDefault(fallback);
}

static const sb_named *lib_lookup(const sb_scope *scope, const char *name, size_t len, int tag);

/* ------------------------------------------------------------------ */
/* Library objects                                                     */

static PyObject *library_alloc(PyObject *module, void *handle, PyObject *path)
{
    sb_state *st = sb__state(module);
    sb_library *lib = (sb_library *)PyType_GenericAlloc((PyTypeObject *)st->LibraryType, 0);
    if (!lib) {
        dlclose(handle);
        Py_DECREF(path);
        return NULL;
    }
    lib->handle = handle;
    lib->path = path;
    Py_INCREF(module);
    lib->module = module;
    lib->scope.lookup = lib_lookup;
    lib->scope.ctx = lib;
    if (!(lib->funcs = PyDict_New())) {
        Py_DECREF(lib);
        return NULL;
    }
    return (PyObject *)lib;
}

static const char *lib_display(sb_library *lib, char *buf, size_t cap)
{
    if (lib->path == Py_None) {
        snprintf(buf, cap, "the running process");
        return buf;
    }
    PyObject *b = PyUnicode_AsUTF8String(lib->path);
    if (!b) {
        PyErr_Clear();
        snprintf(buf, cap, "library");
        return buf;
    }
    snprintf(buf, cap, "%s", PyBytes_AsString(b));
    Py_DECREF(b);
    return buf;
}

/* ------------------------------------------------------------------ */
/* The Library's typedefs: opaque handle types and aliases (plain C,    */
/* owned by the Library; signatures of its functions point into them).  */

typedef struct libtype {
    sb_named named;          /* named.user points back here (for a function type: its sb_sig) */
    const sb_named *target;  /* what the name stands for: &named, or a struct's &layout->named */
    sb_layout *layout;       /* a struct/union definition, owned */
    sb_sig *fsig;            /* a function pointer typedef's function type, owned */
    char name[64];           /* "sqlite3", or "struct tag" for a tag met only through a pointer typedef */
    char tag[64];            /* the struct tag of an opaque type, else "" */
    char release[64];        /* [[release(fn)]], else "" */
    bool is_enum;            /* "enum tag": an alias of its integer type, found by `enum tag` */
} libtype;

typedef struct sb_libtypes {
    size_t n, cap;
    libtype **v;
    sb_constdecl consts;     /* integer constants (enumerators, const, #define), for later declarations
                                (hashed by name: long blocks stay linear) */
    size_t capconst;
    PyObject *constdict;     /* the same, as the Library's attributes: name -> int (only ints: no GC) */
} sb_libtypes;

static const sb_named *lib_lookup(const sb_scope *scope, const char *name, size_t len, int tag)
{
    const sb_libtypes *ts = ((const sb_library *)scope->ctx)->types;
    if (!ts)
        return NULL;
    if (tag == 'e') {
        for (size_t i = 0; i < ts->n; i++)
            if (ts->v[i]->is_enum && strlen(ts->v[i]->tag) == len && memcmp(ts->v[i]->tag, name, len) == 0)
                return &ts->v[i]->named;
        return NULL;
    }
    for (size_t i = 0; i < ts->n; i++) {
        if (ts->v[i]->is_enum)
            continue;
        const libtype *t = ts->v[i];
        const char *key = tag ? t->tag : t->name;
        if (strlen(key) == len && memcmp(key, name, len) == 0 &&
            (!tag || t->target->what == SB_NAMED_OPAQUE ||
             (t->target->what == SB_NAMED_STRUCT && (tag == 'u') == t->layout->is_union)))
            return t->target;
    }
    return NULL;
}

static void libtypes_free(sb_libtypes *ts)
{
    if (!ts)
        return;
    for (size_t i = 0; i < ts->n; i++) {
        sb__sig_free(ts->v[i]->fsig);
        sb__layout_free(ts->v[i]->layout);
        free(ts->v[i]);
    }
    free(ts->v);
    sb__constdecl_free(&ts->consts);
    Py_XDECREF(ts->constdict);
    free(ts);
}

static libtype *libtype_add(sb_library *lib, const char *name)
{
    sb_libtypes *ts = lib->types;
    if (!ts && !(ts = lib->types = calloc(1, sizeof *ts)))
        return NULL;
    if (ts->n == ts->cap) {
        size_t cap = ts->cap ? ts->cap * 2 : 8;
        libtype **v = realloc(ts->v, cap * sizeof *v);
        if (!v)
            return NULL;
        ts->v = v;
        ts->cap = cap;
    }
    libtype *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    snprintf(t->name, sizeof t->name, "%s", name);
    t->named.name = t->name;
    t->named.user = t;
    t->target = &t->named;
    ts->v[ts->n++] = t;
    return t;
}

static bool same_type(sb_type a, sb_type b)
{
    return a.kind == b.kind && a.ptr == b.ptr && a.cconst == b.cconst && a.named == b.named;
}

/* Marks the bound function `name` (if any) as the release function of a handle type. */
static void mark_release(sb_library *lib, const char *name)
{
    PyObject *fn = PyDict_GetItemString(lib->funcs, name); /* borrowed */
    sb_function *f = fn ? (sb_function *)PyCFunction_GetSelf(fn) : NULL;
    if (f) {
        f->releases = true;
        f->plan->simple = false; /* the general path marks the handle afterwards */
    }
    PyErr_Clear();
}

static void set_runtime(sb_library *lib, sb_layout *L)
{
    L->rt_state = sb__state(lib->module);
    L->rt_owner = lib;
    for (size_t i = 0; i < L->nsubs; i++)
        set_runtime(lib, L->subs[i]);
}

/* Registers a struct/union layout (owned from now on) under its tag (may be ""). */
static libtype *add_layout(sb_library *lib, sb_layout *L, const char *tag)
{
    set_runtime(lib, L);
    libtype *t = libtype_add(lib, "");
    if (!t) {
        sb__layout_free(L);
        PyErr_NoMemory();
        return NULL;
    }
    t->layout = L;
    t->target = &L->named;
    snprintf(t->tag, sizeof t->tag, "%s", tag);
    return t;
}

/* `struct point { int x; int y; }` / `union u { ... }`. 0, or -1 with SignatureError. */
static int add_struct(sb_library *lib, const char *text, size_t len)
{
    sb_state *st = sb__state(lib->module);
    sb_layout *L;
    sb_error err;
    if (sb__struct_parse(text, len, &lib->scope, &L, &err) < 0) {
        sb__raise_sigerror(st, text, len, &err, NULL);
        return -1;
    }
    const char *tag = strchr(L->name, ' ') + 1;
    if (lib_lookup(&lib->scope, tag, strlen(tag), L->is_union ? 'u' : 's')) {
        sb_error e = {0, ""};
        snprintf(e.msg, sizeof e.msg, "%s is already declared", L->name);
        sb__layout_free(L);
        sb__raise_sigerror(st, text, len, &e, NULL);
        return -1;
    }
    return add_layout(lib, L, tag) ? 0 : -1;
}

/* One `typedef ...` statement of a declaration block. 0, or -1 with SignatureError. */
static int add_typedef(sb_library *lib, const char *text, size_t len)
{
    sb_state *st = sb__state(lib->module);
    sb_typedef td;
    sb_error err;
    if (sb__typedef_parse(text, len, &lib->scope, &td, &err) < 0) {
        sb__raise_sigerror(st, text, len, &err, NULL);
        return -1;
    }
    const sb_named *old = lib_lookup(&lib->scope, td.name, strlen(td.name), 0);
    if (td.layout) {
        /* typedef struct [tag] { ... } name: the layout (under its tag), and name for it */
        if (old || (td.tag[0] && lib_lookup(&lib->scope, td.tag, strlen(td.tag), td.layout->is_union ? 'u' : 's'))) {
            sb_error e = {0, ""};
            snprintf(e.msg, sizeof e.msg, "'%s' is already declared", old ? td.name : td.layout->name);
            sb__layout_free(td.layout);
            sb__raise_sigerror(st, text, len, &e, NULL);
            return -1;
        }
        if (!td.tag[0])
            snprintf(td.layout->name, sizeof td.layout->name, "%s", td.name); /* untagged: its typedef names it */
        if (!add_layout(lib, td.layout, td.tag))
            return -1;
        libtype *a = libtype_add(lib, td.name);
        if (!a)
            return PyErr_NoMemory(), -1;
        if (td.type.ptr == 0 && !td.tag[0]) {
            a->target = &td.layout->named; /* the name is the struct itself */
        } else {
            a->named.what = SB_NAMED_ALIAS;
            a->named.alias = td.type;
        }
        return 0;
    }
    if (td.fsig) {
        /* typedef int (*cmp_t)(...): a function type (not found by name) and the alias of its pointer */
        bool same = old && old->what == SB_NAMED_ALIAS && old->alias.named &&
                    old->alias.named->what == SB_NAMED_FUNC && sb__functype_equal(old->alias.named->user, td.fsig);
        libtype *ft = old ? NULL : libtype_add(lib, "");
        libtype *a = ft ? libtype_add(lib, td.name) : NULL;
        if (old || !ft || !a) {
            sb__sig_free(td.fsig);
            if (old && !same) {
                sb_error e = {0, ""};
                snprintf(e.msg, sizeof e.msg, "typedef '%s' is already declared differently", td.name);
                sb__raise_sigerror(st, text, len, &e, NULL);
                return -1;
            }
            return old ? 0 : (PyErr_NoMemory(), -1);
        }
        ft->fsig = td.fsig;
        ft->named.what = SB_NAMED_FUNC;
        ft->named.name = td.fname;
        ft->named.user = td.fsig;
        a->named.what = SB_NAMED_ALIAS;
        a->named.alias = (sb_type){SB_K_VOID, 1, 0, &ft->named};
        return 0;
    }
    libtype *base = NULL; /* the opaque type the new name is, or points to */
    if (td.opaque) {
        if (td.type.ptr == 0 && !old) {
            if (!(base = libtype_add(lib, td.name)))
                return PyErr_NoMemory(), -1;
            base->named.what = SB_NAMED_OPAQUE;
            snprintf(base->tag, sizeof base->tag, "%s", td.tag);
        } else {
            /* `typedef struct tag *name;`: an opaque `struct tag`, and name an alias of its pointer */
            char sname[80];
            snprintf(sname, sizeof sname, "struct %s", td.tag);
            if (!(base = libtype_add(lib, sname)))
                return PyErr_NoMemory(), -1;
            base->named.what = SB_NAMED_OPAQUE;
            snprintf(base->tag, sizeof base->tag, "%s", td.tag);
            td.type.named = &base->named;
            td.opaque = false;
        }
    } else if (td.type.named && td.type.named->what == SB_NAMED_OPAQUE) {
        base = (libtype *)(uintptr_t)td.type.named->user;
    }
    if (!td.opaque) {
        if (old) {
            bool same = old->what == SB_NAMED_ALIAS ? same_type(old->alias, td.type)
                                                      : (td.type.named == old && td.type.ptr == 0);
            if (!same) {
                sb_error e = {0, ""};
                snprintf(e.msg, sizeof e.msg, "typedef '%s' is already declared differently", td.name);
                sb__raise_sigerror(st, text, len, &e, NULL);
                return -1;
            }
        } else if (!(td.type.named && td.type.ptr == 0 && strcmp(td.type.named->name, td.name) == 0)) {
            libtype *a = libtype_add(lib, td.name);
            if (!a)
                return PyErr_NoMemory(), -1;
            a->named.what = SB_NAMED_ALIAS;
            a->named.alias = td.type;
        }
    }
    if (td.release[0]) {
        if (!base || (td.type.ptr > 1)) {
            sb_error e = {0, ""};
            snprintf(e.msg, sizeof e.msg, "[[release]] applies to opaque handle types");
            sb__raise_sigerror(st, text, len, &e, NULL);
            return -1;
        }
        snprintf(base->release, sizeof base->release, "%s", td.release);
        mark_release(lib, td.release);
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Integer constants: enum, const, #define statements                  */

static bool const_lookup(const sb_constscope *cs, const char *name, size_t len, sb_cval *out)
{
    const sb_libtypes *ts = ((const sb_library *)cs->ctx)->types;
    size_t i = ts ? sb__constdecl_find(&ts->consts, name, len) : SIZE_MAX;
    if (i == SIZE_MAX)
        return false;
    *out = ts->consts.v[i].value;
    return true;
}

static int const_error(sb_library *lib, const char *text, size_t len, const char *fmt, const char *name)
{
    sb_error e = {(size_t)-1, ""};
    snprintf(e.msg, sizeof e.msg, fmt, name);
    sb__raise_sigerror(sb__state(lib->module), text, len, &e, NULL);
    return -1;
}

/* The type `enum tag` or a typedef name stands for: added, or checked against the earlier one. */
static int enum_type(sb_library *lib, const char *text, size_t len, const char *name, const char *tag, sb_type t)
{
    const sb_named *old = tag ? lib_lookup(&lib->scope, tag, strlen(tag), 'e')
                              : lib_lookup(&lib->scope, name, strlen(name), 0);
    if (old) {
        if (old->what == SB_NAMED_ALIAS && same_type(old->alias, t))
            return 0;
        return const_error(lib, text, len, tag ? "enum '%s' is already declared differently"
                                               : "typedef '%s' is already declared differently", tag ? tag : name);
    }
    libtype *a = libtype_add(lib, name);
    if (!a)
        return PyErr_NoMemory(), -1;
    a->named.what = SB_NAMED_ALIAS;
    a->named.alias = t;
    if (tag) {
        a->is_enum = true;
        snprintf(a->tag, sizeof a->tag, "%s", tag);
    }
    return 0;
}

/* One constant statement: its constants go into the C table (for later
 * statements) and into pending (published when the whole block succeeds). */
static int add_constdecl(sb_library *lib, const char *text, size_t len, PyObject *pending)
{
    sb_state *st = sb__state(lib->module);
    sb_constscope cs = {const_lookup, lib};
    sb_constdecl d;
    sb_error err;
    if (sb__constdecl_parse(text, len, &lib->scope, &cs, &d, &err) < 0) {
        sb__raise_sigerror(st, text, len, &err, NULL);
        return -1;
    }
    int rc = -1;
    if (!lib->types && !(lib->types = calloc(1, sizeof *lib->types))) {
        PyErr_NoMemory();
        goto done;
    }
    sb_libtypes *ts = lib->types;
    for (size_t i = 0; i < d.n; i++) {
        sb_cval v;
        if (PyDict_GetItemString(lib->funcs, d.v[i].name)) { /* borrowed */
            const_error(lib, text, len, "'%s' is already declared as a function", d.v[i].name);
            goto done;
        }
        if (const_lookup(&cs, d.v[i].name, strlen(d.v[i].name), &v)) {
            if (v.v == d.v[i].value.v && v.u == d.v[i].value.u)
                continue; /* the same again (a header declared twice) */
            const_error(lib, text, len, "constant '%s' is already declared with another value", d.v[i].name);
            goto done;
        }
        if (!sb__constdecl_push(&ts->consts, &ts->capconst, &d.v[i])) {
            PyErr_NoMemory();
            goto done;
        }
        PyObject *val = d.v[i].value.u ? PyLong_FromUnsignedLongLong((unsigned long long)d.v[i].value.v)
                                       : PyLong_FromLongLong(d.v[i].value.v);
        int r = val ? PyDict_SetItemString(pending, d.v[i].name, val) : -1;
        Py_XDECREF(val);
        if (r < 0)
            goto done;
    }
    if (d.what == SB_DECL_ENUM) {
        char ename[80];
        snprintf(ename, sizeof ename, "enum %s", d.tag);
        if (d.tag[0] && enum_type(lib, text, len, ename, d.tag, d.type) < 0)
            goto done;
        if (d.type_name[0] && enum_type(lib, text, len, d.type_name, NULL, d.type) < 0)
            goto done;
    }
    rc = 0;
done:
    sb__constdecl_free(&d);
    return rc;
}

PyObject *sb__library_adopt(PyObject *libobj, sb_type type, PyObject *v, bool owned)
{
    sb_library *lib = (sb_library *)libobj;
    sb_state *st = sb__state(lib->module);
    if (sb__struct_check(st, v)) {
        sb__struct_set_owner(v, libobj); /* keeps its layout (declared here) alive */
        return v;
    }
    if (Py_TYPE(v) == (PyTypeObject *)st->PointerType && type.named && type.named->what == SB_NAMED_STRUCT) {
        sb_pointer *p = (sb_pointer *)v;
        if (!p->owner) {
            Py_INCREF(libobj);
            p->owner = libobj;
        }
        return v;
    }
    if (Py_TYPE(v) != (PyTypeObject *)st->PointerType || !type.named || type.named->what != SB_NAMED_OPAQUE)
        return v;
    sb_pointer *p = (sb_pointer *)v;
    if (!p->owner) {
        Py_INCREF(libobj);
        p->owner = libobj; /* keeps the type's name (and the library) alive */
    }
    const libtype *t = type.named->user;
    if (type.ptr != 1 || !t->release[0] || !p->addr || !owned)
        return v; /* a [[borrowed]] handle is never released by sigbind */
    PyObject *fn = PyDict_GetItemString(lib->funcs, t->release); /* borrowed */
    sb_function *rf = fn ? (sb_function *)PyCFunction_GetSelf(fn) : NULL;
    if (!rf || rf->plan->nargs != 1 || !rf->plan->slots[0].type.ptr) {
        char tn[64];
        sb__type_format(type, tn, sizeof tn);
        PyErr_Format(PyExc_TypeError,
                     "%s handles are released by '%s', which must be declared in the same Library as a function of "
                     "one pointer parameter (e.g. 'int %s(%s h)')", tn, t->release, t->release, tn);
        Py_DECREF(v);
        return NULL;
    }
    Py_INCREF(fn);
    PyObject *old = p->releaser;
    p->releaser = fn;
    Py_XDECREF(old);
    return v;
}

/* dlsym that tells a missing symbol from one whose value is NULL. */
static int lookup(sb_library *lib, const char *sym, void **out)
{
    dlerror();
    *out = dlsym(lib->handle, sym);
    const char *e = dlerror();
    if (!e && *out)
        return 0;
    char where[512];
    sb_state *st = sb__state(lib->module);
    if (!e) /* e.g. an unresolved weak symbol: calling it would jump to 0 */
        PyErr_Format(st->SymbolNotFoundError, "%s: symbol '%s' has address NULL", lib_display(lib, where, sizeof where),
                     sym);
    else
        PyErr_Format(st->SymbolNotFoundError, "%s has no symbol '%s'", lib_display(lib, where, sizeof where), sym);
    return -1;
}

/* Binds one prototype (text) from this library: a new callable or NULL. */
static PyObject *bind_text(sb_library *lib, const char *text, size_t len)
{
    sb_state *st = sb__state(lib->module);
    sb_plan *plan = sb__plan_from_text_ex(st, text, len, NULL, &lib->scope, 0);
    if (!plan)
        return NULL;
    if (plan->sig->ret.named)
        plan->simple = false; /* handle results are tied to the Library on the general path */
    const sb_sig *sig = plan->sig;
    void *fn, *msg = NULL, *freefn = NULL;
    if (lookup(lib, sig->name, &fn) < 0 ||
        (sig->contract.msg_fn && lookup(lib, sig->contract.msg_fn, &msg) < 0) ||
        (sig->free_fn && lookup(lib, sig->free_fn, &freefn) < 0)) {
        sb__plan_free(plan);
        return NULL;
    }
    /* POSIX guarantees dlsym results convert to function pointers. */
    sb_fnextra extra = {(const char *(*)(int))(uintptr_t)msg, (void (*)(void *))(uintptr_t)freefn, NULL, NULL, false,
                         sb__library_adopt};
    PyObject *callable = sb__function_new(lib->module, (PyObject *)lib, plan, (void (*)(void))(uintptr_t)fn, &extra);
    if (callable && lib->types) {
        sb_function *f = (sb_function *)PyCFunction_GetSelf(callable);
        for (size_t i = 0; f && i < lib->types->n; i++)
            if (!strcmp(lib->types->v[i]->release, f->plan->sig->name)) {
                f->releases = true;
                f->plan->simple = false;
            }
    }
    return callable;
}

static PyObject *library_bind(PyObject *self, PyObject *arg)
{
    if (!PyUnicode_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "bind() argument 'signature' must be str, not %R", (PyObject *)Py_TYPE(arg));
        return NULL;
    }
    PyObject *b = sb__text_utf8(sb__state(((sb_library *)self)->module), arg);
    if (!b)
        return NULL;
    char *s;
    Py_ssize_t n;
    PyObject *r = NULL;
    if (PyBytes_AsStringAndSize(b, &s, &n) == 0)
        r = bind_text((sb_library *)self, s, (size_t)n);
    Py_DECREF(b);
    return r;
}

static PyObject *library_declare(PyObject *self, PyObject *arg)
{
    sb_library *lib = (sb_library *)self;
    if (!PyUnicode_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "declare() argument 'declarations' must be str, not %R",
                     (PyObject *)Py_TYPE(arg));
        return NULL;
    }
    PyObject *b = sb__text_utf8(sb__state(lib->module), arg);
    if (!b)
        return NULL;
    char *text;
    Py_ssize_t len;
    PyObject *found = PyDict_New();
    PyObject *consts = PyDict_New(); /* constants of this block, published with its functions */
    size_t nconst0 = lib->types ? lib->types->consts.n : 0;
    if (!found || !consts || PyBytes_AsStringAndSize(b, &text, &len) < 0)
        goto fail;
    size_t pos = 0, s, e;
    while (sb__decl_next(text, (size_t)len, &pos, &s, &e)) {
        if (sb__constdecl_kind(text + s, e - s) != SB_DECL_NONE) {
            if (add_constdecl(lib, text + s, e - s, consts) == 0)
                continue;
            goto fail_at;
        }
        bool td = sb__is_typedef(text + s, e - s), sd = !td && sb__is_struct_def(text + s, e - s);
        PyObject *fn = td   ? (add_typedef(lib, text + s, e - s) < 0 ? NULL : (Py_INCREF(Py_None), Py_None))
                       : sd ? (add_struct(lib, text + s, e - s) < 0 ? NULL : (Py_INCREF(Py_None), Py_None))
                            : bind_text(lib, text + s, e - s);
        if (fn == Py_None) {
            Py_DECREF(fn);
            continue;
        }
        if (!fn) {
        fail_at:;
            /* Say where in the block the statement is. */
            unsigned line = 1;
            for (size_t i = 0; i < s; i++)
                line += text[i] == '\n';
            PyObject *et, *ev, *tb;
            PyErr_Fetch(&et, &ev, &tb);
            PyErr_NormalizeException(&et, &ev, &tb);
            if (ev) {
                PyObject *ln = PyLong_FromUnsignedLong(line);
                if (ln) {
                    PyObject_SetAttrString(ev, "line", ln);
                    Py_DECREF(ln);
                }
            }
            PyErr_Restore(et, ev, tb);
            goto fail;
        }
        PyObject *name = PyObject_GetAttrString(fn, "__name__");
        int rc = name ? PyDict_SetItem(found, name, fn) : -1;
        Py_XDECREF(name);
        Py_DECREF(fn);
        if (rc < 0)
            goto fail;
    }
    if (PyDict_Size(consts)) {
        if (!lib->types->constdict && !(lib->types->constdict = PyDict_New()))
            goto fail;
        if (PyDict_Update(lib->types->constdict, consts) < 0)
            goto fail;
    }
    if (PyDict_Update(lib->funcs, found) < 0)
        goto fail;
    Py_DECREF(found);
    Py_DECREF(consts);
    Py_DECREF(b);
    Py_RETURN_NONE;
fail:
    if (lib->types)
        sb__constdecl_truncate(&lib->types->consts, nconst0); /* all or nothing: this block's constants go */
    Py_XDECREF(found);
    Py_XDECREF(consts);
    Py_DECREF(b);
    return NULL;
}

/* The Library's own attributes win over declared functions of the same name
 * (libc's bind() stays reachable through lib.bind("int bind(...)")). */
static bool own_attribute(PyObject *name)
{
    static const char *const own[] = {"bind", "declare", "path", "new", "sizeof", "alignof", "offsetof"};
    if (!PyUnicode_Check(name))
        return false;
    if (PyUnicode_GetLength(name) >= 2 && PyUnicode_ReadChar(name, 0) == '_' && PyUnicode_ReadChar(name, 1) == '_')
        return true;
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
        if (PyUnicode_CompareWithASCIIString(name, own[i]) == 0)
            return true;
    return false;
}

static PyObject *library_getattro(PyObject *self, PyObject *name)
{
    sb_library *lib = (sb_library *)self;
    if (own_attribute(name))
        return PyObject_GenericGetAttr(self, name);
    PyObject *fn = PyDict_GetItemWithError(lib->funcs, name);
    if (fn) {
        Py_INCREF(fn);
        return fn;
    }
    if (PyErr_Occurred())
        return NULL;
    if (lib->types && lib->types->constdict) {
        PyObject *c = PyDict_GetItemWithError(lib->types->constdict, name);
        if (c) {
            Py_INCREF(c);
            return c;
        }
        if (PyErr_Occurred())
            return NULL;
    }
    PyObject *r = PyObject_GenericGetAttr(self, name);
    if (!r && PyErr_ExceptionMatches(PyExc_AttributeError)) {
        PyErr_Clear();
        char where[512];
        PyErr_Format(PyExc_AttributeError,
                     "%s: no function or constant '%U' was declared (declare it with lib.declare('<prototype>;') "
                     "or bind it with lib.bind('<prototype>'))",
                     lib_display(lib, where, sizeof where), name);
    }
    return r;
}

static PyObject *library_dir(PyObject *self, PyObject *unused)
{
    (void)unused;
    sb_library *lib = (sb_library *)self;
    PyObject *objdir = PyObject_GetAttrString((PyObject *)&PyBaseObject_Type, "__dir__");
    if (!objdir)
        return NULL;
    PyObject *base = PyObject_CallFunctionObjArgs(objdir, self, NULL);
    Py_DECREF(objdir);
    if (!base)
        return NULL;
    PyObject *list = PySequence_List(base);
    Py_DECREF(base);
    PyObject *keys = list ? PyDict_Keys(lib->funcs) : NULL;
    if (!keys) {
        Py_XDECREF(list);
        return NULL;
    }
    if (lib->types && lib->types->constdict) {
        PyObject *ck = PyDict_Keys(lib->types->constdict);
        Py_ssize_t nk = ck ? PyList_Size(ck) : -1;
        for (Py_ssize_t i = 0; i < nk; i++)
            if (PyList_Append(keys, PyList_GetItem(ck, i)) < 0)
                nk = -1;
        Py_XDECREF(ck);
        if (nk < 0) {
            Py_DECREF(keys);
            Py_DECREF(list);
            return NULL;
        }
    }
    Py_ssize_t n = PyList_Size(keys);
    for (Py_ssize_t i = 0; i < n; i++)
        if (PyList_Append(list, PyList_GetItem(keys, i)) < 0) {
            Py_DECREF(keys);
            Py_DECREF(list);
            return NULL;
        }
    Py_DECREF(keys);
    if (PyList_Sort(list) < 0) {
        Py_DECREF(list);
        return NULL;
    }
    return list;
}

static PyObject *library_repr(PyObject *self)
{
    sb_library *lib = (sb_library *)self;
    if (lib->path == Py_None)
        return PyUnicode_FromString("<sigbind.Library of the running process>");
    return PyUnicode_FromFormat("<sigbind.Library %R>", lib->path);
}

static PyObject *get_path(PyObject *self, void *c)
{
    (void)c;
    PyObject *p = ((sb_library *)self)->path;
    Py_INCREF(p);
    return p;
}

static int library_traverse(PyObject *self, visitproc visit, void *arg)
{
    sb_library *lib = (sb_library *)self;
    Py_VISIT(lib->module);
    Py_VISIT(lib->funcs);
    return sb__compat_visit_type(self, visit, arg);
}

static int library_clear(PyObject *self)
{
    sb_library *lib = (sb_library *)self;
    Py_CLEAR(lib->funcs);
    Py_CLEAR(lib->module);
    return 0;
}

static void library_dealloc(PyObject *self)
{
    sb_library *lib = (sb_library *)self;
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    library_clear(self);
    Py_CLEAR(lib->path);
    libtypes_free(lib->types);
    /* The handle is never closed (as ctypes never unloads implicitly): code and
     * data of the library stay mapped while anything may still reach them — a
     * Pointer into its data, a [[free(fn)]] result, a function pointer C keeps.
     * Loading the same library again takes the same handle, so nothing grows. */
    freefunc tfree = (freefunc)PyType_GetSlot(tp, Py_tp_free);
    tfree(self);
    sb__compat_dealloc_type(tp);
}

static PyObject *library_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    (void)type, (void)args, (void)kwds;
    PyErr_SetString(PyExc_TypeError, "sigbind.Library objects are made by sigbind.load()");
    return NULL;
}

/* A type text in this Library's names ("struct point", "point_t", "int"). */
static int lib_type(sb_library *lib, PyObject *arg, const char *fname, sb_type *t)
{
    if (!PyUnicode_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "%s() argument 'type' must be str, not %R", fname, (PyObject *)Py_TYPE(arg));
        return -1;
    }
    PyObject *b = sb__text_utf8(sb__state(lib->module), arg);
    if (!b)
        return -1;
    sb_error err;
    int rc = sb__type_parse_in(PyBytes_AsString(b), (size_t)PyBytes_Size(b), &lib->scope, t, &err);
    if (rc < 0)
        sb__raise_sigerror(sb__state(lib->module), PyBytes_AsString(b), (size_t)PyBytes_Size(b), &err, fname);
    Py_DECREF(b);
    return rc;
}

static const sb_layout *struct_of(sb_type t)
{
    return !t.ptr && t.named && t.named->what == SB_NAMED_STRUCT ? t.named->user : NULL;
}

static PyObject *library_sizeof(PyObject *self, PyObject *arg)
{
    sb_type t;
    if (lib_type((sb_library *)self, arg, "sizeof", &t) < 0)
        return NULL;
    if (!t.ptr && (t.kind == SB_K_VOID && !t.named)) {
        PyErr_SetString(PyExc_TypeError, "sizeof(): void has no size");
        return NULL;
    }
    if (!t.ptr && t.named && t.named->what != SB_NAMED_STRUCT) {
        PyErr_Format(PyExc_TypeError, "sizeof(): '%s' is an incomplete type", t.named->name);
        return NULL;
    }
    return PyLong_FromSize_t(sb__type_size(t));
}

static PyObject *library_alignof(PyObject *self, PyObject *arg)
{
    sb_type t;
    if (lib_type((sb_library *)self, arg, "alignof", &t) < 0)
        return NULL;
    if (!t.ptr && ((t.kind == SB_K_VOID && !t.named) || (t.named && t.named->what != SB_NAMED_STRUCT))) {
        PyErr_SetString(PyExc_TypeError, "alignof(): an incomplete type has no alignment");
        return NULL;
    }
    return PyLong_FromSize_t(sb__type_align(t));
}

static PyObject *library_offsetof(PyObject *self, PyObject *args)
{
    PyObject *tp;
    const char *member;
    if (!PyArg_ParseTuple(args, "Os:offsetof", &tp, &member))
        return NULL;
    sb_type t;
    if (lib_type((sb_library *)self, tp, "offsetof", &t) < 0)
        return NULL;
    const sb_layout *L = struct_of(t);
    if (!L) {
        PyErr_SetString(PyExc_TypeError, "offsetof(): the type must be a struct or union");
        return NULL;
    }
    const sb_field *f = sb__layout_field(L, member, strlen(member));
    if (!f) {
        PyErr_Format(PyExc_AttributeError, "%s has no member '%s'", L->name, member);
        return NULL;
    }
    return PyLong_FromSize_t(f->offset);
}

static PyObject *library_newvalue(PyObject *self, PyObject *args, PyObject *kwds)
{
    sb_library *lib = (sb_library *)self;
    Py_ssize_t n = PyTuple_Size(args);
    if (n < 1 || n > 2) {
        PyErr_SetString(PyExc_TypeError, "new() takes a type and an optional initial value (or members by keyword)");
        return NULL;
    }
    sb_type t;
    PyObject *targ = PyTuple_GetItem(args, 0);
    const sb_layout *L = NULL;
    if (PyUnicode_Check(targ)) { /* one struct value, or typed memory ("struct point[4]", "int[8]") */
        PyObject *b = PyUnicode_AsUTF8String(targ);
        sb_error err;
        if (b && sb__type_parse_in(PyBytes_AsString(b), (size_t)PyBytes_Size(b), &lib->scope, &t, &err) == 0)
            L = struct_of(t);
        Py_XDECREF(b);
        PyErr_Clear();
    }
    if (!L) {
        if (kwds && PyDict_Size(kwds)) {
            PyErr_SetString(PyExc_TypeError, "Library.new(): members by keyword are only for a struct or union value");
            return NULL;
        }
        return sb__mem_new_in(lib->module, &lib->scope, args, NULL);
    }
    sb_state *st = sb__state(lib->module);
    PyObject *s = sb__struct_new(st, lib->module, L, self, NULL);
    if (!s)
        return NULL;
    PyObject *init = n == 2 ? PyTuple_GetItem(args, 1) : NULL;
    char what[120];
    snprintf(what, sizeof what, "new(%s)", L->name);
    if (init && sb__struct_store(st, L, init, sb__struct_data(s, NULL), what) < 0) {
        Py_DECREF(s);
        return NULL;
    }
    PyObject *k, *v;
    Py_ssize_t pos = 0;
    while (kwds && PyDict_Next(kwds, &pos, &k, &v))
        if (PyObject_SetAttr(s, k, v) < 0) {
            Py_DECREF(s);
            return NULL;
        }
    return s;
}

static PyMethodDef library_methods[] = {
    {"new", (PyCFunction)(void (*)(void))library_newvalue, METH_VARARGS | METH_KEYWORDS,
     "new($self, type, init=None, /, **members)\n--\n\nA zeroed value of a struct or union declared in this "
     "Library, filled from init (a dict, a tuple, or a Struct) and members."},
    {"sizeof", library_sizeof, METH_O, "sizeof($self, type, /)\n--\n\nsizeof(type) as the C compiler says."},
    {"alignof", library_alignof, METH_O, "alignof($self, type, /)\n--\n\n_Alignof(type)."},
    {"offsetof", library_offsetof, METH_VARARGS, "offsetof($self, type, member, /)\n--\n\noffsetof(type, member)."},
    {"bind", library_bind, METH_O,
     "bind($self, signature, /)\n--\n\nBind one C function by its prototype; returns a callable."},
    {"declare", library_declare, METH_O,
     "declare($self, declarations, /)\n--\n\nBind several ';'-separated prototypes (C comments allowed); "
     "each becomes an attribute of the library."},
    {"__dir__", library_dir, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef library_getset[] = {
    {"path", get_path, NULL, "The file the library was loaded from (None for the running process).", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot library_slots[] = {
    {Py_tp_doc, (void *)"A loaded shared library; made by sigbind.load()."},
    {Py_tp_new, (void *)library_new},
    {Py_tp_dealloc, (void *)library_dealloc},
    {Py_tp_traverse, (void *)library_traverse},
    {Py_tp_clear, (void *)library_clear},
    {Py_tp_repr, (void *)library_repr},
    {Py_tp_getattro, (void *)library_getattro},
    {Py_tp_methods, (void *)library_methods},
    {Py_tp_getset, (void *)library_getset},
    {0, NULL},
};

PyType_Spec sb__library_spec = {
    "sigbind.Library", sizeof(sb_library), 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC, library_slots,
};

/* ------------------------------------------------------------------ */
/* sigbind.load()                                                      */

/* dlopen() of a FIFO blocks until a writer comes, and of a terminal until
 * input arrives: a path that gives no bytes at once (without blocking) is
 * refused first, with the reason. 0 when the path may go to dlopen. */
static int refuse_unreadable(const char *path)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return 0; /* dlopen reports it in its own words */
    char head[4];
    ssize_t n = read(fd, head, sizeof head);
    int err = errno;
    close(fd);
    if (n > 0)
        return 0;
    if (n < 0 && err == EISDIR)
        PyErr_Format(PyExc_IsADirectoryError, "cannot load library '%s': it is a directory", path);
    else if (n < 0 && err != EAGAIN)
        PyErr_Format(PyExc_OSError, "cannot load library '%s': %s", path, strerror(err));
    else
        PyErr_Format(PyExc_OSError, "cannot load library '%s': it gives no data (an empty file, a FIFO or a "
                     "device), not a shared library", path);
    return -1;
}

PyObject *sb__load(PyObject *module, PyObject *name, PyObject *decls)
{
    void *handle = NULL;
    PyObject *path = NULL;
    if (name == Py_None) {
        handle = dlopen(NULL, RTLD_NOW);
        if (!handle) {
            PyErr_Format(PyExc_OSError, "cannot open the running process: %s", dlerror());
            return NULL;
        }
        Py_INCREF(Py_None);
        path = Py_None;
    } else {
        PyObject *fs = NULL;
        if (!PyUnicode_FSConverter(name, &fs))
            return NULL;
        const char *n = PyBytes_AsString(fs);
        tried t = {.n = 0};
        char firsterr[512] = "";
        if (!n[0]) {
            Py_DECREF(fs);
            PyErr_SetString(PyExc_ValueError, "load(): the library name is empty");
            return NULL;
        }
        /* A path or a file name ("libm.so.6") goes to dlopen as given. */
        bool direct = strchr(n, '/') || strstr(n, ".so");
        if (direct) {
            if (strchr(n, '/') && refuse_unreadable(n) < 0) {
                Py_DECREF(fs);
                return NULL;
            }
            tried_add(&t, n);
            handle = dlopen(n, RTLD_NOW | RTLD_LOCAL);
            if (!handle)
                snprintf(firsterr, sizeof firsterr, "%s", dlerror());
        }
        if (!handle && !strchr(n, '/')) {
            /* A short name: "m", "z", "libz". */
            const char *shortname = strncmp(n, "lib", 3) == 0 && !strstr(n, ".so") ? n + 3 : n;
            if (!direct) {
                handle = dlopen_from_cache(shortname, &t);
                if (!handle && !firsterr[0]) {
                    const char *e = dlerror();
                    if (e)
                        snprintf(firsterr, sizeof firsterr, "%s", e);
                }
                if (!handle)
                    handle = dlopen_from_dirs(shortname, &t);
                if (!handle && !firsterr[0]) {
                    const char *e = dlerror();
                    if (e)
                        snprintf(firsterr, sizeof firsterr, "%s", e);
                }
            }
        }
        if (!handle) {
            PyErr_Format(PyExc_OSError, "cannot load library %R: %s (tried: %s)", name,
                         firsterr[0] ? firsterr : "not found in the ld.so cache or the usual directories",
                         t.n ? t.text : "nothing");
            Py_DECREF(fs);
            return NULL;
        }
        path = handle_path(handle, n);
        Py_DECREF(fs);
        if (!path) {
            dlclose(handle);
            return NULL;
        }
    }
    PyObject *lib = library_alloc(module, handle, path);
    if (!lib)
        return NULL;
    if (decls && decls != Py_None) {
        PyObject *r = library_declare(lib, decls);
        if (!r) {
            Py_DECREF(lib);
            return NULL;
        }
        Py_DECREF(r);
    }
    return lib;
}
