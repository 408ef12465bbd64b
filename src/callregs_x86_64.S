/* callregs_x86_64.S — the register-call stub of the fast path (x86-64 System V): load 6 integer and 8 SSE argument registers, call, store rax and xmm0. */
/* void sb__callregs(void (*fn)(void), const uint64_t cells[14], sb_regret *ret)
 * cells[0..5] -> rdi rsi rdx rcx r8 r9, cells[6..13] -> xmm0..xmm7.
 * Unused registers get whatever the cells hold; the callee ignores them. */
    .text
    .p2align 4
    .globl sb__callregs
    .hidden sb__callregs
    .type sb__callregs, @function
sb__callregs:
    .cfi_startproc
    pushq %rbx
    .cfi_def_cfa_offset 16
    .cfi_offset %rbx, -16
    movq %rdx, %rbx
    movq %rdi, %r11
    movq %rsi, %r10
    movsd 48(%r10), %xmm0
    movsd 56(%r10), %xmm1
    movsd 64(%r10), %xmm2
    movsd 72(%r10), %xmm3
    movsd 80(%r10), %xmm4
    movsd 88(%r10), %xmm5
    movsd 96(%r10), %xmm6
    movsd 104(%r10), %xmm7
    movq 0(%r10), %rdi
    movq 8(%r10), %rsi
    movq 16(%r10), %rdx
    movq 24(%r10), %rcx
    movq 32(%r10), %r8
    movq 40(%r10), %r9
    movl $8, %eax
    call *%r11
    movq %rax, 0(%rbx)
    movsd %xmm0, 8(%rbx)
    popq %rbx
    .cfi_def_cfa_offset 8
    ret
    .cfi_endproc
    .size sb__callregs, .-sb__callregs
    .section .note.GNU-stack, "", @progbits
