/* callregs_x86_64.S — the register-call stubs of the fast path (x86-64 System V): load the argument registers (and stack words) from cells, call, store rax, rdx, xmm0 and xmm1. */
/* void sb__callregs(void (*fn)(void), const uint64_t cells[14], sb_regret *ret, size_t nstack)
 * cells[0..5] -> rdi rsi rdx rcx r8 r9, cells[6..13] -> xmm0..xmm7.
 * sb__callregs_int loads only the integer registers, sb__callregs_sse only the
 * SSE ones, sb__callregs_few only rdi, rsi, xmm0 and xmm1 (at most two of
 * each, no struct result: it stores only rax and xmm0); those four ignore nstack. sb__callregs_stack loads all of them
 * and also passes cells[14..14+nstack) as the words of the stack argument
 * area (the first at the lowest address, 16-byte aligned at the call).
 * Registers no argument uses hold whatever the cells hold; the callee
 * ignores them. %al = 8 is the upper bound of vector registers used, which a
 * variadic callee may read. ret gets rax, xmm0, rdx and xmm1 (a struct
 * result comes back in a pair of them). */
    .text

.macro SB_PROLOGUE name
    .p2align 4
    .globl \name
    .hidden \name
    .type \name, @function
\name:
    .cfi_startproc
    pushq %rbx
    .cfi_def_cfa_offset 16
    .cfi_offset %rbx, -16
    movq %rdx, %rbx
    movq %rdi, %r11
    movq %rsi, %r10
.endm

.macro SB_LOAD_SSE
    movsd 48(%r10), %xmm0
    movsd 56(%r10), %xmm1
    movsd 64(%r10), %xmm2
    movsd 72(%r10), %xmm3
    movsd 80(%r10), %xmm4
    movsd 88(%r10), %xmm5
    movsd 96(%r10), %xmm6
    movsd 104(%r10), %xmm7
.endm

.macro SB_LOAD_INT
    movq 0(%r10), %rdi
    movq 8(%r10), %rsi
    movq 16(%r10), %rdx
    movq 24(%r10), %rcx
    movq 32(%r10), %r8
    movq 40(%r10), %r9
.endm

/* pair = 0: no struct result (rax and xmm0 are all the result there is; rdx and xmm1 not stored). */
.macro SB_EPILOGUE name, pair=1
    movl $8, %eax
    call *%r11
    movq %rax, 0(%rbx)
    movsd %xmm0, 8(%rbx)
.if \pair
    movq %rdx, 16(%rbx)
    movsd %xmm1, 24(%rbx)
.endif
    popq %rbx
    .cfi_def_cfa_offset 8
    ret
    .cfi_endproc
    .size \name, .-\name
.endm

    SB_PROLOGUE sb__callregs
    SB_LOAD_SSE
    SB_LOAD_INT
    SB_EPILOGUE sb__callregs

    SB_PROLOGUE sb__callregs_int
    SB_LOAD_INT
    SB_EPILOGUE sb__callregs_int

    SB_PROLOGUE sb__callregs_sse
    SB_LOAD_SSE
    SB_EPILOGUE sb__callregs_sse

    SB_PROLOGUE sb__callregs_few /* never a struct result (plan.c) */
    movq 0(%r10), %rdi
    movq 8(%r10), %rsi
    movsd 48(%r10), %xmm0
    movsd 56(%r10), %xmm1
    SB_EPILOGUE sb__callregs_few, 0

/* With stack arguments: a frame (rbp) whose stack area holds rcx words. */
    .p2align 4
    .globl sb__callregs_stack
    .hidden sb__callregs_stack
    .type sb__callregs_stack, @function
sb__callregs_stack:
    .cfi_startproc
    pushq %rbp
    .cfi_def_cfa_offset 16
    .cfi_offset %rbp, -16
    movq %rsp, %rbp
    .cfi_def_cfa_register %rbp
    pushq %rbx
    .cfi_offset %rbx, -24
    movq %rdx, %rbx
    movq %rdi, %r11
    movq %rsi, %r10
    leaq 0(,%rcx,8), %rax
    subq %rax, %rsp
    andq $-16, %rsp
    xorl %eax, %eax
    testq %rcx, %rcx
    jz 2f
1:
    movq 112(%r10,%rax,8), %rdx
    movq %rdx, (%rsp,%rax,8)
    incq %rax
    cmpq %rcx, %rax
    jne 1b
2:
    SB_LOAD_SSE
    SB_LOAD_INT
    movl $8, %eax
    call *%r11
    movq %rax, 0(%rbx)
    movsd %xmm0, 8(%rbx)
    movq %rdx, 16(%rbx)
    movsd %xmm1, 24(%rbx)
    movq -8(%rbp), %rbx
    leave
    .cfi_def_cfa %rsp, 8
    ret
    .cfi_endproc
    .size sb__callregs_stack, .-sb__callregs_stack

/* uint64_t sb__callregs_2(void (*fn)(void), uint64_t a0, uint64_t a1): fn(a0, a1) for a function
 * of at most two INTEGER-class arguments and an INTEGER-class (or no) result: the two words move
 * to rdi and rsi and the stub jumps to fn, which returns to the caller (rax: the result; only its
 * own width is meaningful). The typed slot entries (cface/class.c) call C methods through it, so
 * no C function is called through a pointer of another type. */
    .p2align 4
    .globl sb__callregs_2
    .hidden sb__callregs_2
    .type sb__callregs_2, @function
sb__callregs_2:
    .cfi_startproc
    movq %rdi, %r11
    movq %rsi, %rdi
    movq %rdx, %rsi
    jmp *%r11
    .cfi_endproc
    .size sb__callregs_2, .-sb__callregs_2

/* uint64_t sb__callregs_j(uint64_t a0, uint64_t a1, void (*fn)(void)): the same call as sb__callregs_2
 * with the function last, so that the two words are already in rdi and rsi: one jump. The
 * specialised typed slot entries (cface/class.c) call through it. */
    .p2align 4
    .globl sb__callregs_j
    .hidden sb__callregs_j
    .type sb__callregs_j, @function
sb__callregs_j:
    .cfi_startproc
    jmp *%rdx
    .cfi_endproc
    .size sb__callregs_j, .-sb__callregs_j

/* uint64_t sb__callregs_j1(uint64_t a0, void (*fn)(void)): fn(a0), one jump (a0 is already in rdi). */
    .p2align 4
    .globl sb__callregs_j1
    .hidden sb__callregs_j1
    .type sb__callregs_j1, @function
sb__callregs_j1:
    .cfi_startproc
    jmp *%rsi
    .cfi_endproc
    .size sb__callregs_j1, .-sb__callregs_j1

    .section .note.GNU-stack, "", @progbits

