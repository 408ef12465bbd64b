/* cbstubs.c — the pool of callback entry stubs (cbstubs_x86_64.S): hands out a stub and its slot, takes it back. */
#include "internal.h"

#include <pthread.h>

#if SB_HAVE_CBSTUBS
/* The stubs read their slot without a lock: a slot is written only while its
 * stub's address is known to no C code (before it is handed out), when its
 * owner retires or clears it (sb__cbstub_set), or when sb__cbstub_general
 * swaps fn for the general one; each is a single aligned store of each field,
 * and either fn is right for the slot's user at any moment. */
sb_cbstub_slot sb__cbstub_slots[SB_CBSTUB_POOL];
static unsigned next_free[SB_CBSTUB_POOL]; /* index + 1 of the next free slot, 0 = none */
static unsigned first_free;                /* index + 1; 0 = none free (after the first fill) */
static unsigned filled;                    /* slots handed out at least once: [0, filled) */
static bool general_only;                  /* sb__cbstub_general() ran */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

int sb__cbstub_take(sb_cbstub_fn fn, sb_cbstub_fn general, void *user, int regs, bool fret, void **code)
{
    /* [fret][regs]: regs 0..6, then SB_CBSTUB_ALL last */
    static void (*const enter[2][8])(void) = {
        {sb__cbstub_enter_gp0_i, sb__cbstub_enter_gp1_i, sb__cbstub_enter_gp2_i, sb__cbstub_enter_gp3_i,
         sb__cbstub_enter_gp6_i, sb__cbstub_enter_gp6_i, sb__cbstub_enter_gp6_i, sb__cbstub_enter_all_i},
        {sb__cbstub_enter_gp0_f, sb__cbstub_enter_gp1_f, sb__cbstub_enter_gp2_f, sb__cbstub_enter_gp3_f,
         sb__cbstub_enter_gp6_f, sb__cbstub_enter_gp6_f, sb__cbstub_enter_gp6_f, sb__cbstub_enter_all_f},
    };
    int slot = -1;
    pthread_mutex_lock(&lock);
    if (first_free) {
        slot = (int)first_free - 1;
        first_free = next_free[slot];
    } else if (filled < SB_CBSTUB_POOL) {
        slot = (int)filled++;
    }
    if (slot >= 0) {
        sb_cbstub_slot *s = &sb__cbstub_slots[slot];
        s->fn = general && general_only ? general : fn;
        s->user = user;
        s->enter = enter[fret][regs >= 0 && regs <= SB_CBSTUB_GP6 ? regs : 7];
        s->general = general_only ? NULL : general;
        *code = (void *)((char *)(uintptr_t)sb__cbstub_code + (size_t)slot * SB_CBSTUB_SIZE);
    }
    pthread_mutex_unlock(&lock);
    return slot;
}

void sb__cbstub_set(int slot, sb_cbstub_fn fn, void *user)
{
    pthread_mutex_lock(&lock);
    sb__cbstub_slots[slot].fn = fn;
    sb__cbstub_slots[slot].user = user;
    sb__cbstub_slots[slot].general = NULL;
    pthread_mutex_unlock(&lock);
}

void sb__cbstub_give(int slot)
{
    pthread_mutex_lock(&lock);
    sb__cbstub_slots[slot].fn = NULL;
    sb__cbstub_slots[slot].user = NULL;
    sb__cbstub_slots[slot].general = NULL;
    next_free[slot] = first_free;
    first_free = (unsigned)slot + 1;
    pthread_mutex_unlock(&lock);
}

void sb__cbstub_general(void)
{
    pthread_mutex_lock(&lock);
    general_only = true;
    for (unsigned i = 0; i < filled; i++) {
        if (sb__cbstub_slots[i].general) {
            sb__cbstub_slots[i].fn = sb__cbstub_slots[i].general;
            sb__cbstub_slots[i].general = NULL;
        }
    }
    pthread_mutex_unlock(&lock);
}
#else
int sb__cbstub_take(sb_cbstub_fn fn, sb_cbstub_fn general, void *user, int regs, bool fret, void **code)
{
    (void)fn, (void)general, (void)user, (void)regs, (void)fret, (void)code;
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

void sb__cbstub_general(void)
{
}
#endif

#include <stddef.h>
_Static_assert(offsetof(sb_cbframe, sse) == 48 && sizeof(sb_cbframe) + 16 == SB_CBFRAME_STACK &&
               offsetof(sb_cbframe, sse) + 16 == SB_CBFRAME_GP_STACK && sizeof(sb_cbstub_slot) == 32 &&
               offsetof(sb_cbstub_slot, enter) == 16, "sb_cbframe and sb_cbstub_slot must match cbstubs_x86_64.S");
