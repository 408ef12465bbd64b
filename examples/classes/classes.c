/* classes.c — the PyO3 guide's class chapter in C: MyClass, BaseClass/SubClass, properties, class/static methods, __call__, an iterator and ClassWithGCSupport. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <sigbind.h>

/* ---- MyClass: fields, a constructor, methods of every kind, __call__ ---- */

typedef struct MyClass {
    int32_t num;
    bool debug;
} MyClass;

/* The constructor (#[new] in PyO3): instances start zeroed, __init__ fills them. */
static void myclass_init(MyClass *self, int32_t num, bool debug)
{
    self->num = num;
    self->debug = debug;
}

static int32_t myclass_method1(MyClass *self)
{
    (void)self;
    return 10;
}

static void myclass_set_method(MyClass *self, int32_t value)
{
    self->num = value;
}

/* #[args(arg1=true, args="*", arg2=10, kwargs="**")] */
static int32_t myclass_method(MyClass *self, bool arg1, PyObject *args, int32_t arg2, PyObject *kwargs)
{
    (void)self, (void)args, (void)kwargs;
    return arg1 ? arg2 : -arg2;
}

static int32_t myclass_cls_method(PyObject *cls)
{
    (void)cls;
    return 10;
}

static int32_t myclass_static_method(int32_t param1, const char *param2)
{
    (void)param2;
    return 10 + param1 - param1;
}

static int32_t myclass_call(MyClass *self, PyObject *args)
{
    (void)args; /* the guide prints "MyCLS has been called" here */
    return self->num;
}

static const sb_method_def myclass_methods[] = {
    SB_METHOD(myclass_init, "void __init__(MyClass *self, int32_t num = 10, bool debug = false)", NULL),
    SB_METHOD(myclass_method1, "int32_t method1(MyClass *self)", "Always 10."),
    SB_METHOD(myclass_set_method, "void set_method(MyClass *self, int32_t value)", "Sets num."),
    SB_METHOD(myclass_method,
              "int32_t method(MyClass *self, bool arg1 = true, *args, int32_t arg2 = 10, **kwargs)",
              "arg2, negated when arg1 is false."),
    SB_CLASS_METHOD(myclass_cls_method, "int32_t cls_method(PyObject *cls)", "A class method."),
    SB_STATIC_METHOD(myclass_static_method, "int32_t static_method(int32_t param1, const char *param2)",
                     "A static method."),
    SB_METHOD(myclass_call, "int32_t __call__(MyClass *self, *args)", "Calling an instance returns num."),
    SB_END,
};

static const sb_field_def myclass_fields[] = {
    SB_FIELD(MyClass, num, "int32_t num", SB_READWRITE, "A number."),
    SB_FIELD(MyClass, debug, "bool debug", SB_READWRITE, "Debug flag."),
    SB_END,
};

/* ---- Inheritance: the base struct comes first in the subclass's ---- */

typedef struct BaseClass {
    size_t val1;
} BaseClass;

static void base_init(BaseClass *self)
{
    self->val1 = 10;
}

static size_t base_method(BaseClass *self)
{
    return self->val1;
}

typedef struct SubClass {
    BaseClass base;
    size_t val2;
} SubClass;

static void sub_init(SubClass *self)
{
    base_init(&self->base); /* the base's constructor, then ours */
    self->val2 = 10;
}

static size_t sub_method2(SubClass *self)
{
    return base_method(&self->base) + self->val2; /* self.get_base().method() */
}

static const sb_method_def base_methods[] = {
    SB_METHOD(base_init, "void __init__(BaseClass *self)", NULL),
    SB_METHOD(base_method, "size_t method(BaseClass *self)", "Returns val1."),
    SB_END,
};

static const sb_method_def sub_methods[] = {
    SB_METHOD(sub_init, "void __init__(SubClass *self)", NULL),
    SB_METHOD(sub_method2, "size_t method2(SubClass *self)", "The base's method() plus val2."),
    SB_END,
};

static const sb_field_def base_fields[] = {
    SB_FIELD(BaseClass, val1, "size_t val1", SB_READONLY, NULL),
    SB_END,
};

static const sb_field_def sub_fields[] = {
    SB_FIELD(SubClass, val2, "size_t val2", SB_READONLY, NULL),
    SB_END,
};

/* ---- Properties: #[getter]/#[setter], get_/set_ prefixes, renamed ---- */

typedef struct Props {
    int32_t num;
} Props;

static int32_t props_get_num(Props *self)
{
    return self->num;
}

static void props_set_num(Props *self, int32_t value)
{
    self->num = value;
}

static const sb_method_def props_methods[] = {
    /* get_num / set_num: property `num` (prefix removed) */
    SB_GETTER(props_get_num, "int32_t get_num(Props *self)", "num, through a getter."),
    SB_SETTER(props_set_num, "void set_num(Props *self, int32_t value)", NULL),
    /* #[getter(number)] / #[setter(number)]: the signature's name is the property's */
    SB_GETTER(props_get_num, "int32_t number(Props *self)", "The same value, renamed."),
    SB_SETTER(props_set_num, "void number(Props *self, int32_t value)", NULL),
    SB_END,
};

/* ---- Iterators: __iter__ returns self; __next__ stops two ways ---- */

typedef struct Countdown {
    int64_t n;
} Countdown;

static void countdown_init(Countdown *self, int64_t start)
{
    self->n = start;
}

static Countdown *countdown_iter(Countdown *self)
{
    return self; /* a `Countdown *` result is the instance itself */
}

static int64_t countdown_next(Countdown *self)
{
    if (self->n <= 0)
        return sb_stop_iteration(); /* typed result: end by raising StopIteration */
    return self->n--;
}

/* MyIterator over any Python sequence: returns PyObject *, NULL = no more items. */
typedef struct MyIterator {
    PyObject *items;
    int64_t i;
} MyIterator;

static void myiter_init(MyIterator *self, PyObject *items)
{
    sb_incref(items);
    sb_decref(self->items);
    self->items = items;
    self->i = 0;
}

static MyIterator *myiter_iter(MyIterator *self)
{
    return self;
}

static PyObject *myiter_next(MyIterator *self)
{
    if (!self->items)
        return NULL;
    PyObject *item = sb_call_method(self->items, "__getitem__", "(int64_t i)", self->i);
    if (!item && sb_exception_matches("IndexError")) {
        sb_error_clear();
        return NULL; /* Ok(None) in PyO3: the iteration ends */
    }
    self->i++;
    return item;
}

static const sb_method_def countdown_methods[] = {
    SB_METHOD(countdown_init, "void __init__(Countdown *self, int64_t start)", NULL),
    SB_METHOD(countdown_iter, "Countdown *__iter__(Countdown *self)", NULL),
    SB_METHOD(countdown_next, "int64_t __next__(Countdown *self)", NULL),
    SB_END,
};

static const sb_method_def myiter_methods[] = {
    SB_METHOD(myiter_init, "void __init__(MyIterator *self, PyObject *items)", NULL),
    SB_METHOD(myiter_iter, "MyIterator *__iter__(MyIterator *self)", NULL),
    SB_METHOD(myiter_next, "PyObject *__next__(MyIterator *self)", NULL),
    SB_END,
};

static const sb_field_def myiter_fields[] = {
    SB_FIELD(MyIterator, items, "PyObject *items", SB_READONLY, NULL),
    SB_END,
};

/* ---- Garbage collector integration ---- */

typedef struct ClassWithGCSupport {
    PyObject *obj; /* owned; traversed and cleared by the runtime */
} ClassWithGCSupport;

static const sb_field_def gc_fields[] = {
    SB_FIELD(ClassWithGCSupport, obj, "PyObject *obj", SB_READWRITE, "Any object, possibly a cycle."),
    SB_END,
};

static const sb_class_def classes[] = {
    {.name = "MyClass", .doc = "A class over a C struct.", .size = sizeof(MyClass), .methods = myclass_methods,
     .fields = myclass_fields},
    {.name = "BaseClass", .size = sizeof(BaseClass), .flags = SB_SUBCLASSABLE, .methods = base_methods,
     .fields = base_fields},
    {.name = "SubClass", .size = sizeof(SubClass), .base = "BaseClass", .flags = SB_SUBCLASSABLE,
     .methods = sub_methods, .fields = sub_fields},
    {.name = "Props", .size = sizeof(Props), .methods = props_methods},
    {.name = "Countdown", .doc = "Counts down to 1.", .size = sizeof(Countdown), .methods = countdown_methods},
    {.name = "MyIterator", .size = sizeof(MyIterator), .methods = myiter_methods, .fields = myiter_fields},
    {.name = "ClassWithGCSupport", .size = sizeof(ClassWithGCSupport), .fields = gc_fields,
     .flags = SB_WEAKREF},
    SB_END,
};

SB_MODULE(classes, .doc = "The PyO3 guide's class examples, in C.", .classes = classes);
