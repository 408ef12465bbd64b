/* layout.c — struct and union layouts as the C compiler makes them (offsets, size, alignment) and their libffi types (plain C). */
#include "core/internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dupstr(const char *s) { return sb__strndup(s, strlen(s)); }

sb_layout *sb__layout_new(bool is_union, const char *name)
{
    sb_layout *L = calloc(1, sizeof *L);
    if (!L)
        return NULL;
    L->is_union = is_union;
    L->align = 1;
    L->by_value_ok = true; /* a union: until sb__layout_finish classifies it (union_elements) */
    L->bv_why = SB_BV_OK;
    if (!(L->name = dupstr(name))) {
        free(L);
        return NULL;
    }
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
    while (L->functypes) {
        sb_layout_fn *f = L->functypes;
        L->functypes = f->next;
        sb__sig_free(f->sig);
        free(f);
    }
    free(L->subs);
    free(L->fields);
    free(L->elements);
    free(L->name);
    free(L);
}

int sb__layout_rename(sb_layout *L, const char *name)
{
    char *n = dupstr(name);
    if (!n)
        return -1;
    free(L->name);
    L->name = n;
    L->named.name = n;
    return 0;
}

static size_t align_up(size_t n, size_t a)
{
    return (n + a - 1) / a * a;
}

/* L cannot be passed by value, for this reason (the first one found is kept). */
static void no_by_value(sb_layout *L, uint8_t why)
{
    if (L->by_value_ok || !L->bv_why)
        L->bv_why = why;
    L->by_value_ok = false;
}

const char *sb__layout_byvalue_why(const sb_layout *L)
{
    switch (L->by_value_ok ? SB_BV_OK : L->bv_why) {
    case SB_BV_OK: return NULL;
    case SB_BV_UNION: return "a union is passed by value only on x86-64 and without long double, complex or 128-bit members";
    case SB_BV_BITS: return "libffi cannot pass bit-fields by value";
    case SB_BV_PACKED: return "libffi cannot pass packed structs by value";
    case SB_BV_LARGE: return "larger than 64 KiB: too large to pass by value";
    default: return "libffi lays it out differently";
    }
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
    L->fields[L->nfields] = (sb_field){nm, t, offset, count, 0, 0, L->is_union && L->nfields > 0, 0};
    L->nfields++;
    return 0;
}

/* The layout would grow beyond SB_MAX_OBJECT_SIZE with member `name`. */
static int too_large(const sb_layout *L, const char *name, size_t nlen, sb_error *err)
{
    sb__error_set(err, (size_t)-1, "%s is too large: member '%.*s' would end beyond %zu bytes", L->name,
                  (int)nlen, name ? name : "", (size_t)SB_MAX_OBJECT_SIZE);
    return -1;
}

/* Places a member of size `size` and alignment `align` at *off. False when the
 * layout would grow beyond SB_MAX_OBJECT_SIZE (nothing changed then). */
/* The alignment of a member whose type wants `align` in L (packed, #pragma pack). */
static size_t member_align(const sb_layout *L, size_t align)
{
    if (L->packed)
        return 1;
    return L->pack && align > L->pack ? L->pack : align;
}

static bool place(sb_layout *L, size_t size, size_t align, size_t *off)
{
    if (size > SB_MAX_OBJECT_SIZE)
        return false;
    if (L->is_union) {
        *off = 0;
    } else {
        size_t used = (L->bitpos + 7) / 8 > L->size ? (L->bitpos + 7) / 8 : L->size; /* both <= the maximum */
        *off = align_up(used, align);
        if (*off > SB_MAX_OBJECT_SIZE - size)
            return false;
    }
    if (align > L->align)
        L->align = align;
    if (L->is_union) {
        if (size > L->size)
            L->size = size;
    } else {
        L->size = *off + size;
        L->bitpos = L->size * 8;
    }
    if (L->size > SB_MAX_BYVALUE)
        no_by_value(L, SB_BV_LARGE);
    return true;
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
        if (!L->is_union) /* the next unit of its type, packed or not (as GCC does) */
            L->bitpos = align_up(L->bitpos, unit);
        if ((L->bitpos + 7) / 8 > SB_MAX_OBJECT_SIZE)
            return too_large(L, "", 0, err);
        return 0;
    }
    no_by_value(L, SB_BV_BITS); /* libffi has no bit-fields */
    size_t cur = L->is_union ? 0 : L->bitpos;
    if (!L->packed && cur / unit != (cur + width - 1) / unit)
        cur = align_up(cur, unit); /* it would straddle an aligned unit of its type */
    size_t unit_off = L->packed ? cur / 8 : cur / unit * (unit / 8);
    unsigned bit_off = (unsigned)(cur - unit_off * 8);
    if (bit_off + width > 64) { /* only a packed one, 58 bits or more, not starting at a byte */
        sb__error_set(err, (size_t)-1, "bit-field '%.*s' of a packed struct spans 9 bytes: not supported", (int)nlen,
                      name ? name : "");
        return -1;
    }
    if ((cur + width + 7) / 8 > SB_MAX_OBJECT_SIZE)
        return too_large(L, name, nlen, err);
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
    return sb__layout_add_ex(L, name, nlen, t, count, 0, false, err);
}

int sb__layout_add_ex(sb_layout *L, const char *name, size_t nlen, sb_type t, uint32_t count, uint32_t align,
                      bool mpacked, sb_error *err)
{
    if (L->nfields && L->fields[L->nfields - 1].flex == 1) {
        sb__error_set(err, (size_t)-1, "flexible array member '%s' must be the last member",
                      L->fields[L->nfields - 1].name);
        return -1;
    }
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
            no_by_value(L, sub->bv_why);
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
        if (t.kind == SB_K_FLOAT128 || t.kind == SB_K_INT128 || t.kind == SB_K_UINT128 || (!SB_HAVE_FFI_COMPLEX && (t.kind == SB_K_CFLOAT || t.kind == SB_K_CDOUBLE)))
            no_by_value(L, SB_BV_LIBFFI); /* libffi has no type for it */
    }
    if (count > (1u << 24)) {
        sb__error_set(err, (size_t)-1, "member '%.*s': array too large", (int)nlen, name);
        return -1;
    }
    size_t n = count ? count : 1, off;
    ealign = mpacked ? 1 : member_align(L, ealign);
    if (align > ealign)
        ealign = align;
    if (esize > SB_MAX_OBJECT_SIZE / n || !place(L, esize * n, ealign, &off))
        return too_large(L, name, nlen, err);
    if (push_field(L, name, nlen, t, count, off, err) < 0)
        return -1;
    for (size_t i = 0; i < n && L->by_value_ok; i++) /* libffi's elements: only while it may pass L */
        if (push_element(L, eff) < 0) {
            sb__error_set(err, (size_t)-1, "out of memory");
            return -1;
        }
    return 0;
}

int sb__layout_add_flex(sb_layout *L, const char *name, size_t nlen, sb_type t, bool zero, sb_error *err)
{
    if (L->is_union || !L->nfields) {
        sb__error_set(err, (size_t)-1, "flexible array member '%.*s' %s", (int)nlen, name,
                      L->is_union ? "in a union" : "needs a member before it");
        return -1;
    }
    if (sb__layout_add_ex(L, name, nlen, t, 1, 0, false, err) < 0) /* placed and checked as one element */
        return -1;
    sb_field *f = &L->fields[L->nfields - 1];
    f->count = 0;
    f->flex = zero ? 2 : 1;
    L->size = f->offset; /* it takes no room: the struct ends where it starts (before tail padding) */
    L->bitpos = L->size * 8;
    if (L->nelements) { /* libffi: not one of the struct's elements */
        L->nelements--;
        L->elements[L->nelements] = NULL;
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

int sb__layout_functype(sb_layout *L, struct sb_sig *fsig, const char *spelling, sb_type *t, sb_error *err)
{
    sb_layout_fn *f = calloc(1, sizeof *f);
    if (!f) {
        sb__sig_free(fsig);
        sb__error_set(err, (size_t)-1, "out of memory");
        return -1;
    }
    f->sig = fsig;
    f->named.what = SB_NAMED_FUNC;
    f->named.name = spelling;
    f->named.user = fsig;
    f->next = L->functypes;
    L->functypes = f;
    *t = (sb_type){SB_K_VOID, 1, 0, &f->named};
    return 0;
}

int sb__layout_add_anon(sb_layout *L, sb_layout *sub, sb_error *err)
{
    /* An anonymous struct/union member: one element, its members promoted. */
    size_t off;
    if (!place(L, sub->size, member_align(L, sub->align), &off))
        return too_large(L, sub->name, strlen(sub->name), err);
    if (!sub->by_value_ok)
        no_by_value(L, sub->bv_why);
    bool later = L->is_union && L->nfields > 0; /* not the union's first member: none of it is positional */
    for (uint16_t i = 0; i < sub->nfields; i++) {
        const sb_field *f = &sub->fields[i];
        if (push_field(L, f->name, strlen(f->name), f->type, f->count, off + f->offset, err) < 0)
            return -1;
        L->fields[L->nfields - 1].bit_offset = f->bit_offset;
        L->fields[L->nfields - 1].bit_width = f->bit_width;
        L->fields[L->nfields - 1].inert = f->inert || later;
    }
    if (L->by_value_ok && push_element(L, &sub->ffi) < 0) {
        sb__error_set(err, (size_t)-1, "out of memory");
        return -1;
    }
    return 0;
}

#if defined(__x86_64__) && !defined(_WIN32)
/* Marks the bytes [base, base + size of L) that L's members occupy in cls (one
 * per byte: 1 integer, 2 float/double); false for a member the SysV rules below
 * do not cover (long double, complex, 128-bit kinds). */
static bool byte_classes(const sb_layout *L, size_t base, uint8_t *cls, int depth)
{
    if (depth > 16)
        return false;
    for (uint16_t i = 0; i < L->nfields; i++) {
        const sb_field *f = &L->fields[i];
        size_t n = f->count ? f->count : 1, esize, at = base + f->offset;
        uint8_t c = 1;
        if (f->flex)
            continue; /* no room of its own */
        if (!f->type.ptr && f->type.named) {
            const sb_layout *sub = f->type.named->user;
            for (size_t k = 0; k < n; k++)
                if (!byte_classes(sub, at + k * sub->size, cls, depth + 1))
                    return false;
            continue;
        }
        if (f->type.ptr) {
            esize = sizeof(void *);
        } else {
            const sb_kindinfo *ki = sb__kind((sb_kind)f->type.kind);
            if (ki->cls == SB_CLASS_WIDE || f->type.kind == SB_K_LDOUBLE)
                return false;
            esize = ki->size;
            c = ki->cls == SB_CLASS_FLOAT ? 2 : 1;
        }
        if (f->bit_width)
            n = 1;
        for (size_t b = at; b < at + n * esize && b < 16; b++)
            cls[b] |= c;
    }
    return true;
}

/* libffi has no union type: a union of at most 16 bytes is given elements of
 * its alignment that classify its eightbytes as the SysV ABI classifies the
 * union's (SSE only when every member byte there is float/double, else
 * INTEGER); a larger one goes in memory, so any elements of its size and
 * alignment do. false: not passable this way. */
static bool union_elements(sb_layout *L)
{
    static ffi_type *ints[9] = {NULL, &ffi_type_uint8, &ffi_type_uint16, NULL, &ffi_type_uint32,
                                NULL, NULL, NULL, &ffi_type_uint64};
    size_t a = L->align;
    if (a > 8 || !ints[a])
        return false;
    uint8_t cls[16] = {0};
    if (L->size <= 16 && !byte_classes(L, 0, cls, 0))
        return false;
    L->nelements = 0;
    for (size_t off = 0; off < L->size; off += a) {
        uint8_t c = 0;
        for (size_t b = off / 8 * 8; L->size <= 16 && b < off / 8 * 8 + 8 && b < L->size; b++)
            c |= cls[b];
        ffi_type *e = ints[a];
        if (c == 2 && a == 8)
            e = &ffi_type_double;
        else if (c == 2 && a == 4)
            e = &ffi_type_float;
        if (push_element(L, e) < 0)
            return false;
    }
    return true;
}
#else
static bool union_elements(sb_layout *L)
{
    (void)L;
    return false;
}
#endif

int sb__layout_finish(sb_layout *L, sb_error *err)
{
    if (!L->nfields) {
        sb__error_set(err, (size_t)-1, "%s has no members", L->name);
        return -1;
    }
    if (!L->is_union && (L->bitpos + 7) / 8 > L->size)
        L->size = (L->bitpos + 7) / 8;
    L->size = align_up(L->size, L->align); /* at most SB_MAX_OBJECT_SIZE + 7: no wrap */
    if (L->size > SB_MAX_OBJECT_SIZE) {
        sb__error_set(err, (size_t)-1, "%s is too large (more than %zu bytes)", L->name, (size_t)SB_MAX_OBJECT_SIZE);
        return -1;
    }
    if (L->size > SB_MAX_BYVALUE)
        no_by_value(L, SB_BV_LARGE);
    if (L->packed)
        no_by_value(L, SB_BV_PACKED); /* libffi lays structs out aligned */
    L->ffi.size = 0; /* libffi computes size and alignment */
    L->ffi.alignment = 0;
    L->ffi.type = FFI_TYPE_STRUCT;
    if (L->is_union && L->by_value_ok && !union_elements(L))
        no_by_value(L, SB_BV_UNION);
    L->ffi.elements = L->elements;
    if (L->by_value_ok) {
        /* Let libffi lay it out and check it agrees (it does for the C rules above). */
        ffi_cif cif;
        ffi_type *args[1] = {&L->ffi};
        if (ffi_prep_cif(&cif, FFI_DEFAULT_ABI, 1, &ffi_type_void, args) != FFI_OK || L->ffi.size != L->size ||
            L->ffi.alignment != L->align)
            no_by_value(L, SB_BV_LIBFFI);
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
