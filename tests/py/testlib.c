/* testlib.c — a small C library the Python tests bind: one function per conversion, contract and ownership rule. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#define API __attribute__((visibility("default")))

/* Integers: each returns its argument, so range and sign survive both ways. */
API signed char t_schar(signed char x) { return x; }
API unsigned char t_uchar(unsigned char x) { return x; }
API char t_char(char x) { return x; }
API short t_short(short x) { return x; }
API unsigned short t_ushort(unsigned short x) { return x; }
API int t_int(int x) { return x; }
API unsigned int t_uint(unsigned int x) { return x; }
API long t_long(long x) { return x; }
API unsigned long t_ulong(unsigned long x) { return x; }
API long long t_llong(long long x) { return x; }
API unsigned long long t_ullong(unsigned long long x) { return x; }
API int8_t t_i8(int8_t x) { return x; }
API uint8_t t_u8(uint8_t x) { return x; }
API int16_t t_i16(int16_t x) { return x; }
API uint16_t t_u16(uint16_t x) { return x; }
API int32_t t_i32(int32_t x) { return x; }
API uint32_t t_u32(uint32_t x) { return x; }
API int64_t t_i64(int64_t x) { return x; }
API uint64_t t_u64(uint64_t x) { return x; }
API size_t t_size(size_t x) { return x; }
API ssize_t t_ssize(ssize_t x) { return x; }
API intptr_t t_intptr(intptr_t x) { return x; }
API uintptr_t t_uintptr(uintptr_t x) { return x; }
API ptrdiff_t t_ptrdiff(ptrdiff_t x) { return x; }
API bool t_bool(bool x) { return x; }
API bool t_not(bool x) { return !x; }
API float t_float(float x) { return x; }
API double t_double(double x) { return x; }

/* Mixed shapes: more than the registers hold, mixed classes, small types. */
API int64_t t_sum8(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f, int64_t g, int64_t h)
{
    return a + b * 2 + c * 3 + d * 4 + e * 5 + f * 6 + g * 7 + h * 8;
}
API double t_mix(int8_t a, double b, uint16_t c, float d, int64_t e, double f)
{
    return a + b + c + d + e + f;
}
API double t_sumd10(double a, double b, double c, double d, double e, double f, double g, double h, double i,
                    double j)
{
    return a + b * 2 + c * 3 + d * 4 + e * 5 + f * 6 + g * 7 + h * 8 + i * 9 + j * 10;
}
API int t_many(int a0, int a1, int a2, int a3, int a4, int a5, int a6, int a7, int a8, int a9, int a10, int a11)
{
    return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
}
API float t_fadd(float a, float b) { return a + b; }
/* Scalar plans the kernels unroll (kernels.c): small integers and a float; six weighted doubles. */
API double t_u8f(uint8_t a, float b) { return a + (double)b; }
API double t_scal4(int8_t a, uint64_t b, uint16_t c, float d) { return (double)a + (double)b + c + (double)d; }
API double t_sumd6(double a, double b, double c, double d, double e, double f)
{
    return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f;
}

/* Text. */
API size_t t_strlen(const char *s) { return s ? strlen(s) : (size_t)-1; }
API const char *t_hello(void) { return "hello, world"; }
API const char *t_null_str(void) { return NULL; }
API char *t_dup(const char *s)
{
    char *r = malloc(strlen(s) + 1);
    strcpy(r, s);
    return r;
}
static int frees;
API void t_my_free(void *p)
{
    frees++;
    free(p);
}
API int t_free_count(void) { return frees; }
API char *t_concat(const char *a, const char *b)
{
    char *r = malloc(strlen(a) + strlen(b) + 1);
    strcpy(r, a);
    strcat(r, b);
    return r;
}
API int t_is_null(const void *p) { return p == NULL; }

/* Pointers and buffers. */
API void *t_addr(void *p) { return p; }
API int t_sum_bytes(const unsigned char *p, size_t n)
{
    int s = 0;
    for (size_t i = 0; i < n; i++)
        s += p[i];
    return s;
}
API void t_fill(unsigned char *p, size_t n, int v) { memset(p, v, n); }
/* typed memory (test_memory.py) */
API void t_iota(int *p, size_t n, int start) { for (size_t i = 0; i < n; i++) p[i] = start + (int)i; }
API long long t_sum_ints(const int *p, size_t n) { long long s = 0; for (size_t i = 0; i < n; i++) s += p[i]; return s; }
API double t_sum_doubles(const double *p, size_t n) { double s = 0; for (size_t i = 0; i < n; i++) s += p[i]; return s; }
static const char *names_[] = {"alpha", "beta", "gamma", NULL};
API const char **t_names(void) { return names_; }
static int counter_value = 41;
API int *t_counter(void) { return &counter_value; }
API int t_deref(const int *p) { return *p; }
API void *t_alloc(size_t n) { return calloc(1, n ? n : 1); }

/* Out and inout parameters. */
API void t_divmod(int a, int b, int *q, int *r)
{
    *q = a / b;
    *r = a % b;
}
API int t_split(double x, double *ipart) /* returns sign, ipart out */
{
    *ipart = (double)(long long)x;
    return x < 0 ? -1 : 1;
}
API void t_incr(int *x) { *x += 1; }
API void t_get_str(const char **out) { *out = "from out"; }

/* Error contracts. */
API int t_fail_errno(int e)
{
    if (e) {
        errno = e;
        return -1;
    }
    return 7;
}
API void *t_null_errno(int e)
{
    if (e) {
        errno = e;
        return NULL;
    }
    return &counter_value;
}
API int t_status(int s) { return s; }
API const char *t_status_msg(int s)
{
    switch (s) {
    case -2: return "stream error";
    case 1: return "needs more input";
    default: return "unknown";
    }
}
API int t_status_out(int s, int *value)
{
    *value = 99;
    return s;
}
API unsigned int t_errno_u(int e)
{
    if (e) {
        errno = e;
        return (unsigned)-1;
    }
    return 5;
}

/* Void and counters (for the leak tests). */
static long long calls;
API void t_void(void) { calls++; }
API long long t_calls(void) { return calls; }

/* PyObject * pass-through (the Python face hands the object itself). */
API void *t_identity_obj(void *o) { return o; }

/* Opaque handles: a counted resource with its own release function. */
struct thing {
    int value;
};
static int things_live;
API struct thing *thing_new(int value)
{
    struct thing *t = malloc(sizeof *t);
    if (t) {
        t->value = value;
        things_live++;
    }
    return t;
}
API int thing_value(const struct thing *t) { return t->value; }
API int thing_free(struct thing *t)
{
    if (!t)
        return -1;
    free(t);
    things_live--;
    return 0;
}
API int things_alive(void) { return things_live; }
/* The same handle again, still owned by whoever had it (as sqlite3_db_handle). */
API struct thing *thing_self(struct thing *t) { return t; }
/* A release function that can refuse, as sqlite3_close() answers SQLITE_BUSY (5): things of negative value are busy. */
API int thing_close_busy(struct thing *t)
{
    if (t && t->value < 0)
        return 5;
    return thing_free(t);
}
API int thing_open(int value, struct thing **out)
{
    *out = thing_new(value);
    return *out ? 0 : -1;
}
struct other {
    int x;
};
API struct other *other_new(void)
{
    static struct other o;
    return &o;
}

/* Callbacks: C calling function pointers, on this thread and on others. */
#include <pthread.h>

API int cb_call_int(int (*f)(int), int x) { return f(x); }
API double cb_call_dd(double (*f)(double, double), double a, double b) { return f(a, b); }
API int64_t cb_call_mixed(int64_t (*f)(int8_t, uint16_t, float, const char *), int8_t a, uint16_t b, float c,
                          const char *d)
{
    return f(a, b, c, d);
}
API uint8_t cb_call_u8(uint8_t (*f)(void)) { return f(); }
API void *cb_call_ptr(void *(*f)(void *), void *p) { return f(p); }
API int cb_call_twice(int (*f)(int), int (*g)(int), int x) { return g(f(x)); }

static int (*cb_stored)(int);
API void cb_store(int (*f)(int)) { cb_stored = f; }
API int cb_call_stored(int x) { return cb_stored ? cb_stored(x) : -1; }

struct cb_job {
    int (*f)(int);
    int x, result;
};

static void *cb_thread_main(void *arg)
{
    struct cb_job *j = arg;
    j->result = j->f(j->x);
    return NULL;
}

/* Runs f(x) on a new thread (one Python never saw) and waits for it. */
API int cb_call_in_thread(int (*f)(int), int x)
{
    struct cb_job j = {f, x, 0};
    pthread_t t;
    if (pthread_create(&t, NULL, cb_thread_main, &j) != 0)
        return -1;
    pthread_join(t, NULL);
    return j.result;
}

/* Typed pointer arguments (the callbacks' fast entry): f(&a, &b), and f on
 * arrays of each common element type (i8, u16, i32, u64, float, double, bool). */
API int cb_ptr_int(int (*f)(const int *, const int *), int a, int b) { return f(&a, &b); }
API int cb_ptr_null(int (*f)(const int *, const int *), int a) { return f(&a, NULL); }
API double cb_ptr_kinds(double (*f)(const int8_t *, const uint16_t *, const int32_t *, const uint64_t *,
                                    const float *, const double *, const bool *))
{
    static const int8_t i8[] = {-128, 5};
    static const uint16_t u16[] = {65535, 7};
    static const int32_t i32[] = {-2147483647 - 1, 9};
    static const uint64_t u64[] = {18446744073709551615u, 11};
    static const float f32[] = {0.5f, -2.25f};
    static const double f64[] = {1e300, -0.125};
    static const bool b[] = {true, false};
    return f(i8, u16, i32, u64, f32, f64, b);
}

struct cb_ptr_job {
    int (*f)(const int *, const int *);
    int a, b, result;
};

static void *cb_ptr_thread_main(void *arg)
{
    struct cb_ptr_job *j = arg;
    j->result = j->f(&j->a, &j->b);
    return NULL;
}

/* f(&a, &b) on a new thread (one Python never saw). */
API int cb_ptr_in_thread(int (*f)(const int *, const int *), int a, int b)
{
    struct cb_ptr_job j = {f, a, b, 0};
    pthread_t t;
    if (pthread_create(&t, NULL, cb_ptr_thread_main, &j) != 0)
        return -1;
    pthread_join(t, NULL);
    return j.result;
}

/* n threads at once, each calling f(i) 100 times; returns the sum of all results. */
static void *cb_thread_loop(void *arg)
{
    struct cb_job *j = arg;
    for (int k = 0; k < 100; k++)
        j->result += j->f(j->x);
    return NULL;
}

API long cb_call_in_threads(int (*f)(int), int n)
{
    enum { MAXT = 16 };
    struct cb_job jobs[MAXT];
    pthread_t t[MAXT];
    if (n > MAXT)
        n = MAXT;
    for (int i = 0; i < n; i++) {
        jobs[i] = (struct cb_job){f, i, 0};
        pthread_create(&t[i], NULL, cb_thread_loop, &jobs[i]);
    }
    long sum = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(t[i], NULL);
        sum += jobs[i].result;
    }
    return sum;
}

/* 64-bit integer callbacks (the callbacks' entries for long arguments): here, and from n new
 * threads at once, each calling f(i) 200 times (returns the sum of all results). */
API long cb_long1(long (*f)(long), long a) { return f(a); }
API long cb_long3(long (*f)(long, long, long), long a, long b, long c) { return f(a, b, c); }

struct cb_long_job {
    long (*f)(long);
    long x, result;
};

static void *cb_long_loop(void *arg)
{
    struct cb_long_job *j = arg;
    for (int k = 0; k < 200; k++)
        j->result += j->f(j->x);
    return NULL;
}

API long cb_long_in_threads(long (*f)(long), int n)
{
    enum { MAXT = 16 };
    struct cb_long_job jobs[MAXT];
    pthread_t t[MAXT];
    if (n > MAXT)
        n = MAXT;
    for (int i = 0; i < n; i++) {
        jobs[i] = (struct cb_long_job){f, i, 0};
        pthread_create(&t[i], NULL, cb_long_loop, &jobs[i]);
    }
    long sum = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(t[i], NULL);
        sum += jobs[i].result;
    }
    return sum;
}

/* Structs: layouts the tests compare with sigbind's, by value and by pointer. */
struct point {
    int x;
    int y;
};
typedef struct {
    double re, im;
} complex_t;
struct mixed {
    char c;
    double d;
    short s[3];
    struct point p;
    union {
        int i;
        float f;
    };
    const char *name;
    unsigned char tail;
};
struct rect {
    struct point min, max;
};
union number {
    int64_t i;
    double d;
};
API size_t layout_size(int which)
{
    switch (which) {
    case 0: return sizeof(struct point);
    case 1: return sizeof(complex_t);
    case 2: return sizeof(struct mixed);
    case 3: return sizeof(struct rect);
    default: return sizeof(union number);
    }
}
API size_t mixed_offset(int which)
{
    switch (which) {
    case 0: return offsetof(struct mixed, c);
    case 1: return offsetof(struct mixed, d);
    case 2: return offsetof(struct mixed, s);
    case 3: return offsetof(struct mixed, p);
    case 4: return offsetof(struct mixed, i);
    case 5: return offsetof(struct mixed, f);
    case 6: return offsetof(struct mixed, name);
    default: return offsetof(struct mixed, tail);
    }
}
/* Callbacks with structs by value: a result C reads, an argument C passes. */
API struct point t_point_via(struct point (*fn)(struct point p, int k), int x, int y, int k)
{
    struct point p = {x, y};
    return fn(p, k);
}
API int t_point_arg_via(int (*fn)(struct point p), int x, int y)
{
    struct point p = {x, y};
    return fn(p);
}
API struct point point_add(struct point a, struct point b)
{
    struct point r = {a.x + b.x, a.y + b.y};
    return r;
}
API complex_t complex_mul(complex_t a, complex_t b)
{
    complex_t r = {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re};
    return r;
}
API int rect_area(const struct rect *r) { return (r->max.x - r->min.x) * (r->max.y - r->min.y); }
API void rect_grow(struct rect *r, int by)
{
    r->min.x -= by;
    r->min.y -= by;
    r->max.x += by;
    r->max.y += by;
}
API struct rect rect_make(int w, int h)
{
    struct rect r = {{0, 0}, {w, h}};
    return r;
}
API double mixed_sum(const struct mixed *m) { return m->c + m->d + m->s[0] + m->s[1] + m->s[2] + m->p.x + m->p.y + m->i + m->tail; }
API void point_get(struct point *out, int x, int y)
{
    out->x = x;
    out->y = y;
}

/* Enums (test_enums.py): an enum parameter and result, and one wider than int. */
enum t_color { T_RED, T_GREEN = 5, T_BLUE };
API enum t_color t_next_color(enum t_color c) { return c == T_RED ? T_GREEN : c == T_GREEN ? T_BLUE : T_RED; }
enum t_big { T_BIG = 0x100000000LL };
API long long t_big_plus(enum t_big b, int x) { return (long long)b + x; }

/* Variadic (test_variadic.py): sums n arguments of the kind named by each
 * letter of kinds ('i' int, 'l' long long, 'u' unsigned long long as signed,
 * 'd' double, 's' strlen of a const char *, 'p' 1 if a non-NULL pointer). */
#include <stdarg.h>
API double t_vsum(const char *kinds, ...)
{
    va_list ap;
    va_start(ap, kinds);
    double sum = 0;
    for (const char *k = kinds; *k; k++) {
        switch (*k) {
        case 'i': sum += va_arg(ap, int); break;
        case 'l': sum += (double)va_arg(ap, long long); break;
        case 'u': sum += (double)va_arg(ap, unsigned long long); break;
        case 'd': sum += va_arg(ap, double); break;
        case 's': { const char *s = va_arg(ap, const char *); sum += s ? (double)strlen(s) : -1; break; }
        case 'p': sum += va_arg(ap, void *) != NULL; break;
        default: break;
        }
    }
    va_end(ap);
    return sum;
}
/* A variadic function with an [[out]] parameter and an error contract. */
API int t_vcount(int *n, const char *kinds, ...)
{
    *n = (int)strlen(kinds);
    return *n > 3 ? -1 : 0;
}

/* Bit-fields and packing: layouts and values the tests compare with sigbind's. */
struct flags {
    unsigned ready : 1;
    unsigned mode : 3;
    int delta : 5;
    unsigned : 0;
    unsigned char tag;
    unsigned long long big : 40;
    short s : 9;
};
struct __attribute__((packed)) packed_rec {
    char c;
    int i;
    short s;
    double d;
};
API size_t bits_size(int which) { return which ? sizeof(struct packed_rec) : sizeof(struct flags); }
API size_t packed_offset(int which)
{
    switch (which) {
    case 0: return offsetof(struct packed_rec, i);
    case 1: return offsetof(struct packed_rec, s);
    default: return offsetof(struct packed_rec, d);
    }
}
API void flags_set(struct flags *f, unsigned ready, unsigned mode, int delta, unsigned long long big, short s)
{
    f->ready = ready & 1u;
    f->mode = mode & 7u;
    f->delta = delta;
    f->tag = 0xAB;
    f->big = big;
    f->s = s;
}
API long long flags_sum(const struct flags *f) { return (long long)f->ready + f->mode + f->delta + f->tag + (long long)f->big + f->s; }
API int packed_sum(const struct packed_rec *r) { return r->c + r->i + r->s + (int)r->d; }

/* Hostile tests (test_hostile.py): C that reads or writes a buffer some time
 * after the call started, for a Python thread to race with ([[nogil]]). */
#include <time.h>
int nanosleep(const struct timespec *req, struct timespec *rem); /* POSIX; the file is compiled as plain C11 */
static void h_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}
API void h_sleep_fill(unsigned char *p, size_t n, int v, int ms)
{
    h_sleep_ms(ms);
    memset(p, v, n);
}
API long h_sleep_sum(const unsigned char *p, size_t n, int ms)
{
    h_sleep_ms(ms);
    long s = 0;
    for (size_t i = 0; i < n; i++)
        s += p[i];
    return s;
}
/* Copies n bytes from src to dst: two pointer parameters, converted in order. */
API void h_copy(void *dst, const void *src, size_t n) { memcpy(dst, src, n); }
/* memchr: a pointer into its argument's memory. */
API const void *h_memchr(const void *s, int c, size_t n) { return memchr(s, c, n); }
/* [[len(n)]] buffers and results (test_lenbuf.py). */
API double len_mean(const double *xs, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += xs[i];
    return n ? s / (double)n : 0.0;
}
API void len_scale(double *xs, size_t n, double by)
{
    for (size_t i = 0; i < n; i++)
        xs[i] *= by;
}
API int64_t len_dot(const int32_t *a, const int32_t *b, uint8_t n)
{
    int64_t s = 0;
    for (unsigned i = 0; i < n; i++)
        s += (int64_t)a[i] * b[i];
    return s;
}
/* n squares 0, 1, 4, ... (malloc'd) */
API double *len_squares(size_t n)
{
    double *r = malloc(n ? n * sizeof *r : 1);
    for (size_t i = 0; r && i < n; i++)
        r[i] = (double)(i * i);
    return r;
}
/* The bytes of s reversed, their count in *outlen (malloc'd). */
API unsigned char *len_reversed(const unsigned char *s, size_t n, size_t *outlen)
{
    unsigned char *r = malloc(n ? n : 1);
    for (size_t i = 0; r && i < n; i++)
        r[i] = s[n - 1 - i];
    *outlen = r ? n : 0;
    return r;
}
static const int16_t len_table[4] = {-1, 2, -3, 4};
/* A static table (not to be freed) and its length. */
API const int16_t *len_static(int *count)
{
    *count = 4;
    return len_table;
}
API const int16_t *len_negative(int *count)
{
    *count = -2;
    return len_table;
}

/* Function pointers as values (test_fnptr.py): returned, stored in structs
 * and tables, handed to callbacks. */
typedef int (*fp_int_t)(int);
static int fp_twice(int x) { return 2 * x; }
static int fp_neg(int x) { return -x; }
static double fp_hyp2(double a, double b) { return a * a + b * b; }
static struct point fp_mkpoint(int x, int y)
{
    struct point p = {x, y};
    return p;
}
static const char *fp_name(int which) { return which ? "neg" : "twice"; }
API fp_int_t fp_get(int which) { return which == 0 ? fp_twice : which == 1 ? fp_neg : NULL; }
API void fp_get_out(int which, fp_int_t *out) { *out = fp_get(which); }
API void *fp_get_bad(void) { return (void *)(uintptr_t)16; }
typedef struct point (*fp_mk_t)(int, int);
API fp_mk_t fp_get_mkpoint(void) { return fp_mkpoint; }
typedef const char *(*fp_name_t)(int);
API fp_name_t fp_get_name(void) { return fp_name; }
struct fp_ops {
    int (*unary)(int);
    double (*binary)(double a, double b);
    fp_int_t named;
    int tag;
};
API void fp_ops_fill(struct fp_ops *o)
{
    o->unary = fp_twice;
    o->binary = fp_hyp2;
    o->named = fp_neg;
    o->tag = 7;
}
API int fp_ops_unary(const struct fp_ops *o, int x) { return o->unary ? o->unary(x) : -1000; }
static fp_int_t fp_table[3] = {fp_twice, fp_neg, NULL};
API fp_int_t *fp_table_get(void) { return fp_table; }
/* Calls cb with a C function and x: a callback that receives a function pointer. */
API int fp_give(int (*cb)(fp_int_t f, int x), int x) { return cb(fp_twice, x); }
API int fp_apply(fp_int_t f, int x) { return f(x); }

/* C data as ctypes and cffi describe it (test_cdata_peers.py). */
struct peer_buf {
    int n;
    int data[4];
    unsigned char raw[4];
    signed char sc[2];
    char name[8];
    int *ip;
    double *dp;
    char **names;
    struct point pts[2];
};
API int peer_sum(const struct peer_buf *b)
{
    int s = 0;
    for (int i = 0; i < b->n && i < 4; i++)
        s += b->data[i];
    return s;
}
API void peer_fill(struct peer_buf *b)
{
    static int iv = 42;
    static double dv = 2.5;
    static char *nm[] = {"alpha", "beta", NULL};
    b->ip = &iv;
    b->dp = &dv;
    b->names = nm;
    b->raw[0] = 200;
    b->sc[0] = -3;
}
API double peer_avg(const double *v, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += v[i];
    return n ? s / (double)n : 0.0;
}
API void peer_scale(int *v, size_t n, int k)
{
    for (size_t i = 0; i < n; i++)
        v[i] *= k;
}
API int peer_points_x(const struct point *p, size_t n)
{
    int s = 0;
    for (size_t i = 0; i < n; i++)
        s += p[i].x;
    return s;
}
API size_t peer_strs_len(const char *const *v, size_t n)
{
    size_t s = 0;
    for (size_t i = 0; i < n; i++)
        s += v[i] ? strlen(v[i]) : 0;
    return s;
}
API int peer_void_cb(void (*cb)(int), int x)
{
    cb(x);
    return x + 1;
}
/* A callback receiving a function pointer whose type has a struct by value. */
API int fp_give_mk(int (*cb)(fp_mk_t f)) { return cb(fp_mkpoint); }

/* Global variables (Library attributes from `extern` declarations, test_library_blocks.py). */
API int g_counter = 42;
API const int g_limit = 7;
API const char g_name[] = "sigbind";
API double g_values[4] = {0.5, 1.5, 2.5, 3.5};
API struct point g_origin = {1, 2};
API const char *g_greeting = "hello";
API void (*g_hook)(int);
API int g_read_counter(void) { return g_counter; }
API int g_origin_sum(void) { return g_origin.x + g_origin.y; }
API double g_values_sum(void) { return g_values[0] + g_values[1] + g_values[2] + g_values[3]; }
API int g_run_hook(int v)
{
    if (!g_hook)
        return -1;
    g_hook(v);
    return 0;
}
API const struct point g_fixed = {5, 6}; /* in .rodata: a Library reads it as a copy */
/* Calls cb for a function pointer, then that function with x (-1000 for NULL). */
API int fp_from_cb(fp_int_t (*cb)(int), int x)
{
    fp_int_t f = cb(x);
    return f ? f(x) : -1000;
}

/* The register path's placement (test_regpath.py): arguments past the registers, structs by value
 * of every System V class, and libffi issue 574. Weighted sums: a misplaced argument shows. */
#define W16(T) T a1, T a2, T a3, T a4, T a5, T a6, T a7, T a8, T a9, T a10, T a11, T a12, T a13, T a14, T a15, T a16
#define S16 (a1 + 2 * a2 + 3 * a3 + 4 * a4 + 5 * a5 + 6 * a6 + 7 * a7 + 8 * a8 + 9 * a9 + 10 * a10 + 11 * a11 + \
             12 * a12 + 13 * a13 + 14 * a14 + 15 * a15 + 16 * a16)
API long rp_l16(W16(long)) { return S16; }
API double rp_d16(W16(double)) { return S16; }
API double rp_mix(int8_t a, double b, uint8_t c, float d, long e, short f, double g, unsigned h, double i, long j,
                  float k, double l, bool m, double n, double o, double p, float q, int r)
{
    return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h + 9 * i + 10 * j + 11 * k + 12 * l + 13 * m +
           14 * n + 15 * o + 16 * p + 17 * q + 18 * r;
}
struct rp_ld { long l; double d; };
struct rp_dl { double d; long l; };
struct rp_ll { long a, b; };
struct rp_ff { float a, b; };
struct rp_fff { float a, b, c; };
struct rp_fi { float f; int i; };
struct rp_c3 { char a, b, c; };
struct rp_big { long a, b, c; };
typedef struct { char x; double y; } rp574_t;
/* libffi issue 574: the struct's INTEGER eightbyte takes the last integer register (r9); libffi 3.4.4
 * writes it over a5 in xmm0. */
API double rp_574(char a0, char a1, char a2, char a3, char a4, float a5, rp574_t a6)
{
    return a0 + 2 * a1 + 3 * a2 + 4 * a3 + 5 * a4 + 1000.0 * a5 + 1e6 * a6.x + a6.y;
}
API rp574_t rp_574_ret(char a0, char a1, char a2, char a3, char a4, float a5, rp574_t a6)
{
    rp574_t r = {(char)(a0 + a1 + a2 + a3 + a4 + a6.x), a5 + a6.y};
    return r;
}
/* The struct does not fit the registers left: it goes whole on the stack and takes no register. */
API double rp_nofit(long a0, long a1, long a2, long a3, long a4, long a5, float f, struct rp_ld s, double after,
                    long tail)
{
    return a0 + 2 * a1 + 3 * a2 + 4 * a3 + 5 * a4 + 6 * a5 + 10.0 * f + 100.0 * s.l + 1000 * s.d + 10000 * after +
           100000.0 * tail;
}
API long rp_ll_nofit(long a0, long a1, long a2, long a3, long a4, struct rp_ll s, long g)
{
    return a0 + 2 * a1 + 3 * a2 + 4 * a3 + 5 * a4 + 100 * s.a + 1000 * s.b + 10000 * g;
}
API struct rp_ld rp_ret_ld(long l, double d) { struct rp_ld r = {l, d}; return r; }
API struct rp_dl rp_ret_dl(double d, long l) { struct rp_dl r = {d, l}; return r; }
API struct rp_ff rp_ret_ff(float a, float b) { struct rp_ff r = {a, b}; return r; }
API struct rp_fff rp_ret_fff(float a, float b, float c) { struct rp_fff r = {a, b, c}; return r; }
API struct rp_fi rp_ret_fi(float f, int i) { struct rp_fi r = {f, i}; return r; }
API struct rp_c3 rp_ret_c3(char a, char b, char c) { struct rp_c3 r = {a, b, c}; return r; }
API struct rp_big rp_ret_big(long a, long b, long c, long d, long e, long f, long g)
{
    struct rp_big r = {a + 2 * b + 3 * c, d + 2 * e, f + 2 * g};
    return r;
}
API struct rp_dl rp_swap(struct rp_ld s) { struct rp_dl r = {s.d, s.l}; return r; }
API struct rp_fff rp_fff_scale(struct rp_fff s, float k) { struct rp_fff r = {s.a * k, s.b * k, s.c * k}; return r; }
API struct rp_c3 rp_c3_rot(struct rp_c3 s) { struct rp_c3 r = {s.b, s.c, s.a}; return r; }
API struct rp_fi rp_fi_add(struct rp_fi a, struct rp_fi b) { struct rp_fi r = {a.f + b.f, a.i + b.i}; return r; }
API struct rp_big rp_big_add(struct rp_big a, struct rp_big b)
{
    struct rp_big r = {a.a + b.a, a.b + b.b, a.c + b.c};
    return r;
}

/* 300 parameters (sigbind's limit is 1024, as ctypes'): sum of a_i * (i + 1), and the last string's length. */
API long t_many300(long a0, long a1, long a2, long a3, long a4, long a5, long a6, long a7, long a8, long a9, long a10, long a11, long a12, long a13, long a14, long a15, long a16, long a17, long a18, long a19, long a20, long a21, long a22, long a23, long a24, long a25, long a26, long a27, long a28, long a29, long a30, long a31, long a32, long a33, long a34, long a35, long a36, long a37, long a38, long a39, long a40, long a41, long a42, long a43, long a44, long a45, long a46, long a47, long a48, long a49, long a50, long a51, long a52, long a53, long a54, long a55, long a56, long a57, long a58, long a59, long a60, long a61, long a62, long a63, long a64, long a65, long a66, long a67, long a68, long a69, long a70, long a71, long a72, long a73, long a74, long a75, long a76, long a77, long a78, long a79, long a80, long a81, long a82, long a83, long a84, long a85, long a86, long a87, long a88, long a89, long a90, long a91, long a92, long a93, long a94, long a95, long a96, long a97, long a98, long a99, long a100, long a101, long a102, long a103, long a104, long a105, long a106, long a107, long a108, long a109, long a110, long a111, long a112, long a113, long a114, long a115, long a116, long a117, long a118, long a119, long a120, long a121, long a122, long a123, long a124, long a125, long a126, long a127, long a128, long a129, long a130, long a131, long a132, long a133, long a134, long a135, long a136, long a137, long a138, long a139, long a140, long a141, long a142, long a143, long a144, long a145, long a146, long a147, long a148, long a149, long a150, long a151, long a152, long a153, long a154, long a155, long a156, long a157, long a158, long a159, long a160, long a161, long a162, long a163, long a164, long a165, long a166, long a167, long a168, long a169, long a170, long a171, long a172, long a173, long a174, long a175, long a176, long a177, long a178, long a179, long a180, long a181, long a182, long a183, long a184, long a185, long a186, long a187, long a188, long a189, long a190, long a191, long a192, long a193, long a194, long a195, long a196, long a197, long a198, long a199, long a200, long a201, long a202, long a203, long a204, long a205, long a206, long a207, long a208, long a209, long a210, long a211, long a212, long a213, long a214, long a215, long a216, long a217, long a218, long a219, long a220, long a221, long a222, long a223, long a224, long a225, long a226, long a227, long a228, long a229, long a230, long a231, long a232, long a233, long a234, long a235, long a236, long a237, long a238, long a239, long a240, long a241, long a242, long a243, long a244, long a245, long a246, long a247, long a248, long a249, long a250, long a251, long a252, long a253, long a254, long a255, long a256, long a257, long a258, long a259, long a260, long a261, long a262, long a263, long a264, long a265, long a266, long a267, long a268, long a269, long a270, long a271, long a272, long a273, long a274, long a275, long a276, long a277, long a278, long a279, long a280, long a281, long a282, long a283, long a284, long a285, long a286, long a287, long a288, long a289, long a290, long a291, long a292, long a293, long a294, long a295, long a296, long a297, long a298, long a299)
{
    return a0 * 1 + a1 * 2 + a2 * 3 + a3 * 4 + a4 * 5 + a5 * 6 + a6 * 7 + a7 * 8 + a8 * 9 + a9 * 10 + a10 * 11 + a11 * 12 + a12 * 13 + a13 * 14 + a14 * 15 + a15 * 16 + a16 * 17 + a17 * 18 + a18 * 19 + a19 * 20 + a20 * 21 + a21 * 22 + a22 * 23 + a23 * 24 + a24 * 25 + a25 * 26 + a26 * 27 + a27 * 28 + a28 * 29 + a29 * 30 + a30 * 31 + a31 * 32 + a32 * 33 + a33 * 34 + a34 * 35 + a35 * 36 + a36 * 37 + a37 * 38 + a38 * 39 + a39 * 40 + a40 * 41 + a41 * 42 + a42 * 43 + a43 * 44 + a44 * 45 + a45 * 46 + a46 * 47 + a47 * 48 + a48 * 49 + a49 * 50 + a50 * 51 + a51 * 52 + a52 * 53 + a53 * 54 + a54 * 55 + a55 * 56 + a56 * 57 + a57 * 58 + a58 * 59 + a59 * 60 + a60 * 61 + a61 * 62 + a62 * 63 + a63 * 64 + a64 * 65 + a65 * 66 + a66 * 67 + a67 * 68 + a68 * 69 + a69 * 70 + a70 * 71 + a71 * 72 + a72 * 73 + a73 * 74 + a74 * 75 + a75 * 76 + a76 * 77 + a77 * 78 + a78 * 79 + a79 * 80 + a80 * 81 + a81 * 82 + a82 * 83 + a83 * 84 + a84 * 85 + a85 * 86 + a86 * 87 + a87 * 88 + a88 * 89 + a89 * 90 + a90 * 91 + a91 * 92 + a92 * 93 + a93 * 94 + a94 * 95 + a95 * 96 + a96 * 97 + a97 * 98 + a98 * 99 + a99 * 100 + a100 * 101 + a101 * 102 + a102 * 103 + a103 * 104 + a104 * 105 + a105 * 106 + a106 * 107 + a107 * 108 + a108 * 109 + a109 * 110 + a110 * 111 + a111 * 112 + a112 * 113 + a113 * 114 + a114 * 115 + a115 * 116 + a116 * 117 + a117 * 118 + a118 * 119 + a119 * 120 + a120 * 121 + a121 * 122 + a122 * 123 + a123 * 124 + a124 * 125 + a125 * 126 + a126 * 127 + a127 * 128 + a128 * 129 + a129 * 130 + a130 * 131 + a131 * 132 + a132 * 133 + a133 * 134 + a134 * 135 + a135 * 136 + a136 * 137 + a137 * 138 + a138 * 139 + a139 * 140 + a140 * 141 + a141 * 142 + a142 * 143 + a143 * 144 + a144 * 145 + a145 * 146 + a146 * 147 + a147 * 148 + a148 * 149 + a149 * 150 + a150 * 151 + a151 * 152 + a152 * 153 + a153 * 154 + a154 * 155 + a155 * 156 + a156 * 157 + a157 * 158 + a158 * 159 + a159 * 160 + a160 * 161 + a161 * 162 + a162 * 163 + a163 * 164 + a164 * 165 + a165 * 166 + a166 * 167 + a167 * 168 + a168 * 169 + a169 * 170 + a170 * 171 + a171 * 172 + a172 * 173 + a173 * 174 + a174 * 175 + a175 * 176 + a176 * 177 + a177 * 178 + a178 * 179 + a179 * 180 + a180 * 181 + a181 * 182 + a182 * 183 + a183 * 184 + a184 * 185 + a185 * 186 + a186 * 187 + a187 * 188 + a188 * 189 + a189 * 190 + a190 * 191 + a191 * 192 + a192 * 193 + a193 * 194 + a194 * 195 + a195 * 196 + a196 * 197 + a197 * 198 + a198 * 199 + a199 * 200 + a200 * 201 + a201 * 202 + a202 * 203 + a203 * 204 + a204 * 205 + a205 * 206 + a206 * 207 + a207 * 208 + a208 * 209 + a209 * 210 + a210 * 211 + a211 * 212 + a212 * 213 + a213 * 214 + a214 * 215 + a215 * 216 + a216 * 217 + a217 * 218 + a218 * 219 + a219 * 220 + a220 * 221 + a221 * 222 + a222 * 223 + a223 * 224 + a224 * 225 + a225 * 226 + a226 * 227 + a227 * 228 + a228 * 229 + a229 * 230 + a230 * 231 + a231 * 232 + a232 * 233 + a233 * 234 + a234 * 235 + a235 * 236 + a236 * 237 + a237 * 238 + a238 * 239 + a239 * 240 + a240 * 241 + a241 * 242 + a242 * 243 + a243 * 244 + a244 * 245 + a245 * 246 + a246 * 247 + a247 * 248 + a248 * 249 + a249 * 250 + a250 * 251 + a251 * 252 + a252 * 253 + a253 * 254 + a254 * 255 + a255 * 256 + a256 * 257 + a257 * 258 + a258 * 259 + a259 * 260 + a260 * 261 + a261 * 262 + a262 * 263 + a263 * 264 + a264 * 265 + a265 * 266 + a266 * 267 + a267 * 268 + a268 * 269 + a269 * 270 + a270 * 271 + a271 * 272 + a272 * 273 + a273 * 274 + a274 * 275 + a275 * 276 + a276 * 277 + a277 * 278 + a278 * 279 + a279 * 280 + a280 * 281 + a281 * 282 + a282 * 283 + a283 * 284 + a284 * 285 + a285 * 286 + a286 * 287 + a287 * 288 + a288 * 289 + a289 * 290 + a290 * 291 + a291 * 292 + a292 * 293 + a293 * 294 + a294 * 295 + a295 * 296 + a296 * 297 + a297 * 298 + a298 * 299 + a299 * 300;
}

API size_t t_many_strs(const char *s0, const char *s1, const char *s2, long pad0, long pad1, long pad2, long pad3,
                       long pad4, long pad5, long pad6, long pad7, long pad8, long pad9, long pad10, long pad11,
                       long pad12, long pad13, long pad14, long pad15, long pad16, long pad17, long pad18, long pad19,
                       long pad20, long pad21, long pad22, long pad23, long pad24, long pad25, long pad26, long pad27,
                       long pad28, long pad29, long pad30, long pad31, long pad32, long pad33, long pad34, long pad35,
                       long pad36, long pad37, long pad38, long pad39, long pad40, long pad41, long pad42, long pad43,
                       long pad44, long pad45, long pad46, long pad47, long pad48, long pad49, long pad50, long pad51,
                       long pad52, long pad53, long pad54, long pad55, long pad56, long pad57, long pad58, long pad59,
                       long pad60, long pad61, long pad62, long pad63, long pad64, long pad65, const char *s70,
                       const char *s71)
{
    (void)pad0; (void)pad1; (void)pad2; (void)pad3; (void)pad4; (void)pad5; (void)pad6; (void)pad7; (void)pad8;
    (void)pad9; (void)pad10; (void)pad11; (void)pad12; (void)pad13; (void)pad14; (void)pad15; (void)pad16;
    (void)pad17; (void)pad18; (void)pad19; (void)pad20; (void)pad21; (void)pad22; (void)pad23; (void)pad24;
    (void)pad25; (void)pad26; (void)pad27; (void)pad28; (void)pad29; (void)pad30; (void)pad31; (void)pad32;
    (void)pad33; (void)pad34; (void)pad35; (void)pad36; (void)pad37; (void)pad38; (void)pad39; (void)pad40;
    (void)pad41; (void)pad42; (void)pad43; (void)pad44; (void)pad45; (void)pad46; (void)pad47; (void)pad48;
    (void)pad49; (void)pad50; (void)pad51; (void)pad52; (void)pad53; (void)pad54; (void)pad55; (void)pad56;
    (void)pad57; (void)pad58; (void)pad59; (void)pad60; (void)pad61; (void)pad62; (void)pad63; (void)pad64;
    (void)pad65;
    return strlen(s0) + strlen(s1) + strlen(s2) + strlen(s70) * 100 + strlen(s71) * 1000;
}

/* Unions by value (test_unions.py): each class of SysV eightbyte. */
union u_num { int i; double d; };              /* 8 bytes, INTEGER (an int shares the eightbyte) */
union u_fd { float f[2]; double d; };          /* 8 bytes, SSE: floating point only */
union u_fi { float f; int i; };                /* 4 bytes, INTEGER */
union u_big { long l[3]; double d; };          /* 24 bytes: in memory */
union u_sigval { int sival_int; void *sival_ptr; };
struct u_tagged { int kind; union u_num v; float w; };
API double u_num_double(union u_num u) { return u.d; }
API union u_num u_num_make(int i) { union u_num u; u.d = 0; u.i = i; return u; }
API union u_fd u_fd_twice(union u_fd u) { u.d *= 2; return u; }
API union u_fi u_fi_swap(union u_fi u, float f) { u.f = u.f + f; return u; }
API long u_big_sum(union u_big u, int n) { return u.l[0] + u.l[1] + u.l[2] + n; }
API union u_big u_big_make(long a) { union u_big u = {{a, a + 1, a + 2}}; return u; }
API int u_sigqueue(int pid, int sig, const union u_sigval v) { return pid + sig + v.sival_int; }
API double u_tagged_get(struct u_tagged t) { return t.kind ? t.v.d + t.w : t.v.i + t.w; }
API struct u_tagged u_tagged_make(double d) { struct u_tagged t = {1, {0}, 0.5f}; t.v.d = d; return t; }
API double u_fd_call(double (*cb)(union u_fd), double d) { union u_fd u; u.d = d; return cb(u); }
