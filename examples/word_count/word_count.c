/* word_count.c — the PyO3 guide's word-count example in C: count a word in a file, sequentially and with pthreads, the GIL released. */
#define _GNU_SOURCE /* _SC_NPROCESSORS_ONLN */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sigbind.h>

/*
 * What is counted: the words of the file (maximal runs of non-whitespace) that
 * are byte-for-byte equal to `word`, i.e. exactly what Python computes with
 *
 *     with open(path, encoding="utf-8") as f:
 *         sum(line.split().count(word) for line in f)
 *
 * "Whitespace" is str.split()'s: the 29 characters for which str.isspace() is
 * true (the same on CPython 3.7 … 3.13), here in their UTF-8 encodings. Every
 * line break Python recognizes is one of them, so lines never matter for the
 * count; they only decide where the parallel version cuts the text.
 */

/* Byte classes: 0 part of a word, 1 an ASCII whitespace character, 2 the first
 * byte of a multi-byte UTF-8 sequence that may be whitespace (see space_len). */
static const unsigned char byte_class[256] = {
    ['\t'] = 1, ['\n'] = 1, ['\v'] = 1, ['\f'] = 1, ['\r'] = 1,
    [0x1c] = 1, [0x1d] = 1, [0x1e] = 1, [0x1f] = 1, [' '] = 1,
    [0xc2] = 2, [0xe1] = 2, [0xe2] = 2, [0xe3] = 2,
};

/* Length of the non-ASCII whitespace character at p (whose class is 2), or 0. */
static size_t space_len_multi(const unsigned char *p, const unsigned char *end)
{
    size_t left = (size_t)(end - p);
    if (p[0] == 0xc2) /* U+0085 NEL, U+00A0 NO-BREAK SPACE */
        return left >= 2 && (p[1] == 0x85 || p[1] == 0xa0) ? 2 : 0;
    if (left < 3)
        return 0;
    if (p[0] == 0xe1) /* U+1680 OGHAM SPACE MARK */
        return p[1] == 0x9a && p[2] == 0x80 ? 3 : 0;
    if (p[0] == 0xe3) /* U+3000 IDEOGRAPHIC SPACE */
        return p[1] == 0x80 && p[2] == 0x80 ? 3 : 0;
    /* 0xe2: U+2000…U+200A, U+2028, U+2029, U+202F, U+205F */
    if (p[1] == 0x80)
        return (p[2] >= 0x80 && p[2] <= 0x8a) || p[2] == 0xa8 || p[2] == 0xa9 || p[2] == 0xaf ? 3 : 0;
    if (p[1] == 0x81)
        return p[2] == 0x9f ? 3 : 0;
    return 0;
}

/* Length of the whitespace character at p (p < end), or 0. */
static inline size_t space_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = byte_class[*p];
    return c < 2 ? c : space_len_multi(p, end);
}

/* Does a whitespace character end just before q (begin < q)? A multi-byte one
 * ends in continuation bytes (0x80-0xbf) and starts with a lead byte, which is
 * never a continuation byte: it is recognized from its end as surely as from
 * its start. */
static bool space_before(const unsigned char *begin, const unsigned char *q)
{
    unsigned char b = q[-1];
    if (byte_class[b] == 1)
        return true;
    if (b < 0x80 || b > 0xbf)
        return false;
    if (q - begin >= 2 && q[-2] == 0xc2)
        return b == 0x85 || b == 0xa0;
    return q - begin >= 3 && byte_class[q[-3]] == 2 && space_len_multi(q - 3, q) == 3;
}

/* Can `word` be a word at all? str.split() never yields "" or a string holding whitespace. */
static bool is_word(const unsigned char *w, size_t wlen)
{
    if (wlen == 0)
        return false;
    for (size_t i = 0; i < wlen; i++)
        if (space_len(w + i, w + wlen))
            return false;
    return true;
}

/* The number of words in [begin, end) equal to w[0..wlen), a word (is_word).
 * begin and end must be word boundaries: the ends of the text, or just after
 * a '\n'. Rather than cutting the text into words, it finds the word's first
 * byte with memchr() and keeps the places where the rest of the word follows,
 * with whitespace (or an end of the text) right before and after: the same
 * count (whitespace sequences cannot overlap each other, and a match with a
 * whole one on each side is a whole word), about 4x faster than a loop over
 * every word on this benchmark's text. (memmem() is as fast, but under
 * AddressSanitizer each call checks the whole rest of the text: quadratic.) */
static int64_t count_words(const unsigned char *begin, const unsigned char *end, const unsigned char *w, size_t wlen)
{
    int64_t total = 0;
    const unsigned char *p = begin;
    while ((size_t)(end - p) >= wlen) {
        const unsigned char *hit = memchr(p, w[0], (size_t)(end - p) - wlen + 1);
        if (!hit)
            break;
        const unsigned char *after = hit + wlen;
        if ((hit == begin || space_before(begin, hit)) && memcmp(hit + 1, w + 1, wlen - 1) == 0 &&
            (after == end || space_len(after, end))) {
            total++;
            p = after;
        } else {
            p = hit + 1;
        }
    }
    return total;
}

/* Reads the whole file (regular file, pipe, /proc file alike) into a malloc'd
 * buffer. 0, or an errno value; ENOMEM means our own allocation failed. Needs
 * no GIL. */
static int read_file(const char *path, unsigned char **out, size_t *out_len)
{
    int fd;
    do
        fd = open(path, O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return errno;
    int err = 0;
    size_t cap = 1 << 16;
    /* The size of a regular file as a hint; lseek, not fstat, which a new glibc
     * only has as fstat@GLIBC_2.33 (the module stays manylinux2014: <= 2.17).
     * A pipe fails (ESPIPE), a /proc file says 0 and a directory may say
     * anything (ext4: LLONG_MAX): the default then, above 1 GiB too. */
    off_t end = lseek(fd, 0, SEEK_END);
    if (end > 0 && end < ((off_t)1 << 30))
        cap = (size_t)end + 1; /* +1: room for the read that sees end of file */
    if (end >= 0 && lseek(fd, 0, SEEK_SET) != 0) {
        err = errno;
        close(fd);
        return err;
    }
    unsigned char *buf = malloc(cap);
    size_t len = 0;
    if (!buf) {
        close(fd);
        return ENOMEM;
    }
    for (;;) {
        if (len == cap) {
            unsigned char *bigger = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
            if (!bigger) {
                err = ENOMEM;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            err = errno; /* EISDIR for a directory */
            break;
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    if (err) {
        free(buf);
        return err;
    }
    *out = buf;
    *out_len = len;
    return 0;
}

/* ------------------------------------------------------------------ parallel counting */

/* Upper bound on threads, whatever `threads` asks for (one stack each). */
#define MAX_THREADS 256

typedef struct chunk {
    const unsigned char *begin, *end;
    const unsigned char *word;
    size_t wlen;
    int64_t count;
    pthread_t thread;
    bool started;
} chunk;

static void *count_chunk(void *arg)
{
    chunk *c = arg;
    c->count = count_words(c->begin, c->end, c->word, c->wlen);
    return NULL;
}

/* Cuts [text, text+len) into at most `threads` chunks of whole lines, of about
 * equal size, and counts them in parallel: the calling thread takes the first
 * chunk. More threads than lines just gives fewer (non-empty) chunks; a thread
 * that cannot be created has its chunk counted by the caller. 0 or ENOMEM. */
static int count_parallel(const unsigned char *text, size_t len, const unsigned char *w, size_t wlen, int threads,
                          int64_t *total)
{
    size_t n = threads < 1 ? 1 : threads > MAX_THREADS ? MAX_THREADS : (size_t)threads;
    if (n > len)
        n = len ? len : 1;
    if (n == 1) {
        *total = count_words(text, text + len, w, wlen);
        return 0;
    }
    chunk *chunks = calloc(n, sizeof *chunks);
    if (!chunks)
        return ENOMEM;
    const unsigned char *end = text + len, *at = text;
    size_t used = 0;
    for (size_t i = 0; i < n && at < end; i++) {
        const unsigned char *cut = end;
        if (i + 1 < n) {
            /* The chunk ends after the first '\n' at or past the even split point. */
            const unsigned char *even = text + (len / n) * (i + 1);
            if (even < at)
                even = at;
            const unsigned char *nl = memchr(even, '\n', (size_t)(end - even));
            cut = nl ? nl + 1 : end;
        }
        chunks[used++] = (chunk){.begin = at, .end = cut, .word = w, .wlen = wlen};
        at = cut;
    }
    for (size_t i = 1; i < used; i++)
        chunks[i].started = pthread_create(&chunks[i].thread, NULL, count_chunk, &chunks[i]) == 0;
    count_chunk(&chunks[0]);
    int64_t sum = chunks[0].count;
    for (size_t i = 1; i < used; i++) {
        if (chunks[i].started)
            pthread_join(chunks[i].thread, NULL);
        else
            count_chunk(&chunks[i]);
        sum += chunks[i].count;
    }
    free(chunks);
    *total = sum;
    return 0;
}

/* ------------------------------------------------------------------ the functions */

/* One search: inputs, and what the GIL-free part found. */
typedef struct job {
    const char *path;
    const char *word;
    size_t wlen;
    int threads; /* <= 1: in the calling thread */
    int err;     /* errno value of a failed read, ENOMEM if out of memory */
    int64_t count;
} job;

/* Runs without the GIL (through sb_allow_threads): touches no Python object,
 * raises nothing; it only records. path and word point into immutable str or
 * bytes objects the call keeps alive, so reading them here is safe. */
static void run_job(void *arg)
{
    job *j = arg;
    unsigned char *text = NULL;
    size_t len = 0;
    j->err = read_file(j->path, &text, &len);
    if (j->err)
        return;
    const unsigned char *w = (const unsigned char *)j->word;
    if (!is_word(w, j->wlen)) /* "" or a word holding whitespace: 0, like Python */
        j->count = 0;
    else if (j->threads > 1)
        j->err = count_parallel(text, len, w, j->wlen, j->threads, &j->count);
    else
        j->count = count_words(text, text + len, w, j->wlen);
    free(text);
}

/* Checks the arguments and runs the job with the GIL released; raises, with
 * the GIL held again, if it failed. */
static int64_t search_with(const char *fn, const char *path, const char *word, int threads)
{
    if (!path || !word)
        return sb_raise("TypeError", "%s() argument '%s' must be str or bytes, not None", fn,
                        path ? "word" : "path");
    job j = {.path = path, .word = word, .wlen = strlen(word), .threads = threads};
    sb_allow_threads(run_job, &j);
    if (j.err == ENOMEM)
        return sb_raise("MemoryError", "%s(): out of memory reading %s", fn, path);
    if (j.err) {
        errno = j.err;
        return sb_raise_errno(path); /* FileNotFoundError: [Errno 2] No such file or directory: 'path' */
    }
    return j.count;
}

/* Counts `word` in the file at `path` in the calling thread (GIL released). */
static int64_t search_sequential(const char *path, const char *word)
{
    return search_with("search_sequential", path, word, 0);
}

/* The same, over `threads` chunks of lines counted by pthreads (GIL released);
 * threads = 0: one per online CPU. */
static int64_t search(const char *path, const char *word, int threads)
{
    if (threads < 0)
        return sb_raise("ValueError", "search(): threads must be >= 0 (0: one per CPU), not %d", threads);
    if (threads == 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        threads = cpus < 1 ? 1 : cpus > MAX_THREADS ? MAX_THREADS : (int)cpus;
    }
    return search_with("search", path, word, threads);
}

/* No [[nogil]]: both functions raise (FileNotFoundError with the path), which
 * needs the GIL, so they release it themselves with sb_allow_threads around
 * the reading and counting only (see README.md). */
static const sb_function_def functions[] = {
    SB_FUNCTION(search_sequential, "int64_t search_sequential(const char *path, const char *word)",
                "Counts the whitespace-separated words equal to `word` in the file at `path`, in one thread, "
                "with the GIL released. Same result as sum(line.split().count(word) for line in "
                "open(path, encoding='utf-8'))."),
    SB_FUNCTION(search, "int64_t search(const char *path, const char *word, int threads = 0)",
                "Like search_sequential, with the text cut into chunks of lines counted by `threads` "
                "pthreads (0: one per online CPU), with the GIL released."),
    SB_END,
};

SB_MODULE(word_count, .doc = "The PyO3 guide's word count, in C: search a file for a word, sequentially or in "
                             "parallel with the GIL released.",
          .functions = functions);
