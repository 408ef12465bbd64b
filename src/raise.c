/* raise.c — the C face's exceptions: sb_raise and friends, names resolved against builtins, the calling module and dotted Python names. */
#include "pyinternal.h"
_Thread_local PyObject *sb__current_module;
