/* annot.c — annotations of prototypes and parameters: [[nogil]], [[free]], [[errno]], [[status]], [[borrowed]], [[len]], [[out]], [[inout]], [[noescape]] (plain C). */
#include "core/internal.h"
#include "core/parse.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* Annotations: '[[' item (',' item)* ']]'                            */

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
    if (!sb__parse_literal(p, &c->value, &s0, &s1))
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

/* `len(name)`: after '(' (has_args), the name of the parameter holding the item count. */
static bool len_name(parser *p, uint32_t *pos, uint32_t *len, bool has_args)
{
    if (!has_args || p->t.kind != T_IDENT) {
        if (has_args)
            expected(p, "the name of the length parameter in [[len(name)]]");
        else
            fail(p, p->t.pos, "[[len]] needs the name of the length parameter: [[len(n)]]");
        return false;
    }
    *pos = (uint32_t)p->t.pos;
    *len = (uint32_t)p->t.len;
    next(p);
    if (!punct_is(p, ')')) {
        expected(p, "')' after the length parameter's name");
        return false;
    }
    next(p);
    return !p->failed;
}

/* Keeps a parameter's [[len(name)]] name span (pos, len) in the parser's list, in the arena (at most one
 * per parameter: the count fits a uint16_t). */
static bool len_span_keep(parser *p, uint32_t pos, uint32_t len, size_t at)
{
    if (p->nlens == p->caplens) {
        uint16_t cap = p->caplens ? (uint16_t)(2 * p->caplens) : 8;
        uint32_t(*lens)[2] = sb__arena_alloc(p->a, cap * sizeof *lens);
        if (!lens) {
            fail(p, at, "out of memory");
            return false;
        }
        if (p->nlens)
            memcpy(lens, p->lens, p->nlens * sizeof *lens);
        p->lens = lens;
        p->caplens = cap;
    }
    p->lens[p->nlens][0] = pos;
    p->lens[p->nlens][1] = len;
    p->nlens++;
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
        if (!strcmp(name, "noescape")) {
            const sb_type *t = &ctx->param->type;
            if (has_args) {
                fail(p, at, "[[noescape]] takes no arguments");
                return false;
            }
            if (!(t->ptr == 1 && t->named && t->named->what == SB_NAMED_FUNC)) {
                fail(p, at, "[[noescape]] is for function pointer parameters (C calls the function only "
                            "during the call)");
                return false;
            }
            ctx->param->flags |= SB_PARAM_NOESCAPE;
            return true;
        }
        if (!strcmp(name, "len")) {
            if (ctx->param->flags & SB_PARAM_BUFLEN) {
                fail(p, at, "parameter already has [[len]]");
                return false;
            }
            uint32_t pos, len;
            if (!len_name(p, &pos, &len, has_args) || !len_span_keep(p, pos, len, at))
                return false;
            ctx->param->len = p->nlens; /* its span's index + 1, until sb__resolve_lengths */
            ctx->param->flags |= SB_PARAM_BUFLEN;
            return true;
        }
        fail(p, at, "unknown parameter annotation '%s' (expected out, inout, noescape or len)", name);
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
            if (!(sig->free_fn = sb__ident_dup(p)))
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
                if (!(c->msg_fn = sb__ident_dup(p)))
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
    if (!strcmp(name, "borrowed")) {
        if (has_args) {
            fail(p, at, "[[borrowed]] takes no arguments");
            return false;
        }
        if (!sig->ret.ptr) {
            fail(p, at, "[[borrowed]] is for a pointer result (a handle the caller does not own)");
            return false;
        }
        sig->flags |= SB_SIG_BORROWED;
        return true;
    }
    if (!strcmp(name, "len")) {
        if (sig->flags & SB_SIG_RETLEN) {
            fail(p, at, "the result already has [[len]]");
            return false;
        }
        if (!len_name(p, &p->ret_len_pos, &p->ret_len_len, has_args))
            return false;
        sig->flags |= SB_SIG_RETLEN;
        return true;
    }
    if (!strcmp(name, "out") || !strcmp(name, "inout") || !strcmp(name, "noescape")) {
        fail(p, at, "[[%s]] belongs after a parameter, not after the function", name);
        return false;
    }
    fail(p, at, "unknown annotation '%s' (expected nogil, free, errno, status, borrowed or len)", name);
    return false;
}

/* Parses zero or more '[[...]]' groups. */
bool sb__parse_annotations(parser *p, annot_ctx *ctx)
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
/* [[len(n)]]: buffers and results with their item count               */

/* The index of the parameter named by the span, or -1 after failing. */
static int param_named(parser *p, const sb_param *params, size_t n, uint32_t pos, uint32_t len)
{
    for (size_t i = 0; i < n; i++)
        if (params[i].name && strlen(params[i].name) == len && !memcmp(params[i].name, p->s + pos, len))
            return (int)i;
    fail(p, pos, "[[len(%.*s)]]: no parameter is named '%.*s'", (int)len, p->s + pos, (int)len, p->s + pos);
    return -1;
}

/* A type a buffer holds items of: a scalar (not PyObject, a class or a
 * function) or void (bytes). */
static bool buffer_item(sb_type t)
{
    if (t.ptr != 1 || t.named)
        return false;
    return t.kind != SB_K_PYOBJECT;
}

static bool integer_type(sb_type t)
{
    if (t.ptr || t.named)
        return false;
    uint8_t c = sb__kind((sb_kind)t.kind)->cls;
    return c == SB_CLASS_SINT || c == SB_CLASS_UINT;
}

bool sb__resolve_lengths(parser *p, sb_sig *sig, sb_param *params, size_t n)
{
    bool any = sig->flags & SB_SIG_RETLEN;
    size_t at = p->ret_len_pos;
    for (size_t i = 0; i < n && !any; i++)
        if ((any = params[i].flags & SB_PARAM_BUFLEN))
            at = p->lens[params[i].len - 1][0];
    if (!any)
        return true;
    if (sig->flags & SB_SIG_VARIADIC) {
        fail(p, at, "[[len]] cannot be combined with '...'");
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        sb_param *b = &params[i];
        if (!(b->flags & SB_PARAM_BUFLEN))
            continue;
        if (!buffer_item(b->type) || (b->flags & (SB_PARAM_OUT | SB_PARAM_INOUT))) {
            fail(p, b->col, "[[len]] is for a pointer to items (T *x [[len(n)]], T a scalar or void), not '%s'",
                 b->name ? b->name : "?");
            return false;
        }
        uint32_t len_pos = p->lens[b->len - 1][0];
        int k = param_named(p, params, n, len_pos, p->lens[b->len - 1][1]);
        if (k < 0)
            return false;
        sb_param *L = &params[k];
        if (!integer_type(L->type) || (L->flags & ~SB_PARAM_LENGTH) || L->def) {
            fail(p, len_pos, "[[len(%s)]]: '%s' must be a plain integer parameter (no default, no annotation)",
                 L->name, L->name);
            return false;
        }
        b->len = (uint16_t)(k + 1);
        if (!(L->flags & SB_PARAM_LENGTH)) {
            L->flags |= SB_PARAM_LENGTH;
            L->len = (uint16_t)(i + 1);
        }
    }
    if (sig->flags & SB_SIG_RETLEN) {
        if (!buffer_item(sig->ret)) {
            fail(p, p->ret_len_pos, "[[len]] after the function is for a pointer result (T *f(...) [[len(n)]])");
            return false;
        }
        int k = param_named(p, params, n, p->ret_len_pos, p->ret_len_len);
        if (k < 0)
            return false;
        sb_param *L = &params[k];
        sb_type lt = L->type;
        if (L->flags & SB_PARAM_OUT)
            lt.ptr--;
        if (!integer_type(lt) || (L->flags & (SB_PARAM_INOUT | SB_PARAM_VARARGS | SB_PARAM_VARKW))) {
            fail(p, p->ret_len_pos, "[[len(%s)]]: '%s' must be an integer parameter or an [[out]] pointer to one",
                 L->name, L->name);
            return false;
        }
        sig->ret_len = (uint16_t)(k + 1);
    }
    return true;
}
