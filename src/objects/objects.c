/* objects.c — the object layer's entry: its types in a module's state, and the kinds table the runtime makes them through. */
#include "objects/objects.h"

static const sb_kinds kinds = {
    .pointer_new = sb__pointer_new,
    .pointer_released = sb__pointer_released,
    .struct_new = sb__struct_new,
    .struct_check = sb__struct_check,
    .struct_data = sb__struct_data,
    .struct_store = sb__struct_store_arg,
    .callback_for_call = sb__callback_for_call,
    .callback_check = sb__callback_check,
    .callback_address = sb__callback_address,
    .callback_sig = sb__callback_sig,
};

int sb__objects_init(sb_state *st)
{
    st->kinds = &kinds;
    if (!(st->PointerType = PyType_FromSpec(&sb__pointer_spec)) ||
        !(st->CallbackType = PyType_FromSpec(&sb__callback_spec)) ||
        !(st->StructType = PyType_FromSpec(&sb__struct_spec)))
        return -1;
    return 0;
}
