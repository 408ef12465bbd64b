/* decl.c — declaration blocks: statement splitting, struct/union bodies, typedefs, enum/const/#define constants (plain C). */
#include "core/internal.h"
#include "core/parse.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static sb_layout *parse_struct_body(parser *p, bool is_union, const char *name, int depth, bool packed);

/* "struct tag" / "union tag" for the tag at the current token, into buf
 * (cap > SB_MAX_NAME + 7); a longer tag is an error, never truncated. */
static bool tag_name(parser *p, bool is_union, char *buf, size_t cap)
{
    if (p->t.len > SB_MAX_NAME) {
        fail(p, p->t.pos, "the %s's tag is too long (at most %d characters)", is_union ? "union" : "struct",
             SB_MAX_NAME);
        return false;
    }
    snprintf(buf, cap, "%s %.*s", is_union ? "union" : "struct", (int)p->t.len, p->s + p->t.pos);
    return true;
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
    char subname[80];
    snprintf(subname, sizeof subname, "%s <anonymous>", u ? "union" : "struct");
    if (p->t.kind == T_IDENT) {
        if (!tag_name(p, u, subname, sizeof subname))
            return -1;
        next(p);
    }
    if (!punct_is(p, '{')) {
        p->pos = save_pos;
        p->t = save;
        return 0;
    }
    /* GCC: packed lays out the members of the struct it is on, not those of a
     * struct type defined inside it (that one is packed only if it says so). */
    sb_layout *sub = parse_struct_body(p, u, subname, depth + 1, subpacked);
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
    *count = 0;
    while (punct_is(p, '[')) {
        next(p);
        uint64_t n = 0;
        if (p->t.kind != T_INT || !sb__parse_int_text(p, p->t.pos, p->t.len, &n) || n == 0 || n > (1u << 24)) {
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
        *count = (*count ? *count : 1) * n;
        if (*count > (1u << 24)) {
            fail(p, np, "array too large");
            break;
        }
    }
    return !p->failed;
}

/* One declarator of a member whose type is base (`a`, `*b`, `c[4]`,
 * `flag : 1`, `(*fn)(int)`), added to L. tstart: where the type began. */
static bool parse_member_declarator(parser *p, sb_layout *L, sb_type base, bool inline_def, size_t tstart)
{
    sb_error e;
    sb_type t = base;
    if (!sb__parse_pointers(p, &t))
        return false;
    size_t np = p->t.pos, nl = 0;
    if (punct_is(p, '(')) { /* a function pointer member: laid out as a pointer */
        const char *spelling;
        sb_sig *fsig = inline_def ? NULL : sb__parse_fp_declarator(p, tstart, &np, &nl, &spelling);
        if (!fsig) {
            if (!p->failed)
                fail(p, p->t.pos, "expected a member name");
            return false;
        }
        if (sb__layout_functype(L, fsig, spelling, &t, &e) < 0) { /* keeps its type: calls read it */
            fail(p, np, "%s", e.msg);
            return false;
        }
    } else if (p->t.kind == T_IDENT) {
        nl = p->t.len;
        next(p);
    }
    if (!nl && !punct_is(p, ':')) {
        expected(p, "a member name");
        return false;
    }
    uint64_t count;
    if (!parse_dims(p, np, &count))
        return false;
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
    } else if (sb__layout_add(L, p->s + np, nl, t, (uint32_t)count, &e) < 0) {
        fail(p, np, "%s", e.msg);
        return false;
    }
    return true;
}

/* One member statement of L, up to and including its ';'. */
static bool parse_member(parser *p, sb_layout *L, int depth)
{
    size_t mstart = p->t.pos;
    sb_type base = {SB_K_VOID, 0, 0, NULL};
    bool inline_def = false;
    if (tok_is(p, "struct") || tok_is(p, "union")) {
        int r = parse_inline_def(p, L, depth, &base);
        if (r < 0)
            return false;
        if (r == 2)
            return true;
        inline_def = r == 1;
    }
    spec sp;
    sp.start = mstart;
    if (!inline_def && !sb__parse_base_type(p, &sp, " for the member", &base))
        return false;
    for (;;) { /* declarators: a, *b, c[4] */
        if (!parse_member_declarator(p, L, base, inline_def, sp.start))
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
        if (!parse_member(p, L, depth))
            break;
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

/* The rest of a function pointer typedef, at the '(' of
 * `typedef int (*cmp_t)(const void *, const void *)`; tstart: where its
 * result type began. 0, or -1 (p failed). */
static int typedef_funcptr(parser *p, size_t tstart, sb_typedef *out)
{
    if (out->opaque) {
        fail(p, p->t.pos, "a function pointer typedef returning an opaque struct needs a typedef of it first");
        return -1;
    }
    size_t np, nl;
    const char *spelling;
    sb_sig *fsig = sb__parse_fp_declarator(p, tstart, &np, &nl, &spelling);
    if (!fsig)
        return -1;
    if (!nl || nl >= sizeof out->name || p->t.kind != T_END) {
        sb__sig_free(fsig);
        if (!nl)
            fail(p, np, "a function pointer typedef needs a name: typedef int (*name)(int)");
        else if (nl >= sizeof out->name)
            fail(p, np, "the typedef's name is too long");
        else
            expected(p, "the end of the typedef");
        return -1;
    }
    memcpy(out->name, p->s + np, nl);
    out->name[nl] = '\0';
    out->fsig = fsig;
    out->fname = spelling;
    out->type = (sb_type){SB_K_VOID, 1, 0, NULL};
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
            if (!tag_name(&p, u, lname, sizeof lname))
                return -1;
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
        if (p.failed || !sb__parse_base_type(&p, &sp, " after 'typedef'", &out->type))
            return -1;
    }
    if (!sb__parse_pointers(&p, &out->type))
        return -1;
    if (punct_is(&p, '('))
        return typedef_funcptr(&p, tstart, out);
    if (!copy_ident(&p, out->name, sizeof out->name, "the typedef's name"))
        return -1;
    if (punct_is(&p, '[') && !parse_release(&p, out))
        return -1;
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
    if (!tag_name(&p, u, name, sizeof name))
        return -1;
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
    if (n >= sizeof d->v[0].name) {
        fail(p, at, "constant name is too long (at most %zu characters)", sizeof d->v[0].name - 1);
        return false;
    }
    if (sb__constdecl_find(d, name, n) != SIZE_MAX) {
        fail(p, at, "'%.*s' is declared twice", (int)n, name);
        return false;
    }
    sb_constdef c;
    memcpy(c.name, name, n);
    c.name[n] = '\0';
    c.value = v;
    if (!sb__constdecl_push(d, cap, &c)) {
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
    d->v[d->n] = *c;
    if (!index_const(d, d->n))
        return false;
    d->n++;
    return true;
}

void sb__constdecl_truncate(sb_constdecl *d, size_t n)
{
    if (n >= d->n)
        return;
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
    parser p = {text, len, 0, {T_END, 0, 0, 0, 0}, NULL, err, false, scope, 0};
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
    free(d->v);
    free(d->hidx);
    d->v = NULL;
    d->hidx = NULL;
    d->n = d->hcap = 0;
}
