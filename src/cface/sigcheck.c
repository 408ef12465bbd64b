/* sigcheck.c — build-time tool of C-face tables: preprocessed sources -> a C file of _Static_asserts, and the module's .pyi stub (plain C, core only). */
/*
 * sigbind_add_module runs this once per source of a C-face module (it is not
 * part of the runtime):
 *
 *   cc -E -DSIGBIND_SCAN <the module's flags> mod.c -o mod.scan.i
 *   sigbind-sigcheck mod.scan.i /abs/mod.c mod.sigcheck.c
 *
 * Under SIGBIND_SCAN, sigbind.h turns each SB_FUNCTION / SB_METHOD /
 * SB_CLASS_METHOD / SB_STATIC_METHOD / SB_GETTER / SB_SETTER / SB_FIELD entry
 * into a marker the preprocessor fills in (file, line, the C function's or
 * member's text, the signature's string literals). This program parses every
 * signature with sigbind's own parser (class names: the `.name = "X"`
 * initializers of the file, their C types: `.size = sizeof(T)` beside them) and writes mod.sigcheck.c: `#include "mod.c"`
 * followed, per entry, by checks the compiler enforces:
 *   - a function: _Static_assert(_Generic(&(fn), R (*)(P...): 1, default: 0))
 *     and an initialization of a pointer of that exact type from &(fn) (the
 *     compiler's own message then names both types);
 *   - a field: _Static_assert on _Generic(member) and on sizeof(member), and a
 *     pointer initialization naming both types.
 * A signature the parser refuses is reported here, as the compiler would
 * ("file:line: error: ..."), naming the entry, the text and the column; the
 * exit status is then 1 and nothing is written.
 * Type spellings follow what the runtime calls the function with: the kinds
 * table's C types (ssize_t is ptrdiff_t), `PyObject *`, a class's name as its
 * C struct type: T of the class definition's `.size = sizeof(T)`, else the
 * class's name (the class "Rect" is the C type `Rect`).
 */
#include "core/internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Growable text                                                       */

typedef struct text {
    char *b;
    size_t n, cap;
} text;

static void t_put(text *t, const char *s, size_t n)
{
    if (t->n + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (t->n + n + 1 > cap)
            cap *= 2;
        char *b = realloc(t->b, cap);
        if (!b) {
            fputs("sigbind-sigcheck: out of memory\n", stderr);
            exit(2);
        }
        t->b = b;
        t->cap = cap;
    }
    memcpy(t->b + t->n, s, n);
    t->n += n;
    t->b[t->n] = '\0';
}
static void t_puts(text *t, const char *s) { t_put(t, s, strlen(s)); }
static void t_printf(text *t, const char *fmt, ...) SB_PRINTF(2, 3);
static void t_printf(text *t, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof buf) {
        char *big = malloc((size_t)n + 1);
        if (!big)
            exit(2);
        va_start(ap, fmt);
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        va_end(ap);
        t_put(t, big, (size_t)n);
        free(big);
    } else if (n > 0) {
        t_put(t, buf, (size_t)n);
    }
}
/* s as the inside of a C string literal. */
static void t_cstr(text *t, const char *s)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            t_put(t, "\\", 1);
        if (*s == '\n')
            t_puts(t, "\\n");
        else
            t_put(t, s, 1);
    }
}

/* ------------------------------------------------------------------ */
/* Reading the preprocessed file                                       */

typedef struct scanner {
    const char *s, *end;
} scanner;

static void skip_ws(scanner *sc)
{
    while (sc->s < sc->end) {
        if (isspace((unsigned char)*sc->s)) {
            sc->s++;
        } else if (*sc->s == '#' ) { /* a line marker of the preprocessor */
            while (sc->s < sc->end && *sc->s != '\n')
                sc->s++;
        } else {
            break;
        }
    }
}

/* One C string literal (escapes decoded) appended to out; false if none here. */
static bool read_literal(scanner *sc, text *out)
{
    skip_ws(sc);
    if (sc->s >= sc->end || *sc->s != '"')
        return false;
    sc->s++;
    while (sc->s < sc->end && *sc->s != '"') {
        char c = *sc->s++;
        if (c == '\\' && sc->s < sc->end) {
            char e = *sc->s++;
            switch (e) {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            case 'x': {
                unsigned v = 0;
                while (sc->s < sc->end && isxdigit((unsigned char)*sc->s)) {
                    char h = *sc->s++;
                    v = v * 16 + (unsigned)(isdigit((unsigned char)h) ? h - '0' : (tolower((unsigned char)h) - 'a' + 10));
                }
                c = (char)v;
                break;
            }
            default:
                if (e >= '0' && e <= '7') {
                    unsigned v = (unsigned)(e - '0');
                    for (int k = 0; k < 2 && sc->s < sc->end && *sc->s >= '0' && *sc->s <= '7'; k++)
                        v = v * 8 + (unsigned)(*sc->s++ - '0');
                    c = (char)v;
                } else {
                    c = e; /* \" \\ \' \? */
                }
            }
        }
        t_put(out, &c, 1);
    }
    if (sc->s < sc->end)
        sc->s++;
    if (!out->b)
        t_put(out, "", 0);
    return true;
}

/* Adjacent literals, concatenated (as the compiler does). */
static bool read_literals(scanner *sc, text *out)
{
    if (!read_literal(sc, out))
        return false;
    while (read_literal(sc, out))
        ;
    return true;
}

static bool read_punct(scanner *sc, char c)
{
    skip_ws(sc);
    if (sc->s < sc->end && *sc->s == c) {
        sc->s++;
        return true;
    }
    return false;
}

static bool read_number(scanner *sc, long *out)
{
    skip_ws(sc);
    char *e;
    long v = strtol(sc->s, &e, 10);
    if (e == sc->s)
        return false;
    sc->s = e;
    *out = v;
    return true;
}

static bool read_ident(scanner *sc, char *buf, size_t cap)
{
    skip_ws(sc);
    size_t n = 0;
    while (sc->s < sc->end && (isalnum((unsigned char)*sc->s) || *sc->s == '_')) {
        if (n + 1 < cap)
            buf[n++] = *sc->s;
        sc->s++;
    }
    buf[n] = '\0';
    return n > 0;
}

/* ------------------------------------------------------------------ */
/* Class names: a scope that knows the file's `.name = "X"` strings    */

typedef struct classes {
    sb_named *v;
    size_t n, cap;
} classes;

static char *dup_text(const char *s, size_t n)
{
    char *copy = malloc(n + 1);
    if (!copy)
        exit(2);
    memcpy(copy, s, n);
    copy[n] = '\0';
    return copy;
}

/* ctype: the class's C struct type (from `.size = sizeof(T)`), or NULL: the class's name. */
static void add_class(classes *cl, const char *name, char *ctype)
{
    for (size_t i = 0; i < cl->n; i++)
        if (strcmp(cl->v[i].name, name) == 0) {
            free(ctype);
            return;
        }
    if (cl->n == cl->cap) {
        cl->cap = cl->cap ? cl->cap * 2 : 16;
        cl->v = realloc(cl->v, cl->cap * sizeof *cl->v);
        if (!cl->v)
            exit(2);
    }
    sb_named *nd = &cl->v[cl->n++];
    memset(nd, 0, sizeof *nd);
    nd->what = SB_NAMED_CLASS;
    nd->name = dup_text(name, strlen(name));
    nd->index = (uint32_t)(cl->n - 1);
    nd->user = ctype;
}

/* `sizeof(T)` of a `.size = ` in the rest of the initializer that starts at
 * p (up to its closing '}'): T's text, or NULL. */
static char *size_type(const char *p, const char *end)
{
    int depth = 0;
    for (; p < end; p++) {
        if (*p == '"') { /* skip string literals */
            for (p++; p < end && *p != '"'; p++)
                if (*p == '\\')
                    p++;
            continue;
        }
        if (*p == '{' || *p == '(')
            depth++;
        else if (*p == ')')
            depth--;
        else if (*p == '}' && depth-- == 0)
            return NULL;
        if (depth || *p != '.' || strncmp(p + 1, "size", 4) != 0 || isalnum((unsigned char)p[5]) || p[5] == '_')
            continue;
        scanner sc = {p + 5, end};
        char kw[8];
        if (!read_punct(&sc, '=') || !read_ident(&sc, kw, sizeof kw) || strcmp(kw, "sizeof") || !read_punct(&sc, '('))
            return NULL;
        const char *t = sc.s;
        int d = 1;
        for (; sc.s < end && d; sc.s++)
            d += *sc.s == '(' ? 1 : *sc.s == ')' ? -1 : 0;
        if (d)
            return NULL;
        const char *e = sc.s - 1; /* the ')' */
        while (t < e && isspace((unsigned char)*t))
            t++;
        while (e > t && isspace((unsigned char)e[-1]))
            e--;
        return e > t ? dup_text(t, (size_t)(e - t)) : NULL;
    }
    return NULL;
}

static const sb_named *class_lookup(const sb_scope *scope, const char *name, size_t len, int tag)
{
    const classes *cl = scope->ctx;
    if (tag == 'u' || tag == 'e')
        return NULL;
    for (size_t i = 0; i < cl->n; i++)
        if (strlen(cl->v[i].name) == len && memcmp(cl->v[i].name, name, len) == 0)
            return &cl->v[i];
    return NULL;
}

static void find_classes(const char *s, const char *end, classes *cl)
{
    for (const char *p = s; p + 5 < end; p++) {
        if (*p != '.' || strncmp(p + 1, "name", 4) != 0 || isalnum((unsigned char)p[5]) || p[5] == '_')
            continue;
        scanner sc = {p + 5, end};
        text name = {0};
        if (read_punct(&sc, '=') && read_literals(&sc, &name) && name.n)
            add_class(cl, name.b, size_type(sc.s, end));
        free(name.b);
    }
}

/* ------------------------------------------------------------------ */
/* C spellings                                                         */

static void spell(text *o, sb_type t, const char *declarator);

/* "R (*name)(P1, P2)" */
static void spell_func(text *o, const sb_sig *f, const char *declarator)
{
    text inner = {0};
    t_printf(&inner, "(*%s)(", declarator);
    if (f->nparams == 0 && !(f->flags & SB_SIG_VARIADIC))
        t_puts(&inner, "void");
    for (uint16_t i = 0; i < f->nparams; i++) {
        if (i)
            t_puts(&inner, ", ");
        const sb_param *prm = &f->params[i];
        if (prm->flags & (SB_PARAM_VARARGS | SB_PARAM_VARKW))
            t_puts(&inner, "PyObject *");
        else
            spell(&inner, prm->type, "");
    }
    if (f->flags & SB_SIG_VARIADIC)
        t_puts(&inner, f->nparams ? ", ..." : "...");
    t_puts(&inner, ")");
    spell(o, f->ret, inner.b);
    free(inner.b);
}

static void spell(text *o, sb_type t, const char *declarator)
{
    if (t.named && t.named->what == SB_NAMED_FUNC) {
        spell_func(o, t.named->user, declarator);
        return;
    }
    const char *base;
    if (t.named && t.named->what == SB_NAMED_CLASS && t.named->user)
        base = t.named->user; /* the struct type of its `.size = sizeof(T)` */
    else if (t.named)
        base = t.named->name;
    else if (t.kind == SB_K_SSIZE)
        base = "ptrdiff_t"; /* what the runtime passes it as */
    else
        base = sb__kind((sb_kind)t.kind)->name;
    t_printf(o, "%s%s", t.cconst ? "const " : "", base);
    if (t.ptr || *declarator)
        t_puts(o, " ");
    for (unsigned i = 0; i < t.ptr; i++)
        t_puts(o, "*");
    t_puts(o, declarator);
}

/* ------------------------------------------------------------------ */
/* Entries                                                             */

typedef struct out {
    text c;          /* the generated file */
    int errors;
    unsigned count;
    const sb_scope *scope;
} out;

static void line_directive(out *o, const char *file, long line)
{
    t_printf(&o->c, "#line %ld \"", line);
    t_cstr(&o->c, file);
    t_puts(&o->c, "\"\n");
}

/* A function entry: kind (FUNCTION, METHOD...), where, the C function's text, the signature. */
static void check_function(out *o, const char *kind, const char *file, long line, const char *fn, const char *sig)
{
    sb_error err = {0};
    sb_sig *s = sb__sig_parse_in(sig, strlen(sig), o->scope, &err);
    if (!s) {
        fprintf(stderr, "%s:%ld: error: SB_%s(%s, \"%s\"): signature error", file, line, kind, fn, sig);
        if (err.col != (size_t)-1)
            fprintf(stderr, " at column %zu", err.col + 1);
        fprintf(stderr, ": %s\n", err.msg);
        if (err.col != (size_t)-1)
            fprintf(stderr, "    %s\n    %*s^\n", sig, (int)err.col, "");
        o->errors++;
        return;
    }
    if (s->ret.named && s->ret.named->what == SB_NAMED_FUNC) { /* not a C-face result */
        sb__sig_free(s);
        return;
    }
    unsigned i = o->count++;
    text ty = {0}, decl = {0}, name = {0};
    spell_func(&ty, s, "");
    t_printf(&name, "sb__sigcheck_p%u", i);
    spell_func(&decl, s, name.b);
    line_directive(o, file, line);
    t_printf(&o->c, "_Static_assert(_Generic(&(%s), %s: 1, default: 0), \"SB_%s(", fn, ty.b, kind);
    t_cstr(&o->c, fn);
    t_puts(&o->c, "): the C function must have type ");
    t_cstr(&o->c, ty.b);
    t_puts(&o->c, ", as its signature `");
    t_cstr(&o->c, sig);
    t_puts(&o->c, "` says\");\n");
    line_directive(o, file, line);
    t_printf(&o->c, "void sb__sigcheck_%u(void); void sb__sigcheck_%u(void) { %s = &(%s); (void)%s; }\n", i, i,
             decl.b, fn, name.b);
    free(ty.b);
    free(decl.b);
    free(name.b);
    sb__sig_free(s);
}

/* A field entry: the struct type's text, the member's, its declaration "int64_t w". */
static void check_field(out *o, const char *file, long line, const char *st, const char *member, const char *decl)
{
    const char *e = decl + strlen(decl);
    while (e > decl && isspace((unsigned char)e[-1]))
        e--;
    const char *nm = e;
    while (nm > decl && (isalnum((unsigned char)nm[-1]) || nm[-1] == '_'))
        nm--;
    sb_error err = {0};
    sb_type t;
    if (nm == e || nm == decl || sb__type_parse_in(decl, (size_t)(nm - decl), NULL, &t, &err) < 0) {
        fprintf(stderr, "%s:%ld: error: SB_FIELD(%s, %s, \"%s\"): expected a C type and a name%s%s\n", file, line,
                st, member, decl, err.msg[0] ? ": " : "", err.msg);
        o->errors++;
        return;
    }
    unsigned i = o->count++;
    text ty = {0}, ptr = {0};
    spell(&ty, t, "");
    sb_type pt = t;
    pt.ptr++;
    spell(&ptr, pt, "sb__sigcheck_m");
    line_directive(o, file, line);
    t_printf(&o->c, "_Static_assert(_Generic(((%s *)0)->%s, %s: 1, default: 0), \"SB_FIELD(%s, %s, `", st, member,
             ty.b, st, member);
    t_cstr(&o->c, decl);
    t_puts(&o->c, "`): the member must have type ");
    t_cstr(&o->c, ty.b);
    t_puts(&o->c, "\");\n");
    line_directive(o, file, line);
    t_printf(&o->c, "_Static_assert(sizeof(((%s *)0)->%s) == sizeof(%s), \"SB_FIELD(%s, %s, `", st, member, ty.b, st,
             member);
    t_cstr(&o->c, decl);
    t_printf(&o->c, "`): the member must be %zu bytes, as ", sb__type_size(t));
    t_cstr(&o->c, ty.b);
    t_puts(&o->c, "\");\n");
    line_directive(o, file, line);
    t_printf(&o->c, "void sb__sigcheck_%u(%s *s); void sb__sigcheck_%u(%s *s) { %s = &s->%s; (void)sb__sigcheck_m; }\n",
             i, st, i, st, ptr.b, member);
    free(ty.b);
    free(ptr.b);
}

/* Reads one marker's arguments after "sb__scan_fn(" / "sb__scan_field(". */
static void read_marker(out *o, scanner *sc, bool field)
{
    char kind[32] = "FUNCTION";
    text file = {0}, a = {0}, b = {0}, c = {0};
    long line = 0;
    bool ok = read_punct(sc, '(');
    if (ok && !field)
        ok = read_ident(sc, kind, sizeof kind) && read_punct(sc, ',');
    ok = ok && read_literals(sc, &file) && read_punct(sc, ',') && read_number(sc, &line) && read_punct(sc, ',') &&
         read_literals(sc, &a) && read_punct(sc, ',') && read_literals(sc, &b);
    if (ok && field) {
        ok = read_punct(sc, ',') && read_literals(sc, &c);
        text flags = {0}; /* #flags: the stub writer reads it */
        if (ok && read_punct(sc, ','))
            ok = read_literals(sc, &flags);
        free(flags.b);
    }
    ok = ok && read_punct(sc, ')');
    if (!ok) {
        fprintf(stderr, "%s:%ld: error: an SB_%s entry whose signature is not a string literal\n",
                file.b ? file.b : "?", line, field ? "FIELD" : kind);
        o->errors++;
    } else if (field) {
        check_field(o, file.b, line, a.b, b.b, c.b);
    } else {
        check_function(o, kind, file.b, line, a.b, b.b);
    }
    free(file.b);
    free(a.b);
    free(b.b);
    free(c.b);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    text t = {0};
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        t_put(&t, buf, n);
    fclose(f);
    if (!t.b)
        t_put(&t, "", 0);
    *len = t.n;
    return t.b;
}

/* ------------------------------------------------------------------ */
/* The type stub: sigbind-sigcheck --stub <module.pyi> <preprocessed.i>...  */
/*
 * Reads the markers of every source of one module (functions, methods, properties, fields,
 * exceptions, constants, SB_MODULE) and the class definitions' `.name`, `.base`, `.methods`,
 * `.fields` initializers, each with the table (array) it sits in; SB_MODULE's `.functions` /
 * `.exceptions` / `.constants` / `.classes` name the module's tables, a class's `.methods` /
 * `.fields` its own. Each signature is parsed and planned as the runtime does and written with
 * core's annotations (src/core/stubtext.c): what the converters accept and return.
 */

typedef struct entry {
    char what;       /* 'f' function or method, 'd' field, 'e' exception, 'c' constant, 'k' class */
    char kind[16];   /* f: FUNCTION, METHOD, ...; c: INT, FLOAT, STR */
    char *array;     /* the table it is in ("" when not in one) */
    bool open;       /* k: its .flags may say SB_SUBCLASSABLE (else the stub marks it @final) */
    char *a, *b, *c, *d; /* f: fn, signature; d: struct, member, decl, flags; e: name, base;
                            c: name; k: name, base, methods, fields */
} entry;

typedef struct stubscan {
    entry *v;
    size_t n, cap;
    char *module;
    char *tables[4]; /* functions, exceptions, constants, classes */
} stubscan;

static entry *new_entry(stubscan *ss, char what, const char *array)
{
    if (ss->n == ss->cap) {
        ss->cap = ss->cap ? ss->cap * 2 : 32;
        ss->v = realloc(ss->v, ss->cap * sizeof *ss->v);
        if (!ss->v)
            exit(2);
    }
    entry *e = &ss->v[ss->n++];
    memset(e, 0, sizeof *e);
    e->what = what;
    e->array = dup_text(array, strlen(array));
    return e;
}

static char *take(text *t) { return t->b ? t->b : dup_text("", 0); }

/* The array whose initializer opens at the '{' at p: "name" of `name[...] = {`, else "". */
static void array_before(const char *src, const char *p, char *out, size_t cap)
{
    out[0] = '\0';
    while (p > src && isspace((unsigned char)p[-1]))
        p--;
    if (p == src || *--p != '=')
        return;
    while (p > src && isspace((unsigned char)p[-1]))
        p--;
    if (p == src || p[-1] != ']')
        return;
    while (p > src && p[-1] != '[')
        p--;
    if (p == src)
        return;
    p--;
    while (p > src && isspace((unsigned char)p[-1]))
        p--;
    const char *e = p;
    while (p > src && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
        p--;
    if (e > p && (size_t)(e - p) < cap) {
        memcpy(out, p, (size_t)(e - p));
        out[e - p] = '\0';
    }
}

/* `= "text"` or `= ident` after a designator: the text, or NULL. */
static char *designated(scanner *sc)
{
    if (!read_punct(sc, '='))
        return NULL;
    text t = {0};
    if (read_literals(sc, &t))
        return take(&t);
    char id[128];
    return read_ident(sc, id, sizeof id) ? dup_text(id, strlen(id)) : NULL;
}

/* A class's `.flags = ...` (preprocessed: SB_SUBCLASSABLE stays an enumerator's name): may the
 * class be derived from? A numeric expression the scan cannot judge counts as yes (no @final). */
static bool class_open(scanner *sc)
{
    const char *t = sc->s;
    int depth = 0;
    while (sc->s < sc->end && !(depth == 0 && (*sc->s == ',' || *sc->s == '}'))) {
        depth += *sc->s == '(' ? 1 : *sc->s == ')' ? -1 : 0;
        sc->s++;
    }
    size_t n = (size_t)(sc->s - t);
    bool named = false, nonzero = false;
    for (size_t i = 0; i < n; i++) {
        if (i + 15 <= n && !strncmp(t + i, "SB_SUBCLASSABLE", 15))
            return true;
        named |= (t[i] == 'S' && i + 3 <= n && !strncmp(t + i, "SB_", 3));
        nonzero |= t[i] >= '1' && t[i] <= '9';
    }
    return !named && nonzero;
}

/* One marker at sc (after its name); false if its arguments are not the expected literals. */
static bool scan_marker(stubscan *ss, scanner *sc, const char *mark, const char *array)
{
    text t[6] = {{0}};
    char kind[16] = "";
    long line;
    bool ok = read_punct(sc, '(');
    if (!strcmp(mark, "sb__scan_module")) {
        ok = ok && read_literals(sc, &t[0]);
        if (!ok) {
            free(t[0].b);
            return false;
        }
        free(ss->module);
        ss->module = take(&t[0]);
        static const char *const keys[4] = {"functions", "exceptions", "constants", "classes"};
        char key[32];
        while (read_punct(sc, ',')) {
            if (!read_punct(sc, '.') || !read_ident(sc, key, sizeof key))
                break;
            char *v = designated(sc);
            for (int k = 0; k < 4; k++)
                if (v && !strcmp(key, keys[k])) {
                    free(ss->tables[k]);
                    ss->tables[k] = v;
                    v = NULL;
                }
            free(v);
        }
        return true;
    }
    if (!strcmp(mark, "sb__scan_const")) {
        ok = ok && read_ident(sc, kind, sizeof kind) && read_punct(sc, ',') && read_literals(sc, &t[0]);
        if (ok) {
            entry *e = new_entry(ss, 'c', array);
            snprintf(e->kind, sizeof e->kind, "%s", kind);
            e->a = take(&t[0]);
        } else {
            free(t[0].b);
        }
        return ok;
    }
    bool fn = !strcmp(mark, "sb__scan_fn"), field = !strcmp(mark, "sb__scan_field");
    if (fn)
        ok = ok && read_ident(sc, kind, sizeof kind) && read_punct(sc, ',');
    ok = ok && read_literals(sc, &t[5]) && read_punct(sc, ',') && read_number(sc, &line);
    int nargs = fn || !field ? 2 : 4;
    for (int i = 0; ok && i < nargs; i++)
        ok = read_punct(sc, ',') && read_literals(sc, &t[i]);
    if (ok) {
        entry *e = new_entry(ss, fn ? 'f' : field ? 'd' : 'e', array);
        snprintf(e->kind, sizeof e->kind, "%s", kind);
        e->a = take(&t[0]);
        e->b = take(&t[1]);
        e->c = nargs > 2 ? take(&t[2]) : NULL;
        e->d = nargs > 3 ? take(&t[3]) : NULL;
        size_t n = strlen(e->b);
        if (e->what == 'e') { /* the base as #base: "\"ValueError\"" or NULL */
            if (n >= 2 && e->b[0] == '"') {
                memmove(e->b, e->b + 1, n - 2);
                e->b[n - 2] = '\0';
            } else {
                e->b[0] = '\0';
            }
        }
        t[0].b = t[1].b = t[2].b = t[3].b = NULL;
    }
    for (int i = 0; i < 6; i++)
        free(t[i].b);
    return ok;
}

static const char *skip_literal(const char *p, const char *end)
{
    char q = *p++;
    for (; p < end && *p != q; p++)
        if (*p == '\\')
            p++;
    return p < end ? p + 1 : end;
}

/* Every marker and class initializer of one preprocessed source. */
static void scan_stub_file(stubscan *ss, const char *src, const char *end)
{
    static const char *const marks[] = {"sb__scan_fn", "sb__scan_field", "sb__scan_exc", "sb__scan_const",
                                        "sb__scan_module"};
    char array[128] = "";
    int depth = 0;
    entry *cls = NULL; /* the class initializer being read (depth 2 of an array) */
    const char *p = src;
    while (p < end) {
        char ch = *p;
        if (ch == '"' || ch == '\'') {
            p = skip_literal(p, end);
        } else if (ch == '#' && (p == src || p[-1] == '\n')) {
            while (p < end && *p != '\n')
                p++;
        } else if (ch == '{') {
            if (depth == 0)
                array_before(src, p, array, sizeof array);
            if (++depth == 2 && array[0]) {
                cls = new_entry(ss, 'k', array);
            }
            p++;
        } else if (ch == '}') {
            if (depth == 2 && cls) {
                if (!cls->a)
                    cls->what = 0; /* not a class definition: ignored */
                cls = NULL;
            }
            if (--depth <= 0) {
                depth = 0;
                array[0] = '\0';
            }
            p++;
        } else if (ch == '.' && depth == 2 && cls) {
            scanner sc = {p + 1, end};
            char key[32];
            if (read_ident(&sc, key, sizeof key) && !strcmp(key, "flags") && read_punct(&sc, '=')) {
                cls->open = class_open(&sc);
            } else if (key[0]) {
                char **slot = !strcmp(key, "name") ? &cls->a : !strcmp(key, "base") ? &cls->b
                            : !strcmp(key, "methods") ? &cls->c : !strcmp(key, "fields") ? &cls->d : NULL;
                char *v = slot ? designated(&sc) : NULL;
                if (v) {
                    free(*slot);
                    *slot = v;
                }
            }
            p = sc.s > p + 1 ? sc.s : p + 1;
        } else if ((isalpha((unsigned char)ch) || ch == '_') &&
                   (p == src || !(isalnum((unsigned char)p[-1]) || p[-1] == '_'))) {
            scanner sc = {p, end};
            char id[64];
            read_ident(&sc, id, sizeof id);
            for (size_t k = 0; k < sizeof marks / sizeof *marks; k++)
                if (!strcmp(id, marks[k])) {
                    entry *keep = cls;
                    size_t at = cls ? (size_t)(cls - ss->v) : 0;
                    scan_marker(ss, &sc, id, array);
                    cls = keep ? &ss->v[at] : NULL; /* the table may have moved */
                }
            p = sc.s;
        } else {
            p++;
        }
    }
}

static const sb_stubnames cface_names = {"_Pointer", NULL, NULL};

static bool in_table(const entry *e, char what, const char *table)
{
    return e->what == what && table && !strcmp(e->array, table);
}

static sb_plan *plan_of(const entry *e, const sb_scope *scope, bool method)
{
    sb_error err = {0};
    sb_sig *s = sb__sig_parse_in(e->b, strlen(e->b), scope, &err);
    if (!s)
        return NULL; /* the check reports it */
    if (method)
        s->flags |= SB_SIG_METHOD;
    return sb__plan_new(s, &err);
}

/* "def name(sig): ..." of a function or method; kind: FUNCTION, METHOD, CLASS_METHOD, STATIC_METHOD. */
static void stub_def(text *o, const entry *e, const sb_scope *scope, const char *indent)
{
    bool inst = !strcmp(e->kind, "METHOD"), cls = !strcmp(e->kind, "CLASS_METHOD");
    sb_plan *pl = plan_of(e, scope, inst || cls);
    if (!pl)
        return;
    char *sig = sb__stub_signature(pl, &cface_names, inst ? "self" : cls ? "cls" : NULL);
    const char *name = pl->sig->name;
    if (sig && inst && (!strcmp(name, "__eq__") || !strcmp(name, "__ne__"))) {
        free(sig); /* NotImplemented for any other operand: object.__eq__'s own parameter type */
        text t = {0};
        t_printf(&t, "(self, %s: object) -> bool", pl->npy > 1 ? pl->py[1].name : "other");
        sig = t.b;
    }
    if (sig && inst && (!strcmp(name, "__repr__") || !strcmp(name, "__str__"))) {
        char *none = strstr(sig, " | None");
        if (none && !none[7])
            *none = '\0'; /* a NULL result is an error there, never None */
    }
    if (sig) {
        if (cls || !strcmp(e->kind, "STATIC_METHOD"))
            t_printf(o, "%s@%s\n", indent, cls ? "classmethod" : "staticmethod");
        t_printf(o, "%sdef %s%s: ...\n", indent, name, sig);
    }
    free(sig);
    sb__plan_free(pl);
}

static const char *prop_name_of(const char *name, const char *prefix)
{
    return strncmp(name, prefix, 4) == 0 && name[4] ? name + 4 : name;
}

/* A property from its getter (and the setter of the same name among the class's methods). */
static void stub_property(text *o, const stubscan *ss, const entry *getter, const char *methods, const sb_scope *scope)
{
    sb_plan *pl = plan_of(getter, scope, true);
    if (!pl)
        return;
    const char *name = prop_name_of(pl->sig->name, "get_");
    char *ty = sb__stub_type(&cface_names, pl->sig->ret, true);
    t_printf(o, "    @property\n    def %s(self) -> %s: ...\n", name, ty ? ty : "Any");
    free(ty);
    for (size_t i = 0; i < ss->n; i++) {
        const entry *e = &ss->v[i];
        if (!in_table(e, 'f', methods) || strcmp(e->kind, "SETTER"))
            continue;
        sb_plan *sp = plan_of(e, scope, true);
        if (sp && sp->sig->nparams == 2 && !strcmp(prop_name_of(sp->sig->name, "set_"), name)) {
            char *vt = sb__stub_type(&cface_names, sp->sig->params[1].type, false);
            t_printf(o, "    @%s.setter\n    def %s(self, value: %s) -> None: ...\n", name, name, vt ? vt : "Any");
            free(vt);
        }
        sb__plan_free(sp);
    }
    sb__plan_free(pl);
}

static void stub_field(text *o, const entry *e)
{
    const char *decl = e->c, *end = decl + strlen(decl);
    while (end > decl && isspace((unsigned char)end[-1]))
        end--;
    const char *nm = end;
    while (nm > decl && (isalnum((unsigned char)nm[-1]) || nm[-1] == '_'))
        nm--;
    sb_type t;
    sb_error err = {0};
    if (nm == end || sb__type_parse_in(decl, (size_t)(nm - decl), NULL, &t, &err) < 0)
        return;
    bool ro = strstr(e->d, "READONLY") || !strcmp(e->d, "1") || sb__type_is_cstring(t);
    char *ty = sb__stub_type(&cface_names, t, true);
    if (ty && t.kind == SB_K_PYOBJECT && t.ptr == 1 && !ro) {
        free(ty); /* reads None while NULL; takes any object */
        ty = dup_text("Any", 3);
    }
    if (ro)
        t_printf(o, "    @property\n    def %.*s(self) -> %s: ...\n", (int)(end - nm), nm, ty ? ty : "Any");
    else
        t_printf(o, "    %.*s: %s\n", (int)(end - nm), nm, ty ? ty : "Any");
    free(ty);
}

static void stub_class(text *o, const stubscan *ss, const entry *k, const sb_scope *scope)
{
    t_printf(o, "\n%sclass %s%s%s%s:\n", k->open ? "" : "@final\n", k->a, k->b ? "(" : "", k->b ? k->b : "",
             k->b ? ")" : "");
    size_t start = o->n;
    for (size_t i = 0; i < ss->n; i++)
        if (in_table(&ss->v[i], 'd', k->d))
            stub_field(o, &ss->v[i]);
    for (size_t i = 0; i < ss->n; i++) {
        const entry *e = &ss->v[i];
        if (!in_table(e, 'f', k->c) || !strcmp(e->kind, "SETTER"))
            continue;
        if (!strcmp(e->kind, "GETTER"))
            stub_property(o, ss, e, k->c, scope);
        else
            stub_def(o, e, scope, "    ");
    }
    if (o->n == start)
        t_puts(o, "    ...\n");
}

static const char pointer_class[] =
    "\n# A pointer value: sigbind.Pointer, the runtime's own type (an address with its C type; NULL is None).\n"
    "class _Pointer:\n"
    "    @property\n    def address(self) -> int: ...\n"
    "    @property\n    def type(self) -> str: ...\n"
    "    value: Any\n"
    "    def __int__(self) -> int: ...\n"
    "    def __index__(self) -> int: ...\n"
    "    def __getitem__(self, index: int) -> Any: ...\n"
    "    def __setitem__(self, index: int, value: Any) -> None: ...\n"
    "    def __len__(self) -> int: ...\n";

/* The exception's base as Python code: "ValueError", "asyncio.CancelledError". */
static const char *exc_base(const entry *e)
{
    return e->b[0] ? e->b : "Exception";
}

static void write_stub_text(text *o, const stubscan *ss, const sb_scope *scope, const char *sources)
{
    t_printf(o, "# %s.pyi — type stub of %s.abi3.so, written by sigbind-sigcheck from the signature tables of %s. "
                "Do not edit.\n", ss->module, ss->module, sources);
    t_puts(o, sb__stub_prelude());
    t_puts(o, "from typing import final\n"); /* classes without SB_SUBCLASSABLE */
    for (size_t i = 0; i < ss->n; i++) {
        const entry *e = &ss->v[i];
        if (in_table(e, 'e', ss->tables[1])) {
            const char *b = exc_base(e), *dot = strrchr(b, '.');
            if (dot)
                t_printf(o, "import %.*s\n", (int)(dot - b), b);
        }
    }
    t_puts(o, pointer_class);
    t_puts(o, "\n");
    for (size_t i = 0; i < ss->n; i++) {
        const entry *e = &ss->v[i];
        if (in_table(e, 'c', ss->tables[2]))
            t_printf(o, "%s: %s\n", e->a, !strcmp(e->kind, "INT") ? "int" : !strcmp(e->kind, "FLOAT") ? "float" : "str");
    }
    for (size_t i = 0; i < ss->n; i++) {
        const entry *e = &ss->v[i];
        if (in_table(e, 'e', ss->tables[1]))
            t_printf(o, "\nclass %s(%s): ...\n", e->a, exc_base(e));
    }
    t_puts(o, "\n");
    for (size_t i = 0; i < ss->n; i++)
        if (in_table(&ss->v[i], 'f', ss->tables[0]))
            stub_def(o, &ss->v[i], scope, "");
    for (size_t i = 0; i < ss->n; i++)
        if (in_table(&ss->v[i], 'k', ss->tables[3]))
            stub_class(o, ss, &ss->v[i], scope);
}

static void free_classes(classes *cl)
{
    for (size_t i = 0; i < cl->n; i++) {
        free((void *)cl->v[i].name);
        free((void *)cl->v[i].user);
    }
    free(cl->v);
}

static void free_stubscan(stubscan *ss)
{
    for (size_t i = 0; i < ss->n; i++) {
        entry *e = &ss->v[i];
        free(e->array);
        free(e->a);
        free(e->b);
        free(e->c);
        free(e->d);
    }
    free(ss->v);
    free(ss->module);
    for (int k = 0; k < 4; k++)
        free(ss->tables[k]);
}

/* sigbind-sigcheck --stub out.pyi a.i [b.i ...]: 0, or 1 (no SB_MODULE found), 2 (I/O). */
static int stub_main(int argc, char **argv)
{
    stubscan ss = {0};
    classes cl = {0};
    text names = {0}, o = {0};
    int status = 0;
    for (int i = 3; i < argc && !status; i++) {
        size_t len;
        char *src = read_file(argv[i], &len);
        if (!src) {
            fprintf(stderr, "sigbind-sigcheck: cannot read %s\n", argv[i]);
            status = 2;
            break;
        }
        find_classes(src, src + len, &cl);
        scan_stub_file(&ss, src, src + len);
        free(src);
        const char *base = strrchr(argv[i], '/');
        t_printf(&names, "%s%s", i > 3 ? ", " : "", base ? base + 1 : argv[i]);
    }
    if (!status && !ss.module) {
        fprintf(stderr, "sigbind-sigcheck: no SB_MODULE in %s: no stub written\n", names.b ? names.b : "(no files)");
        status = 1;
    }
    if (!status) {
        sb_scope scope = {class_lookup, &cl, NULL, 0, NULL};
        write_stub_text(&o, &ss, &scope, names.b);
        FILE *f = fopen(argv[2], "wb");
        bool written = f && fwrite(o.b, 1, o.n, f) == o.n;
        if ((f && fclose(f) != 0) || !written) {
            fprintf(stderr, "sigbind-sigcheck: cannot write %s\n", argv[2]);
            status = 2;
        }
    }
    free(o.b);
    free(names.b);
    free_stubscan(&ss);
    free_classes(&cl);
    return status;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && !strcmp(argv[1], "--stub"))
        return stub_main(argc, argv);
    if (argc != 4) {
        fputs("usage: sigbind-sigcheck <preprocessed.i> <source.c> <out.c>\n"
              "       sigbind-sigcheck --stub <module.pyi> <preprocessed.i>...\n", stderr);
        return 2;
    }
    size_t len;
    char *src = read_file(argv[1], &len);
    if (!src) {
        fprintf(stderr, "sigbind-sigcheck: cannot read %s\n", argv[1]);
        return 2;
    }
    classes cl = {0};
    find_classes(src, src + len, &cl);
    sb_scope scope = {class_lookup, &cl, NULL, 0, NULL};
    out o = {{0}, 0, 0, &scope};
    t_puts(&o.c, "/* Generated by sigbind-sigcheck: the tables of ");
    t_cstr(&o.c, argv[2]);
    t_puts(&o.c, " checked against their signatures. Do not edit. */\n#include \"");
    t_cstr(&o.c, argv[2]);
    t_puts(&o.c, "\"\n");
    static const char fn_mark[] = "sb__scan_fn", field_mark[] = "sb__scan_field";
    for (const char *p = src; p < src + len; p++) {
        if (p > src && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
            continue;
        bool fn = strncmp(p, fn_mark, sizeof fn_mark - 1) == 0 && !isalnum((unsigned char)p[sizeof fn_mark - 1]) &&
                  p[sizeof fn_mark - 1] != '_';
        bool field = !fn && strncmp(p, field_mark, sizeof field_mark - 1) == 0 &&
                     !isalnum((unsigned char)p[sizeof field_mark - 1]) && p[sizeof field_mark - 1] != '_';
        if (!fn && !field)
            continue;
        scanner sc = {p + (fn ? sizeof fn_mark : sizeof field_mark) - 1, src + len};
        read_marker(&o, &sc, field);
        p = sc.s - 1;
    }
    free(src);
    for (size_t i = 0; i < cl.n; i++) {
        free((void *)cl.v[i].name);
        free((void *)cl.v[i].user);
    }
    free(cl.v);
    if (o.errors) {
        free(o.c.b);
        return 1;
    }
    FILE *f = fopen(argv[3], "wb");
    if (!f || fwrite(o.c.b, 1, o.c.n, f) != o.c.n || fclose(f) != 0) {
        fprintf(stderr, "sigbind-sigcheck: cannot write %s\n", argv[3]);
        return 2;
    }
    free(o.c.b);
    return 0;
}
