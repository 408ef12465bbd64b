/* sigbind.h — the public C API of sigbind. */
#ifndef SIGBIND_H
#define SIGBIND_H

/*
 * sigbind today is the `sigbind` Python module (the Python face: bind C
 * functions of existing libraries by their prototypes; see README.md).
 *
 * The C face — extension modules written in plain C, with functions, classes
 * and exceptions registered by signature strings — is not built yet (issue
 * #3). Its declarations (SB_MODULE, SB_FUNCTION, sb_raise, ...) will be added
 * here, each documented with its ownership (new/borrowed reference, who frees
 * what), whether it needs the GIL, and how it fails.
 *
 * What this header holds now: the version of the runtime it belongs to.
 */

#define SIGBIND_VERSION_MAJOR 0
#define SIGBIND_VERSION_MINOR 1
#define SIGBIND_VERSION_PATCH 0
/* 0xMMmmpp00, comparable like PY_VERSION_HEX */
#define SIGBIND_VERSION_HEX                                                                                       \
    ((SIGBIND_VERSION_MAJOR << 24) | (SIGBIND_VERSION_MINOR << 16) | (SIGBIND_VERSION_PATCH << 8))

#endif
