/* cbstubs.c — the pool of callback entry stubs (cbstubs_x86_64.S): hands out a stub and its slot, takes it back. */
#include "internal.h"

#include <pthread.h>

#if SB_HAVE_CBSTUBS
/* The stubs read their slot without a lock: a slot is written only while its
 * stub's address is known to no C code (before it is handed out) or when its
 * owner retires it (sb__cbstub_set), which is a single aligned store of each
 * field by the thread that owns the Callback. */
sb_cbstub_slot sb__cbstub_slots[SB_CBSTUB_POOL];
static unsigned next_free[SB_CBSTUB_POOL]; /* index + 1 of the next free slot, 0 = none */
static unsigned first_free;                /* index + 1; 0 = none free (after the first fill) */
static unsigned filled;                    /* slots handed out at least once: [0, filled) */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

int sb__cbstub_take(sb_cbstub_fn fn, void *user, bool gp, void **code)
{
    int slot = -1;
    pthread_mutex_lock(&lock);
    if (first_free) {
        slot = (int)first_free - 1;
        first_free = next_free[slot];
    } else if (filled < SB_CBSTUB_POOL) {
        slot = (int)filled++;
    }
    if (slot >= 0) {
        sb__cbstub_slots[slot].fn = fn;
        sb__cbstub_slots[slot].user = user;
        *code = (void *)((char *)(uintptr_t)(gp ? sb__cbstub_code_gp : sb__cbstub_code) + (size_t)slot * SB_CBSTUB_SIZE);
    }
    pthread_mutex_unlock(&lock);
    return slot;
}

void sb__cbstub_set(int slot, sb_cbstub_fn fn, void *user)
{
    pthread_mutex_lock(&lock);
    sb__cbstub_slots[slot].fn = fn;
    sb__cbstub_slots[slot].user = user;
    pthread_mutex_unlock(&lock);
}

void sb__cbstub_give(int slot)
{
    pthread_mutex_lock(&lock);
    sb__cbstub_slots[slot].fn = NULL;
    sb__cbstub_slots[slot].user = NULL;
    next_free[slot] = first_free;
    first_free = (unsigned)slot + 1;
    pthread_mutex_unlock(&lock);
}
#else
int sb__cbstub_take(sb_cbstub_fn fn, void *user, bool gp, void **code)
{
    (void)fn, (void)user, (void)gp, (void)code;
    return -1;
}

void sb__cbstub_set(int slot, sb_cbstub_fn fn, void *user)
{
    (void)slot, (void)fn, (void)user;
}

void sb__cbstub_give(int slot)
{
    (void)slot;
}
#endif

#include <stddef.h>
_Static_assert(offsetof(sb_cbframe, sse) == 48 && sizeof(sb_cbframe) + 16 == SB_CBFRAME_STACK &&
               offsetof(sb_cbframe, sse) + 16 == SB_CBFRAME_GP_STACK, "sb_cbframe must match cbstubs_x86_64.S");
