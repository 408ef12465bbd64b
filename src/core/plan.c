/* plan.c — sb_sig -> call plan: libffi cif, argument slots, converters, defaults, fast path (plain C). */
#include "core/internal.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sb_conv conv_of(sb_type t)
{
    if (t.ptr) {
        if (t.named && t.named->what == SB_NAMED_CLASS && t.ptr == 1)
            return SB_CV_INST;
        if (t.named && t.named->what == SB_NAMED_FUNC && t.ptr == 1)
            return SB_CV_FUNC;
        if (t.named && t.named->what == SB_NAMED_STRUCT && t.ptr == 1) /* a pointer to struct */
            return SB_CV_PTR;
        if (t.kind == SB_K_PYOBJECT && t.ptr == 1)
            return SB_CV_PYOBJ;
        if (sb__type_is_cstring(t))
            return SB_CV_CSTR;
        return SB_CV_PTR;
    }
    if (t.named && t.named->what == SB_NAMED_STRUCT)
        return SB_CV_STRUCT;
    if (!t.named && (t.kind == SB_K_LDOUBLE || sb__kind((sb_kind)t.kind)->cls == SB_CLASS_WIDE))
        return SB_CV_WIDE;
    const sb_kindinfo *ki = sb__kind((sb_kind)t.kind);
    switch (ki->cls) {
    case SB_CLASS_VOID: return SB_CV_VOID;
    case SB_CLASS_SINT: return SB_CV_SINT;
    case SB_CLASS_UINT: return SB_CV_UINT;
    case SB_CLASS_BOOL: return SB_CV_BOOL;
    case SB_CLASS_FLOAT: return t.kind == SB_K_FLOAT ? SB_CV_FLOAT : SB_CV_DOUBLE;
    default: return SB_CV_PYOBJ;
    }
}

static void lit_text(const sb_literal *l, char *b, size_t cap)
{
    switch (l->kind) {
    case SB_LIT_INT: snprintf(b, cap, "%s%llu", l->neg ? "-" : "", (unsigned long long)l->mag); break;
    case SB_LIT_FLOAT: snprintf(b, cap, "%g", l->d); break;
    case SB_LIT_STRING: snprintf(b, cap, "a string"); break;
    case SB_LIT_NULL: snprintf(b, cap, "NULL"); break;
    case SB_LIT_BOOL: snprintf(b, cap, "%s", l->mag ? "true" : "false"); break;
    default: snprintf(b, cap, "nothing"); break;
    }
}

int sb__literal_check(const sb_literal *lit, sb_type t, sb_error *err)
{
    char tn[64], lv[48];
    sb__type_format(t, tn, sizeof tn);
    lit_text(lit, lv, sizeof lv);
    switch (conv_of(t)) {
    case SB_CV_SINT:
    case SB_CV_UINT: {
        if (lit->kind == SB_LIT_BOOL)
            return 0;
        if (lit->kind != SB_LIT_INT)
            break;
        const sb_kindinfo *ki = sb__kind((sb_kind)t.kind);
        bool ok = lit->neg ? (ki->min < 0 && lit->mag <= (uint64_t)(-(ki->min + 1)) + 1)
                           : lit->mag <= ki->max;
        if (ok)
            return 0;
        if (ki->cls == SB_CLASS_SINT)
            sb__error_set(err, (size_t)-1, "default %s does not fit %s (%lld..%llu)", lv, tn,
                          (long long)ki->min, (unsigned long long)ki->max);
        else
            sb__error_set(err, (size_t)-1, "default %s does not fit %s (0..%llu)", lv, tn,
                          (unsigned long long)ki->max);
        return -1;
    }
    case SB_CV_BOOL:
        if (lit->kind == SB_LIT_BOOL || (lit->kind == SB_LIT_INT && !lit->neg && lit->mag <= 1))
            return 0;
        break;
    case SB_CV_FLOAT:
    case SB_CV_DOUBLE:
        if (lit->kind == SB_LIT_INT || lit->kind == SB_LIT_FLOAT) {
            double v = sb__literal_double(lit);
            if (t.kind == SB_K_FLOAT && isfinite(v) && fabs(v) > FLT_MAX) {
                sb__error_set(err, (size_t)-1, "default %s does not fit float", lv);
                return -1;
            }
            return 0;
        }
        break;
    case SB_CV_CSTR:
        if (lit->kind == SB_LIT_STRING || lit->kind == SB_LIT_NULL)
            return 0;
        break;
    case SB_CV_PTR:
    case SB_CV_PYOBJ:
    case SB_CV_FUNC:
        if (lit->kind == SB_LIT_NULL)
            return 0;
        break;
    default:
        break;
    }
    sb__error_set(err, (size_t)-1, "default %s is not a valid %s", lv, tn);
    return -1;
}

void sb__plan_free(sb_plan *plan)
{
    if (!plan)
        return;
    if (plan->packed) { /* one block: the signature, its parameters, names and texts inside */
        free(plan);
        return;
    }
    sb__sig_free(plan->sig);
    free(plan->doc); /* slots, py, types and names live in the plan's block */
    free(plan);
}

/* Growing string for the text signature and the doc (arena.c). */
typedef sb_strbuf strb;
static void sput(strb *s, const char *t, size_t n) { sb__strbuf_put(s, t, n); }
static void sputs(strb *s, const char *t) { sput(s, t, strlen(t)); }

/* Length of the valid UTF-8 sequence (as CPython decodes it) starting at s, or 0. */
static size_t utf8_len(const unsigned char *s, size_t n, uint32_t *out)
{
    unsigned c = s[0];
    size_t len;
    uint32_t cp;
    if (c < 0xC2)
        return 0;
    else if (c < 0xE0)
        len = 2, cp = c & 0x1F;
    else if (c < 0xF0)
        len = 3, cp = c & 0x0F;
    else if (c < 0xF5)
        len = 4, cp = c & 0x07;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    *out = cp;
    return len;
}

/* A default as a Python literal, for __text_signature__. The doc must stay
 * valid UTF-8 (CPython decodes ml_doc), so stray high bytes are escaped. */
static void put_py_literal(strb *s, const sb_literal *l)
{
    char b[64];
    switch (l->kind) {
    case SB_LIT_INT:
        snprintf(b, sizeof b, "%s%llu", l->neg ? "-" : "", (unsigned long long)l->mag);
        sputs(s, b);
        break;
    case SB_LIT_FLOAT:
        if (isinf(l->d)) { /* 1e999 is how a Python literal spells infinity */
            sputs(s, l->d < 0 ? "-1e999" : "1e999");
            break;
        }
        if (isnan(l->d)) { /* no literal for NaN */
            sputs(s, "...");
            break;
        }
        snprintf(b, sizeof b, "%.17g", l->d);
        if (!strpbrk(b, ".eE"))
            strcat(b, ".0");
        sputs(s, b);
        break;
    case SB_LIT_STRING: {
        size_t u;
        uint32_t cp;
        sput(s, "'", 1);
        for (size_t i = 0; i < l->len; i++) {
            unsigned char c = (unsigned char)l->s[i];
            if (c == '\\' || c == '\'') {
                char e[2] = {'\\', (char)c};
                sput(s, e, 2);
            } else if (c >= 0x80 && (u = utf8_len((const unsigned char *)l->s + i, l->len - i, &cp)) != 0) {
                /* inspect wants ASCII text signatures: the character as an escape */
                snprintf(b, sizeof b, cp > 0xFFFF ? "\\U%08x" : "\\u%04x", (unsigned)cp);
                sputs(s, b);
                i += u - 1;
            } else if (c < 0x20 || c >= 0x7f) {
                snprintf(b, sizeof b, "\\x%02x", c);
                sputs(s, b);
            } else {
                sput(s, (const char *)&c, 1);
            }
        }
        sput(s, "'", 1);
        break;
    }
    case SB_LIT_NULL: sputs(s, "None"); break;
    case SB_LIT_BOOL: sputs(s, l->mag ? "True" : "False"); break;
    default: break;
    }
}

/* A parameter's name for messages: its own, or the "argN" the plan gives it. */
static const char *param_name(const sb_param *prm, unsigned i, char buf[16])
{
    if (prm->name)
        return prm->name;
    snprintf(buf, 16, "arg%u", i % 1000u);
    return buf;
}

/* Python keywords that are valid C identifiers. */
static bool is_python_keyword(const char *name)
{
    static const char *const kw[] = {"False", "None", "True", "and", "as", "assert", "async", "await", "class",
                                     "def", "del", "elif", "except", "finally", "from", "global", "import", "in",
                                     "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "try", "with",
                                     "yield"};
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
        if (!strcmp(name, kw[i]))
            return true;
    return false;
}

static SB_UNUSED bool is_int_class(sb_conv c) /* unused when SB_HAVE_CALLREGS is 0 */
{
    return c == SB_CV_SINT || c == SB_CV_UINT || c == SB_CV_BOOL || c == SB_CV_CSTR ||
           c == SB_CV_PTR || c == SB_CV_PYOBJ || c == SB_CV_INST || c == SB_CV_FUNC;
}

/* Why a wide scalar cannot be passed by value here (NULL: it can). */
static const char *wide_byvalue_why(sb_type t)
{
    if (t.ptr || t.named)
        return NULL;
    switch (t.kind) {
    case SB_K_CFLOAT:
    case SB_K_CDOUBLE:
        return SB_HAVE_FFI_COMPLEX ? NULL : "this platform's libffi has no complex types";
    case SB_K_INT128:
    case SB_K_UINT128: /* a struct of two 8-byte integers is not it: libffi aligns that to 8, __int128 is 16 */
        return "libffi has no 128-bit integer type";
    case SB_K_FLOAT128:
        return "libffi has no _Float128 type";
    default:
        return NULL;
    }
}

/* The stages of sb__plan_new. Each fills its part of pl from pl->sig; the
 * ones that can fail return false with *err filled (pl is then freed by the
 * caller). */

/* What no plan can be made of: '...' with keyword-only parameters or in a
 * method, structs libffi cannot pass by value. */
static bool check_sig(const sb_sig *sig, sb_error *err)
{
    uint16_t n = sig->nparams;
    if (sig->flags & SB_SIG_VARIADIC) {
        if (sig->kwonly >= 0) {
            sb__error_set(err, (size_t)-1, "'...' cannot follow keyword-only parameters, *args or **kwargs");
            return false;
        }
        if (sig->flags & SB_SIG_METHOD) {
            sb__error_set(err, (size_t)-1, "a method cannot be variadic ('...'); take *args instead");
            return false;
        }
    }

    for (uint16_t i = 0; i < n; i++)
        if ((sig->params[i].flags & SB_PARAM_BUFLEN) && sig->params[i].len > 63) {
            sb__error_set(err, sig->params[i].col, "[[len(n)]]: the length n must be one of the first 63 parameters");
            return false;
        }
    /* Structs by value: libffi must be able to pass them (and they are not too large). */
    for (uint16_t i = 0; i <= n; i++) {
        sb_type t = i < n ? sig->params[i].type : sig->ret;
        const char *wide = wide_byvalue_why(t);
        if (wide) {
            sb__error_set(err, i < n ? sig->params[i].col : (size_t)-1, "%s %s cannot be passed by value (%s; pass a "
                          "pointer to it)", sb__kind((sb_kind)t.kind)->name, i < n ? "as a parameter" : "as a result",
                          wide);
            return false;
        }
        const char *why = !t.ptr && t.named && t.named->what == SB_NAMED_STRUCT
                              ? sb__layout_byvalue_why((const sb_layout *)t.named->user)
                              : NULL;
        if (why) {
            sb__error_set(err, i < n ? sig->params[i].col : (size_t)-1,
                          "%s cannot be passed or returned by value (%s; pass a pointer)", t.named->name, why);
            return false;
        }
    }
    return true;
}

/* The result: its converter, [[free]], the error contract (its default
 * condition filled in). */
static bool plan_result(sb_plan *pl, sb_error *err)
{
    sb_sig *sig = pl->sig;
    sb_type rt = sig->ret;
    pl->ret_conv = (uint8_t)conv_of(rt);
    pl->ret_size = (uint8_t)sb__type_size(rt);
    if ((sig->flags & SB_SIG_FREE) && pl->ret_conv == SB_CV_PYOBJ) {
        sb__error_set(err, (size_t)-1, "[[free]] cannot apply to a PyObject * result (it is a reference, not memory)");
        return false;
    }
    if ((sig->flags & SB_SIG_FREE) && pl->ret_conv == SB_CV_INST) {
        sb__error_set(err, (size_t)-1, "[[free]] cannot apply to a %s * result (it is an instance's struct)",
                      rt.named->name);
        return false;
    }
    if ((sig->flags & SB_SIG_FREE) && (sig->flags & SB_SIG_BORROWED)) {
        sb__error_set(err, (size_t)-1, "a [[borrowed]] result belongs to someone else: it cannot also be [[free]]");
        return false;
    }
    if ((sig->flags & SB_SIG_FREE) && !rt.ptr) {
        sb__error_set(err, (size_t)-1, "[[free]] needs a pointer result, not %s", sb__kind((sb_kind)rt.kind)->name);
        return false;
    }
    sb_contract *c = &sig->contract;
    if (c->kind) {
        char tn[64];
        sb__type_format(rt, tn, sizeof tn);
        if (pl->ret_conv == SB_CV_VOID) {
            sb__error_set(err, (size_t)-1, "an error contract needs a result to test, and %s() returns void", sig->name);
            return false;
        }
        bool isptr = rt.ptr != 0;
        /* Checked first: otherwise [[status]] on a pointer reports "compares with NULL". */
        if (c->kind == SB_CONTRACT_STATUS && isptr) {
            sb__error_set(err, (size_t)-1, "[[status]] needs an integer result, not %s", tn);
            return false;
        }
        if (c->kind == SB_CONTRACT_ERRNO && c->value.kind == SB_LIT_NONE) {
            c->value.kind = isptr ? SB_LIT_NULL : SB_LIT_INT;
            c->value.neg = !isptr;
            c->value.mag = isptr ? 0 : 1;
        }
        if (isptr && c->value.kind != SB_LIT_NULL) {
            sb__error_set(err, (size_t)-1, "the error condition of a pointer result (%s) compares with NULL", tn);
            return false;
        }
        if (!isptr && (c->value.kind != SB_LIT_INT ||
                       !(pl->ret_conv == SB_CV_SINT || pl->ret_conv == SB_CV_UINT || pl->ret_conv == SB_CV_BOOL))) {
            sb__error_set(err, (size_t)-1, "an error contract on a result of type %s needs an integer result compared with an integer", tn);
            return false;
        }
    }
    return true;
}

/* The converter of an [[out]]/[[inout]] parameter's pointee (pn: its name for messages). */
static bool plan_out_param(sb_plan *pl, const sb_param *prm, const char *pn, sb_slot *s, sb_error *err)
{
    const char *an = prm->flags & SB_PARAM_OUT ? "out" : "inout";
    if (!prm->type.ptr) {
        sb__error_set(err, prm->col, "[[%s]] parameter '%s' must be a pointer", an, pn);
        return false;
    }
    sb_type pt = prm->type;
    pt.ptr--;
    if (pt.ptr == 0 && pt.kind == SB_K_VOID && !pt.named) {
        sb__error_set(err, prm->col, "[[%s]] parameter '%s' cannot point to void", an, pn);
        return false;
    }
    if (pt.kind == SB_K_PYOBJECT && pt.ptr != 1) {
        sb__error_set(err, prm->col, "[[%s]] parameter '%s': PyObject is only usable as 'PyObject *'", an,
                      pn);
        return false;
    }
    s->conv = (uint8_t)conv_of(pt);
    if ((prm->flags & SB_PARAM_INOUT) && s->conv == SB_CV_CSTR && !pt.cconst) {
        sb__error_set(err, prm->col, "[[inout]] parameter '%s': declare it 'const char **' (a str's text must not be "
                      "written to)", pn);
        return false;
    }
    if (s->conv == SB_CV_PYOBJ) {
        sb__error_set(err, prm->col, "[[%s]] PyObject ** parameters are not supported yet", an);
        return false;
    }
    pl->nout++;
    if ((prm->flags & SB_PARAM_OUT) && prm->def) {
        sb__error_set(err, prm->col, "[[out]] parameter '%s' cannot have a default", pn);
        return false;
    }
    return true;
}

/* Arguments and Python parameters: a slot per C argument, a Python
 * parameter for each one the caller gives (with its checked default).
 * *last_unnamed: the Python index of the last unnamed one, or -1. */
static bool plan_params(sb_plan *pl, int *last_unnamed, sb_error *err)
{
    const sb_sig *sig = pl->sig;
    uint16_t n = sig->nparams;
    *last_unnamed = -1;
    for (uint16_t i = 0; i < n; i++) {
        const sb_param *prm = &sig->params[i];
        if ((prm->flags & (SB_PARAM_VARARGS | SB_PARAM_VARKW)) && (sig->flags & SB_SIG_VARIADIC)) {
            sb__error_set(err, prm->col, "'...' cannot be combined with *args or **kwargs");
            return false;
        }
        if (prm->flags & (SB_PARAM_VARARGS | SB_PARAM_VARKW)) {
            /* *args / **kwargs: the extra positional / keyword arguments, as a
             * tuple / dict passed as PyObject *; not Python parameters themselves. */
            sb_slot *s = &pl->slots[i];
            s->type = prm->type;
            s->flags = prm->flags;
            s->kind = prm->type.kind;
            s->conv = SB_CV_PYOBJ;
            s->py = -1;
            pl->cif.arg_types[i] = sb__type_ffi(prm->type);
            if (prm->flags & SB_PARAM_VARARGS)
                pl->varargs_slot = (int16_t)i;
            else
                pl->varkw_slot = (int16_t)i;
            continue;
        }
        char nb[16];
        const char *pn = param_name(prm, i, nb);
        sb_slot *s = &pl->slots[i];
        s->type = prm->type;
        s->flags = prm->flags;
        s->kind = prm->type.kind;
        pl->cif.arg_types[i] = sb__type_ffi(prm->type);
        if (prm->flags & (SB_PARAM_OUT | SB_PARAM_INOUT)) {
            if (!plan_out_param(pl, prm, pn, s, err))
                return false;
        } else {
            s->conv = (uint8_t)conv_of(prm->type);
            /* A non-const `char *` parameter may be written to: it takes what
             * any pointer takes (buffers, bytes, addresses), never a str,
             * whose UTF-8 the C code would then scribble on. */
            if (s->conv == SB_CV_CSTR && !prm->type.cconst)
                s->conv = SB_CV_PTR;
        }
        if (prm->flags & SB_PARAM_OUT) {
            if (sig->ret_len == i + 1)
                pl->nout--; /* the result's item count: not a value of its own */
            s->py = -1;
            continue;
        }
        if (prm->flags & SB_PARAM_LENGTH) {
            s->py = -1; /* filled from its buffer's item count */
            continue;
        }
        uint16_t k = pl->npy++;
        s->py = (int16_t)k;
        sb_pyparam *pp = &pl->py[k];
        pp->slot = (int16_t)i;
        pp->name = prm->name; /* unnamed ones are named "argN" below */
        if (!prm->name)
            *last_unnamed = (int)k;
        if (prm->def) {
            sb_type vt = prm->type;
            if (prm->flags & SB_PARAM_INOUT)
                vt.ptr--;
            sb_error e2;
            if (sb__literal_check(&prm->def->lit, vt, &e2) < 0) {
                sb__error_set(err, prm->def->def_pos, "parameter '%s': %s", pn, e2.msg);
                return false;
            }
            pp->def = &prm->def->lit;
        }
    }
    return true;
}

/* Python names: "argN" (N = C position) for unnamed parameters, and a
 * trailing '_' for C names that are Python keywords ("from" -> "from_",
 * the PEP 8 spelling), so keywords and __text_signature__ work. One block. */
/* The room the names made for a signature's parameters take at most (python_names). */
static size_t made_names_bytes(const sb_sig *sig)
{
    size_t need = 0;
    for (uint16_t i = 0; i < sig->nparams; i++)
        if (!sig->params[i].name)
            need += 8;
        else if (is_python_keyword(sig->params[i].name))
            need += strlen(sig->params[i].name) + 2;
    return need;
}

/* names: made_names_bytes(sig) bytes in the plan's block. */
static bool python_names(sb_plan *pl, char *names, sb_error *err)
{
    const sb_sig *sig = pl->sig;
    bool need = false;
    for (uint16_t k = 0; k < pl->npy; k++)
        need |= !pl->py[k].name || is_python_keyword(pl->py[k].name);
    if (need) {
        char *w = names;
        for (uint16_t k = 0; k < pl->npy; k++) {
            if (pl->py[k].name) {
                if (is_python_keyword(pl->py[k].name)) {
                    size_t l = strlen(pl->py[k].name);
                    memcpy(w, pl->py[k].name, l);
                    memcpy(w + l, "_", 2);
                    pl->py[k].name = w;
                    w += l + 2;
                }
                continue;
            }
            snprintf(w, 8, "arg%u", (unsigned)pl->py[k].slot % 1000u);
            /* A given name may not be the one made for an unnamed parameter. */
            for (uint16_t j = 0; j < pl->npy; j++)
                if (pl->py[j].name && !strcmp(pl->py[j].name, w)) {
                    sb__error_set(err, sig->params[pl->py[j].slot].col,
                                  "parameter name '%s' clashes with the name of unnamed parameter %u", w,
                                  (unsigned)pl->py[k].slot);
                    return false;
                }
            pl->py[k].name = w;
            w += 8;
        }
    }
    for (uint16_t k = 0; k < pl->npy; k++) {
        pl->py[k].namelen = (uint32_t)strlen(pl->py[k].name);
        /* Renaming may collide: "int from, int from_". */
        for (uint16_t j = 0; j < k; j++)
            if (!strcmp(pl->py[j].name, pl->py[k].name)) {
                sb__error_set(err, sig->params[pl->py[k].slot].col,
                              "parameter '%s' has the same Python name as an earlier one ('%s'; Python keywords get "
                              "a trailing '_')",
                              sig->params[pl->py[k].slot].name ? sig->params[pl->py[k].slot].name : "?",
                              pl->py[k].name);
                return false;
            }
    }
    return true;
}

/* Positional-only and keyword-only boundaries, in Python parameter indexes
 * (nposonly, npositional), and the required ones (nrequired). */
static bool py_boundaries(sb_plan *pl, int last_unnamed, sb_error *err)
{
    const sb_sig *sig = pl->sig;
    uint16_t n = sig->nparams;
    uint16_t posonly = 0, kwstart = pl->npy;
    for (uint16_t i = 0; i < n; i++) {
        int16_t k = pl->slots[i].py;
        if (k < 0)
            continue;
        if (i < sig->posonly)
            posonly = (uint16_t)(k + 1);
        if (sig->kwonly >= 0 && i >= sig->kwonly && kwstart == pl->npy)
            kwstart = (uint16_t)k;
    }
    if (last_unnamed + 1 > posonly)
        posonly = (uint16_t)(last_unnamed + 1);
    if ((sig->flags & SB_SIG_METHOD) && pl->npy && posonly < 1)
        posonly = 1; /* the instance is never passed by keyword */
    if (posonly > kwstart) {
        sb__error_set(err, (size_t)-1, "unnamed parameters cannot be keyword-only (give them names)");
        return false;
    }
    pl->nposonly = posonly;
    pl->npositional = kwstart;
    /* Python's rule: after a positional parameter with a default, all
     * positional ones have defaults. */
    pl->nrequired = 0;
    bool seen_def = false;
    for (uint16_t k = 0; k < kwstart; k++) {
        if (pl->py[k].def) {
            seen_def = true;
        } else if (seen_def) {
            sb__error_set(err, sig->params[pl->py[k].slot].col,
                          "parameter '%s' without a default follows a parameter with a default", pl->py[k].name);
            return false;
        } else {
            pl->nrequired++;
        }
    }
    return true;
}

#if SB_HAVE_CALLREGS
/* The layout of a struct passed by value, classified; false: libffi passes it. */
static bool byvalue_class(sb_type t, sb_sysv *sv)
{
    if (t.ptr || !t.named || t.named->what != SB_NAMED_STRUCT)
        return false;
    return sb__sysv_classify((const sb_layout *)t.named->user, sv);
}

/* A struct result: in rax/rdx/xmm0/xmm1 (ret_eb eightbytes), or in memory
 * through the hidden pointer that takes the first integer register. */
static bool plan_regs_result(sb_plan *pl, unsigned *ni)
{
    sb_sysv sv;
    if (!byvalue_class(pl->sig->ret, &sv))
        return false;
    pl->ret_eb = sv.n;
    pl->ret_cls[0] = sv.cls[0];
    pl->ret_cls[1] = sv.cls[1];
    pl->ret_mem = sv.n == 0;
    *ni = pl->ret_mem ? 1 : 0;
    return true;
}

/* The register path for every argument the System V rules place without
 * libffi: integer-class values in rdi..r9, float/double in xmm0..xmm7, the
 * rest of them on the stack in order; a struct by value classified once here
 * (sysv.c): its eightbytes in registers when all of them fit, else all its
 * words on the stack, taking no register. Struct values live in the call's
 * struct storage (a pointer cell each, after the call cells); the call copies
 * them into their cells. Leaves pl->fast alone when something does not fit. */
static void plan_regs(sb_plan *pl)
{
    const uint16_t n = pl->sig->nparams;
    unsigned ni = 0, nf = 0, ns = 0;
    bool structs = false;
    if (pl->ret_conv == SB_CV_WIDE) /* long double in st(0), complex in xmm0/xmm1 halves: libffi */
        return;
    if (pl->ret_conv == SB_CV_STRUCT && !plan_regs_result(pl, &ni))
        return;
    for (uint16_t i = 0; i < n; i++) {
        sb_slot *s = &pl->slots[i];
        sb_conv cv = (s->flags & (SB_PARAM_OUT | SB_PARAM_INOUT)) ? SB_CV_PTR : (sb_conv)s->conv;
        s->nwords = 0;
        s->onstack = false;
        if (cv == SB_CV_STRUCT) {
            sb_sysv sv;
            if (!byvalue_class(s->type, &sv))
                return;
            structs = true;
            if (sv.n && ni + sv.nint <= SB_REG_INT && nf + sv.nsse <= SB_REG_SSE) {
                for (unsigned k = 0; k < sv.n; k++)
                    s->regcell[k] = (uint8_t)(sv.cls[k] == SB_SYSV_INT ? ni++ : SB_REG_INT + nf++);
                s->nwords = sv.n;
            } else { /* the whole struct on the stack (libffi issue 574: and no register taken) */
                size_t words = (sb__type_size(s->type) + 7) / 8;
                if (ns + words > SB_STACK_WORDS)
                    return;
                s->regcell[0] = (uint8_t)(SB_REG_CELLS + ns);
                s->nwords = (uint8_t)words;
                s->onstack = true;
                ns += (unsigned)words;
            }
            continue;
        }
        unsigned *used = &ni, lim = SB_REG_INT, base = 0;
        if (cv == SB_CV_FLOAT || cv == SB_CV_DOUBLE) {
            used = &nf;
            lim = SB_REG_SSE;
            base = SB_REG_INT;
        } else if (!is_int_class(cv)) {
            return;
        }
        if (*used < lim) {
            s->store = (uint8_t)(base + (*used)++);
        } else {
            if (ns >= SB_STACK_WORDS)
                return;
            s->store = (uint8_t)(SB_REG_CELLS + ns++);
        }
    }
    pl->fast = SB_FAST_REGS;
    pl->nstack = (uint8_t)ns;
    pl->ncells = (uint16_t)(SB_REG_CELLS + ns);
    for (uint16_t i = 0; i < n; i++)
        if (pl->slots[i].nwords)
            pl->slots[i].store = (uint8_t)pl->ncells++; /* the pointer to its storage */
    pl->regcall = ns || structs || pl->ret_conv == SB_CV_STRUCT ? sb__callregs_stack
                  : ni <= 2 && nf <= 2                         ? sb__callregs_few
                  : nf == 0                                    ? sb__callregs_int
                  : ni == 0                                    ? sb__callregs_sse
                                                               : sb__callregs;
}
#endif

/* Storage cells and the fast path: the register call when every argument
 * fits a register, else a cell per argument; then the out cells and the
 * integer ranges. */
static void plan_cells(sb_plan *pl)
{
    const sb_sig *sig = pl->sig;
    uint16_t n = sig->nparams;
    pl->fast = SB_FAST_NONE;
#if SB_HAVE_CALLREGS
    if (!(sig->flags & SB_SIG_VARIADIC)) /* variadic calls go through ffi_prep_cif_var's cif */
        plan_regs(pl);
#endif
    if (pl->fast == SB_FAST_NONE) {
        for (uint16_t i = 0; i < n; i++) {
            pl->slots[i].store = (uint16_t)i;
            pl->slots[i].nwords = 0;
            pl->slots[i].onstack = false;
        }
        pl->ncells = n;
        pl->nstack = pl->ret_eb = 0;
        pl->ret_mem = false;
    }
    /* Integer ranges for the converters. */
    for (uint16_t i = 0; i < n; i++) {
        const sb_kindinfo *ki = sb__kind((sb_kind)pl->slots[i].kind);
        pl->slots[i].min = ki->min;
        pl->slots[i].max = ki->max;
    }
    pl->simple = pl->fast == SB_FAST_REGS && pl->nout == 0 && !(sig->flags & SB_SIG_FREE) &&
                 pl->npositional == pl->npy &&
                 pl->varargs_slot < 0 && pl->varkw_slot < 0 && !(sig->flags & SB_SIG_RETLEN);
    for (uint16_t i = 0; i < n; i++)
        if (pl->slots[i].flags & (SB_PARAM_BUFLEN | SB_PARAM_LENGTH))
            pl->simple = false;
    if (pl->ncells > SB_FAST_CELLS)
        pl->simple = false;
    if (pl->ret_conv == SB_CV_STRUCT && sb__type_size(sig->ret) > SB_FAST_STRUCT_RET)
        pl->simple = false;
    /* Out storage follows the argument cells. */
    for (uint16_t i = 0; i < n; i++)
        if (pl->slots[i].flags & (SB_PARAM_OUT | SB_PARAM_INOUT))
            pl->slots[i].outcell = (uint16_t)pl->ncells++;
}

/* The storage of structs passed or returned by value, each at a 16-byte
 * boundary (the result's last). */
static void plan_structs(sb_plan *pl)
{
    uint16_t n = pl->sig->nparams;
    pl->has_structs = SB_CV_IN_MEMORY(pl->ret_conv);
    size_t at = 0;
    for (uint16_t i = 0; i < n; i++)
        if (SB_CV_IN_MEMORY(pl->slots[i].conv)) {
            sb_type t = pl->slots[i].type;
            if (pl->slots[i].flags & (SB_PARAM_OUT | SB_PARAM_INOUT))
                t.ptr--;
            pl->has_structs = true;
            pl->slots[i].soff = (uint32_t)at;
            at += (sb__type_size(t) + 15) & ~(size_t)15;
        }
    pl->ret_soff = (uint32_t)at;
    if (SB_CV_IN_MEMORY(pl->ret_conv))
        at += (sb__type_size(pl->sig->ret) + sizeof(ffi_arg) + 15) & ~(size_t)15;
    pl->struct_bytes = (uint32_t)at;
}

/* The libffi cif (a variadic one for '...'). */
static bool plan_cif(sb_plan *pl, sb_error *err)
{
    const sb_sig *sig = pl->sig;
    unsigned n = sig->nparams, nfixed = n;
    while (nfixed && (sig->params[nfixed - 1].flags & SB_PARAM_EXTRA))
        nfixed--;
    ffi_status st = (sig->flags & SB_SIG_VARIADIC)
                        ? ffi_prep_cif_var(&pl->cif, FFI_DEFAULT_ABI, nfixed, n, sb__type_ffi(sig->ret), pl->cif.arg_types)
                        : ffi_prep_cif(&pl->cif, FFI_DEFAULT_ABI, n, sb__type_ffi(sig->ret), pl->cif.arg_types);
    if (st != FFI_OK) {
        sb__error_set(err, (size_t)-1, "libffi cannot prepare a call of this signature (status %d)", (int)st);
        return false;
    }
    return true;
}

/* __text_signature__ and the doc. */
static bool plan_texts(sb_plan *pl, sb_error *err)
{
    const sb_sig *sig = pl->sig;
    uint16_t n = sig->nparams, posonly = pl->nposonly, kwstart = pl->npositional;
    strb ts = {0};
    sput(&ts, "(", 1);
    for (uint16_t k = 0; k < pl->npy; k++) {
        if (k)
            sput(&ts, ", ", 2);
        if (k == kwstart) {
            if (pl->varargs_slot >= 0) {
                sputs(&ts, "*");
                sputs(&ts, sig->params[pl->varargs_slot].name);
                sputs(&ts, ", ");
            } else {
                sputs(&ts, "*, ");
            }
        }
        if (k == 0 && (sig->flags & SB_SIG_METHOD))
            sput(&ts, "$", 1); /* inspect: the bound instance */
        sputs(&ts, pl->py[k].name);
        if (pl->py[k].def) {
            sput(&ts, "=", 1);
            put_py_literal(&ts, pl->py[k].def);
        }
        if (k + 1 == posonly)
            sputs(&ts, ", /");
    }
    if (pl->varargs_slot >= 0 && kwstart == pl->npy) {
        if (pl->npy)
            sput(&ts, ", ", 2);
        sputs(&ts, "*");
        sputs(&ts, sig->params[pl->varargs_slot].name);
    }
    if ((sig->flags & SB_SIG_VARIADIC) && !(n && (sig->params[n - 1].flags & SB_PARAM_EXTRA))) {
        /* '...' takes the extra positional arguments: "*args" (another name if a parameter has it) */
        bool clash = false;
        for (uint16_t k = 0; k < pl->npy; k++)
            clash |= !strcmp(pl->py[k].name, "args");
        if (pl->npy)
            sput(&ts, ", ", 2);
        sputs(&ts, clash ? "*varargs" : "*args");
    }
    if (pl->varkw_slot >= 0) {
        if (pl->npy || pl->varargs_slot >= 0)
            sput(&ts, ", ", 2);
        sputs(&ts, "**");
        sputs(&ts, sig->params[pl->varkw_slot].name);
    }
    sput(&ts, ")", 1);
    if (ts.oom) {
        free(ts.b);
        sb__error_set(err, (size_t)-1, "out of memory");
        return false;
    }
    /* One exact block: the doc, whose text signature is __text_signature__ (what a bound function keeps). */
    size_t nts = ts.n, nname = strlen(sig->name), ntext = strlen(sig->text);
    char *d = malloc(nname + nts + 5 + ntext + 1);
    if (!d) {
        free(ts.b);
        sb__error_set(err, (size_t)-1, "out of memory");
        return false;
    }
    memcpy(d, sig->name, nname);
    memcpy(d + nname, ts.b, nts);
    free(ts.b);
    memcpy(d + nname + nts, "\n--\n\n", 5);
    memcpy(d + nname + nts + 5, sig->text, ntext + 1);
    pl->doc = d;
    return true;
}

const char *sb__plan_text_signature(const sb_plan *pl, size_t *len)
{
    /* The doc is "name(...)\n--\n\n...": a default's control characters are escaped in the text signature, so
     * its first "\n--\n\n" ends it (as CPython finds it). */
    const char *ts = pl->doc + strlen(pl->sig->name), *end = strstr(ts, "\n--\n\n");
    *len = end ? (size_t)(end - ts) : strlen(ts);
    return ts;
}

/* Copies the NUL-terminated string s (n bytes with its NUL) to *w and moves *w on; NULL stays NULL. */
static const char *pack_str(char **w, const char *s, size_t n)
{
    if (!s)
        return NULL;
    char *d = *w;
    memcpy(d, s, n);
    *w += n;
    return d;
}
#define PACK_LEN(s) ((s) ? strlen(s) + 1 : 0)
static size_t lit_bytes(const sb_literal *l)
{
    return l->kind == SB_LIT_STRING && l->s ? (size_t)l->len + 1 : 0;
}

/* The finished plan in one exact block: the plan, its slots, Python parameters and libffi types, the
 * signature and its parameters, then every string they point to (byte-exact), the doc last with the
 * signature's text as its tail. The parser's arena is freed. A signature with function types of its
 * own (their records and signatures live in its arena) stays as it is; so does everything when out of
 * memory. Returns the plan to keep (pl, or its packed copy; pl is then freed). */
static sb_plan *plan_pack(sb_plan *pl)
{
    const sb_sig *sig = pl->sig;
    if (sb__arena_has_kids(sig->arena))
        return pl;
    size_t n = sig->nparams, n1 = n ? n : 1;
    size_t at_slots = sizeof(sb_plan), at_py = at_slots + n1 * sizeof(sb_slot),
           at_types = at_py + n1 * sizeof(sb_pyparam), at_sig = at_types + n1 * sizeof(ffi_type *),
           at_params = at_sig + sizeof(sb_sig), at_defs = at_params + n * sizeof(sb_param), ndefs = 0;
    for (size_t i = 0; i < n; i++)
        ndefs += sig->params[i].def != NULL;
    size_t at_str = at_defs + ndefs * sizeof(sb_default);
    size_t ntext = strlen(sig->text), ndoc = strlen(pl->doc) + 1;
    if (ndoc < ntext + 1 || strcmp(pl->doc + ndoc - 1 - ntext, sig->text) != 0)
        return pl; /* (never: the doc ends with the text) */
    size_t str = PACK_LEN(sig->name) + PACK_LEN(sig->symbol) + PACK_LEN(sig->free_fn) +
                 PACK_LEN(sig->contract.msg_fn) + lit_bytes(&sig->contract.value) + ndoc;
    for (size_t i = 0; i < n; i++)
        str += PACK_LEN(sig->params[i].name) + (sig->params[i].def ? lit_bytes(&sig->params[i].def->lit) : 0);
    for (uint16_t k = 0; k < pl->npy; k++)
        if (pl->py[k].name != sig->params[pl->py[k].slot].name)
            str += strlen(pl->py[k].name) + 1; /* "argN", "from_" */
    sb_plan *q = malloc(at_str + str);
    if (!q)
        return pl;
    memcpy(q, pl, at_sig); /* the plan, slots, py and libffi types: one block already, in this order */
    q->slots = (sb_slot *)(void *)((char *)q + at_slots);
    q->py = (sb_pyparam *)(void *)((char *)q + at_py);
    q->cif.arg_types = (ffi_type **)(void *)((char *)q + at_types);
    sb_sig *s = (sb_sig *)(void *)((char *)q + at_sig);
    *s = *sig;
    s->arena = NULL;
    s->params = n ? (sb_param *)(void *)((char *)q + at_params) : NULL;
    if (n)
        memcpy(s->params, sig->params, n * sizeof(sb_param));
    sb_default *defs = (sb_default *)(void *)((char *)q + at_defs);
    char *w = (char *)q + at_str;
    s->name = pack_str(&w, sig->name, PACK_LEN(sig->name));
    s->symbol = pack_str(&w, sig->symbol, PACK_LEN(sig->symbol));
    s->free_fn = pack_str(&w, sig->free_fn, PACK_LEN(sig->free_fn));
    s->contract.msg_fn = pack_str(&w, sig->contract.msg_fn, PACK_LEN(sig->contract.msg_fn));
    if (sig->contract.value.kind == SB_LIT_STRING) /* (never: a contract compares with an integer or NULL) */
        s->contract.value.s = pack_str(&w, sig->contract.value.s, lit_bytes(&sig->contract.value));
    for (size_t i = 0; i < n; i++) {
        s->params[i].name = pack_str(&w, sig->params[i].name, PACK_LEN(sig->params[i].name));
        if (sig->params[i].def) {
            *defs = *sig->params[i].def;
            if (defs->lit.kind == SB_LIT_STRING)
                defs->lit.s = pack_str(&w, defs->lit.s, lit_bytes(&defs->lit));
            s->params[i].def = defs++;
        }
    }
    for (uint16_t k = 0; k < q->npy; k++) {
        sb_pyparam *pp = &q->py[k];
        const sb_param *from = &sig->params[pp->slot];
        pp->name = pp->name == from->name ? s->params[pp->slot].name : pack_str(&w, pp->name, strlen(pp->name) + 1);
        if (pp->def)
            pp->def = &s->params[pp->slot].def->lit;
    }
    q->doc = (char *)pack_str(&w, pl->doc, ndoc);
    s->text = q->doc + ndoc - 1 - ntext;
    q->sig = s;
    q->packed = true;
    sb__plan_free(pl); /* the parser's arena, the texts' and names' blocks */
    return q;
}
#undef PACK_LEN

sb_plan *sb__plan_new(sb_sig *sig, sb_error *err)
{
    if (!sig) {
        sb__error_set(err, (size_t)-1, "no signature");
        return NULL;
    }
    /* One block: the plan, then its slots, Python parameters, libffi types and the names it makes. */
    size_t n1 = sig->nparams ? sig->nparams : 1;
    size_t at_slots = sizeof(sb_plan), at_py = at_slots + n1 * sizeof(sb_slot),
           at_types = at_py + n1 * sizeof(sb_pyparam), at_names = at_types + n1 * sizeof(ffi_type *);
    sb_plan *pl = calloc(1, at_names + made_names_bytes(sig));
    if (!pl) {
        sb__sig_free(sig);
        sb__error_set(err, (size_t)-1, "out of memory");
        return NULL;
    }
    if (sb__arena_has_kids(sig->arena))
        sig = sb__sig_compact(sig); /* kept as it is: only the bytes it uses (before anything points into it) */
    pl->sig = sig; /* else packed with the plan at the end (plan_pack) */
    pl->varargs_slot = pl->varkw_slot = -1;
    uint16_t n = sig->nparams;
    pl->nargs = n;
    pl->slots = (sb_slot *)(void *)((char *)pl + at_slots);
    pl->py = (sb_pyparam *)(void *)((char *)pl + at_py);
    pl->cif.arg_types = (ffi_type **)(void *)((char *)pl + at_types); /* filled by plan_params */
    int last_unnamed;
    if (!check_sig(sig, err) || !plan_result(pl, err) || !plan_params(pl, &last_unnamed, err) ||
        !python_names(pl, (char *)pl + at_names, err) || !py_boundaries(pl, last_unnamed, err))
        goto fail;
    plan_cells(pl);
    plan_structs(pl);
    if (!plan_cif(pl, err) || !plan_texts(pl, err))
        goto fail;
    return plan_pack(pl);
fail:
    sb__plan_free(pl);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Variadic calls: one plan per distinct list of extra-argument types.  */

sb_conv sb__type_conv(sb_type t)
{
    sb_conv c = conv_of(t);
    return c == SB_CV_CSTR && !t.cconst ? SB_CV_PTR : c;
}

sb_type sb__type_promoted(sb_type t)
{
    if (t.ptr || t.named)
        return t;
    switch (t.kind) {
    case SB_K_FLOAT:
        t.kind = SB_K_DOUBLE;
        break;
    case SB_K_BOOL: case SB_K_CHAR: case SB_K_SCHAR: case SB_K_UCHAR: case SB_K_SHORT: case SB_K_USHORT:
    case SB_K_INT8: case SB_K_UINT8: case SB_K_INT16: case SB_K_UINT16:
        t.kind = SB_K_INT; /* every value of these fits int */
        break;
    default:
        break;
    }
    t.cconst = t.ptr ? t.cconst : 0;
    return t;
}

sb_plan *sb__plan_variadic(const sb_plan *base, const sb_type *extra, uint16_t n, sb_error *err)
{
    if ((size_t)base->sig->nparams + n > SB_MAX_ARGS) {
        sb__error_set(err, (size_t)-1, "too many arguments (at most %d in all)", SB_MAX_ARGS);
        return NULL;
    }
    for (uint16_t i = 0; i < n; i++) {
        sb_type p = sb__type_promoted(extra[i]);
        bool same = p.kind == extra[i].kind && p.ptr == extra[i].ptr && p.cconst == extra[i].cconst &&
                    sb__named_same(p.named, extra[i].named);
        if (!same || (!extra[i].ptr && (extra[i].kind == SB_K_VOID || extra[i].named))) {
            char tn[64];
            sb__type_format(extra[i], tn, sizeof tn);
            sb__error_set(err, (size_t)-1, "an argument for '...' cannot have type %s", tn);
            return NULL;
        }
    }
    sb_sig *sig = sb__sig_variadic(base->sig, extra, n, err);
    return sig ? sb__plan_new(sig, err) : NULL;
}
