/* constexpr.c — integer constant expressions of declaration blocks: C's operators over 64-bit values, overflow checked (plain C). */
#include "core/internal.h"
#include "core/parse.h"

#include <string.h>

static bool cval_fits_i64(sb_cval v) { return !v.u; }

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

static bool cprimary_at(cparse *c, sb_cval *out);

/* A primary expression (unary operators, parentheses, literals, names), depth-bounded. */
static bool cprimary(cparse *c, sb_cval *out)
{
    if (c->depth >= SB_MAX_CEXPR_DEPTH) {
        fail(c->p, c->p->t.pos, "constant expression nested too deeply (more than %d parentheses or unary operators)",
             SB_MAX_CEXPR_DEPTH);
        return false;
    }
    c->depth++;
    bool ok = cprimary_at(c, out);
    c->depth--;
    return ok;
}

/* `sizeof(type)`, `_Alignof(type)` (also `int[4]`, a typedef, a struct the scope knows). */
static bool csizeof(cparse *c, sb_cval *out)
{
    parser *p = c->p;
    bool size = tok_is(p, "sizeof");
    size_t at = p->t.pos;
    next(p);
    if (!punct_is(p, '(')) {
        expected(p, size ? "'(' and a type after sizeof" : "'(' and a type");
        return false;
    }
    size_t open = p->t.pos, close = 0;
    int depth = 0;
    for (size_t i = open; i < p->n && !close; i++)
        if (p->s[i] == '(')
            depth++;
        else if (p->s[i] == ')' && --depth == 0)
            close = i;
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
    out->v = (int64_t)n;
    out->u = false;
    p->pos = close + 1;
    next(p);
    return !p->failed;
}

static bool cprimary_at(cparse *c, sb_cval *out)
{
    parser *p = c->p;
    size_t at = p->t.pos;
    out->u = false;
    if (p->t.kind == T_PUNCT && !p->t.punct2 && (p->t.punct == '-' || p->t.punct == '+' || p->t.punct == '~' ||
                                                 p->t.punct == '!')) {
        char op = p->t.punct;
        next(p);
        sb_cval v;
        if (p->failed || !cprimary(c, &v))
            return false;
        if (!cval_fits_i64(v) && op != '+')
            return too_big(p, at);
        switch (op) {
        case '-':
            if (v.v == INT64_MIN)
                return too_big(p, at);
            out->v = -v.v;
            break;
        case '~': out->v = ~v.v; break;
        case '!': out->v = !v.v; break;
        default: *out = v; break;
        }
        return true;
    }
    if (punct_is(p, '(')) {
        next(p);
        if (p->failed || !sb__cexpr(c, 1, out))
            return false;
        if (!punct_is(p, ')')) {
            expected(p, "')'");
            return false;
        }
        next(p);
        return !p->failed;
    }
    if (p->t.kind == T_INT) {
        uint64_t mag;
        if (!sb__parse_int_text(p, p->t.pos, p->t.len, &mag))
            return false;
        out->v = (int64_t)mag;
        out->u = mag > (uint64_t)INT64_MAX;
        next(p);
        return !p->failed;
    }
    if (p->t.kind == T_CHAR) {
        unsigned char ch;
        if (!sb__char_literal(p, &ch))
            return false;
        out->v = CHAR_MIN < 0 ? (signed char)ch : ch; /* an int of char's value, as in C: '\xff' is -1 */
        next(p);
        return !p->failed;
    }
    if (tok_is(p, "sizeof") || tok_is(p, "_Alignof") || tok_is(p, "__alignof__") || tok_is(p, "alignof") ||
        tok_is(p, "__alignof"))
        return csizeof(c, out);
    if (p->t.kind == T_IDENT) {
        const char *w = p->s + p->t.pos;
        size_t n = p->t.len;
        size_t i = c->local ? sb__constdecl_find(c->local, w, n) : SIZE_MAX;
        if (i != SIZE_MAX) {
            *out = c->local->v[i].value;
            next(p);
            return !p->failed;
        }
        if (c->cs && c->cs->lookup(c->cs, w, n, out)) {
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

static bool cbinary(parser *p, size_t at, char op, sb_cval a, sb_cval b, sb_cval *out)
{
    out->u = false;
    if (!cval_fits_i64(a) || !cval_fits_i64(b))
        return too_big(p, at);
    int64_t x = a.v, y = b.v, r = 0;
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
        if (y == 0) {
            fail(p, at, "division by zero in a constant expression");
            return false;
        }
        if (x == INT64_MIN && y == -1)
            return too_big(p, at);
        r = op == '/' ? x / y : x % y;
        break;
    case 'L':
    case 'R':
        if (y < 0 || y > 63 || (op == 'L' && x < 0)) {
            fail(p, at, "shift out of range in a constant expression");
            return false;
        }
        if (op == 'L') {
            if (x > (INT64_MAX >> y))
                return too_big(p, at);
            r = (int64_t)((uint64_t)x << y);
        } else {
            r = x >= 0 ? x >> y : ~(~x >> y);
        }
        break;
    case '&': r = x & y; break;
    case '|': r = x | y; break;
    case '^': r = x ^ y; break;
    case 'A': r = x && y; break;
    case 'O': r = x || y; break;
    case 'E': r = x == y; break;
    case 'N': r = x != y; break;
    case '<': r = x < y; break;
    case '>': r = x > y; break;
    case 'l': r = x <= y; break;
    case 'g': r = x >= y; break;
    default: return too_big(p, at);
    }
    out->v = r;
    return true;
}

/* Precedence climbing over C's binary operators (no ?:, casts or sizeof). */
bool sb__cexpr(cparse *c, int minprec, sb_cval *out)
{
    parser *p = c->p;
    if (!cprimary(c, out))
        return false;
    for (;;) {
        char op;
        int two;
        int prec = binop(p, &op, &two);
        if (prec == 0 || prec < minprec)
            return !p->failed;
        size_t at = p->t.pos;
        next(p);
        if (two)
            next(p);
        sb_cval rhs;
        if (p->failed || !sb__cexpr(c, prec + 1, &rhs))
            return false;
        if (!cbinary(p, at, op, *out, rhs, out))
            return false;
    }
}
