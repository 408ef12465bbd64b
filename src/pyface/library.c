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
#include <ctype.h>
#include <string.h>
#include <sys/mman.h>
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
    /* lseek, not fstat: fstat is fstat64@GLIBC_2.33 when built on a new glibc (manylinux2014: <= 2.17). */
    off_t end = lseek(fd, 0, SEEK_END);
    void *handle = NULL;
    if (end > 48) {
        size_t size = (size_t)end;
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
static const sb_named *lib_forward(const sb_scope *scope, const char *name, size_t len, int tag);
static bool const_lookup(const sb_constscope *cs, const char *name, size_t len, sb_cval *out);

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
    lib->dscope = lib->scope;
    lib->dscope.forward = lib_forward;
    lib->cscope.lookup = const_lookup;
    lib->cscope.ctx = lib;
    lib->dscope.consts = &lib->cscope;
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
    char *name;              /* "sqlite3", or "struct tag" for a tag met only through a pointer
                                (any length; malloc'd, libtype_free) */
    char *tag;               /* the struct tag of an opaque type, else "" (the same) */
    char release[64];        /* [[release(fn)]], else "" */
    bool is_enum;            /* "enum tag": an alias of its integer type, found by `enum tag` */
    size_t hnext[2];         /* the next older entry (index + 1, 0: none) in its bucket of the name / tag index */
} libtype;

/* A global variable of the library: `extern int x;`, `extern const char v[];`, `extern void (*hook)(void);`. */
typedef struct libglobal {
    void *addr;
    sb_type type;            /* the variable's type; of an array, its element type */
    int64_t count;           /* SB_ARRAY_NONE, an array's length, or SB_ARRAY_OPEN (`v[]`) */
    bool readonly;           /* `const T x` (not an array: its elements are const through its type) */
    sb_sig *sig;             /* the parsed declaration (owns the types it names inline), owned */
} libglobal;

/* The types are kept in declaration order (an earlier one wins a name, as
 * the linear search did) and indexed twice by hash: by name (non-enum
 * entries with a name) and by tag (struct/union tags and enum tags, apart).
 * Each bucket chains its entries newest first, so dropping the newest
 * entries (a failed block) unlinks bucket heads. */
typedef struct sb_libtypes {
    size_t n, cap;
    libtype **v;
    size_t *heads[2];        /* [0] by name, [1] by tag: hcap buckets each, index + 1 of the newest entry */
    size_t hcap;             /* a power of two, at least 2n (0: no index yet) */
    size_t steps;            /* entries visited by lookups (the linearity test reads it: sigbind._lookup_steps(lib)) */
    libtype **rel;           /* the entries with [[release(fn)]] (few), for bind() to mark fn */
    size_t nrel, caprel;
    libglobal *g;            /* global variables (`extern int x;`), in declaration order */
    size_t ng, capg;
    libtype **done;          /* incomplete structs the running block completed (undone if it fails) */
    size_t ndone, capdone;
    sb_constdecl consts;     /* integer constants (enumerators, const, #define), for later declarations
                                (hashed by name: long blocks stay linear) */
    size_t capconst;
    PyObject *constdict;     /* the same, as the Library's attributes: name -> int (only ints: no GC) */
} sb_libtypes;

static size_t key_hash(const char *s, size_t n, bool is_enum)
{
    size_t h = is_enum ? 2166136261u ^ 0x5bd1e995u : 2166136261u; /* FNV-1a; enum tags apart */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static char *dupstr(const char *s) { return sb__strndup(s, strlen(s)); }

static void libtype_free(libtype *t)
{
    free(t->name);
    free(t->tag);
    free(t);
}

/* The key of entry t in index which (0: name, 1: tag), or NULL when t is not in it. */
static const char *index_key(const libtype *t, int which)
{
    const char *k = which ? t->tag : (t->is_enum ? "" : t->name);
    return k[0] ? k : NULL;
}

static void index_link(sb_libtypes *ts, size_t i)
{
    for (int w = 0; w < 2; w++) {
        const char *k = index_key(ts->v[i], w);
        if (!k)
            continue;
        size_t b = key_hash(k, strlen(k), w && ts->v[i]->is_enum) & (ts->hcap - 1);
        ts->v[i]->hnext[w] = ts->heads[w][b];
        ts->heads[w][b] = i + 1;
    }
}

/* Indexes ts->v[i], the newest entry (the table at most half full: grown, rehashed). */
static bool index_add(sb_libtypes *ts, size_t i)
{
    if (2 * (i + 1) > ts->hcap) {
        size_t cap = ts->hcap ? ts->hcap * 2 : 64;
        size_t *h0 = calloc(cap, sizeof *h0), *h1 = calloc(cap, sizeof *h1);
        if (!h0 || !h1) {
            free(h0);
            free(h1);
            return false;
        }
        free(ts->heads[0]);
        free(ts->heads[1]);
        ts->heads[0] = h0;
        ts->heads[1] = h1;
        ts->hcap = cap;
        for (size_t j = 0; j < i; j++)
            index_link(ts, j);
    }
    index_link(ts, i);
    return true;
}

/* The first declared entry of key name in index which that passes the tag filter. */
static const libtype *index_find(sb_libtypes *ts, int which, const char *name, size_t len, int tag)
{
    const libtype *found = NULL;
    size_t b = key_hash(name, len, tag == 'e') & (ts->hcap - 1);
    for (size_t i = ts->heads[which][b]; i; i = ts->v[i - 1]->hnext[which]) {
        const libtype *t = ts->v[i - 1];
        const char *key = index_key(t, which);
        ts->steps++;
        if (strlen(key) != len || memcmp(key, name, len) != 0)
            continue;
        if (tag == 'e' ? t->is_enum
                       : !tag || (!t->is_enum && (t->target->what == SB_NAMED_OPAQUE ||
                                                  (t->target->what == SB_NAMED_STRUCT &&
                                                   (tag == 'u') == ((const sb_layout *)t->target->user)->is_union))))
            found = t; /* older ones come later in the chain: the last match is the first declared */
    }
    return found;
}

static const sb_named *lib_lookup(const sb_scope *scope, const char *name, size_t len, int tag)
{
    sb_libtypes *ts = ((const sb_library *)scope->ctx)->types;
    if (!ts || !ts->hcap || !len)
        return NULL;
    const libtype *t = index_find(ts, tag ? 1 : 0, name, len, tag);
    return !t ? NULL : tag == 'e' ? &t->named : t->target;
}

static void libtypes_free(sb_libtypes *ts)
{
    if (!ts)
        return;
    for (size_t i = 0; i < ts->n; i++) {
        sb__sig_free(ts->v[i]->fsig);
        sb__layout_free(ts->v[i]->layout);
        libtype_free(ts->v[i]);
    }
    free(ts->v);
    free(ts->heads[0]);
    free(ts->heads[1]);
    free(ts->rel);
    free(ts->done);
    for (size_t i = 0; i < ts->ng; i++)
        sb__sig_free(ts->g[i].sig);
    free(ts->g);
    sb__constdecl_free(&ts->consts);
    Py_XDECREF(ts->constdict);
    free(ts);
}

/* Drops the entries declared after the first n (a block that failed), newest first. */
static void libtypes_truncate(sb_libtypes *ts, size_t n)
{
    while (ts->n > n) {
        libtype *t = ts->v[--ts->n];
        for (int w = 0; w < 2; w++) {
            const char *k = index_key(t, w);
            if (k) /* the newest entry is its bucket's head */
                ts->heads[w][key_hash(k, strlen(k), w && t->is_enum) & (ts->hcap - 1)] = t->hnext[w];
        }
        for (size_t i = 0; i < ts->nrel; i++)
            if (ts->rel[i] == t)
                ts->rel[i--] = ts->rel[--ts->nrel];
        sb__sig_free(t->fsig);
        sb__layout_free(t->layout);
        libtype_free(t);
    }
}


/* Drops the globals declared after the first n (a block that failed). */
static void globals_truncate(sb_libtypes *ts, size_t n)
{
    while (ts->ng > n)
        sb__sig_free(ts->g[--ts->ng].sig);
}

/* A new entry named name (may be ""), with its tag (may be "") and whether it is `enum tag`; indexed. */
static libtype *libtype_add(sb_library *lib, const char *name, const char *tag, bool is_enum)
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
    if (!t || !(t->name = dupstr(name)) || !(t->tag = dupstr(tag))) {
        if (t)
            libtype_free(t);
        return NULL;
    }
    t->is_enum = is_enum;
    t->named.name = t->name;
    t->named.user = t;
    t->target = &t->named;
    ts->v[ts->n] = t;
    if (!index_add(ts, ts->n)) {
        libtype_free(t);
        return NULL;
    }
    ts->n++;
    return t;
}

static bool same_type(sb_type a, sb_type b)
{
    return a.kind == b.kind && a.ptr == b.ptr && a.cconst == b.cconst && sb__named_same(a.named, b.named);
}

static bool layouts_equal(const sb_layout *a, const sb_layout *b);

/* Member types of two definitions: by-value structs compared member by member, the rest by identity. */
static bool member_type_equal(sb_type a, sb_type b)
{
    if (a.kind != b.kind || a.ptr != b.ptr || a.cconst != b.cconst)
        return false;
    if (a.named == b.named)
        return true;
    if (a.named && b.named && a.named->what == SB_NAMED_FUNC && b.named->what == SB_NAMED_FUNC)
        return sb__functype_equal(a.named->user, b.named->user); /* `int (*cb)(int)` members: each layout its own */
    return a.named && b.named && a.named->what == SB_NAMED_STRUCT && b.named->what == SB_NAMED_STRUCT &&
           (a.ptr ? strcmp(a.named->name, b.named->name) == 0 : layouts_equal(a.named->user, b.named->user));
}

/* Is b the same definition as a (a header read twice)? */
static bool layouts_equal(const sb_layout *a, const sb_layout *b)
{
    if (a->is_union != b->is_union || a->packed != b->packed || a->size != b->size || a->align != b->align ||
        a->nfields != b->nfields)
        return false;
    for (uint16_t i = 0; i < a->nfields; i++) {
        const sb_field *x = &a->fields[i], *y = &b->fields[i];
        if ((x->name == NULL) != (y->name == NULL) || (x->name && strcmp(x->name, y->name)) ||
            x->offset != y->offset || x->count != y->count || x->bit_offset != y->bit_offset ||
            x->bit_width != y->bit_width || !member_type_equal(x->type, y->type))
            return false;
    }
    return true;
}

/* Marks the bound function `name` (if any) as the release function of a handle type. */
static void mark_release(sb_library *lib, const char *name)
{
    PyObject *fn = PyDict_GetItemString(lib->funcs, name); /* borrowed */
    sb_function *f = fn ? (sb_function *)PyCFunction_GetSelf(fn) : NULL;
    if (f)
        sb__function_releases(f); /* the general path marks the handle afterwards */
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
    libtype *t = libtype_add(lib, "", tag, false);
    if (!t) {
        sb__layout_free(L);
        PyErr_NoMemory();
        return NULL;
    }
    t->layout = L;
    t->target = &L->named;
    return t;
}

/* `struct tag` met behind a '*' before its definition (or in `struct tag;`):
 * an incomplete type, usable through pointers until complete() defines it. */
static const sb_named *lib_forward(const sb_scope *scope, const char *name, size_t len, int tag)
{
    sb_library *lib = (sb_library *)(uintptr_t)scope->ctx;
    char *sname = malloc(len + 8);
    if (!sname)
        return NULL;
    snprintf(sname, len + 8, "%s %.*s", tag == 'u' ? "union" : "struct", (int)len, name);
    libtype *t = libtype_add(lib, sname, sname + (tag == 'u' ? 6 : 7), false);
    free(sname);
    if (!t)
        return NULL;
    t->named.what = SB_NAMED_OPAQUE;
    return &t->named;
}

/* The definition of an incomplete struct t: L (owned from now on). Types that
 * named t before keep pointing to t->named, which now stands for L
 * (sb__named_canon); lookups find L itself. */
static void complete(sb_library *lib, libtype *t, sb_layout *L)
{
    sb_libtypes *ts = lib->types;
    if (ts->ndone == ts->capdone) { /* remembered, so a block that fails can make t incomplete again */
        size_t cap = ts->capdone ? 2 * ts->capdone : 8;
        libtype **v = realloc(ts->done, cap * sizeof *v);
        if (v) {
            ts->done = v;
            ts->capdone = cap;
        }
    }
    if (ts->ndone < ts->capdone)
        ts->done[ts->ndone++] = t;
    set_runtime(lib, L);
    t->layout = L;
    t->target = &L->named;
    t->named.what = SB_NAMED_STRUCT;
    t->named.name = L->name;
    t->named.user = L;
}

/* Undoes the completions made after the first n (a block that failed), newest first: each
 * struct is incomplete again, its definition freed. */
static void completions_undo(sb_libtypes *ts, size_t n)
{
    while (ts->ndone > n) {
        libtype *t = ts->done[--ts->ndone];
        sb__layout_free(t->layout);
        t->layout = NULL;
        t->target = &t->named;
        t->named.what = SB_NAMED_OPAQUE;
        t->named.name = t->name;
        t->named.user = t;
    }
}

/* The incomplete struct/union `tag` (from a forward declaration or a pointer), or NULL. */
static libtype *incomplete(sb_library *lib, const char *tag, bool is_union)
{
    const sb_named *old = tag[0] ? lib_lookup(&lib->scope, tag, strlen(tag), is_union ? 'u' : 's') : NULL;
    libtype *t = old && old->what == SB_NAMED_OPAQUE ? (libtype *)(uintptr_t)old->user : NULL;
    if (t && !strncmp(t->name, is_union ? "struct " : "union ", is_union ? 7 : 6))
        return NULL; /* `union u;` then `struct u { ... }`: the wrong kind of tag (C refuses it) */
    return t;
}

/* `struct tag;`: declares the tag (nothing when it is known already). 0, or -1 with MemoryError. */
static int add_forward(sb_library *lib, const char *tag, bool is_union)
{
    if (lib_lookup(&lib->scope, tag, strlen(tag), is_union ? 'u' : 's'))
        return 0;
    return lib_forward(&lib->dscope, tag, strlen(tag), is_union ? 'u' : 's') ? 0 : (PyErr_NoMemory(), -1);
}

/* `struct point { int x; int y; }` / `union u { ... }`. 0, or -1 with SignatureError. */
static int add_struct(sb_library *lib, const char *text, size_t len)
{
    sb_state *st = sb__state(lib->module);
    sb_layout *L;
    sb_error err;
    if (sb__struct_parse(text, len, &lib->dscope, &L, &err) < 0) {
        sb__raise_sigerror(st, text, len, &err, NULL);
        return -1;
    }
    const char *tag = strchr(L->name, ' ') + 1;
    libtype *fwd = incomplete(lib, tag, L->is_union);
    if (fwd) {
        complete(lib, fwd, L);
        return 0;
    }
    const sb_named *old = lib_lookup(&lib->scope, tag, strlen(tag), L->is_union ? 'u' : 's');
    if (old && old->what == SB_NAMED_STRUCT && layouts_equal(old->user, L)) {
        sb__layout_free(L); /* the same definition again, as C accepts it */
        return 0;
    }
    if (old) {
        sb_error e = {0, ""};
        snprintf(e.msg, sizeof e.msg, "%s is already declared", L->name);
        sb__layout_free(L);
        sb__raise_sigerror(st, text, len, &e, NULL);
        return -1;
    }
    return add_layout(lib, L, tag) ? 0 : -1;
}

/* Is `typedef struct [tag] { ... } name` (td) one declared before, the same way? */
static bool same_struct_typedef(sb_library *lib, const sb_typedef *td, const sb_named *old)
{
    if (!old)
        return false;
    const sb_named *L = old->what == SB_NAMED_ALIAS ? old->alias.named : old;
    unsigned ptr = old->what == SB_NAMED_ALIAS ? old->alias.ptr : 0;
    if (!L || L->what != SB_NAMED_STRUCT || ptr != td->type.ptr || !layouts_equal(L->user, td->layout))
        return false;
    if (!td->tag[0])
        return true;
    const sb_named *t = lib_lookup(&lib->scope, td->tag, strlen(td->tag), td->layout->is_union ? 'u' : 's');
    return t == L;
}

/* One more name of a typedef statement (`*PS` of `typedef struct s S, *PS`). 0, or -1 with SignatureError. */
static int add_alias(sb_library *lib, const char *text, size_t len, const char *name, sb_type type, uint32_t count)
{
    const sb_named *old = lib_lookup(&lib->scope, name, strlen(name), 0);
    if (old) {
        if (old->what == SB_NAMED_ALIAS ? same_type(old->alias, type) && old->count == count
                                        : sb__named_same(type.named, old) && type.ptr == 0)
            return 0;
        sb_error e = {0, ""};
        snprintf(e.msg, sizeof e.msg, "typedef '%s' is already declared differently", name);
        sb__raise_sigerror(sb__state(lib->module), text, len, &e, NULL);
        return -1;
    }
    if (type.named && type.ptr == 0 && !strcmp(type.named->name, name))
        return 0; /* typedef struct s s */
    libtype *a = libtype_add(lib, name, "", false);
    if (!a)
        return PyErr_NoMemory(), -1;
    a->named.what = SB_NAMED_ALIAS;
    a->named.alias = type;
    a->named.count = count;
    return 0;
}

static int add_typedef_parsed(sb_library *lib, const char *text, size_t len, sb_typedef td);

/* One `typedef ...` statement of a declaration block. 0, or -1 with SignatureError. */
static int add_typedef(sb_library *lib, const char *text, size_t len)
{
    sb_typedef td;
    sb_error err;
    if (sb__typedef_parse(text, len, &lib->dscope, &td, &err) < 0) {
        sb__raise_sigerror(sb__state(lib->module), text, len, &err, NULL);
        return -1;
    }
    sb_typedef_more *more = td.more;
    size_t nmore = td.nmore;
    const sb_named *base = NULL;
    static char none[1]; /* no tag */
    if (!td.tag)
        td.tag = none;
    int rc = add_typedef_parsed(lib, text, len, td);
    if (rc == 0 && nmore && td.opaque && !(base = lib_lookup(&lib->scope, td.tag, strlen(td.tag), 's')))
        rc = -1, PyErr_NoMemory();
    for (size_t i = 0; rc == 0 && i < nmore; i++) {
        if (td.opaque)
            more[i].type.named = base;
        rc = add_alias(lib, text, len, more[i].name, more[i].type, more[i].count);
    }
    if (td.tag == none)
        td.tag = NULL;
    sb__typedef_clear(&td); /* add_typedef_parsed copied what it keeps */
    return rc;
}

/* The rest of add_typedef, for the first name of the statement. */
static int add_typedef_parsed(sb_library *lib, const char *text, size_t len, sb_typedef td)
{
    sb_state *st = sb__state(lib->module);
    const sb_named *old = lib_lookup(&lib->scope, td.name, strlen(td.name), 0);
    libtype *fwd = td.layout ? incomplete(lib, td.tag, td.layout->is_union) : NULL;
    if (fwd && (!old || &fwd->named == old ||
                (old->what == SB_NAMED_ALIAS && old->alias.named == &fwd->named && old->alias.ptr == 0))) {
        /* typedef struct tag { ... } name, where struct tag (or name) was declared incomplete */
        complete(lib, fwd, td.layout);
        if (old || (td.type.ptr == 0 && !strcmp(td.name, fwd->name)))
            return 0;
        libtype *a = libtype_add(lib, td.name, "", false);
        if (!a)
            return PyErr_NoMemory(), -1;
        a->named.what = SB_NAMED_ALIAS;
        a->named.alias = td.type;
        return 0;
    }
    if (td.layout && same_struct_typedef(lib, &td, old)) {
        sb__layout_free(td.layout); /* the same definition and name again */
        return 0;
    }
    if (td.layout) {
        /* typedef struct [tag] { ... } name: the layout (under its tag), and name for it */
        if (old || (td.tag[0] && lib_lookup(&lib->scope, td.tag, strlen(td.tag), td.layout->is_union ? 'u' : 's'))) {
            sb_error e = {0, ""};
            snprintf(e.msg, sizeof e.msg, "'%s' is already declared", old ? td.name : td.layout->name);
            sb__layout_free(td.layout);
            sb__raise_sigerror(st, text, len, &e, NULL);
            return -1;
        }
        if (!td.tag[0] && sb__layout_rename(td.layout, td.name) < 0) { /* untagged: its typedef names it */
            sb__layout_free(td.layout);
            return PyErr_NoMemory(), -1;
        }
        if (!add_layout(lib, td.layout, td.tag))
            return -1;
        libtype *a = libtype_add(lib, td.name, "", false);
        if (!a)
            return PyErr_NoMemory(), -1;
        if (td.type.ptr == 0 && !td.tag[0]) {
            a->target = &td.layout->named; /* the name is the struct itself */
        } else {
            a->named.what = SB_NAMED_ALIAS;
            a->named.alias = td.type;
            a->named.count = td.count;
            a->named.align = td.align;
        }
        return 0;
    }
    if (td.fsig) {
        /* typedef int (*cmp_t)(...): a function type (not found by name) and the alias of its pointer */
        bool same = old && old->what == SB_NAMED_ALIAS && old->alias.named &&
                    old->alias.named->what == SB_NAMED_FUNC && old->alias.ptr == td.type.ptr && old->count == td.count &&
                    sb__functype_equal(old->alias.named->user, td.fsig);
        libtype *ft = old ? NULL : libtype_add(lib, "", "", false);
        libtype *a = ft ? libtype_add(lib, td.name, "", false) : NULL;
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
        a->named.alias = (sb_type){SB_K_VOID, td.type.ptr, 0, &ft->named}; /* ptr 0: `typedef int fn_t(int)` */
        a->named.count = td.count;
            a->named.align = td.align;
        return 0;
    }
    libtype *base = NULL; /* the opaque type the new name is, or points to */
    if (td.opaque) {
        if (td.type.ptr == 0 && !old) {
            if (!(base = libtype_add(lib, td.name, td.tag, false)))
                return PyErr_NoMemory(), -1;
            base->named.what = SB_NAMED_OPAQUE;
        } else {
            /* `typedef struct tag *name;`: an opaque `struct tag`, and name an alias of its pointer */
            size_t sl = strlen(td.tag) + 8;
            char *sname = malloc(sl);
            if (sname)
                snprintf(sname, sl, "struct %s", td.tag);
            base = sname ? libtype_add(lib, sname, td.tag, false) : NULL;
            free(sname);
            if (!base)
                return PyErr_NoMemory(), -1;
            base->named.what = SB_NAMED_OPAQUE;
            td.type.named = &base->named;
            td.opaque = false;
        }
    } else if (td.type.named && td.type.named->what == SB_NAMED_OPAQUE) {
        base = (libtype *)(uintptr_t)td.type.named->user;
    }
    if (!td.opaque) {
        if (old) {
            bool same = old->what == SB_NAMED_ALIAS ? same_type(old->alias, td.type) && old->count == td.count
                                                      : (td.type.named == old && td.type.ptr == 0);
            if (!same) {
                sb_error e = {0, ""};
                snprintf(e.msg, sizeof e.msg, "typedef '%s' is already declared differently", td.name);
                sb__raise_sigerror(st, text, len, &e, NULL);
                return -1;
            }
        } else if (!(td.type.named && td.type.ptr == 0 && strcmp(td.type.named->name, td.name) == 0)) {
            libtype *a = libtype_add(lib, td.name, "", false);
            if (!a)
                return PyErr_NoMemory(), -1;
            a->named.what = SB_NAMED_ALIAS;
            a->named.alias = td.type;
            a->named.count = td.count;
            a->named.align = td.align;
        }
    }
    if (td.release[0]) {
        if (!base || (td.type.ptr > 1)) {
            sb_error e = {0, ""};
            snprintf(e.msg, sizeof e.msg, "[[release]] applies to opaque handle types");
            sb__raise_sigerror(st, text, len, &e, NULL);
            return -1;
        }
        sb_libtypes *ts = lib->types;
        if (!base->release[0] && ts->nrel == ts->caprel) {
            size_t cap = ts->caprel ? 2 * ts->caprel : 4;
            libtype **v = realloc(ts->rel, cap * sizeof *v);
            if (!v)
                return PyErr_NoMemory(), -1;
            ts->rel = v;
            ts->caprel = cap;
        }
        if (!base->release[0])
            ts->rel[ts->nrel++] = base;
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
    libtype *a = libtype_add(lib, name, tag ? tag : "", tag != NULL);
    if (!a)
        return PyErr_NoMemory(), -1;
    a->named.what = SB_NAMED_ALIAS;
    a->named.alias = t;
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
        if (d.tag) {
            size_t el = strlen(d.tag) + 6;
            char *ename = malloc(el);
            if (!ename) {
                PyErr_NoMemory();
                goto done;
            }
            snprintf(ename, el, "enum %s", d.tag);
            int r = enum_type(lib, text, len, ename, d.tag, d.type);
            free(ename);
            if (r < 0)
                goto done;
        }
        if (d.type_name && enum_type(lib, text, len, d.type_name, NULL, d.type) < 0)
            goto done;
    }
    rc = 0;
done:
    sb__constdecl_free(&d);
    return rc;
}

/* The enumerators of enums defined inside a struct or union statement (`struct s { enum { A, B } k; };`):
 * C puts them in file scope, so each such `enum [tag] { ... }` is declared as a statement of its own
 * (after the struct, which the parser accepted). 0, or -1 with SignatureError. */
static int nested_enums(sb_library *lib, const char *t, size_t len, PyObject *consts)
{
    const char *open = memchr(t, '{', len);
    for (size_t i = open ? (size_t)(open - t) + 1 : len; i + 4 < len; i++) {
        if (memcmp(t + i, "enum", 4) != 0 || isalnum((unsigned char)t[i - 1]) || t[i - 1] == '_' ||
            isalnum((unsigned char)t[i + 4]) || t[i + 4] == '_')
            continue;
        size_t j = i + 4;
        while (j < len && (isspace((unsigned char)t[j]) || isalnum((unsigned char)t[j]) || t[j] == '_'))
            j++; /* the tag, if any */
        if (j >= len || t[j] != '{')
            continue; /* `enum tag member;`: a use, not a definition */
        size_t k = j;
        int depth = 0;
        for (; k < len; k++)
            if (t[k] == '{')
                depth++;
            else if (t[k] == '}' && --depth == 0)
                break;
        if (k >= len)
            return 0; /* unbalanced: the struct parser accepted it, so it is not an enum body */
        int rc = add_constdecl(lib, t + i, k + 1 - i, consts); /* a statement, as sb__decl_next gives it: no ';' */
        if (rc < 0)
            return -1;
        i = k;
    }
    return 0;
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

/* The SymbolNotFoundError just raised, kept in miss under name (str: its
 * message) for when the name is used. None (new reference), or NULL. */
static PyObject *record_missing(sb_library *lib, PyObject *miss, const char *name)
{
    if (!PyErr_ExceptionMatches(sb__state(lib->module)->SymbolNotFoundError))
        return NULL;
    PyObject *et, *ev, *tb;
    PyErr_Fetch(&et, &ev, &tb);
    PyObject *msg = ev ? PyObject_Str(ev) : PyUnicode_FromString(name);
    Py_XDECREF(et);
    Py_XDECREF(ev);
    Py_XDECREF(tb);
    int rc = msg ? PyDict_SetItemString(miss, name, msg) : -1;
    Py_XDECREF(msg);
    if (rc < 0)
        return NULL;
    Py_RETURN_NONE;
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

/* Binds one prototype (text) from this library: a new callable or NULL. With
 * miss (a dict), a symbol the library lacks is no error: its name and the
 * message go into miss, and the result is None (declared, as a compiler takes it). */
static PyObject *bind_text(sb_library *lib, const char *text, size_t len, PyObject *miss)
{
    sb_state *st = sb__state(lib->module);
    sb_plan *plan = sb__plan_from_text_ex(st, text, len, NULL, &lib->dscope, 0);
    if (!plan)
        return NULL;
    if (plan->sig->ret.named && plan->ret_conv != SB_CV_STRUCT)
        plan->simple = false; /* handle results are tied to the Library on the general path (structs: both) */
    const sb_sig *sig = plan->sig;
    void *fn, *msg = NULL, *freefn = NULL;
    if (lookup(lib, sig->symbol ? sig->symbol : sig->name, &fn) < 0 ||
        (sig->contract.msg_fn && lookup(lib, sig->contract.msg_fn, &msg) < 0) ||
        (sig->free_fn && lookup(lib, sig->free_fn, &freefn) < 0)) {
        PyObject *r = miss ? record_missing(lib, miss, sig->name) : NULL;
        sb__plan_free(plan);
        return r;
    }
    /* POSIX guarantees dlsym results convert to function pointers. */
    sb_fnextra extra = {(const char *(*)(int))(uintptr_t)msg, (void (*)(void *))(uintptr_t)freefn, NULL, NULL, false,
                         sb__library_adopt};
    PyObject *callable = sb__function_new(lib->module, (PyObject *)lib, plan, (void (*)(void))(uintptr_t)fn, &extra);
    if (callable && lib->types) {
        sb_function *f = (sb_function *)PyCFunction_GetSelf(callable);
        for (size_t i = 0; f && i < lib->types->nrel; i++)
            if (!strcmp(lib->types->rel[i]->release, f->plan->sig->name))
                sb__function_releases(f);
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
        r = bind_text((sb_library *)self, s, (size_t)n, NULL);
    Py_DECREF(b);
    return r;
}

/* ------------------------------------------------------------------ */
/* Global variables: `extern int x;` and the like                      */

static bool ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* The offset after blanks and comments from i. */
static size_t skip_blank(const char *t, size_t i, size_t len)
{
    for (;;) {
        while (i < len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r' || t[i] == '\f' ||
                           t[i] == '\v'))
            i++;
        if (i + 1 < len && t[i] == '/' && t[i + 1] == '*') {
            for (i += 2; i + 1 < len && !(t[i] == '*' && t[i + 1] == '/'); i++)
                ;
            i = i + 1 < len ? i + 2 : len;
        } else if (i + 1 < len && t[i] == '/' && t[i + 1] == '/') {
            while (i < len && t[i] != '\n')
                i++;
        } else {
            return i;
        }
    }
}

/* The offset after a leading `extern` keyword, or 0 when the statement has none. */
static size_t after_extern(const char *t, size_t len)
{
    size_t i = skip_blank(t, 0, len);
    return len - i > 6 && memcmp(t + i, "extern", 6) == 0 && !ident_char(t[i + 6]) ? i + 6 : 0;
}

/* Where the identifier name (n characters) first stands as a word in t[at..len), or len. */
static size_t find_word(const char *t, size_t at, size_t len, const char *name, size_t n)
{
    for (size_t i = at; i + n <= len; i++)
        if (memcmp(t + i, name, n) == 0 && (i == 0 || !ident_char(t[i - 1])) && (i + n == len || !ident_char(t[i + n])))
            return i;
    return len;
}

/* An array length that is a constant expression (`[GN]`, `[2 * N + 1]`) in et
 * (*n characters, room for 24 more) becomes its value, for typed memory's parser. 0 or -1 with err. */
static int global_length(sb_library *lib, char *et, size_t *n, sb_error *err)
{
    char *lb = memchr(et, '[', *n), *rb = lb ? memchr(lb, ']', (size_t)(et + *n - lb)) : NULL;
    if (!lb || !rb)
        return 0;
    bool digits = true;
    for (char *c = lb + 1; c < rb; c++)
        digits &= (*c >= '0' && *c <= '9') || *c == ' ';
    if (digits)
        return 0;
    static const char pre[] = "enum { sb__global_length = ";
    size_t elen = (size_t)(rb - lb - 1), tl = sizeof pre - 1 + elen + 2;
    char *text = malloc(tl + 1);
    if (!text) {
        sb__error_set(err, (size_t)-1, "out of memory");
        return -1;
    }
    snprintf(text, tl + 1, "%s%.*s }", pre, (int)elen, lb + 1);
    sb_constdecl d;
    int rc = sb__constdecl_parse(text, tl, &lib->scope, &lib->cscope, &d, err);
    free(text);
    if (rc < 0)
        return -1;
    long long v = d.n == 1 ? (long long)d.v[0].value.v : -1;
    sb__constdecl_free(&d);
    if (v < 0) {
        sb__error_set(err, (size_t)-1, "the array length must be a constant of at least 0");
        return -1;
    }
    char num[24];
    int k = snprintf(num, sizeof num, "%lld", v);
    size_t tail = (size_t)(et + *n - rb);
    memmove(lb + 1 + k, rb, tail);
    memcpy(lb + 1, num, (size_t)k);
    *n = (size_t)(lb + 1 + k - et) + tail;
    return 0;
}

/* `char *const p;`: a `const` after the declarator's last '*' (in t[at..w), w the name) makes the pointer
 * itself const, which the type (const applies to the base) does not say. */
static bool pointer_itself_const(const char *t, size_t at, size_t w)
{
    size_t star = w;
    for (size_t i = at; i < w; i++)
        if (t[i] == '*')
            star = i;
    for (size_t i = star + 1; star < w && i < w; i++) {
        bool start = !(isalnum((unsigned char)t[i - 1]) || t[i - 1] == '_');
        for (size_t n = 0; start && n < 3; n++) {
            static const char *const words[] = {"const", "__const", "__const__"};
            size_t l = strlen(words[n]);
            if (i + l <= w && memcmp(t + i, words[n], l) == 0 &&
                (i + l == w || !(isalnum((unsigned char)t[i + l]) || t[i + l] == '_')))
                return true;
        }
    }
    return false;
}

/* Parses the declaration after `extern` (t[at..len)) as one variable: its
 * declarator is read as the one parameter of `void sb__global(...)`, and an
 * array's `[N]` as typed memory's. 0 with g filled, or -1 with err. */
static int parse_global(sb_library *lib, const char *t, size_t len, size_t at, libglobal *g, sb_error *err)
{
    static const char pre[] = "void sb__global(";
    const size_t plen = sizeof pre - 1;
    while (len > at && (t[len - 1] == ';' || t[len - 1] == ' ' || t[len - 1] == '\n' || t[len - 1] == '\t'))
        len--;
    char *buf = malloc(plen + (len - at) + 2);
    if (!buf) {
        sb__error_set(err, (size_t)-1, "out of memory");
        return -1;
    }
    memcpy(buf, pre, plen);
    memcpy(buf + plen, t + at, len - at);
    buf[plen + (len - at)] = ')';
    sb_sig *sig = sb__sig_parse_in(buf, plen + (len - at) + 1, &lib->dscope, err);
    free(buf);
    if (!sig) {
        if (err->col != (size_t)-1)
            err->col = err->col >= plen ? err->col - plen + at : at;
        return -1;
    }
    if (sig->nparams != 1 || !sig->params[0].name || sig->params[0].def) {
        sb__sig_free(sig);
        sb__error_set(err, at, "expected one variable ('extern int x;') or a function prototype");
        return -1;
    }
    const char *name = sig->params[0].name;
    size_t w = find_word(t, at, len, name, strlen(name)), k = skip_blank(t, w + strlen(name), len);
    g->type = sig->params[0].type;
    g->count = SB_ARRAY_NONE;
    if (w < len && k < len && t[k] == '[' && (k + 1 >= len || t[k + 1] != '[')) {
        /* an array: its element type and length from the text without the name ("const char []") */
        size_t n1 = w - at, n2 = len - (w + strlen(name));
        char *et = malloc(n1 + n2 + 32);
        int rc = et ? 0 : -1;
        if (et) {
            memcpy(et, t + at, n1);
            memcpy(et + n1, t + w + strlen(name), n2);
            size_t n = n1 + n2;
            rc = global_length(lib, et, &n, err); /* `[GN * 2]`: the constant's value */
            if (rc == 0)
                rc = sb__array_type_parse(et, n, &lib->dscope, &g->type, &g->count, err);
            free(et);
        } else {
            sb__error_set(err, (size_t)-1, "out of memory");
        }
        if (rc < 0) {
            if (err->col != (size_t)-1)
                err->col = at + (err->col < n1 ? err->col : err->col - n1 + (w - at) + strlen(name));
            sb__sig_free(sig);
            return -1;
        }
    }
    g->readonly = g->count == SB_ARRAY_NONE &&
                  ((g->type.ptr == 0 && g->type.cconst) || (w < len && pointer_itself_const(t, at, w)));
    g->sig = sig;
    return 0;
}

/* Is addr in memory the program may write: a writable segment of a loaded
 * object and not its RELRO part (read-only after relocation)? A variable in
 * .rodata declared without const would fault on the first assignment. */
struct wr_query {
    uintptr_t addr;
    int found;   /* 0 unknown, 1 writable, -1 read-only */
};

static int wr_visit(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct wr_query *q = data;
    int found = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
        if (q->addr < lo || q->addr >= hi)
            continue;
        if (ph->p_type == PT_GNU_RELRO)
            found = -1;
        else if (ph->p_type == PT_LOAD && found == 0)
            found = (ph->p_flags & PF_W) ? 1 : -1;
    }
    if (found)
        q->found = found;
    return found != 0; /* stop at the object that holds it */
}

static bool address_writable(const void *addr)
{
    struct wr_query q = {(uintptr_t)addr, 0};
    dl_iterate_phdr(wr_visit, &q);
    return q.found >= 0;
}

/* An `extern` statement: a prototype (bound as any), or a variable (kept in
 * the Library; found, its index goes into gfound; missing, into miss). None
 * (new reference) for a variable, a callable for a function, or NULL. */
static PyObject *add_extern(sb_library *lib, const char *t, size_t len, size_t at, PyObject *gfound, PyObject *miss)
{
    sb_state *st = sb__state(lib->module);
    sb_error perr, verr;
    sb_sig *proto = sb__sig_parse_in(t, len, &lib->dscope, &perr);
    if (proto) {
        sb__sig_free(proto);
        return bind_text(lib, t, len, miss);
    }
    libglobal g;
    if (parse_global(lib, t, len, at, &g, &verr) < 0) {
        /* the reading that got further says what is wrong */
        const sb_error *e = verr.col != (size_t)-1 && (perr.col == (size_t)-1 || verr.col > perr.col) ? &verr : &perr;
        sb__raise_sigerror(st, t, len, e, NULL);
        return NULL;
    }
    const char *name = g.sig->params[0].name;
    if (lookup(lib, name, &g.addr) < 0) {
        PyObject *r = record_missing(lib, miss, name);
        sb__sig_free(g.sig);
        return r;
    }
    if (!address_writable(g.addr)) { /* const in the library, whatever the declaration says */
        g.readonly = true;
        if (g.count != SB_ARRAY_NONE && !g.type.ptr)
            g.type.cconst = 1; /* its elements too */
    }
    sb_libtypes *ts = lib->types;
    if (!ts && !(ts = lib->types = calloc(1, sizeof *ts))) {
        sb__sig_free(g.sig);
        return PyErr_NoMemory();
    }
    if (ts->ng == ts->capg) {
        size_t cap = ts->capg ? 2 * ts->capg : 8;
        libglobal *v = realloc(ts->g, cap * sizeof *v);
        if (!v) {
            sb__sig_free(g.sig);
            return PyErr_NoMemory();
        }
        ts->g = v;
        ts->capg = cap;
    }
    ts->g[ts->ng++] = g;
    PyObject *idx = PyLong_FromSize_t(ts->ng - 1);
    int rc = idx ? PyDict_SetItemString(gfound, name, idx) : -1;
    Py_XDECREF(idx);
    if (rc < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* Is there a ',' outside parentheses and brackets (several declarators)? */
static bool several_declarators(const char *text, size_t len)
{
    int depth = 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == '"' || c == '\'') {
            for (i++; i < len && text[i] != c; i++)
                if (text[i] == '\\')
                    i++;
        } else if (c == '(' || c == '[') {
            depth++;
        } else if ((c == ')' || c == ']') && depth > 0) {
            depth--;
        } else if (c == ',' && depth == 0) {
            return true;
        }
    }
    return false;
}

/* One declaration: a prototype, or after `extern` a prototype or a variable. */
static PyObject *bind_one(sb_library *lib, const char *text, size_t len, PyObject *globs, PyObject *miss)
{
    size_t ext = after_extern(text, len);
    return ext ? add_extern(lib, text, len, ext, globs, miss) : bind_text(lib, text, len, miss);
}

/* A declaration statement; with several declarators (`extern int abs(int), atoi(const char *);`,
 * `extern int a, *b;`) each is declared with the specifiers, functions into found: None (new
 * reference), or NULL with an exception. With one, bind_one's result. */
static PyObject *bind_statement(sb_library *lib, const char *text, size_t len, PyObject *found, PyObject *globs,
                                PyObject *miss)
{
    sb_span d[64];
    size_t se = 0, n = several_declarators(text, len) ? sb__declarators(text, len, &lib->dscope, &se, d, 64) : 0;
    if (n < 2)
        return bind_one(lib, text, len, globs, miss);
    for (size_t i = 0; i < n; i++) {
        size_t dn = d[i].end - d[i].start;
        char *buf = PyMem_Malloc(se + dn + 2);
        if (!buf)
            return PyErr_NoMemory();
        memcpy(buf, text, se);
        buf[se] = ' ';
        memcpy(buf + se + 1, text + d[i].start, dn);
        PyObject *fn = bind_one(lib, buf, se + 1 + dn, globs, miss);
        PyMem_Free(buf);
        if (!fn)
            return NULL;
        int rc = 0;
        if (fn != Py_None) {
            PyObject *name = PyObject_GetAttrString(fn, "__name__");
            rc = name ? PyDict_SetItem(found, name, fn) : -1;
            Py_XDECREF(name);
        }
        Py_DECREF(fn);
        if (rc < 0)
            return NULL;
    }
    Py_RETURN_NONE;
}

/* The global variable of this name, or NULL (no exception). */
static const libglobal *global_of(sb_library *lib, PyObject *name)
{
    PyObject *i = lib->globals ? PyDict_GetItemWithError(lib->globals, name) : NULL; /* borrowed */
    if (!i) {
        PyErr_Clear();
        return NULL;
    }
    return &lib->types->g[PyLong_AsSsize_t(i)];
}

/* A typed Pointer to the variable (an array: to its first element, knowing its length). */
static PyObject *global_address(sb_library *lib, const libglobal *g)
{
    sb_state *st = sb__state(lib->module);
    sb_type pt = g->type;
    if (pt.ptr == UINT8_MAX)
        return PyErr_Format(PyExc_TypeError, "too many levels of pointers"), NULL;
    if (g->readonly && !pt.ptr)
        pt.cconst = 1; /* `const int *`: its Pointer refuses writes too */
    pt.ptr++;
    PyObject *p = sb__pointer_new(st, g->addr, pt, (PyObject *)lib);
    size_t size = sb__type_size(g->type);
    if (p && g->count >= 0 && (!size || (uint64_t)g->count <= SB_MAX_OBJECT_SIZE / size)) {
        ((sb_pointer *)p)->lo = g->addr;
        ((sb_pointer *)p)->span = size * (size_t)g->count;
    }
    return p;
}

/* lib.x: the value of a scalar, pointer or struct variable (a struct: a view
 * of it), or a typed Pointer to an array's first element. */
static PyObject *global_get(sb_library *lib, const libglobal *g, PyObject *name)
{
    sb_state *st = sb__state(lib->module);
    if (g->count != SB_ARRAY_NONE)
        return global_address(lib, g);
    if ((!g->type.ptr && g->type.named && g->type.named->what != SB_NAMED_STRUCT) ||
        (!g->type.ptr && !g->type.named && g->type.kind == SB_K_VOID)) {
        PyErr_Format(PyExc_TypeError, "global '%U' has an incomplete type: use lib.addressof('%U')", name, name);
        return NULL;
    }
    if (g->readonly && !g->type.ptr && g->type.named && g->type.named->what == SB_NAMED_STRUCT)
        return sb__struct_new(st, lib->module, g->type.named->user, (PyObject *)lib, g->addr); /* a copy */
    PyObject *base = global_address(lib, g);
    PyObject *v = base ? sb__elem_get_in(base, (PyTypeObject *)st->PointerType, g->type, g->addr) : NULL;
    Py_XDECREF(base);
    return v;
}

/* lib.x = v: converted as a parameter of x's type would be; a value C keeps
 * (a Callback, a buffer) is kept by the Library until the next assignment. */
static int global_set(sb_library *lib, const libglobal *g, PyObject *name, PyObject *v)
{
    sb_state *st = sb__state(lib->module);
    PyObject *b = PyUnicode_AsUTF8String(name);
    if (!b)
        return -1;
    const char *n = PyBytes_AsString(b);
    int rc = -1;
    if (!v)
        PyErr_Format(PyExc_AttributeError, "cannot delete the global variable '%s'", n);
    else if (g->count != SB_ARRAY_NONE)
        PyErr_Format(PyExc_AttributeError, "'%s' is an array: write its elements (lib.%s[i] = v)", n, n);
    else if (g->readonly)
        PyErr_Format(PyExc_AttributeError, "'%s' is a const global variable (or in read-only memory): it cannot "
                     "be assigned", n);
    else if (!lib->gkeep && !(lib->gkeep = PyDict_New()))
        ;
    else if (g->type.named && g->type.named->what == SB_NAMED_FUNC && sb__callback_check(st, v)) {
        /* a Callback into a function pointer variable: C keeps its address, the Library keeps it */
        if (!sb__functype_equal(g->type.named->user, sb__callback_sig(v))) {
            PyErr_Format(PyExc_TypeError, "'%s' (%s) must be set to a callback of that type, not %R", n,
                         g->type.named->name, v);
        } else {
            void *code = sb__callback_address(v);
            memcpy(g->addr, &code, sizeof code);
            rc = PyDict_SetItem(lib->gkeep, name, v);
        }
    } else if (sb__elem_set((PyTypeObject *)st->PointerType, st, g->type, g->addr, v, "setattr", n, false) < 0)
        ;
    else
        rc = g->type.ptr ? PyDict_SetItem(lib->gkeep, name, v) : 0;
    Py_DECREF(b);
    return rc;
}

/* lib.addressof(name): a typed Pointer to a global variable. */
static PyObject *library_addressof(PyObject *self, PyObject *name)
{
    sb_library *lib = (sb_library *)self;
    const libglobal *g = PyUnicode_Check(name) ? global_of(lib, name) : NULL;
    if (!g) {
        char where[512];
        PyErr_Format(PyExc_AttributeError, "addressof(): %s has no global variable %R declared (declare it with "
                     "lib.declare('extern <type> <name>;'))", lib_display(lib, where, sizeof where), name);
        return NULL;
    }
    return global_address(lib, g);
}

/* After a block: its bound functions are no longer missing, its missing ones are. 0 or -1. */
static int publish_missing(sb_library *lib, PyObject *found, PyObject *miss)
{
    if (!lib->missing && !PyDict_Size(miss))
        return 0;
    if (!lib->missing && !(lib->missing = PyDict_New()))
        return -1;
    PyObject *k, *v;
    Py_ssize_t pos = 0;
    while (PyDict_Next(found, &pos, &k, &v))
        if (PyDict_DelItem(lib->missing, k) < 0) {
            if (!PyErr_ExceptionMatches(PyExc_KeyError))
                return -1;
            PyErr_Clear();
        }
    return PyDict_Update(lib->missing, miss);
}

PyObject *sb__library_declare(PyObject *self, PyObject *arg)
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
    PyObject *miss = PyDict_New();   /* functions the library lacks: name -> message */
    PyObject *globs = PyDict_New();  /* its global variables: name -> index in lib->types->g */
    size_t nconst0 = lib->types ? lib->types->consts.n : 0, ntypes0 = lib->types ? lib->types->n : 0;
    size_t nglob0 = lib->types ? lib->types->ng : 0, ndone0 = lib->types ? lib->types->ndone : 0;
    size_t nrel0 = lib->types ? lib->types->nrel : 0; /* [[release(fn)]] attachments before this block */
    if (!found || !consts || !miss || !globs || PyBytes_AsStringAndSize(b, &text, &len) < 0)
        goto fail;
    size_t pos = 0, s, e;
    while (sb__decl_next(text, (size_t)len, &pos, &s, &e)) {
        int ck = sb__constdecl_kind(text + s, e - s);
        if (ck == SB_DECL_PRAGMA) {
            sb_error perr;
            if (sb__pragma(text + s, e - s, &lib->pack, &perr) == 0) {
                lib->dscope.pack = lib->pack.cur;
                continue;
            }
            sb__raise_sigerror(sb__state(lib->module), text + s, e - s, &perr, NULL);
            goto fail_at;
        }
        if (ck != SB_DECL_NONE) {
            if (add_constdecl(lib, text + s, e - s, consts) == 0)
                continue;
            goto fail_at;
        }
        bool td = sb__is_typedef(text + s, e - s), sd = !td && sb__is_struct_def(text + s, e - s);
        char *ftag = NULL;
        bool fu;
        if (!td && !sd && sb__struct_forward(text + s, e - s, &ftag, &fu)) {
            int r = add_forward(lib, ftag, fu);
            free(ftag);
            if (r == 0)
                continue;
            goto fail_at;
        }
        PyObject *fn = td   ? (add_typedef(lib, text + s, e - s) < 0 ? NULL : (Py_INCREF(Py_None), Py_None))
                       : sd ? (add_struct(lib, text + s, e - s) < 0 ? NULL : (Py_INCREF(Py_None), Py_None))
                            : bind_statement(lib, text + s, e - s, found, globs, miss);
        if (fn == Py_None && (td || sd) && nested_enums(lib, text + s, e - s, consts) < 0)
            Py_CLEAR(fn);
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
    if (PyDict_Size(globs) && !lib->globals && !(lib->globals = PyDict_New()))
        goto fail;
    if (publish_missing(lib, found, miss) < 0 || publish_missing(lib, globs, miss) < 0 ||
        (PyDict_Size(globs) && PyDict_Update(lib->globals, globs) < 0) || PyDict_Update(lib->funcs, found) < 0) {
        ntypes0 = SIZE_MAX; /* out of memory: some functions may be published, keep their types */
        if (lib->types)
            lib->types->ndone = ndone0;
        goto fail;
    }
    if (lib->types)
        lib->types->ndone = ndone0; /* its completions stay */
    Py_DECREF(found);
    Py_DECREF(consts);
    Py_DECREF(miss);
    Py_DECREF(globs);
    Py_DECREF(b);
    Py_RETURN_NONE;
fail:
    /* All or nothing: this block's functions, constants and types go (functions first: they use the types). */
    Py_XDECREF(found);
    Py_XDECREF(consts);
    Py_XDECREF(miss);
    Py_XDECREF(globs);
    Py_DECREF(b);
    if (lib->types && ntypes0 != SIZE_MAX) {
        sb__constdecl_truncate(&lib->types->consts, nconst0);
        globals_truncate(lib->types, nglob0); /* before the types their declarations name */
        completions_undo(lib->types, ndone0);
        for (size_t i = nrel0; i < lib->types->nrel; i++) /* [[release]] this block attached, older types too */
            lib->types->rel[i]->release[0] = '\0';
        if (lib->types->nrel > nrel0)
            lib->types->nrel = nrel0;
        libtypes_truncate(lib->types, ntypes0);
    }
    return NULL;
}

/* The Library's own attributes win over declared functions of the same name
 * (libc's bind() stays reachable through lib.bind("int bind(...)")). */
static bool own_attribute(PyObject *name)
{
    static const char *const own[] = {"bind",     "declare",   "path",    "new",    "sizeof",  "alignof", "offsetof",
                                      "missing", "callback", "addressof", "include", "skipped", "cast"};
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
    const libglobal *g = global_of(lib, name);
    if (g)
        return global_get(lib, g, name);
    PyObject *msg = lib->missing ? PyDict_GetItemWithError(lib->missing, name) : NULL; /* borrowed */
    if (msg) {
        PyErr_Format(sb__state(lib->module)->SymbolNotFoundError, "%U (declared, but the library does not define it)",
                     msg);
        return NULL;
    }
    if (PyErr_Occurred())
        return NULL;
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

static int library_setattro(PyObject *self, PyObject *name, PyObject *v)
{
    sb_library *lib = (sb_library *)self;
    const libglobal *g = own_attribute(name) ? NULL : global_of(lib, name);
    if (g)
        return global_set(lib, g, name, v);
    return PyObject_GenericSetAttr(self, name, v);
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
    for (int w = 0; w < 2; w++) {
        PyObject *d = w ? lib->globals : lib->types ? lib->types->constdict : NULL;
        if (!d)
            continue;
        PyObject *ck = PyDict_Keys(d);
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

/* The functions declared in blocks that the library does not define, sorted. */
static PyObject *get_missing(PyObject *self, void *c)
{
    (void)c;
    sb_library *lib = (sb_library *)self;
    PyObject *l = lib->missing ? PyDict_Keys(lib->missing) : PyList_New(0);
    if (l && PyList_Sort(l) < 0)
        Py_CLEAR(l);
    return l;
}

/* What include() skipped: a list of (text, file, line, reason), oldest first (a copy). */
static PyObject *get_skipped(PyObject *self, void *c)
{
    (void)c;
    sb_library *lib = (sb_library *)self;
    return lib->skipped ? PyList_GetSlice(lib->skipped, 0, PyList_Size(lib->skipped)) : PyList_New(0);
}

/* Entries visited by type lookups so far: a test checks that blocks stay linear without timing them. */
PyObject *sb__library_lookup_steps(PyObject *module, PyObject *lib)
{
    sb_state *st = sb__state(module);
    if (!st || Py_TYPE(lib) != (PyTypeObject *)st->LibraryType) {
        PyErr_SetString(PyExc_TypeError, "_lookup_steps() takes a sigbind.Library");
        return NULL;
    }
    const sb_libtypes *ts = ((sb_library *)lib)->types;
    return PyLong_FromSize_t(ts ? ts->steps : 0);
}

static int library_traverse(PyObject *self, visitproc visit, void *arg)
{
    sb_library *lib = (sb_library *)self;
    Py_VISIT(lib->module);
    Py_VISIT(lib->funcs);
    Py_VISIT(lib->missing);
    Py_VISIT(lib->gkeep);
    Py_VISIT(lib->skipped);
    return sb__compat_visit_type(self, visit, arg);
}

static int library_clear(PyObject *self)
{
    sb_library *lib = (sb_library *)self;
    Py_CLEAR(lib->funcs);
    Py_CLEAR(lib->missing);
    Py_CLEAR(lib->gkeep);
    Py_CLEAR(lib->skipped);
    Py_CLEAR(lib->globals);
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

/* A type text in this Library's names ("struct point", "point_t", "int", "int[5]"): the type and,
 * when arrays are allowed (count not NULL), its length (SB_ARRAY_NONE: not an array). */
static int lib_type_count(sb_library *lib, PyObject *arg, const char *fname, sb_type *t, int64_t *count)
{
    if (!PyUnicode_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "%s() argument 'type' must be str, not %R", fname, (PyObject *)Py_TYPE(arg));
        return -1;
    }
    PyObject *b = sb__text_utf8(sb__state(lib->module), arg);
    if (!b)
        return -1;
    sb_error err;
    const char *s = PyBytes_AsString(b);
    size_t n = (size_t)PyBytes_Size(b);
    int64_t c = SB_ARRAY_NONE;
    int rc = count ? sb__array_type_parse(s, n, &lib->scope, t, &c, &err) : sb__type_parse_in(s, n, &lib->scope, t, &err);
    if (rc < 0)
        sb__raise_sigerror(sb__state(lib->module), s, n, &err, fname);
    Py_DECREF(b);
    if (count)
        *count = c;
    return rc;
}

static int lib_type(sb_library *lib, PyObject *arg, const char *fname, sb_type *t)
{
    return lib_type_count(lib, arg, fname, t, NULL);
}

static const sb_layout *struct_of(sb_type t)
{
    return !t.ptr && t.named && t.named->what == SB_NAMED_STRUCT ? t.named->user : NULL;
}

/* A Struct value stands for its type (so anonymous struct types have a size). */
static const sb_layout *struct_value_layout(sb_library *lib, PyObject *arg)
{
    const sb_layout *L = NULL;
    if (sb__struct_check(sb__state(lib->module), arg))
        sb__struct_data(arg, &L);
    return L;
}

static PyObject *library_sizeof(PyObject *self, PyObject *arg)
{
    const sb_layout *SL = struct_value_layout((sb_library *)self, arg);
    if (SL)
        return PyLong_FromSize_t(SL->size);
    sb_type t;
    int64_t count;
    if (lib_type_count((sb_library *)self, arg, "sizeof", &t, &count) < 0)
        return NULL;
    if (count == SB_ARRAY_OPEN) {
        PyErr_SetString(PyExc_TypeError, "sizeof(): an array of unknown length ('[]') has no size");
        return NULL;
    }
    if (!t.ptr && (t.kind == SB_K_VOID && !t.named)) {
        PyErr_SetString(PyExc_TypeError, "sizeof(): void has no size");
        return NULL;
    }
    if (!t.ptr && t.named && t.named->what != SB_NAMED_STRUCT) {
        PyErr_Format(PyExc_TypeError, "sizeof(): '%s' is an incomplete type", t.named->name);
        return NULL;
    }
    size_t size = sb__type_size(t);
    if (count < 0)
        return PyLong_FromSize_t(size);
    if (size && (uint64_t)count > SB_MAX_OBJECT_SIZE / size) {
        PyErr_Format(PyExc_OverflowError, "sizeof(): the array is too large (%lld elements of %zu bytes)",
                     (long long)count, size);
        return NULL;
    }
    return PyLong_FromSize_t(size * (size_t)count);
}

static PyObject *library_alignof(PyObject *self, PyObject *arg)
{
    const sb_layout *SL = struct_value_layout((sb_library *)self, arg);
    if (SL)
        return PyLong_FromSize_t(SL->align);
    sb_type t;
    int64_t count;
    if (lib_type_count((sb_library *)self, arg, "alignof", &t, &count) < 0)
        return NULL;
    if (!t.ptr && ((t.kind == SB_K_VOID && !t.named) || (t.named && t.named->what != SB_NAMED_STRUCT))) {
        PyErr_SetString(PyExc_TypeError, "alignof(): an incomplete type has no alignment");
        return NULL;
    }
    return PyLong_FromSize_t(sb__type_align(t));
}

/* offsetof(type or Struct value, *path): nested names, "a.b", array indexes. */
static PyObject *library_offsetof(PyObject *self, PyObject *args)
{
    if (PyTuple_Size(args) < 1) {
        PyErr_SetString(PyExc_TypeError, "offsetof() takes a type (or a Struct value) and a member path");
        return NULL;
    }
    PyObject *tp = PyTuple_GetItem(args, 0);
    const sb_layout *L = struct_value_layout((sb_library *)self, tp);
    sb_type t;
    if (!L && lib_type((sb_library *)self, tp, "offsetof", &t) < 0)
        return NULL;
    if (!L && !(L = struct_of(t))) {
        PyErr_SetString(PyExc_TypeError, "offsetof(): the type must be a struct or union");
        return NULL;
    }
    PyObject *path = PyTuple_GetSlice(args, 1, PyTuple_Size(args));
    PyObject *r = path ? sb__struct_offsetof(L, path) : NULL;
    Py_XDECREF(path);
    return r;
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
        return sb__mem_new_in(lib->module, &lib->scope, self, args, NULL);
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

/* Library.cast(type, obj): sigbind.cast with this Library's type names; a
 * function pointer type gives a callable. */
static PyObject *library_cast(PyObject *self, PyObject *args)
{
    sb_library *lib = (sb_library *)self;
    return sb__mem_cast_in(lib->module, &lib->scope, self, args);
}

/* callback(type, callable, *, error_result=None) of the sigbind module (scope NULL, owner NULL) and of a
 * Library (its scope; the Callback keeps owner, whose types it uses): a new Callback, or NULL with an exception. */
PyObject *sb__callback_make(PyObject *module, const sb_scope *scope, PyObject *owner, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"type", "callable", "error_result", NULL};
    const char *text;
    Py_ssize_t n;
    PyObject *callable, *error_result = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "s#O|$O:callback", kwlist, &text, &n, &callable, &error_result))
        return NULL;
    if (!PyCallable_Check(callable)) {
        PyErr_Format(PyExc_TypeError, "callback() argument 'callable' must be callable, not %R",
                     (PyObject *)Py_TYPE(callable));
        return NULL;
    }
    sb_state *st = sb__state(module);
    sb_error err;
    sb_type t;
    PyObject *cb;
    if (scope && sb__type_parse_in(text, (size_t)n, scope, &t, &err) == 0 && t.ptr <= 1 && t.named &&
        t.named->what == SB_NAMED_FUNC) {
        /* a function pointer typedef: its function type is the owner's (kept alive below) */
        cb = sb__callback_new(st, module, (sb_sig *)(uintptr_t)t.named->user, false, callable, error_result);
    } else {
        sb_sig *sig = sb__functype_parse(text, (size_t)n, scope, &err);
        if (!sig) {
            sb__raise_sigerror(st, text, (size_t)n, &err, "callback()");
            return NULL;
        }
        cb = sb__callback_new(st, module, sig, true, callable, error_result);
    }
    if (cb && owner)
        sb__callback_set_owner(cb, owner); /* its types are the owner's */
    return cb;
}

/* lib.callback(type, callable, *, error_result=None): sigbind.callback() with this Library's types. */
static PyObject *library_callback(PyObject *self, PyObject *args, PyObject *kwds)
{
    sb_library *lib = (sb_library *)self;
    return sb__callback_make(lib->module, &lib->scope, self, args, kwds);
}

static PyMethodDef library_methods[] = {
    {"cast", library_cast, METH_VARARGS,
     "cast($self, type, obj, /)\n--\n\nobj (a Pointer, an int address or None) as a pointer of a type this Library "
     "knows; a function pointer type gives a callable, NULL gives None."},
    {"include", (PyCFunction)(void (*)(void))sb__library_include, METH_VARARGS | METH_KEYWORDS,
     "include($self, header, /, *, include_dirs=None, defines=None)\n--\n\nRun the C preprocessor (cc -E) on a "
     "header (a name such as 'zlib.h', a path, or a list of them) and declare each of its declarations on its own; "
     "what cannot be declared is listed in lib.skipped with the reason. Returns {'declared': n, 'skipped': m}."},
    {"addressof", library_addressof, METH_O,
     "addressof($self, name, /)\n--\n\nA typed Pointer to a global variable declared in a block ('extern int x;' "
     "-> an int * Pointer)."},
    {"callback", (PyCFunction)(void (*)(void))library_callback, METH_VARARGS | METH_KEYWORDS,
     "callback($self, type, callable, /, *, error_result=None)\n--\n\nsigbind.callback() where the type text may "
     "name this Library's types ('int (*)(const struct item *, void *)', a function pointer typedef)."},
    {"new", (PyCFunction)(void (*)(void))library_newvalue, METH_VARARGS | METH_KEYWORDS,
     "new($self, type, init=None, /, **members)\n--\n\nA zeroed value of a struct or union declared in this "
     "Library, filled from init (a dict, a tuple, or a Struct) and members."},
    {"sizeof", library_sizeof, METH_O, "sizeof($self, type, /)\n--\n\nsizeof(type) as the C compiler says."},
    {"alignof", library_alignof, METH_O, "alignof($self, type, /)\n--\n\n_Alignof(type)."},
    {"offsetof", library_offsetof, METH_VARARGS,
     "offsetof($self, type, /, *path)\n--\n\noffsetof(type, member): type may be a Struct value; the path "
     "nested member names ('a', 'b' or 'a.b') and array indexes."},
    {"bind", library_bind, METH_O,
     "bind($self, signature, /)\n--\n\nBind one C function by its prototype; returns a callable."},
    {"declare", sb__library_declare, METH_O,
     "declare($self, declarations, /)\n--\n\nBind several ';'-separated prototypes (C comments allowed); "
     "each becomes an attribute of the library."},
    {"stub", sb__library_stub, METH_NOARGS,
     "stub($self, /)\n--\n\nThe .pyi text of this Library's bound functions, constants and globals, typed as "
     "the converters accept them (README.md \"Type stubs\")."},
    {"__dir__", library_dir, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef library_getset[] = {
    {"path", get_path, NULL, "The file the library was loaded from (None for the running process).", NULL},
    {"missing", get_missing, NULL,
     "The names of functions declared in blocks that the library does not define (sorted); using one raises "
     "SymbolNotFoundError.", NULL},
    {"skipped", get_skipped, NULL,
     "What include() could not declare: (text, file, line, reason) tuples, in header order.", NULL},
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
    {Py_tp_setattro, (void *)library_setattro},
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
        PyObject *r = sb__library_declare(lib, decls);
        if (!r) {
            Py_DECREF(lib);
            return NULL;
        }
        Py_DECREF(r);
    }
    return lib;
}
