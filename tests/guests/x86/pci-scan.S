/*
 * pci-scan.S - ROM guest (-bios) for -M microvm,pcie=on: enumerates PCI bus 0
 * through ECAM at 0xe0000000 from 64-bit long mode, function 0 of each of
 * the 32 slots, and for each function found prints one line
 *     pci 00:SS.0 VVVV:DDDD class CCCC barN=SIZE ...
 * with the size (hex) of every implemented BAR, found with the standard
 * probe (write all ones, read back, restore; 64-bit BARs as one). Decoding
 * stays off, so nothing gets mapped. Then it reads slot 0's ids through the
 * 0xcf8/0xcfc ports as well and prints "conf1 ok" if they match the ECAM
 * ones (else "FAIL conf1 got <hex>"), then "pci scan done: N functions"
 * and powers off.
 */
#include "lib.h"

#define ECAM_BASE       0xe0000000
#define PD_3G           (PT_BASE + 0x3000)  /* page directory for 3-4 GiB */
#define PCI_COMMAND     0x04
#define PCI_CLASS_DEVICE 0x0a
#define PCI_BAR0        0x10
#define CONF1_ADDR      0xcf8
#define CONF1_DATA      0xcfc

    .text
    .code16
start16:
    REAL_MODE_INIT
    SERIAL_INIT
    ENTER_PROTECTED start32

    .code32
start32:
    PROTECTED_MODE_INIT
    BUILD_PAGE_TABLES PT_BASE, 1
    /* One more uncached 2 MiB page: the ECAM of bus 0 (32 slots x 8 functions x 4 KiB). */
    movl    $(ECAM_BASE | 0x9b), (PD_3G + ((ECAM_BASE - 0xc0000000) >> 21) * 8)
    movl    $0, (PD_3G + ((ECAM_BASE - 0xc0000000) >> 21) * 8 + 4)
    ENTER_LONG PT_BASE, start64

    .code64
start64:
    LONG_MODE_INIT
    xor     %r12d, %r12d                    /* slot */
    xor     %r13d, %r13d                    /* functions found */

scan_slot:
    mov     %r12d, %ebx
    shl     $15, %ebx
    add     $ECAM_BASE, %ebx                /* RBX: the function's config space */
    mov     (%rbx), %eax
    cmp     $0xffff, %ax
    je      next_slot
    inc     %r13d
    mov     %eax, %r14d                     /* device << 16 | vendor */
    PUTS64  "pci 00:"
    mov     %r12d, %eax
    mov     $2, %ecx
    call    puthexn
    PUTS64  ".0 "
    mov     %r14d, %eax
    mov     $4, %ecx
    call    puthexn
    mov     $':', %al
    call    putc64
    mov     %r14d, %eax
    shr     $16, %eax
    mov     $4, %ecx
    call    puthexn
    PUTS64  " class "
    movzwl  PCI_CLASS_DEVICE(%rbx), %eax
    mov     $4, %ecx
    call    puthexn

    xor     %r15d, %r15d                    /* BAR index */
scan_bar:
    lea     PCI_BAR0(%rbx,%r15,4), %rbp     /* RBP: the BAR register */
    mov     (%rbp), %r8d                    /* original value */
    movl    $0xffffffff, (%rbp)
    mov     (%rbp), %r9d                    /* size mask, low */
    mov     %r8d, (%rbp)
    test    %r9d, %r9d
    jz      next_bar                        /* not implemented */
    test    $1, %r9d
    jnz     io_bar
    mov     %r9d, %eax
    and     $6, %eax
    cmp     $4, %eax
    jne     mem32_bar
    /* 64-bit: size the high half too and treat the pair as one BAR. */
    mov     4(%rbp), %r10d
    movl    $0xffffffff, 4(%rbp)
    mov     4(%rbp), %eax
    mov     %r10d, 4(%rbp)
    shl     $32, %rax
    mov     %r9d, %r9d
    or      %rax, %r9
    and     $~0xf, %r9
    neg     %r9
    call    print_bar
    inc     %r15d
    jmp     next_bar
mem32_bar:
    and     $~0xf, %r9d
    neg     %r9d
    call    print_bar
    jmp     next_bar
io_bar:
    or      $0xffff0000, %r9d               /* I/O decodes 16 bits at most */
    and     $~0x3, %r9d
    neg     %r9d
    call    print_bar
next_bar:
    inc     %r15d
    cmp     $6, %r15d
    jb      scan_bar
    PUTLN64 ""

next_slot:
    inc     %r12d
    cmp     $32, %r12d
    jb      scan_slot

    /* Mechanism #1: slot 0's ids again. */
    mov     $CONF1_ADDR, %dx
    mov     $0x80000000, %eax
    out     %eax, %dx
    mov     $CONF1_DATA, %dx
    in      %dx, %eax
    mov     $ECAM_BASE, %ebx
    cmp     (%rbx), %eax
    jne     conf1_fail
    PUTLN64 "conf1 ok"
    jmp     done
conf1_fail:
    mov     %eax, %r14d
    PUTS64  "FAIL conf1 got "
    mov     %r14d, %eax
    call    puthex64
    PUTLN64 ""
done:
    PUTS64  "pci scan done: "
    mov     %r13d, %eax
    call    putdec64
    PUTLN64 " functions"
    POWEROFF

/* print_bar: " bar<R15>=<R9 in hex>". Clobbers RAX, RCX, RDX, RSI, RDI. */
print_bar:
    push    %rbx
    PUTS64  " bar"
    mov     %r15d, %eax
    add     $'0', %al
    call    putc64
    mov     $'=', %al
    call    putc64
    mov     %r9, %rax
    shr     $32, %rax
    jz      1f
    call    puthex64
1:  mov     %r9d, %eax
    call    puthex64
    pop     %rbx
    ret

/* puthexn: the low ECX (1-8) hex digits of EAX. Clobbers RAX, RCX, RDX, RDI. */
puthexn:
    push    %rbx
    mov     %eax, %ebx
    mov     %ecx, %edi
    mov     $8, %eax
    sub     %ecx, %eax
    shl     $2, %eax
    mov     %eax, %ecx
    shl     %cl, %ebx
1:  rol     $4, %ebx
    mov     %bl, %al
    and     $0x0f, %al
    add     $'0', %al
    cmp     $'9', %al
    jbe     2f
    add     $('a' - '9' - 1), %al
2:  push    %rdi
    push    %rbx
    call    putc64
    pop     %rbx
    pop     %rdi
    dec     %edi
    jnz     1b
    pop     %rbx
    ret

    SERIAL_ROUTINES 64

    GDT_TABLE
    RESET_VECTOR start16
