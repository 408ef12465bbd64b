/* lexer.c — the signature language's tokens and literals: the token reader, integer/float/char/string literals (plain C). */
#include "core/internal.h"
#include "core/parse.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Lexer                                                               */

static void lex_one(parser *p);

/* At the '#' at i, first on its line: a line marker of `gcc -E` (`# 12 "f.h" 3`, `#line 12`) or a
 * #pragma, which may fall inside a declaration (a struct's members) and mean nothing there? */
static bool line_marker(const char *s, size_t n, size_t i)
{
    size_t b = i;
    while (b > 0 && (s[b - 1] == ' ' || s[b - 1] == '\t'))
        b--;
    if (b > 0 && s[b - 1] != '\n')
        return false;
    size_t j = i + 1;
    while (j < n && (s[j] == ' ' || s[j] == '\t'))
        j++;
    if (j < n && isdigit((unsigned char)s[j]))
        return true;
    return (n - j >= 4 && !memcmp(s + j, "line", 4)) || (n - j >= 6 && !memcmp(s + j, "pragma", 6));
}

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
        } else if (c == '#' && p->pos > 0 && line_marker(p->s, p->n, p->pos)) {
            while (p->pos < p->n && p->s[p->pos] != '\n') /* `# 435 "stddef.h" 3 4` inside a declaration */
                p->pos++;
        } else {
            break;
        }
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* Compiler noise: GCC/Clang words real headers (and `gcc -E`) carry,  */
/* read as blanks; what matters (packed, aligned, an __asm__ label) is  */
/* kept for the parser.                                                 */

enum { NOISE_NONE, NOISE_WORD, NOISE_ATTRIBUTE, NOISE_ASM, NOISE_ALIGNAS, NOISE_PARENS };

static int noise_kind(const char *w, size_t n)
{
    static const struct { const char *w; int kind; } words[] = {
        {"__extension__", NOISE_WORD},      {"__restrict", NOISE_WORD},       {"__restrict__", NOISE_WORD},
        {"__inline", NOISE_WORD},           {"__inline__", NOISE_WORD},       {"_Noreturn", NOISE_WORD},
        {"__volatile__", NOISE_WORD},       {"__thread", NOISE_WORD},         {"_Thread_local", NOISE_WORD},
        {"__attribute__", NOISE_ATTRIBUTE}, {"__attribute", NOISE_ATTRIBUTE}, {"__asm__", NOISE_ASM},
        {"__asm", NOISE_ASM},               {"asm", NOISE_ASM},               {"_Alignas", NOISE_ALIGNAS},
        {"alignas", NOISE_ALIGNAS},         {"__declspec", NOISE_PARENS},
    };
    if (n < 3 || (w[0] == 'a' ? n != 3 && n != 7
                              : w[0] != '_' || (w[1] != '_' && w[1] != 'N' && w[1] != 'T' && w[1] != 'A')))
        return NOISE_NONE; /* most identifiers: one or two comparisons */
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strlen(words[i].w) == n && memcmp(words[i].w, w, n) == 0)
            return words[i].kind;
    return NOISE_NONE;
}

/* The ')' matching the '(' at open (strings and characters skipped), or 0. */
static size_t matching_paren(const char *s, size_t n, size_t open)
{
    int depth = 0;
    for (size_t i = open; i < n; i++) {
        char c = s[i];
        if (c == '"' || c == '\'') {
            for (i++; i < n && s[i] != c; i++)
                if (s[i] == '\\')
                    i++;
        } else if (c == '(') {
            depth++;
        } else if (c == ')' && --depth == 0) {
            return i;
        }
    }
    return 0;
}

/* The value of the constant expression or type (its alignment) in [a, b). */
static bool align_value(parser *p, size_t a, size_t b, uint32_t *out)
{
    sb_error e;
    parser q = PARSER_INIT(p->s, b, NULL, &e, p->scope, p->depth);
    q.pos = a;
    next(&q);
    cparse c = {&q, NULL, NULL, 0};
    sb_cval v;
    if (!q.failed && sb__cexpr(&c, 1, &v) && q.t.kind == T_END && !v.u && v.v > 0 && v.v <= (1 << 28) &&
        !(v.v & (v.v - 1))) {
        *out = (uint32_t)v.v;
        return true;
    }
    sb_type t;
    if (sb__type_parse_in(p->s + a, b - a, p->scope, &t, &e) == 0) {
        *out = (uint32_t)sb__type_align(t);
        return true;
    }
    fail(p, a, "expected an alignment (a power of two, or a type)");
    return false;
}

/* What an __attribute__((...)) in [a, b) says: packed, aligned(N). */
static bool read_attributes(parser *p, size_t a, size_t b)
{
    const char *s = p->s;
    for (size_t i = a; i < b; i++) {
        if (s[i] == '"' || s[i] == '\'') { /* visibility("default"), deprecated("...") */
            char q = s[i];
            for (i++; i < b && s[i] != q; i++)
                if (s[i] == '\\')
                    i++;
            continue;
        }
        if (!is_ident_start((unsigned char)s[i]) || (i > a && is_ident_char((unsigned char)s[i - 1])))
            continue;
        size_t j = i;
        while (j < b && is_ident_char((unsigned char)s[j]))
            j++;
        size_t n = j - i;
        if ((n == 6 && !memcmp(s + i, "packed", 6)) || (n == 10 && !memcmp(s + i, "__packed__", 10))) {
            p->t.packed = true;
        } else if ((n == 11 && !memcmp(s + i, "vector_size", 11)) || (n == 15 && !memcmp(s + i, "__vector_size__", 15))) {
            size_t k = j;
            while (k < b && isspace((unsigned char)s[k]))
                k++;
            size_t close = k < b && s[k] == '(' ? matching_paren(s, b, k) : 0;
            uint32_t vs;
            if (!close || !align_value(p, k + 1, close, &vs))
                return !p->failed ? (fail(p, k, "expected vector_size(N)"), false) : false;
            p->t.vsize = vs;
            j = close;
        } else if ((n == 7 && !memcmp(s + i, "aligned", 7)) || (n == 11 && !memcmp(s + i, "__aligned__", 11))) {
            size_t k = j;
            while (k < b && isspace((unsigned char)s[k]))
                k++;
            uint32_t al = 16; /* `aligned` alone: the largest alignment of the target (x86-64) */
            if (k < b && s[k] == '(') {
                size_t close = matching_paren(s, b, k);
                if (!close || !align_value(p, k + 1, close, &al))
                    return !p->failed ? (fail(p, k, "unbalanced parentheses in __attribute__"), false) : false;
                j = close;
            }
            if (al > p->t.align)
                p->t.align = al;
        }
        i = j - 1;
    }
    return true;
}

/* At a noise word ending at i: skips it and its parenthesized argument.
 * Returns false when it is not noise after all (`asm` not followed by '('). */
static bool skip_noise(parser *p, int kind, size_t word, size_t i)
{
    p->pos = i;
    if (kind == NOISE_WORD)
        return true;
    if (!skip_space(p))
        return true; /* the failure is set */
    if (p->pos >= p->n || p->s[p->pos] != '(') {
        if (kind == NOISE_ASM && p->s[word] == 'a') {
            p->pos = i; /* a name `asm` */
            return false;
        }
        fail(p, p->pos, "expected '(' after '%.*s'", (int)(i - word), p->s + word);
        return true;
    }
    size_t open = p->pos, close = matching_paren(p->s, p->n, open);
    if (!close) {
        fail(p, open, "unbalanced parentheses after '%.*s'", (int)(i - word), p->s + word);
        return true;
    }
    p->pos = close + 1;
    if (kind == NOISE_ATTRIBUTE)
        read_attributes(p, open + 1, close);
    else if (kind == NOISE_ALIGNAS) {
        uint32_t al;
        if (align_value(p, open + 1, close, &al) && al > p->t.align)
            p->t.align = al;
    } else if (kind == NOISE_ASM) {
        p->asm_pos = open + 1;
        p->asm_len = close - open - 1;
    }
    return true;
}

void sb__lex_next(parser *p)
{
    p->t.packed = false;
    p->t.align = 0;
    p->t.vsize = 0;
    for (;;) {
        lex_one(p);
        if (p->t.kind != T_IDENT || p->failed)
            break;
        int kind = noise_kind(p->s + p->t.pos, p->t.len);
        if (kind == NOISE_NONE || !skip_noise(p, kind, p->t.pos, p->t.pos + p->t.len))
            break;
        if (p->failed) {
            p->t.kind = T_BAD;
            break;
        }
    }
    p->acc_packed |= p->t.packed;
    if (p->t.align > p->acc_align)
        p->acc_align = p->t.align;
    if (p->t.vsize)
        p->acc_vsize = p->t.vsize;
}

bool sb__lex_peek_punct(parser *p, char c)
{
    size_t save_pos = p->pos;
    tok save = p->t;
    sb__lex_next(p);
    bool is = p->t.kind == T_PUNCT && p->t.punct == c && p->t.punct2 == 0;
    p->pos = save_pos;
    p->t = save;
    return is;
}

static void lex_one(parser *p)
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
bool sb__parse_int_text(parser *p, size_t pos, size_t len, uint64_t *mag)
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

/* The character literal at the current token ('a', '\n', '\x41'): its one byte. */
bool sb__char_literal(parser *p, unsigned char *out)
{
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
    *out = (unsigned char)tmp[0];
    return true;
}

/* literal := ['-'|'+'] (INT | FLOAT | CHAR) | STRING | NULL | nullptr | None | true | false | True | False */
bool sb__parse_literal(parser *p, sb_literal *lit, size_t *span_start, size_t *span_end)
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
        if (!sb__parse_int_text(p, p->t.pos, p->t.len, &lit->mag))
            return false;
        if (lit->mag == 0)
            lit->neg = false;
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
        unsigned char ch;
        if (!sb__char_literal(p, &ch))
            return false;
        lit->kind = SB_LIT_INT;
        lit->mag = ch;
        lit->neg = neg && lit->mag;
        break;
    }
    case T_STRING: {
        if (sign)
            goto bad;
        char *out = sb__arena_alloc(p->a, p->t.len);
        if (!out) {
            fail(p, p->t.pos, "out of memory");
            return false;
        }
        size_t n = decode_escapes(p, p->t.pos + 1, p->t.len - 2, out);
        if (n == (size_t)-1)
            return false;
        lit->kind = SB_LIT_STRING;
        lit->s = out;
        lit->len = (uint32_t)n;
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

char *sb__ident_dup(parser *p)
{
    char *s = sb__arena_strndup(p->a, p->s + p->t.pos, p->t.len);
    if (!s)
        fail(p, p->t.pos, "out of memory");
    return s;
}
