/* arena.c — the per-signature arena, sb__sig_free, sb__error_set and the growing string for every plain-C layer (plain C). */
#include "core/internal.h"
#include "core/parse.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Arena: one malloc for the usual signature, chained chunks beyond.   */

typedef struct sb_chunk {
    struct sb_chunk *next;
} sb_chunk;

typedef struct sb_kid {
    struct sb_kid *next;
    sb_sig *sig;
} sb_kid;

struct sb_arena {
    sb_chunk *extra;   /* further chunks */
    sb_kid *kids;      /* signatures of function pointer types inside this one, freed with it */
    char *cur, *end;
};

#define SB_ARENA_FIRST 1536

sb_arena *sb__arena_new(void)
{
    sb_arena *a = malloc(SB_ARENA_FIRST);
    if (!a)
        return NULL;
    a->extra = NULL;
    a->kids = NULL;
    a->cur = (char *)a + ((sizeof(sb_arena) + 7u) & ~(size_t)7u);
    a->end = (char *)a + SB_ARENA_FIRST;
    return a;
}

void *sb__arena_alloc(sb_arena *a, size_t n)
{
    n = (n + 7u) & ~(size_t)7u;
    if ((size_t)(a->end - a->cur) < n) {
        size_t cap = n > 4096 ? n : 4096;
        sb_chunk *c = malloc(sizeof(sb_chunk) + 8 + cap);
        if (!c)
            return NULL;
        c->next = a->extra;
        a->extra = c;
        a->cur = (char *)c + ((sizeof(sb_chunk) + 7u) & ~(size_t)7u);
        a->end = a->cur + cap;
    }
    void *p = a->cur;
    a->cur += n;
    return p;
}

char *sb__arena_strndup(sb_arena *a, const char *s, size_t n)
{
    char *p = sb__arena_alloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

bool sb__arena_adopt(sb_arena *a, sb_sig *kid)
{
    sb_kid *k = sb__arena_alloc(a, sizeof *k);
    if (!k)
        return false;
    k->sig = kid;
    k->next = a->kids;
    a->kids = k;
    return true;
}

bool sb__arena_has_kids(const sb_arena *a)
{
    return a && a->kids;
}

void sb__arena_free(sb_arena *a)
{
    for (sb_kid *k = a->kids; k; k = k->next)
        sb__sig_free(k->sig);
    sb_chunk *c = a->extra;
    while (c) {
        sb_chunk *n = c->next;
        free(c);
        c = n;
    }
    free(a); /* the first block holds the arena header (and the signature) */
}

/* p moved by d when it points into [lo, hi); other pointers are left alone. */
static void *reloc(const void *p, uintptr_t lo, uintptr_t hi, intptr_t d)
{
    uintptr_t u = (uintptr_t)p;
    return (void *)(u >= lo && u < hi ? (uintptr_t)((intptr_t)u + d) : u);
}

sb_sig *sb__sig_compact(sb_sig *sig)
{
    sb_arena *a = sig->arena;
    size_t used = (size_t)(a->cur - (char *)a);
    if (a->extra || used + 128 > SB_ARENA_FIRST)
        return sig; /* chained chunks, or little to gain */
    sb_arena *b = malloc(used);
    if (!b)
        return sig; /* the signature stays as it is */
    memcpy(b, a, used);
    uintptr_t lo = (uintptr_t)a, hi = (uintptr_t)a->cur;
    intptr_t d = (intptr_t)((uintptr_t)b - lo);
#define R(p) ((p) = reloc((p), lo, hi, d))
    b->cur = b->end = (char *)b + used; /* full: a later allocation chains a chunk */
    R(b->kids);
    for (sb_kid *k = b->kids; k; k = k->next)
        R(k->next); /* the kids themselves live in their own arenas */
    sb_sig *s = reloc(sig, lo, hi, d);
    s->arena = b;
    R(s->name);
    R(s->symbol);
    R(s->ret.named);
    R(s->free_fn);
    R(s->contract.msg_fn);
    if (s->contract.value.kind == SB_LIT_STRING)
        R(s->contract.value.s);
    R(s->text);
    R(s->params);
    for (uint16_t i = 0; i < s->nparams; i++) {
        R(s->params[i].name);
        R(s->params[i].type.named);
        R(s->params[i].def);
        if (s->params[i].def) { /* the default's record moved with the block it is in */
            sb_default *dv = (sb_default *)(uintptr_t)s->params[i].def;
            if (dv->lit.kind == SB_LIT_STRING)
                R(dv->lit.s);
        }
    }
#undef R
    /* The arena's own sb_named records (function pointer types) point only
     * into their kids' arenas, which do not move. */
    free(a);
    return s;
}

void sb__sig_free(sb_sig *sig)
{
    if (sig && sig->arena) /* a packed signature (no arena) is freed with its plan */
        sb__arena_free(sig->arena);
}

void sb__error_set(sb_error *err, size_t col, const char *fmt, ...)
{
    if (!err)
        return;
    err->col = col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

void sb__strbuf_put(sb_strbuf *s, const char *t, size_t n)
{
    if (s->oom)
        return;
    if (s->n + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 128;
        while (cap < s->n + n + 1)
            cap *= 2;
        char *b = realloc(s->b, cap);
        if (!b) {
            s->oom = true;
            return;
        }
        s->b = b;
        s->cap = cap;
    }
    memcpy(s->b + s->n, t, n);
    s->n += n;
    s->b[s->n] = '\0';
}

char *sb__strndup(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}
