; Application-processor start-up code.
;
; smp.c copies this blob to TRAMPOLINE_BASE (a page in the first megabyte)
; and fills in the parameter block at its end; a STARTUP IPI then starts
; the AP here in 16-bit real mode at CS:IP = TRAMPOLINE_BASE:0. The AP
; walks the same road as the boot CPU (protected mode, PAE, long mode,
; paging) but with the kernel's final page tables, and jumps to the C
; entry with its own stack. Everything is addressed relative to
; TRAMPOLINE_BASE because the blob runs away from where it was linked.

TRAMPOLINE_BASE equ 0x8000
%define T(label) (TRAMPOLINE_BASE + (label) - trampoline_start)

global trampoline_start, trampoline_end, trampoline_params

section .rodata
align 16
bits 16
trampoline_start:
    cli
    cld
    xor ax, ax
    mov ds, ax
    lgdt [T(tramp_gdt_ptr)]
    mov eax, cr0
    or eax, 1                       ; PE
    mov cr0, eax
    jmp dword 0x18:T(protected)

bits 32
protected:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov eax, cr4
    or eax, 1 << 5                  ; PAE
    mov cr4, eax
    mov eax, [T(param_cr3)]
    mov cr3, eax
    mov ecx, 0xC0000080             ; EFER: long mode and NX before paging,
    rdmsr                           ; or the NX bits in the tables would be
    or eax, (1 << 8) | (1 << 11)    ; reserved bits
    wrmsr
    mov eax, cr0
    or eax, (1 << 31) | (1 << 16)   ; PG, WP
    mov cr0, eax
    jmp 0x08:T(long_mode)

bits 64
long_mode:
    xor eax, eax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov rsp, [T(param_stack)]
    mov rdi, [T(param_arg)]
    xor ebp, ebp
    mov rax, [T(param_entry)]
    call rax
.hang:
    cli
    hlt
    jmp .hang

align 16
tramp_gdt:
    dq 0
    dq 0x00AF9A000000FFFF           ; 0x08: 64-bit code
    dq 0x00CF92000000FFFF           ; 0x10: data
    dq 0x00CF9A000000FFFF           ; 0x18: 32-bit code
tramp_gdt_ptr:
    dw tramp_gdt_ptr - tramp_gdt - 1
    dd T(tramp_gdt)

align 8
trampoline_params:
param_cr3:      dq 0
param_stack:    dq 0
param_entry:    dq 0
param_arg:      dq 0
trampoline_end:
