/* header.c — the header entry point: Library.include() runs the C preprocessor on a header and declares what it can, skipping the rest with reasons. */
#include "pyface/pyface.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* Running the preprocessor (through Python's subprocess: PATH search,  */
/* pipes without deadlock, the GIL released while it runs)              */

/* The first of $CC (its first word), cc, gcc, clang found on PATH: a str, or None. New reference or NULL. */
static PyObject *find_cc(PyObject *shutil, PyObject *os)
{
    static const char *const names[] = {"cc", "gcc", "clang"};
    PyObject *environ = PyObject_GetAttrString(os, "environ");
    PyObject *cc = environ ? PyObject_CallMethod(environ, "get", "s", "CC") : NULL;
    Py_XDECREF(environ);
    if (!cc)
        return NULL;
    if (cc != Py_None) {
        PyObject *words = PyObject_CallMethod(cc, "split", NULL);
        Py_DECREF(cc);
        if (!words)
            return NULL;
        PyObject *first = PyList_Size(words) > 0 ? PyList_GetItem(words, 0) : NULL;
        PyObject *r = first ? PyObject_CallMethod(shutil, "which", "O", first) : (Py_INCREF(Py_None), Py_None);
        Py_DECREF(words);
        if (!r || r != Py_None)
            return r;
        Py_DECREF(r);
    } else {
        Py_DECREF(cc);
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        PyObject *r = PyObject_CallMethod(shutil, "which", "s", names[i]);
        if (!r || r != Py_None)
            return r;
        Py_DECREF(r);
    }
    Py_RETURN_NONE;
}

/* argv: [cc, -E, -dD, -x, c, -I..., -D..., -]. New reference or NULL. */
static PyObject *cc_argv(PyObject *cc, PyObject *include_dirs, PyObject *defines)
{
    PyObject *argv = Py_BuildValue("[Ossss]", cc, "-E", "-dD", "-xc", "-std=gnu11");
    if (!argv)
        return NULL;
    PyObject *it = include_dirs && include_dirs != Py_None ? PyObject_GetIter(include_dirs) : NULL, *d;
    if (include_dirs && include_dirs != Py_None && !it)
        goto fail;
    while (it && (d = PyIter_Next(it))) {
        PyObject *fs = NULL;
        PyObject *a = PyUnicode_FSConverter(d, &fs) ? PyBytes_FromFormat("-I%s", PyBytes_AsString(fs)) : NULL;
        Py_XDECREF(fs);
        Py_DECREF(d);
        int rc = a ? PyList_Append(argv, a) : -1;
        Py_XDECREF(a);
        if (rc < 0)
            goto fail;
    }
    Py_CLEAR(it);
    if (PyErr_Occurred())
        goto fail;
    if (defines && defines != Py_None) {
        if (!PyDict_Check(defines)) {
            PyErr_Format(PyExc_TypeError, "include() argument 'defines' must be a dict (name -> value or None), not %R",
                         (PyObject *)Py_TYPE(defines));
            goto fail;
        }
        PyObject *k, *v;
        Py_ssize_t pos = 0;
        while (PyDict_Next(defines, &pos, &k, &v)) {
            PyObject *a = v == Py_None ? PyUnicode_FromFormat("-D%S", k) : PyUnicode_FromFormat("-D%S=%S", k, v);
            int rc = a ? PyList_Append(argv, a) : -1;
            Py_XDECREF(a);
            if (rc < 0)
                goto fail;
        }
    }
    PyObject *dash = PyUnicode_FromString("-");
    int rc = dash ? PyList_Append(argv, dash) : -1;
    Py_XDECREF(dash);
    if (rc == 0)
        return argv;
fail:
    Py_XDECREF(it);
    Py_DECREF(argv);
    return NULL;
}

/* `#include <h>` for each header (`"h"` for a path that exists): the text cc reads. New reference or NULL. */
static PyObject *include_lines(PyObject *os, PyObject *headers)
{
    PyObject *out = PyUnicode_FromString(""), *path = PyObject_GetAttrString(os, "path");
    PyObject *it = out && path ? PyObject_GetIter(headers) : NULL, *h;
    while (it && (h = PyIter_Next(it))) {
        PyObject *line = NULL;
        if (!PyUnicode_Check(h)) {
            PyErr_Format(PyExc_TypeError, "include() argument 'header' must be a str or a list of str, not %R",
                         (PyObject *)Py_TYPE(h));
        } else if (PyUnicode_FindChar(h, '\n', 0, PyUnicode_GetLength(h), 1) >= 0 ||
                   PyUnicode_FindChar(h, '\r', 0, PyUnicode_GetLength(h), 1) >= 0 ||
                   PyUnicode_FindChar(h, '\0', 0, PyUnicode_GetLength(h), 1) >= 0 ||
                   PyUnicode_FindChar(h, '"', 0, PyUnicode_GetLength(h), 1) >= 0 ||
                   PyUnicode_FindChar(h, '>', 0, PyUnicode_GetLength(h), 1) >= 0 || PyUnicode_GetLength(h) == 0) {
            PyErr_Format(PyExc_ValueError, "include(): %R is not a header name (no newline, NUL, '\"' or '>'; "
                         "not empty)", h);
        } else {
            PyObject *isfile = PyObject_CallMethod(path, "isfile", "O", h);
            PyObject *abs = isfile == Py_True ? PyObject_CallMethod(path, "abspath", "O", h) : NULL;
            if (abs)
                line = PyUnicode_FromFormat("#include \"%U\"\n", abs);
            else if (isfile)
                line = PyUnicode_FromFormat("#include <%U>\n", h);
            Py_XDECREF(isfile);
            Py_XDECREF(abs);
        }
        Py_DECREF(h);
        PyObject *cat = line ? PyUnicode_Concat(out, line) : NULL;
        Py_XDECREF(line);
        Py_DECREF(out);
        out = cat;
        if (!out)
            break;
    }
    Py_XDECREF(it);
    Py_XDECREF(path);
    if (PyErr_Occurred())
        Py_CLEAR(out);
    return out;
}

/* The preprocessed text of the headers (bytes), or NULL with OSError saying why. */
static PyObject *preprocess(PyObject *headers, PyObject *include_dirs, PyObject *defines)
{
    PyObject *subprocess = PyImport_ImportModule("subprocess"), *shutil = PyImport_ImportModule("shutil");
    PyObject *os = PyImport_ImportModule("os");
    PyObject *cc = subprocess && shutil && os ? find_cc(shutil, os) : NULL, *argv = NULL, *src = NULL, *r = NULL;
    PyObject *out = NULL;
    if (cc == Py_None) {
        PyErr_SetString(PyExc_OSError, "include(): no C preprocessor found (looked for $CC, cc, gcc and clang on "
                                       "PATH); install one (e.g. 'apt-get install gcc') or paste the declarations "
                                       "into lib.declare()");
        goto done;
    }
    if (!cc || !(argv = cc_argv(cc, include_dirs, defines)) || !(src = include_lines(os, headers)))
        goto done;
    PyObject *input = PyUnicode_AsUTF8String(src);
    PyObject *pipe = input ? PyObject_GetAttrString(subprocess, "PIPE") : NULL;
    PyObject *run = pipe ? PyObject_GetAttrString(subprocess, "run") : NULL;
    PyObject *kw = run ? Py_BuildValue("{sOsOsO}", "input", input, "stdout", pipe, "stderr", pipe) : NULL;
    PyObject *args = kw ? PyTuple_Pack(1, argv) : NULL;
    r = args ? PyObject_Call(run, args, kw) : NULL;
    Py_XDECREF(input);
    Py_XDECREF(pipe);
    Py_XDECREF(run);
    Py_XDECREF(kw);
    Py_XDECREF(args);
    if (!r)
        goto done;
    PyObject *rc = PyObject_GetAttrString(r, "returncode");
    long code = rc ? PyLong_AsLong(rc) : -1;
    Py_XDECREF(rc);
    if (code != 0 && !PyErr_Occurred()) {
        PyObject *err = PyObject_GetAttrString(r, "stderr");
        PyObject *text = err ? PyObject_CallMethod(err, "decode", "ss", "utf-8", "replace") : NULL;
        PyObject *stripped = text ? PyObject_CallMethod(text, "strip", NULL) : NULL;
        if (stripped)
            PyErr_Format(PyExc_OSError, "include(): the preprocessor (%S -E) failed for %R: %U", cc, headers, stripped);
        Py_XDECREF(err);
        Py_XDECREF(text);
        Py_XDECREF(stripped);
        goto done;
    }
    if (!PyErr_Occurred())
        out = PyObject_GetAttrString(r, "stdout");
done:
    Py_XDECREF(subprocess);
    Py_XDECREF(shutil);
    Py_XDECREF(os);
    Py_XDECREF(cc);
    Py_XDECREF(argv);
    Py_XDECREF(src);
    Py_XDECREF(r);
    return out;
}

/* ------------------------------------------------------------------ */
/* Splitting preprocessed text into top-level declarations             */

typedef struct splitter {
    const char *s;
    size_t n, pos;
    char file[512];      /* the file of the current line (from `# N "file"` markers) */
    unsigned long line;  /* its line number */
    int pack;            /* #pragma pack depth in effect (0: none) */
} splitter;

typedef enum { ST_END, ST_DECL, ST_DEFINE, ST_BODY, ST_PACKED, ST_PRAGMA } st_kind;

typedef struct stmt {
    st_kind kind;
    size_t start, end;   /* the text (a #define: its line after "#define ") */
    unsigned long line;
    char file[512];
    bool directives;     /* line markers (or other # lines) stand inside its text */
} stmt;

/* A line starting with '#' at sp->pos: a line marker, #define, #pragma, #undef. Advances past it. */
static st_kind directive(splitter *sp, stmt *st)
{
    const char *s = sp->s;
    size_t i = sp->pos + 1, eol = i;
    while (eol < sp->n && s[eol] != '\n')
        eol++;
    while (i < eol && s[i] == ' ')
        i++;
    st_kind k = ST_END;
    if (i < eol && s[i] >= '0' && s[i] <= '9') {
        unsigned long ln = strtoul(s + i, NULL, 10);
        const char *q = memchr(s + i, '"', eol - i);
        const char *qe = q ? memchr(q + 1, '"', (size_t)(s + eol - q - 1)) : NULL;
        if (qe)
            snprintf(sp->file, sizeof sp->file, "%.*s", (int)(qe - q - 1), q + 1);
        sp->line = ln ? ln - 1 : 0; /* the newline below counts the marker's own line */
    } else if (eol - i > 7 && memcmp(s + i, "define ", 7) == 0) {
        st->kind = k = ST_DEFINE;
        st->start = i + 7;
        st->end = eol;
        st->line = sp->line;
        snprintf(st->file, sizeof st->file, "%s", sp->file);
    } else if (eol - i > 6 && memcmp(s + i, "pragma", 6) == 0) {
        const char *p = s + i + 6;
        size_t m = (size_t)(s + eol - p);
        for (size_t j = 0; j + 4 <= m; j++)
            if (memcmp(p + j, "pack", 4) == 0) {
                bool pop = false, push = false, num = false;
                for (size_t q2 = j + 4; q2 < m; q2++) {
                    pop |= q2 + 3 <= m && memcmp(p + q2, "pop", 3) == 0;
                    push |= q2 + 4 <= m && memcmp(p + q2, "push", 4) == 0;
                    num |= p[q2] >= '0' && p[q2] <= '9';
                }
                sp->pack = pop ? (sp->pack > 0 ? sp->pack - 1 : 0) : push || num ? sp->pack + 1 : 0;
                st->kind = k = ST_PRAGMA; /* the whole line, for a Library that applies it */
                st->start = sp->pos;
                st->end = eol;
                st->line = sp->line;
                snprintf(st->file, sizeof st->file, "%s", sp->file);
                break;
            }
    }
    sp->pos = eol;
    return k;
}

static bool is_ident(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Does the '{' at s[brace] (depth 0, the statement starting at start) open a
 * function body? It does after a parameter list `f(...)`, not after a tag or
 * `struct`, whatever attributes (`__attribute__((...))`) stand between. */
static bool opens_body(const char *s, size_t start, size_t brace)
{
    size_t p = brace;
    for (;;) {
        while (p > start && (s[p - 1] == ' ' || s[p - 1] == '\n' || s[p - 1] == '\t'))
            p--;
        if (p == start || s[p - 1] != ')')
            return false; /* a tag, `struct`, `=`: a definition of a type or an initialiser */
        int d = 0;
        size_t q = p;
        do { /* back to the matching '(' */
            q--;
            d += s[q] == ')' ? 1 : s[q] == '(' ? -1 : 0;
        } while (q > start && d > 0);
        if (d)
            return false;
        size_t e = q;
        while (e > start && (s[e - 1] == ' ' || s[e - 1] == '\t'))
            e--;
        size_t b = e;
        while (b > start && is_ident(s[b - 1]))
            b--;
        size_t n = e - b;
        bool attr = (n == 13 && memcmp(s + b, "__attribute__", 13) == 0) ||
                    (n == 11 && memcmp(s + b, "__attribute", 11) == 0) || (n == 8 && memcmp(s + b, "_Alignas", 8) == 0) ||
                    (n == 9 && memcmp(s + b, "__aligned", 9) == 0);
        if (!attr)
            return true; /* a parameter list */
        p = b;
    }
}

/* The next top-level statement: up to ';' outside braces and parentheses, or a
 * function body's closing '}' (an inline function definition). ST_END at the end. */
static st_kind next_stmt(splitter *sp, stmt *st)
{
    const char *s = sp->s;
    size_t start = SIZE_MAX;
    int depth = 0;
    bool body = false;
    while (sp->pos < sp->n) {
        char c = s[sp->pos];
        if (c == '\n') {
            sp->line++;
            sp->pos++;
            continue;
        }
        if (c == '#' && (sp->pos == 0 || s[sp->pos - 1] == '\n')) {
            stmt def;
            st_kind dk = directive(sp, &def);
            if ((dk == ST_DEFINE || dk == ST_PRAGMA) && start == SIZE_MAX) {
                def.directives = false;
                *st = def;
                return dk;
            }
            if (start != SIZE_MAX)
                st->directives = true;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            sp->pos++;
            continue;
        }
        if (start == SIZE_MAX) {
            start = sp->pos;
            st->directives = false;
            st->line = sp->line;
            snprintf(st->file, sizeof st->file, "%s", sp->file);
        }
        if (c == '"' || c == '\'') { /* a literal: skip it whole */
            for (sp->pos++; sp->pos < sp->n && s[sp->pos] != c && s[sp->pos] != '\n'; sp->pos++)
                if (s[sp->pos] == '\\')
                    sp->pos++;
        } else if (c == '(' || c == '[' || c == '{') {
            if (c == '{' && depth == 0 && opens_body(s, start, sp->pos))
                body = true; /* `f(...) {`: a function definition */
            depth++;
        } else if (c == ')' || c == ']' || c == '}') {
            depth -= depth > 0;
            if (c == '}' && depth == 0 && body) {
                sp->pos++;
                st->kind = ST_BODY;
                st->start = start;
                st->end = sp->pos;
                return ST_BODY;
            }
        } else if (c == ';' && depth == 0) {
            sp->pos++;
            /* under #pragma pack only a struct/union definition is laid out differently */
            st->kind = sp->pack && memchr(s + start, '{', sp->pos - start) ? ST_PACKED : ST_DECL;
            st->start = start;
            st->end = sp->pos;
            return st->kind;
        }
        sp->pos++;
    }
    return ST_END;
}

/* ------------------------------------------------------------------ */
/* Library.include()                                                   */

/* One skipped declaration: (text, file, line, reason) appended to lib.skipped. 0 or -1. */
static int skip(sb_library *lib, const char *text, size_t len, const stmt *st, PyObject *reason)
{
    if (!lib->skipped && !(lib->skipped = PyList_New(0)))
        return -1;
    if (len > 400)
        len = 400; /* long bodies: their start says which */
    PyObject *t = Py_BuildValue("(s#skO)", text, (Py_ssize_t)len, st->file, st->line, reason);
    int rc = t ? PyList_Append(lib->skipped, t) : -1;
    Py_XDECREF(t);
    return rc;
}

static int skip_s(sb_library *lib, const char *text, size_t len, const stmt *st, const char *reason)
{
    PyObject *r = PyUnicode_FromString(reason);
    int rc = r ? skip(lib, text, len, st, r) : -1;
    Py_XDECREF(r);
    return rc;
}

/* Does the #define's value start like a literal or an expression of literals (not an identifier)? */
static bool literal_define(const char *t, size_t len)
{
    size_t i = 0;
    while (i < len && is_ident(t[i]))
        i++;
    while (i < len && (t[i] == ' ' || t[i] == '\t'))
        i++;
    return i < len && !is_ident(t[i]) ? true : i < len && t[i] >= '0' && t[i] <= '9';
}

/* Is a #define worth declaring: an object-like macro with a value (not `__X`, not empty)? */
static bool define_wanted(const char *t, size_t len)
{
    size_t i = 0;
    while (i < len && (t[i] == '_' || (t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' && t[i] <= 'Z') ||
                       (t[i] >= '0' && t[i] <= '9')))
        i++;
    if (i == 0 || (len >= 2 && t[0] == '_' && (t[1] == '_' || (t[1] >= 'A' && t[1] <= 'Z'))))
        return false;           /* the compiler's and the C library's reserved names */
    if (i < len && t[i] == '(') /* function-like */
        return false;
    while (i < len && (t[i] == ' ' || t[i] == '\t'))
        i++;
    return i < len;
}

/* ------------------------------------------------------------------ */
/* GNU noise: what a compiler ignores for binding                      */

/* Keywords dropped as they stand (the compiler's spellings of nothing a binding needs). */
static const char *const noise_words[] = {"__extension__", "__restrict__", "__restrict", "__inline__", "__inline",
                                          "_Noreturn", "__always_inline"};

/* The length of the keyword or attribute group at t[i] that a cleaned statement drops, 0 for none, or
 * (size_t)-1 when it must not be dropped (an attribute that changes a layout, or a symbol rename). */
static size_t noise_at(const char *t, size_t i, size_t len)
{
    if (i > 0 && is_ident(t[i - 1]))
        return 0;
    for (size_t w = 0; w < sizeof noise_words / sizeof noise_words[0]; w++) {
        size_t n = strlen(noise_words[w]);
        if (len - i >= n && memcmp(t + i, noise_words[w], n) == 0 && (i + n == len || !is_ident(t[i + n])))
            return n;
    }
    if ((len - i >= 7 && memcmp(t + i, "__asm__", 7) == 0 && (i + 7 == len || !is_ident(t[i + 7]))) ||
        (len - i >= 5 && memcmp(t + i, "__asm", 5) == 0 && (i + 5 == len || !is_ident(t[i + 5]))))
        return (size_t)-1; /* a symbol rename: binding the C name would call another function */
    size_t n = len - i >= 13 && memcmp(t + i, "__attribute__", 13) == 0 ? 13
             : len - i >= 11 && memcmp(t + i, "__attribute", 11) == 0   ? 11
                                                                        : 0;
    if (n == 0 || (i + n < len && is_ident(t[i + n])))
        return 0;
    size_t j = i + n;
    while (j < len && (t[j] == ' ' || t[j] == '\n' || t[j] == '\t'))
        j++;
    if (j >= len || t[j] != '(')
        return 0;
    int d = 0;
    size_t k = j;
    for (; k < len; k++) {
        d += t[k] == '(' ? 1 : t[k] == ')' ? -1 : 0;
        if (d == 0)
            break;
    }
    if (k >= len)
        return (size_t)-1;
    static const char *const keep[] = {"packed", "aligned", "mode", "vector_size", "transparent_union", "scalar_storage_order"};
    for (size_t q = j; q < k; q++)
        for (size_t w = 0; w < sizeof keep / sizeof keep[0]; w++)
            if (len - q >= strlen(keep[w]) && memcmp(t + q, keep[w], strlen(keep[w])) == 0)
                return (size_t)-1; /* it changes a layout or a type: not ignorable */
    return k + 1 - i;
}

/* The statement without GNU noise (malloc'd, *out_len), NULL when there was none to drop, or
 * when some cannot be dropped (*why says which). */
static char *clean_noise(const char *t, size_t len, size_t *out_len, const char **why)
{
    char *c = NULL;
    size_t n = 0;
    *why = NULL;
    for (size_t i = 0; i < len;) {
        size_t k = is_ident(t[i]) ? noise_at(t, i, len) : 0;
        if (k == (size_t)-1) {
            *why = t[i + 3] == 's' ? "a symbol rename (__asm__)" : "a layout attribute (packed, aligned, mode...)";
            free(c);
            return NULL;
        }
        if (k) {
            if (!c) {
                if (!(c = malloc(len + 1)))
                    return NULL;
                memcpy(c, t, i);
                n = i;
            }
            c[n++] = ' ';
            i += k;
        } else {
            if (c)
                c[n++] = t[i];
            i++;
        }
    }
    *out_len = n;
    return c;
}

/* Declares one statement as a block of its own (all or nothing); a failure goes to lib.skipped. 0 or -1. */
static int declare_text(sb_library *lib, const char *text, size_t len, PyObject **failed)
{
    PyObject *str = PyUnicode_DecodeUTF8(text, (Py_ssize_t)len, "replace");
    if (!str)
        return -1;
    PyObject *r = sb__library_declare((PyObject *)lib, str);
    Py_DECREF(str);
    if (r) {
        Py_DECREF(r);
        return 0;
    }
    if (!PyErr_ExceptionMatches(PyExc_Exception))
        return -1; /* KeyboardInterrupt, MemoryError...: stop */
    PyObject *et, *ev, *tb;
    PyErr_Fetch(&et, &ev, &tb);
    *failed = ev ? PyObject_Str(ev) : NULL;
    Py_XDECREF(et);
    Py_XDECREF(ev);
    Py_XDECREF(tb);
    return *failed ? 1 : -1;
}

/* Declares one statement; when it fails and holds GNU noise that a compiler ignores for
 * binding (`__attribute__((nonnull))`, `__restrict`, `__extension__`...), the statement
 * without it. Either failing, the first reason goes to lib.skipped. 0 or -1. */
static int declare_one(sb_library *lib, const char *text, size_t len, const stmt *st, size_t *ok, bool quiet)
{
    PyObject *reason = NULL;
    int rc = declare_text(lib, text, len, &reason);
    if (rc == 1) {
        size_t clen;
        const char *why;
        char *clean = clean_noise(text, len, &clen, &why);
        PyObject *again = NULL;
        rc = clean ? declare_text(lib, clean, clen, &again) : 1;
        free(clean);
        if (again) { /* the reason without the noise says what is really missing */
            Py_DECREF(reason);
            reason = again;
        }
        if (rc == 1 && why) {
            PyObject *r2 = PyUnicode_FromFormat("%U (and it has %s, which sigbind does not apply yet)", reason, why);
            Py_DECREF(reason);
            reason = r2;
            if (!reason)
                return -1;
        }
    }
    if (rc == 0)
        ++*ok;
    if (rc == 1)
        rc = quiet ? 0 : skip(lib, text, len, st, reason);
    Py_XDECREF(reason);
    return rc;
}

PyObject *sb__library_include(PyObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"header", "include_dirs", "defines", NULL};
    sb_library *lib = (sb_library *)self;
    PyObject *header, *include_dirs = Py_None, *defines = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|$OO:include", kwlist, &header, &include_dirs, &defines))
        return NULL;
    PyObject *headers = PyUnicode_Check(header) ? PyTuple_Pack(1, header) : (Py_INCREF(header), header);
    PyObject *text = headers ? preprocess(headers, include_dirs, defines) : NULL;
    Py_XDECREF(headers);
    if (!text)
        return NULL;
    splitter sp = {PyBytes_AsString(text), (size_t)PyBytes_Size(text), 0, "", 1, 0};
    stmt st;
    memset(&st, 0, sizeof st);
    bool packs = false; /* the Library took a #pragma pack: packed definitions are declared */
    size_t ok = 0, nskip0 = lib->skipped ? (size_t)PyList_Size(lib->skipped) : 0;
    int rc = 0;
    st_kind k;
    while (rc == 0 && (k = next_stmt(&sp, &st)) != ST_END) {
        const char *t = sp.s + st.start;
        size_t len = st.end - st.start;
        if (k == ST_BODY)
            rc = skip_s(lib, t, len, &st, "a function definition (an inline body): nothing to bind");
        else if (k == ST_PRAGMA) {
            /* `#pragma pack(...)`: given to the Library; one that takes it lays out what follows */
            PyObject *failed = NULL;
            rc = declare_text(lib, t, len, &failed);
            packs |= rc == 0;
            Py_XDECREF(failed);
            rc = rc < 0 ? -1 : 0;
        } else if (k == ST_PACKED && !packs)
            rc = skip_s(lib, t, len, &st, "declared under #pragma pack, which sigbind does not apply yet");
        else if (k == ST_DEFINE) {
            if (st.file[0] != '<' && define_wanted(t, len)) { /* not the compiler's (<built-in>, <command-line>) */
                char *d = malloc(len + 9);
                if (!d) {
                    PyErr_NoMemory();
                    rc = -1;
                    break;
                }
                memcpy(d, "#define ", 8);
                memcpy(d + 8, t, len);
                /* a literal that is no integer constant ("1.2.13", 1.5) is listed as skipped; a macro
                 * naming other macros, keywords or attributes (`#define API extern`) is no constant */
                rc = declare_one(lib, d, len + 8, &st, &ok, !literal_define(t, len));
                free(d);
            }
        } else if (st.directives) {
            /* `# 346 "zstd.h"` inside an enum: the lines that start with '#' become blanks */
            char *c = malloc(len);
            if (!c) {
                PyErr_NoMemory();
                rc = -1;
                break;
            }
            memcpy(c, t, len);
            for (size_t i = 0; i < len; i++)
                if (c[i] == '#' && i > 0 && c[i - 1] == '\n')
                    for (; i < len && c[i] != '\n'; i++)
                        c[i] = ' ';
            rc = declare_one(lib, c, len, &st, &ok, false);
            free(c);
        } else {
            rc = declare_one(lib, t, len, &st, &ok, false);
        }
    }
    Py_DECREF(text);
    if (rc < 0)
        return NULL;
    size_t nskip = lib->skipped ? (size_t)PyList_Size(lib->skipped) - nskip0 : 0;
    return Py_BuildValue("{snsn}", "declared", (Py_ssize_t)ok, "skipped", (Py_ssize_t)nskip);
}
