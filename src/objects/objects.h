/* objects.h — cross-file internals of the object layer: Pointer, typed memory, Struct, Callback (used by both faces). */
#ifndef SB_OBJECTS_H
#define SB_OBJECTS_H

#include "runtime/runtime.h"

#include <string.h>

SB_INTERNAL extern PyType_Spec sb__pointer_spec;
SB_INTERNAL extern PyType_Spec sb__callback_spec;
SB_INTERNAL extern PyType_Spec sb__struct_spec;

/* objects.c: makes the Pointer, Callback and Struct types of a module's state
 * (st->PointerType, ->CallbackType, ->StructType: new references kept there)
 * and fills st->kinds, the table through which the runtime makes them.
 * Every module on the runtime calls it first in its exec. 0 or -1 + exception. */
SB_INTERNAL int sb__objects_init(sb_state *st);

/* pointer.c: a new Pointer of the given pointer type (ptr >= 1). */
SB_INTERNAL PyObject *sb__pointer_new(sb_state *st, void *addr, sb_type type, PyObject *owner);
/* The same, for the Pointer type tp. */
SB_INTERNAL PyObject *sb__pointer_make(PyTypeObject *tp, void *addr, sb_type type, PyObject *owner);
/* A Pointer of the given type at addr that keeps self's memory alive and knows its region. */
SB_INTERNAL PyObject *sb__pointer_derive(PyObject *self, void *addr, sb_type type);
/* Elements of `size` bytes from p to the end of its known region, or -1 when unknown. */
SB_INTERNAL Py_ssize_t sb__pointer_known(const sb_pointer *p, size_t size);
/* Addresses below this are the NULL page: typed access refuses them (ValueError). */
#define SB_NULL_PAGE 4096u
/* A typed handle's release function ran on obj (if it is a Pointer): mark it dead. */
SB_INTERNAL void sb__pointer_released(sb_state *st, PyObject *obj);

/* Scalars that convert straight between C memory and Python objects, without
 * the cells (callback arguments and results, typed Pointer elements p[i]).
 * SB_FA_NONE: the general path. A Pointer's elem_fa caches its element's code
 * (0 = not looked up yet; SB_FA_SLOW = the general path). */
enum { SB_FA_NONE, SB_FA_I8, SB_FA_I16, SB_FA_I32, SB_FA_I64, SB_FA_U8, SB_FA_U16, SB_FA_U32, SB_FA_U64,
       SB_FA_BOOL, SB_FA_F32, SB_FA_F64, SB_FA_SLOW = 0xff };

/* The value of code fa (SB_FA_I8..SB_FA_F64) at p (aligned or not) as a new reference, or NULL + exception. */
static SB_ALWAYS_INLINE PyObject *sb__fa_get(uint8_t fa, const void *p)
{
    union { int8_t i8; int16_t i16; int32_t i32; int64_t i64; uint8_t u8; uint16_t u16; uint32_t u32; uint64_t u64;
            float f; double d; } v;
    switch (fa) {
    case SB_FA_I8: memcpy(&v.i8, p, 1); return PyLong_FromLong(v.i8);
    case SB_FA_I16: memcpy(&v.i16, p, 2); return PyLong_FromLong(v.i16);
    case SB_FA_I32: memcpy(&v.i32, p, 4); return PyLong_FromLong(v.i32);
    case SB_FA_I64: memcpy(&v.i64, p, 8); return PyLong_FromLongLong(v.i64);
    case SB_FA_U8: memcpy(&v.u8, p, 1); return PyLong_FromLong(v.u8);
    case SB_FA_U16: memcpy(&v.u16, p, 2); return PyLong_FromLong(v.u16);
    case SB_FA_U32: memcpy(&v.u32, p, 4); return PyLong_FromUnsignedLong(v.u32);
    case SB_FA_U64: memcpy(&v.u64, p, 8); return PyLong_FromUnsignedLongLong(v.u64);
    case SB_FA_BOOL: memcpy(&v.u8, p, 1); return PyBool_FromLong(v.u8);
    case SB_FA_F32: memcpy(&v.f, p, 4); return PyFloat_FromDouble(v.f);
    default: memcpy(&v.d, p, 8); return PyFloat_FromDouble(v.d);
    }
}

/* typedmem.c: the SB_FA_* code of elements of type e read through a Pointer, or SB_FA_SLOW. */
SB_INTERNAL uint8_t sb__elem_fa(sb_type e);

/* typedmem.c: elements of typed memory (scalars and pointers; struct types plug in here). */
/* The element type of pointer type t and its size; TypeError naming `what` when
 * it cannot be accessed (void *, opaque handles, PyObject *). 0 or -1. */
SB_INTERNAL int sb__elem_type(sb_type t, sb_type *elem, size_t *size, const char *what);
/* Can a value of type e live in typed memory? 0 or -1 + TypeError naming fn. */
SB_INTERNAL int sb__elem_check(sb_type e, const char *fn);
/* `char` elements read as bytes of length 1. */
SB_INTERNAL bool sb__elem_is_char(sb_type e);
/* Reads the element of type e at a (any alignment). ptrtype makes Pointers. New reference or NULL. */
SB_INTERNAL PyObject *sb__elem_get(PyTypeObject *ptrtype, sb_type e, const char *a);
/* sigbind.new(type, init=None) with type names resolved through scope (a Library's; may be
 * NULL), whose types scope_owner (that Library; may be NULL) keeps alive. */
SB_INTERNAL PyObject *sb__mem_new_in(PyObject *module, const sb_scope *scope, PyObject *scope_owner, PyObject *args,
                                     PyObject *kwds);
/* The same, where a struct element becomes a view that keeps `base` (the Pointer) alive. */
SB_INTERNAL PyObject *sb__elem_get_in(PyObject *base, PyTypeObject *ptrtype, sb_type e, const char *a);
/* Converts v and stores it at a (st, may be NULL: function pointer elements then take only
 * addresses, not Callbacks or functions); messages "fname() argument 'pname' (T) ...". init: const
 * elements may be written (sigbind.new's initial values). 0 or -1 + exception. */
SB_INTERNAL int sb__elem_set(PyTypeObject *ptrtype, sb_state *st, sb_type e, char *a, PyObject *v, const char *fname,
                             const char *pname, bool init);
/* sigbind.cast(type, obj) with type names resolved through scope (may be NULL); owner
 * (may be NULL: the obj) keeps what scope's types belong to alive. A function
 * pointer type gives a callable; NULL (0, None, a NULL Pointer) gives None. */
SB_INTERNAL PyObject *sb__mem_cast_in(PyObject *module, const sb_scope *scope, PyObject *owner, PyObject *args);
/* The module functions new, cast, sizeof, alignof, offsetof, string_at, buffer, from_buffer. */
SB_INTERNAL extern PyMethodDef sb__memory_functions[];

/* struct.c: Struct values. A copy of src (NULL: zeros), owner keeping L
 * alive (may be NULL until sb__struct_set_owner), module keeping st alive (may be NULL). */
SB_INTERNAL PyObject *sb__struct_new(sb_state *st, PyObject *module, const sb_layout *L, PyObject *owner,
                                     const void *src);
SB_INTERNAL bool sb__struct_check(sb_state *st, PyObject *obj);
/* A Struct over memory it does not own (an element of typed memory): base keeps it alive (may be NULL). */
SB_INTERNAL PyObject *sb__struct_view(const sb_layout *L, void *data, PyObject *base);
SB_INTERNAL void *sb__struct_data(PyObject *obj, const sb_layout **L);
SB_INTERNAL void sb__struct_set_owner(PyObject *obj, PyObject *owner);
/* offsetof(L, *path): member names (a dotted "a.b" is two), int indexes into array
 * members. New int, or NULL + AttributeError (no such member), IndexError, TypeError
 * (a bit-field, an index of a non-array). */
SB_INTERNAL PyObject *sb__struct_offsetof(const sb_layout *L, PyObject *path);
/* A Struct, dict or tuple -> the value of L at dst; `what` names it in messages. 0 or -1. */
SB_INTERNAL int sb__struct_store(sb_state *st, const sb_layout *L, PyObject *v, void *dst, const char *what);
/* The same for an argument (sb_kinds.struct_store): its name is only formatted when there is an error to report. */
SB_INTERNAL int sb__struct_store_arg(const sb_convctx *cx, const sb_layout *L, PyObject *v, void *dst);

/* callback.c. */
/* A Callback for `sig` (a function type; owned when owns_sig, also on failure)
 * calling `callable`; module (may be NULL) keeps st alive. error_result: what
 * C gets when the callable raises (NULL/None: zero). New reference or NULL. */
SB_INTERNAL PyObject *sb__callback_new(sb_state *st, PyObject *module, sb_sig *sig, bool owns_sig,
                                       PyObject *callable, PyObject *error_result);
/* A Callback for one call (sb_kinds.callback_for_call): its entry point is
 * freed with it, where a Callback of sigbind.callback() is never reused. */
SB_INTERNAL PyObject *sb__callback_for_call(sb_state *st, const sb_sig *sig, PyObject *callable, PyObject *owner);
/* The Callback keeps owner (what owns the types of its sig: a Library) alive until its sig is freed. */
SB_INTERNAL void sb__callback_set_owner(PyObject *obj, PyObject *owner);
SB_INTERNAL bool sb__callback_check(sb_state *st, PyObject *obj);
SB_INTERNAL void *sb__callback_address(PyObject *obj);
SB_INTERNAL const sb_sig *sb__callback_sig(PyObject *obj);

#endif
