/* custom_exception.c — the PyO3 guide's exception example in C: a module-defined exception type raised from C. */
#include <sigbind.h>

/* Raises mymodule.CustomError when `fail` is true; returns 0 otherwise. */
static int check(bool fail)
{
    if (fail)
        return sb_raise("CustomError", "oops");
    return 0;
}

/* Divides, raising the builtin ZeroDivisionError like Python would. */
static double divide(double a, double b)
{
    if (b == 0.0)
        sb_raise("ZeroDivisionError", "divide(%g, 0): division by zero", a);
    return b == 0.0 ? 0.0 : a / b;
}

/* Catches an OSError coming from Python code and raises CustomError from it. */
static PyObject *open_or_custom(PyObject *opener, const char *path)
{
    PyObject *r = sb_call(opener, "(const char *path)", path);
    if (!r && sb_exception_matches("OSError"))
        sb_raise_from("CustomError", "could not open %s", path);
    return r;
}

static const sb_exception_def exceptions[] = {
    SB_EXCEPTION("CustomError", "Exception", "The module's own error."),
    SB_END,
};

static const sb_function_def functions[] = {
    SB_FUNCTION(check, "int check(bool fail = false)", "Raises CustomError('oops') when fail is true."),
    SB_FUNCTION(divide, "double divide(double a, double b)", "a / b, ZeroDivisionError for b == 0."),
    SB_FUNCTION(open_or_custom, "PyObject *open_or_custom(PyObject *opener, const char *path)",
                "opener(path), with OSError turned into CustomError (raise ... from ...)."),
    SB_END,
};

SB_MODULE(mymodule, .doc = "The PyO3 guide's custom exception, in C.", .functions = functions,
          .exceptions = exceptions);
