/* sig.c — the signature language: prototype text -> sb_sig, one arena per signature (plain C). */
#include "core/internal.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Arena: one malloc for the usual signature, chained chunks beyond.   */

typedef struct sb_chunk {
    struct sb_chunk *next;
} sb_chunk;

typedef struct sb_kid {
    struct sb_kid *next;
    sb_sig *sig;
} sb_kid;

typedef struct sb_arena {
    sb_chunk *extra;   /* further chunks */
    sb_kid *kids;      /* signatures of function pointer types inside this one, freed with it */
    char *cur, *end;
} sb_arena;

#define SB_ARENA_FIRST 1536

static void *arena_alloc(sb_arena *a, size_t n)
{
    n = (n + 7u) & ~(size_t)7u;
    if ((size_t)(a->end - a->cur) < n) {
        size_t cap = n > 4096 ? n : 4096;
        sb_chunk *c = malloc(sizeof(sb_chunk) + 8 + cap);
        if (!c)
            return NULL;
        c->next = a->extra;
        a->extra = c;
        a->cur = (char *)c + ((sizeof(sb_chunk) + 7u) & ~(size_t)7u);
        a->end = a->cur + cap;
    }
    void *p = a->cur;
    a->cur += n;
    return p;
}

static char *arena_strndup(sb_arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

void sb__sig_free(sb_sig *sig)
{
    if (!sig)
        return;
    sb_arena *a = sig->arena;
    for (sb_kid *k = a->kids; k; k = k->next)
        sb__sig_free(k->sig);
    sb_chunk *c = a->extra;
    while (c) {
        sb_chunk *n = c->next;
        free(c);
        c = n;
    }
    free(a); /* the first block holds the arena header and the signature */
}

void sb__error_set(sb_error *err, size_t col, const char *fmt, ...)
{
    if (!err)
        return;
    err->col = col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------ */
/* Lexer                                                               */

typedef enum tok_kind {
    T_END, T_IDENT, T_INT, T_FLOAT, T_STRING, T_CHAR, T_PUNCT, T_ELLIPSIS, T_BAD
} tok_kind;

typedef struct tok {
    tok_kind kind;
    size_t pos, len;   /* span in the text */
    char punct;        /* for T_PUNCT: the character; '=' '!' '<' '>' may be two-char ops */
    char punct2;       /* second char of a two-char operator, else 0 */
} tok;

typedef struct parser {
    const char *s;
    size_t n, pos;
    tok t;             /* current token */
    sb_arena *a;
    sb_error *err;
    bool failed;
    const sb_scope *scope; /* resolves names the table does not know; may be NULL */
    int depth;             /* function pointer types nest: their signatures are parsed recursively */
} parser;

static bool is_ident_start(int c) { return isalpha(c) || c == '_'; }
static bool is_ident_char(int c) { return isalnum(c) || c == '_'; }

/* Skips blanks and C comments. Returns false on an unterminated comment. */
static bool skip_space(parser *p)
{
    while (p->pos < p->n) {
        unsigned char c = (unsigned char)p->s[p->pos];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            p->pos++;
        } else if (c == '\\' && p->pos + 1 < p->n && p->s[p->pos + 1] == '\n') {
            p->pos += 2; /* a continued line of a #define */
        } else if (c == '/' && p->pos + 1 < p->n && p->s[p->pos + 1] == '*') {
            const char *e = NULL;
            for (size_t i = p->pos + 2; i + 1 < p->n; i++)
                if (p->s[i] == '*' && p->s[i + 1] == '/') {
                    e = p->s + i;
                    break;
                }
            if (!e) {
                sb__error_set(p->err, p->pos, "unterminated comment");
                p->failed = true;
                return false;
            }
            p->pos = (size_t)(e - p->s) + 2;
        } else if (c == '/' && p->pos + 1 < p->n && p->s[p->pos + 1] == '/') {
            while (p->pos < p->n && p->s[p->pos] != '\n')
                p->pos++;
        } else {
            break;
        }
    }
    return true;
}

static void fail(parser *p, size_t col, const char *fmt, ...) SB_PRINTF(3, 4);
static void fail(parser *p, size_t col, const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = true;
    if (p->err) {
        p->err->col = col;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->err->msg, sizeof p->err->msg, fmt, ap);
        va_end(ap);
    }
}

static void next(parser *p)
{
    tok *t = &p->t;
    t->punct = t->punct2 = 0;
    if (!skip_space(p)) {
        t->kind = T_BAD;
        t->pos = p->pos;
        t->len = 0;
        return;
    }
    t->pos = p->pos;
    if (p->pos >= p->n) {
        t->kind = T_END;
        t->len = 0;
        return;
    }
    const char *s = p->s;
    size_t i = p->pos;
    unsigned char c = (unsigned char)s[i];
    if (is_ident_start(c)) {
        while (i < p->n && is_ident_char((unsigned char)s[i]))
            i++;
        t->kind = T_IDENT;
    } else if (isdigit(c) || (c == '.' && i + 1 < p->n && isdigit((unsigned char)s[i + 1]))) {
        bool flt = false;
        if (c == '0' && i + 1 < p->n && (s[i + 1] == 'x' || s[i + 1] == 'X' || s[i + 1] == 'b' || s[i + 1] == 'B')) {
            i += 2;
            while (i < p->n && isxdigit((unsigned char)s[i]))
                i++;
        } else {
            while (i < p->n && isdigit((unsigned char)s[i]))
                i++;
            if (i < p->n && s[i] == '.') {
                flt = true;
                i++;
                while (i < p->n && isdigit((unsigned char)s[i]))
                    i++;
            }
            if (i < p->n && (s[i] == 'e' || s[i] == 'E')) {
                size_t j = i + 1;
                if (j < p->n && (s[j] == '+' || s[j] == '-'))
                    j++;
                if (j < p->n && isdigit((unsigned char)s[j])) {
                    flt = true;
                    i = j;
                    while (i < p->n && isdigit((unsigned char)s[i]))
                        i++;
                }
            }
        }
        while (i < p->n && is_ident_char((unsigned char)s[i])) /* suffixes: u l ul ll f */
            i++;
        t->kind = flt ? T_FLOAT : T_INT;
    } else if (c == '"' || c == '\'') {
        i++;
        while (i < p->n && s[i] != (char)c) {
            if (s[i] == '\\')
                i++;
            if (i < p->n && s[i] == '\n')
                break;
            i++;
        }
        if (i >= p->n || s[i] != (char)c) {
            t->kind = T_BAD;
            t->len = 0;
            fail(p, p->pos, c == '"' ? "unterminated string literal" : "unterminated character literal");
            return;
        }
        i++;
        t->kind = c == '"' ? T_STRING : T_CHAR;
    } else if (c == '.' && i + 2 < p->n && s[i + 1] == '.' && s[i + 2] == '.') {
        i += 3;
        t->kind = T_ELLIPSIS;
    } else {
        t->kind = T_PUNCT;
        t->punct = (char)c;
        i++;
        if ((c == '=' || c == '!' || c == '<' || c == '>') && i < p->n && s[i] == '=') {
            t->punct2 = '=';
            i++;
        }
    }
    t->len = i - t->pos;
    p->pos = i;
}

static bool tok_is(const parser *p, const char *word)
{
    size_t n = strlen(word);
    return p->t.kind == T_IDENT && p->t.len == n && memcmp(p->s + p->t.pos, word, n) == 0;
}

static bool punct_is(const parser *p, char c)
{
    return p->t.kind == T_PUNCT && p->t.punct == c && p->t.punct2 == 0;
}

/* What the current token is, for messages: "'foo'", "end of text". */
static const char *tok_desc(parser *p, char *buf, size_t cap)
{
    if (p->t.kind == T_END)
        return "end of text";
    size_t n = p->t.len > 40 ? 40 : p->t.len;
    snprintf(buf, cap, "'%.*s'", (int)n, p->s + p->t.pos);
    return buf;
}

static void expected(parser *p, const char *what)
{
    char b[64];
    fail(p, p->t.pos, "expected %s, found %s", what, tok_desc(p, b, sizeof b));
}

/* ------------------------------------------------------------------ */
/* Types                                                               */

typedef struct spec {
    int nlong, nshort, nsigned, nunsigned, nint, nchar, nvoid, nbool, nfloat, ndouble;
    int named;            /* a typedef-like name (int8_t, size_t, PyObject, ...): its kind + 1 */
    const sb_named *nd;   /* a name the scope knows (a class, an opaque handle type) */
    bool cconst;
    bool any;
    size_t start;
} spec;

static const struct { const char *name; sb_kind kind; } named_types[] = {
    {"int8_t", SB_K_INT8}, {"uint8_t", SB_K_UINT8}, {"int16_t", SB_K_INT16},
    {"uint16_t", SB_K_UINT16}, {"int32_t", SB_K_INT32}, {"uint32_t", SB_K_UINT32},
    {"int64_t", SB_K_INT64}, {"uint64_t", SB_K_UINT64}, {"size_t", SB_K_SIZE},
    {"ssize_t", SB_K_SSIZE}, {"intptr_t", SB_K_INTPTR}, {"uintptr_t", SB_K_UINTPTR},
    {"ptrdiff_t", SB_K_PTRDIFF}, {"PyObject", SB_K_PYOBJECT},
};

/* Reads declaration specifiers. Stops at the first token that is not one
 * (the declarator). Returns false on error. */
static bool parse_specs(parser *p, spec *sp, const char *where)
{
    memset(sp, 0, sizeof *sp);
    sp->start = p->t.pos;
    for (;;) {
        if (p->t.kind != T_IDENT)
            break;
        const char *w = p->s + p->t.pos;
        size_t n = p->t.len;
#define IS(word) (n == sizeof(word) - 1 && memcmp(w, word, n) == 0)
        if (IS("const")) sp->cconst = true;
        else if (IS("volatile") || IS("extern") || IS("static") || IS("inline") || IS("restrict")) {}
        else if (IS("long")) sp->nlong++, sp->any = true;
        else if (IS("short")) sp->nshort++, sp->any = true;
        else if (IS("signed")) sp->nsigned++, sp->any = true;
        else if (IS("unsigned")) sp->nunsigned++, sp->any = true;
        else if (IS("int")) sp->nint++, sp->any = true;
        else if (IS("char")) sp->nchar++, sp->any = true;
        else if (IS("void")) sp->nvoid++, sp->any = true;
        else if (IS("bool") || IS("_Bool")) sp->nbool++, sp->any = true;
        else if (IS("float")) sp->nfloat++, sp->any = true;
        else if (IS("double")) sp->ndouble++, sp->any = true;
        else if (IS("struct") || IS("union") || IS("enum")) {
            /* `struct Rect *` names a scope's type as well as `Rect *` */
            size_t kwpos = p->t.pos;
            int tag = IS("enum") ? 'e' : IS("union") ? 'u' : 's';
            next(p);
            const sb_named *nd = NULL;
            if (!p->failed && p->t.kind == T_IDENT && p->scope && !sp->any)
                nd = p->scope->lookup(p->scope, p->s + p->t.pos, p->t.len, tag);
            if (!nd) {
                if (!p->failed && tag == 'e' && p->t.kind == T_IDENT)
                    fail(p, kwpos, "enum '%.*s' is not declared (declare it first: 'enum %.*s { ... };')",
                         (int)(p->t.len > 64 ? 64 : p->t.len), p->s + p->t.pos, (int)(p->t.len > 64 ? 64 : p->t.len),
                         p->s + p->t.pos);
                if (!p->failed && p->t.kind == T_IDENT)
                    fail(p, kwpos, "%.*s '%.*s' is not declared (declare it first in load() or declare(): "
                         "'%.*s %.*s { ... };' or 'typedef %.*s %.*s %.*s;')", (int)n, w,
                         (int)(p->t.len > 64 ? 64 : p->t.len), p->s + p->t.pos, (int)n, w,
                         (int)(p->t.len > 64 ? 64 : p->t.len), p->s + p->t.pos, (int)n, w,
                         (int)(p->t.len > 64 ? 64 : p->t.len), p->s + p->t.pos, (int)(p->t.len > 64 ? 64 : p->t.len),
                         p->s + p->t.pos);
                if (!p->failed)
                    expected(p, n == 6 ? "the struct's tag" : "the union's tag");
                return false;
            }
            sp->nd = nd;
            sp->any = true;
        } else if (IS("typedef")) {
            fail(p, p->t.pos, "a typedef is a declaration, not a prototype: give it to load() or declare()");
            return false;
        } else if (IS("_Complex") || IS("__int128") || IS("_Float128")) {
            fail(p, p->t.pos, "type '%.*s' is not supported", (int)n, w);
            return false;
        } else {
            if (sp->any)
                break; /* the declarator's name */
            bool found = false;
            for (size_t i = 0; i < sizeof named_types / sizeof named_types[0]; i++)
                if (strlen(named_types[i].name) == n && memcmp(named_types[i].name, w, n) == 0) {
                    sp->named = (int)named_types[i].kind + 1;
                    found = true;
                    break;
                }
            if (!found && p->scope && (sp->nd = p->scope->lookup(p->scope, w, n, 0)) != NULL)
                found = true;
            if (!found) {
                fail(p, p->t.pos, "unknown type name '%.*s' (declare it first: a typedef in load() or declare())", (int)n, w);
                return false;
            }
            sp->any = true;
        }
#undef IS
        next(p);
        if (p->failed)
            return false;
    }
    if (!sp->any) {
        char what[80];
        snprintf(what, sizeof what, "a type%s", where);
        expected(p, what);
        return false;
    }
    return true;
}

/* Resolves the collected specifiers to a kind. */
static bool resolve_spec(parser *p, const spec *sp, sb_kind *out)
{
    int base = sp->nvoid + sp->nbool + sp->nfloat + sp->ndouble + sp->nchar + (sp->named ? 1 : 0) + (sp->nd ? 1 : 0);
    bool sign = sp->nsigned || sp->nunsigned;
    if (base > 1 || sp->nint > 1 || (sp->nsigned && sp->nunsigned) || sp->nlong > 2 ||
        (sp->nshort && sp->nlong) || sp->nshort > 1 || sp->nsigned > 1 || sp->nunsigned > 1)
        goto invalid;
    if (sp->named || sp->nd) {
        if (sign || sp->nint || sp->nlong || sp->nshort)
            goto invalid;
        *out = sp->nd ? SB_K_VOID : (sb_kind)(sp->named - 1);
        return true;
    }
    if (sp->nvoid || sp->nbool || sp->nfloat) {
        if (sign || sp->nint || sp->nlong || sp->nshort)
            goto invalid;
        *out = sp->nvoid ? SB_K_VOID : sp->nbool ? SB_K_BOOL : SB_K_FLOAT;
        return true;
    }
    if (sp->ndouble) {
        if (sp->nlong) {
            fail(p, sp->start, "type 'long double' is not supported");
            return false;
        }
        if (sign || sp->nint || sp->nshort)
            goto invalid;
        *out = SB_K_DOUBLE;
        return true;
    }
    if (sp->nchar) {
        if (sp->nint || sp->nlong || sp->nshort)
            goto invalid;
        *out = sp->nunsigned ? SB_K_UCHAR : sp->nsigned ? SB_K_SCHAR : SB_K_CHAR;
        return true;
    }
    if (sp->nshort)
        *out = sp->nunsigned ? SB_K_USHORT : SB_K_SHORT;
    else if (sp->nlong == 2)
        *out = sp->nunsigned ? SB_K_ULLONG : SB_K_LLONG;
    else if (sp->nlong == 1)
        *out = sp->nunsigned ? SB_K_ULONG : SB_K_LONG;
    else
        *out = sp->nunsigned ? SB_K_UINT : SB_K_INT;
    return true;
invalid:
    fail(p, sp->start, "invalid combination of type specifiers");
    return false;
}

/* The base type of a resolved spec: a scope's name stands for itself, or for
 * the type a typedef names (which may already carry pointers). */
static void apply_spec(const spec *sp, sb_kind k, sb_type *t)
{
    t->kind = (uint8_t)k;
    t->cconst = sp->cconst;
    t->named = sp->nd;
    t->ptr = 0;
    if (sp->nd && sp->nd->what == SB_NAMED_ALIAS) {
        t->kind = sp->nd->alias.kind;
        t->named = sp->nd->alias.named;
        t->ptr = sp->nd->alias.ptr;
        t->cconst = sp->cconst || sp->nd->alias.cconst;
    }
}

/* Pointer part of a declarator: ('*' qualifiers*)*. */
static bool parse_pointers(parser *p, sb_type *t)
{
    while (punct_is(p, '*')) {
        if (t->ptr >= 8) {
            fail(p, p->t.pos, "too many levels of pointers");
            return false;
        }
        t->ptr++;
        next(p);
        while (tok_is(p, "const") || tok_is(p, "volatile") || tok_is(p, "restrict"))
            next(p);
        if (p->failed)
            return false;
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* Literals                                                            */

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes the escapes of a string or character literal body into out (cap >= n+1).
 * Returns the decoded length or (size_t)-1 on a bad escape (col set). */
static size_t decode_escapes(parser *p, size_t pos, size_t n, char *out)
{
    const char *s = p->s + pos;
    size_t o = 0, i;
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (c != '\\') {
            out[o++] = c;
            continue;
        }
        if (++i >= n)
            goto bad;
        c = s[i];
        switch (c) {
        case 'n': out[o++] = '\n'; break;
        case 't': out[o++] = '\t'; break;
        case 'r': out[o++] = '\r'; break;
        case 'a': out[o++] = '\a'; break;
        case 'b': out[o++] = '\b'; break;
        case 'f': out[o++] = '\f'; break;
        case 'v': out[o++] = '\v'; break;
        case '\\': case '\'': case '"': case '?': out[o++] = c; break;
        case 'x': {
            unsigned v = 0;
            int digits = 0;
            while (i + 1 < n && hexval((unsigned char)s[i + 1]) >= 0 && digits < 2) {
                v = v * 16 + (unsigned)hexval((unsigned char)s[++i]);
                digits++;
            }
            if (!digits)
                goto bad;
            out[o++] = (char)v;
            break;
        }
        default:
            if (c >= '0' && c <= '7') {
                unsigned v = (unsigned)(c - '0');
                int digits = 1;
                while (i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '7' && digits < 3) {
                    v = v * 8 + (unsigned)(s[++i] - '0');
                    digits++;
                }
                if (v > 255)
                    goto bad;
                out[o++] = (char)v;
                break;
            }
            goto bad;
        }
    }
    out[o] = '\0';
    return o;
bad:
    fail(p, pos + (i < n ? i : n), "invalid escape sequence in literal");
    return (size_t)-1;
}

/* Integer literal text (no sign) -> magnitude. */
static bool parse_int_text(parser *p, size_t pos, size_t len, uint64_t *mag)
{
    const char *s = p->s + pos;
    size_t i = 0;
    unsigned base = 10;
    if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
    } else if (len >= 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
        base = 2;
        i = 2;
    } else if (len >= 1 && s[0] == '0') {
        base = 8;
    }
    size_t digits_start = i;
    uint64_t v = 0;
    for (; i < len; i++) {
        int d = hexval((unsigned char)s[i]);
        if (d < 0 || (unsigned)d >= base)
            break;
        if (v > (UINT64_MAX - (uint64_t)d) / base) {
            fail(p, pos, "integer literal '%.*s' is too large", (int)len, s);
            return false;
        }
        v = v * base + (uint64_t)d;
    }
    if (i == digits_start && base != 8)
        goto bad;
    /* suffixes: any mix of u/U and l/L/ll/LL */
    for (size_t j = i; j < len; j++)
        if (s[j] != 'u' && s[j] != 'U' && s[j] != 'l' && s[j] != 'L')
            goto bad;
    if (len - i > 3)
        goto bad;
    *mag = v;
    return true;
bad:
    fail(p, pos, "invalid integer literal '%.*s'", (int)len, s);
    return false;
}

/* literal := ['-'|'+'] (INT | FLOAT | CHAR) | STRING | NULL | nullptr | None | true | false | True | False */
static bool parse_literal(parser *p, sb_literal *lit, size_t *span_start, size_t *span_end)
{
    memset(lit, 0, sizeof *lit);
    *span_start = p->t.pos;
    bool neg = false, sign = false;
    if (p->t.kind == T_PUNCT && (p->t.punct == '-' || p->t.punct == '+') && !p->t.punct2) {
        neg = p->t.punct == '-';
        sign = true;
        next(p);
    }
    switch (p->t.kind) {
    case T_INT:
        lit->kind = SB_LIT_INT;
        lit->neg = neg;
        if (!parse_int_text(p, p->t.pos, p->t.len, &lit->mag))
            return false;
        if (lit->mag == 0)
            lit->neg = false;
        lit->d = neg ? -(double)lit->mag : (double)lit->mag;
        break;
    case T_FLOAT: {
        char buf[64];
        size_t n = p->t.len;
        const char *s = p->s + p->t.pos;
        while (n && (s[n - 1] == 'f' || s[n - 1] == 'F' || s[n - 1] == 'l' || s[n - 1] == 'L'))
            n--;
        if (n >= sizeof buf) {
            fail(p, p->t.pos, "floating literal is too long");
            return false;
        }
        memcpy(buf, s, n);
        buf[n] = '\0';
        char *end;
        double d = strtod(buf, &end);
        if (*end) {
            fail(p, p->t.pos, "invalid floating literal '%.*s'", (int)p->t.len, s);
            return false;
        }
        lit->kind = SB_LIT_FLOAT;
        lit->d = neg ? -d : d;
        break;
    }
    case T_CHAR: {
        char tmp[16];
        if (p->t.len - 2 > 8) {
            fail(p, p->t.pos, "invalid character literal");
            return false;
        }
        size_t n = decode_escapes(p, p->t.pos + 1, p->t.len - 2, tmp);
        if (n == (size_t)-1)
            return false;
        if (n != 1) {
            fail(p, p->t.pos, "character literal must hold exactly one character");
            return false;
        }
        lit->kind = SB_LIT_INT;
        lit->mag = (unsigned char)tmp[0];
        lit->neg = neg && lit->mag;
        lit->d = neg ? -(double)lit->mag : (double)lit->mag;
        break;
    }
    case T_STRING: {
        if (sign)
            goto bad;
        char *out = arena_alloc(p->a, p->t.len);
        if (!out) {
            fail(p, p->t.pos, "out of memory");
            return false;
        }
        size_t n = decode_escapes(p, p->t.pos + 1, p->t.len - 2, out);
        if (n == (size_t)-1)
            return false;
        lit->kind = SB_LIT_STRING;
        lit->s = out;
        lit->len = n;
        break;
    }
    case T_IDENT:
        if (sign)
            goto bad;
        if (tok_is(p, "NULL") || tok_is(p, "nullptr") || tok_is(p, "None")) {
            lit->kind = SB_LIT_NULL;
        } else if (tok_is(p, "true") || tok_is(p, "True")) {
            lit->kind = SB_LIT_BOOL;
            lit->mag = 1;
        } else if (tok_is(p, "false") || tok_is(p, "False")) {
            lit->kind = SB_LIT_BOOL;
        } else {
            goto bad;
        }
        break;
    default:
        goto bad;
    }
    *span_end = p->t.pos + p->t.len;
    next(p);
    return !p->failed;
bad:
    expected(p, "a literal (integer, float, string, NULL, true or false)");
    return false;
}

/* ------------------------------------------------------------------ */
/* Annotations: '[[' item (',' item)* ']]'                            */

typedef struct annot_ctx {
    sb_sig *sig;      /* function annotations, or NULL */
    sb_param *param;  /* parameter annotations, or NULL */
} annot_ctx;

static char *ident_dup(parser *p)
{
    char *s = arena_strndup(p->a, p->s + p->t.pos, p->t.len);
    if (!s)
        fail(p, p->t.pos, "out of memory");
    return s;
}

/* cond := [op] literal */
static bool parse_cond(parser *p, sb_contract *c)
{
    c->cmp = SB_CMP_EQ;
    if (p->t.kind == T_PUNCT) {
        char a = p->t.punct, b = p->t.punct2;
        bool op = true;
        if (a == '=' && b == '=') c->cmp = SB_CMP_EQ;
        else if (a == '!' && b == '=') c->cmp = SB_CMP_NE;
        else if (a == '<' && b == '=') c->cmp = SB_CMP_LE;
        else if (a == '>' && b == '=') c->cmp = SB_CMP_GE;
        else if (a == '<' && !b) c->cmp = SB_CMP_LT;
        else if (a == '>' && !b) c->cmp = SB_CMP_GT;
        else op = false;
        if (op)
            next(p);
    }
    size_t s0, s1;
    size_t at = p->t.pos;
    if (!parse_literal(p, &c->value, &s0, &s1))
        return false;
    if (c->value.kind != SB_LIT_INT && c->value.kind != SB_LIT_NULL) {
        fail(p, at, "an error condition compares with an integer or NULL");
        return false;
    }
    if (c->value.kind == SB_LIT_NULL && c->cmp != SB_CMP_EQ && c->cmp != SB_CMP_NE) {
        fail(p, at, "NULL can only be compared with == or !=");
        return false;
    }
    return true;
}

static bool parse_annotation_item(parser *p, annot_ctx *ctx)
{
    if (p->t.kind != T_IDENT) {
        expected(p, "an annotation name");
        return false;
    }
    size_t at = p->t.pos;
    char name[24];
    size_t n = p->t.len < sizeof name - 1 ? p->t.len : sizeof name - 1;
    memcpy(name, p->s + p->t.pos, n);
    name[n] = '\0';
    next(p);
    bool has_args = punct_is(p, '(');
    if (has_args)
        next(p);
    if (p->failed)
        return false;

    if (ctx->param) {
        if (!strcmp(name, "out") || !strcmp(name, "inout")) {
            if (has_args) {
                fail(p, at, "[[%s]] takes no arguments", name);
                return false;
            }
            if (ctx->param->flags & (SB_PARAM_OUT | SB_PARAM_INOUT)) {
                fail(p, at, "parameter already has [[out]] or [[inout]]");
                return false;
            }
            ctx->param->flags |= name[0] == 'o' ? SB_PARAM_OUT : SB_PARAM_INOUT;
            return true;
        }
        fail(p, at, "unknown parameter annotation '%s' (expected out or inout)", name);
        return false;
    }

    sb_sig *sig = ctx->sig;
    if (!strcmp(name, "nogil")) {
        if (has_args) {
            fail(p, at, "[[nogil]] takes no arguments");
            return false;
        }
        sig->flags |= SB_SIG_NOGIL;
        return true;
    }
    if (!strcmp(name, "free")) {
        sig->flags |= SB_SIG_FREE;
        if (has_args) {
            if (p->t.kind != T_IDENT) {
                expected(p, "the name of a deallocation function");
                return false;
            }
            if (!(sig->free_fn = ident_dup(p)))
                return false;
            next(p);
            if (!punct_is(p, ')')) {
                expected(p, "')'");
                return false;
            }
            next(p);
        }
        return !p->failed;
    }
    if (!strcmp(name, "errno") || !strcmp(name, "status")) {
        if (sig->contract.kind != SB_CONTRACT_NONE) {
            fail(p, at, "only one error contract ([[errno]] or [[status]]) is allowed");
            return false;
        }
        sb_contract *c = &sig->contract;
        bool is_status = name[0] == 's';
        c->kind = is_status ? SB_CONTRACT_STATUS : SB_CONTRACT_ERRNO;
        /* Defaults: errno -> == -1 (integers) or == NULL (pointers), decided in
         * plan from the result type; status -> != 0. */
        c->cmp = is_status ? SB_CMP_NE : SB_CMP_EQ;
        c->value.kind = is_status ? SB_LIT_INT : SB_LIT_NONE;
        if (has_args) {
            if (!parse_cond(p, c))
                return false;
            if (is_status && punct_is(p, ',')) {
                next(p);
                if (p->t.kind != T_IDENT) {
                    expected(p, "the name of a message function");
                    return false;
                }
                if (!(c->msg_fn = ident_dup(p)))
                    return false;
                next(p);
            }
            if (!punct_is(p, ')')) {
                expected(p, is_status ? "',' or ')'" : "')'");
                return false;
            }
            next(p);
        }
        return !p->failed;
    }
    if (!strcmp(name, "out") || !strcmp(name, "inout")) {
        fail(p, at, "[[%s]] belongs after a parameter, not after the function", name);
        return false;
    }
    fail(p, at, "unknown annotation '%s' (expected nogil, free, errno or status)", name);
    return false;
}

/* Parses zero or more '[[...]]' groups. */
static bool parse_annotations(parser *p, annot_ctx *ctx)
{
    while (punct_is(p, '[')) {
        size_t at = p->t.pos;
        next(p);
        if (!punct_is(p, '[')) {
            if (ctx->param)
                return true; /* an array declarator is handled by the caller */
            fail(p, at, "expected '[[' to start an annotation");
            return false;
        }
        next(p);
        for (;;) {
            if (!parse_annotation_item(p, ctx))
                return false;
            if (punct_is(p, ',')) {
                next(p);
                continue;
            }
            break;
        }
        if (!punct_is(p, ']')) {
            expected(p, "']]' to end the annotation");
            return false;
        }
        next(p);
        if (!punct_is(p, ']')) {
            expected(p, "']]' to end the annotation");
            return false;
        }
        next(p);
    }
    return !p->failed;
}

/* ------------------------------------------------------------------ */
/* Parameters and the prototype                                        */

#define MAX_PARAMS SB_MAX_ARGS

static sb_sig *parse_at_depth(const char *text, size_t len, const sb_scope *scope, sb_error *err, int depth);

/* A function pointer declarator after its result type: `(*name)(params)`;
 * `ret_start` is where the result type began. Parses the function type as
 * its own signature "RET __fn(PARAMS)" (recursively, depth-limited) and
 * returns it with its spelling as a pointer ("RET (*)(PARAMS)", in the
 * signature's arena); *name gets the declarator's name span (len 0: none). */
static sb_sig *parse_fp_declarator(parser *p, size_t ret_start, size_t *name_pos, size_t *name_len,
                                   const char **spelling)
{
    size_t lp = p->t.pos;
    next(p);
    if (!punct_is(p, '*')) {
        expected(p, "'*' in a function pointer declarator '(*name)(...)'");
        return NULL;
    }
    next(p);
    if (punct_is(p, '*')) {
        fail(p, p->t.pos, "pointers to function pointers are not supported yet");
        return NULL;
    }
    *name_pos = p->t.pos;
    *name_len = 0;
    if (p->t.kind == T_IDENT) {
        *name_len = p->t.len;
        next(p);
    }
    if (!punct_is(p, ')')) {
        expected(p, "')' after the function pointer's name");
        return NULL;
    }
    next(p);
    if (!punct_is(p, '(')) {
        expected(p, "'(' and the function pointer's parameters");
        return NULL;
    }
    size_t ps = p->t.pos, pe = 0;
    int depth = 0;
    for (;;) {
        if (p->failed)
            return NULL;
        if (p->t.kind == T_END) {
            expected(p, "')' to end the function pointer's parameters");
            return NULL;
        }
        if (punct_is(p, '('))
            depth++;
        else if (punct_is(p, ')') && --depth == 0) {
            pe = p->t.pos + 1;
            next(p);
            break;
        }
        next(p);
    }
    if (p->depth >= 4) {
        fail(p, lp, "function pointer types nested too deeply");
        return NULL;
    }
    /* "RET __fn(PARAMS)" */
    size_t rn = lp - ret_start, pn = pe - ps;
    char *buf = malloc(rn + pn + 8);
    if (!buf) {
        fail(p, lp, "out of memory");
        return NULL;
    }
    memcpy(buf, p->s + ret_start, rn);
    memcpy(buf + rn, " __fn", 5);
    memcpy(buf + rn + 5, p->s + ps, pn);
    sb_error e2;
    sb_sig *fsig = parse_at_depth(buf, rn + 5 + pn, p->scope, &e2, p->depth + 1);
    free(buf);
    if (!fsig) {
        fail(p, lp, "in the function pointer type: %s", e2.msg);
        return NULL;
    }
    if (fsig->flags & (SB_SIG_VARIADIC | SB_SIG_NOGIL | SB_SIG_FREE) || fsig->contract.kind) {
        sb__sig_free(fsig);
        fail(p, lp, "a function pointer type takes no '...' and no annotations");
        return NULL;
    }
    for (uint16_t i = 0; i < fsig->nparams; i++)
        if (fsig->params[i].flags || fsig->params[i].def.kind) {
            sb__sig_free(fsig);
            fail(p, lp, "a function pointer type's parameters take no defaults, annotations, *args or **kwargs");
            return NULL;
        }
    /* The spelling: the normalized text with "__fn" replaced by "(*)". */
    const char *t = fsig->text, *at = strstr(t, "__fn(");
    size_t head = (size_t)(at - t), tn = strlen(t);
    char *sp = arena_alloc(fsig->arena, tn + 2);
    if (!sp) {
        sb__sig_free(fsig);
        fail(p, lp, "out of memory");
        return NULL;
    }
    memcpy(sp, t, head);
    memcpy(sp + head, "(*)", 3);
    memcpy(sp + head + 3, at + 4, tn - head - 4 + 1); /* from the '(' on, with the NUL */
    *spelling = sp;
    return fsig;
}

/* Keeps a function type's signature alive with the signature it appears in. */
static const sb_named *adopt_functype(parser *p, sb_sig *fsig, const char *spelling)
{
    sb_kid *k = arena_alloc(p->a, sizeof *k);
    sb_named *nd = arena_alloc(p->a, sizeof *nd);
    if (!k || !nd) {
        sb__sig_free(fsig);
        fail(p, p->t.pos, "out of memory");
        return NULL;
    }
    k->sig = fsig;
    k->next = p->a->kids;
    p->a->kids = k;
    memset(nd, 0, sizeof *nd);
    nd->what = SB_NAMED_FUNC;
    nd->name = spelling;
    nd->user = fsig;
    return nd;
}

/* A struct/union body at '{' up to and including '}': members as C lays them
 * out. Returns a finished layout (owned by the caller) or NULL (p failed). */
/* Consumes n copies of the punctuation c, or fails saying what was expected. */
static bool eat(parser *p, char c, int n, const char *what)
{
    for (int i = 0; i < n; i++) {
        if (!punct_is(p, c)) {
            expected(p, what);
            return false;
        }
        next(p);
    }
    return !p->failed;
}

/* After `struct`/`union`: `[[packed]]`, `[[gnu::packed]]` or `__attribute__((packed))`. */
static bool parse_packed(parser *p, bool *packed)
{
    *packed = false;
    if (tok_is(p, "__attribute__")) {
        next(p);
        if (!eat(p, '(', 2, "'((packed))'"))
            return false;
        if (!tok_is(p, "packed") && !tok_is(p, "__packed__")) {
            fail(p, p->t.pos, "only __attribute__((packed)) is supported on a struct");
            return false;
        }
        next(p);
        if (!eat(p, ')', 2, "'))'"))
            return false;
        *packed = true;
        return true;
    }
    if (!punct_is(p, '['))
        return true;
    size_t save_pos = p->pos;
    tok save = p->t;
    next(p);
    if (!punct_is(p, '[')) {
        p->pos = save_pos;
        p->t = save;
        return true;
    }
    next(p);
    if (tok_is(p, "gnu")) {
        next(p);
        if (!eat(p, ':', 2, "'::'"))
            return false;
    }
    if (!tok_is(p, "packed")) {
        fail(p, p->t.pos, "a struct takes only [[packed]]");
        return false;
    }
    next(p);
    if (!eat(p, ']', 2, "']]' to end the annotation"))
        return false;
    *packed = true;
    return true;
}

static sb_layout *parse_struct_body(parser *p, bool is_union, const char *name, int depth, bool packed)
{
    size_t open = p->t.pos;
    if (depth > 8) {
        fail(p, open, "structs nested too deeply");
        return NULL;
    }
    sb_layout *L = sb__layout_new(is_union, name);
    if (!L) {
        fail(p, open, "out of memory");
        return NULL;
    }
    L->packed = packed;
    sb_error e;
    next(p);
    while (!p->failed && !punct_is(p, '}')) {
        if (p->t.kind == T_END) {
            expected(p, "'}' to end the members");
            break;
        }
        size_t mstart = p->t.pos;
        sb_type base = {SB_K_VOID, 0, 0, NULL};
        bool inline_def = false;
        if (tok_is(p, "struct") || tok_is(p, "union")) {
            /* an inline definition: struct [tag] { ... } [declarators]; */
            size_t save_pos = p->pos;
            tok save = p->t;
            bool u = tok_is(p, "union");
            next(p);
            bool subpacked;
            if (!parse_packed(p, &subpacked))
                break;
            char subname[80];
            snprintf(subname, sizeof subname, "%s <anonymous>", u ? "union" : "struct");
            if (p->t.kind == T_IDENT) {
                snprintf(subname, sizeof subname, "%s %.*s", u ? "union" : "struct", (int)p->t.len, p->s + p->t.pos);
                next(p);
            }
            if (punct_is(p, '{')) {
                inline_def = true;
                sb_layout *sub = parse_struct_body(p, u, subname, depth + 1, subpacked || packed);
                if (!sub || sb__layout_add_sub(L, sub, &e) < 0) {
                    if (sub)
                        fail(p, mstart, "%s", e.msg);
                    break;
                }
                if (punct_is(p, ';')) { /* anonymous member: its fields belong to this one */
                    if (sb__layout_add_anon(L, sub, &e) < 0) {
                        fail(p, mstart, "%s", e.msg);
                        break;
                    }
                    next(p);
                    continue;
                }
                base = (sb_type){SB_K_VOID, 0, 0, &sub->named};
            } else {
                p->pos = save_pos;
                p->t = save;
            }
        }
        spec sp;
        sp.start = mstart;
        if (!inline_def) {
            sb_kind k;
            if (!parse_specs(p, &sp, " for the member") || !resolve_spec(p, &sp, &k))
                break;
            apply_spec(&sp, k, &base);
        }
        for (;;) { /* declarators: a, *b, c[4] */
            sb_type t = base;
            if (!parse_pointers(p, &t))
                break;
            size_t np = p->t.pos, nl = 0;
            if (punct_is(p, '(')) { /* a function pointer member: laid out as a pointer */
                const char *spelling;
                sb_sig *fsig = inline_def ? NULL : parse_fp_declarator(p, sp.start, &np, &nl, &spelling);
                if (!fsig) {
                    if (!p->failed)
                        fail(p, p->t.pos, "expected a member name");
                    break;
                }
                sb__sig_free(fsig);
                t = (sb_type){SB_K_VOID, 1, 0, NULL};
            } else if (p->t.kind == T_IDENT) {
                nl = p->t.len;
                next(p);
            }
            if (!nl && !punct_is(p, ':')) {
                expected(p, "a member name");
                break;
            }
            uint64_t count = 0;
            while (punct_is(p, '[')) {
                next(p);
                uint64_t n = 0;
                if (p->t.kind != T_INT || !parse_int_text(p, p->t.pos, p->t.len, &n) || n == 0 || n > (1u << 24)) {
                    if (!p->failed)
                        fail(p, p->t.pos, "expected an array length (1..16777216)");
                    break;
                }
                next(p);
                if (!punct_is(p, ']')) {
                    expected(p, "']' after the array length");
                    break;
                }
                next(p);
                count = (count ? count : 1) * n;
                if (count > (1u << 24)) {
                    fail(p, np, "array too large");
                    break;
                }
            }
            if (p->failed)
                break;
            if (punct_is(p, ':')) { /* a bit-field: `unsigned flag : 1;`, `int : 0;` */
                size_t wat = p->t.pos;
                next(p);
                uint64_t w = 0;
                if (count || p->t.kind != T_INT || !parse_int_text(p, p->t.pos, p->t.len, &w) || w > 64) {
                    if (!p->failed)
                        fail(p, wat, count ? "an array cannot be a bit-field" : "expected the bit-field's width");
                    break;
                }
                next(p);
                if (sb__layout_add_bits(L, nl ? p->s + np : NULL, nl, t, (unsigned)w, &e) < 0) {
                    fail(p, wat, "%s", e.msg);
                    break;
                }
            } else if (sb__layout_add(L, p->s + np, nl, t, (uint32_t)count, &e) < 0) {
                fail(p, np, "%s", e.msg);
                break;
            }
            if (punct_is(p, ',')) {
                next(p);
                continue;
            }
            if (!punct_is(p, ';'))
                expected(p, "';' after the member");
            else
                next(p);
            break;
        }
    }
    if (!p->failed) {
        next(p); /* '}' */
        if (sb__layout_finish(L, &e) < 0)
            fail(p, open, "%s", e.msg);
    }
    if (p->failed) {
        sb__layout_free(L);
        return NULL;
    }
    return L;
}

static bool parse_param(parser *p, sb_param *prm)
{
    memset(prm, 0, sizeof *prm);
    prm->col = (uint32_t)p->t.pos;
    spec sp;
    if (!parse_specs(p, &sp, " for the parameter"))
        return false;
    sb_kind k;
    if (!resolve_spec(p, &sp, &k))
        return false;
    apply_spec(&sp, k, &prm->type);
    if (!parse_pointers(p, &prm->type))
        return false;
    if (punct_is(p, '(')) {
        /* int (*cmp)(const void *, const void *) */
        size_t np, nl;
        const char *spelling;
        sb_sig *fsig = parse_fp_declarator(p, sp.start, &np, &nl, &spelling);
        const sb_named *nd = fsig ? adopt_functype(p, fsig, spelling) : NULL;
        if (!nd)
            return false;
        prm->type = (sb_type){SB_K_VOID, 1, 0, nd};
        if (nl && !(prm->name = arena_strndup(p->a, p->s + np, nl)))
            return false;
    } else if (p->t.kind == T_IDENT) {
        if (!(prm->name = ident_dup(p)))
            return false;
        next(p);
    }
    /* Array declarator: T name[N] or T name[] is a pointer (C parameter rules). */
    if (punct_is(p, '[')) {
        size_t save_pos = p->pos;
        tok save = p->t;
        next(p);
        if (punct_is(p, '[')) {
            /* an annotation: rewind */
            p->pos = save_pos;
            p->t = save;
        } else {
            if (p->t.kind == T_INT)
                next(p);
            if (!punct_is(p, ']')) {
                expected(p, "']' after the array size");
                return false;
            }
            next(p);
            if (prm->type.ptr >= 8) {
                fail(p, prm->col, "too many levels of pointers");
                return false;
            }
            prm->type.ptr++;
        }
    }
    if (p->failed)
        return false;
    annot_ctx ctx = {NULL, prm};
    if (!parse_annotations(p, &ctx))
        return false;
    if (punct_is(p, '=')) {
        next(p);
        size_t a, b;
        if (!parse_literal(p, &prm->def, &a, &b))
            return false;
        prm->def_pos = (uint32_t)a;
        prm->def_len = (uint32_t)(b - a);
        if (!parse_annotations(p, &ctx))
            return false;
    }
    if (prm->type.named && prm->type.ptr == 0 && prm->type.named->what != SB_NAMED_STRUCT) {
        fail(p, prm->col, "'%s' is only usable through a pointer ('%s *')", prm->type.named->name,
             prm->type.named->name);
        return false;
    }
    if (prm->type.kind == SB_K_VOID && prm->type.ptr == 0 && !prm->type.named) {
        fail(p, prm->col, "a parameter cannot have type void");
        return false;
    }
    if (prm->type.kind == SB_K_PYOBJECT && prm->type.ptr != 1) {
        fail(p, prm->col, "PyObject is only usable as 'PyObject *'");
        return false;
    }
    return !p->failed;
}

/* Writes the normalized prototype. */
typedef struct sbuf {
    char *b;
    size_t n, cap;
} sbuf;

static void put(sbuf *o, const char *s, size_t n)
{
    if (o->n + n < o->cap)
        memcpy(o->b + o->n, s, n);
    o->n += n;
}
static void puts_(sbuf *o, const char *s) { put(o, s, strlen(s)); }

/* Same text as sb__type_format, without snprintf (a third of the parse time). */
static void put_type(sbuf *o, sb_type t)
{
    if (t.named && t.named->what == SB_NAMED_FUNC) { /* "int (*)(int x)": the pointer is in the spelling */
        puts_(o, t.named->name);
        return;
    }
    if (t.cconst)
        put(o, "const ", 6);
    puts_(o, t.named ? t.named->name : sb__kind((sb_kind)t.kind)->name);
    if (t.ptr) {
        put(o, " ", 1);
        put(o, "********", t.ptr < 8 ? t.ptr : 8);
    }
}

static const char *cmp_text(uint8_t c)
{
    static const char *const t[] = {"==", "!=", "<", "<=", ">", ">="};
    return c < 6 ? t[c] : "?";
}

static void put_int(sbuf *o, bool neg, uint64_t mag)
{
    char b[32];
    int n = snprintf(b, sizeof b, "%s%llu", neg ? "-" : "", (unsigned long long)mag);
    put(o, b, (size_t)n);
}

static bool parse_signature(parser *p, sb_sig *sig, sb_param *params)
{
    spec sp;
    if (!parse_specs(p, &sp, " (the result type)"))
        return false;
    sb_kind k;
    if (!resolve_spec(p, &sp, &k))
        return false;
    apply_spec(&sp, k, &sig->ret);
    if (!parse_pointers(p, &sig->ret))
        return false;
    if (sig->ret.named && sig->ret.ptr == 0 && sig->ret.named->what != SB_NAMED_STRUCT) {
        fail(p, sp.start, "'%s' is only usable through a pointer ('%s *')", sig->ret.named->name,
             sig->ret.named->name);
        return false;
    }
    if (punct_is(p, '(')) {
        fail(p, p->t.pos, "function pointer declarators are not supported yet");
        return false;
    }
    if (p->t.kind != T_IDENT) {
        expected(p, "the function name");
        return false;
    }
    if (!(sig->name = ident_dup(p)))
        return false;
    next(p);
    if (!punct_is(p, '(')) {
        expected(p, "'(' after the function name");
        return false;
    }
    next(p);
    if (sig->ret.kind == SB_K_PYOBJECT && sig->ret.ptr != 1) {
        fail(p, sp.start, "PyObject is only usable as 'PyObject *'");
        return false;
    }

    sig->posonly = 0;
    sig->kwonly = -1;
    size_t n = 0;
    bool seen_slash = false, seen_star = false, seen_varkw = false, special_kw = false;
    /* (void) */
    if (tok_is(p, "void")) {
        size_t save_pos = p->pos;
        tok save = p->t;
        next(p);
        if (punct_is(p, ')')) {
            goto close;
        }
        p->pos = save_pos;
        p->t = save;
    }
    if (punct_is(p, ')'))
        goto close;
    for (;;) {
        if (p->failed)
            return false;
        size_t at = p->t.pos;
        if (seen_varkw) {
            fail(p, at, "**kwargs must be the last parameter");
            return false;
        }
        if (p->t.kind == T_ELLIPSIS) {
            if (n == 0) {
                fail(p, at, "'...' needs at least one named parameter before it");
                return false;
            }
            sig->flags |= SB_SIG_VARIADIC;
            next(p);
            if (!punct_is(p, ')')) {
                expected(p, "')' after '...'");
                return false;
            }
            break;
        }
        if (punct_is(p, '/')) {
            if (seen_slash || seen_star || n == 0) {
                fail(p, at, n == 0 ? "'/' needs at least one parameter before it"
                                   : "'/' must come once, before '*'");
                return false;
            }
            seen_slash = true;
            sig->posonly = (int16_t)n;
            next(p);
        } else if (punct_is(p, '*')) {
            next(p);
            if (punct_is(p, '*')) { /* **kwargs */
                special_kw = true;
                next(p);
                if (p->t.kind != T_IDENT) {
                    expected(p, "a name after '**'");
                    return false;
                }
                goto add_special;
            }
            if (seen_star) {
                fail(p, at, "'*' or '*args' may appear only once");
                return false;
            }
            seen_star = true;
            sig->kwonly = (int16_t)n;
            if (p->t.kind == T_IDENT) /* *args */
                goto add_special;
        } else {
            if (n >= MAX_PARAMS) {
                fail(p, at, "too many parameters (at most %d)", MAX_PARAMS);
                return false;
            }
            if (!parse_param(p, &params[n]))
                return false;
            n++;
        }
        goto sep;
    add_special:
        if (n >= MAX_PARAMS) {
            fail(p, at, "too many parameters (at most %d)", MAX_PARAMS);
            return false;
        }
        memset(&params[n], 0, sizeof params[n]);
        params[n].col = (uint32_t)at;
        params[n].type.kind = SB_K_PYOBJECT;
        params[n].type.ptr = 1;
        params[n].flags = special_kw ? SB_PARAM_VARKW : SB_PARAM_VARARGS; /* also for '* *kw' */
        special_kw = false;
        if (params[n].flags & SB_PARAM_VARKW)
            seen_varkw = true;
        else
            sig->kwonly = (int16_t)(n + 1);
        if (!(params[n].name = ident_dup(p)))
            return false;
        next(p);
        n++;
    sep:
        if (p->failed)
            return false;
        if (punct_is(p, ',')) {
            next(p);
            continue;
        }
        if (punct_is(p, ')'))
            break;
        expected(p, "',' or ')' after the parameter");
        return false;
    }
close:
    if (p->failed)
        return false;
    next(p); /* ')' */
    if (sig->kwonly >= 0 && seen_star && sig->kwonly == (int16_t)n && !(n && (params[n - 1].flags & SB_PARAM_VARARGS))) {
        fail(p, p->t.pos, "named arguments must follow bare '*'");
        return false;
    }
    sig->nparams = (uint16_t)n;
    annot_ctx ctx = {sig, NULL};
    if (!parse_annotations(p, &ctx))
        return false;
    if (punct_is(p, ';'))
        next(p);
    if (p->t.kind != T_END) {
        expected(p, "end of the signature");
        return false;
    }
    /* Parameter names: unique. */
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (params[i].name && params[j].name && !strcmp(params[i].name, params[j].name)) {
                fail(p, params[i].col, "duplicate parameter name '%s'", params[i].name);
                return false;
            }
    return !p->failed;
}

static char *format_sig(sb_sig *sig, const char *src, sb_arena *a)
{
    char stack[512];
    sbuf o = {stack, 0, sizeof stack};
    for (int pass = 0; pass < 2; pass++) {
        o.n = 0;
        put_type(&o, sig->ret);
        if (!sig->ret.ptr)
            put(&o, " ", 1);
        puts_(&o, sig->name);
        put(&o, "(", 1);
        if (!sig->nparams && !(sig->flags & SB_SIG_VARIADIC))
            puts_(&o, "void");
        for (uint16_t i = 0; i < sig->nparams; i++) {
            const sb_param *prm = &sig->params[i];
            if (i)
                put(&o, ", ", 2);
            if (sig->kwonly == (int16_t)i && !(prm->flags & SB_PARAM_VARARGS) &&
                !(i && (sig->params[i - 1].flags & SB_PARAM_VARARGS)))
                put(&o, "*, ", 3);
            if (prm->flags & SB_PARAM_VARARGS) {
                put(&o, "*", 1);
                puts_(&o, prm->name);
            } else if (prm->flags & SB_PARAM_VARKW) {
                put(&o, "**", 2);
                puts_(&o, prm->name);
            } else if (prm->type.named && prm->type.named->what == SB_NAMED_FUNC) {
                const char *fsp = prm->type.named->name, *star = strstr(fsp, "(*)");
                put(&o, fsp, (size_t)(star - fsp) + 2);
                if (prm->name)
                    puts_(&o, prm->name);
                puts_(&o, star + 2);
                if (prm->def.kind) {
                    put(&o, " = ", 3);
                    put(&o, src + prm->def_pos, prm->def_len);
                }
            } else {
                put_type(&o, prm->type);
                if (prm->name) {
                    if (!prm->type.ptr)
                        put(&o, " ", 1);
                    puts_(&o, prm->name);
                }
                if (prm->flags & SB_PARAM_OUT)
                    puts_(&o, " [[out]]");
                if (prm->flags & SB_PARAM_INOUT)
                    puts_(&o, " [[inout]]");
                if (prm->def.kind) {
                    put(&o, " = ", 3);
                    put(&o, src + prm->def_pos, prm->def_len);
                }
            }
            if (sig->posonly == (int16_t)(i + 1))
                put(&o, ", /", 3);
        }
        if (sig->flags & SB_SIG_VARIADIC)
            puts_(&o, sig->nparams ? ", ..." : "...");
        put(&o, ")", 1);
        if (sig->flags & SB_SIG_NOGIL)
            puts_(&o, " [[nogil]]");
        if (sig->flags & SB_SIG_FREE) {
            puts_(&o, " [[free");
            if (sig->free_fn) {
                put(&o, "(", 1);
                puts_(&o, sig->free_fn);
                put(&o, ")", 1);
            }
            puts_(&o, "]]");
        }
        const sb_contract *c = &sig->contract;
        if (c->kind) {
            puts_(&o, c->kind == SB_CONTRACT_ERRNO ? " [[errno" : " [[status");
            if (c->value.kind) {
                put(&o, "(", 1);
                if (!(c->kind == SB_CONTRACT_ERRNO && c->cmp == SB_CMP_EQ)) {
                    puts_(&o, cmp_text(c->cmp));
                    put(&o, " ", 1);
                }
                if (c->value.kind == SB_LIT_NULL)
                    puts_(&o, "NULL");
                else
                    put_int(&o, c->value.neg, c->value.mag);
                if (c->msg_fn) {
                    put(&o, ", ", 2);
                    puts_(&o, c->msg_fn);
                }
                put(&o, ")", 1);
            }
            puts_(&o, "]]");
        }
        if (o.n < o.cap)
            break;
        o.b = arena_alloc(a, o.n + 1);
        if (!o.b)
            return NULL;
        o.cap = o.n + 1;
    }
    if (o.b == stack)
        return arena_strndup(a, stack, o.n);
    o.b[o.n] = '\0';
    return o.b;
}

sb_sig *sb__sig_parse(const char *text, size_t len, sb_error *err)
{
    return sb__sig_parse_in(text, len, NULL, err);
}

sb_sig *sb__sig_parse_in(const char *text, size_t len, const sb_scope *scope, sb_error *err)
{
    return parse_at_depth(text, len, scope, err, 0);
}

static sb_sig *parse_at_depth(const char *text, size_t len, const sb_scope *scope, sb_error *err, int depth)
{
    if (err) {
        err->col = (size_t)-1;
        err->msg[0] = '\0';
    }
    if (!text) {
        sb__error_set(err, 0, "no signature text");
        return NULL;
    }
    sb_arena *a = malloc(SB_ARENA_FIRST);
    if (!a) {
        sb__error_set(err, 0, "out of memory");
        return NULL;
    }
    a->extra = NULL;
    a->kids = NULL;
    a->cur = (char *)a + ((sizeof(sb_arena) + 7u) & ~(size_t)7u);
    a->end = (char *)a + SB_ARENA_FIRST;
    sb_sig *sig = arena_alloc(a, sizeof *sig);
    memset(sig, 0, sizeof *sig);
    sig->arena = a;

    sb_param params[MAX_PARAMS];
    parser p = {text, len, 0, {T_END, 0, 0, 0, 0}, a, err, false, scope, depth};
    next(&p);
    if (!p.failed && memchr(text, '\0', len)) {
        fail(&p, (size_t)((const char *)memchr(text, '\0', len) - text), "NUL character in the signature");
    }
    bool ok = !p.failed && parse_signature(&p, sig, params);
    if (!ok) {
        if (err && !err->msg[0])
            sb__error_set(err, p.t.pos, "invalid signature");
        sb__sig_free(sig);
        return NULL;
    }
    sig->params = arena_alloc(a, sizeof(sb_param) * (sig->nparams ? sig->nparams : 1));
    if (!sig->params) {
        sb__error_set(err, 0, "out of memory");
        sb__sig_free(sig);
        return NULL;
    }
    memcpy(sig->params, params, sizeof(sb_param) * sig->nparams);
    sig->text = format_sig(sig, text, a);
    if (!sig->text) {
        sb__error_set(err, 0, "out of memory");
        sb__sig_free(sig);
        return NULL;
    }
    return sig;
}

/* ------------------------------------------------------------------ */
/* The signature of one variadic call (fixed part + typed extras)      */

static char *arena_strdup0(sb_arena *a, const char *s, bool *oom)
{
    if (!s)
        return NULL;
    char *r = arena_strndup(a, s, strlen(s));
    *oom |= !r;
    return r;
}

sb_sig *sb__sig_variadic(const sb_sig *base, const sb_type *extra, uint16_t n, sb_error *err)
{
    if (err) {
        err->col = (size_t)-1;
        err->msg[0] = '\0';
    }
    if ((size_t)base->nparams + n > MAX_PARAMS) {
        sb__error_set(err, (size_t)-1, "too many arguments (at most %d in all)", MAX_PARAMS);
        return NULL;
    }
    sb_arena *a = malloc(SB_ARENA_FIRST);
    if (!a) {
        sb__error_set(err, (size_t)-1, "out of memory");
        return NULL;
    }
    a->extra = NULL;
    a->kids = NULL;
    a->cur = (char *)a + ((sizeof(sb_arena) + 7u) & ~(size_t)7u);
    a->end = (char *)a + SB_ARENA_FIRST;
    sb_sig *sig = arena_alloc(a, sizeof *sig);
    uint16_t total = (uint16_t)(base->nparams + n);
    sb_param *params = sig ? arena_alloc(a, sizeof(sb_param) * (total ? total : 1)) : NULL;
    bool oom = !sig || !params;
    if (!oom) {
        *sig = *base;
        sig->arena = a;
        sig->params = params;
        sig->nparams = total;
        sig->kwonly = -1;
        sig->name = arena_strdup0(a, base->name, &oom);
        sig->free_fn = arena_strdup0(a, base->free_fn, &oom);
        sig->contract.msg_fn = arena_strdup0(a, base->contract.msg_fn, &oom);
        for (uint16_t i = 0; i < base->nparams; i++) {
            params[i] = base->params[i];
            params[i].name = arena_strdup0(a, base->params[i].name, &oom);
            memset(&params[i].def, 0, sizeof params[i].def); /* given positionally, before the extras */
            params[i].def_pos = params[i].def_len = 0;
        }
        for (uint16_t i = 0; i < n; i++) {
            sb_param *q = &params[base->nparams + i];
            memset(q, 0, sizeof *q);
            q->type = extra[i];
            q->flags = SB_PARAM_EXTRA;
        }
        if (!oom)
            sig->text = format_sig(sig, "", a);
        oom |= !sig->text;
    }
    if (oom) {
        sb__error_set(err, (size_t)-1, "out of memory");
        sb_chunk *c = a->extra;
        while (c) {
            sb_chunk *nx = c->next;
            free(c);
            c = nx;
        }
        free(a);
        return NULL;
    }
    return sig;
}

/* ------------------------------------------------------------------ */
/* Declaration blocks                                                  */

bool sb__decl_next(const char *text, size_t len, size_t *pos, size_t *start, size_t *end)
{
    size_t i = *pos;
    for (;;) {
        /* skip blanks and comments before a statement */
        for (;;) {
            while (i < len && isspace((unsigned char)text[i]))
                i++;
            if (i + 1 < len && text[i] == '/' && text[i + 1] == '*') {
                size_t j = i + 2;
                while (j + 1 < len && !(text[j] == '*' && text[j + 1] == '/'))
                    j++;
                if (j + 1 >= len) { /* unterminated: hand it to the parser, which says so */
                    *start = i;
                    *end = len;
                    *pos = len;
                    return true;
                }
                i = j + 2;
                continue;
            }
            if (i + 1 < len && text[i] == '/' && text[i + 1] == '/') {
                while (i < len && text[i] != '\n')
                    i++;
                continue;
            }
            break;
        }
        if (i >= len) {
            *pos = len;
            return false;
        }
        if (text[i] == ';') { /* empty statement */
            i++;
            continue;
        }
        if (text[i] == '#') { /* a preprocessor line ("#define X 1"): ends at its newline, not at ';' */
            size_t s = i;
            while (i < len && text[i] != '\n') {
                if (text[i] == '\\' && i + 1 < len && text[i + 1] == '\n')
                    i++; /* continued line */
                else if (text[i] == '/' && i + 1 < len && text[i + 1] == '*') {
                    size_t j = i + 2;
                    while (j + 1 < len && !(text[j] == '*' && text[j + 1] == '/'))
                        j++;
                    i = j + 1 < len ? j + 1 : len - 1;
                }
                i++;
            }
            size_t e = i;
            while (e > s && (isspace((unsigned char)text[e - 1]) || text[e - 1] == ';'))
                e--; /* a stray ';' after the value */
            *start = s;
            *end = e;
            *pos = i < len ? i + 1 : len;
            return true;
        }
        size_t s = i;
        int braces = 0; /* a struct body's ';' do not end the statement */
        while (i < len && (text[i] != ';' || braces > 0)) {
            char c = text[i];
            if (c == '{')
                braces++;
            else if (c == '}' && braces > 0)
                braces--;
            if (c == '"' || c == '\'') {
                for (i++; i < len && text[i] != c && text[i] != '\n'; i++)
                    if (text[i] == '\\')
                        i++;
                if (i < len)
                    i++;
                continue;
            }
            if (c == '/' && i + 1 < len && text[i + 1] == '*') {
                size_t j = i + 2;
                while (j + 1 < len && !(text[j] == '*' && text[j + 1] == '/'))
                    j++;
                i = j + 1 < len ? j + 2 : len;
                continue;
            }
            if (c == '/' && i + 1 < len && text[i + 1] == '/') {
                while (i < len && text[i] != '\n')
                    i++;
                continue;
            }
            i++;
        }
        if (i > len)
            i = len;
        *start = s;
        *end = i;
        *pos = i < len ? i + 1 : len;
        return true;
    }
}

/* ------------------------------------------------------------------ */
/* A type on its own ("const char *", "uint8_t **").                   */

int sb__type_parse(const char *text, size_t len, sb_type *out, sb_error *err)
{
    return sb__type_parse_in(text, len, NULL, out, err);
}

/* Specifiers and pointers: a type on its own, up to what follows it. */
static bool lone_type(parser *p, sb_type *out)
{
    spec sp;
    sb_kind k;
    if (p->failed || !parse_specs(p, &sp, "") || !resolve_spec(p, &sp, &k))
        return false;
    apply_spec(&sp, k, out);
    return parse_pointers(p, out);
}

int sb__type_parse_in(const char *text, size_t len, const sb_scope *scope, sb_type *out, sb_error *err)
{
    if (err) {
        err->col = (size_t)-1;
        err->msg[0] = '\0';
    }
    parser p = {text, len, 0, {T_END, 0, 0, 0, 0}, NULL, err, false, scope, 0};
    memset(out, 0, sizeof *out);
    next(&p);
    if (!lone_type(&p, out))
        return -1;
    if (p.t.kind != T_END) {
        expected(&p, "end of the type");
        return -1;
    }
    if (out->kind == SB_K_PYOBJECT && out->ptr != 1) {
        fail(&p, 0, "PyObject is only usable as 'PyObject *'");
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* A type with an optional array suffix ("int[10]", "char *[]"): typed memory. */

int sb__array_type_parse(const char *text, size_t len, const sb_scope *scope, sb_type *elem, int64_t *count,
                         sb_error *err)
{
    if (err) {
        err->col = (size_t)-1;
        err->msg[0] = '\0';
    }
    parser p = {text, len, 0, {T_END, 0, 0, 0, 0}, NULL, err, false, scope, 0};
    memset(elem, 0, sizeof *elem);
    *count = SB_ARRAY_NONE;
    next(&p);
    if (!lone_type(&p, elem))
        return -1;
    if (punct_is(&p, '[')) {
        size_t open = p.t.pos;
        next(&p);
        if (punct_is(&p, ']')) {
            *count = SB_ARRAY_OPEN;
        } else if (punct_is(&p, '-')) {
            fail(&p, p.t.pos, "array length must not be negative");
            return -1;
        } else if (p.t.kind == T_INT) {
            uint64_t n;
            if (!parse_int_text(&p, p.t.pos, p.t.len, &n))
                return -1;
            if (n > (uint64_t)INT64_MAX) {
                fail(&p, p.t.pos, "array length %.*s is too large", (int)p.t.len, p.s + p.t.pos);
                return -1;
            }
            *count = (int64_t)n;
            next(&p);
        } else {
            expected(&p, "an array length or ']'");
            return -1;
        }
        if (p.failed)
            return -1;
        if (!punct_is(&p, ']')) {
            if (p.t.kind == T_END)
                fail(&p, open, "unclosed '['");
            else
                expected(&p, "']'");
            return -1;
        }
        next(&p);
        if (punct_is(&p, '[')) {
            fail(&p, p.t.pos, "arrays of arrays are not supported");
            return -1;
        }
    }
    if (p.failed)
        return -1;
    if (p.t.kind != T_END) {
        expected(&p, *count == SB_ARRAY_NONE ? "'[' or end of the type" : "end of the type");
        return -1;
    }
    if (elem->kind == SB_K_PYOBJECT && elem->ptr != 1) {
        fail(&p, 0, "PyObject is only usable as 'PyObject *'");
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* typedef statements of declaration blocks                            */

bool sb__is_typedef(const char *text, size_t len)
{
    size_t i = 0;
    while (i < len && isspace((unsigned char)text[i]))
        i++;
    return len - i > 7 && memcmp(text + i, "typedef", 7) == 0 && !is_ident_char((unsigned char)text[i + 7]);
}

static bool copy_ident(parser *p, char *dst, size_t cap, const char *what)
{
    if (p->t.kind != T_IDENT) {
        expected(p, what);
        return false;
    }
    if (p->t.len >= cap) {
        fail(p, p->t.pos, "%s is too long (at most %zu characters)", what, cap - 1);
        return false;
    }
    memcpy(dst, p->s + p->t.pos, p->t.len);
    dst[p->t.len] = '\0';
    next(p);
    return !p->failed;
}

static int typedef_parse(const char *text, size_t len, const sb_scope *scope, sb_typedef *out, sb_error *err);

int sb__typedef_parse(const char *text, size_t len, const sb_scope *scope, sb_typedef *out, sb_error *err)
{
    int rc = typedef_parse(text, len, scope, out, err);
    if (rc < 0) { /* nothing half-made is handed out */
        sb__layout_free(out->layout);
        sb__sig_free(out->fsig);
        out->layout = NULL;
        out->fsig = NULL;
    }
    return rc;
}

static int typedef_parse(const char *text, size_t len, const sb_scope *scope, sb_typedef *out, sb_error *err)
{
    if (err) {
        err->col = (size_t)-1;
        err->msg[0] = '\0';
    }
    memset(out, 0, sizeof *out);
    parser p = {text, len, 0, {T_END, 0, 0, 0, 0}, NULL, err, false, scope, 0};
    next(&p);
    if (p.failed || !tok_is(&p, "typedef")) {
        expected(&p, "'typedef'");
        return -1;
    }
    next(&p);
    size_t tstart = p.t.pos;
    /* `typedef struct tag name;` where the scope does not know the tag: a new
     * opaque type (a handle C code only passes around by pointer). */
    if (tok_is(&p, "struct") || tok_is(&p, "union")) {
        size_t save_pos = p.pos;
        tok save = p.t;
        next(&p);
        if (!p.failed && p.t.kind == T_IDENT &&
            !(scope && scope->lookup(scope, p.s + p.t.pos, p.t.len, save.len == 6 ? 's' : 'u'))) {
            if (!copy_ident(&p, out->tag, sizeof out->tag, "the struct's tag"))
                return -1;
            out->opaque = true;
            out->type.kind = SB_K_VOID;
        } else {
            p.pos = save_pos;
            p.t = save;
        }
    }
    if (!out->opaque && (tok_is(&p, "struct") || tok_is(&p, "union"))) {
        /* typedef struct [tag] { ... } name */
        size_t save_pos = p.pos;
        tok save = p.t;
        bool u = tok_is(&p, "union");
        next(&p);
        bool packed;
        if (!parse_packed(&p, &packed))
            return -1;
        char lname[80] = "";
        if (p.t.kind == T_IDENT) {
            snprintf(lname, sizeof lname, "%s %.*s", u ? "union" : "struct", (int)p.t.len, p.s + p.t.pos);
            snprintf(out->tag, sizeof out->tag, "%.*s", (int)p.t.len, p.s + p.t.pos);
            next(&p);
        }
        if (punct_is(&p, '{')) {
            if (!(out->layout = parse_struct_body(&p, u, lname, 0, packed)))
                return -1;
            out->type = (sb_type){SB_K_VOID, 0, 0, &out->layout->named};
        } else {
            out->tag[0] = '\0';
            p.pos = save_pos;
            p.t = save;
        }
    }
    if (!out->opaque && !out->layout) {
        spec sp;
        sb_kind k;
        if (p.failed || !parse_specs(&p, &sp, " after 'typedef'") || !resolve_spec(&p, &sp, &k))
            return -1;
        apply_spec(&sp, k, &out->type);
    }
    if (!parse_pointers(&p, &out->type))
        return -1;
    if (punct_is(&p, '(')) {
        /* typedef int (*cmp_t)(const void *, const void *) */
        if (out->opaque) {
            fail(&p, p.t.pos, "a function pointer typedef returning an opaque struct needs a typedef of it first");
            return -1;
        }
        size_t np, nl;
        const char *spelling;
        sb_sig *fsig = parse_fp_declarator(&p, tstart, &np, &nl, &spelling);
        if (!fsig)
            return -1;
        if (!nl || nl >= sizeof out->name || p.t.kind != T_END) {
            sb__sig_free(fsig);
            if (!nl)
                fail(&p, np, "a function pointer typedef needs a name: typedef int (*name)(int)");
            else if (nl >= sizeof out->name)
                fail(&p, np, "the typedef's name is too long");
            else
                expected(&p, "the end of the typedef");
            return -1;
        }
        memcpy(out->name, p.s + np, nl);
        out->name[nl] = '\0';
        out->fsig = fsig;
        out->fname = spelling;
        out->type = (sb_type){SB_K_VOID, 1, 0, NULL};
        return 0;
    }
    if (!copy_ident(&p, out->name, sizeof out->name, "the typedef's name"))
        return -1;
    if (punct_is(&p, '[')) {
        size_t at = p.t.pos;
        next(&p);
        if (!punct_is(&p, '[')) {
            expected(&p, "'[[' to start an annotation");
            return -1;
        }
        next(&p);
        if (!tok_is(&p, "release")) {
            fail(&p, p.t.pos, "a typedef takes only [[release(fn)]]");
            return -1;
        }
        next(&p);
        if (!punct_is(&p, '(')) {
            expected(&p, "'(' after release");
            return -1;
        }
        next(&p);
        if (!copy_ident(&p, out->release, sizeof out->release, "the release function's name"))
            return -1;
        if (!punct_is(&p, ')')) {
            expected(&p, "')'");
            return -1;
        }
        next(&p);
        if (!eat(&p, ']', 2, "']]' to end the annotation"))
            return -1;
        bool handle = out->opaque ? out->type.ptr <= 1
                                  : out->type.named && out->type.named->what == SB_NAMED_OPAQUE && out->type.ptr <= 1;
        if (!handle) {
            fail(&p, at, "[[release]] applies to opaque handle types ('typedef struct tag name')");
            return -1;
        }
    }
    if (p.t.kind != T_END) {
        expected(&p, "the end of the typedef");
        return -1;
    }
    if (!out->opaque && out->type.kind == SB_K_VOID && out->type.ptr == 0 && !out->type.named) {
        fail(&p, tstart, "a typedef of void is not supported");
        return -1;
    }
    return p.failed ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* Function types on their own ("int (const void *a, const void *b)")  */

sb_sig *sb__functype_parse(const char *text, size_t len, const sb_scope *scope, sb_error *err)
{
    /* Find the '(' that opens the parameters: the first '(' not followed by '*'
     * (a "(*)" is skipped), then parse "RET __fn(PARAMS)". */
    size_t i = 0, open = (size_t)-1, star_open = (size_t)-1, star_close = 0;
    for (; i < len; i++) {
        if (text[i] != '(')
            continue;
        size_t j = i + 1;
        while (j < len && isspace((unsigned char)text[j]))
            j++;
        if (j < len && text[j] == '*' && star_open == (size_t)-1) {
            size_t k = j + 1;
            while (k < len && isspace((unsigned char)text[k]))
                k++;
            if (k < len && text[k] == ')') {
                star_open = i;
                star_close = k;
                i = k;
                continue;
            }
        }
        open = i;
        break;
    }
    if (open == (size_t)-1) {
        sb__error_set(err, len, "expected a function type such as 'int (const void *a, const void *b)'");
        return NULL;
    }
    size_t rend = star_open != (size_t)-1 ? star_open : open;
    size_t n = rend + 5 + (len - open);
    char *buf = malloc(n + 1);
    if (!buf) {
        sb__error_set(err, 0, "out of memory");
        return NULL;
    }
    memcpy(buf, text, rend);
    memcpy(buf + rend, " __fn", 5);
    memcpy(buf + rend + 5, text + open, len - open);
    buf[n] = '\0';
    (void)star_close;
    sb_sig *sig = sb__sig_parse_in(buf, n, scope, err);
    if (!sig && err && err->col != (size_t)-1 && err->col >= rend + 5)
        err->col = err->col - 5 + (open - rend); /* back to a column of the text as given */
    free(buf);
    if (sig && (sig->flags & (SB_SIG_VARIADIC | SB_SIG_NOGIL | SB_SIG_FREE) || (sig && sig->contract.kind))) {
        sb__sig_free(sig);
        sb__error_set(err, (size_t)-1, "a callback's type takes no '...' and no annotations");
        return NULL;
    }
    for (uint16_t k = 0; sig && k < sig->nparams; k++)
        if (sig->params[k].flags || sig->params[k].def.kind) {
            sb__sig_free(sig);
            sb__error_set(err, (size_t)-1, "a callback's parameters take no defaults, annotations, *args or **kwargs");
            return NULL;
        }
    return sig;
}

static bool same_ctype(sb_type a, sb_type b)
{
    if (a.kind != b.kind || a.ptr != b.ptr)
        return false;
    if (a.named == b.named)
        return true;
    if (a.named && b.named && a.named->what == SB_NAMED_FUNC && b.named->what == SB_NAMED_FUNC)
        return sb__functype_equal(a.named->user, b.named->user);
    return false;
}

bool sb__functype_equal(const sb_sig *a, const sb_sig *b)
{
    if (!a || !b || a->nparams != b->nparams || !same_ctype(a->ret, b->ret))
        return false;
    for (uint16_t i = 0; i < a->nparams; i++)
        if (!same_ctype(a->params[i].type, b->params[i].type))
            return false;
    return true;
}

/* ------------------------------------------------------------------ */
/* struct/union definitions of declaration blocks                      */

bool sb__is_struct_def(const char *text, size_t len)
{
    size_t i = 0;
    while (i < len && isspace((unsigned char)text[i]))
        i++;
    size_t kw = len - i >= 6 && !memcmp(text + i, "struct", 6) ? 6 : len - i >= 5 && !memcmp(text + i, "union", 5) ? 5 : 0;
    if (!kw || (i + kw < len && is_ident_char((unsigned char)text[i + kw])))
        return false;
    for (i += kw; i < len; i++) {
        if (text[i] == '{')
            return true;
        if (len - i > 13 && !memcmp(text + i, "__attribute__", 13)) { /* struct __attribute__((packed)) tag */
            int depth = 0;
            for (i += 13; i < len; i++) {
                if (text[i] == '(')
                    depth++;
                else if (text[i] == ')' && --depth == 0)
                    break;
            }
            continue;
        }
        if (text[i] == '(' || text[i] == ';')
            return false;
    }
    return false;
}

int sb__struct_parse(const char *text, size_t len, const sb_scope *scope, sb_layout **out, sb_error *err)
{
    if (err) {
        err->col = (size_t)-1;
        err->msg[0] = '\0';
    }
    *out = NULL;
    parser p = {text, len, 0, {T_END, 0, 0, 0, 0}, NULL, err, false, scope, 0};
    next(&p);
    bool u = tok_is(&p, "union");
    if (p.failed || !(u || tok_is(&p, "struct"))) {
        expected(&p, "'struct' or 'union'");
        return -1;
    }
    next(&p);
    bool packed;
    if (!parse_packed(&p, &packed))
        return -1;
    if (p.t.kind != T_IDENT) {
        expected(&p, u ? "the union's tag" : "the struct's tag");
        return -1;
    }
    char name[80];
    snprintf(name, sizeof name, "%s %.*s", u ? "union" : "struct", (int)p.t.len, p.s + p.t.pos);
    next(&p);
    if (!punct_is(&p, '{')) {
        expected(&p, "'{' and the members");
        return -1;
    }
    sb_layout *L = parse_struct_body(&p, u, name, 0, packed);
    if (!L)
        return -1;
    if (p.t.kind != T_END) {
        sb__layout_free(L);
        expected(&p, "';' after the definition (declare variables of it separately)");
        return -1;
    }
    *out = L;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Integer constants of declaration blocks: enum, const, #define       */

/* The first word of text at i (after blanks), or an empty span. */
static size_t word_at(const char *text, size_t len, size_t *i, size_t *s)
{
    while (*i < len && isspace((unsigned char)text[*i]))
        (*i)++;
    *s = *i;
    while (*i < len && is_ident_char((unsigned char)text[*i]))
        (*i)++;
    return *i - *s;
}

int sb__constdecl_kind(const char *text, size_t len)
{
    size_t i = 0;
    while (i < len && isspace((unsigned char)text[i]))
        i++;
    if (i < len && text[i] == '#')
        return SB_DECL_DEFINE;
    bool brace = memchr(text, '{', len) != NULL;
    size_t s, n = word_at(text, len, &i, &s);
    if (n == 7 && memcmp(text + s, "typedef", 7) == 0)
        n = word_at(text, len, &i, &s);
    if (n == 4 && memcmp(text + s, "enum", 4) == 0 && brace)
        return SB_DECL_ENUM;
    /* `[static] const T NAME = value`: an '=' before any '(' (a prototype's
     * defaults come after its '('), and the word const before it. */
    bool seen_const = false;
    for (size_t j = 0; j < len; j++) {
        char c = text[j];
        if (c == '/' && j + 1 < len && text[j + 1] == '*') { /* a comment */
            const char *e = NULL;
            for (size_t k = j + 2; k + 1 < len && !e; k++)
                if (text[k] == '*' && text[k + 1] == '/')
                    e = text + k;
            if (!e)
                return SB_DECL_NONE;
            j = (size_t)(e - text) + 1;
            continue;
        }
        if (c == '(' || c == '"' || c == '\'' || c == '/')
            return SB_DECL_NONE;
        if (c == '=')
            return seen_const ? SB_DECL_CONST : SB_DECL_NONE;
        if (is_ident_start((unsigned char)c) && (j == 0 || !is_ident_char((unsigned char)text[j - 1]))) {
            size_t k = j;
            while (k < len && is_ident_char((unsigned char)text[k]))
                k++;
            seen_const |= k - j == 5 && memcmp(text + j, "const", 5) == 0;
            j = k - 1;
        }
    }
    return SB_DECL_NONE;
}

typedef struct cparse {
    parser *p;
    const sb_constscope *cs;
    const sb_constdef *local;  /* this statement's constants so far (enumerators) */
    size_t nlocal;
} cparse;

static bool cval_fits_i64(sb_cval v) { return !v.u; }

/* The operator at the current token: its precedence (higher binds tighter), or 0. */
static int binop(parser *p, char *op, int *twochar)
{
    *twochar = 0;
    if (p->t.kind != T_PUNCT)
        return 0;
    char c = p->t.punct, c2 = p->t.punct2;
    char after = p->t.pos + 1 < p->n ? p->s[p->t.pos + 1] : 0;
    *op = c;
    if (c2 == '=') {
        switch (c) {
        case '=': *op = 'E'; return 6;
        case '!': *op = 'N'; return 6;
        case '<': *op = 'l'; return 7;
        case '>': *op = 'g'; return 7;
        default: return 0;
        }
    }
    switch (c) {
    case '|': if (after == '|') { *twochar = 1; *op = 'O'; return 1; } return 3;
    case '&': if (after == '&') { *twochar = 1; *op = 'A'; return 2; } return 5;
    case '^': return 4;
    case '<': if (after == '<') { *twochar = 1; *op = 'L'; return 8; } return 7;
    case '>': if (after == '>') { *twochar = 1; *op = 'R'; return 8; } return 7;
    case '+': case '-': return 9;
    case '*': case '/': case '%': return 10;
    default: return 0;
    }
}

static bool cexpr(cparse *c, int minprec, sb_cval *out);

static bool too_big(parser *p, size_t at)
{
    fail(p, at, "constant expression overflows 64-bit signed arithmetic");
    return false;
}

static bool cprimary(cparse *c, sb_cval *out)
{
    parser *p = c->p;
    size_t at = p->t.pos;
    out->u = false;
    if (p->t.kind == T_PUNCT && !p->t.punct2 && (p->t.punct == '-' || p->t.punct == '+' || p->t.punct == '~' ||
                                                 p->t.punct == '!')) {
        char op = p->t.punct;
        next(p);
        sb_cval v;
        if (p->failed || !cprimary(c, &v))
            return false;
        if (!cval_fits_i64(v) && op != '+')
            return too_big(p, at);
        switch (op) {
        case '-':
            if (v.v == INT64_MIN)
                return too_big(p, at);
            out->v = -v.v;
            break;
        case '~': out->v = ~v.v; break;
        case '!': out->v = !v.v; break;
        default: *out = v; break;
        }
        return true;
    }
    if (punct_is(p, '(')) {
        next(p);
        if (p->failed || !cexpr(c, 1, out))
            return false;
        if (!punct_is(p, ')')) {
            expected(p, "')'");
            return false;
        }
        next(p);
        return !p->failed;
    }
    if (p->t.kind == T_INT) {
        uint64_t mag;
        if (!parse_int_text(p, p->t.pos, p->t.len, &mag))
            return false;
        out->v = (int64_t)mag;
        out->u = mag > (uint64_t)INT64_MAX;
        next(p);
        return !p->failed;
    }
    if (p->t.kind == T_CHAR) {
        char tmp[16];
        if (p->t.len - 2 > 8) {
            fail(p, p->t.pos, "invalid character literal");
            return false;
        }
        size_t n = decode_escapes(p, p->t.pos + 1, p->t.len - 2, tmp);
        if (n == (size_t)-1)
            return false;
        if (n != 1) {
            fail(p, p->t.pos, "character literal must hold exactly one character");
            return false;
        }
        out->v = (unsigned char)tmp[0];
        next(p);
        return !p->failed;
    }
    if (p->t.kind == T_IDENT) {
        const char *w = p->s + p->t.pos;
        size_t n = p->t.len;
        for (size_t i = c->nlocal; i-- > 0;)
            if (strlen(c->local[i].name) == n && memcmp(c->local[i].name, w, n) == 0) {
                *out = c->local[i].value;
                next(p);
                return !p->failed;
            }
        if (c->cs && c->cs->lookup(c->cs, w, n, out)) {
            next(p);
            return !p->failed;
        }
        fail(p, p->t.pos, "'%.*s' is not an integer constant declared before", (int)(n > 64 ? 64 : n), w);
        return false;
    }
    if (p->t.kind == T_FLOAT) {
        fail(p, p->t.pos, "only integer constants are supported");
        return false;
    }
    expected(p, "an integer constant expression");
    return false;
}

static bool cbinary(parser *p, size_t at, char op, sb_cval a, sb_cval b, sb_cval *out)
{
    out->u = false;
    if (!cval_fits_i64(a) || !cval_fits_i64(b))
        return too_big(p, at);
    int64_t x = a.v, y = b.v, r = 0;
    switch (op) {
    case '+':
        if ((y > 0 && x > INT64_MAX - y) || (y < 0 && x < INT64_MIN - y))
            return too_big(p, at);
        r = x + y;
        break;
    case '-':
        if ((y < 0 && x > INT64_MAX + y) || (y > 0 && x < INT64_MIN + y))
            return too_big(p, at);
        r = x - y;
        break;
    case '*':
        if (x && y) {
            if ((x == -1 && y == INT64_MIN) || (y == -1 && x == INT64_MIN))
                return too_big(p, at);
            if (x != -1 && y != -1 && ((x > 0) == (y > 0) ? (x > 0 ? x > INT64_MAX / y : x < INT64_MAX / y)
                                                          : (x > 0 ? y < INT64_MIN / x : x < INT64_MIN / y)))
                return too_big(p, at);
        }
        r = x * y;
        break;
    case '/':
    case '%':
        if (y == 0) {
            fail(p, at, "division by zero in a constant expression");
            return false;
        }
        if (x == INT64_MIN && y == -1)
            return too_big(p, at);
        r = op == '/' ? x / y : x % y;
        break;
    case 'L':
    case 'R':
        if (y < 0 || y > 63 || (op == 'L' && x < 0)) {
            fail(p, at, "shift out of range in a constant expression");
            return false;
        }
        if (op == 'L') {
            if (x > (INT64_MAX >> y))
                return too_big(p, at);
            r = (int64_t)((uint64_t)x << y);
        } else {
            r = x >= 0 ? x >> y : ~(~x >> y);
        }
        break;
    case '&': r = x & y; break;
    case '|': r = x | y; break;
    case '^': r = x ^ y; break;
    case 'A': r = x && y; break;
    case 'O': r = x || y; break;
    case 'E': r = x == y; break;
    case 'N': r = x != y; break;
    case '<': r = x < y; break;
    case '>': r = x > y; break;
    case 'l': r = x <= y; break;
    case 'g': r = x >= y; break;
    default: return too_big(p, at);
    }
    out->v = r;
    return true;
}

/* Precedence climbing over C's binary operators (no ?:, casts or sizeof). */
static bool cexpr(cparse *c, int minprec, sb_cval *out)
{
    parser *p = c->p;
    if (!cprimary(c, out))
        return false;
    for (;;) {
        char op;
        int two;
        int prec = binop(p, &op, &two);
        if (prec == 0 || prec < minprec)
            return !p->failed;
        size_t at = p->t.pos;
        next(p);
        if (two)
            next(p);
        sb_cval rhs;
        if (p->failed || !cexpr(c, prec + 1, &rhs))
            return false;
        if (!cbinary(p, at, op, *out, rhs, out))
            return false;
    }
}

/* Appends a constant (names unique within the statement). */
static bool add_const(parser *p, sb_constdecl *d, size_t *cap, size_t at, const char *name, size_t n, sb_cval v)
{
    if (n >= sizeof d->v[0].name) {
        fail(p, at, "constant name is too long (at most %zu characters)", sizeof d->v[0].name - 1);
        return false;
    }
    for (size_t i = 0; i < d->n; i++)
        if (strlen(d->v[i].name) == n && memcmp(d->v[i].name, name, n) == 0) {
            fail(p, at, "'%.*s' is declared twice", (int)n, name);
            return false;
        }
    if (d->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        sb_constdef *v = realloc(d->v, nc * sizeof *v);
        if (!v) {
            fail(p, at, "out of memory");
            return false;
        }
        d->v = v;
        *cap = nc;
    }
    memcpy(d->v[d->n].name, name, n);
    d->v[d->n].name[n] = '\0';
    d->v[d->n].value = v;
    d->n++;
    return true;
}

/* Does v fit the integer type t? */
static bool cval_fits(sb_cval v, sb_type t)
{
    const sb_kindinfo *ki = sb__kind((sb_kind)t.kind);
    if (v.u)
        return (uint64_t)v.v <= ki->max;
    return v.v >= ki->min && (v.v < 0 || (uint64_t)v.v <= ki->max);
}

static void cval_text(sb_cval v, char *b, size_t cap)
{
    if (v.u)
        snprintf(b, cap, "%llu", (unsigned long long)(uint64_t)v.v);
    else
        snprintf(b, cap, "%lld", (long long)v.v);
}

static bool parse_enum(parser *p, cparse *c, sb_constdecl *d, size_t *cap)
{
    bool is_typedef = tok_is(p, "typedef");
    if (is_typedef)
        next(p);
    if (!tok_is(p, "enum")) {
        expected(p, "'enum'");
        return false;
    }
    next(p);
    if (p->t.kind == T_IDENT && !copy_ident(p, d->tag, sizeof d->tag, "the enum's tag"))
        return false;
    if (!punct_is(p, '{')) {
        expected(p, "'{' to start the enumerators");
        return false;
    }
    next(p);
    sb_cval prev = {-1, false};
    while (!p->failed && !punct_is(p, '}')) {
        if (p->t.kind != T_IDENT) {
            expected(p, "an enumerator name");
            return false;
        }
        size_t at = p->t.pos, n = p->t.len;
        const char *name = p->s + at;
        next(p);
        sb_cval v;
        if (punct_is(p, '=')) {
            next(p);
            c->local = d->v;
            c->nlocal = d->n;
            if (p->failed || !cexpr(c, 1, &v))
                return false;
        } else {
            if (prev.u || prev.v == INT64_MAX) {
                if (prev.u && (uint64_t)prev.v == UINT64_MAX)
                    return too_big(p, at);
                v.v = (int64_t)((uint64_t)prev.v + 1);
                v.u = true;
            } else {
                v.v = prev.v + 1;
                v.u = false;
            }
        }
        if (!add_const(p, d, cap, at, name, n, v))
            return false;
        prev = v;
        if (punct_is(p, ',')) {
            next(p);
            continue;
        }
        if (!punct_is(p, '}')) {
            expected(p, "',' or '}' after the enumerator");
            return false;
        }
    }
    if (p->failed)
        return false;
    next(p); /* '}' */
    if (is_typedef) {
        if (!copy_ident(p, d->type_name, sizeof d->type_name, "the typedef's name"))
            return false;
    }
    if (p->t.kind != T_END) {
        expected(p, is_typedef ? "the end of the typedef" : "';' after the enum's '}'");
        return false;
    }
    if (!d->tag[0] && !d->type_name[0] && d->n == 0) {
        fail(p, 0, "an enum without a tag, a typedef name or enumerators declares nothing");
        return false;
    }
    /* The type: int when every value fits, as C requires; else (GCC's rule)
     * the smallest of unsigned int, long long, unsigned long long that holds them all. */
    static const sb_kind order[] = {SB_K_INT, SB_K_UINT, SB_K_LLONG, SB_K_ULLONG};
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        sb_type t = {(uint8_t)order[k], 0, 0, NULL};
        bool all = true;
        for (size_t i = 0; i < d->n && all; i++)
            all = cval_fits(d->v[i].value, t);
        if (all) {
            d->type = t;
            return true;
        }
    }
    fail(p, 0, "the enumerators' values need more than 64 bits (both negative and above INT64_MAX)");
    return false;
}

static bool parse_const(parser *p, cparse *c, sb_constdecl *d, size_t *cap)
{
    spec sp;
    sb_kind k;
    size_t tstart = p->t.pos;
    if (!parse_specs(p, &sp, "") || !resolve_spec(p, &sp, &k))
        return false;
    sb_type t;
    apply_spec(&sp, k, &t);
    if (!sp.cconst) {
        fail(p, tstart, "a constant is declared 'const' ('static const int NAME = value')");
        return false;
    }
    if (punct_is(p, '*') || t.ptr || t.named) {
        fail(p, tstart, "only integer constants are supported");
        return false;
    }
    sb_class cls = (sb_class)sb__kind((sb_kind)t.kind)->cls;
    if (cls != SB_CLASS_SINT && cls != SB_CLASS_UINT && cls != SB_CLASS_BOOL) {
        fail(p, tstart, "only integer constants are supported, not %s", sb__kind((sb_kind)t.kind)->name);
        return false;
    }
    t.cconst = 0;
    d->type = t;
    for (;;) {
        if (p->t.kind != T_IDENT) {
            expected(p, "the constant's name");
            return false;
        }
        size_t at = p->t.pos, n = p->t.len;
        const char *name = p->s + at;
        next(p);
        if (!punct_is(p, '=')) {
            expected(p, "'=' and the constant's value");
            return false;
        }
        next(p);
        size_t vat = p->t.pos;
        sb_cval v;
        c->local = d->v;
        c->nlocal = d->n;
        if (p->failed || !cexpr(c, 1, &v))
            return false;
        if (cls != SB_CLASS_BOOL && !cval_fits(v, t)) {
            char vb[32];
            cval_text(v, vb, sizeof vb);
            const sb_kindinfo *ki = sb__kind((sb_kind)t.kind);
            fail(p, vat, "%.*s = %s does not fit %s (%lld..%llu)", (int)n, name, vb, ki->name, (long long)ki->min,
                 (unsigned long long)ki->max);
            return false;
        }
        if (cls == SB_CLASS_BOOL) /* C: any non-zero value is true */
            v.v = v.v != 0, v.u = false;
        if (!add_const(p, d, cap, at, name, n, v))
            return false;
        if (punct_is(p, ',')) {
            next(p);
            continue;
        }
        if (p->t.kind != T_END) {
            expected(p, "',' or the end of the declaration");
            return false;
        }
        return true;
    }
}

static bool parse_define(parser *p, cparse *c, sb_constdecl *d, size_t *cap)
{
    /* '#' 'define' NAME expr */
    if (!punct_is(p, '#')) {
        expected(p, "'#'");
        return false;
    }
    next(p);
    if (!tok_is(p, "define")) {
        fail(p, p->t.pos, "only '#define NAME value' is supported in declarations, not '#%.*s'",
             (int)(p->t.len > 20 ? 20 : p->t.len), p->s + p->t.pos);
        return false;
    }
    next(p);
    if (p->t.kind != T_IDENT) {
        expected(p, "the macro's name");
        return false;
    }
    size_t at = p->t.pos, n = p->t.len;
    const char *name = p->s + at;
    next(p);
    if (punct_is(p, '(') && p->t.pos == at + n) {
        fail(p, p->t.pos, "function-like macros are not supported (only '#define NAME integer-expression')");
        return false;
    }
    if (p->t.kind == T_END) {
        fail(p, p->t.pos, "'#define %.*s' has no value (only integer constants are supported)", (int)n, name);
        return false;
    }
    sb_cval v;
    if (p->failed || !cexpr(c, 1, &v))
        return false;
    if (p->t.kind != T_END) {
        expected(p, "the end of the #define (only integer constant expressions are supported)");
        return false;
    }
    d->type.kind = v.u ? SB_K_ULLONG : SB_K_LLONG;
    return add_const(p, d, cap, at, name, n, v);
}

int sb__constdecl_parse(const char *text, size_t len, const sb_scope *scope, const sb_constscope *cs,
                        sb_constdecl *out, sb_error *err)
{
    if (err) {
        err->col = (size_t)-1;
        err->msg[0] = '\0';
    }
    memset(out, 0, sizeof *out);
    out->what = (uint8_t)sb__constdecl_kind(text, len);
    parser p = {text, len, 0, {T_END, 0, 0, 0, 0}, NULL, err, false, scope, 0};
    if (memchr(text, '\0', len)) {
        fail(&p, (size_t)((const char *)memchr(text, '\0', len) - text), "NUL character in the declaration");
        return -1;
    }
    next(&p);
    cparse c = {&p, cs, NULL, 0};
    size_t cap = 0;
    bool ok = !p.failed;
    switch (out->what) {
    case SB_DECL_ENUM: ok = ok && parse_enum(&p, &c, out, &cap); break;
    case SB_DECL_CONST: ok = ok && parse_const(&p, &c, out, &cap); break;
    case SB_DECL_DEFINE: ok = ok && parse_define(&p, &c, out, &cap); break;
    default:
        fail(&p, 0, "not a constant declaration");
        ok = false;
        break;
    }
    if (!ok || p.failed) {
        if (err && !err->msg[0])
            sb__error_set(err, p.t.pos, "invalid declaration");
        sb__constdecl_free(out);
        return -1;
    }
    return 0;
}

void sb__constdecl_free(sb_constdecl *d)
{
    if (!d)
        return;
    free(d->v);
    d->v = NULL;
    d->n = 0;
}
