; Interrupt and exception entry stubs for all 256 vectors.
;
; Each stub makes the stack look the same (a zero where the CPU pushes no
; error code, then the vector) and jumps to one common path that saves the
; general registers as a struct trap_frame and calls trap_dispatch in C.
; The CPU has already aligned rsp to 16 bytes, and 22 quadwords keep it so.

extern trap_dispatch
global isr_stub_table

section .text
bits 64

%assign vec 0
%rep 256
isr_stub_ %+ vec:
%if !(vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 || vec == 29 || vec == 30)
    push qword 0
%endif
    push qword vec
    jmp isr_common
%assign vec vec + 1
%endrep

isr_common:
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    cld
    mov rdi, rsp
    call trap_dispatch
    pop r15
    pop r14
    pop r13
    pop r12
    pop r11
    pop r10
    pop r9
    pop r8
    pop rbp
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rbx
    pop rax
    add rsp, 16                 ; vector and error code
    iretq

section .rodata
align 8
isr_stub_table:
%assign vec 0
%rep 256
    dq isr_stub_ %+ vec
%assign vec vec + 1
%endrep
