# test_stubs.py — the .pyi stubs sigbind_add_module writes next to C-face modules (sigbind-sigcheck --stub) say what the modules really are and accept.
import ast
import inspect
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import unittest

import sigbind

import cface_classes
import cface_test
import classes
import mymodule


def stub_of(module):
    """The stub next to the module's .abi3.so, parsed. Positional-only markers ('/') are dropped
    first: the 3.7 parser does not know them (the names and annotations are what is compared)."""
    path = module.__file__[:-len(".abi3.so")] + ".pyi"
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return text, ast.parse(re.sub(r",\s*/(?=\s*[,)])", "", text))


def defs(body):
    """{name: node} of the functions, classes and annotated names of a stub body (properties once)."""
    out = {}
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            out.setdefault(node.name, node)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out[node.target.id] = node
    return out


def public(names):
    return {n for n in names if not n.startswith("_")}


def line_of(text, name):
    """The stub's line that defines `name` (a def, a class or an annotated name)."""
    for line in text.splitlines():
        s = line.strip()
        if s.startswith(("def %s(" % name, "class %s(" % name, "class %s:" % name, "%s: " % name)):
            return s
    raise AssertionError("%s not in the stub" % name)


class ModuleStubs(unittest.TestCase):
    def test_stub_lists_exactly_the_module_public_names(self):
        for mod, extra in ((cface_classes, set()), (classes, set()), (mymodule, set()),
                           (cface_test, {"exec_count"})):  # exec_count: set by the module's exec hook, no table
            _, tree = stub_of(mod)
            with self.subTest(module=mod.__name__):
                self.assertEqual(public(defs(tree.body)), public(vars(mod)) - extra)

    def test_stub_lists_exactly_each_class_public_members(self):
        for mod in (cface_classes, classes):
            _, tree = stub_of(mod)
            for name, node in defs(tree.body).items():
                if not isinstance(node, ast.ClassDef) or name == "_Pointer":  # _Pointer: sigbind.Pointer
                    continue
                cls = getattr(mod, name)
                if issubclass(cls, BaseException):
                    continue
                with self.subTest(cls=name):
                    stubbed = {n for n in defs(node.body) if not n.startswith("_") or n.endswith("__")}
                    runtime = {n for n in vars(cls) if not n.startswith("_")}
                    runtime |= {n for n in vars(cls) if n.startswith("__") and n.endswith("__")
                                and n not in ("__doc__", "__module__", "__dict__", "__weakref__", "__init__",
                                              "__new__", "__hash__", "__reduce__", "__buffer__",
                                              "__release_buffer__") and callable(vars(cls)[n])}
                    # (__reduce__: the runtime's pickling refusal; __buffer__: the buffer hook's slots, 3.12+)
                    # CPython's own slot wrappers: a type with tp_richcompare gets all six comparisons in
                    # its dict, and a C subclass's inherited tp_init an __init__ wrapper; the stub lists what
                    # the class's table defines (the others come from the base or raise TypeError).
                    wrapper = type(object.__init__)
                    cmp = {"__lt__", "__le__", "__eq__", "__ne__", "__gt__", "__ge__"}
                    runtime -= {n for n in cmp - stubbed if isinstance(vars(cls).get(n), wrapper)}
                    # An operator and its reflected form share one nb_* slot: declaring one gives the type
                    # both wrappers (__add__ alone: an __radd__ that answers NotImplemented).
                    partner = lambda n: "__" + (n[3:] if n.startswith("__r") else "r" + n[2:])
                    runtime -= {n for n in runtime - stubbed
                                if isinstance(vars(cls).get(n), wrapper) and partner(n) in stubbed}
                    init = vars(cls).get("__init__")
                    if "_sigbind_init" in vars(cls) or (init is not None and not isinstance(init, wrapper)):
                        runtime.add("__init__")  # the constructor (3.10+: stored under an internal name)
                    if "__getattr__" in stubbed:  # the direct tp_getattro keeps its __getattribute__ by name
                        runtime.discard("__getattribute__")
                    stubbed.discard("__hash__")
                    self.assertEqual(stubbed, runtime)

    def test_parameter_names_and_defaults_match_the_runtime_signature(self):
        checked = 0
        for mod in (cface_test, cface_classes, classes, mymodule):
            _, tree = stub_of(mod)
            for name, node in defs(tree.body).items():
                if not isinstance(node, ast.FunctionDef):
                    continue
                sig = inspect.signature(getattr(mod, name))
                a = node.args
                stub_params = [p.arg for p in a.args + a.kwonlyargs]
                stub_params += [x.arg for x in (a.vararg, a.kwarg) if x]
                runtime = [p.name for p in sig.parameters.values()
                           if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
                runtime += [p.name for p in sig.parameters.values() if p.kind == p.VAR_POSITIONAL]
                runtime += [p.name for p in sig.parameters.values() if p.kind == p.VAR_KEYWORD]
                with self.subTest(function=name):
                    self.assertEqual(stub_params, runtime)
                    with_default = len(a.defaults) + sum(d is not None for d in a.kw_defaults)
                    self.assertEqual(with_default, sum(p.default is not p.empty for p in sig.parameters.values()))
                checked += 1
        self.assertGreater(checked, 20)

    def test_final_exactly_where_the_runtime_refuses_subclasses(self):
        checked = 0
        for mod in (cface_classes, classes):
            text, tree = stub_of(mod)
            for node in tree.body:
                if not isinstance(node, ast.ClassDef) or node.name == "_Pointer" or node.bases and \
                        getattr(node.bases[0], "id", "").endswith(("Error", "Exception")):
                    continue
                final = any(getattr(d, "id", None) == "final" for d in node.decorator_list)
                try:
                    type("Derived", (getattr(mod, node.name),), {})
                    refused = False
                except TypeError:
                    refused = True
                with self.subTest(cls=node.name):
                    self.assertEqual(final, refused)
                checked += 1
        self.assertGreater(checked, 15)

    def test_annotations_follow_the_converters(self):
        text, _ = stub_of(cface_test)
        # const char * in: str, bytes or None (NULL); a char * result is text or None
        self.assertEqual(line_of(text, "greet"), "def greet(who: str | bytes | None) -> str | None: ...")
        # a pointer takes what to_ptr takes: Pointer, address, buffers, sequences, None
        self.assertEqual(line_of(text, "sum_doubles"),
                         "def sum_doubles(xs: _Pointer | int | _Buffer | list[Any] | tuple[Any, ...] | None, "
                         "n: int) -> float: ...")
        self.assertIn("f: Callable[..., Any] | _Pointer | int | None", line_of(text, "integrate"))
        self.assertEqual(line_of(text, "identity"), "def identity(obj: object) -> Any: ...")
        self.assertEqual(line_of(text, "options"),
                         "def options(a: int, /, b: int = ..., *, flag: bool = ..., name: str | bytes | None = ..., "
                         "ratio: float = ...) -> int: ...")
        self.assertEqual(line_of(text, "collect"),
                         "def collect(first: int, *args: Any, flag: bool = ..., **kwargs: Any) -> Any: ...")
        self.assertEqual(line_of(text, "nothing"), "def nothing() -> None: ...")

    def test_exceptions_and_constants(self):
        text, _ = stub_of(cface_test)
        self.assertEqual(line_of(text, "Error"), "class Error(Exception): ...")
        self.assertEqual(line_of(text, "NotFound"), "class NotFound(Error): ...")
        self.assertEqual(line_of(text, "BadValue"), "class BadValue(ValueError): ...")
        for name in ("ANSWER", "BIG", "PI", "NAME"):
            with self.subTest(constant=name):
                self.assertEqual(line_of(text, name), "%s: %s" % (name, type(getattr(cface_test, name)).__name__))

    def test_class_members_by_kind(self):
        text, tree = stub_of(classes)
        body = text.split("class MyClass:")[1].split("\nclass ")[0]
        self.assertIn("    num: int\n    debug: bool\n", body)
        self.assertIn("    def __init__(self, /, num: int = ..., debug: bool = ...) -> None: ...", body)
        self.assertIn("    @classmethod\n    def cls_method(cls, /) -> int: ...", body)
        self.assertIn("    @staticmethod\n    def static_method(param1: int, param2: str | bytes | None) -> int: ...",
                      body)
        self.assertIn("class SubClass(BaseClass):", text)
        props = text.split("class Props:")[1].split("\nclass ")[0]
        self.assertIn("    @property\n    def num(self) -> int: ...\n    @num.setter\n"
                      "    def num(self, value: int) -> None: ...", props)
        self.assertIn("    def __iter__(self, /) -> Countdown: ...", text)

    def test_read_only_fields_are_properties_without_setter(self):
        text, _ = stub_of(cface_classes)
        res = text.split("class Resource")[1].split("\nclass ")[0]
        self.assertIn("    @property\n    def state(self) -> str | None: ...", res)  # const char *: read-only
        self.assertIn("    @property\n    def enters(self) -> int: ...", res)
        self.assertIn("    small: int\n", res)
        self.assertNotIn("@state.setter", res)
        # ... as the runtime has them: getset descriptors without a setter
        obj = cface_classes.Resource.__new__(cface_classes.Resource)
        for name in ("state", "enters"):
            with self.assertRaises(AttributeError):
                vars(cface_classes.Resource)[name].__set__(obj, 0)

    def test_operators_accept_any_other_operand_where_the_runtime_returns_notimplemented(self):
        text, _ = stub_of(cface_classes)
        for m in re.finditer(r"def (__eq__|__ne__)\((.*?)\) -> (\w+)", text):
            self.assertEqual(m.group(2).split(", ")[1].split(": ")[1], "object")
            self.assertEqual(m.group(3), "bool")
        self.assertNotIn("def __repr__(self, /) -> str | None", text)


LIB_DECLS = """
struct point { int x; int y; };
struct thing;
int t_int(int x);
size_t t_strlen(const char *s);
double t_sum_doubles(const double *p [[len(n)]], size_t n);
int thing_open(int value, struct thing **out [[out]]);
struct point point_add(struct point a, struct point b);
enum t_color { T_RED, T_GREEN = 5, T_BLUE };
extern int g_counter;
"""


class LibraryStubs(unittest.TestCase):
    """Library.stub() and python -m sigbind_stubgen (the Python face)."""

    def setUp(self):
        self.lib = sigbind.load(os.environ["SIGBIND_TESTLIB"], LIB_DECLS)

    def test_functions_constants_and_globals_are_typed(self):
        text = self.lib.stub()
        lines = set(text.splitlines())
        for want in ("def t_int(x: int) -> int: ...",
                     "def t_strlen(s: str | bytes | None) -> int: ...",
                     # [[len(n)]]: the buffer alone, n hidden
                     "def t_sum_doubles(p: _Buffer | None) -> float: ...",
                     # [[out]]: joined to the result, the handle a Pointer (NULL: None)
                     "def thing_open(value: int) -> tuple[int, Pointer | None]: ...",
                     "def point_add(a: Struct | dict[str, Any] | tuple[Any, ...], "
                     "b: Struct | dict[str, Any] | tuple[Any, ...]) -> Struct: ...",
                     "T_RED: int", "T_GREEN: int", "T_BLUE: int", "g_counter: int",
                     "from sigbind import Callback, Pointer, Struct"):
            with self.subTest(line=want):
                self.assertIn(want, lines)
        ast.parse(text)

    def test_stub_agrees_with_the_calls(self):
        self.assertEqual(self.lib.t_sum_doubles(__import__("array").array("d", [1.0, 2.5])), 3.5)
        status, handle = self.lib.thing_open(7)
        self.assertIsInstance(status, int)
        self.assertIsInstance(handle, (sigbind.Pointer, type(None)))
        self.assertIsInstance(self.lib.point_add({"x": 1, "y": 2}, (3, 4)), sigbind.Struct)

    def test_declared_but_missing_functions_are_left_out(self):
        lib = sigbind.load(os.environ["SIGBIND_TESTLIB"], "int no_such_function_here(int x);")
        self.assertEqual(lib.missing, ["no_such_function_here"])
        self.assertNotIn("no_such_function_here", lib.stub())

    def test_stubgen_script_writes_the_stub_of_a_module_library(self):
        script_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "abi3")
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "zbind.py"), "w") as f:
                f.write(textwrap.dedent("""
                    import os, sigbind
                    lib = sigbind.load(os.environ["SIGBIND_TESTLIB"], "int t_int(int x);")
                    t_int = lib.t_int
                    """))
            out = os.path.join(d, "zbind.pyi")
            env = dict(os.environ, PYTHONPATH=os.pathsep.join([d, script_dir, os.environ.get("PYTHONPATH", "")]))
            r = subprocess.run([sys.executable, "-m", "sigbind_stubgen", "zbind:lib", "-o", out], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(out) as f:
                self.assertIn("def t_int(x: int) -> int: ...\n", f.read())
            r = subprocess.run([sys.executable, "-m", "sigbind_stubgen", "zbind:t_int"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
            self.assertEqual(r.returncode, 1)
            self.assertIn("zbind.t_int is a builtin_function_or_method, not a sigbind.Library", r.stderr)


if __name__ == "__main__":
    unittest.main()
