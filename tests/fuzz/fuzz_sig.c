/* fuzz_sig.c — libFuzzer target of every entry point of the plain-C core: prototypes, lone, array and function types, declarations, constants, layouts, plans (variadic ones too). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* True when s is valid UTF-8 as CPython decodes it (no surrogates, no overlongs). */
static int valid_utf8(const unsigned char *s)
{
    while (*s) {
        unsigned c = *s;
        size_t len;
        uint32_t cp;
        if (c < 0x80) {
            s++;
            continue;
        }
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
        for (size_t i = 1; i < len; i++) {
            if ((s[i] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i] & 0x3Fu);
        }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
            return 0;
        s += len;
    }
    return 1;
}

static const sb_named fuzz_class = {.what = SB_NAMED_CLASS, .name = "Rect"};
static const sb_named fuzz_opaque = {.what = SB_NAMED_OPAQUE, .name = "db"};
static const sb_named fuzz_alias = {.what = SB_NAMED_ALIAS, .name = "dbp", .alias = {SB_K_VOID, 1, 0, &fuzz_opaque}};

static const sb_named *fuzz_lookup(const sb_scope *scope, const char *name, size_t len, int tag)
{
    (void)scope, (void)tag;
    if (len == 4 && !memcmp(name, "Rect", 4))
        return &fuzz_class;
    if (len == 2 && !memcmp(name, "db", 2))
        return &fuzz_opaque;
    if (len == 3 && !memcmp(name, "dbp", 3))
        return &fuzz_alias;
    return NULL;
}

static const sb_scope fuzz_scope = {.lookup = fuzz_lookup};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size heap copy: any read past the end is caught by ASan. */
    char *text = malloc(size ? size : 1);
    if (!text)
        return 0;
    memcpy(text, data, size);

    sb_error err;
    sb_sig *sig = sb__sig_parse(text, size, &err);
    if (sig) {
        /* The normalized text must itself parse. */
        sb_error e2;
        sb_sig *again = sb__sig_parse(sig->text, strlen(sig->text), &e2);
        if (!again || strcmp(again->text, sig->text) != 0)
            abort();
        sb__sig_free(again);
        sb_plan *plan = sb__plan_new(sig, &err); /* takes sig */
        if (plan) {
            /* __text_signature__ reaches Python through ml_doc: it must decode. */
            size_t tsn;
            const char *ts = plan->doc ? sb__plan_text_signature(plan, &tsn) : NULL;
            char *tsz = ts ? sb__strndup(ts, tsn) : NULL;
            if (!tsz || tsn < 2 || ts[0] != '(' || ts[tsn - 1] != ')' || !valid_utf8((const unsigned char *)tsz))
                abort();
            free(tsz);
            sb__plan_free(plan);
        } else if (!err.msg[0]) {
            abort();
        }
    } else if (!err.msg[0] || err.col > size) {
        abort();
    }
    sig = sb__sig_parse(text, size, NULL); /* without an error struct */
    sb__sig_free(sig);

    size_t pos = 0, start, end, guard = 0;
    while (sb__decl_next(text, size, &pos, &start, &end)) {
        if (start > end || end > size || pos > size || ++guard > size + 1)
            abort();
        sb_sig *s = sb__sig_parse(text + start, end - start, &err);
        sb__sig_free(s);
    }

    /* typedef statements, and signatures through a scope that knows a few names. */
    sb_typedef td;
    if (sb__typedef_parse(text, size, &fuzz_scope, &td, &err) == 0) {
        if (!td.name || !td.name[0])
            abort();
    } else if (!err.msg[0]) {
        abort();
    }
    (void)sb__is_typedef(text, size);
    if (td.fsig)
        sb__sig_free(td.fsig);
    if (td.layout)
        sb__layout_free(td.layout);
    for (size_t i = 0; i < td.nmore; i++)
        if (!td.more[i].name[0])
            abort();
    sb__typedef_clear(&td);
    /* Forward declarations and #pragma pack. */
    char *tag = NULL;
    bool is_union;
    if (sb__struct_forward(text, size, &tag, &is_union) && !tag[0])
        abort();
    free(tag);
    sb_span spans[4];
    size_t se = 0, nd = sb__declarators(text, size, &fuzz_scope, &se, spans, 4);
    for (size_t i = 0; i < nd; i++)
        if (se > size || spans[i].start > spans[i].end || spans[i].end > size)
            abort();
    sb_pack pk = {0, 0, {0}};
    if (sb__pragma(text, size, &pk, &err) < 0 && !err.msg[0])
        abort();
    if (pk.n > SB_PACK_DEPTH || pk.cur > 256)
        abort();
    sb_layout *layout = NULL;
    if (sb__struct_parse(text, size, &fuzz_scope, &layout, &err) == 0) {
        if (!layout || !layout->nfields || layout->size < layout->fields[layout->nfields - 1].offset)
            abort();
        sb__layout_free(layout);
    } else if (!err.msg[0]) {
        abort();
    }
    (void)sb__is_struct_def(text, size);
    /* Constant statements (enum, const, #define) and their expressions. */
    sb_constdecl cd;
    if (sb__constdecl_parse(text, size, &fuzz_scope, NULL, &cd, &err) == 0)
        sb__constdecl_free(&cd);
    else if (!err.msg[0])
        abort();
    sb_sig *scoped = sb__sig_parse_in(text, size, &fuzz_scope, &err);
    if (scoped) {
        sb_plan *plan = sb__plan_new(scoped, &err);
        if (plan && (plan->sig->flags & SB_SIG_VARIADIC)) {
            /* one call with extra arguments: the types the input's bytes pick */
            static const sb_kind kinds[] = {SB_K_INT, SB_K_DOUBLE, SB_K_LLONG, SB_K_CHAR};
            sb_type extra[4];
            uint16_t n = (uint16_t)(size % 5);
            for (uint16_t i = 0; i < n; i++) {
                sb_type x = {(uint8_t)kinds[(unsigned char)text[i] % 4], (uint8_t)((unsigned char)text[i] / 4 % 2), 0,
                             NULL};
                extra[i] = sb__type_promoted(x);
                (void)sb__type_conv(extra[i]);
            }
            sb_plan *call = sb__plan_variadic(plan, extra, n, &err);
            if (!call && !err.msg[0])
                abort();
            sb__plan_free(call);
        }
        sb__plan_free(plan);
    }
    /* Function types ('int (*)(int)' or 'int (int)'): equal to themselves. */
    sb_sig *ft = sb__functype_parse(text, size, &fuzz_scope, &err);
    if (ft) {
        if (!sb__functype_equal(ft, ft))
            abort();
        sb__sig_free(ft);
    } else if (!err.msg[0]) {
        abort();
    }
    /* Array types ('int[4]', 'char[]', a lone type) as sigbind.new takes them. */
    sb_type elem;
    int64_t count;
    if (sb__array_type_parse(text, size, &fuzz_scope, &elem, &count, &err) == 0) {
        if (count < SB_ARRAY_OPEN)
            abort();
    } else if (!err.msg[0]) {
        abort();
    }
    if (sb__type_parse_in(text, size, &fuzz_scope, &elem, &err) < 0 && !err.msg[0])
        abort();

    sb_type t;
    if (sb__type_parse(text, size, &t, &err) == 0) {
        char buf[64];
        sb__type_format(t, buf, sizeof buf);
        (void)sb__type_is_cstring(t);
        (void)sb__type_size(t);
        (void)sb__type_ffi(t);
    } else if (!err.msg[0]) {
        abort();
    }
    free(text);
    return 0;
}
