/* cbstubs_x86_64.S — the callback entry stubs (x86-64 System V): SB_CBSTUB_POOL read-only entry points that save the argument registers into a frame and call their slot's dispatcher. */
/* Stub i (16 bytes each, from sb__cbstub_code) puts i in %r11 and jumps to
 * the common entry, which builds an sb_cbframe on the stack:
 *     0..47    rdi rsi rdx rcx r8 r9          (gp[6])
 *     48..111  xmm0..xmm7, low 8 bytes each   (sse[8])
 *     112..127 the result: rax, then rdx       (ret[2]), also loaded into xmm0, xmm1
 *     128..135 padding (keeps %rsp 16-byte aligned at the call)
 *     136      the caller's return address; 144.. its stack arguments
 * and calls sb__cbstub_slots[i].fn(sb__cbstub_slots[i].user, frame). No code
 * is written at run time: the stubs are ordinary text. */
    .text

    .p2align 4
    .type sb__cbstub_common, @function
sb__cbstub_common:
    .cfi_startproc
    subq $136, %rsp
    .cfi_def_cfa_offset 144
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
    movq $0, 112(%rsp)
    movq $0, 120(%rsp)
    shlq $4, %r11
    leaq sb__cbstub_slots(%rip), %rax
    addq %r11, %rax
    movq 8(%rax), %rdi
    movq %rsp, %rsi
    call *0(%rax)
    movq 112(%rsp), %rax
    movq 120(%rsp), %rdx
    movsd 112(%rsp), %xmm0
    movsd 120(%rsp), %xmm1
    addq $136, %rsp
    .cfi_def_cfa_offset 8
    ret
    .cfi_endproc
    .size sb__cbstub_common, .-sb__cbstub_common

    .p2align 4
    .globl sb__cbstub_code
    .hidden sb__cbstub_code
    .type sb__cbstub_code, @function
sb__cbstub_code:
    .set sb_i, 0
    .rept 1024 /* SB_CBSTUB_POOL (core/internal.h) */
    .p2align 4
    endbr64
    movl $sb_i, %r11d
    jmp sb__cbstub_common
    .set sb_i, sb_i + 1
    .endr
    .size sb__cbstub_code, .-sb__cbstub_code

    .section .note.GNU-stack, "", @progbits
