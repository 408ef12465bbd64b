# client_ok.py — typed use of the stubbed modules that must type-check with zero pyright errors (tests/stubs/run_pyright.py).
import array
from typing import List, Optional

import classes
import example_pkg
import sigbind
import tlib
import zlib_binding
from example_pkg import EmptyError, Stats
from meta_pkg._native import add

n: int = example_pkg.factorial(5)
g: int = example_pkg.gcd(12, 18)
shouted: Optional[str] = example_pkg.shout("hi", suffix="?")
if shouted is not None:
    print(shouted.upper())
m: float = example_pkg.mean(array.array("d", [1.0, 2.0]), 2)
m = example_pkg.mean(b"\0" * 16, 2)
st = Stats()
st.add(1.5)
st.add(2)  # an int is a float to a checker, and to the converter
mean: float = st.mean()
count: int = st.count
try:
    example_pkg.mean(None, 0)
except EmptyError as e:
    message: str = str(e)
except ValueError:
    pass
limit: int = example_pkg.MAX_FACTORIAL
greeting: str = example_pkg.GREETING

obj = classes.MyClass(3, debug=True)
num: int = obj.num
obj.num = 4
r: int = obj.method(True, 1, 2, arg2=5, extra="kw")
r = classes.MyClass.cls_method()
r = classes.MyClass.static_method(1, "text")
props = classes.Props()
props.number = 3
items: List[int] = [i for i in classes.Countdown(3)]
base: classes.BaseClass = classes.SubClass()

x: int = tlib.t_int(3)
status, handle = tlib.thing_open(1)
if handle is not None:
    address: int = handle.address
total: float = tlib.t_sum_doubles(array.array("d", [1.0, 2.5]))
length: int = tlib.t_strlen(b"bytes too")
point: sigbind.Struct = tlib.point_add({"x": 1, "y": 2}, (3, 4))
counter: int = tlib.g_counter

a: int = add(1)
a = add(1, b=2)
crc: int = zlib_binding.crc32(0, b"abc", 3)
version: Optional[str] = zlib_binding.zlibVersion()
lib: sigbind.Library = sigbind.load(None)
text: str = lib.stub()


class MyBase(classes.BaseClass):  # SB_SUBCLASSABLE: derived from in Python
    pass
