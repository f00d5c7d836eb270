; Boot entry for both boot protocols, and the switch from 32-bit protected
; mode to long mode.
;
; QEMU's -kernel (pc, q35, microvm), Firecracker and cloud-hypervisor enter
; through the PVH note; GRUB enters through the multiboot2 header. Both land
; in _start32 in flat 32-bit protected mode with paging off and ebx pointing
; at the boot information; only multiboot2 sets eax to its magic, which is
; how kernel_main tells the two apart. The boot page tables identity-map the
; first 4 GiB with 2 MiB pages: enough to reach the kernel, the boot
; information and the local APIC until paging_init builds the real tables.

MB2_MAGIC       equ 0xE85250D6
MB2_ARCH_I386   equ 0
MB2_LENGTH      equ mb2_header_end - mb2_header
XEN_ELFNOTE_PHYS32_ENTRY equ 18

extern kernel_main
extern __bss_start, __bss_end

global _start32
global boot_tsc_entry
global arch_call_on_stack

section .multiboot2 progbits alloc noexec nowrite align=8
mb2_header:
    dd MB2_MAGIC
    dd MB2_ARCH_I386
    dd MB2_LENGTH
    dd 0x100000000 - (MB2_MAGIC + MB2_ARCH_I386 + MB2_LENGTH)
    dw 0, 0                     ; end tag: type 0, flags 0
    dd 8                        ; size 8
mb2_header_end:

section .note.Xen note alloc noexec nowrite align=4
    dd 4                        ; name size ("Xen\0")
    dd 4                        ; descriptor size
    dd XEN_ELFNOTE_PHYS32_ENTRY
    db "Xen", 0
    dd _start32

section .boot32 progbits alloc exec nowrite align=16
bits 32
_start32:
    cli
    cld
    mov ebp, eax                ; multiboot2 magic, or junk under PVH
    mov esi, ebx                ; boot information (either protocol)

    ; The loaders zero .bss, but nothing promises it: do it before using it.
    mov edi, __bss_start
    mov ecx, __bss_end
    sub ecx, edi
    xor eax, eax
    rep stosb

    rdtsc
    mov [boot_tsc_entry], eax
    mov [boot_tsc_entry + 4], edx
    mov esp, boot_stack_top

    mov eax, 0x80000000
    cpuid
    cmp eax, 0x80000001
    jb .no_long_mode
    mov eax, 0x80000001
    cpuid
    test edx, 1 << 29
    jz .no_long_mode

    ; PML4[0] -> PDPT, PDPT[0..3] -> four page directories of 2 MiB pages.
    mov eax, boot_pdpt
    or eax, 3
    mov [boot_pml4], eax
    mov edi, boot_pdpt
    mov eax, boot_pd
    or eax, 3
    mov ecx, 4
.fill_pdpt:
    mov [edi], eax
    add eax, 4096
    add edi, 8
    loop .fill_pdpt
    mov edi, boot_pd
    mov eax, 0x83               ; present, writable, 2 MiB page
    mov ecx, 2048
.fill_pd:
    mov [edi], eax
    add eax, 0x200000
    add edi, 8
    loop .fill_pd

    mov eax, boot_pml4
    mov cr3, eax
    mov eax, cr4
    or eax, 1 << 5              ; PAE
    mov cr4, eax
    mov ecx, 0xC0000080         ; EFER
    rdmsr
    or eax, 1 << 8              ; LME
    wrmsr
    mov eax, cr0
    or eax, (1 << 31) | 1       ; PG, PE
    mov cr0, eax
    lgdt [boot_gdt_ptr]
    jmp 0x08:start64

.no_long_mode:
    mov esi, msg_no_long_mode
    mov dx, 0x3F8
.print:
    lodsb
    test al, al
    jz .halt
    out dx, al
    jmp .print
.halt:
    hlt
    jmp .halt

bits 64
start64:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor eax, eax
    mov fs, ax
    mov gs, ax
    mov edi, ebp                ; kernel_main(magic, info)
    mov esi, esi
    mov rsp, boot_stack_top
    xor ebp, ebp                ; ends the frame-pointer chain for backtraces
    call kernel_main
.hang:
    cli
    hlt
    jmp .hang

; void arch_call_on_stack(void *stack_top, void (*fn)(void *), void *arg)
; Moves the caller onto a new stack for good; fn must not return.
section .text
arch_call_on_stack:
    mov rsp, rdi
    xor ebp, ebp
    mov rdi, rdx
    call rsi
    ud2

section .rodata
align 16
boot_gdt:
    dq 0
    dq 0x00AF9A000000FFFF       ; 0x08: 64-bit code
    dq 0x00CF92000000FFFF       ; 0x10: data
boot_gdt_ptr:
    dw boot_gdt_ptr - boot_gdt - 1
    dd boot_gdt
msg_no_long_mode:
    db "hermit: this CPU has no 64-bit long mode; cannot boot", 13, 10, 0

section .boot_bss nobits alloc noexec write align=4096
boot_pml4:  resb 4096
boot_pdpt:  resb 4096
boot_pd:    resb 4 * 4096
boot_stack: resb 16384
boot_stack_top:
boot_tsc_entry: resq 1
