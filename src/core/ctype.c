/* ctype.c — the C type table: size, alignment, libffi type, class and range of every scalar kind (plain C). */
#include "core/internal.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

static ffi_type *int128_elements[] = {&ffi_type_uint64, &ffi_type_uint64, NULL};
ffi_type sb__ffi_int128 = {16, 16, FFI_TYPE_STRUCT, int128_elements};

/* Constant data: safe to read from any thread and any interpreter. */
#define SB_X_ROW(id, spelling, ctype, ffit, cls, lo, hi)                                     \
    {spelling, (uint8_t)sizeof(ctype), (uint8_t)_Alignof(ctype), (uint8_t)(cls), &ffit, (int64_t)(lo), \
     (uint64_t)(hi)},
static const sb_kindinfo kinds[SB_K_COUNT] = {SB_KINDS(SB_X_ROW)};
#undef SB_X_ROW

const sb_kindinfo *sb__kind(sb_kind k)
{
    return (unsigned)k < SB_K_COUNT ? &kinds[k] : &kinds[SB_K_VOID];
}

size_t sb__type_format(sb_type t, char *buf, size_t cap)
{
    if (!cap)
        return 0;
    if (t.named && t.named->what == SB_NAMED_FUNC) { /* its spelling "int (*)(int)" has one '*': t.ptr of them */
        const char *sp = t.named->name, *star = strstr(sp, "(*)");
        int n = star ? snprintf(buf, cap, "%.*s(%.*s)%s", (int)(star - sp), sp, (int)(t.ptr < 8 ? t.ptr : 8),
                                "********", star + 3)
                     : snprintf(buf, cap, "%s", sp);
        return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
    }
    const char *base = t.named ? t.named->name : sb__kind((sb_kind)t.kind)->name;
    int n = snprintf(buf, cap, "%s%s%s%.*s", t.cconst ? "const " : "", base, t.ptr ? " " : "",
                     (int)t.ptr, "********");
    if (n < 0)
        n = 0;
    return (size_t)n < cap ? (size_t)n : cap - 1;
}

bool sb__type_is_cstring(sb_type t)
{
    return t.ptr == 1 && t.kind == SB_K_CHAR && !t.named;
}

size_t sb__type_size(sb_type t)
{
    if (!t.ptr && t.named && t.named->what == SB_NAMED_STRUCT)
        return ((const sb_layout *)t.named->user)->size;
    return t.ptr ? sizeof(void *) : sb__kind((sb_kind)t.kind)->size;
}

size_t sb__type_align(sb_type t)
{
    if (!t.ptr && t.named && t.named->what == SB_NAMED_STRUCT)
        return ((const sb_layout *)t.named->user)->align;
    return t.ptr ? _Alignof(void *) : sb__kind((sb_kind)t.kind)->align;
}

ffi_type *sb__type_ffi(sb_type t)
{
    if (!t.ptr && t.named && t.named->what == SB_NAMED_STRUCT)
        return &((sb_layout *)(uintptr_t)t.named->user)->ffi;
    return t.ptr ? &ffi_type_pointer : sb__kind((sb_kind)t.kind)->ffi;
}
