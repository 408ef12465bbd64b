/* errors.c — turning plain-C errors (sb_error) into Python exceptions: SignatureError with text and caret. */
#include "runtime/runtime.h"

#include <string.h>

void sb__raise_sigerror(sb_state *st, const char *text, size_t len, const sb_error *err, const char *what)
{
    /* The text on one line (newlines and tabs become spaces, so the caret lines up). */
    size_t show = len > 400 ? 400 : len;
    char line[404];
    for (size_t i = 0; i < show; i++) {
        char c = text[i];
        line[i] = (c == '\n' || c == '\r' || c == '\t' || c == '\0') ? ' ' : c;
    }
    line[show] = '\0';
    PyObject *msg;
    size_t col = err->col;
    if (col != (size_t)-1 && col <= show) {
        char caret[404];
        memset(caret, ' ', col);
        caret[col] = '^';
        caret[col + 1] = '\0';
        msg = PyUnicode_FromFormat("%s%s%s (column %zu)\n    %s\n    %s", what ? what : "", what ? ": " : "",
                                   err->msg, col + 1, line, caret);
    } else {
        msg = PyUnicode_FromFormat("%s%s%s\n    %s", what ? what : "", what ? ": " : "", err->msg, line);
    }
    if (!msg)
        return;
    PyObject *exc = PyObject_CallFunctionObjArgs(st->SignatureError, msg, NULL);
    Py_DECREF(msg);
    if (!exc)
        return;
    PyObject *t = PyUnicode_DecodeUTF8(text, (Py_ssize_t)len, "replace");
    PyObject *c = col != (size_t)-1 ? PyLong_FromSize_t(col + 1) : (Py_INCREF(Py_None), Py_None);
    PyObject *r = PyUnicode_FromString(err->msg);
    if (t && c && r && PyObject_SetAttrString(exc, "text", t) == 0 && PyObject_SetAttrString(exc, "column", c) == 0 &&
        PyObject_SetAttrString(exc, "reason", r) == 0)
        PyErr_SetObject(st->SignatureError, exc);
    Py_XDECREF(t);
    Py_XDECREF(c);
    Py_XDECREF(r);
    Py_DECREF(exc);
}

sb_plan *sb__plan_from_text(sb_state *st, const char *text, size_t len)
{
    return sb__plan_from_text_in(st, text, len, NULL);
}

sb_plan *sb__plan_from_text_in(sb_state *st, const char *text, size_t len, const char *context)
{
    return sb__plan_from_text_ex(st, text, len, context, NULL, 0);
}

sb_plan *sb__plan_from_text_ex(sb_state *st, const char *text, size_t len, const char *context,
                               const sb_scope *scope, uint32_t sigflags)
{
    sb_error err;
    sb_sig *sig = sb__sig_parse_in(text, len, scope, &err);
    if (!sig) {
        sb__raise_sigerror(st, text, len, &err, context);
        return NULL;
    }
    sig->flags |= sigflags;
    char name[192];
    snprintf(name, sizeof name, "%s%s%s()", context ? context : "", context ? ": " : "", sig->name);
    sb_plan *plan = sb__plan_new(sig, &err);
    if (!plan) {
        if (err.col != (size_t)-1 && err.col > len)
            err.col = (size_t)-1;
        sb__raise_sigerror(st, text, len, &err, name);
    }
    return plan;
}
