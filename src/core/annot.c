/* annot.c — annotations of prototypes and parameters: [[nogil]], [[free]], [[errno]], [[status]], [[borrowed]], [[out]], [[inout]], [[noescape]] (plain C). */
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
        fail(p, at, "unknown parameter annotation '%s' (expected out, inout or noescape)", name);
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
    if (!strcmp(name, "out") || !strcmp(name, "inout") || !strcmp(name, "noescape")) {
        fail(p, at, "[[%s]] belongs after a parameter, not after the function", name);
        return false;
    }
    fail(p, at, "unknown annotation '%s' (expected nogil, free, errno, status or borrowed)", name);
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
