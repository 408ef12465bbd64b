/* sysv.c — the x86-64 System V classification of a struct passed or returned by value (INTEGER/SSE eightbytes, or MEMORY), made once at bind time (plain C). */
#include "core/internal.h"

#include <string.h>

/* The psABI (x86-64 System V, 3.2.3 "Parameter Passing"): an aggregate of at
 * most 16 bytes whose members are all aligned is split into eightbytes; an
 * eightbyte holding any integer or pointer member is INTEGER, one holding only
 * float/double members is SSE; larger aggregates (and any with a long double,
 * an unaligned member or an over-aligned one) are MEMORY: passed on the stack,
 * returned through a hidden pointer in %rdi. Where an argument's eightbytes do
 * not all fit the registers left, the whole aggregate goes on the stack and
 * takes no register (libffi 3.4.4 gets that wrong: libffi issue 574). */

enum { C_NONE = 0, C_INT = SB_SYSV_INT, C_SSE = SB_SYSV_SSE, C_MEM = 3, C_FAIL = 4 };

static void merge(uint8_t *cls, uint8_t c)
{
    if (*cls == C_FAIL || c == C_FAIL)
        *cls = C_FAIL;
    else if (*cls == C_MEM || c == C_MEM)
        *cls = C_MEM;
    else if (*cls == C_INT || c == C_INT)
        *cls = C_INT;
    else
        *cls = c;
}

static bool classify_fields(const sb_layout *lay, size_t base, uint8_t cls[2], unsigned depth);

/* One member of type t (count elements; 0 = one) at byte offset `at`. */
static bool classify_member(sb_type t, uint32_t count, size_t at, uint8_t cls[2], unsigned depth)
{
    size_t n = count ? count : 1;
    if (t.ptr == 0 && t.named) {
        if (t.named->what != SB_NAMED_STRUCT)
            return false;
        const sb_layout *sub = (const sb_layout *)t.named->user;
        if (sub->is_union || sub->align > 8)
            return false;
        for (size_t k = 0; k < n; k++)
            if (!classify_fields(sub, at + k * sub->size, cls, depth + 1))
                return false;
        return true;
    }
    uint8_t c;
    size_t size, align;
    if (t.ptr) {
        c = C_INT;
        size = align = sizeof(void *);
    } else {
        const sb_kindinfo *ki = sb__kind((sb_kind)t.kind);
        if (t.kind == SB_K_LDOUBLE || ki->size == 0 || ki->cls == SB_CLASS_PYOBJ)
            return false; /* X87 class (MEMORY in an aggregate): libffi's business */
        c = t.kind == SB_K_FLOAT || t.kind == SB_K_DOUBLE ? C_SSE : C_INT;
        size = ki->size;
        align = ki->align;
    }
    for (size_t k = 0; k < n; k++) {
        size_t off = at + k * size;
        if (off % align)
            return false; /* an unaligned member: MEMORY, left to libffi */
        merge(&cls[off / 8], c);
        if ((off + size - 1) / 8 != off / 8)
            merge(&cls[(off + size - 1) / 8], c);
    }
    return true;
}

static bool classify_fields(const sb_layout *lay, size_t base, uint8_t cls[2], unsigned depth)
{
    if (depth > 16 || lay->is_union || lay->packed || lay->pack)
        return false;
    for (uint16_t i = 0; i < lay->nfields; i++) {
        const sb_field *fd = &lay->fields[i];
        if (fd->bit_width || fd->inert)
            return false;
        if (fd->flex)
            continue; /* no storage of its own */
        if (!classify_member(fd->type, fd->count, base + fd->offset, cls, depth))
            return false;
    }
    return true;
}

bool sb__sysv_classify(const sb_layout *lay, sb_sysv *out)
{
    memset(out, 0, sizeof *out);
    if (!lay->by_value_ok || lay->is_union || lay->size == 0 || lay->align > 8)
        return false;
    if (lay->size > 16)
        return true; /* MEMORY: n = 0 */
    uint8_t cls[2] = {C_NONE, C_NONE};
    if (!classify_fields(lay, 0, cls, 0))
        return false;
    unsigned n = (unsigned)((lay->size + 7) / 8);
    for (unsigned i = 0; i < n; i++) {
        if (cls[i] == C_NONE || cls[i] == C_FAIL)
            return false; /* an eightbyte of padding only: not worth a rule of its own */
        if (cls[i] == C_MEM)
            return true;
    }
    out->n = (uint8_t)n;
    for (unsigned i = 0; i < n; i++) {
        out->cls[i] = cls[i];
        if (cls[i] == C_INT)
            out->nint++;
        else
            out->nsse++;
    }
    return true;
}
