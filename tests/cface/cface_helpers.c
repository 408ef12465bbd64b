/* cface_helpers.c — a C-face module using each object helper of sigbind.h (buffers, bytes, instances, iteration, attributes, len, type tests, run-time calls) and no Python.h. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sigbind.h>

/* ---- buffers ---- */

static double mean(PyObject *obj)
{
    sb_buffer_view v;
    if (sb_buffer_get(obj, "double", false, &v) < 0)
        return 0;
    const double *xs = v.buf;
    double s = 0;
    for (size_t i = 0; i < v.count; i++)
        s += xs[i];
    double r = v.count ? s / (double)v.count : 0.0;
    sb_buffer_release(&v);
    return r;
}

/* Writes value into every int32_t of a writable buffer; returns the count. */
static int64_t fill(PyObject *obj, int32_t value)
{
    sb_buffer_view v;
    if (sb_buffer_get(obj, "int32_t", true, &v) < 0)
        return -1;
    int32_t *xs = v.buf;
    for (size_t i = 0; i < v.count; i++)
        xs[i] = value;
    sb_buffer_release(&v);
    return (int64_t)v.count;
}

/* (len, itemsize, count, format, readonly) of obj's buffer as `type` ("" = any). */
static PyObject *buffer_info(PyObject *obj, const char *type, bool writable)
{
    sb_buffer_view v;
    if (sb_buffer_get(obj, type[0] ? type : NULL, writable, &v) < 0)
        return NULL;
    PyObject *r = sb_tuple("(size_t len, size_t itemsize, size_t count, const char *format, bool readonly)", v.len,
                           v.itemsize, v.count, v.format, v.readonly);
    sb_buffer_release(&v);
    sb_buffer_release(&v); /* twice is harmless */
    return r;
}

/* Holds a bytearray's buffer open while calling fn(obj) (which may try to
 * resize it: BufferError), then sums the bytes it still sees. */
static int64_t hold_and_call(PyObject *obj, PyObject *fn)
{
    sb_buffer_view v;
    if (sb_buffer_get(obj, "uint8_t", true, &v) < 0)
        return -1;
    PyObject *r = sb_call(fn, "(PyObject *o)", obj);
    int64_t sum = 0;
    for (size_t i = 0; i < v.len; i++)
        sum += ((const uint8_t *)v.buf)[i];
    sb_buffer_release(&v); /* keeps the exception fn raised */
    if (!r)
        return -1;
    sb_decref(r);
    return sum;
}

/* n bytes counting up from `start` (as bytes or bytearray), or n zero bytes. */
static PyObject *make_bytes(size_t n, bool array, int start)
{
    if (start < 0)
        return array ? sb_bytearray(NULL, n) : sb_bytes(NULL, n);
    unsigned char data[256];
    if (n > sizeof data) {
        sb_raise("ValueError", "make_bytes() argument 'n' (size_t) must be at most 256, not %zu", n);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        data[i] = (unsigned char)(start + (int)i);
    return array ? sb_bytearray(data, n) : sb_bytes(data, n);
}

/* ---- classes and instances ---- */

typedef struct Counter {
    int64_t total;
} Counter;

static void counter_init(Counter *self, int64_t total) { self->total = total; }

static const sb_method_def counter_methods[] = {
    SB_METHOD(counter_init, "void __init__(Counter *self, int64_t total = 0)", NULL),
    SB_END,
};
static const sb_field_def counter_fields[] = {
    SB_FIELD(Counter, total, "int64_t total", SB_READWRITE, NULL),
    SB_END,
};

/* A class whose name is not its C type's: the build-time check takes the type from `.size = sizeof(...)`. */
typedef struct plain_s {
    int64_t x;
} plain_t;

static int64_t plain_get_x(plain_t *self) { return self->x; }

static const sb_method_def plain_methods[] = {
    SB_GETTER(plain_get_x, "int64_t get_x(Plain *self)", NULL),
    SB_END,
};
static const sb_field_def plain_fields[] = {
    SB_FIELD(struct plain_s, x, "int64_t x_field", SB_READWRITE, NULL),
    SB_END,
};

/* The total inside any Counter (or subclass) instance given as a plain object. */
static int64_t counter_total(PyObject *obj)
{
    Counter *c = sb_instance_data(obj, "Counter");
    return c ? c->total : -1;
}

static PyObject *class_object(const char *name)
{
    PyObject *c = sb_class_object(name);
    sb_incref(c);
    return c;
}

/* Counter(total) made from C through the class object. */
static PyObject *make_counter(int64_t total)
{
    return sb_call(sb_class_object("Counter"), "(int64_t total)", total);
}

/* ---- iteration, attributes, len, type tests ---- */

static int64_t sum_iterable(PyObject *iterable)
{
    PyObject *it = sb_iter(iterable), *item;
    if (!it)
        return -1;
    int64_t sum = 0;
    int rc;
    while ((rc = sb_next(it, &item)) == 1) {
        int64_t x = 0;
        int bad = sb_extract(item, "int64_t", &x);
        sb_decref(item);
        if (bad < 0) {
            rc = -1;
            break;
        }
        sum += x;
    }
    sb_decref(it);
    return rc < 0 ? -1 : sum;
}

static int next_of(PyObject *notiter)
{
    PyObject *item;
    return sb_next(notiter, &item);
}

/* Sets obj.<name> = value, then (hasattr, value read back, hasattr after del). */
static PyObject *attr_round_trip(PyObject *obj, const char *name, PyObject *value)
{
    if (sb_setattr(obj, name, value) < 0)
        return NULL;
    int had = sb_hasattr(obj, name);
    if (had < 0)
        return NULL;
    PyObject *back = sb_getattr(obj, name);
    if (!back)
        return NULL;
    if (sb_setattr(obj, name, NULL) < 0) {
        sb_decref(back);
        return NULL;
    }
    int has = sb_hasattr(obj, name);
    PyObject *r = has < 0 ? NULL : sb_tuple("(bool had, PyObject *back, bool has)", had != 0, back, has != 0);
    sb_decref(back);
    return r;
}

static int has_attr(PyObject *obj, const char *name) { return sb_hasattr(obj, name); }
static ptrdiff_t length(PyObject *obj) { return sb_len(obj); }
static int is_instance(PyObject *obj, const char *type) { return sb_isinstance(obj, type); }
static int is_subclass(PyObject *cls, const char *type) { return sb_issubclass(cls, type); }

/* ---- calls with run-time arguments ---- */

/* fn(*items, **{name: i for i, name in enumerate(names)}), lists built item by item. */
static PyObject *call_with(PyObject *fn, PyObject *items, PyObject *names)
{
    PyObject *args = sb_list_new(), *kw = sb_dict_new(), *it = NULL, *item = NULL, *r = NULL;
    if (!args || !kw || !(it = sb_iter(items)))
        goto done;
    int rc;
    while ((rc = sb_next(it, &item)) == 1) {
        rc = sb_list_append(args, item);
        sb_decref(item);
        if (rc < 0)
            goto done;
    }
    if (rc < 0)
        goto done;
    sb_decref(it);
    if (!(it = sb_iter(names)))
        goto done;
    for (int64_t i = 0; (rc = sb_next(it, &item)) == 1; i++) {
        PyObject *val = sb_value("int64_t", i);
        rc = val ? sb_setitem(kw, item, val) : -1;
        sb_decref(val);
        sb_decref(item);
        if (rc < 0)
            goto done;
    }
    if (rc < 0)
        goto done;
    r = sb_call_object(fn, args, kw);
done:
    sb_decref(it);
    sb_decref(args);
    sb_decref(kw);
    return r;
}

/* None stands for NULL here. */
static PyObject *call_raw(PyObject *fn, PyObject *args, PyObject *kwargs)
{
    return sb_call_object(fn, sb_is_none(args) ? NULL : args, sb_is_none(kwargs) ? NULL : kwargs);
}

/* d[key] = value with a C string key, then d[key] read back with sb_getitem. */
static PyObject *set_and_get(PyObject *d, const char *key, PyObject *value)
{
    if (sb_dict_set(d, key, value) < 0)
        return NULL;
    PyObject *k = sb_value("const char *", key);
    PyObject *r = k ? sb_getitem(d, k) : NULL;
    sb_decref(k);
    return r;
}

static PyObject *none_of(PyObject *obj)
{
    return sb_is_none(obj) ? sb_value("const char *", "none") : sb_none();
}

/* ---- [[len(n)]] buffers and results in signatures ---- */

static double mean_of(const double *xs, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += xs[i];
    return n ? s / (double)n : 0.0;
}

static void scale(double *xs, size_t n, double by)
{
    for (size_t i = 0; i < n; i++)
        xs[i] *= by;
}

static int64_t dot(const int32_t *a, const int32_t *b, uint8_t n)
{
    int64_t s = 0;
    for (unsigned i = 0; i < n; i++)
        s += (int64_t)a[i] * b[i];
    return s;
}

static double squares_store[64];

/* The first n squares, from static storage (not freed). */
static const double *squares(size_t n)
{
    if (n > 64) {
        sb_raise("ValueError", "squares() argument 'n' (size_t) must be at most 64, not %zu", n);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        squares_store[i] = (double)(i * i);
    return squares_store;
}

/* data reversed, malloc'd ([[free]]), its length in *outlen. */
static uint8_t *reversed(const uint8_t *data, size_t n, size_t *outlen)
{
    uint8_t *r = malloc(n ? n : 1);
    for (size_t i = 0; r && i < n; i++)
        r[i] = data[n - 1 - i];
    *outlen = n;
    return r;
}

static const sb_function_def functions[] = {
    SB_FUNCTION(mean_of, "double mean_of(const double *xs [[len(n)]], size_t n)", "The issue's example."),
    SB_FUNCTION(scale, "void scale(double *xs [[len(n)]], size_t n, double by)", "Scales in place."),
    SB_FUNCTION(dot, "int64_t dot(const int32_t *a [[len(n)]], const int32_t *b [[len(n)]], uint8_t n)", NULL),
    SB_FUNCTION(squares, "const double *squares(size_t n) [[len(n)]]", NULL),
    SB_FUNCTION(reversed, "uint8_t *reversed(const uint8_t *data [[len(n)]], size_t n, size_t *outlen [[out]]) "
                          "[[len(outlen)]] [[free]]", NULL),
    SB_FUNCTION(mean, "double mean(PyObject *buf)", "The mean of a buffer of doubles."),
    SB_FUNCTION(fill, "int64_t fill(PyObject *buf, int32_t value)", "Fills a writable int32 buffer."),
    SB_FUNCTION(buffer_info, "PyObject *buffer_info(PyObject *obj, const char *type = \"\", bool writable = false)",
                NULL),
    SB_FUNCTION(hold_and_call, "int64_t hold_and_call(PyObject *obj, PyObject *fn)", NULL),
    SB_FUNCTION(make_bytes, "PyObject *make_bytes(size_t n, bool array = false, int start = 0)", NULL),
    SB_FUNCTION(counter_total, "int64_t counter_total(PyObject *obj)", NULL),
    SB_FUNCTION(class_object, "PyObject *class_object(const char *name)", NULL),
    SB_FUNCTION(make_counter, "PyObject *make_counter(int64_t total)", NULL),
    SB_FUNCTION(sum_iterable, "int64_t sum_iterable(PyObject *iterable)", NULL),
    SB_FUNCTION(next_of, "int next_of(PyObject *obj)", NULL),
    SB_FUNCTION(attr_round_trip, "PyObject *attr_round_trip(PyObject *obj, const char *name, PyObject *value)", NULL),
    SB_FUNCTION(has_attr, "int has_attr(PyObject *obj, const char *name)", NULL),
    SB_FUNCTION(length, "ptrdiff_t length(PyObject *obj)", NULL),
    SB_FUNCTION(is_instance, "int is_instance(PyObject *obj, const char *type)", NULL),
    SB_FUNCTION(is_subclass, "int is_subclass(PyObject *cls, const char *type)", NULL),
    SB_FUNCTION(call_with, "PyObject *call_with(PyObject *fn, PyObject *items, PyObject *names)", NULL),
    SB_FUNCTION(call_raw, "PyObject *call_raw(PyObject *fn, PyObject *args, PyObject *kwargs)", NULL),
    SB_FUNCTION(set_and_get, "PyObject *set_and_get(PyObject *d, const char *key, PyObject *value)", NULL),
    SB_FUNCTION(none_of, "PyObject *none_of(PyObject *obj)", NULL),
    SB_END,
};

static const sb_exception_def exceptions[] = {
    SB_EXCEPTION("HelperError", "ValueError", NULL),
    SB_END,
};

static const sb_class_def classes[] = {
    {.name = "Counter", .size = sizeof(Counter), .flags = SB_SUBCLASSABLE, .methods = counter_methods,
     .fields = counter_fields},
    {.name = "Plain", .size = sizeof(struct plain_s), .methods = plain_methods, .fields = plain_fields},
    SB_END,
};

SB_MODULE(cface_helpers, .doc = "The object helpers of sigbind.h, used without Python.h.", .functions = functions,
          .exceptions = exceptions, .classes = classes);
