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
/* The class `name` of a module's records (borrowed; NULL, no exception, when
 * it has none of that name); *ctor: instances need their constructor to run. */
SB_INTERNAL PyTypeObject *sb__class_find(void *records, sb_state *st, const char *name, bool *ctor);
/* module.c: a C-face module's class records (NULL: none, or not a C-face module). */
SB_INTERNAL void *sb__module_records(PyObject *module);
/* The C-face module whose code runs on this thread: sb__current_module when set, else the sole
 * module (module.c) when this thread is in its interpreter, else NULL. Borrowed; with the GIL. */
SB_INTERNAL PyObject *sb__module_now(void);
/* Turns the specialised slot entries of the module's classes off (class.c): from then on their
 * typed entries, which set sb__current_module, serve those slots. With the GIL. */
SB_INTERNAL void sb__classes_despecialise(sb_state *st);

/* raise.c: on a thread whose sigbind call released the GIL ([[nogil]],
 * sb_allow_threads), takes it back with the call's saved thread state and
 * makes the exception held for the call current; returns that call state,
 * or NULL (the GIL was held: nothing done). sb__gil_away(state) holds the
 * current exception for the call again and releases the GIL (NULL: no-op). */
SB_INTERNAL sb_callstate *sb__gil_back(void);
SB_INTERNAL void sb__gil_away(sb_callstate *cs);

#endif
