/* pyface.h — cross-file internals of the Python face: the `sigbind` module and its Library. */
#ifndef SB_PYFACE_H
#define SB_PYFACE_H

#include "objects/objects.h"

typedef struct sb_library {
    PyObject_HEAD
    void *handle;
    PyObject *path;                /* str, or None for the running process */
    PyObject *module;              /* strong */
    PyObject *funcs;               /* dict: name -> bound function */
    PyObject *missing;             /* dict: declared function the library lacks -> message, or NULL */
    PyObject *globals;             /* dict: global variable name -> its index in types->g (ints only), or NULL */
    PyObject *skipped;             /* list: (text, file, line, reason) of what include() could not declare, or NULL */
    PyObject *gkeep;               /* dict: global name -> the object last assigned to it (C may keep it), or NULL */
    struct sb_libtypes *types;     /* typedefs of its declarations (owned, plain C), or NULL */
    sb_scope scope;                /* resolves those names in its signatures */
    sb_scope dscope;               /* the same for declarations: also declares `struct tag *` of a tag not
                                      yet defined (an incomplete type, completed by its definition);
                                      dscope.pack: the `#pragma pack` in force (pack: its stack) */
    sb_pack pack;
    sb_constscope cscope;          /* its integer constants, for array lengths in declarations (dscope.consts) */
} sb_library;

SB_INTERNAL extern PyType_Spec sb__library_spec;

/* library.c: Library.declare(text): the block's declarations, all or nothing. None or NULL + exception. */
SB_INTERNAL PyObject *sb__library_declare(PyObject *self, PyObject *text);
/* sigbind._lookup_steps(lib): the entries lib's type lookups visited so far (a test hook for linearity, kept out
 * of the Library's dir()/help()); a new int, or NULL + TypeError when lib is not a Library. */
SB_INTERNAL PyObject *sb__library_lookup_steps(PyObject *module, PyObject *lib);
/* callback(type, callable, *, error_result=None) for the module (scope and owner NULL) and a Library (its
 * scope, owner the Library, kept by the Callback). A new Callback, or NULL with an exception set; GIL held. */
SB_INTERNAL PyObject *sb__callback_make(PyObject *module, const sb_scope *scope, PyObject *owner, PyObject *args,
                                        PyObject *kwds);
/* header.c: Library.include(header, *, include_dirs=None, defines=None): the preprocessed header's
 * declarations one by one, failures into lib.skipped. A dict of counts, or NULL + exception. */
SB_INTERNAL PyObject *sb__library_include(PyObject *self, PyObject *args, PyObject *kwds);

/* stubgen.c: Library.stub(): the .pyi text of its bound functions, constants and globals (a new str), or
 * NULL + exception. */
SB_INTERNAL PyObject *sb__library_stub(PyObject *self, PyObject *unused);
/* library.c: sigbind.load(name, declarations). New reference or NULL + exception. */
SB_INTERNAL PyObject *sb__load(PyObject *module, PyObject *name, PyObject *decls);
/* library.c: a result or out value of a typed handle type (type.named set): ties
 * the Pointer to the Library that names its type and, for `T *` of a type with
 * [[release(fn)]] (unless the function said [[borrowed]]), to fn. Steals v; returns it, or NULL with an exception. */
SB_INTERNAL PyObject *sb__library_adopt(PyObject *lib, sb_type type, PyObject *v, bool owned);

#endif
