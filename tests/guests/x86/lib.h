/*
 * lib.h - shared pieces of the Kestrel x86 test guests. Included by every
 * guest; named .h so that the Makefile does not build it as a guest itself.
 *
 * Tests nothing and prints nothing by itself: it provides the constants of the
 * machine (COM1, ACPI poweroff, LAPIC, IOAPIC, testdev), the fixed RAM layout,
 * and GNU as macros for the serial console, the mode switches (real -> 32-bit
 * protected -> 64-bit long mode), the GDT, IDT gates and poweroff.
 *
 * Syntax: AT&T throughout. Guests include it from their .S files, so it goes
 * through cpp: C comments only. Every macro assembles correctly in .code16, .code32 and
 * .code64 unless its comment names a mode.
 *
 * ROM guests (linked by flat.ld) live at 0xF0000-0xFFFFF: the 64 KiB image
 * that the machine maps at 0xFFFF0000 and aliases below 1 MiB. Real-mode code
 * runs with CS = DS = 0xF000, so a 16-bit address is "symbol - LIB_REAL_BASE".
 * A guest may define LIB_REAL_BASE and LIB_STR16_SECTION before including
 * this file when its real-mode code lives elsewhere (bzimage/hello.S).
 *
 * Everything here has been checked on QEMU both under TCG and under KVM on
 * this project's kvm-pvm /dev/kvm, whose limits shape a few choices: see
 * GDT_TABLE and "Interrupts" below.
 */

#ifndef LIB_REAL_BASE
#define LIB_REAL_BASE   0xF0000     /* linear address of DS in real mode */
#endif
#define ROM_BASE        0xF0000
#ifndef LIB_STR16_SECTION
#define LIB_STR16_SECTION .rodata   /* where PUTS16 keeps its strings */
#endif

/* ---- devices ---- */
#define COM1            0x3f8
#define UART_RBR        0           /* receive buffer (read) */
#define UART_THR        0           /* transmit holding (write) */
#define UART_IER        1
#define UART_IIR        2           /* read */
#define UART_FCR        2           /* write */
#define UART_LCR        3
#define UART_MCR        4
#define UART_LSR        5
#define LSR_DR          0x01
#define LSR_THRE        0x20
#define LSR_POLL_MAX    2000        /* bounded THRE wait per character */

#define ACPI_PM1_CNT    0x604       /* outw SLP_EN (0x2000) = poweroff */
#define ACPI_SLP_EN     0x2000
#define I8042_CMD       0x64
#define DEBUG_EXIT_PORT 0x501       /* outb V: exit status (V << 1) | 1 */
#define PIC1_DATA       0x21
#define PIC2_DATA       0xa1

#define TESTDEV_PORT    0xe0        /* 0xe0-0xe3: 32-bit scratch */
#ifndef TESTDEV_MMIO
#define TESTDEV_MMIO    0xfe000000  /* +0: 64-bit scratch, +8: access count */
#endif

#define IOAPIC_BASE     0xfec00000
#define IOAPIC_REGSEL   0x00
#define IOAPIC_WIN      0x10
#define IOAPIC_REDTBL(pin) (0x10 + 2 * (pin))

#define LAPIC_BASE      0xfee00000
#define LAPIC_ID        0x020
#define LAPIC_EOI       0x0b0
#define LAPIC_SVR       0x0f0
#define LAPIC_ICR_LO    0x300
#define LAPIC_ICR_HI    0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TIMER_ICR 0x380
#define LAPIC_TIMER_DCR 0x3e0

/* ---- fixed RAM layout (RAM starts at 0; the ROM is read-only) ---- */
#define RAM_VARS        0x500       /* guest variables, see each guest */
#define STACK_TOP       0x7000      /* BSP stack, grows down */
#define AP_TRAMPOLINE   0x8000      /* SIPI vector 0x08 */
#define PT_BASE         0x10000     /* 4 page-table pages: PML4, PDPT, PD 0-1G, PD 3-4G */

/* ---- GDT selectors (see GDT_TABLE) ---- */
#define SEL_CODE32      0x08
#define SEL_DATA        0x10
#define SEL_CODE64      0x18

/* ------------------------------------------------------------------ */
/* Serial console                                                      */
/* ------------------------------------------------------------------ */

/* SERIAL_INIT: COM1 to 115200 8N1, FIFOs on, DTR|RTS|OUT2, no interrupts.
 * Clobbers AL, DX. */
.macro SERIAL_INIT
    mov     $(COM1 + UART_IER), %dx
    xor     %al, %al
    out     %al, %dx
    mov     $(COM1 + UART_LCR), %dx
    mov     $0x80, %al              /* DLAB */
    out     %al, %dx
    mov     $(COM1 + 0), %dx
    mov     $1, %al                 /* divisor 1: 115200 baud */
    out     %al, %dx
    mov     $(COM1 + 1), %dx
    xor     %al, %al
    out     %al, %dx
    mov     $(COM1 + UART_LCR), %dx
    mov     $0x03, %al              /* 8N1, DLAB off */
    out     %al, %dx
    mov     $(COM1 + UART_FCR), %dx
    mov     $0x07, %al              /* enable and clear FIFOs, RX trigger 1 byte */
    out     %al, %dx
    mov     $(COM1 + UART_MCR), %dx
    mov     $0x0b, %al              /* DTR, RTS, OUT2 (IRQ gate on PCs) */
    out     %al, %dx
.endm

/* SERIAL_ROUTINES sfx: defines, in the current code mode,
 *   putc<sfx>    print AL                       clobbers AX, CX, DX
 *   puts<sfx>    print the NUL-terminated string at DS:(E/R)SI
 *                                               clobbers AX, CX, DX, (E/R)SI
 *   putdec<sfx>  print EAX as unsigned decimal  clobbers EAX, EBX, CX, EDX, DI
 *   puthex<sfx>  print EAX as 8 hex digits      clobbers EAX, EBX, CX, DX, DI
 * (Needs a stack.) Instantiate once per mode a guest uses: 16, 32, 64. */
.macro SERIAL_ROUTINES sfx
putc\sfx:
    mov     %al, %ah
    mov     $(COM1 + UART_LSR), %dx
    mov     $LSR_POLL_MAX, %cx
91: in      %dx, %al
    test    $LSR_THRE, %al
    jnz     92f
    dec     %cx
    jnz     91b
92: mov     %ah, %al
    mov     $(COM1 + UART_THR), %dx
    out     %al, %dx
    ret

puts\sfx:
93: lodsb
    test    %al, %al
    jz      94f
    call    putc\sfx
    jmp     93b
94: ret

putdec\sfx:
    xor     %di, %di
    mov     $10, %ebx
95: xor     %edx, %edx
    div     %ebx
    add     $'0', %dl
    push    %dx
    inc     %di
    test    %eax, %eax
    jnz     95b
96: pop     %ax
    call    putc\sfx
    dec     %di
    jnz     96b
    ret

puthex\sfx:
    mov     %eax, %ebx
    mov     $8, %di
97: rol     $4, %ebx
    mov     %bl, %al
    and     $0x0f, %al
    add     $'0', %al
    cmp     $'9', %al
    jbe     98f
    add     $('a' - '9' - 1), %al
98: call    putc\sfx
    dec     %di
    jnz     97b
    ret
.endm

/* PUTS16/32/64 "text": print a literal (kept in .rodata, or for PUTS16 in
 * LIB_STR16_SECTION, addressed from DS); no newline added.
 * PUTLN16/32/64 "text": the same followed by CR LF.
 * Clobber what puts<N> clobbers. */
.macro PUTS16 s
    .pushsection LIB_STR16_SECTION, "a"
.Lstr16_\@: .asciz "\s"
    .popsection
    mov     $(.Lstr16_\@ - LIB_REAL_BASE), %si
    call    puts16
.endm
.macro PUTLN16 s
    PUTS16  "\s\r\n"
.endm
.macro PUTS32 s
    .pushsection .rodata
.Lstr32_\@: .asciz "\s"
    .popsection
    mov     $.Lstr32_\@, %esi
    call    puts32
.endm
.macro PUTLN32 s
    PUTS32  "\s\r\n"
.endm
.macro PUTS64 s
    .pushsection .rodata
.Lstr64_\@: .asciz "\s"
    .popsection
    lea     .Lstr64_\@(%rip), %rsi
    call    puts64
.endm
.macro PUTLN64 s
    PUTS64  "\s\r\n"
.endm

/* ------------------------------------------------------------------ */
/* Power and halting                                                   */
/* ------------------------------------------------------------------ */

/* POWEROFF: ACPI S5 through PM1a_CNT (Kestrel microvm: ends the process with
 * status 0), then halt for good should the write do nothing (e.g. on QEMU). */
.macro POWEROFF
    mov     $ACPI_PM1_CNT, %dx
    mov     $ACPI_SLP_EN, %ax
    out     %ax, %dx
    HALT_FOREVER
.endm

/* HALT_FOREVER: cli; hlt in a loop (the vCPU stays idle). */
.macro HALT_FOREVER
99: cli
    hlt
    jmp     99b
.endm

/* ------------------------------------------------------------------ */
/* Reset vector and mode switches (ROM guests)                         */
/* ------------------------------------------------------------------ */

/* RESET_VECTOR label: the 16 bytes at 0xFFFFFFF0 (flat.ld places section
 * .reset there): far jump from CS base 0xFFFF0000 to the alias below 1 MiB,
 * CS = 0xF000, where the rest of the image runs. */
.macro RESET_VECTOR label
    .pushsection .reset, "ax"
    .code16
    ljmp    $0xf000, $(\label - ROM_BASE)
    .popsection
.endm

/* REAL_MODE_INIT: first code after the reset vector: interrupts off,
 * DS = CS = 0xF000 (strings), ES = SS = 0, SP = STACK_TOP. .code16 only. */
.macro REAL_MODE_INIT
    cli
    cld
    mov     %cs, %ax
    mov     %ax, %ds
    xor     %ax, %ax
    mov     %ax, %es
    mov     %ax, %ss
    mov     $STACK_TOP, %sp
.endm

/* GDT_TABLE: the flat GDT of the ROM guests and its descriptor gdt_desc.
 * 0x08 32-bit code, 0x10 data, 0x18 64-bit code; base 0, limit 4 GiB.
 * The descriptors have their Accessed bit preset: the GDT is in ROM, and a
 * CPU (or KVM's instruction emulator) loading a selector would otherwise try
 * to write that bit back into the read-only table. */
.macro GDT_TABLE
    .balign 8
gdt:
    .quad   0
    .quad   0x00cf9b000000ffff      /* SEL_CODE32 */
    .quad   0x00cf93000000ffff      /* SEL_DATA */
    .quad   0x00af9b000000ffff      /* SEL_CODE64: L=1, D=0 */
gdt_end:
gdt_desc:
    .word   gdt_end - gdt - 1
    .long   gdt
.endm

/* ENTER_PROTECTED label32: from real mode (ROM guest) to flat 32-bit
 * protected mode, paging off; continues at label32 (.code32), which should
 * start with PROTECTED_MODE_INIT. Needs GDT_TABLE in the image. */
.macro ENTER_PROTECTED label32
    cli
    lgdtl   %cs:(gdt_desc - ROM_BASE)
    mov     %cr0, %eax
    or      $1, %eax                /* CR0.PE */
    mov     %eax, %cr0
    ljmpl   $SEL_CODE32, $\label32
.endm

/* PROTECTED_MODE_INIT: flat data segments, ESP = STACK_TOP. .code32 only. */
.macro PROTECTED_MODE_INIT
    mov     $SEL_DATA, %eax
    mov     %eax, %ds
    mov     %eax, %es
    mov     %eax, %ss
    mov     %eax, %fs
    mov     %eax, %gs
    mov     $STACK_TOP, %esp
.endm

/* BUILD_PAGE_TABLES base, n2m: in 32-bit protected mode (paging off), write
 * four 4 KiB tables at base: PML4, PDPT, PD[0-1 GiB], PD[3-4 GiB]. Identity
 * maps the first n2m 2 MiB pages and, uncached, 0xFC000000-0xFFFFFFFF (the
 * testdev, IOAPIC, LAPIC and ROM). Only the entries used are written, so the
 * pages need not be zeroed first (entries never walked may hold anything).
 * Clobbers EAX, ECX, EDI. .code32 only. */
.macro BUILD_PAGE_TABLES base, n2m
    mov     $(\base + 0x1000 + 3), %eax     /* PML4[0] -> PDPT, P|RW */
    mov     %eax, (\base)
    movl    $0, (\base + 4)
    mov     $(\base + 0x2000 + 3), %eax     /* PDPT[0] -> PD 0-1 GiB */
    mov     %eax, (\base + 0x1000)
    movl    $0, (\base + 0x1000 + 4)
    mov     $(\base + 0x3000 + 3), %eax     /* PDPT[3] -> PD 3-4 GiB */
    mov     %eax, (\base + 0x1000 + 3 * 8)
    movl    $0, (\base + 0x1000 + 3 * 8 + 4)
    mov     $(\base + 0x2000), %edi
    mov     $0x83, %eax                     /* P|RW|PS, from 0 */
    mov     $(\n2m), %ecx
88: mov     %eax, (%edi)
    movl    $0, 4(%edi)
    add     $0x200000, %eax
    add     $8, %edi
    dec     %ecx
    jnz     88b
    mov     $(\base + 0x3000 + 480 * 8), %edi   /* 0xFC000000 >> 21 = 480+1536 */
    mov     $(0xfc000000 | 0x9b), %eax      /* P|RW|PWT|PCD|PS */
89: mov     %eax, (%edi)
    movl    $0, 4(%edi)
    add     $0x200000, %eax
    add     $8, %edi
    cmp     $(\base + 0x4000), %edi
    jb      89b
.endm

/* ENTER_LONG base, label64: from flat 32-bit protected mode with the tables
 * at base built, turn on PAE, EFER.LME and paging, and far jump to label64
 * (.code64) with the 64-bit code selector SEL_CODE64 of the current GDT.
 * Clobbers EAX, ECX, EDX. .code32 only. */
.macro ENTER_LONG base, label64, sel64=SEL_CODE64
    mov     %cr4, %eax
    or      $0x20, %eax                     /* CR4.PAE */
    mov     %eax, %cr4
    mov     $(\base), %eax
    mov     %eax, %cr3
    mov     $0xc0000080, %ecx               /* IA32_EFER */
    rdmsr
    or      $0x100, %eax                    /* LME */
    wrmsr
    mov     %cr0, %eax
    or      $0x80000000, %eax               /* CR0.PG: activates IA-32e mode */
    mov     %eax, %cr0
    ljmp    $\sel64, $\label64
.endm

/* LONG_MODE_INIT: data segments and RSP = STACK_TOP. .code64 only. */
.macro LONG_MODE_INIT
    mov     $SEL_DATA, %eax
    mov     %eax, %ds
    mov     %eax, %es
    mov     %eax, %ss
    mov     $STACK_TOP, %esp
.endm

/* ------------------------------------------------------------------ */
/* Interrupts                                                          */
/* ------------------------------------------------------------------ */
/*
 * Interrupt-driven guests take their interrupts in 64-bit long mode and
 * return with iretq. On this project's /dev/kvm (the kvm-pvm software
 * backend), guest kernel code runs through KVM's instruction emulator, which
 * does not implement a 32-bit protected-mode iret, nor int/int3 outside real
 * mode ("KVM internal error ... emulation failure"); iretq and hardware
 * interrupt and exception delivery work in all modes. Likewise descriptors in
 * ROM have their Accessed bit preset (see GDT_TABLE).
 */

/* IDT64_GATE handler: one 64-bit interrupt gate, DPL 0, IST 0, in a
 * ROM-resident IDT. The handler lies in 0xF0000-0xFFFFF, so its address bits
 * 31:16 are 0x000F and 63:32 are 0. */
.macro IDT64_GATE handler
    .word   \handler - ROM_BASE
    .word   SEL_CODE64
    .byte   0, 0x8e
    .word   ROM_BASE >> 16
    .long   0, 0
.endm

/* IDT64_GATES n, handler: n identical gates. */
.macro IDT64_GATES n, handler
    .rept   \n
    IDT64_GATE \handler
    .endr
.endm

/* MASK_PIC: mask every 8259 input (ISA IRQs go to the IOAPIC instead; the
 * in-kernel PIC is otherwise unprogrammed and would deliver vector 0+irq to
 * the BSP through LINT0, which KVM leaves in ExtINT mode). */
.macro MASK_PIC
    mov     $0xff, %al
    out     %al, $PIC1_DATA
    out     %al, $PIC2_DATA
.endm

/* LAPIC_ENABLE: software-enable the local APIC, spurious vector 0xff.
 * .code32 (paging off) only: 64-bit code must address it through a register,
 * as the other MMIO registers below. */
.macro LAPIC_ENABLE
    movl    $0x1ff, (LAPIC_BASE + LAPIC_SVR)
.endm

/* LAPIC_EOI64: end of interrupt from 64-bit code; preserves all registers. */
.macro LAPIC_EOI64
    push    %rax
    mov     $LAPIC_BASE, %eax
    movl    $0, LAPIC_EOI(%rax)
    pop     %rax
.endm

/* IOAPIC_ROUTE pin, low, high: write redirection entry pin (high dword first:
 * destination; then low dword: vector, mode, mask). .code32 only. */
.macro IOAPIC_ROUTE pin, low, high
    movl    $(IOAPIC_REDTBL(\pin) + 1), (IOAPIC_BASE + IOAPIC_REGSEL)
    movl    $(\high), (IOAPIC_BASE + IOAPIC_WIN)
    movl    $(IOAPIC_REDTBL(\pin)), (IOAPIC_BASE + IOAPIC_REGSEL)
    movl    $(\low), (IOAPIC_BASE + IOAPIC_WIN)
.endm
