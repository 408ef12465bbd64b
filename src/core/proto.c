/* proto.c — the signature language: prototype text -> sb_sig (one arena per signature), lone types, function types (plain C). */
#include "core/internal.h"
#include "core/parse.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Parameters and the prototype                                        */

#define MAX_PARAMS SB_MAX_ARGS

static sb_sig *parse_at_depth(const char *text, size_t len, const sb_scope *scope, sb_error *err, int depth);
static sb_sig *fp_tail(parser *p, size_t ret_start, size_t lp, const char **spelling);
static sb_sig *fp_nested(parser *p, size_t ret_start, size_t lp, unsigned stars, fpdecl *d);

sb_sig *sb__parse_fn_params(parser *p, size_t ret_start, size_t ret_end, const char **spelling)
{
    return fp_tail(p, ret_start, ret_end, spelling);
}

int sb__parse_array_pointer(parser *p, sb_type *t, size_t *name_pos, size_t *name_len)
{
    size_t save_pos = p->pos;
    tok save = p->t;
    next(p);
    unsigned stars = 0;
    while (punct_is(p, '*')) {
        stars++;
        next(p);
    }
    size_t np = p->t.pos, nl = 0;
    if (p->t.kind == T_IDENT) {
        nl = p->t.len;
        next(p);
    }
    bool yes = stars && punct_is(p, ')');
    if (yes) {
        next(p);
        yes = punct_is(p, '[');
    }
    if (!yes || p->failed) {
        p->pos = save_pos;
        p->t = save;
        p->failed = false;
        return 0;
    }
    uint64_t n;
    if (!sb__parse_dims(p, np, &n, true)) /* the pointee's length: not needed for a pointer */
        return -1;
    if (t->ptr + stars > 8) {
        fail(p, save.pos, "too many levels of pointers");
        return -1;
    }
    t->ptr = (uint8_t)(t->ptr + stars);
    *name_pos = np;
    *name_len = nl;
    return 1;
}

/* A function pointer declarator after its result type: `(*name)(params)`;
 * `ret_start` is where the result type began. Parses the function type as
 * its own signature "RET __fn(PARAMS)" (recursively, depth-limited) and
 * returns it with its spelling as a pointer ("RET (*)(PARAMS)", in the
 * signature's arena); *name gets the declarator's name span (len 0: none). */
sb_sig *sb__parse_fp_declarator(parser *p, size_t ret_start, fpdecl *d)
{
    size_t lp = p->t.pos;
    next(p);
    if (!punct_is(p, '*')) {
        expected(p, "'*' in a function pointer declarator '(*name)(...)'");
        return NULL;
    }
    d->stars = 0;
    d->count = 0;
    while (punct_is(p, '*')) { /* (*name), (**name), (* const name) */
        if (++d->stars > 7) {
            fail(p, p->t.pos, "too many levels of pointers");
            return NULL;
        }
        next(p);
        while (tok_is(p, "const") || tok_is(p, "volatile") || tok_is(p, "restrict") || tok_is(p, "__const"))
            next(p);
    }
    if (punct_is(p, '(')) /* void (*(*getter)(int))(void) */
        return fp_nested(p, ret_start, lp, d->stars, d);
    d->name_pos = p->t.pos;
    d->name_len = 0;
    if (p->t.kind == T_IDENT) {
        d->name_len = p->t.len;
        next(p);
    }
    if (punct_is(p, '[') && !sb__parse_dims(p, d->name_pos, &d->count, true)) /* (*handlers[4]) */
        return NULL;
    if (!punct_is(p, ')')) {
        expected(p, "')' after the function pointer's name");
        return NULL;
    }
    next(p);
    return fp_tail(p, ret_start, lp, &d->spelling);
}

/* The parameters of a function pointer type at their '(' (the result type is
 * [ret_start, lp)): its signature and spelling ("RET (*)(PARAMS)"). */
/* A parenthesized group at '(' up to and including its ')': [*ps, *pe). */
static bool paren_span(parser *p, size_t *ps, size_t *pe)
{
    if (!punct_is(p, '(')) {
        expected(p, "'(' and the function pointer's parameters");
        return false;
    }
    *ps = p->t.pos;
    int depth = 0;
    for (;;) {
        if (p->failed)
            return false;
        if (p->t.kind == T_END) {
            expected(p, "')' to end the function pointer's parameters");
            return false;
        }
        if (punct_is(p, '('))
            depth++;
        else if (punct_is(p, ')') && --depth == 0) {
            *pe = p->t.pos + 1;
            next(p);
            return !p->failed;
        }
        next(p);
    }
}

static sb_sig *fp_build(parser *p, size_t lp, const char *buf, size_t n, const char **spelling);

static sb_sig *fp_tail(parser *p, size_t ret_start, size_t lp, const char **spelling)
{
    size_t ps, pe;
    if (!paren_span(p, &ps, &pe))
        return NULL;
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
    sb_sig *fsig = fp_build(p, lp, buf, rn + 5 + pn, spelling);
    free(buf);
    return fsig;
}

/* `RET (*(*name)(A))(B)` at the inner '(' (its outer '(' at lp, `stars` '*' read):
 * a pointer to a function of (A) returning `RET (*)(B)`; the rest of d filled. */
static sb_sig *fp_nested(parser *p, size_t ret_start, size_t lp, unsigned stars, fpdecl *d)
{
    next(p);
    d->stars = 0;
    while (punct_is(p, '*') && d->stars < 7) {
        d->stars++;
        next(p);
    }
    d->name_pos = p->t.pos;
    d->name_len = 0;
    if (p->t.kind == T_IDENT) {
        d->name_len = p->t.len;
        next(p);
    }
    if (!d->stars || !punct_is(p, ')')) {
        expected(p, d->stars ? "')' after the function pointer's name" : "'*' in a function pointer declarator");
        return NULL;
    }
    next(p);
    size_t as, ae, bs, be;
    if (!paren_span(p, &as, &ae))
        return NULL;
    if (!punct_is(p, ')')) {
        expected(p, "')' after the function pointer's parameters");
        return NULL;
    }
    next(p);
    if (!paren_span(p, &bs, &be))
        return NULL;
    /* "RET (*__fn(A))(B)": a function returning a function pointer */
    size_t rn = lp - ret_start;
    char *buf = malloc(rn + (ae - as) + (be - bs) + 24);
    if (!buf) {
        fail(p, lp, "out of memory");
        return NULL;
    }
    size_t n = 0;
    memcpy(buf, p->s + ret_start, rn);
    n += rn;
    buf[n++] = '(';
    for (unsigned i = 0; i < stars; i++)
        buf[n++] = '*';
    memcpy(buf + n, "__fn", 4);
    n += 4;
    memcpy(buf + n, p->s + as, ae - as);
    n += ae - as;
    buf[n++] = ')';
    memcpy(buf + n, p->s + bs, be - bs);
    n += be - bs;
    sb_sig *fsig = fp_build(p, lp, buf, n, &d->spelling);
    free(buf);
    return fsig;
}

/* The function type in buf ("RET __fn(PARAMS)"), parsed at the next depth, and
 * its spelling as a pointer ("RET (*)(PARAMS)"). */
static sb_sig *fp_build(parser *p, size_t lp, const char *buf, size_t n, const char **spelling)
{
    if (p->depth >= 4) {
        fail(p, lp, "function pointer types nested too deeply");
        return NULL;
    }
    sb_error e2;
    sb_sig *fsig = parse_at_depth(buf, n, p->scope, &e2, p->depth + 1);
    if (!fsig) {
        fail(p, lp, "in the function pointer type: %s", e2.msg);
        return NULL;
    }
    if (fsig->flags & (SB_SIG_NOGIL | SB_SIG_FREE) || fsig->contract.kind) {
        sb__sig_free(fsig);
        fail(p, lp, "a function pointer type takes no annotations");
        return NULL;
    }
    for (uint16_t i = 0; i < fsig->nparams; i++)
        if (fsig->params[i].flags || fsig->params[i].def) {
            sb__sig_free(fsig);
            fail(p, lp, "a function pointer type's parameters take no defaults, annotations, *args or **kwargs");
            return NULL;
        }
    /* The spelling: the normalized text with "__fn" replaced by "(*)". */
    const char *t = fsig->text, *at = strstr(t, "__fn(");
    size_t head = (size_t)(at - t), tn = strlen(t);
    char *sp = sb__arena_alloc(fsig->arena, tn + 2);
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
    sb_named *nd = sb__arena_alloc(p->a, sizeof *nd);
    if (!nd || !sb__arena_adopt(p->a, fsig)) {
        sb__sig_free(fsig);
        fail(p, p->t.pos, "out of memory");
        return NULL;
    }
    memset(nd, 0, sizeof *nd);
    nd->what = SB_NAMED_FUNC;
    nd->name = spelling;
    nd->user = fsig;
    return nd;
}

/* Is the current token the name of an earlier parameter? */
static bool names_earlier_param(const parser *p)
{
    for (size_t i = 0; p->t.kind == T_IDENT && i < p->nprev; i++)
        if (p->prev[i].name && strlen(p->prev[i].name) == p->t.len &&
            !memcmp(p->prev[i].name, p->s + p->t.pos, p->t.len))
            return true;
    return false;
}

static bool parse_param(parser *p, sb_param *prm)
{
    memset(prm, 0, sizeof *prm);
    prm->col = (uint32_t)p->t.pos;
    spec sp;
    if (!sb__parse_base_type(p, &sp, " for the parameter", &prm->type))
        return false;
    uint8_t base_ptr = prm->type.ptr;
    if (!sb__parse_pointers(p, &prm->type))
        return false;
    if ((spec_count(&sp) && prm->type.ptr == base_ptr) || /* uuid_t u: an array, passed as a pointer */
        (prm->type.named && prm->type.named->what == SB_NAMED_FUNC && prm->type.ptr == 0)) { /* fn_t f */
        if (prm->type.ptr >= 8) {
            fail(p, prm->col, "too many levels of pointers");
            return false;
        }
        prm->type.ptr++;
    }
    size_t apos = 0, alen = 0;
    int ap = punct_is(p, '(') ? sb__parse_array_pointer(p, &prm->type, &apos, &alen) : 0;
    if (ap < 0)
        return false;
    if (ap > 0) { /* int (*rows)[4]: a pointer */
        if (alen && !(prm->name = sb__arena_strndup(p->a, p->s + apos, alen)))
            return false;
    } else if (punct_is(p, '(')) {
        /* int (*cmp)(const void *, const void *); int (**pp)(int); void (*handlers[4])(int) */
        fpdecl d;
        sb_sig *fsig = sb__parse_fp_declarator(p, sp.start, &d);
        const sb_named *nd = fsig ? adopt_functype(p, fsig, d.spelling) : NULL;
        if (!nd)
            return false;
        prm->type = (sb_type){SB_K_VOID, (uint8_t)(d.stars + (d.count ? 1 : 0)), 0, nd}; /* an array decays */
        if (d.name_len && !(prm->name = sb__arena_strndup(p->a, p->s + d.name_pos, d.name_len)))
            return false;
    } else if (p->t.kind == T_IDENT) {
        if (!(prm->name = sb__ident_dup(p)))
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
            while (tok_is(p, "static") || tok_is(p, "const") || tok_is(p, "volatile") || tok_is(p, "restrict") ||
                   tok_is(p, "__restrict"))
                next(p); /* int a[static 4], char *argv[const] */
            if (!punct_is(p, ']') && !p->failed) {
                sb_cval v; /* the length is not needed (a pointer is passed), but must be a constant */
                cparse c = {p, p->scope ? p->scope->consts : NULL, NULL, 0};
                size_t s2 = p->pos;
                tok t2 = p->t;
                sb_error *e2 = p->err;
                p->err = NULL;
                if (!sb__cexpr(&c, 1, &v)) { /* said as before: what was found */
                    p->failed = false;
                    p->pos = s2;
                    p->t = t2;
                    if (names_earlier_param(p)) /* int f(size_t n, int a[n]): a variable length */
                        next(p);
                }
                p->err = e2;
            }
            if (!punct_is(p, ']')) {
                expected(p, "']' after the array size");
                return false;
            }
            next(p);
            while (punct_is(p, '[') && !sb__lex_peek_punct(p, '[')) { /* int m[][4]: a pointer to arrays */
                size_t at = p->t.pos;
                uint64_t inner;
                if (!sb__parse_dims(p, at, &inner, false))
                    return false;
            }
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
    if (!sb__parse_annotations(p, &ctx))
        return false;
    if (punct_is(p, '=')) {
        next(p);
        size_t a, b;
        sb_default *d = sb__arena_alloc(p->a, sizeof *d);
        if (!d) {
            fail(p, p->t.pos, "out of memory");
            return false;
        }
        memset(d, 0, sizeof *d);
        prm->def = d;
        if (!sb__parse_literal(p, &d->lit, &a, &b))
            return false;
        d->def_pos = (uint32_t)a;
        d->def_len = (uint32_t)(b - a);
        if (!sb__parse_annotations(p, &ctx))
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
    if (t.named && t.named->what == SB_NAMED_FUNC) { /* "int (*)(int x)": t.ptr '*' where the spelling has one */
        const char *sp = t.named->name, *star = strstr(sp, "(*)");
        if (!star) {
            puts_(o, sp);
            return;
        }
        put(o, sp, (size_t)(star - sp) + 1);
        put(o, "********", t.ptr < 8 ? t.ptr : 8);
        puts_(o, star + 2);
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

/* A function returning a function pointer: `void (*signal(int, void (*)(int)))(int)`. */
typedef struct fpret {
    size_t ret_start, lp;  /* its result's result type, and the '(' before the '*' */
    unsigned stars;        /* 0: an ordinary function */
    size_t name_pos, name_len; /* `void (png_set_sig_bytes)(...)`: a parenthesized name (len 0: none) */
} fpret;

/* At the '(' of `RET (*name(params))(fparams)`: reads `(*` up to the name. */
static bool fp_result_head(parser *p, fpret *fr, size_t ret_start)
{
    size_t save_pos = p->pos;
    tok save = p->t;
    fr->ret_start = ret_start;
    fr->lp = p->t.pos;
    next(p);
    while (punct_is(p, '*') && fr->stars < 8) {
        fr->stars++;
        next(p);
        while (tok_is(p, "const") || tok_is(p, "volatile") || tok_is(p, "restrict"))
            next(p);
    }
    if (!fr->stars && p->t.kind == T_IDENT) { /* RET (name)(params): the name in parentheses */
        tok name = p->t;
        next(p);
        if (punct_is(p, ')')) {
            next(p);
            if (punct_is(p, '(')) {
                fr->name_pos = name.pos;
                fr->name_len = name.len;
                return !p->failed;
            }
        }
    }
    if (fr->stars && p->t.kind == T_IDENT && sb__lex_peek_punct(p, '('))
        return !p->failed;
    p->pos = save_pos;
    p->t = save;
    fr->stars = 0;
    fail(p, p->t.pos, "function pointer declarators are not supported yet");
    return false;
}

/* After the parameters of `RET (*name(params))(fparams)`: `)(fparams)`, the result type. */
static bool fp_result_tail(parser *p, const fpret *fr, sb_sig *sig)
{
    if (!punct_is(p, ')')) {
        expected(p, "')' after the parameters");
        return false;
    }
    next(p);
    const char *spelling;
    sb_sig *fsig = fp_tail(p, fr->ret_start, fr->lp, &spelling);
    const sb_named *nd = fsig ? adopt_functype(p, fsig, spelling) : NULL;
    if (!nd)
        return false;
    sig->ret = (sb_type){SB_K_VOID, (uint8_t)fr->stars, 0, nd};
    return true;
}

/* The result type, the function name and the '(' after it. */
static bool parse_head(parser *p, sb_sig *sig, fpret *fr)
{
    spec sp;
    if (!sb__parse_base_type(p, &sp, " (the result type)", &sig->ret))
        return false;
    if (!sb__parse_pointers(p, &sig->ret))
        return false;
    if (sig->ret.named && sig->ret.ptr == 0 && sig->ret.named->what != SB_NAMED_STRUCT) {
        fail(p, sp.start, "'%s' is only usable through a pointer ('%s *')", sig->ret.named->name,
             sig->ret.named->name);
        return false;
    }
    if (punct_is(p, '(') && !fp_result_head(p, fr, sp.start))
        return false;
    if (fr->name_len) {
        if (!(sig->name = sb__arena_strndup(p->a, p->s + fr->name_pos, fr->name_len)))
            return false;
    } else {
        if (p->t.kind != T_IDENT) {
            expected(p, "the function name");
            return false;
        }
        if (!(sig->name = sb__ident_dup(p)))
            return false;
        next(p);
    }
    if (!punct_is(p, '(')) {
        expected(p, "'(' after the function name");
        return false;
    }
    next(p);
    if (sig->ret.kind == SB_K_PYOBJECT && sig->ret.ptr != 1) {
        fail(p, sp.start, "PyObject is only usable as 'PyObject *'");
        return false;
    }
    return true;
}

/* The parameter list as it is read. */
typedef struct plist {
    sb_sig *sig;
    sb_param *params;
    size_t n;
    bool seen_slash, seen_star, seen_varkw;
} plist;

/* `*args` or (kw) `**kwargs` at its name; `at` is where its '*' was. */
static bool add_special(parser *p, plist *l, size_t at, bool kw)
{
    sb_param *params = l->params;
    size_t n = l->n;
    if (n >= MAX_PARAMS) {
        fail(p, at, "too many parameters (at most %d)", MAX_PARAMS);
        return false;
    }
    memset(&params[n], 0, sizeof params[n]);
    params[n].col = (uint32_t)at;
    params[n].type.kind = SB_K_PYOBJECT;
    params[n].type.ptr = 1;
    params[n].flags = kw ? SB_PARAM_VARKW : SB_PARAM_VARARGS; /* also for '* *kw' */
    if (params[n].flags & SB_PARAM_VARKW)
        l->seen_varkw = true;
    else
        l->sig->kwonly = (int16_t)(n + 1);
    if (!(params[n].name = sb__ident_dup(p)))
        return false;
    next(p);
    l->n++;
    return true;
}

/* One item of the list: '/', '*', '*args', '**kwargs' or a parameter. */
static bool parse_item(parser *p, plist *l)
{
    size_t at = p->t.pos, n = l->n;
    if (punct_is(p, '/')) {
        if (l->seen_slash || l->seen_star || n == 0) {
            fail(p, at, n == 0 ? "'/' needs at least one parameter before it"
                               : "'/' must come once, before '*'");
            return false;
        }
        l->seen_slash = true;
        l->sig->posonly = (int16_t)n;
        next(p);
    } else if (punct_is(p, '*')) {
        next(p);
        if (punct_is(p, '*')) { /* **kwargs */
            next(p);
            if (p->t.kind != T_IDENT) {
                expected(p, "a name after '**'");
                return false;
            }
            return add_special(p, l, at, true);
        }
        if (l->seen_star) {
            fail(p, at, "'*' or '*args' may appear only once");
            return false;
        }
        l->seen_star = true;
        l->sig->kwonly = (int16_t)n;
        if (p->t.kind == T_IDENT) /* *args */
            return add_special(p, l, at, false);
    } else {
        if (n >= MAX_PARAMS) {
            fail(p, at, "too many parameters (at most %d)", MAX_PARAMS);
            return false;
        }
        p->prev = l->params;
        p->nprev = n;
        if (!parse_param(p, &l->params[n]))
            return false;
        l->n++;
    }
    return true;
}

/* The parameters after '(', up to the ')' (not read). */
static bool parse_list(parser *p, plist *l)
{
    /* (void) */
    if (tok_is(p, "void")) {
        size_t save_pos = p->pos;
        tok save = p->t;
        next(p);
        if (punct_is(p, ')')) {
            return true;
        }
        p->pos = save_pos;
        p->t = save;
    }
    if (punct_is(p, ')'))
        return true;
    for (;;) {
        if (p->failed)
            return false;
        size_t at = p->t.pos;
        if (l->seen_varkw) {
            fail(p, at, "**kwargs must be the last parameter");
            return false;
        }
        if (p->t.kind == T_ELLIPSIS) {
            if (l->n == 0) {
                fail(p, at, "'...' needs at least one named parameter before it");
                return false;
            }
            l->sig->flags |= SB_SIG_VARIADIC;
            next(p);
            if (!punct_is(p, ')')) {
                expected(p, "')' after '...'");
                return false;
            }
            return true;
        }
        if (!parse_item(p, l) || p->failed)
            return false;
        if (punct_is(p, ',')) {
            next(p);
            continue;
        }
        if (punct_is(p, ')'))
            return true;
        expected(p, "',' or ')' after the parameter");
        return false;
    }
}

/* The label of `__asm__("" "fopen64")`: its string literals joined, in the arena. */
static const char *asm_label(parser *p)
{
    const char *s = p->s + p->asm_pos;
    size_t n = p->asm_len, o = 0;
    char *out = sb__arena_alloc(p->a, n + 1);
    if (!out) {
        fail(p, p->asm_pos, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '"')
            continue;
        for (i++; i < n && s[i] != '"'; i++)
            out[o++] = s[i] == '\\' && i + 1 < n ? s[++i] : s[i];
    }
    out[o] = '\0';
    if (!o || !is_ident_start((unsigned char)out[0])) {
        fail(p, p->asm_pos, "expected a symbol name in __asm__(\"name\")");
        return NULL;
    }
    return out;
}

static bool parse_signature(parser *p, sb_sig *sig, sb_param *params)
{
    fpret fr = {0, 0, 0, 0, 0};
    if (!parse_head(p, sig, &fr))
        return false;
    sig->posonly = 0;
    sig->kwonly = -1;
    plist l = {sig, params, 0, false, false, false};
    if (!parse_list(p, &l))
        return false;
    size_t n = l.n;
    if (p->failed)
        return false;
    next(p); /* ')' */
    if (fr.stars && !fp_result_tail(p, &fr, sig))
        return false;
    if (sig->kwonly >= 0 && l.seen_star && sig->kwonly == (int16_t)n && !(n && (params[n - 1].flags & SB_PARAM_VARARGS))) {
        fail(p, p->t.pos, "named arguments must follow bare '*'");
        return false;
    }
    sig->nparams = (uint16_t)n;
    annot_ctx ctx = {sig, NULL};
    if (!sb__parse_annotations(p, &ctx))
        return false;
    if (punct_is(p, ';'))
        next(p);
    if (p->t.kind != T_END) {
        expected(p, "end of the signature");
        return false;
    }
    if (p->asm_len && !(sig->symbol = asm_label(p)))
        return false;
    /* Parameter names: unique. */
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (params[i].name && params[j].name && !strcmp(params[i].name, params[j].name)) {
                fail(p, params[i].col, "duplicate parameter name '%s'", params[i].name);
                return false;
            }
    return sb__resolve_lengths(p, sig, params, n) && !p->failed;
}

static char *format_sig(sb_sig *sig, const char *src, sb_arena *a)
{
    char stack[512];
    sbuf o = {stack, 0, sizeof stack};
    for (int pass = 0; pass < 2; pass++) {
        o.n = 0;
        const char *fsp = NULL, *fstar = NULL; /* a function pointer result: `void (*signal(int))(int)` */
        if (sig->ret.named && sig->ret.named->what == SB_NAMED_FUNC)
            fstar = strstr(fsp = sig->ret.named->name, "(*)");
        if (fstar) {
            put(&o, fsp, (size_t)(fstar - fsp) + 1);
            put(&o, "********", sig->ret.ptr < 8 ? sig->ret.ptr : 8);
        } else {
            put_type(&o, sig->ret);
            if (!sig->ret.ptr)
                put(&o, " ", 1);
        }
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
                put(&o, fsp, (size_t)(star - fsp) + 1);
                put(&o, "********", prm->type.ptr < 8 ? prm->type.ptr : 8);
                if (prm->name)
                    puts_(&o, prm->name);
                puts_(&o, star + 2);
                if (prm->flags & SB_PARAM_NOESCAPE)
                    puts_(&o, " [[noescape]]");
                if (prm->def) {
                    put(&o, " = ", 3);
                    put(&o, src + prm->def->def_pos, prm->def->def_len);
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
                if (prm->flags & SB_PARAM_BUFLEN) {
                    puts_(&o, " [[len(");
                    puts_(&o, sig->params[prm->len - 1].name);
                    puts_(&o, ")]]");
                }
                if (prm->def) {
                    put(&o, " = ", 3);
                    put(&o, src + prm->def->def_pos, prm->def->def_len);
                }
            }
            if (sig->posonly == (int16_t)(i + 1))
                put(&o, ", /", 3);
        }
        if (sig->flags & SB_SIG_VARIADIC)
            puts_(&o, sig->nparams ? ", ..." : "...");
        put(&o, ")", 1);
        if (fstar)
            puts_(&o, fstar + 2); /* ")(int)" */
        if (sig->flags & SB_SIG_NOGIL)
            puts_(&o, " [[nogil]]");
        if (sig->flags & SB_SIG_BORROWED)
            puts_(&o, " [[borrowed]]");
        if (sig->flags & SB_SIG_RETLEN) {
            puts_(&o, " [[len(");
            puts_(&o, sig->params[sig->ret_len - 1].name);
            puts_(&o, ")]]");
        }
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
        o.b = sb__arena_alloc(a, o.n + 1);
        if (!o.b)
            return NULL;
        o.cap = o.n + 1;
    }
    if (o.b == stack)
        return sb__arena_strndup(a, stack, o.n);
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
    sb_arena *a = sb__arena_new();
    if (!a) {
        sb__error_set(err, 0, "out of memory");
        return NULL;
    }
    sb_sig *sig = sb__arena_alloc(a, sizeof *sig);
    memset(sig, 0, sizeof *sig);
    sig->arena = a;

    /* Each parameter after the first follows a comma: up to 64 fit the stack, more (to MAX_PARAMS) the heap. */
    sb_param stackp[64], *params = stackp;
    size_t commas = 0;
    for (size_t i = 0; i < len; i++)
        commas += text[i] == ',';
    if (commas + 1 >= sizeof stackp / sizeof stackp[0] && !(params = malloc(sizeof(sb_param) * MAX_PARAMS))) {
        sb__error_set(err, 0, "out of memory");
        sb__sig_free(sig);
        return NULL;
    }
    parser p = PARSER_INIT(text, len, a, err, scope, depth);
    next(&p);
    if (!p.failed && memchr(text, '\0', len)) {
        fail(&p, (size_t)((const char *)memchr(text, '\0', len) - text), "NUL character in the signature");
    }
    bool ok = !p.failed && parse_signature(&p, sig, params);
    if (!ok) {
        if (err && !err->msg[0])
            sb__error_set(err, p.t.pos, "invalid signature");
        if (params != stackp)
            free(params);
        sb__sig_free(sig);
        return NULL;
    }
    sig->params = sb__arena_alloc(a, sizeof(sb_param) * (sig->nparams ? sig->nparams : 1));
    if (sig->params)
        memcpy(sig->params, params, sizeof(sb_param) * sig->nparams);
    if (params != stackp)
        free(params);
    if (!sig->params) {
        sb__error_set(err, 0, "out of memory");
        sb__sig_free(sig);
        return NULL;
    }
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
    char *r = sb__arena_strndup(a, s, strlen(s));
    *oom |= !r;
    return r;
}

/* A copy of base in its own arena: its parameters then n unnamed
 * SB_PARAM_EXTRA ones of the given types, named `name` (NULL: base's).
 * Defaults are dropped; `extras`: a variadic call's signature (no
 * keyword-only part). Types are shared with base (their named types stay
 * base's: whatever owns base must outlive the copy's types' use). */
static sb_sig *sig_derive(const sb_sig *base, const sb_type *extra, uint16_t n, const char *name, bool extras,
                          sb_error *err)
{
    if (err) {
        err->col = (size_t)-1;
        err->msg[0] = '\0';
    }
    if ((size_t)base->nparams + n > MAX_PARAMS) {
        sb__error_set(err, (size_t)-1, "too many arguments (at most %d in all)", MAX_PARAMS);
        return NULL;
    }
    sb_arena *a = sb__arena_new();
    if (!a) {
        sb__error_set(err, (size_t)-1, "out of memory");
        return NULL;
    }
    sb_sig *sig = sb__arena_alloc(a, sizeof *sig);
    uint16_t total = (uint16_t)(base->nparams + n);
    sb_param *params = sig ? sb__arena_alloc(a, sizeof(sb_param) * (total ? total : 1)) : NULL;
    bool oom = !sig || !params;
    if (!oom) {
        *sig = *base;
        sig->arena = a;
        sig->params = params;
        sig->nparams = total;
        if (extras)
            sig->kwonly = -1;
        sig->name = arena_strdup0(a, name ? name : base->name, &oom);
        sig->symbol = arena_strdup0(a, base->symbol, &oom);
        sig->free_fn = arena_strdup0(a, base->free_fn, &oom);
        sig->contract.msg_fn = arena_strdup0(a, base->contract.msg_fn, &oom);
        for (uint16_t i = 0; i < base->nparams; i++) {
            params[i] = base->params[i];
            params[i].name = arena_strdup0(a, base->params[i].name, &oom);
            /* given positionally before the extras (a function type has no defaults) */
            params[i].def = NULL;
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
        sb__arena_free(a);
        return NULL;
    }
    return sig;
}

sb_sig *sb__sig_variadic(const sb_sig *base, const sb_type *extra, uint16_t n, sb_error *err)
{
    return sig_derive(base, extra, n, NULL, true, err);
}

sb_sig *sb__sig_copy(const sb_sig *fsig, const char *name, sb_error *err)
{
    return sig_derive(fsig, NULL, 0, name, false, err);
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
    return !p->failed && sb__parse_base_type(p, &sp, "", out) && sb__parse_pointers(p, out);
}

int sb__type_parse_in(const char *text, size_t len, const sb_scope *scope, sb_type *out, sb_error *err)
{
    if (err) {
        err->col = (size_t)-1;
        err->msg[0] = '\0';
    }
    parser p = PARSER_INIT(text, len, NULL, err, scope, 0);
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
    parser p = PARSER_INIT(text, len, NULL, err, scope, 0);
    memset(elem, 0, sizeof *elem);
    *count = SB_ARRAY_NONE;
    next(&p);
    spec sp;
    if (p.failed || !sb__parse_base_type(&p, &sp, "", elem))
        return -1;
    uint8_t base_ptr = elem->ptr;
    if (!sb__parse_pointers(&p, elem))
        return -1;
    if (spec_count(&sp) && elem->ptr == base_ptr && p.t.kind == T_END) {
        *count = spec_count(&sp); /* uuid_t: unsigned char[16] */
        return 0;
    }
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
            if (!sb__parse_int_text(&p, p.t.pos, p.t.len, &n))
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
        if (sig->params[k].flags || sig->params[k].def) {
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
    if (sb__named_same(a.named, b.named))
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
