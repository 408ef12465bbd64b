/* wrong_field.c — must not build: the member is int32_t, the field says int64_t (a setter would write 8 bytes into 4). */
#include <stddef.h>
#include <stdint.h>

#include <sigbind.h>

typedef struct Counter {
    int32_t count;
    double rate;
} Counter;

static const sb_field_def counter_fields[] = {
    SB_FIELD(Counter, count, "int64_t count", SB_READWRITE, NULL),
    SB_FIELD(Counter, rate, "double rate", SB_READWRITE, NULL),
    SB_END,
};
static const sb_class_def classes[] = {
    {.name = "Counter", .size = sizeof(Counter), .fields = counter_fields},
    SB_END,
};
SB_MODULE(wrong_field, .classes = classes);
