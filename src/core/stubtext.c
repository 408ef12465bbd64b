/* stubtext.c — a plan as a typed Python signature for .pyi stubs: each parameter annotated with what its converter accepts, the result with what it returns (plain C). */
/*
 * The annotations follow the runtime's converters (src/runtime/convert.c, bufview.c, call.c):
 *   integers            int         (int or an object with __index__; range-checked)
 *   float, double       float       (a float, an int, __float__ / __index__)
 *   bool                bool        (True/False or an int)
 *   const char *        in: str | bytes | None (NULL); out: str | None
 *   other pointers      in: <Pointer> | int | _Buffer | list[Any] | tuple[Any, ...] | None; out: <Pointer> | None
 *   a [[len(n)]] buffer _Buffer | None (n is filled from it and hidden)
 *   a typed handle      <Pointer> | None
 *   a C-face class T *  T
 *   a function pointer  in: Callable[..., Any] | <Pointer> | int | None; out: <Pointer> | None
 *   a struct by value   in: <Struct> | dict[str, Any] | tuple[Any, ...]; out: <Struct>
 *   PyObject *          in: object; out: Any
 * [[out]] parameters leave the parameter list and join the result: `(value, out1, ...)` as a
 * tuple when there is more than one value, as the call path returns them (call.c). `_Buffer` is
 * the stub's alias for `bytes | bytearray | memoryview | array[Any]` (sb__stub_prelude).
 */
#include "core/internal.h"

#include <stdlib.h>
#include <string.h>

typedef sb_strbuf sbuf; /* arena.c */

static void put(sbuf *s, const char *t) { sb__strbuf_put(s, t, strlen(t)); }

static const char *or_default(const char *s, const char *d) { return s && *s ? s : d; }

/* The annotation of a value of type t converted by conv: passed in (result false) or returned. */
static void annot(sbuf *s, const sb_stubnames *nm, sb_type t, uint8_t conv, bool result)
{
    const char *ptr = or_default(nm->pointer, "Pointer");
    switch (conv) {
    case SB_CV_VOID:
        put(s, "None");
        return;
    case SB_CV_SINT:
    case SB_CV_UINT:
        put(s, "int");
        return;
    case SB_CV_BOOL:
        put(s, "bool");
        return;
    case SB_CV_FLOAT:
    case SB_CV_DOUBLE:
        put(s, "float");
        return;
    case SB_CV_CSTR:
        put(s, result ? "str | None" : "str | bytes | None");
        return;
    case SB_CV_PYOBJ:
        put(s, result ? "Any" : "object");
        return;
    case SB_CV_INST:
        put(s, t.named->name);
        return;
    case SB_CV_FUNC:
        if (!result) {
            put(s, "Callable[..., Any] | ");
            if (nm->callback) {
                put(s, nm->callback);
                put(s, " | ");
            }
        }
        put(s, ptr);
        put(s, result ? " | None" : " | int | None");
        return;
    case SB_CV_STRUCT:
        put(s, or_default(nm->structval, t.named->name));
        if (!result)
            put(s, " | dict[str, Any] | tuple[Any, ...]");
        return;
    default: /* SB_CV_PTR */
        put(s, ptr);
        if (!result && !(t.named && t.named->what == SB_NAMED_OPAQUE)) {
            if (nm->structval)
                put(s, " | Struct");
            put(s, " | int | _Buffer | list[Any] | tuple[Any, ...]");
        }
        put(s, " | None");
        return;
    }
}

char *sb__stub_type(const sb_stubnames *nm, sb_type t, bool result)
{
    sbuf s = {0};
    sb_conv conv = sb__type_conv(t); /* as a member: a `char *` result is text, as the plan makes it */
    if (result && conv == SB_CV_PTR && sb__type_is_cstring(t))
        conv = SB_CV_CSTR;
    annot(&s, nm, t, (uint8_t)conv, result);
    if (s.oom)
        free(s.b);
    return s.oom ? NULL : s.b;
}

/* One Python parameter k: "name: T" or "name: T = ..." (first: the bare name given). */
static void param(sbuf *s, const sb_plan *pl, const sb_stubnames *nm, uint16_t k, const char *first)
{
    const sb_slot *sl = &pl->slots[pl->py[k].slot];
    put(s, k == 0 && first ? first : pl->py[k].name);
    if (k == 0 && first)
        return;
    put(s, ": ");
    if (sl->flags & SB_PARAM_BUFLEN) {
        put(s, "_Buffer | None");
    } else {
        sb_type t = sl->type;
        if (sl->flags & SB_PARAM_INOUT)
            t.ptr--;
        annot(s, nm, t, sl->conv, false);
    }
    if (pl->py[k].def)
        put(s, " = ...");
}

/* The result: the value and the [[out]]/[[inout]] values, a tuple when more than one. */
static void result(sbuf *s, const sb_plan *pl, const sb_stubnames *nm)
{
    const sb_sig *sig = pl->sig;
    bool has_value = sig->contract.kind != SB_CONTRACT_STATUS && pl->ret_conv != SB_CV_VOID;
    unsigned nres = has_value ? 1u : 0u;
    for (uint16_t i = 0; i < pl->nargs; i++)
        if ((pl->slots[i].flags & (SB_PARAM_OUT | SB_PARAM_INOUT)) && sig->ret_len != i + 1)
            nres++;
    if (nres == 0 || pl->nout == 0) {
        annot(s, nm, sig->ret, pl->ret_conv, true);
        return;
    }
    if (nres > 1)
        put(s, "tuple[");
    bool comma = false;
    if (has_value) {
        annot(s, nm, sig->ret, pl->ret_conv, true);
        comma = true;
    }
    for (uint16_t i = 0; i < pl->nargs; i++) {
        const sb_slot *sl = &pl->slots[i];
        if (!(sl->flags & (SB_PARAM_OUT | SB_PARAM_INOUT)) || sig->ret_len == i + 1)
            continue;
        if (comma)
            put(s, ", ");
        sb_type t = sl->type;
        t.ptr--;
        annot(s, nm, t, sl->conv, true);
        comma = true;
    }
    if (nres > 1)
        put(s, "]");
}

char *sb__stub_signature(const sb_plan *pl, const sb_stubnames *nm, const char *first)
{
    const sb_sig *sig = pl->sig;
    uint16_t kwstart = pl->npositional;
    sbuf s = {0};
    put(&s, "(");
    for (uint16_t k = 0; k < pl->npy; k++) {
        if (k)
            put(&s, ", ");
        if (k == kwstart) {
            if (pl->varargs_slot >= 0) {
                put(&s, "*");
                put(&s, sig->params[pl->varargs_slot].name);
                put(&s, ": Any, ");
            } else {
                put(&s, "*, ");
            }
        }
        param(&s, pl, nm, k, first);
        if (k + 1 == pl->nposonly)
            put(&s, ", /");
    }
    bool more = pl->npy > 0;
    if (pl->varargs_slot >= 0 && kwstart == pl->npy) {
        put(&s, more ? ", *" : "*");
        put(&s, sig->params[pl->varargs_slot].name);
        put(&s, ": Any");
        more = true;
    }
    if ((sig->flags & SB_SIG_VARIADIC) && !(sig->nparams && (sig->params[sig->nparams - 1].flags & SB_PARAM_EXTRA))) {
        put(&s, more ? ", *args: Any" : "*args: Any");
        more = true;
    }
    if (pl->varkw_slot >= 0) {
        put(&s, more ? ", **" : "**");
        put(&s, sig->params[pl->varkw_slot].name);
        put(&s, ": Any");
    }
    put(&s, ") -> ");
    result(&s, pl, nm);
    if (s.oom)
        free(s.b);
    return s.oom ? NULL : s.b;
}

const char *sb__stub_prelude(void)
{
    return "from array import array\n"
           "from typing import Any, Callable\n"
           "\n"
           "_Buffer = bytes | bytearray | memoryview | array[Any]\n";
}
