/* constexpr.c — integer constant expressions of declaration blocks: C's operators and types (int ... unsigned long long, casts, sizeof) over 64-bit values (plain C). */
#include "core/internal.h"
#include "core/parse.h"

#include <string.h>

/* A value during evaluation: its bits (sign-extended for a signed type,
 * truncated to the type's width for an unsigned one) and its C type. */
typedef struct tv {
    uint64_t b;
    uint8_t t; /* SB_CT_* */
} tv;

static bool ct_unsigned(uint8_t t) { return t & 1; }
static unsigned ct_width(uint8_t t) { return t <= SB_CT_UINT ? 32 : t <= SB_CT_ULONG ? (unsigned)sizeof(long) * 8 : 64; }
static unsigned ct_rank(uint8_t t) { return t / 2; }

/* The bits of v as a value of type t (wrapped to its width, as C converts). */
static uint64_t ct_fit(uint64_t b, uint8_t t)
{
    unsigned w = ct_width(t);
    if (w == 64)
        return b;
    uint64_t m = (UINT64_C(1) << w) - 1;
    b &= m;
    if (!ct_unsigned(t) && (b >> (w - 1)))
        b |= ~m; /* sign-extend */
    return b;
}

/* Does the signed 64-bit value v fit type t? */
static bool ct_holds(int64_t v, uint8_t t)
{
    if (ct_unsigned(t))
        return v >= 0 && (ct_width(t) == 64 || (uint64_t)v <= (UINT64_C(1) << ct_width(t)) - 1);
    return ct_width(t) == 64 || (v >= -(INT64_C(1) << (ct_width(t) - 1)) && v < (INT64_C(1) << (ct_width(t) - 1)));
}

/* The usual arithmetic conversions of two (promoted) types. */
static uint8_t ct_common(uint8_t a, uint8_t b)
{
    if (a == b)
        return a;
    if (ct_unsigned(a) == ct_unsigned(b))
        return ct_rank(a) > ct_rank(b) ? a : b;
    uint8_t u = ct_unsigned(a) ? a : b, s = ct_unsigned(a) ? b : a;
    if (ct_rank(u) >= ct_rank(s))
        return u;
    if (ct_width(s) > ct_width(u))
        return s;
    return (uint8_t)(s | 1); /* the unsigned type of the signed one's rank */
}

/* A signed result that does not fit its (int) type widens to long, as the
 * evaluator always did (C would overflow); past 64 bits it is an error. */
static tv ct_signed_result(int64_t r, uint8_t t)
{
    while (!ct_holds(r, t) && t < SB_CT_LLONG)
        t = (uint8_t)(t + 2);
    return (tv){(uint64_t)r, t};
}

static tv from_cval(sb_cval v)
{
    if (v.ty)
        return (tv){ct_fit((uint64_t)v.v, (uint8_t)(v.ty - 1)), (uint8_t)(v.ty - 1)};
    if (v.u)
        return (tv){(uint64_t)v.v, SB_CT_ULLONG};
    return (tv){(uint64_t)v.v, ct_holds(v.v, SB_CT_INT) ? SB_CT_INT : SB_CT_LONG};
}

static sb_cval to_cval(tv x)
{
    sb_cval v;
    v.v = (int64_t)x.b;
    v.u = ct_unsigned(x.t) && x.b > (uint64_t)INT64_MAX;
    v.ty = (uint8_t)(x.t + 1);
    return v;
}

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

static bool texpr(cparse *c, int minprec, tv *out);
static bool tprimary_at(cparse *c, tv *out);

/* A primary expression (unary operators, parentheses, casts, literals, names), depth-bounded. */
static bool tprimary(cparse *c, tv *out)
{
    if (c->depth >= SB_MAX_CEXPR_DEPTH) {
        fail(c->p, c->p->t.pos, "constant expression nested too deeply (more than %d parentheses or unary operators)",
             SB_MAX_CEXPR_DEPTH);
        return false;
    }
    c->depth++;
    bool ok = tprimary_at(c, out);
    c->depth--;
    return ok;
}

/* The ')' matching the '(' at open, or 0. */
static size_t close_paren(const parser *p, size_t open)
{
    int depth = 0;
    for (size_t i = open; i < p->n; i++)
        if (p->s[i] == '(')
            depth++;
        else if (p->s[i] == ')' && --depth == 0)
            return i;
    return 0;
}

/* `sizeof(type)`, `_Alignof(type)` (also `int[4]`, a typedef, a struct the scope knows). */
static bool tsizeof(cparse *c, tv *out)
{
    parser *p = c->p;
    bool size = tok_is(p, "sizeof");
    size_t at = p->t.pos;
    next(p);
    if (!punct_is(p, '(')) {
        expected(p, size ? "'(' and a type after sizeof" : "'(' and a type");
        return false;
    }
    size_t open = p->t.pos, close = close_paren(p, open);
    if (!close) {
        expected(p, "')'");
        return false;
    }
    sb_type t;
    int64_t count;
    sb_error e;
    if (sb__array_type_parse(p->s + open + 1, close - open - 1, p->scope, &t, &count, &e) < 0) {
        fail(p, open + 1 + (e.col == (size_t)-1 ? 0 : e.col), "%s", e.msg);
        return false;
    }
    bool incomplete = !t.ptr && (t.named ? t.named->what != SB_NAMED_STRUCT : t.kind == SB_K_VOID);
    size_t n = size ? sb__type_size(t) : sb__type_align(t);
    if (incomplete || !n || (size && count == SB_ARRAY_OPEN)) {
        fail(p, at, "%s of an incomplete type", size ? "sizeof" : "alignof");
        return false;
    }
    if (size && count > 0) {
        if ((uint64_t)count > (uint64_t)INT64_MAX / n)
            return too_big(p, at);
        n *= (size_t)count;
    }
    *out = (tv){(uint64_t)n, SB_CT_ULONG}; /* size_t */
    p->pos = close + 1;
    next(p);
    return !p->failed;
}

/* Is the '(' at the current token a cast's: `(unsigned char)`, `(uint32_t)`, `(void *)`? */
static bool cast_follows(cparse *c)
{
    parser *p = c->p;
    size_t save_pos = p->pos;
    tok save = p->t;
    next(p);
    bool type = false;
    if (p->t.kind == T_IDENT) {
        static const char *const words[] = {"int", "unsigned", "signed", "char", "short", "long", "const", "volatile",
                                            "struct", "union", "enum", "_Bool", "bool", "void", "float", "double",
                                            "__signed__", "__const"};
        for (size_t i = 0; i < sizeof words / sizeof words[0] && !type; i++)
            type = tok_is(p, words[i]);
        if (!type) { /* a type name: builtin (uint32_t, size_t) or the scope's */
            sb_type t;
            sb_error e;
            type = sb__type_parse_in(p->s + p->t.pos, p->t.len, p->scope, &t, &e) == 0;
        }
    }
    p->pos = save_pos;
    p->t = save;
    p->failed = false;
    return type;
}

/* `(type) operand` at the '(': the operand converted as C converts it. */
static bool tcast(cparse *c, tv *out)
{
    parser *p = c->p;
    size_t open = p->t.pos, close = close_paren(p, open);
    sb_type t;
    sb_error e;
    if (!close || sb__type_parse_in(p->s + open + 1, close - open - 1, p->scope, &t, &e) < 0) {
        fail(p, open + 1, "%s", close ? e.msg : "expected ')'");
        return false;
    }
    p->pos = close + 1;
    next(p);
    tv v;
    if (p->failed || !tprimary(c, &v))
        return false;
    if (t.ptr) { /* (void *)-1: an address */
        *out = (tv){v.b, SB_CT_ULONG};
        return true;
    }
    const sb_kindinfo *ki = sb__kind((sb_kind)t.kind);
    if (t.named || (ki->cls != SB_CLASS_SINT && ki->cls != SB_CLASS_UINT && ki->cls != SB_CLASS_BOOL)) {
        fail(p, open, "only integer constants are supported (a cast to %s)", t.named ? t.named->name : ki->name);
        return false;
    }
    if (ki->cls == SB_CLASS_BOOL) {
        *out = (tv){v.b != 0, SB_CT_INT};
        return true;
    }
    bool uns = ki->cls == SB_CLASS_UINT;
    if (ki->size < 4) { /* (unsigned char)300 is 44, then an int */
        uint64_t m = (UINT64_C(1) << (ki->size * 8)) - 1, b = v.b & m;
        if (!uns && (b >> (ki->size * 8 - 1)))
            b |= ~m;
        *out = (tv){b, SB_CT_INT};
        return true;
    }
    uint8_t ct = ki->size == 4 ? SB_CT_INT : (t.kind == SB_K_LLONG || t.kind == SB_K_ULLONG) ? SB_CT_LLONG : SB_CT_LONG;
    if (uns)
        ct |= 1;
    *out = (tv){ct_fit(v.b, ct), ct};
    return true;
}

/* An integer literal's value and type (C11 6.4.4.1: the first of its list that holds it). */
static bool tliteral(parser *p, tv *out)
{
    uint64_t mag;
    if (!sb__parse_int_text(p, p->t.pos, p->t.len, &mag))
        return false;
    const char *s = p->s + p->t.pos;
    size_t n = p->t.len, nl = 0;
    bool u = false, dec = !(n > 1 && s[0] == '0');
    for (size_t i = n; i > 0 && strchr("uUlL", s[i - 1]); i--) {
        if (s[i - 1] == 'u' || s[i - 1] == 'U')
            u = true;
        else
            nl++;
    }
    uint8_t first = nl >= 2 ? SB_CT_LLONG : nl ? SB_CT_LONG : SB_CT_INT;
    for (uint8_t t = first; t <= SB_CT_ULLONG; t++) {
        if ((u && !ct_unsigned(t)) || (dec && !u && ct_unsigned(t) && t != SB_CT_ULLONG))
            continue;
        if (ct_unsigned(t) ? (ct_width(t) == 64 || mag <= (UINT64_C(1) << ct_width(t)) - 1)
                           : mag <= (uint64_t)INT64_MAX && ct_holds((int64_t)mag, t)) {
            *out = (tv){mag, t};
            next(p);
            return !p->failed;
        }
    }
    *out = (tv){mag, SB_CT_ULLONG}; /* too large for long long: unsigned long long, as GCC */
    next(p);
    return !p->failed;
}

static bool tunary(cparse *c, tv *out)
{
    parser *p = c->p;
    size_t at = p->t.pos;
    char op = p->t.punct;
    next(p);
    tv v;
    if (p->failed || !tprimary(c, &v))
        return false;
    if (op == '!') {
        *out = (tv){v.b == 0, SB_CT_INT};
        return true;
    }
    if (ct_unsigned(v.t) || op != '-') {
        uint64_t b = op == '-' ? 0 - v.b : op == '~' ? ~v.b : v.b;
        *out = (tv){ct_fit(b, v.t), v.t};
        return true;
    }
    if ((int64_t)v.b == INT64_MIN)
        return too_big(p, at);
    *out = ct_signed_result(-(int64_t)v.b, v.t);
    return true;
}

static bool tprimary_at(cparse *c, tv *out)
{
    parser *p = c->p;
    if (p->t.kind == T_PUNCT && !p->t.punct2 && (p->t.punct == '-' || p->t.punct == '+' || p->t.punct == '~' ||
                                                 p->t.punct == '!'))
        return tunary(c, out);
    if (punct_is(p, '(')) {
        if (cast_follows(c))
            return tcast(c, out);
        next(p);
        if (p->failed || !texpr(c, 1, out))
            return false;
        if (!punct_is(p, ')')) {
            expected(p, "')'");
            return false;
        }
        next(p);
        return !p->failed;
    }
    if (p->t.kind == T_INT)
        return tliteral(p, out);
    if (p->t.kind == T_CHAR) {
        unsigned char ch;
        if (!sb__char_literal(p, &ch))
            return false;
        /* an int of char's value, as in C: '\xff' is -1 where char is signed */
        *out = (tv){(uint64_t)(int64_t)(CHAR_MIN < 0 ? (signed char)ch : ch), SB_CT_INT};
        next(p);
        return !p->failed;
    }
    if (tok_is(p, "sizeof") || tok_is(p, "_Alignof") || tok_is(p, "__alignof__") || tok_is(p, "alignof") ||
        tok_is(p, "__alignof"))
        return tsizeof(c, out);
    if (p->t.kind == T_IDENT) {
        const char *w = p->s + p->t.pos;
        size_t n = p->t.len;
        size_t i = c->local ? sb__constdecl_find(c->local, w, n) : SIZE_MAX;
        sb_cval v = {0, false, 0}; /* a lookup may leave ty: then it is inferred */
        if (i != SIZE_MAX || (c->cs && c->cs->lookup(c->cs, w, n, &v))) {
            *out = from_cval(i != SIZE_MAX ? c->local->v[i].value : v);
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

/* a op b in their common type t, signed: 64-bit arithmetic, overflow checked. */
static bool tsigned(parser *p, size_t at, char op, int64_t x, int64_t y, uint8_t t, tv *out)
{
    int64_t r = 0;
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
        if (x == INT64_MIN && y == -1)
            return too_big(p, at);
        r = op == '/' ? x / y : x % y;
        break;
    case '&': r = x & y; break;
    case '|': r = x | y; break;
    case '^': r = x ^ y; break;
    default: return too_big(p, at);
    }
    *out = ct_signed_result(r, t);
    return true;
}

static bool tshift(parser *p, size_t at, char op, tv a, tv b, tv *out)
{
    int64_t y = ct_unsigned(b.t) && b.b > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)b.b;
    uint8_t t = a.t;
    if (y < 0 || y > 63 || (ct_width(t) == 32 && y > 31 && ct_unsigned(t))) {
        fail(p, at, "shift out of range in a constant expression");
        return false;
    }
    if (ct_unsigned(t)) {
        *out = (tv){ct_fit(op == 'L' ? a.b << y : a.b >> y, t), t};
        return true;
    }
    int64_t x = (int64_t)a.b;
    if (op == 'R') {
        *out = (tv){(uint64_t)(x >= 0 ? x >> y : ~(~x >> y)), t};
        return true;
    }
    if (x < 0) {
        fail(p, at, "shift out of range in a constant expression");
        return false;
    }
    if (x > (INT64_MAX >> y))
        return too_big(p, at);
    *out = ct_signed_result((int64_t)((uint64_t)x << y), t);
    return true;
}

static bool tbinary(parser *p, size_t at, char op, tv a, tv b, tv *out)
{
    if (op == 'A' || op == 'O') {
        *out = (tv){op == 'A' ? (a.b && b.b) : (a.b || b.b), SB_CT_INT};
        return true;
    }
    if (op == 'L' || op == 'R')
        return tshift(p, at, op, a, b, out);
    uint8_t t = ct_common(a.t, b.t);
    uint64_t x = ct_fit(a.b, t), y = ct_fit(b.b, t);
    bool uns = ct_unsigned(t);
    if ((op == '/' || op == '%') && y == 0) {
        fail(p, at, "division by zero in a constant expression");
        return false;
    }
    int cmp = uns ? (x < y ? -1 : x > y) : ((int64_t)x < (int64_t)y ? -1 : (int64_t)x > (int64_t)y);
    switch (op) {
    case 'E': *out = (tv){cmp == 0, SB_CT_INT}; return true;
    case 'N': *out = (tv){cmp != 0, SB_CT_INT}; return true;
    case '<': *out = (tv){cmp < 0, SB_CT_INT}; return true;
    case '>': *out = (tv){cmp > 0, SB_CT_INT}; return true;
    case 'l': *out = (tv){cmp <= 0, SB_CT_INT}; return true;
    case 'g': *out = (tv){cmp >= 0, SB_CT_INT}; return true;
    default: break;
    }
    if (!uns)
        return tsigned(p, at, op, (int64_t)x, (int64_t)y, t, out);
    uint64_t r;
    switch (op) { /* unsigned: modulo 2^width, as C */
    case '+': r = x + y; break;
    case '-': r = x - y; break;
    case '*': r = x * y; break;
    case '/': r = x / y; break;
    case '%': r = x % y; break;
    case '&': r = x & y; break;
    case '|': r = x | y; break;
    case '^': r = x ^ y; break;
    default: return too_big(p, at);
    }
    *out = (tv){ct_fit(r, t), t};
    return true;
}

/* Precedence climbing over C's binary operators, then `?:`. */
static bool texpr(cparse *c, int minprec, tv *out)
{
    parser *p = c->p;
    if (!tprimary(c, out))
        return false;
    for (;;) {
        char op;
        int two;
        int prec = binop(p, &op, &two);
        if (prec == 0 || prec < minprec)
            break;
        size_t at = p->t.pos;
        next(p);
        if (two)
            next(p);
        tv rhs;
        if (p->failed || !texpr(c, prec + 1, &rhs))
            return false;
        if (!tbinary(p, at, op, *out, rhs, out))
            return false;
    }
    if (minprec <= 1 && punct_is(p, '?')) { /* cond ? a : b */
        next(p);
        tv a, b;
        if (p->failed || !texpr(c, 1, &a))
            return false;
        if (!punct_is(p, ':')) {
            expected(p, "':'");
            return false;
        }
        next(p);
        if (p->failed || !texpr(c, 1, &b))
            return false;
        uint8_t t = ct_common(a.t, b.t);
        *out = (tv){ct_fit(out->b ? a.b : b.b, t), t};
    }
    return !p->failed;
}

bool sb__cexpr(cparse *c, int minprec, sb_cval *out)
{
    tv v;
    if (!texpr(c, minprec, &v))
        return false;
    *out = to_cval(v);
    return true;
}
