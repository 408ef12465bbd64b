/* bloom.c — a Bloom filter class in C on sigbind.h alone (no Python.h): buffers and str in, bytes out, iteration, instances of its own class, class methods. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sigbind.h>

typedef struct BloomFilter {
    uint8_t *bits;      /* nbits / 8 bytes, owned */
    size_t nbits;       /* a multiple of 8 */
    uint32_t nhashes;
    size_t count;       /* items added */
} BloomFilter;

/* The k-th bit position of an item: FNV-1a with two seeds, combined (Kirsch-Mitzenmacher). */
static size_t bit_of(const BloomFilter *f, const uint8_t *p, size_t n, uint32_t k)
{
    uint64_t h1 = 14695981039346656037u, h2 = 1099511628211u ^ 0x9e3779b97f4a7c15u;
    for (size_t i = 0; i < n; i++) {
        h1 = (h1 ^ p[i]) * 1099511628211u;
        h2 = (h2 ^ p[i]) * 0x100000001b3u + 0x9e37u;
    }
    return (size_t)((h1 + (uint64_t)k * (h2 | 1)) % f->nbits);
}

/* The bytes of an item: a str (as UTF-8) or any buffer. Returns 0 with *view
 * open (release it), or -1 with a TypeError. */
static int item_bytes(PyObject *item, sb_buffer_view *view, PyObject **encoded)
{
    *encoded = NULL;
    int is_str = sb_isinstance(item, "str");
    if (is_str < 0)
        return -1;
    if (is_str) {
        if (!(*encoded = sb_call_method(item, "encode", NULL)))
            return -1;
        item = *encoded;
    }
    if (sb_buffer_get(item, NULL, false, view) < 0) {
        sb_decref(*encoded);
        *encoded = NULL;
        return -1;
    }
    return 0;
}

static void bloom_init(BloomFilter *self, size_t nbits, uint32_t nhashes)
{
    if (nbits == 0 || nbits % 8 || nhashes == 0) {
        sb_raise("ValueError", "BloomFilter() needs nbits a positive multiple of 8 and nhashes > 0, not %zu and %u",
                 nbits, (unsigned)nhashes);
        return;
    }
    uint8_t *bits = calloc(nbits / 8, 1);
    if (!bits) {
        sb_raise("MemoryError", "BloomFilter(): %zu bits", nbits);
        return;
    }
    free(self->bits); /* __init__ may run twice */
    self->bits = bits;
    self->nbits = nbits;
    self->nhashes = nhashes;
    self->count = 0;
}

static void bloom_destroy(void *self)
{
    free(((BloomFilter *)self)->bits);
}

static void bloom_add(BloomFilter *self, PyObject *item)
{
    sb_buffer_view v;
    PyObject *enc;
    if (item_bytes(item, &v, &enc) < 0)
        return;
    for (uint32_t k = 0; k < self->nhashes; k++) {
        size_t b = bit_of(self, v.buf, v.len, k);
        self->bits[b / 8] |= (uint8_t)(1u << (b % 8));
    }
    self->count++;
    sb_buffer_release(&v);
    sb_decref(enc);
}

static bool bloom_contains(BloomFilter *self, PyObject *item)
{
    sb_buffer_view v;
    PyObject *enc;
    if (item_bytes(item, &v, &enc) < 0)
        return false;
    bool all = true;
    for (uint32_t k = 0; k < self->nhashes && all; k++) {
        size_t b = bit_of(self, v.buf, v.len, k);
        all = (self->bits[b / 8] >> (b % 8)) & 1;
    }
    sb_buffer_release(&v);
    sb_decref(enc);
    return all;
}

/* Adds every item of any iterable; returns how many. */
static int64_t bloom_update(BloomFilter *self, PyObject *items)
{
    PyObject *it = sb_iter(items), *item;
    if (!it)
        return -1;
    int64_t n = 0;
    int rc;
    while ((rc = sb_next(it, &item)) == 1) {
        bloom_add(self, item);
        sb_decref(item);
        if (sb_error_occurred()) {
            rc = -1;
            break;
        }
        n++;
    }
    sb_decref(it);
    return rc < 0 ? -1 : n;
}

static size_t bloom_len(BloomFilter *self) { return self->count; }

static PyObject *bloom_to_bytes(BloomFilter *self) { return sb_bytes(self->bits, self->nbits / 8); }

/* BloomFilter.from_bytes(data, nhashes=4): the class it is called on (a subclass too), filled from any buffer. */
static PyObject *bloom_from_bytes(PyObject *cls, PyObject *data, uint32_t nhashes)
{
    sb_buffer_view v;
    if (sb_buffer_get(data, "uint8_t", false, &v) < 0)
        return NULL;
    PyObject *obj = sb_call(cls, "(size_t nbits, uint32_t nhashes)", v.len * 8, nhashes);
    BloomFilter *f = obj ? sb_instance_data(obj, "BloomFilter") : NULL;
    if (f)
        memcpy(f->bits, v.buf, v.len);
    sb_buffer_release(&v);
    if (obj && !f) {
        sb_decref(obj);
        return NULL;
    }
    return obj;
}

/* a | b: a new BloomFilter holding both (same size and hash count). */
static PyObject *bloom_union(BloomFilter *self, PyObject *other)
{
    BloomFilter *o = sb_instance_data(other, "BloomFilter");
    if (!o)
        return NULL;
    if (o->nbits != self->nbits || o->nhashes != self->nhashes) {
        sb_raise("ValueError", "union() needs filters of the same shape, not %zu/%u and %zu/%u bits/hashes",
                 self->nbits, (unsigned)self->nhashes, o->nbits, (unsigned)o->nhashes);
        return NULL;
    }
    PyObject *r = sb_call(sb_class_object("BloomFilter"), "(size_t nbits, uint32_t nhashes)", self->nbits,
                          self->nhashes);
    BloomFilter *f = r ? sb_instance_data(r, "BloomFilter") : NULL;
    if (!f) {
        sb_decref(r);
        return NULL;
    }
    for (size_t i = 0; i < self->nbits / 8; i++)
        f->bits[i] = self->bits[i] | o->bits[i];
    f->count = self->count + o->count;
    return r;
}

static const sb_method_def bloom_methods[] = {
    SB_METHOD(bloom_init, "void __init__(BloomFilter *self, size_t nbits = 8192, uint32_t nhashes = 4)", NULL),
    SB_METHOD(bloom_add, "void add(BloomFilter *self, PyObject *item)", "Adds a str or bytes-like item."),
    SB_METHOD(bloom_contains, "bool __contains__(BloomFilter *self, PyObject *item)", NULL),
    SB_METHOD(bloom_update, "int64_t update(BloomFilter *self, PyObject *items)",
              "Adds every item of an iterable; returns how many."),
    SB_METHOD(bloom_len, "size_t __len__(BloomFilter *self)", "Items added."),
    SB_METHOD(bloom_to_bytes, "PyObject *to_bytes(BloomFilter *self)", "The bit array as bytes."),
    SB_CLASS_METHOD(bloom_from_bytes, "PyObject *from_bytes(PyObject *cls, PyObject *data, uint32_t nhashes = 4)",
                    "A filter from to_bytes() output (any buffer)."),
    SB_METHOD(bloom_union, "PyObject *union(BloomFilter *self, PyObject *other)", "Both filters' items."),
    SB_END,
};

static const sb_field_def bloom_fields[] = {
    SB_FIELD(BloomFilter, nbits, "size_t nbits", SB_READONLY, "Size of the bit array."),
    SB_FIELD(BloomFilter, nhashes, "uint32_t nhashes", SB_READONLY, "Bits set per item."),
    SB_END,
};

static const sb_class_def classes[] = {
    {.name = "BloomFilter", .doc = "A Bloom filter of str and bytes-like items.", .size = sizeof(BloomFilter),
     .flags = SB_SUBCLASSABLE, .methods = bloom_methods, .fields = bloom_fields, .destroy = bloom_destroy},
    SB_END,
};

SB_MODULE(bloom, .doc = "A Bloom filter written in C on sigbind.h alone.", .classes = classes);
