/* cbstubs_x86_64.S — the callback entry stubs (x86-64 System V): SB_CBSTUB_POOL read-only entry points that save the argument registers into a frame and call their slot's dispatcher. */
/* Stub i (16 bytes each, from sb__cbstub_code) puts the address of slot i
 * (sb__cbstub_slots[i], 32 bytes: fn, user, enter, general) in %r11 and jumps
 * to the slot's `enter`: one of the entries below, which builds an
 * sb_cbframe on the stack with the registers the Callback's arguments use and
 * calls fn(user, frame). fn returns the result's 8 bytes in %rax; the _f
 * entries also copy them to %xmm0 (a float or double result).
 *
 * sb__cbstub_enter_all_i/_f (any argument types):
 *     0..47    rdi rsi rdx rcx r8 r9          (gp[6])
 *     48..111  xmm0..xmm7, low 8 bytes each   (sse[8])
 *     112..119 padding (keeps %rsp 16-byte aligned at the call)
 *     120      the caller's return address; 128.. its stack arguments
 * sb__cbstub_enter_gp6_i/_f (no float or double argument: no SSE register saved):
 *     0..47    rdi rsi rdx rcx r8 r9; 48..55 padding; 56 the return address;
 *     64.. the caller's stack arguments
 * sb__cbstub_enter_gp0..gp3_i/_f: the first 0..3 of rdi rsi rdx (no other
 *     argument, none on the stack).
 * No code is written at run time: the stubs are ordinary text. */
    .text

/* enter NAME, FRAME (bytes below the return address, FRAME % 16 == 8), GP (registers saved), SSE (0 or 1),
 * FRET (1: copy the result to %xmm0 too, for a float or double result) */
.macro sb_enter name, frame, gp, sse, fret
    .p2align 4
    .globl \name
    .hidden \name
    .type \name, @function
\name:
    .cfi_startproc
    .if \frame == 8 && \gp == 1
    pushq %rdi /* gp[0], and %rsp 16-byte aligned */
    .else
    subq $\frame, %rsp
    .endif
    .cfi_def_cfa_offset \frame + 8
    .if \gp >= 2
    movq %rdi, 0(%rsp)
    movq %rsi, 8(%rsp)
    .endif
    .if \gp >= 3
    movq %rdx, 16(%rsp)
    .endif
    .if \gp >= 4
    movq %rcx, 24(%rsp)
    movq %r8, 32(%rsp)
    movq %r9, 40(%rsp)
    .endif
    .if \sse
    movsd %xmm0, 48(%rsp)
    movsd %xmm1, 56(%rsp)
    movsd %xmm2, 64(%rsp)
    movsd %xmm3, 72(%rsp)
    movsd %xmm4, 80(%rsp)
    movsd %xmm5, 88(%rsp)
    movsd %xmm6, 96(%rsp)
    movsd %xmm7, 104(%rsp)
    .endif
    movq 8(%r11), %rdi
    movq %rsp, %rsi
    call *0(%r11)
    .if \fret
    movq %rax, %xmm0
    .endif
    addq $\frame, %rsp
    .cfi_def_cfa_offset 8
    ret
    .cfi_endproc
    .size \name, .-\name
.endm

/* Their order is the table sb__cbstub_take picks from (cbstubs.c): integer or void results, then
 * float or double ones. */
    sb_enter sb__cbstub_enter_all_i, 120, 6, 1, 0
    sb_enter sb__cbstub_enter_gp6_i, 56, 6, 0, 0
    sb_enter sb__cbstub_enter_gp3_i, 24, 3, 0, 0
    sb_enter sb__cbstub_enter_gp2_i, 24, 2, 0, 0
    sb_enter sb__cbstub_enter_gp1_i, 8, 1, 0, 0
    sb_enter sb__cbstub_enter_gp0_i, 8, 0, 0, 0
    sb_enter sb__cbstub_enter_all_f, 120, 6, 1, 1
    sb_enter sb__cbstub_enter_gp6_f, 56, 6, 0, 1
    sb_enter sb__cbstub_enter_gp3_f, 24, 3, 0, 1
    sb_enter sb__cbstub_enter_gp2_f, 24, 2, 0, 1
    sb_enter sb__cbstub_enter_gp1_f, 8, 1, 0, 1
    sb_enter sb__cbstub_enter_gp0_f, 8, 0, 0, 1

    .p2align 4
    .globl sb__cbstub_code
    .hidden sb__cbstub_code
    .type sb__cbstub_code, @function
sb__cbstub_code:
    .set sb_i, 0
    .rept 1024 /* SB_CBSTUB_POOL (core/internal.h) */
1:  endbr64
    leaq sb__cbstub_slots+32*sb_i(%rip), %r11 /* 32: sizeof(sb_cbstub_slot) */
    jmp *16(%r11)
    .org 1b + 16, 0xcc /* SB_CBSTUB_SIZE: the assembler fails if a stub is longer */
    .set sb_i, sb_i + 1
    .endr
    .size sb__cbstub_code, .-sb__cbstub_code

    .section .note.GNU-stack, "", @progbits
