# client_bad.py — misuse pyright must report, one error per marked line, with the expected text (tests/stubs/run_pyright.py).
import classes
import example_pkg
import sigbind
import tlib
import zlib_binding
from meta_pkg._native import add

example_pkg.factorial("5")  # error: parameter "n"
example_pkg.gcd(1)  # error: Argument missing for parameter "b"
example_pkg.Stats().count = 3  # error: "count"
example_pkg.shout("a").upper()  # error: "upper" is not a known attribute of "None"
classes.MyClass(num="x")  # error: parameter "num"
classes.MyClass.static_method(1, 2)  # error: parameter "param2"
tlib.t_sum_doubles([1.0])  # error: parameter "p"
wrong: str = tlib.t_int(1)  # error: "int" is not assignable to "str"
example_pkg.no_such_function()  # error: "no_such_function" is not a known attribute of module
add("1")  # error: parameter "a"
sigbind.load(3)  # error: parameter "name"
tlib.thing_open()  # error: Argument missing for parameter "value"


class MyStats(example_pkg.Stats):  # error: "Stats" is marked final
    pass
zlib_binding.crc32(0, "text")  # error: Argument missing for parameter "len"
