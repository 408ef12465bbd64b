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

PyObject *sb__text_utf8(sb_state *st, PyObject *text)
{
    PyObject *b = PyUnicode_AsUTF8String(text);
    if (b || !PyErr_ExceptionMatches(PyExc_UnicodeEncodeError))
        return b;
    PyObject *et, *ev, *tb;
    PyErr_Fetch(&et, &ev, &tb);
    PyErr_NormalizeException(&et, &ev, &tb);
    Py_ssize_t start = 0;
    if (!ev || PyUnicodeEncodeError_GetStart(ev, &start) < 0)
        PyErr_Clear();
    Py_XDECREF(et);
    Py_XDECREF(ev);
    Py_XDECREF(tb);
    /* Shown with '?' for what cannot be encoded; the column counts bytes, as for any text. */
    PyObject *head = PyUnicode_Substring(text, 0, start);
    PyObject *hb = head ? PyUnicode_AsEncodedString(head, "utf-8", "replace") : NULL;
    PyObject *shown = hb ? PyUnicode_AsEncodedString(text, "utf-8", "replace") : NULL;
    if (shown) {
        Py_UCS4 ch = PyUnicode_ReadChar(text, start);
        sb_error err = {(size_t)PyBytes_Size(hb), ""};
        snprintf(err.msg, sizeof err.msg, "the text is not valid Unicode: U+%04X (a lone surrogate) has no UTF-8 form",
                 (unsigned)ch);
        PyErr_Clear();
        sb__raise_sigerror(st, PyBytes_AsString(shown), (size_t)PyBytes_Size(shown), &err, NULL);
    }
    Py_XDECREF(head);
    Py_XDECREF(hb);
    Py_XDECREF(shown);
    return NULL;
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
