/* layout.c — struct and union layouts as the C compiler makes them (offsets, size, alignment) and their libffi types (plain C). */
#include "core/internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

sb_layout *sb__layout_new(bool is_union, const char *name)
{
    sb_layout *L = calloc(1, sizeof *L);
    if (!L)
        return NULL;
    L->is_union = is_union;
    L->align = 1;
    L->by_value_ok = !is_union;
    snprintf(L->name, sizeof L->name, "%s", name);
    L->named.what = SB_NAMED_STRUCT;
    L->named.name = L->name;
    L->named.user = L;
    return L;
}

void sb__layout_free(sb_layout *L)
{
    if (!L)
        return;
    for (uint16_t i = 0; i < L->nfields; i++)
        free((char *)L->fields[i].name);
    for (size_t i = 0; i < L->nsubs; i++)
        sb__layout_free(L->subs[i]);
    free(L->subs);
    free(L->fields);
    free(L->elements);
    free(L);
}

static size_t align_up(size_t n, size_t a)
{
    return (n + a - 1) / a * a;
}

static int push_element(sb_layout *L, ffi_type *e)
{
    if (L->nelements + 2 > L->elemcap) {
        size_t cap = L->elemcap ? L->elemcap * 2 : 8;
        ffi_type **v = realloc(L->elements, cap * sizeof *v);
        if (!v)
            return -1;
        L->elements = v;
        L->elemcap = cap;
    }
    L->elements[L->nelements++] = e;
    L->elements[L->nelements] = NULL;
    return 0;
}

static int push_field(sb_layout *L, const char *name, size_t nlen, sb_type t, uint32_t count, size_t offset,
                      sb_error *err)
{
    for (uint16_t i = 0; i < L->nfields; i++)
        if (strlen(L->fields[i].name) == nlen && memcmp(L->fields[i].name, name, nlen) == 0) {
            sb__error_set(err, (size_t)-1, "duplicate member '%.*s' in %s", (int)nlen, name, L->name);
            return -1;
        }
    if (L->nfields == UINT16_MAX) {
        sb__error_set(err, (size_t)-1, "too many members in %s", L->name);
        return -1;
    }
    sb_field *v = realloc(L->fields, (L->nfields + 1u) * sizeof *v);
    char *nm = malloc(nlen + 1);
    if (!v || !nm) {
        free(nm);
        if (v)
            L->fields = v;
        sb__error_set(err, (size_t)-1, "out of memory");
        return -1;
    }
    L->fields = v;
    memcpy(nm, name, nlen);
    nm[nlen] = '\0';
    L->fields[L->nfields++] = (sb_field){nm, t, offset, count, 0, 0};
    return 0;
}

/* Places a member of size `size` and alignment `align`; returns its offset. */
static size_t place(sb_layout *L, size_t size, size_t align)
{
    if (L->packed)
        align = 1;
    if (align > L->align)
        L->align = align;
    if (L->is_union) {
        if (size > L->size)
            L->size = size;
        return 0;
    }
    size_t off = align_up((L->bitpos + 7) / 8 > L->size ? (L->bitpos + 7) / 8 : L->size, align);
    L->size = off + size;
    L->bitpos = L->size * 8;
    return off;
}

int sb__layout_add_bits(sb_layout *L, const char *name, size_t nlen, sb_type t, unsigned width, sb_error *err)
{
    const sb_kindinfo *ki = sb__kind((sb_kind)t.kind);
    if (t.ptr || t.named || !(ki->cls == SB_CLASS_SINT || ki->cls == SB_CLASS_UINT || ki->cls == SB_CLASS_BOOL)) {
        sb__error_set(err, (size_t)-1, "bit-field '%.*s' must have an integer type", (int)nlen, name ? name : "");
        return -1;
    }
    unsigned unit = ki->size * 8u;
    if (width > unit || (ki->cls == SB_CLASS_BOOL && width > 1)) {
        sb__error_set(err, (size_t)-1, "bit-field '%.*s' is wider than its type (%u bits)", (int)nlen,
                      name ? name : "", ki->cls == SB_CLASS_BOOL ? 1u : unit);
        return -1;
    }
    if (width == 0) {
        if (name) {
            sb__error_set(err, (size_t)-1, "bit-field '%.*s' has width 0 (only an unnamed one may)", (int)nlen, name);
            return -1;
        }
        if (!L->is_union)
            L->bitpos = align_up(L->bitpos, L->packed ? 8 : unit); /* the next unit */
        return 0;
    }
    L->by_value_ok = false; /* libffi has no bit-fields */
    size_t cur = L->is_union ? 0 : L->bitpos;
    if (!L->packed && cur / unit != (cur + width - 1) / unit)
        cur = align_up(cur, unit); /* it would straddle an aligned unit of its type */
    size_t unit_off = L->packed ? cur / 8 : cur / unit * (unit / 8);
    unsigned bit_off = (unsigned)(cur - unit_off * 8);
    if (L->packed && bit_off + width > unit) {
        sb__error_set(err, (size_t)-1, "bit-field '%.*s' of a packed struct straddles its storage unit: not supported",
                      (int)nlen, name ? name : "");
        return -1;
    }
    if (name) { /* unnamed bit-fields only take room (and, on x86-64, no alignment) */
        size_t a = L->packed ? 1 : ki->align;
        if (a > L->align)
            L->align = a;
        if (push_field(L, name, nlen, t, 0, unit_off, err) < 0)
            return -1;
        L->fields[L->nfields - 1].bit_offset = (uint8_t)bit_off;
        L->fields[L->nfields - 1].bit_width = (uint8_t)width;
    }
    if (L->is_union) {
        size_t bytes = (width + 7) / 8;
        if (bytes > L->size)
            L->size = bytes;
    } else {
        L->bitpos = cur + width;
        if ((L->bitpos + 7) / 8 > L->size)
            L->size = (L->bitpos + 7) / 8;
    }
    return 0;
}

int sb__layout_add(sb_layout *L, const char *name, size_t nlen, sb_type t, uint32_t count, sb_error *err)
{
    size_t esize, ealign;
    ffi_type *eff;
    if (t.ptr) {
        esize = sizeof(void *);
        ealign = _Alignof(void *);
        eff = &ffi_type_pointer;
    } else if (t.named && t.named->what == SB_NAMED_STRUCT) {
        sb_layout *sub = (sb_layout *)(uintptr_t)t.named->user;
        esize = sub->size;
        ealign = sub->align;
        eff = &sub->ffi;
        if (!sub->by_value_ok)
            L->by_value_ok = false;
    } else if (t.named) {
        sb__error_set(err, (size_t)-1, "member '%.*s': '%s' is only usable through a pointer", (int)nlen, name,
                      t.named->name);
        return -1;
    } else if (t.kind == SB_K_VOID || t.kind == SB_K_PYOBJECT) {
        sb__error_set(err, (size_t)-1, "member '%.*s' cannot have type %s", (int)nlen, name,
                      sb__kind((sb_kind)t.kind)->name);
        return -1;
    } else {
        const sb_kindinfo *ki = sb__kind((sb_kind)t.kind);
        esize = ki->size;
        ealign = ki->align;
        eff = ki->ffi;
    }
    if (count > (1u << 24)) {
        sb__error_set(err, (size_t)-1, "member '%.*s': array too large", (int)nlen, name);
        return -1;
    }
    size_t off = place(L, esize * (count ? count : 1), ealign);
    if (push_field(L, name, nlen, t, count, off, err) < 0)
        return -1;
    for (uint32_t i = 0; i < (count ? count : 1); i++)
        if (push_element(L, eff) < 0) {
            sb__error_set(err, (size_t)-1, "out of memory");
            return -1;
        }
    return 0;
}

int sb__layout_add_sub(sb_layout *L, sb_layout *sub, sb_error *err)
{
    sb_layout **v = realloc(L->subs, (L->nsubs + 1) * sizeof *v);
    if (!v) {
        sb__layout_free(sub);
        sb__error_set(err, (size_t)-1, "out of memory");
        return -1;
    }
    L->subs = v;
    L->subs[L->nsubs++] = sub;
    return 0;
}

int sb__layout_add_anon(sb_layout *L, sb_layout *sub, sb_error *err)
{
    /* An anonymous struct/union member: one element, its members promoted. */
    size_t off = place(L, sub->size, sub->align);
    if (!sub->by_value_ok)
        L->by_value_ok = false;
    for (uint16_t i = 0; i < sub->nfields; i++) {
        const sb_field *f = &sub->fields[i];
        if (push_field(L, f->name, strlen(f->name), f->type, f->count, off + f->offset, err) < 0)
            return -1;
        L->fields[L->nfields - 1].bit_offset = f->bit_offset;
        L->fields[L->nfields - 1].bit_width = f->bit_width;
    }
    if (push_element(L, &sub->ffi) < 0) {
        sb__error_set(err, (size_t)-1, "out of memory");
        return -1;
    }
    return 0;
}

int sb__layout_finish(sb_layout *L, sb_error *err)
{
    if (!L->nfields) {
        sb__error_set(err, (size_t)-1, "%s has no members", L->name);
        return -1;
    }
    if (!L->is_union && (L->bitpos + 7) / 8 > L->size)
        L->size = (L->bitpos + 7) / 8;
    L->size = align_up(L->size, L->align);
    if (L->packed)
        L->by_value_ok = false; /* libffi lays structs out aligned */
    L->ffi.size = 0; /* libffi computes size and alignment */
    L->ffi.alignment = 0;
    L->ffi.type = FFI_TYPE_STRUCT;
    L->ffi.elements = L->elements;
    if (L->by_value_ok) {
        /* Let libffi lay it out and check it agrees (it does for the C rules above). */
        ffi_cif cif;
        ffi_type *args[1] = {&L->ffi};
        if (ffi_prep_cif(&cif, FFI_DEFAULT_ABI, 1, &ffi_type_void, args) != FFI_OK || L->ffi.size != L->size ||
            L->ffi.alignment != L->align)
            L->by_value_ok = false;
    }
    return 0;
}

const sb_field *sb__layout_field(const sb_layout *L, const char *name, size_t len)
{
    for (uint16_t i = 0; i < L->nfields; i++)
        if (strlen(L->fields[i].name) == len && memcmp(L->fields[i].name, name, len) == 0)
            return &L->fields[i];
    return NULL;
}
