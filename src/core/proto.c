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

/* A function pointer declarator after its result type: `(*name)(params)`;
 * `ret_start` is where the result type began. Parses the function type as
 * its own signature "RET __fn(PARAMS)" (recursively, depth-limited) and
 * returns it with its spelling as a pointer ("RET (*)(PARAMS)", in the
 * signature's arena); *name gets the declarator's name span (len 0: none). */
sb_sig *sb__parse_fp_declarator(parser *p, size_t ret_start, size_t *name_pos, size_t *name_len,
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

static bool parse_param(parser *p, sb_param *prm)
{
    memset(prm, 0, sizeof *prm);
    prm->col = (uint32_t)p->t.pos;
    spec sp;
    if (!sb__parse_base_type(p, &sp, " for the parameter", &prm->type))
        return false;
    if (!sb__parse_pointers(p, &prm->type))
        return false;
    if (punct_is(p, '(')) {
        /* int (*cmp)(const void *, const void *) */
        size_t np, nl;
        const char *spelling;
        sb_sig *fsig = sb__parse_fp_declarator(p, sp.start, &np, &nl, &spelling);
        const sb_named *nd = fsig ? adopt_functype(p, fsig, spelling) : NULL;
        if (!nd)
            return false;
        prm->type = (sb_type){SB_K_VOID, 1, 0, nd};
        if (nl && !(prm->name = sb__arena_strndup(p->a, p->s + np, nl)))
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
    if (!sb__parse_annotations(p, &ctx))
        return false;
    if (punct_is(p, '=')) {
        next(p);
        size_t a, b;
        if (!sb__parse_literal(p, &prm->def, &a, &b))
            return false;
        prm->def_pos = (uint32_t)a;
        prm->def_len = (uint32_t)(b - a);
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

/* The result type, the function name and the '(' after it. */
static bool parse_head(parser *p, sb_sig *sig)
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
    if (punct_is(p, '(')) {
        fail(p, p->t.pos, "function pointer declarators are not supported yet");
        return false;
    }
    if (p->t.kind != T_IDENT) {
        expected(p, "the function name");
        return false;
    }
    if (!(sig->name = sb__ident_dup(p)))
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

static bool parse_signature(parser *p, sb_sig *sig, sb_param *params)
{
    if (!parse_head(p, sig))
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
                if (prm->flags & SB_PARAM_NOESCAPE)
                    puts_(&o, " [[noescape]]");
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
        if (sig->flags & SB_SIG_BORROWED)
            puts_(&o, " [[borrowed]]");
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
    sig->params = sb__arena_alloc(a, sizeof(sb_param) * (sig->nparams ? sig->nparams : 1));
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
        sig->free_fn = arena_strdup0(a, base->free_fn, &oom);
        sig->contract.msg_fn = arena_strdup0(a, base->contract.msg_fn, &oom);
        for (uint16_t i = 0; i < base->nparams; i++) {
            params[i] = base->params[i];
            params[i].name = arena_strdup0(a, base->params[i].name, &oom);
            /* given positionally before the extras (a function type has no defaults) */
            memset(&params[i].def, 0, sizeof params[i].def);
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
