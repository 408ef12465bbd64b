# bench/bench_report.py: turning per-(binding, shape) costs into ratios to handext, geometric means, a markdown table, JSON.
"""Stdlib only; runs on CPython 3.7+.  Shared by run.py (ns/call) and callgrind.py (instructions/call)."""
import json
import math

from bench_bindings import SHAPE_NAMES

REFERENCE = "handext"
SHAPE_LABELS = {
    "d_d": "double(double)",
    "ll_ll": "int64_t(int64_t, int64_t)",
    "str": "int(const char *)",
    "void": "void(void)",
    "d6": "double(6 x double)",
}


def ratios(results, bindings):
    """{binding: {shape: cost / handext cost or None}} for every binding but the reference."""
    ref = results.get(REFERENCE, {})
    out = {}
    for b in bindings:
        if b == REFERENCE:
            continue
        out[b] = {}
        for s in SHAPE_NAMES:
            v, r = results.get(b, {}).get(s), ref.get(s)
            out[b][s] = v / r if (v is not None and r is not None and r > 0 and v > 0) else None
    return out


def geomeans(rat):
    """{binding: (geometric mean of its ratios or None, number of shapes it covers)}."""
    out = {}
    for b, per_shape in rat.items():
        vals = [per_shape[s] for s in SHAPE_NAMES if per_shape[s] is not None]
        out[b] = (math.exp(sum(math.log(v) for v in vals) / len(vals)) if vals else None, len(vals))
    return out


def _gm_text(gm):
    value, count = gm
    if value is None:
        return "n/a"
    text = "%.2f" % value
    return text if count == len(SHAPE_NAMES) else "%s (%d/%d shapes)" % (text, count, len(SHAPE_NAMES))


def _num(v, digits):
    return "n/a" if v is None else "%.*f" % (digits, v)


def markdown(results, bindings, unit, digits=1):
    """The table: one row per shape, a cost column per binding and a cost-ratio column per non-reference."""
    rat = ratios(results, bindings)
    gm = geomeans(rat)
    head, align = ["shape"], [":--"]
    for b in bindings:
        head.append("%s %s" % (b, unit))
        align.append("--:")
        if b != REFERENCE:
            head.append("%s/%s" % (b, REFERENCE))
            align.append("--:")
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(align) + "|"]
    for s in SHAPE_NAMES:
        row = ["`%s` %s" % (s, SHAPE_LABELS[s])]
        for b in bindings:
            row.append(_num(results.get(b, {}).get(s), digits))
            if b != REFERENCE:
                row.append(_num(rat[b][s], 2))
        lines.append("| " + " | ".join(row) + " |")
    row = ["geometric mean"]
    for b in bindings:
        row.append("")
        if b != REFERENCE:
            row.append(_gm_text(gm[b]))
    lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def summary_line(results, bindings):
    gm = geomeans(ratios(results, bindings))
    return "sigbind / handext geometric mean: %s" % _gm_text(gm.get("sigbind", (None, 0)))


def as_json(results, bindings, unit, **extra):
    rat = ratios(results, bindings)
    doc = {"unit": unit, "reference": REFERENCE, "bindings": list(bindings),
           "shapes": list(SHAPE_NAMES), "results": results, "ratios": rat,
           "geomean": dict((b, v[0]) for b, v in geomeans(rat).items()),
           "geomean_shapes": dict((b, v[1]) for b, v in geomeans(rat).items())}
    doc.update(extra)
    return json.dumps(doc, indent=2, sort_keys=True)


def print_report(results, bindings, unit, unavailable, errors, bytes_str_bindings):
    """The notes on unavailable bindings and shapes, the markdown table and the summary line."""
    for b, why in sorted(unavailable.items()):
        print("- %s: n/a - %s" % (b, why))
    for b, errs in sorted(errors.items()):
        for shape, why in sorted(errs.items()):
            print("- %s `%s`: n/a - %s" % (b, shape, why))
    if any(b in bytes_str_bindings for b in bindings):
        print("- `str`: ctypes and cffi are passed bytes (they do not accept str); handext and sigbind encode a str.")
    print()
    print(markdown(results, bindings, unit))
    print()
    print(summary_line(results, bindings))


def parse_bindings(parser, text, known):
    """The --bindings list: known names only, in the canonical order, the reference always included."""
    chosen = [b.strip() for b in text.split(",") if b.strip()]
    unknown = [b for b in chosen if b not in known]
    if unknown:
        parser.error("unknown binding(s): %s" % ", ".join(unknown))
    if REFERENCE not in chosen:
        chosen.insert(0, REFERENCE)  # every ratio is relative to it
    return [b for b in known if b in chosen]
