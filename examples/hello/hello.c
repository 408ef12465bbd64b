/* hello.c — the seed's first program, embedding Python in C: prints "Hello <user>, I'm Python <sys.version>". */
/*
 * PyO3's version:
 *     let sys = py.import("sys")?;
 *     let version: String = sys.get("version")?.extract()?;
 *     let locals = PyDict::new(py);
 *     locals.set_item("os", py.import("os")?)?;
 *     let user: String = py.eval("os.getenv('USER') or os.getenv('USERNAME')", None, Some(&locals))?.extract()?;
 *     println!("Hello {}, I'm Python {}", user, version);
 *
 * Built once against the stable ABI and linked with libpython3.so: the
 * CPython that runs it is whichever libpython3.so the dynamic linker finds
 * (LD_LIBRARY_PATH=<prefix>/lib PYTHONHOME=<prefix> ./hello).
 */
#include <stdio.h>

#include <sigbind.h>

/* The UTF-8 text of a str: *text points into *keep (a bytes object the
 * caller releases). sb_extract borrows a str's UTF-8 only on 3.10+, so the
 * str is encoded first: bytes work on every version. 0 or -1. */
static int text_of(PyObject *str, const char **text, PyObject **keep)
{
    /* surrogateescape: undecodable bytes of the environment come back as they were */
    *keep = sb_call_method(str, "encode", "(const char *encoding, const char *errors)", "utf-8", "surrogateescape");
    if (!*keep)
        return -1;
    return sb_extract(*keep, "const char *", text);
}

static int hello(void)
{
    int rc = -1;
    PyObject *sys = NULL, *version = NULL, *version_b = NULL, *os = NULL, *locals = NULL, *user = NULL,
             *user_b = NULL;
    const char *version_s, *user_s;

    if (!(sys = sb_import("sys")) || !(version = sb_getattr(sys, "version")) ||
        text_of(version, &version_s, &version_b) < 0)
        goto done;

    if (!(os = sb_import("os")) || !(locals = sb_dict("(PyObject *os)", os)))
        goto done;
    /* globals NULL: a fresh namespace holding the builtins. */
    if (!(user = sb_eval("os.getenv('USER') or os.getenv('USERNAME')", NULL, locals)))
        goto done;
    if (text_of(user, &user_s, &user_b) < 0) {
        if (sb_exception_matches("AttributeError")) { /* None has no encode() */
            sb_error_clear();
            fprintf(stderr, "hello: no user name (neither USER nor USERNAME is set)\n");
        }
        goto done;
    }

    printf("Hello %s, I'm Python %s\n", user_s, version_s);
    rc = 0;
done:
    if (rc < 0)
        sb_error_print(); /* the traceback, if an exception is set */
    sb_decref(user_b);
    sb_decref(user);
    sb_decref(locals);
    sb_decref(os);
    sb_decref(version_b);
    sb_decref(version);
    sb_decref(sys);
    return rc;
}

int main(void)
{
    if (sb_embed_init() < 0) {
        fprintf(stderr, "hello: cannot start Python\n");
        return 1;
    }
    int rc = hello();
    if (sb_embed_finalize() < 0)
        rc = -1;
    return rc < 0 ? 1 : 0;
}
