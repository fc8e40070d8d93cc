/*
 * bzimage/hello.S - a minimal bzImage (-kernel bzimage-hello.bin -append ...),
 * Linux x86 boot protocol 2.15 (Documentation/arch/x86/boot.rst); linked by
 * bzimage.ld into build/tests/guests/x86/bzimage-hello.bin.
 *
 * Tests the loader's bzImage support: the setup header (boot_flag 0xAA55,
 * "HdrS", version 0x020f, setup_sects, loadflags LOADED_HIGH, xloadflags
 * XLF_KERNEL_64, cmdline_size, pref_address 0x100000, init_size), loading
 * the protected-mode payload at 0x100000, and the 64-bit entry (payload
 * offset 0x200) in long mode with RSI = boot_params, whose hdr.cmd_line_ptr
 * (+ ext_cmd_line_ptr) must point at the -append string and whose e820_entries
 * (offset 0x1e8) count the memory map. Prints
 *   bzimage: 64-bit entry ok
 *   bzimage: cmdline: <the command line>
 *   bzimage: e820 entries: <N>
 * then powers off. The image also has the other two entries, as Linux does,
 * so any loader can boot it: the 32-bit entry (payload offset 0: flat
 * protected mode, ESI = boot_params) prints "bzimage: 32-bit entry ok", builds
 * page tables and enters long mode, continuing at the 64-bit entry; the
 * real-mode entry (setup offset 0x200; what QEMU/SeaBIOS use) prints
 * "bzimage: real-mode entry ok", makes a boot_params copy, fills its e820
 * table with int 0x15/0xe820 and switches to protected mode at code32_start.
 */
#define LIB_REAL_BASE       0           /* setup code runs with DS = setup */
#define LIB_STR16_SECTION   .setup.rodata
#include "lib.h"

#define BP_OFF          0x4000          /* boot_params copy, setup-relative */
#define SETUP_STACK     0x8000
#define BP_E820_ENTRIES 0x1e8           /* struct boot_params offsets */
#define BP_E820_TABLE   0x2d0
#define BP_EXT_CMDLINE  0x0c8
#define BP_CMD_LINE_PTR 0x228
#define E820_MAX        128
#define SMAP            0x534d4150

#define BOOT_CS         0x10            /* __BOOT_CS, __BOOT_DS of the protocol */
#define BOOT_DS         0x18
#define BOOT_CS64       0x20

/* ------------------------------------------------------------------ */
/* Real-mode setup: boot sector and header                             */
/* ------------------------------------------------------------------ */
    .section .setup, "ax"
    .code16
setup:
    .org    0x1f1
    .byte   bz_setup_sects          /* setup_sects */
    .word   0                       /* root_flags */
    .long   bz_syssize              /* syssize: payload size / 16 */
    .word   0                       /* ram_size (obsolete) */
    .word   0xffff                  /* vid_mode: normal */
    .word   0                       /* root_dev */
    .word   0xaa55                  /* boot_flag */
    .org    0x200
    jmp     setup_start             /* jump: must be a 2-byte short jmp */
    .org    0x202
    .ascii  "HdrS"                  /* header */
    .word   0x020f                  /* version 2.15 */
    .long   0                       /* realmode_swtch */
    .word   0x1000                  /* start_sys_seg (obsolete) */
    .word   kernel_version - 0x200  /* kernel_version */
    .byte   0                       /* type_of_loader */
    .byte   0x01                    /* loadflags: LOADED_HIGH */
    .word   0x8000                  /* setup_move_size */
    .org    0x214
code32_start:
    .long   0x100000                /* code32_start */
    .long   0                       /* ramdisk_image */
    .long   0                       /* ramdisk_size */
    .long   0                       /* bootsect_kludge */
    .word   0                       /* heap_end_ptr */
    .byte   0                       /* ext_loader_ver */
    .byte   0                       /* ext_loader_type */
    .org    0x228
    .long   0                       /* cmd_line_ptr */
    .long   0x7fffffff              /* initrd_addr_max */
    .long   0x200000                /* kernel_alignment */
    .byte   0                       /* relocatable_kernel: no */
    .byte   12                      /* min_alignment (log2) */
    .org    0x236
    .word   0x0001                  /* xloadflags: XLF_KERNEL_64 */
    .long   2047                    /* cmdline_size */
    .long   0                       /* hardware_subarch */
    .quad   0                       /* hardware_subarch_data */
    .long   0                       /* payload_offset */
    .long   0                       /* payload_length */
    .quad   0                       /* setup_data */
    .org    0x258
    .quad   0x100000                /* pref_address */
    .long   bz_init_size            /* init_size */
    .long   0                       /* handover_offset */
    .long   0                       /* kernel_info_offset */
    .org    0x26c                   /* (each .org pins a field's offset) */
hdr_end:

/* Real-mode entry: CS = setup segment + 0x20, IP = 0. */
setup_start:
    cli
    cld
    mov     %cs, %ax
    sub     $0x20, %ax
    mov     %ax, %ds
    mov     %ax, %es
    mov     %ax, %ss
    mov     $SETUP_STACK, %sp
    SERIAL_INIT
    PUTLN16 "bzimage: real-mode entry ok"

    mov     $BP_OFF, %di            /* zeroed boot_params with the header */
    xor     %ax, %ax
    mov     $2048, %cx
    rep stosw
    mov     $0x1f1, %si
    mov     $(BP_OFF + 0x1f1), %di
    mov     $(0x26c - 0x1f1), %cx
    rep movsb

    xor     %ebx, %ebx              /* memory map from the BIOS */
    mov     $(BP_OFF + BP_E820_TABLE), %di
1:  mov     $0xe820, %eax
    mov     $SMAP, %edx
    mov     $20, %ecx
    int     $0x15
    jc      2f
    cmp     $SMAP, %eax
    jne     2f
    incb    (BP_OFF + BP_E820_ENTRIES)
    add     $20, %di
    cmpb    $E820_MAX, (BP_OFF + BP_E820_ENTRIES)
    jae     2f
    test    %ebx, %ebx
    jnz     1b
2:
    cli
    xor     %ebp, %ebp              /* EBP = linear address of the setup */
    mov     %ds, %bp
    shl     $4, %ebp
    mov     %ebp, %eax
    add     $setup_gdt, %eax
    mov     %eax, setup_gdt_desc + 2
    lgdtl   setup_gdt_desc
    mov     code32_start, %eax
    mov     %eax, far_target
    mov     %ebp, %esi
    add     $BP_OFF, %esi           /* ESI = boot_params */
    mov     %cr0, %eax
    or      $1, %eax
    mov     %eax, %cr0
    ljmpl   *far_target             /* to code32_start, CS = __BOOT_CS */

    SERIAL_ROUTINES 16

kernel_version:
    .asciz  "kestrel bzimage-hello"

    .balign 8
setup_gdt:
    .quad   0, 0
    .quad   0x00cf9b000000ffff      /* __BOOT_CS */
    .quad   0x00cf93000000ffff      /* __BOOT_DS */
setup_gdt_end:
setup_gdt_desc:
    .word   setup_gdt_end - setup_gdt - 1
    .long   0                       /* base: patched at run time */
far_target:
    .long   0
    .word   BOOT_CS

/* ------------------------------------------------------------------ */
/* Protected-mode payload, at 0x100000                                 */
/* ------------------------------------------------------------------ */
    .section .text.head, "ax"
    .code32
    .globl  startup_32
startup_32:                         /* flat 32-bit, ESI = boot_params */
    cli
    cld
    lgdt    %cs:bz_gdt_desc          /* CS is flat; DS may not be yet */
    ljmp    $BOOT_CS, $1f
1:  mov     $BOOT_DS, %eax
    mov     %eax, %ds
    mov     %eax, %es
    mov     %eax, %ss
    mov     %eax, %fs
    mov     %eax, %gs
    mov     $stack_top, %esp
    mov     %esi, %ebp
    SERIAL_INIT
    PUTLN32 "bzimage: 32-bit entry ok"
    BUILD_PAGE_TABLES page_tables, 512  /* first 1 GiB */
    mov     %ebp, %esi
    ENTER_LONG page_tables, from32, BOOT_CS64

    .code64
from32:
    mov     %esi, %esi              /* zero-extend boot_params */
    jmp     startup_64

    .org    0x200
    .globl  startup_64
startup_64:                         /* long mode, RSI = boot_params */
    cli
    cld
    lea     stack_top(%rip), %rsp
    mov     %rsi, %r12
    SERIAL_INIT
    PUTLN64 "bzimage: 64-bit entry ok"
    PUTS64  "bzimage: cmdline: "
    mov     BP_CMD_LINE_PTR(%r12), %esi
    mov     BP_EXT_CMDLINE(%r12), %eax
    shl     $32, %rax
    or      %rax, %rsi
    test    %rsi, %rsi
    jz      1f
    call    puts64
1:  PUTLN64 ""
    PUTS64  "bzimage: e820 entries: "
    movzbl  BP_E820_ENTRIES(%r12), %eax
    call    putdec64
    PUTLN64 ""
    POWEROFF

    .text
    .code32
    SERIAL_ROUTINES 32
    .code64
    SERIAL_ROUTINES 64

    .section .rodata
    .balign 8
bz_gdt:
    .quad   0, 0
    .quad   0x00cf9b000000ffff      /* BOOT_CS */
    .quad   0x00cf93000000ffff      /* BOOT_DS */
    .quad   0x00af9b000000ffff      /* BOOT_CS64 */
bz_gdt_end:
bz_gdt_desc:
    .word   bz_gdt_end - bz_gdt - 1
    .long   bz_gdt

    .bss
    .balign 4096
page_tables:
    .skip   4 * 4096
    .skip   4096
stack_top:
