/* cface.h — cross-file internals of the C face: modules, classes, exceptions, calling Python, embedding. */
#ifndef SB_CFACE_H
#define SB_CFACE_H

#include "objects/objects.h"
#include "sigbind.h"

/* class.c: creates the module's classes (C face) into st->classes and the module. 0 or -1. */
struct sb_module_def;
SB_INTERNAL int sb__classes_add(PyObject *module, sb_state *st, const struct sb_module_def *def, void **records);
/* The scope of a module's class names for its signatures (NULL when it has none). */
SB_INTERNAL const sb_scope *sb__classes_scope(void *records);

#endif
