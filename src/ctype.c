/* ctype.c — the C type table: size, alignment, libffi type, class and range of every scalar kind (plain C). */
#include "internal.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#define SB_X_ROW(id, spelling, ctype, ffit, cls)                             \
    {spelling, (uint8_t)sizeof(ctype), (uint8_t)_Alignof(ctype),             \
     (uint8_t)((SB_K_##id == SB_K_CHAR && CHAR_MIN == 0) ? SB_CLASS_UINT : (cls)), \
     &ffit, 0, 0},
static sb_kindinfo kinds[SB_K_COUNT] = {SB_KINDS(SB_X_ROW)};
#undef SB_X_ROW

/* Ranges follow from class and size; filled once (idempotent, no locking needed:
 * every thread writes the same values). */
static int ranges_ready;

static void fill_ranges(void)
{
    for (int k = 0; k < SB_K_COUNT; k++) {
        sb_kindinfo *ki = &kinds[k];
        unsigned bits = ki->size * 8u;
        if (ki->cls == SB_CLASS_SINT) {
            ki->max = bits >= 64 ? (uint64_t)INT64_MAX : ((uint64_t)1 << (bits - 1)) - 1;
            ki->min = bits >= 64 ? INT64_MIN : -(int64_t)((uint64_t)1 << (bits - 1));
        } else if (ki->cls == SB_CLASS_UINT) {
            ki->max = bits >= 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
            ki->min = 0;
        } else if (ki->cls == SB_CLASS_BOOL) {
            ki->max = 1;
        }
        /* Integer libffi types follow from size and signedness, so the
         * platform-sized kinds (long, size_t, char's sign...) are right everywhere. */
        if (ki->cls == SB_CLASS_SINT || ki->cls == SB_CLASS_UINT) {
            bool s = ki->cls == SB_CLASS_SINT;
            ki->ffi = bits == 8 ? (s ? &ffi_type_sint8 : &ffi_type_uint8)
                    : bits == 16 ? (s ? &ffi_type_sint16 : &ffi_type_uint16)
                    : bits == 32 ? (s ? &ffi_type_sint32 : &ffi_type_uint32)
                    : (s ? &ffi_type_sint64 : &ffi_type_uint64);
        }
    }
    ranges_ready = 1;
}

const sb_kindinfo *sb__kind(sb_kind k)
{
    if (SB_UNLIKELY(!ranges_ready))
        fill_ranges();
    return (unsigned)k < SB_K_COUNT ? &kinds[k] : &kinds[SB_K_VOID];
}

size_t sb__type_format(sb_type t, char *buf, size_t cap)
{
    if (!cap)
        return 0;
    const char *base = sb__kind((sb_kind)t.kind)->name;
    int n = snprintf(buf, cap, "%s%s%s%.*s", t.cconst ? "const " : "", base, t.ptr ? " " : "",
                     (int)t.ptr, "********");
    if (n < 0)
        n = 0;
    return (size_t)n < cap ? (size_t)n : cap - 1;
}

bool sb__type_is_cstring(sb_type t)
{
    return t.ptr == 1 && t.kind == SB_K_CHAR;
}

size_t sb__type_size(sb_type t)
{
    return t.ptr ? sizeof(void *) : sb__kind((sb_kind)t.kind)->size;
}

ffi_type *sb__type_ffi(sb_type t)
{
    return t.ptr ? &ffi_type_pointer : sb__kind((sb_kind)t.kind)->ffi;
}
