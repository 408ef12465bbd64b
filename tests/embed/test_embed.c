/* test_embed.c — the embedding and GIL API of sigbind.h (sb_embed_*, sb_import, sb_eval, sb_exec, sb_gil_*, sb_allow_threads), from a C program using sigbind.h only. */
/*
 * Built once (linked with the runtime and libpython3.so, no rpath) and run by
 * run_embedded.py against every libpython3.so >= 3.7 on the machine. Each
 * failed check prints "FAIL file:line: message"; the exit status is 1 if any
 * failed, 0 otherwise.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sigbind.h>

static int failures, checks;

#define FAIL(...)                                                                                                  \
    do {                                                                                                           \
        fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                                       \
        fprintf(stderr, __VA_ARGS__);                                                                              \
        fputc('\n', stderr);                                                                                       \
        failures++;                                                                                                \
    } while (0)

#define CHECK(cond, ...)                                                                                           \
    do {                                                                                                           \
        checks++;                                                                                                  \
        if (!(cond))                                                                                               \
            FAIL(__VA_ARGS__);                                                                                     \
    } while (0)

/* A check the rest of the program cannot go on without (cond is evaluated once). */
#define REQUIRE(cond, ...)                                                                                         \
    do {                                                                                                           \
        checks++;                                                                                                  \
        if (!(cond)) {                                                                                             \
            FAIL(__VA_ARGS__);                                                                                     \
            sb_error_print();                                                                                      \
            fprintf(stderr, "test_embed: cannot go on (%d of %d checks failed)\n", failures, checks);             \
            exit(1);                                                                                               \
        }                                                                                                          \
    } while (0)

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

/* The value of an int expression, or INT64_MIN (the failure reported). */
static int64_t eval_int(const char *expr, PyObject *g, PyObject *l, int line)
{
    PyObject *v = sb_eval(expr, g, l);
    int64_t out = INT64_MIN;
    if (!v || sb_extract(v, "int64_t", &out) < 0) {
        fprintf(stderr, "FAIL %s:%d: cannot evaluate %s as int64_t:\n", __FILE__, line, expr);
        failures++;
        sb_error_print();
        out = INT64_MIN;
    }
    sb_decref(v);
    return out;
}
#define EVAL_INT(expr, g, l) eval_int((expr), (g), (l), __LINE__)

/* Evaluates a str expression into buf (UTF-8), or "<error>" (the failure
 * reported). sb_extract borrows a str's UTF-8 only on 3.10+, so the text is
 * encoded into bytes in Python. */
static const char *eval_str(const char *expr, PyObject *g, PyObject *l, char *buf, size_t size, int line)
{
    PyObject *v = sb_eval(expr, g, l);
    PyObject *b = v ? sb_call_method(v, "encode", "(const char *encoding)", "utf-8") : NULL;
    const char *s = NULL;
    if (!b || sb_extract(b, "const char *", &s) < 0 || !s) {
        fprintf(stderr, "FAIL %s:%d: cannot evaluate %s as str:\n", __FILE__, line, expr);
        failures++;
        sb_error_print();
        s = "<error>";
    }
    snprintf(buf, size, "%s", s);
    sb_decref(b);
    sb_decref(v);
    return buf;
}
#define EVAL_STR(expr, g, l, buf) eval_str((expr), (g), (l), (buf), sizeof(buf), __LINE__)

static void exec_or_fail(const char *code, PyObject *g, PyObject *l, int line)
{
    if (sb_exec(code, g, l) < 0) {
        fprintf(stderr, "FAIL %s:%d: cannot run:\n%s\n", __FILE__, line, code);
        failures++;
        sb_error_print();
    }
}
#define EXEC(code, g, l) exec_or_fail((code), (g), (l), __LINE__)

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */

static void test_init_twice(void)
{
    /* main() started the interpreter; starting it again does nothing. */
    CHECK(sb_embed_init() == 0, "a second sb_embed_init() (interpreter running) should return 0");
    CHECK(sb_embed_init() == 0, "a third sb_embed_init() should return 0 too");
    CHECK(EVAL_INT("40 + 2", NULL, NULL) == 42, "sb_eval works after repeated sb_embed_init()");
    /* threading was imported by sb_embed_init, on this thread: it is the main thread
     * (had a foreign thread imported it first, that one would be "MainThread"). */
    CHECK(EVAL_INT("'threading' in __import__('sys').modules", NULL, NULL) == 1,
          "sb_embed_init() should import threading on the initializing thread");
    CHECK(EVAL_INT("__import__('threading').current_thread() is __import__('threading').main_thread()", NULL,
                   NULL) == 1,
          "the thread that called sb_embed_init() is threading's main thread");
    /* sys.argv is [''] on every version (3.7 alone would leave it empty). */
    char buf[64];
    CHECK(strcmp(EVAL_STR("repr(__import__('sys').argv)", NULL, NULL, buf), "['']") == 0,
          "sys.argv should be [''] after sb_embed_init, got %s", buf);
}

static void test_eval(void)
{
    char buf[256];
    CHECK(EVAL_INT("1 + 2 * 3", NULL, NULL) == 7, "sb_eval(\"1 + 2 * 3\") should be 7");
    CHECK(EVAL_INT("len([1, 2, 3]) + abs(-10)", NULL, NULL) == 13, "builtins are reachable with globals NULL");
    CHECK(EVAL_INT("2 ** 62", NULL, NULL) == (int64_t)1 << 62, "big ints come back exactly");
    CHECK(strcmp(EVAL_STR("'ab' * 3 + str(1.5)", NULL, NULL, buf), "ababab1.5") == 0,
          "sb_eval of a str expression: got %s", buf);
    CHECK(strcmp(EVAL_STR("'\\u00e9t\\u00e9'", NULL, NULL, buf), "\xc3\xa9t\xc3\xa9") == 0,
          "non-ASCII text comes back as UTF-8: got %s", buf);

    double d = 0;
    PyObject *v = sb_eval("1 / 4", NULL, NULL);
    CHECK(v && sb_extract(v, "double", &d) == 0 && d == 0.25, "sb_eval(\"1 / 4\") should be 0.25");
    sb_decref(v);

    /* Each sb_eval with globals NULL gets a fresh namespace. */
    PyObject *g = sb_namespace();
    REQUIRE(g != NULL, "sb_namespace() failed");
    CHECK(EVAL_INT("len(globals())", g, NULL) == 1, "sb_namespace() holds only __builtins__");
    CHECK(EVAL_INT("'__builtins__' in globals()", g, NULL) == 1, "sb_namespace() holds __builtins__");
    PyObject *g2 = sb_namespace();
    CHECK(g2 && g2 != g, "each sb_namespace() is a new dict");
    sb_decref(g2);
    sb_decref(g);

    /* Statements are not expressions: SyntaxError, nothing run. */
    v = sb_eval("x = 1", NULL, NULL);
    CHECK(v == NULL && sb_exception_matches("SyntaxError"), "sb_eval of a statement raises SyntaxError");
    sb_error_clear();
    v = sb_eval("1 +", NULL, NULL);
    CHECK(v == NULL && sb_exception_matches("SyntaxError"), "sb_eval of broken text raises SyntaxError");
    sb_error_clear();
    v = sb_eval(NULL, NULL, NULL);
    CHECK(v == NULL && sb_exception_matches("SystemError"), "sb_eval(NULL) raises SystemError");
    sb_error_clear();
}

static void test_exec_namespaces(void)
{
    PyObject *g = sb_namespace();
    PyObject *l = sb_eval("{}", NULL, NULL);
    REQUIRE(g && l, "cannot make namespaces");

    /* Given globals and locals: names are bound in locals. */
    CHECK(sb_exec("x = 6 * 7\ny = x + 1\n", g, l) == 0, "sb_exec with globals and locals");
    CHECK(EVAL_INT("x", g, l) == 42, "x read back with the same namespaces");
    CHECK(EVAL_INT("y", g, l) == 43, "y read back with the same namespaces");
    CHECK(EVAL_INT("'x' in globals()", g, l) == 0, "x went to locals, not globals");
    CHECK(EVAL_INT("sorted(locals()) == ['x', 'y']", g, l) == 1, "locals holds exactly x and y");

    /* locals NULL = globals: definitions see each other across calls. */
    EXEC("base = 100\n"
         "def add(n):\n"
         "    return base + n\n",
         g, NULL);
    CHECK(EVAL_INT("add(5)", g, NULL) == 105, "a function defined by sb_exec, called by sb_eval");
    EXEC("base = 1000\n", g, NULL);
    CHECK(EVAL_INT("add(5)", g, NULL) == 1005, "the function reads the same globals");

    /* A plain dict without __builtins__ gets them, like Python's exec(). */
    PyObject *bare = sb_eval("{'n': 3}", NULL, NULL);
    REQUIRE(bare != NULL, "cannot make a dict");
    CHECK(sb_exec("m = len('abcd') * n\n", bare, NULL) == 0, "sb_exec with a dict lacking __builtins__");
    CHECK(EVAL_INT("m", bare, NULL) == 12, "builtins resolve in a bare dict");
    sb_decref(bare);

    /* Imports inside exec'd code; classes; loops. */
    EXEC("import json\n"
         "class P:\n"
         "    def __init__(self, v):\n"
         "        self.v = v\n"
         "total = sum(P(i).v for i in range(10))\n"
         "text = json.dumps({'a': [1, 2]})\n",
         g, NULL);
    CHECK(EVAL_INT("total", g, NULL) == 45, "class and generator in sb_exec");
    char buf[64];
    CHECK(strcmp(EVAL_STR("text", g, NULL, buf), "{\"a\": [1, 2]}") == 0, "json in sb_exec: %s", buf);

    /* Wrong namespace types are TypeErrors, never crashes. */
    PyObject *lst = sb_eval("[1]", NULL, NULL);
    CHECK(sb_eval("1", lst, NULL) == NULL && sb_exception_matches("TypeError"), "list globals raise TypeError");
    sb_error_clear();
    CHECK(sb_exec("pass", lst, NULL) == -1 && sb_exception_matches("TypeError"), "sb_exec: list globals");
    sb_error_clear();
    sb_decref(lst);
    PyObject *num = sb_eval("5", NULL, NULL);
    CHECK(sb_eval("1", g, num) == NULL && sb_exception_matches("TypeError"), "int locals raise TypeError");
    sb_error_clear();
    sb_decref(num);

    /* A mapping that is not a dict works as locals (as in eval()). */
    PyObject *cm = sb_eval("__import__('collections').ChainMap({'q': 7})", NULL, NULL);
    CHECK(cm && EVAL_INT("q * 2", g, cm) == 14, "a ChainMap as locals");
    sb_decref(cm);

    sb_decref(l);
    sb_decref(g);
}

/* Prints the pending exception with sb_error_print(), sys.stderr redirected to
 * a StringIO; checks the exception is cleared and leaves the printed text in
 * buf (also echoed to the real stderr). */
static void print_captured(PyObject *ns, char *buf, size_t size)
{
    /* The exception is pending: take it out while sys.stderr is swapped. */
    PyObject *exc = sb_error_fetch();
    if (sb_exec("import io, sys\nsaved = sys.stderr\nsys.stderr = io.StringIO()\n", ns, NULL) < 0) {
        FAIL("cannot redirect sys.stderr");
        sb_error_print();
        sb_decref(exc);
        snprintf(buf, size, "<error>");
        return;
    }
    sb_error_restore(exc);
    sb_error_print();
    CHECK(!sb_error_occurred(), "sb_error_print() should clear the exception");
    sb_error_clear();
    eval_str("sys.stderr.getvalue()", ns, NULL, buf, size, __LINE__);
    EXEC("sys.stderr = saved\n", ns, NULL);
    fprintf(stderr, "--- sb_error_print() printed:\n%s---\n", buf);
}

static void test_errors(void)
{
    char buf[2048];
    PyObject *ns = sb_namespace();
    REQUIRE(ns != NULL, "sb_namespace() failed");
    EXEC("def inner():\n"
         "    return 1 // 0\n"
         "def outer():\n"
         "    return inner()\n",
         ns, NULL);

    PyObject *v = sb_eval("outer()", ns, NULL);
    CHECK(v == NULL, "an exception in sb_eval returns NULL");
    CHECK(sb_error_occurred(), "... with the exception set");
    CHECK(sb_exception_matches("ZeroDivisionError"), "... a ZeroDivisionError");
    CHECK(sb_exception_matches("ArithmeticError"), "... which matches its base class");
    print_captured(ns, buf, sizeof buf);
    CHECK(strstr(buf, "Traceback (most recent call last):") != NULL, "the traceback is printed");
    CHECK(strstr(buf, "File \"<sb_eval>\", line 1") != NULL, "the traceback names <sb_eval>");
    CHECK(strstr(buf, "File \"<sb_exec>\", line 2, in inner") != NULL, "the traceback reaches inner()");
    CHECK(strstr(buf, "ZeroDivisionError") != NULL, "the exception is printed");

    CHECK(sb_exec("raise KeyError('k')", ns, NULL) == -1, "an exception in sb_exec returns -1");
    CHECK(sb_exception_matches("KeyError"), "... with KeyError set");
    print_captured(ns, buf, sizeof buf);
    CHECK(strstr(buf, "KeyError: 'k'") != NULL, "KeyError printed");

    /* SystemExit is printed like any other exception: the program goes on. */
    CHECK(sb_exec("raise SystemExit(3)", ns, NULL) == -1, "SystemExit in sb_exec returns -1");
    CHECK(sb_exception_matches("SystemExit"), "... with SystemExit set");
    print_captured(ns, buf, sizeof buf);
    CHECK(strstr(buf, "SystemExit: 3") != NULL, "SystemExit printed, process still running");

    /* Nothing set: nothing printed, nothing raised. */
    sb_error_print();
    CHECK(!sb_error_occurred(), "sb_error_print() with no exception does nothing");
    sb_decref(ns);
}

static void test_import_getattr(void)
{
    PyObject *m = sb_import("sigbind_no_such_module_xyz");
    CHECK(m == NULL, "importing a missing module returns NULL");
    CHECK(sb_exception_matches("ModuleNotFoundError"), "... with ModuleNotFoundError");
    CHECK(sb_exception_matches("ImportError"), "... an ImportError");
    sb_error_clear();

    m = sb_import("os.path");
    CHECK(m != NULL, "sb_import(\"os.path\") works");
    PyObject *join = sb_getattr(m, "join");
    CHECK(join != NULL, "sb_getattr(os.path, \"join\")");
    PyObject *r = join ? sb_call(join, "(const char *a, const char *b)", "usr", "lib") : NULL;
    PyObject *rb = r ? sb_call_method(r, "encode", NULL) : NULL;
    const char *s = NULL;
    CHECK(rb && sb_extract(rb, "const char *", &s) == 0 && s && strcmp(s, "usr/lib") == 0,
          "os.path.join from sb_getattr works");
    sb_error_clear();
    sb_decref(rb);
    sb_decref(r);
    sb_decref(join);

    PyObject *none = sb_getattr(m, "no_such_attribute");
    CHECK(none == NULL && sb_exception_matches("AttributeError"), "a missing attribute raises AttributeError");
    sb_error_clear();
    CHECK(sb_getattr(NULL, "x") == NULL && sb_exception_matches("SystemError"), "sb_getattr(NULL) is SystemError");
    sb_error_clear();
    CHECK(sb_import(NULL) == NULL && sb_exception_matches("SystemError"), "sb_import(NULL) is SystemError");
    sb_error_clear();
    sb_decref(m);
}

static void test_refcounts(void)
{
    PyObject *ns = sb_namespace();
    EXEC("import sys\nobj = object()\n", ns, NULL);
    PyObject *obj = sb_eval("obj", ns, NULL);
    REQUIRE(obj != NULL, "cannot get an object");
    int64_t r0 = EVAL_INT("sys.getrefcount(obj)", ns, NULL);
    sb_incref(obj);
    CHECK(EVAL_INT("sys.getrefcount(obj)", ns, NULL) == r0 + 1, "sb_incref adds one reference");
    sb_decref(obj);
    CHECK(EVAL_INT("sys.getrefcount(obj)", ns, NULL) == r0, "sb_decref drops it");
    sb_decref(obj);
    CHECK(EVAL_INT("sys.getrefcount(obj)", ns, NULL) == r0 - 1, "our own reference is gone");
    sb_decref(NULL); /* allowed */
    sb_incref(NULL); /* harmless */
    sb_decref(ns);
}

/* --- sb_allow_threads ------------------------------------------------ */

/* What the function run without the GIL sees: did a byte written by a
 * Python thread arrive while it ran? */
typedef struct pipe_probe {
    int fd;          /* read end, non-blocking */
    int timeout_ms;  /* how long to wait for a new byte */
    int got;         /* 1: a new byte arrived */
    int calls;
} pipe_probe;

static void drain(int fd)
{
    char buf[4096];
    while (read(fd, buf, sizeof buf) > 0)
        ;
}

/* Must not touch Python. Empties the pipe (also of a write that was in
 * flight when the GIL changed hands), then waits for a byte that only a
 * running Python thread can write. */
static void wait_for_python(void *arg)
{
    pipe_probe *p = arg;
    p->calls++;
    drain(p->fd);
    sleep_ms(50);
    drain(p->fd);
    struct pollfd pfd = {p->fd, POLLIN, 0};
    int n;
    while ((n = poll(&pfd, 1, p->timeout_ms)) < 0 && errno == EINTR)
        ;
    p->got = n > 0 && (pfd.revents & POLLIN);
}

static void test_allow_threads(void)
{
    PyObject *ns = sb_namespace();
    EXEC("import os, threading, time\n"
         "r, w = os.pipe()\n"
         "stop = False\n"
         "def writer():\n"
         "    while not stop:\n"
         "        os.write(w, b'x')\n"
         "        time.sleep(0.002)\n"
         "t = threading.Thread(target=writer)\n"
         "t.start()\n",
         ns, NULL);
    int64_t rfd = EVAL_INT("r", ns, NULL);
    REQUIRE(rfd >= 0, "no pipe");
    int fl = fcntl((int)rfd, F_GETFL);
    REQUIRE(fl >= 0 && fcntl((int)rfd, F_SETFL, fl | O_NONBLOCK) == 0, "cannot make the pipe non-blocking");

    /* Control: holding the GIL, the Python thread cannot write. */
    pipe_probe held = {(int)rfd, 300, -1, 0};
    wait_for_python(&held);
    CHECK(held.got == 0, "control: with the GIL held no Python thread should run (the probe is broken)");

    /* With the GIL released, it runs while fn waits. */
    pipe_probe freed = {(int)rfd, 5000, -1, 0};
    sb_allow_threads(wait_for_python, &freed);
    CHECK(freed.calls == 1, "sb_allow_threads runs fn exactly once (ran %d times)", freed.calls);
    CHECK(freed.got == 1, "a Python thread should run while fn runs under sb_allow_threads");
    /* The GIL is back: Python works. */
    CHECK(EVAL_INT("3 * 3", ns, NULL) == 9, "Python works after sb_allow_threads");

    sb_allow_threads(NULL, NULL); /* nothing to run: a no-op */

    EXEC("stop = True\nt.join()\nos.close(r)\nos.close(w)\n", ns, NULL);
    CHECK(EVAL_INT("t.is_alive()", ns, NULL) == 0, "the writer thread stopped");
    sb_decref(ns);
}

/* --- sb_gil_acquire from threads Python never saw ---------------------- */

typedef struct thread_job {
    int id;
    int64_t result, nested_result, after_nested, thread_name_ok;
    char name[64];
} thread_job;

static void *foreign_thread(void *arg)
{
    thread_job *job = arg;
    sb_gil g = sb_gil_acquire();
    PyObject *ns = sb_namespace();
    PyObject *n = sb_tuple("(int64_t id)", (int64_t)job->id);
    if (ns && n) {
        PyObject *v = sb_eval("__import__('threading').current_thread().name", ns, NULL);
        PyObject *vb = v ? sb_call_method(v, "encode", NULL) : NULL;
        const char *s = NULL;
        if (vb && sb_extract(vb, "const char *", &s) == 0 && s)
            snprintf(job->name, sizeof job->name, "%s", s);
        sb_decref(vb);
        sb_decref(v);
        PyObject *r = sb_eval("sum(range(10)) * 1000", ns, NULL);
        if (r)
            sb_extract(r, "int64_t", &job->result);
        sb_decref(r);

        /* Nested acquire on a thread that holds the GIL. */
        sb_gil g2 = sb_gil_acquire();
        r = sb_eval("6 * 7", ns, NULL);
        if (r)
            sb_extract(r, "int64_t", &job->nested_result);
        sb_decref(r);
        sb_gil_release(g2);

        /* Still held after the inner release. */
        r = sb_eval("2 + 2", ns, NULL);
        if (r)
            sb_extract(r, "int64_t", &job->after_nested);
        sb_decref(r);
    }
    if (sb_error_occurred())
        sb_error_print();
    sb_decref(n);
    sb_decref(ns);
    sb_gil_release(g);
    return NULL;
}

/* Run by sb_allow_threads: waits for a thread without holding the GIL. */
static void join_thread(void *arg)
{
    int err = pthread_join(*(pthread_t *)arg, NULL);
    if (err) {
        fprintf(stderr, "FAIL %s:%d: pthread_join: %s\n", __FILE__, __LINE__, strerror(err));
        exit(1);
    }
}

static void test_foreign_threads(void)
{
    for (int round = 0; round < 3; round++) {
        thread_job job = {round, -1, -1, -1, 0, ""};
        pthread_t th;
        REQUIRE(pthread_create(&th, NULL, foreign_thread, &job) == 0, "pthread_create failed");
        /* The main thread holds the GIL: release it while waiting. */
        sb_allow_threads(join_thread, &th);
        CHECK(job.result == 45000, "round %d: sb_eval on a foreign thread gave %lld", round, (long long)job.result);
        CHECK(job.nested_result == 42, "round %d: nested sb_gil_acquire: got %lld", round,
              (long long)job.nested_result);
        CHECK(job.after_nested == 4, "round %d: GIL still held after the nested release", round);
        CHECK(strncmp(job.name, "Dummy-", 6) == 0, "round %d: Python sees a dummy thread, got '%s'", round, job.name);
    }

    /* Two foreign threads at once, contending for the GIL. */
    thread_job jobs[2] = {{10, -1, -1, -1, 0, ""}, {11, -1, -1, -1, 0, ""}};
    pthread_t ths[2];
    for (int i = 0; i < 2; i++)
        REQUIRE(pthread_create(&ths[i], NULL, foreign_thread, &jobs[i]) == 0, "pthread_create failed");
    for (int i = 0; i < 2; i++) {
        sb_allow_threads(join_thread, &ths[i]);
        CHECK(jobs[i].result == 45000 && jobs[i].nested_result == 42 && jobs[i].after_nested == 4,
              "concurrent foreign thread %d", i);
    }

    /* On the main thread, which holds the GIL: nesting works and keeps it. */
    sb_gil g = sb_gil_acquire();
    CHECK(EVAL_INT("1 + 1", NULL, NULL) == 2, "sb_gil_acquire on the thread holding the GIL");
    sb_gil_release(g);
    CHECK(EVAL_INT("2 + 1", NULL, NULL) == 3, "the main thread still holds the GIL after release");
}

static void test_finalize(void)
{
    CHECK(sb_embed_finalize() == 0, "sb_embed_finalize() should return 0");
    CHECK(sb_embed_finalize() == 0, "sb_embed_finalize() with nothing running should return 0");
    /* And again: start, use, stop. */
    CHECK(sb_embed_init() == 0, "sb_embed_init() after finalize");
    CHECK(EVAL_INT("sum([1, 2, 3])", NULL, NULL) == 6, "sb_eval after re-initialization");
    CHECK(sb_embed_finalize() == 0, "second sb_embed_finalize()");
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    REQUIRE(sb_embed_init() == 0, "sb_embed_init() failed");
    test_init_twice();
    test_eval();
    test_exec_namespaces();
    test_errors();
    test_import_getattr();
    test_refcounts();
    test_allow_threads();
    test_foreign_threads();
    test_finalize();
    if (failures) {
        fprintf(stderr, "test_embed: %d of %d checks FAILED\n", failures, checks);
        return 1;
    }
    printf("test_embed: all %d checks passed\n", checks);
    return 0;
}
