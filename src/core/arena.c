/* arena.c — the per-signature arena, sb__sig_free, and sb__error_set for every plain-C layer (plain C). */
#include "core/internal.h"
#include "core/parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void sb__sig_free(sb_sig *sig)
{
    if (!sig)
        return;
    sb_arena *a = sig->arena;
    for (sb_kid *k = a->kids; k; k = k->next)
        sb__sig_free(k->sig);
    sb_chunk *c = a->extra;
    while (c) {
        sb_chunk *n = c->next;
        free(c);
        c = n;
    }
    free(a); /* the first block holds the arena header and the signature */
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
