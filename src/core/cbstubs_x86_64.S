/* cbstubs_x86_64.S — the callback entry stubs (x86-64 System V): two tables of SB_CBSTUB_POOL read-only entry points that save the argument registers into a frame and call their slot's dispatcher. */
/* Stub i of either table (16 bytes each) puts the address of slot i in %r11
 * and jumps to its table's common entry, which builds an sb_cbframe on the stack and calls
 * sb__cbstub_slots[i].fn(sb__cbstub_slots[i].user, frame). fn returns the
 * result's 8 bytes in %rax; they are also copied to %xmm0 (a float or double
 * result). Both tables share the slots: slot i is entered through stub i of
 * the table its Callback was given.
 *
 * sb__cbstub_code (any argument types):
 *     0..47    rdi rsi rdx rcx r8 r9          (gp[6])
 *     48..111  xmm0..xmm7, low 8 bytes each   (sse[8])
 *     112..119 padding (keeps %rsp 16-byte aligned at the call)
 *     120      the caller's return address; 128.. its stack arguments
 * sb__cbstub_code_gp (no float or double argument: the SSE registers are not saved):
 *     0..47    rdi rsi rdx rcx r8 r9          (gp[6])
 *     48..55   padding
 *     56       the caller's return address; 64.. its stack arguments
 * No code is written at run time: the stubs are ordinary text. */
    .text

    .p2align 4
    .type sb__cbstub_common, @function
sb__cbstub_common:
    .cfi_startproc
    subq $120, %rsp
    .cfi_def_cfa_offset 128
    movq %rdi, 0(%rsp)
    movq %rsi, 8(%rsp)
    movq %rdx, 16(%rsp)
    movq %rcx, 24(%rsp)
    movq %r8, 32(%rsp)
    movq %r9, 40(%rsp)
    movsd %xmm0, 48(%rsp)
    movsd %xmm1, 56(%rsp)
    movsd %xmm2, 64(%rsp)
    movsd %xmm3, 72(%rsp)
    movsd %xmm4, 80(%rsp)
    movsd %xmm5, 88(%rsp)
    movsd %xmm6, 96(%rsp)
    movsd %xmm7, 104(%rsp)
    movq 8(%r11), %rdi
    movq %rsp, %rsi
    call *0(%r11)
    movq %rax, %xmm0
    addq $120, %rsp
    .cfi_def_cfa_offset 8
    ret
    .cfi_endproc
    .size sb__cbstub_common, .-sb__cbstub_common

    .p2align 4
    .type sb__cbstub_common_gp, @function
sb__cbstub_common_gp:
    .cfi_startproc
    subq $56, %rsp
    .cfi_def_cfa_offset 64
    movq %rdi, 0(%rsp)
    movq %rsi, 8(%rsp)
    movq %rdx, 16(%rsp)
    movq %rcx, 24(%rsp)
    movq %r8, 32(%rsp)
    movq %r9, 40(%rsp)
    movq 8(%r11), %rdi
    movq %rsp, %rsi
    call *0(%r11)
    movq %rax, %xmm0
    addq $56, %rsp
    .cfi_def_cfa_offset 8
    ret
    .cfi_endproc
    .size sb__cbstub_common_gp, .-sb__cbstub_common_gp

    .p2align 4
    .globl sb__cbstub_code
    .hidden sb__cbstub_code
    .type sb__cbstub_code, @function
sb__cbstub_code:
    .set sb_i, 0
    .rept 1024 /* SB_CBSTUB_POOL (core/internal.h) */
1:  endbr64
    leaq sb__cbstub_slots+16*sb_i(%rip), %r11 /* 16: sizeof(sb_cbstub_slot) */
    jmp sb__cbstub_common
    .org 1b + 16, 0xcc /* SB_CBSTUB_SIZE: the assembler fails if a stub is longer */
    .set sb_i, sb_i + 1
    .endr
    .size sb__cbstub_code, .-sb__cbstub_code

    .p2align 4
    .globl sb__cbstub_code_gp
    .hidden sb__cbstub_code_gp
    .type sb__cbstub_code_gp, @function
sb__cbstub_code_gp:
    .set sb_i, 0
    .rept 1024 /* SB_CBSTUB_POOL (core/internal.h) */
1:  endbr64
    leaq sb__cbstub_slots+16*sb_i(%rip), %r11 /* 16: sizeof(sb_cbstub_slot) */
    jmp sb__cbstub_common_gp
    .org 1b + 16, 0xcc /* SB_CBSTUB_SIZE: the assembler fails if a stub is longer */
    .set sb_i, sb_i + 1
    .endr
    .size sb__cbstub_code_gp, .-sb__cbstub_code_gp

    .section .note.GNU-stack, "", @progbits
