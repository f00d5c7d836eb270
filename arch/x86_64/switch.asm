; Thread context switch and the first entry into a new thread.
;
; Only the callee-saved registers need saving: arch_switch is an ordinary
; call, so the compiler has already spilled everything else. FPU/vector
; state is switched separately (fpu.c), because the kernel itself never
; touches it.

global arch_switch, arch_thread_start

section .text
bits 64

; void arch_switch(uint64_t *save_rsp, uint64_t load_rsp)
arch_switch:
    push rbp
    push rbx
    push r12
    push r13
    push r14
    push r15
    mov [rdi], rsp
    mov rsp, rsi
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret

; A new thread's first arch_switch "returns" here with r12 = the C entry
; function and r13 = its argument (see thread.c's initial frame).
arch_thread_start:
    xor ebp, ebp                    ; the backtrace ends here
    mov rdi, r13
    call r12
    ud2
