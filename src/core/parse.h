/* parse.h — what the parser files share (private to src/core): the arena, the parser state and its token reader, each file's entry points. */
#ifndef SB_PARSE_H
#define SB_PARSE_H

#include "core/internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Arena: one malloc for the usual signature, chained chunks beyond    */
/* (arena.c).                                                          */

typedef struct sb_arena sb_arena;

/* A new empty arena, or NULL (out of memory). */
SB_INTERNAL sb_arena *sb__arena_new(void);
/* Frees a and every signature it adopted. */
SB_INTERNAL void sb__arena_free(sb_arena *a);
SB_INTERNAL void *sb__arena_alloc(sb_arena *a, size_t n);
SB_INTERNAL char *sb__arena_strndup(sb_arena *a, const char *s, size_t n);
/* a frees kid with itself (the signature of a function pointer type inside
 * a's signature); false when out of memory (kid is then not adopted). */
SB_INTERNAL bool sb__arena_adopt(sb_arena *a, sb_sig *kid);

/* ------------------------------------------------------------------ */
/* Lexer (lexer.c): the parser state, tokens and the small helpers     */
/* every parser file uses by their short names.                        */

typedef enum tok_kind {
    T_END, T_IDENT, T_INT, T_FLOAT, T_STRING, T_CHAR, T_PUNCT, T_ELLIPSIS, T_BAD
} tok_kind;

typedef struct tok {
    tok_kind kind;
    size_t pos, len;   /* span in the text */
    char punct;        /* for T_PUNCT: the character; '=' '!' '<' '>' may be two-char ops */
    char punct2;       /* second char of a two-char operator, else 0 */
    bool packed;       /* compiler noise skipped just before this token said packed ... */
    uint32_t align;    /* ... or aligned(N) / _Alignas(N) (the largest N), else 0 */
    uint32_t vsize;    /* ... or vector_size(N), else 0 */
} tok;

typedef struct parser {
    const char *s;
    size_t n, pos;
    tok t;             /* current token */
    sb_arena *a;
    sb_error *err;
    bool failed;
    const sb_scope *scope; /* resolves names the table does not know; may be NULL */
    int depth;             /* function pointer types nest: their signatures are parsed recursively */
    /* Compiler noise the lexer skips as blanks (__attribute__((...)), __asm__("..."), __extension__,
     * __restrict, __inline, _Noreturn, _Alignas(N)): what of it matters. */
    bool acc_packed;       /* packed said since the consumer's mark (parse.h: mark_attrs) */
    uint32_t acc_align;    /* the largest aligned(N) since then */
    uint32_t acc_vsize;    /* vector_size(N) since then */
    size_t asm_pos, asm_len; /* the last __asm__("label") seen: the text inside its parentheses */
    const struct sb_param *prev; /* the parameters before the one being read (`int a[n]` may name them) */
    size_t nprev;
    uint32_t (*lens)[2];   /* the [[len(name)]] names of parameters: their spans (pos, len), in the arena */
    uint16_t nlens, caplens;
    uint32_t ret_len_pos, ret_len_len; /* [[len(name)]] after the function: name's span */
} parser;

#define PARSER_INIT(text_, len_, arena_, err_, scope_, depth_)                                                   \
    ((parser){.s = (text_), .n = (len_), .t = {.kind = T_END}, .a = (arena_), .err = (err_), .scope = (scope_),  \
              .depth = (depth_)})

/* From the current token on, collect what compiler noise says (it includes the
 * noise just before the current token). */
static inline void mark_attrs(parser *p)
{
    p->acc_packed = p->t.packed;
    p->acc_align = p->t.align;
    p->acc_vsize = p->t.vsize;
}

static inline bool is_ident_start(int c) { return isalpha(c) || c == '_'; }
static inline bool is_ident_char(int c) { return isalnum(c) || c == '_'; }

/* Reads the next token into p->t (lexer.c). */
SB_INTERNAL void sb__lex_next(parser *p);
/* Is the token after the current one the punctuator c? Reads nothing (`[` then `]`, `[` then `[`). */
SB_INTERNAL bool sb__lex_peek_punct(parser *p, char c);
static inline void next(parser *p) { sb__lex_next(p); }

static inline void fail(parser *p, size_t col, const char *fmt, ...) SB_PRINTF(3, 4);
static inline void fail(parser *p, size_t col, const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = true;
    if (p->err) {
        p->err->col = col;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->err->msg, sizeof p->err->msg, fmt, ap);
        va_end(ap);
    }
}

static inline bool tok_is(const parser *p, const char *word)
{
    size_t n = strlen(word);
    return p->t.kind == T_IDENT && p->t.len == n && memcmp(p->s + p->t.pos, word, n) == 0;
}

static inline bool punct_is(const parser *p, char c)
{
    return p->t.kind == T_PUNCT && p->t.punct == c && p->t.punct2 == 0;
}

/* What the current token is, for messages: "'foo'", "end of text". */
static inline const char *tok_desc(parser *p, char *buf, size_t cap)
{
    if (p->t.kind == T_END)
        return "end of text";
    unsigned char c = (unsigned char)p->s[p->t.pos];
    if (p->t.kind == T_PUNCT && (c == 0 || c >= 0x80)) { /* named, not copied into the message */
        snprintf(buf, cap, c ? "a non-ASCII byte (0x%02x)" : "a NUL character", c);
        return buf;
    }
    size_t n = p->t.len > 40 ? 40 : p->t.len;
    snprintf(buf, cap, "'%.*s'", (int)n, p->s + p->t.pos);
    return buf;
}

static inline void expected(parser *p, const char *what)
{
    char b[64];
    fail(p, p->t.pos, "expected %s, found %s", what, tok_desc(p, b, sizeof b));
}

/* Literals (lexer.c). */
/* The current T_CHAR token's one byte. */
SB_INTERNAL bool sb__char_literal(parser *p, unsigned char *out);
SB_INTERNAL bool sb__parse_int_text(parser *p, size_t pos, size_t len, uint64_t *mag);
SB_INTERNAL bool sb__parse_literal(parser *p, sb_literal *lit, size_t *span_start, size_t *span_end);
/* The current identifier, copied into the arena. */
SB_INTERNAL char *sb__ident_dup(parser *p);

/* ------------------------------------------------------------------ */
/* Type specifiers and pointers (spec.c)                               */

typedef struct spec {
    int nlong, nshort, nsigned, nunsigned, nint, nchar, nvoid, nbool, nfloat, ndouble;
    int ncomplex, nint128, nfloat128; /* _Complex, __int128, _Float128 */
    int named;            /* a typedef-like name (int8_t, size_t, PyObject, ...): its kind + 1 */
    const sb_named *nd;   /* a name the scope knows (a class, an opaque handle type) */
    bool cconst;
    bool any;
    size_t start;
} spec;

/* The base type of a declaration (its specifiers; where: " for the member"
 * etc., for the message when there is none). */
SB_INTERNAL bool sb__parse_base_type(parser *p, spec *sp, const char *where, sb_type *t);
/* The array length the specifiers' typedef carries (`uuid_t`: 16), else 0. */
static inline uint32_t spec_count(const spec *sp)
{
    return sp->nd && sp->nd->what == SB_NAMED_ALIAS ? sp->nd->count : 0;
}
/* The alignment the specifiers' typedef asks for (`__attribute__((aligned(16)))`, a vector), else 0. */
static inline uint32_t spec_align(const spec *sp)
{
    return sp->nd && sp->nd->what == SB_NAMED_ALIAS ? sp->nd->align : 0;
}
SB_INTERNAL bool sb__parse_pointers(parser *p, sb_type *t);

/* ------------------------------------------------------------------ */
/* Annotations (annot.c)                                               */

typedef struct annot_ctx {
    sb_sig *sig;      /* function annotations, or NULL */
    sb_param *param;  /* parameter annotations, or NULL */
} annot_ctx;

SB_INTERNAL bool sb__parse_annotations(parser *p, annot_ctx *ctx);
/* After the parameters: links each [[len(n)]] buffer to n (SB_PARAM_LENGTH, the
 * len indexes) and the result's [[len(n)]] to n (sig->ret_len); checks the types. */
SB_INTERNAL bool sb__resolve_lengths(parser *p, sb_sig *sig, sb_param *params, size_t n);

/* ------------------------------------------------------------------ */
/* Prototypes (proto.c)                                                */

/* `(*name)(params)` after a result type that began at ret_start; also `(**name)`,
 * `(*name[4])`: *stars gets the '*' count, *count the array length (0: none). */
typedef struct fpdecl {
    size_t name_pos, name_len; /* the declarator's name (len 0: none) */
    const char *spelling;      /* "RET (*)(PARAMS)", in the signature's arena */
    unsigned stars;
    uint64_t count;
} fpdecl;
SB_INTERNAL sb_sig *sb__parse_fp_declarator(parser *p, size_t ret_start, fpdecl *d);
/* At '(': a pointer to an array `(*name)[N]` (laid out and passed as a pointer to the
 * elements)? 1 (read; *t one '*' more per '*', the name's span set), 0 (nothing read), -1 (p failed). */
SB_INTERNAL int sb__parse_array_pointer(parser *p, sb_type *t, size_t *name_pos, size_t *name_len);
/* A function type's parameters at their '(' (its result type is [ret_start, ret_end)):
 * its signature "RET __fn(PARAMS)", *spelling "RET (*)(PARAMS)"; NULL when p failed. */
SB_INTERNAL sb_sig *sb__parse_fn_params(parser *p, size_t ret_start, size_t ret_end, const char **spelling);
/* Array lengths `[N][M]` at '[' (constant expressions): *count their product
 * (1..2^24); open: `[]` allowed as the first (then *count is 0). */
SB_INTERNAL bool sb__parse_dims(parser *p, size_t np, uint64_t *count, bool open);

/* ------------------------------------------------------------------ */
/* Constant expressions (constexpr.c)                                  */

typedef struct cparse {
    parser *p;
    const sb_constscope *cs;
    const sb_constdecl *local; /* this statement's constants so far (enumerators), or NULL */
    int depth;                 /* parentheses and unary operators open: at most SB_MAX_CEXPR_DEPTH */
} cparse;

/* The deepest nesting of a constant expression: the evaluator recurses once per
 * '(' or unary operator, so a bound keeps any thread's stack safe (a few KiB). */
#define SB_MAX_CEXPR_DEPTH 128

SB_INTERNAL bool sb__cexpr(cparse *c, int minprec, sb_cval *out);


static inline bool too_big(parser *p, size_t at)
{
    fail(p, at, "constant expression overflows 64-bit signed arithmetic");
    return false;
}

#endif
