/*
 * pvh-hello.S - PVH guest (-kernel pvh-hello.elf -append "hello pvh"): the
 * x86/HVM direct boot ABI used for vmlinux ELF images.
 *
 * Tests: the loader finds the XEN_ELFNOTE_PHYS32_ENTRY note (type 18, name
 * "Xen") in the PT_NOTE segment, loads the PT_LOAD segment at its physical
 * address (0x100000) and enters the 32-bit entry in flat protected mode,
 * paging off, with EBX = physical address of struct hvm_start_info; that the
 * structure has magic 0x336ec578 and cmdline_paddr points at the -append
 * string.
 * Prints "pvh: magic ok" and "pvh: cmdline: <the command line>", then powers
 * off; on a bad magic prints "FAIL pvh magic <hex>" and halts.
 */
#include "lib.h"

#define XEN_ELFNOTE_PHYS32_ENTRY    18
#define HVM_START_MAGIC             0x336ec578
#define HSI_MAGIC                   0x00    /* struct hvm_start_info offsets */
#define HSI_VERSION                 0x04
#define HSI_CMDLINE_PADDR           0x18

    .section .note.Xen, "a", @note
    .balign 4
    .long   4                       /* namesz: "Xen\0" */
    .long   8                       /* descsz */
    .long   XEN_ELFNOTE_PHYS32_ENTRY
    .asciz  "Xen"
    .balign 4
    .quad   pvh_start               /* as Linux does on x86-64: 8 bytes */
    .balign 4

    .text
    .code32
    .globl  pvh_start
pvh_start:
    cli
    cld
    mov     $stack_top, %esp
    mov     %ebx, %ebp              /* struct hvm_start_info * */
    SERIAL_INIT
    cmpl    $HVM_START_MAGIC, HSI_MAGIC(%ebp)
    jne     bad_magic
    PUTLN32 "pvh: magic ok"
    PUTS32  "pvh: cmdline: "
    mov     HSI_CMDLINE_PADDR(%ebp), %esi
    cmpl    $0, HSI_CMDLINE_PADDR+4(%ebp)
    jne     1f                      /* above 4 GiB: not reachable here */
    test    %esi, %esi
    jz      1f
    call    puts32
1:  PUTLN32 ""
    POWEROFF

bad_magic:
    PUTS32  "FAIL pvh magic "
    mov     HSI_MAGIC(%ebp), %eax
    call    puthex32
    PUTLN32 ""
    HALT_FOREVER

    SERIAL_ROUTINES 32

    .bss
    .balign 16
    .skip   4096
stack_top:
