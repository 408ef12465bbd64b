/* decl.c — declaration blocks: statement splitting, struct/union bodies, typedefs, enum/const/#define constants (plain C). */
#include "core/internal.h"
#include "core/parse.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Declaration blocks                                                  */

/* Past the function body whose '{' is at i (strings, characters and comments skipped). */
static size_t skip_body(const char *text, size_t len, size_t i)
{
    int depth = 0;
    for (; i < len; i++) {
        char c = text[i];
        if (c == '"' || c == '\'') {
            for (i++; i < len && text[i] != c; i++)
                if (text[i] == '\\')
                    i++;
        } else if (c == '/' && i + 1 < len && text[i + 1] == '*') {
            for (i += 2; i + 1 < len && !(text[i] == '*' && text[i + 1] == '/'); i++)
                ;
            i++;
        } else if (c == '/' && i + 1 < len && text[i + 1] == '/') {
            while (i + 1 < len && text[i + 1] != '\n')
                i++;
        } else if (c == '{') {
            depth++;
        } else if (c == '}' && --depth == 0) {
            return i + 1;
        }
    }
    return len;
}

/* Past the word at i (*last then 'a'); an __attribute__((...)) or __asm__(...) with
 * its parentheses, leaving *last as it was (their ')' is not a parameter list's). */
static size_t skip_word(const char *text, size_t len, size_t i, char *last, char before)
{
    size_t w = i;
    while (i < len && is_ident_char((unsigned char)text[i]))
        i++;
    size_t n = i - w;
    bool paren = (n == 13 && !memcmp(text + w, "__attribute__", 13)) || (n == 11 && !memcmp(text + w, "__attribute", 11)) ||
                 (n == 7 && !memcmp(text + w, "__asm__", 7)) || (n == 5 && !memcmp(text + w, "__asm", 5));
    *last = paren ? before : 'a';
    if (!paren)
        return i;
    size_t j = i;
    while (j < len && isspace((unsigned char)text[j]))
        j++;
    if (j >= len || text[j] != '(')
        return i;
    int depth = 0;
    for (; j < len; j++) {
        if (text[j] == '"' || text[j] == '\'') {
            char q = text[j];
            for (j++; j < len && text[j] != q; j++)
                if (text[j] == '\\')
                    j++;
        } else if (text[j] == '(') {
            depth++;
        } else if (text[j] == ')' && --depth == 0) {
            return j + 1;
        }
    }
    return len;
}

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
        char last = 0;  /* the last character that counts outside braces (')' before a function body) */
        bool body = false;
        while (i < len && (text[i] != ';' || braces > 0)) {
            char c = text[i];
            if (c == '{' && braces == 0 && last == ')') { /* `static inline int f(int x) { ... }` */
                body = true;
                i = skip_body(text, len, i);
                break;
            }
            char before = last;
            if (braces == 0 && !isspace((unsigned char)c))
                last = c;
            if (c == '{')
                braces++;
            else if (c == '}' && braces > 0)
                braces--;
            if (braces == 0 && is_ident_start((unsigned char)c) && (i == s || !is_ident_char((unsigned char)text[i - 1]))) {
                i = skip_word(text, len, i, &last, before);
                continue;
            }
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
        if (body) { /* a function definition: skipped (inline functions are not the library's symbols) */
            continue;
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
/* struct/union bodies                                                 */

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
    mark_attrs(p); /* __attribute__((packed, aligned(N))) from here to the body (parse_struct_body) */
    *packed = false;
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

static sb_layout *parse_struct_body(parser *p, bool is_union, const char *name, int depth, bool packed);

/* "struct tag" / "union tag" for the tag at the current token (any length),
 * malloc'd for the caller to free; NULL (p failed) when out of memory. */
static char *tag_name(parser *p, bool is_union)
{
    size_t n = p->t.len + 7;
    char *buf = malloc(n + 1);
    if (!buf) {
        fail(p, p->t.pos, "out of memory");
        return NULL;
    }
    snprintf(buf, n + 1, "%s %.*s", is_union ? "union" : "struct", (int)p->t.len, p->s + p->t.pos);
    return buf;
}

/* An inline definition at the `struct`/`union` that starts a member of L:
 * struct [tag] { ... } [declarators]; 1 with *base its type (declarators
 * follow), 2 when it was an anonymous member (its fields now L's, its ';'
 * read), 0 when it is not a definition (nothing read), -1 on failure. */
static int parse_inline_def(parser *p, sb_layout *L, int depth, sb_type *base)
{
    size_t mstart = p->t.pos;
    sb_error e;
    size_t save_pos = p->pos;
    tok save = p->t;
    bool u = tok_is(p, "union");
    next(p);
    bool subpacked;
    if (!parse_packed(p, &subpacked))
        return -1;
    char *subname = NULL;
    if (p->t.kind == T_IDENT) {
        if (!(subname = tag_name(p, u)))
            return -1;
        next(p);
    }
    if (!punct_is(p, '{')) {
        free(subname);
        p->pos = save_pos;
        p->t = save;
        return 0;
    }
    /* GCC: packed lays out the members of the struct it is on, not those of a
     * struct type defined inside it (that one is packed only if it says so). */
    sb_layout *sub = parse_struct_body(p, u, subname ? subname : u ? "union <anonymous>" : "struct <anonymous>",
                                       depth + 1, subpacked);
    free(subname);
    if (!sub || sb__layout_add_sub(L, sub, &e) < 0) {
        if (sub)
            fail(p, mstart, "%s", e.msg);
        return -1;
    }
    if (punct_is(p, ';')) { /* anonymous member: its fields belong to this one */
        if (sb__layout_add_anon(L, sub, &e) < 0) {
            fail(p, mstart, "%s", e.msg);
            return -1;
        }
        next(p);
        return 2;
    }
    *base = (sb_type){SB_K_VOID, 0, 0, &sub->named};
    return 1;
}

/* Array lengths after a member's name (`[4][2]`): *count their product, 0
 * when there are none. np: where the name is. */
static bool parse_dims(parser *p, size_t np, uint64_t *count)
{
    return sb__parse_dims(p, np, count, false);
}

bool sb__parse_dims(parser *p, size_t np, uint64_t *count, bool open)
{
    *count = 0;
    while (punct_is(p, '[')) {
        next(p);
        size_t at = p->t.pos;
        if (open && *count == 0 && punct_is(p, ']')) { /* [] */
            next(p);
            open = false;
            continue;
        }
        sb_cval v = {0, false, 0};
        cparse c = {p, p->scope ? p->scope->consts : NULL, NULL, 0};
        if (punct_is(p, ']') || !sb__cexpr(&c, 1, &v) || v.u || v.v <= 0 || v.v > (1 << 24)) {
            if (!p->failed)
                fail(p, at, "expected an array length (1..16777216)");
            break;
        }
        uint64_t n = (uint64_t)v.v;
        if (!punct_is(p, ']')) {
            expected(p, "']' after the array length");
            break;
        }
        next(p);
        *count = (*count ? *count : 1) * n;
        if (*count > (1u << 24)) {
            fail(p, np, "array too large");
            break;
        }
    }
    return !p->failed;
}

/* At '[': is it `[expr]` with expr 0 (a GNU zero-length array)? Reads nothing. */
static bool zero_length_follows(parser *p)
{
    size_t save_pos = p->pos;
    tok save = p->t;
    sb_error *err = p->err;
    p->err = NULL;
    next(p);
    sb_cval v = {0, false, 0};
    cparse c = {p, p->scope ? p->scope->consts : NULL, NULL, 0};
    bool zero = !punct_is(p, ']') && sb__cexpr(&c, 1, &v) && v.v == 0 && !v.u && punct_is(p, ']');
    if (zero) {
        next(p);
        zero = !punct_is(p, '['); /* not an array of arrays */
    }
    p->pos = save_pos;
    p->t = save;
    p->failed = false;
    p->err = err;
    return zero;
}

/* One declarator of a member whose type is base (`a`, `*b`, `c[4]`,
 * `flag : 1`, `(*fn)(int)`), added to L. tstart: where the type began. */
static bool parse_member_declarator(parser *p, sb_layout *L, sb_type base, uint32_t acount, uint32_t talign,
                                    bool inline_def, size_t tstart)
{
    sb_error e;
    sb_type t = base;
    if (!sb__parse_pointers(p, &t))
        return false;
    uint64_t fcount = t.ptr == base.ptr ? acount : 0; /* uuid_t id: unsigned char id[16] */
    size_t np = p->t.pos, nl = 0;
    int ap = punct_is(p, '(') && !inline_def ? sb__parse_array_pointer(p, &t, &np, &nl) : 0;
    if (ap < 0)
        return false;
    if (ap > 0) {
        /* int (*coef_bits)[64]: a pointer */
    } else if (punct_is(p, '(')) { /* a function pointer member: laid out as a pointer */
        fpdecl d;
        sb_sig *fsig = inline_def ? NULL : sb__parse_fp_declarator(p, tstart, &d);
        if (!fsig) {
            if (!p->failed)
                fail(p, p->t.pos, "expected a member name");
            return false;
        }
        np = d.name_pos;
        nl = d.name_len;
        fcount = d.count; /* void (*handlers[4])(int) */
        if (sb__layout_functype(L, fsig, d.spelling, &t, &e) < 0) { /* keeps its type: calls read it */
            fail(p, np, "%s", e.msg);
            return false;
        }
        if (d.stars > 1)
            t.ptr = (uint8_t)d.stars; /* int (**pp)(int) */
    } else if (p->t.kind == T_IDENT) {
        nl = p->t.len;
        next(p);
    }
    if (!nl && !punct_is(p, ':')) {
        expected(p, "a member name");
        return false;
    }
    if (punct_is(p, '[') && !fcount && p->pos < p->n && sb__lex_peek_punct(p, ']')) { /* char data[]; */
        next(p);
        next(p);
        if (punct_is(p, '[')) {
            fail(p, p->t.pos, "a flexible array of arrays is not supported");
            return false;
        }
        if (sb__layout_add_flex(L, p->s + np, nl, t, false, &e) < 0) {
            fail(p, np, "%s", e.msg);
            return false;
        }
        return true;
    }
    if (punct_is(p, '[') && !fcount && L->nfields && zero_length_follows(p)) { /* char pad[0]: GNU C */
        while (!punct_is(p, ']'))
            next(p);
        next(p);
        if (sb__layout_add_flex(L, p->s + np, nl, t, true, &e) < 0) {
            fail(p, np, "%s", e.msg);
            return false;
        }
        return !p->failed;
    }
    uint64_t count;
    if (!parse_dims(p, np, &count))
        return false;
    if (fcount) {
        if (count > (1u << 24) / fcount) {
            fail(p, np, "array too large");
            return false;
        }
        count = count ? count * fcount : fcount;
    }
    if (punct_is(p, ':')) { /* a bit-field: `unsigned flag : 1;`, `int : 0;` */
        size_t wat = p->t.pos;
        next(p);
        uint64_t w = 0;
        if (count || p->t.kind != T_INT || !sb__parse_int_text(p, p->t.pos, p->t.len, &w) || w > 64) {
            if (!p->failed)
                fail(p, wat, count ? "an array cannot be a bit-field" : "expected the bit-field's width");
            return false;
        }
        next(p);
        if (sb__layout_add_bits(L, nl ? p->s + np : NULL, nl, t, (unsigned)w, &e) < 0) {
            fail(p, wat, "%s", e.msg);
            return false;
        }
    } else if (sb__layout_add_ex(L, p->s + np, nl, t, (uint32_t)count,
                                 t.ptr == base.ptr && talign > p->acc_align ? talign : p->acc_align, p->acc_packed,
                                 &e) < 0) {
        fail(p, np, "%s", e.msg);
        return false;
    }
    return true;
}

/* At `enum`: is a body next (`enum {` or `enum tag {`)? Reads nothing. */
static bool enum_body_follows(parser *p)
{
    size_t save_pos = p->pos;
    tok save = p->t;
    next(p);
    if (p->t.kind == T_IDENT)
        next(p);
    bool body = punct_is(p, '{');
    p->pos = save_pos;
    p->t = save;
    p->failed = false;
    return body;
}

/* One member statement of L, up to and including its ';'. */
static bool parse_member(parser *p, sb_layout *L, int depth)
{
    size_t mstart = p->t.pos;
    mark_attrs(p);
    sb_type base = {SB_K_VOID, 0, 0, NULL};
    bool inline_def = false;
    if (tok_is(p, "struct") || tok_is(p, "union")) {
        int r = parse_inline_def(p, L, depth, &base);
        if (r < 0)
            return false;
        if (r == 2)
            return true;
        inline_def = r == 1;
        if (inline_def)
            mark_attrs(p); /* not what the members inside said */
    }
    spec sp;
    memset(&sp, 0, sizeof sp);
    sp.start = mstart;
    if (!inline_def && tok_is(p, "enum") && enum_body_follows(p)) { /* enum { A, B } state; an int member */
        while (!punct_is(p, '{'))
            next(p);
        for (int depth = 0; !p->failed && p->t.kind != T_END; next(p)) {
            if (punct_is(p, '{'))
                depth++;
            else if (punct_is(p, '}') && --depth == 0) {
                next(p);
                break;
            }
        }
        base = (sb_type){SB_K_INT, 0, 0, NULL};
        inline_def = true;
        mark_attrs(p);
    }
    if (!inline_def && !sb__parse_base_type(p, &sp, " for the member", &base))
        return false;
    bool spacked = p->acc_packed;
    uint32_t salign = p->acc_align;
    for (;;) { /* declarators: a, *b, c[4] */
        p->acc_packed = spacked; /* each declarator: the specifiers' attributes and its own */
        p->acc_align = salign;
        if (!parse_member_declarator(p, L, base, inline_def ? 0 : spec_count(&sp), inline_def ? 0 : spec_align(&sp),
                                     inline_def, sp.start))
            return false;
        if (punct_is(p, ',')) {
            next(p);
            continue;
        }
        if (!punct_is(p, ';')) {
            expected(p, "';' after the member");
            return false;
        }
        next(p);
        return true;
    }
}

/* A struct/union body at '{' up to and including '}': members as C lays them
 * out. Returns a finished layout (owned by the caller) or NULL (p failed). */
static sb_layout *parse_struct_body(parser *p, bool is_union, const char *name, int depth, bool packed)
{
    size_t open = p->t.pos;
    if (depth > 8) {
        fail(p, open, "structs nested too deeply");
        return NULL;
    }
    packed = packed || p->acc_packed; /* struct __attribute__((packed)) tag { */
    uint32_t align = p->acc_align;
    sb_layout *L;
    sb_error e;
again:
    if (!(L = sb__layout_new(is_union, name))) {
        fail(p, open, "out of memory");
        return NULL;
    }
    L->packed = packed;
    L->pack = p->scope ? p->scope->pack : 0;
    next(p);
    while (!p->failed && !punct_is(p, '}')) {
        if (p->t.kind == T_END) {
            expected(p, "'}' to end the members");
            break;
        }
        if (!parse_member(p, L, depth))
            break;
    }
    if (!p->failed) {
        next(p); /* '}' */
        if (p->t.packed && !packed) { /* struct { ... } __attribute__((packed)): lay it out again, packed */
            sb__layout_free(L);
            packed = true;
            p->pos = open;
            next(p);
            goto again;
        }
        if (p->t.align > align)
            align = p->t.align;
        if (align > L->align) /* __attribute__((aligned(N))) on the struct */
            L->align = align;
        if (sb__layout_finish(L, &e) < 0)
            fail(p, open, "%s", e.msg);
    }
    if (p->failed) {
        sb__layout_free(L);
        return NULL;
    }
    return L;
}

/* ------------------------------------------------------------------ */
/* typedef statements of declaration blocks                            */

static size_t skip_extension(const char *text, size_t len, size_t i);

bool sb__is_typedef(const char *text, size_t len)
{
    size_t i = skip_extension(text, len, 0);
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

/* The identifier at the current token, any length, into *dst (malloc'd, the
 * caller's to free; *dst must be NULL or is freed first); then the next token. */
static bool dup_ident(parser *p, char **dst, const char *what)
{
    if (p->t.kind != T_IDENT) {
        expected(p, what);
        return false;
    }
    free(*dst);
    if (!(*dst = sb__strndup(p->s + p->t.pos, p->t.len))) {
        fail(p, p->t.pos, "out of memory");
        return false;
    }
    next(p);
    return !p->failed;
}

/* The rest of a function pointer typedef, at the '(' of
 * `typedef int (*cmp_t)(const void *, const void *)`; tstart: where its
 * result type began. 0, or -1 (p failed). */
static int typedef_funcptr(parser *p, size_t tstart, sb_typedef *out)
{
    if (out->opaque) {
        fail(p, p->t.pos, "a function pointer typedef returning an opaque struct needs a typedef of it first");
        return -1;
    }
    fpdecl d;
    sb_sig *fsig = sb__parse_fp_declarator(p, tstart, &d);
    if (!fsig)
        return -1;
    size_t np = d.name_pos, nl = d.name_len;
    const char *spelling = d.spelling;
    if (!nl || p->t.kind != T_END || !(out->name = malloc(nl + 1))) {
        sb__sig_free(fsig);
        if (!nl)
            fail(p, np, "a function pointer typedef needs a name: typedef int (*name)(int)");
        else if (p->t.kind != T_END)
            expected(p, "the end of the typedef");
        else
            fail(p, np, "out of memory");
        return -1;
    }
    memcpy(out->name, p->s + np, nl);
    out->name[nl] = '\0';
    out->fsig = fsig;
    out->fname = spelling;
    out->type = (sb_type){SB_K_VOID, (uint8_t)d.stars, 0, NULL};
    out->count = (uint32_t)d.count; /* typedef void (*table_t[4])(int) */
    return 0;
}

/* `[[release(fn)]]` after a typedef's name: fn frees a handle of this type. */
static bool parse_release(parser *p, sb_typedef *out)
{
    size_t at = p->t.pos;
    next(p);
    if (!punct_is(p, '[')) {
        expected(p, "'[[' to start an annotation");
        return false;
    }
    next(p);
    if (!tok_is(p, "release")) {
        fail(p, p->t.pos, "a typedef takes only [[release(fn)]]");
        return false;
    }
    next(p);
    if (!punct_is(p, '(')) {
        expected(p, "'(' after release");
        return false;
    }
    next(p);
    if (!copy_ident(p, out->release, sizeof out->release, "the release function's name"))
        return false;
    if (!punct_is(p, ')')) {
        expected(p, "')'");
        return false;
    }
    next(p);
    if (!eat(p, ']', 2, "']]' to end the annotation"))
        return false;
    bool handle = out->opaque ? out->type.ptr <= 1
                              : out->type.named && out->type.named->what == SB_NAMED_OPAQUE && out->type.ptr <= 1;
    if (!handle) {
        fail(p, at, "[[release]] applies to opaque handle types ('typedef struct tag name')");
        return false;
    }
    return true;
}

/* At a struct's tag: does its body follow (`struct tag {`)? Reads nothing. */
static bool brace_follows(parser *p)
{
    size_t save_pos = p->pos;
    tok save = p->t;
    next(p);
    bool brace = punct_is(p, '{');
    p->pos = save_pos;
    p->t = save;
    p->failed = false;
    return brace;
}

/* At '(': is it `(name)(`, a parenthesized declarator name? Reads nothing. */
static bool paren_name(parser *p)
{
    size_t save_pos = p->pos;
    tok save = p->t;
    next(p);
    bool yes = p->t.kind == T_IDENT;
    if (yes) {
        next(p);
        yes = punct_is(p, ')');
        next(p);
        yes = yes && punct_is(p, '(');
    }
    p->pos = save_pos;
    p->t = save;
    p->failed = false;
    return yes;
}

/* `[16]` after a typedef's name (not `[[release]]`): *count the array length
 * (times bcount, the base typedef's own length). */
static bool typedef_dims(parser *p, size_t name_at, uint32_t bcount, uint32_t *count)
{
    *count = bcount;
    if (!punct_is(p, '['))
        return true;
    if (sb__lex_peek_punct(p, '[')) /* [[release(fn)]] */
        return true;
    uint64_t n;
    if (!sb__parse_dims(p, name_at, &n, false))
        return false;
    if (bcount && n > (1u << 24) / bcount) {
        fail(p, name_at, "array too large");
        return false;
    }
    *count = (uint32_t)(bcount ? n * bcount : n);
    return true;
}

/* `typedef int fn_t(int)` at the '(' after the name: a function type. */
static int typedef_function(parser *p, size_t tstart, size_t name_at, sb_typedef *out)
{
    if (out->opaque) {
        fail(p, p->t.pos, "a function typedef returning an opaque struct needs a typedef of it first");
        return -1;
    }
    const char *spelling;
    sb_sig *fsig = sb__parse_fn_params(p, tstart, name_at, &spelling);
    if (!fsig)
        return -1;
    if (p->t.kind != T_END) {
        sb__sig_free(fsig);
        expected(p, "the end of the typedef");
        return -1;
    }
    out->fsig = fsig;
    out->fname = spelling;
    out->function = true;
    out->type = (sb_type){SB_K_VOID, 0, 0, NULL};
    return 0;
}

/* `, *PS, S2` after a typedef's first name: more names for base behind their own pointers. */
static bool typedef_more(parser *p, sb_type base, uint32_t bcount, sb_typedef *out)
{
    size_t cap = 0;
    while (punct_is(p, ',')) {
        next(p);
        if (out->nmore == cap) {
            size_t ncap = cap ? cap * 2 : 4;
            sb_typedef_more *v = realloc(out->more, ncap * sizeof *v);
            if (!v) {
                fail(p, p->t.pos, "out of memory");
                return false;
            }
            out->more = v;
            cap = ncap;
        }
        sb_typedef_more *m = &out->more[out->nmore++]; /* counted now: sb__typedef_clear frees its name
                                                          * whatever fails below (dup_ident may fail after
                                                          * storing it, at the token after the name) */
        m->name = NULL;
        m->type = base;
        if (!sb__parse_pointers(p, &m->type))
            return false;
        if (punct_is(p, '(')) {
            fail(p, p->t.pos, "a function pointer typedef is declared on its own: typedef int (*name)(int)");
            return false;
        }
        size_t name_at = p->t.pos;
        uint8_t ptr = m->type.ptr;
        if (!dup_ident(p, &m->name, "the typedef's name"))
            return false;
        if (!typedef_dims(p, name_at, ptr == base.ptr ? bcount : 0, &m->count))
            return false;
    }
    return true;
}

void sb__typedef_clear(sb_typedef *td)
{
    for (size_t i = 0; i < td->nmore; i++)
        free(td->more[i].name);
    free(td->name);
    free(td->tag);
    td->name = td->tag = NULL;
    free(td->more);
    td->more = NULL;
    td->nmore = 0;
}

static int typedef_parse(const char *text, size_t len, const sb_scope *scope, sb_typedef *out, sb_error *err);

int sb__typedef_parse(const char *text, size_t len, const sb_scope *scope, sb_typedef *out, sb_error *err)
{
    int rc = typedef_parse(text, len, scope, out, err);
    if (rc < 0) { /* nothing half-made is handed out */
        sb__layout_free(out->layout);
        sb__sig_free(out->fsig);
        sb__typedef_clear(out);
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
    parser p = PARSER_INIT(text, len, NULL, err, scope, 0);
    next(&p);
    if (p.failed || !tok_is(&p, "typedef")) {
        expected(&p, "'typedef'");
        return -1;
    }
    next(&p);
    mark_attrs(&p); /* aligned(N), vector_size(N) anywhere in the typedef */
    size_t tstart = p.t.pos;
    /* `typedef struct tag name;` where the scope does not know the tag: a new
     * opaque type (a handle C code only passes around by pointer). */
    if (tok_is(&p, "struct") || tok_is(&p, "union")) {
        size_t save_pos = p.pos;
        tok save = p.t;
        next(&p);
        if (!p.failed && p.t.kind == T_IDENT &&
            !(scope && scope->lookup(scope, p.s + p.t.pos, p.t.len, save.len == 6 ? 's' : 'u')) &&
            !brace_follows(&p)) {
            if (!dup_ident(&p, &out->tag, "the struct's tag"))
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
        char *lname = NULL;
        if (p.t.kind == T_IDENT) {
            if (!(lname = tag_name(&p, u)))
                return -1;
            if (!dup_ident(&p, &out->tag, "the struct's tag")) {
                free(lname);
                return -1;
            }
        }
        if (punct_is(&p, '{')) {
            out->layout = parse_struct_body(&p, u, lname ? lname : "", 0, packed);
            free(lname);
            if (!out->layout)
                return -1;
            out->type = (sb_type){SB_K_VOID, 0, 0, &out->layout->named};
        } else {
            free(lname);
            free(out->tag);
            out->tag = NULL;
            p.pos = save_pos;
            p.t = save;
        }
    }
    spec sp;
    memset(&sp, 0, sizeof sp);
    if (!out->opaque && !out->layout) {
        if (p.failed || !sb__parse_base_type(&p, &sp, " after 'typedef'", &out->type))
            return -1;
    }
    sb_type base = out->type;
    uint32_t bcount = out->opaque || out->layout ? 0 : spec_count(&sp);
    if (!sb__parse_pointers(&p, &out->type))
        return -1;
    if (punct_is(&p, '(') && paren_name(&p)) { /* typedef int (name)(int): a function type */
        size_t lp = p.t.pos;
        next(&p);
        if (!dup_ident(&p, &out->name, "the typedef's name"))
            return -1;
        next(&p); /* ')' */
        return typedef_function(&p, tstart, lp, out);
    }
    if (punct_is(&p, '('))
        return typedef_funcptr(&p, tstart, out);
    size_t name_at = p.t.pos;
    if (!dup_ident(&p, &out->name, "the typedef's name"))
        return -1;
    if (punct_is(&p, '('))
        return typedef_function(&p, tstart, name_at, out);
    if (!typedef_dims(&p, name_at, out->type.ptr == base.ptr ? bcount : 0, &out->count))
        return -1;
    if (punct_is(&p, '[') && !parse_release(&p, out))
        return -1;
    if (punct_is(&p, ',') && !typedef_more(&p, base, bcount, out))
        return -1;
    if (p.t.kind != T_END) {
        expected(&p, "the end of the typedef");
        return -1;
    }
    uint32_t salign = out->type.ptr == base.ptr ? spec_align(&sp) : 0; /* typedef aligned_int *p: a pointer */
    out->align = p.acc_align > salign ? p.acc_align : salign;
    if (p.acc_vsize && !out->type.ptr && !out->type.named && !out->count && !out->opaque) {
        size_t es = sb__type_size(out->type); /* a vector: its elements as an array, aligned to its size */
        if (!es || p.acc_vsize % es || p.acc_vsize / es > (1u << 24)) {
            fail(&p, tstart, "vector_size(%u) does not fit the element type", (unsigned)p.acc_vsize);
            return -1;
        }
        out->count = (uint32_t)(p.acc_vsize / es);
        if (!p.acc_align) /* aligned(N) on a typedef may also lower it (GCC) */
            out->align = p.acc_vsize;
    }
    return p.failed ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* struct/union definitions of declaration blocks                      */

bool sb__is_struct_def(const char *text, size_t len)
{
    size_t i = skip_extension(text, len, 0);
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
    parser p = PARSER_INIT(text, len, NULL, err, scope, 0);
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
    char *name = tag_name(&p, u);
    if (!name)
        return -1;
    next(&p);
    if (!punct_is(&p, '{')) {
        free(name);
        expected(&p, "'{' and the members");
        return -1;
    }
    sb_layout *L = parse_struct_body(&p, u, name, 0, packed);
    free(name);
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

bool sb__struct_forward(const char *text, size_t len, char **tag, bool *is_union)
{
    parser p = PARSER_INIT(text, len, NULL, NULL, NULL, 0);
    next(&p);
    bool u = tok_is(&p, "union");
    if (p.failed || !(u || tok_is(&p, "struct")))
        return false;
    next(&p);
    bool packed;
    if (!parse_packed(&p, &packed) || p.t.kind != T_IDENT)
        return false;
    tok name = p.t;
    next(&p);
    if (p.failed || p.t.kind != T_END || !(*tag = sb__strndup(text + name.pos, name.len)))
        return false;
    *is_union = u;
    return true;
}

size_t sb__declarators(const char *text, size_t len, const sb_scope *scope, size_t *spec_end, sb_span *decl,
                       size_t cap)
{
    if (!cap || sb__is_typedef(text, len) || memchr(text, '{', len))
        return 0;
    sb_error e;
    parser p = PARSER_INIT(text, len, NULL, &e, scope, 0);
    next(&p);
    spec sp;
    sb_type t;
    if (p.failed || !sb__parse_base_type(&p, &sp, "", &t))
        return 0;
    *spec_end = p.t.pos;
    size_t n = 0, start = p.t.pos;
    int depth = 0;
    for (size_t i = start; i <= len; i++) {
        char c = i < len ? text[i] : ',';
        if (c == '"' || c == '\'') { /* __asm__("x,y") */
            for (i++; i < len && text[i] != c; i++)
                if (text[i] == '\\')
                    i++;
            continue;
        }
        if (c == '(' || c == '[')
            depth++;
        else if ((c == ')' || c == ']') && depth > 0)
            depth--;
        else if (c == ',' && depth == 0) {
            if (n == cap)
                return n;
            decl[n].start = start;
            decl[n].end = i;
            n++;
            start = i + 1;
        }
    }
    return n;
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

/* Past blanks and `__extension__` words at the start of a statement. */
static size_t skip_extension(const char *text, size_t len, size_t i)
{
    for (;;) {
        while (i < len && isspace((unsigned char)text[i]))
            i++;
        if (len - i >= 13 && !memcmp(text + i, "__extension__", 13) &&
            (len - i == 13 || !is_ident_char((unsigned char)text[i + 13])))
            i += 13;
        else
            return i;
    }
}

int sb__constdecl_kind(const char *text, size_t len)
{
    size_t i = skip_extension(text, len, 0);
    if (i < len && text[i] == '#') {
        size_t j = i + 1, s;
        while (j < len && (text[j] == ' ' || text[j] == '\t'))
            j++;
        if (j < len && isdigit((unsigned char)text[j]))
            return SB_DECL_PRAGMA; /* # 1 "file" 3 4 */
        size_t n = word_at(text, len, &j, &s);
        if ((n == 6 && !memcmp(text + s, "pragma", 6)) || (n == 4 && !memcmp(text + s, "line", 4)) ||
            (n == 5 && !memcmp(text + s, "ident", 5)))
            return SB_DECL_PRAGMA;
        return SB_DECL_DEFINE;
    }
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

int sb__pragma(const char *text, size_t len, sb_pack *pk, sb_error *err)
{
    if (err) {
        err->col = (size_t)-1;
        err->msg[0] = '\0';
    }
    parser p = PARSER_INIT(text, len, NULL, err, NULL, 0);
    next(&p);
    if (punct_is(&p, '#'))
        next(&p);
    if (!tok_is(&p, "pragma"))
        return p.failed ? -1 : 0; /* a line marker, #line, #ident */
    next(&p);
    if (!tok_is(&p, "pack"))
        return 0; /* #pragma once, GCC visibility, GCC diagnostic ...: nothing to do here */
    next(&p);
    if (!punct_is(&p, '(')) {
        expected(&p, "'(' after '#pragma pack'");
        return -1;
    }
    next(&p);
    bool push = false, pop = false, any = false;
    uint64_t n = 0;
    while (!p.failed && !punct_is(&p, ')')) {
        if (tok_is(&p, "push") && !any)
            push = true;
        else if (tok_is(&p, "pop") && !any)
            pop = true;
        else if (p.t.kind == T_INT && !pop && sb__parse_int_text(&p, p.t.pos, p.t.len, &n) && n <= 256 &&
                 !(n & (n - 1)))
            any = true;
        else if (!p.failed) {
            fail(&p, p.t.pos, "'#pragma pack' takes (N), (push[, N]), (pop) or (), N a power of two up to 256");
            return -1;
        }
        next(&p);
        if (punct_is(&p, ','))
            next(&p);
    }
    if (p.failed)
        return -1;
    if (push) {
        if (pk->n == SB_PACK_DEPTH) {
            fail(&p, 0, "'#pragma pack(push)' nested more than %d deep", SB_PACK_DEPTH);
            return -1;
        }
        pk->stack[pk->n++] = pk->cur;
    } else if (pop) {
        pk->cur = pk->n ? pk->stack[--pk->n] : 0;
        return 0;
    }
    if (any || !push)
        pk->cur = (uint32_t)n; /* pack(): the default again */
    return 0;
}

static size_t name_hash(const char *s, size_t n)
{
    size_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

size_t sb__constdecl_find(const sb_constdecl *d, const char *name, size_t len)
{
    if (!d->hcap) { /* no index (out of memory while making it): every name */
        for (size_t i = 0; i < d->n; i++)
            if (strlen(d->v[i].name) == len && memcmp(d->v[i].name, name, len) == 0)
                return i;
        return SIZE_MAX;
    }
    for (size_t k = name_hash(name, len) & (d->hcap - 1);; k = (k + 1) & (d->hcap - 1)) {
        size_t i = d->hidx[k];
        if (!i)
            return SIZE_MAX;
        if (strlen(d->v[i - 1].name) == len && memcmp(d->v[i - 1].name, name, len) == 0)
            return i - 1;
    }
}

/* Indexes d->v[i] by name (the table at most half full: grown, rehashed). */
static bool index_const(sb_constdecl *d, size_t i)
{
    if (2 * (d->n + 1) > d->hcap) {
        size_t cap = d->hcap ? d->hcap * 2 : 16;
        size_t *t = calloc(cap, sizeof *t);
        if (!t)
            return false;
        free(d->hidx);
        d->hidx = t;
        d->hcap = cap;
        for (size_t j = 0; j < i; j++)
            if (!index_const(d, j))
                return false;
    }
    const char *nm = d->v[i].name;
    size_t k = name_hash(nm, strlen(nm)) & (d->hcap - 1);
    while (d->hidx[k])
        k = (k + 1) & (d->hcap - 1);
    d->hidx[k] = i + 1;
    return true;
}

/* Appends a constant (names unique within the statement). */
static bool add_const(parser *p, sb_constdecl *d, size_t *cap, size_t at, const char *name, size_t n, sb_cval v)
{
    if (sb__constdecl_find(d, name, n) != SIZE_MAX) {
        fail(p, at, "'%.*s' is declared twice", (int)(n > 64 ? 64 : n), name);
        return false;
    }
    char *nm = sb__strndup(name, n);
    if (!nm) {
        fail(p, at, "out of memory");
        return false;
    }
    sb_constdef c = {nm, v};
    bool ok = sb__constdecl_push(d, cap, &c);
    free(nm);
    if (!ok) {
        fail(p, at, "out of memory");
        return false;
    }
    return true;
}

bool sb__constdecl_push(sb_constdecl *d, size_t *cap, const sb_constdef *c)
{
    if (d->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        sb_constdef *nv = realloc(d->v, nc * sizeof *nv);
        if (!nv)
            return false;
        d->v = nv;
        *cap = nc;
    }
    size_t len = strlen(c->name);
    char *nm = malloc(len + 1);
    if (!nm)
        return false;
    memcpy(nm, c->name, len + 1);
    d->v[d->n].name = nm;
    d->v[d->n].value = c->value;
    if (!index_const(d, d->n)) {
        free(nm);
        return false;
    }
    d->n++;
    return true;
}

void sb__constdecl_truncate(sb_constdecl *d, size_t n)
{
    if (n >= d->n)
        return;
    for (size_t i = n; i < d->n; i++)
        free(d->v[i].name);
    d->n = n;
    free(d->hidx); /* rebuilt (a failed block is rare) */
    d->hidx = NULL;
    d->hcap = 0;
    for (size_t i = 0; i < n; i++)
        if (!index_const(d, i)) { /* out of memory: no index, names found by a scan */
            free(d->hidx);
            d->hidx = NULL;
            d->hcap = 0;
            return;
        }
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
    if (p->t.kind == T_IDENT && !dup_ident(p, &d->tag, "the enum's tag"))
        return false;
    if (!punct_is(p, '{')) {
        expected(p, "'{' to start the enumerators");
        return false;
    }
    next(p);
    sb_cval prev = {-1, false, 0};
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
            if (p->failed || !sb__cexpr(c, 1, &v))
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
        v.ty = 0; /* an enumerator is an int (long, unsigned long long where it needs: GCC) */
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
        if (!dup_ident(p, &d->type_name, "the typedef's name"))
            return false;
    }
    if (p->t.kind != T_END) {
        expected(p, is_typedef ? "the end of the typedef" : "';' after the enum's '}'");
        return false;
    }
    if (!d->tag && !d->type_name && d->n == 0) {
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
    size_t tstart = p->t.pos;
    sb_type t;
    if (!sb__parse_base_type(p, &sp, "", &t))
        return false;
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
        if (p->failed || !sb__cexpr(c, 1, &v))
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
        const sb_kindinfo *vk = sb__kind((sb_kind)t.kind); /* later expressions see the declared type */
        v.ty = (uint8_t)(1 + (vk->size < 4 || cls == SB_CLASS_BOOL ? SB_CT_INT
                              : (vk->size == 4 ? SB_CT_INT : SB_CT_LONG) | (cls == SB_CLASS_UINT)));
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
    if (p->failed || !sb__cexpr(c, 1, &v))
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
    parser p = PARSER_INIT(text, len, NULL, err, scope, 0);
    if (memchr(text, '\0', len)) {
        fail(&p, (size_t)((const char *)memchr(text, '\0', len) - text), "NUL character in the declaration");
        return -1;
    }
    next(&p);
    cparse c = {&p, cs, out, 0};
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
    for (size_t i = 0; i < d->n; i++)
        free(d->v[i].name);
    free(d->v);
    free(d->hidx);
    free(d->tag);
    free(d->type_name);
    d->tag = d->type_name = NULL;
    d->v = NULL;
    d->hidx = NULL;
    d->n = d->hcap = 0;
}
