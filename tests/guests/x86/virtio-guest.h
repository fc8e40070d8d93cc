/*
 * virtio-guest.h - a minimal virtio-mmio driver for the small x86 test guests
 * (virtio-blk.S, virtio-rng.S). Included after lib.h; 64-bit code only.
 *
 * It drives the device in microvm's first virtio-mmio slot (0xfeb00000)
 * without interrupts: one split queue of VQ_SIZE entries in low RAM, the
 * guest puts one chain at a time in the avail ring, writes QueueNotify and
 * polls the used ring. Negotiates VIRTIO_F_VERSION_1 only.
 *
 * VIRTIO_ROUTINES defines (needs SERIAL_ROUTINES 64 and a label "fail" that
 * prints nothing more and powers off):
 *   virtio_init64     EDI = expected device id. Checks magic, version 2 and
 *                     the id, resets, negotiates, sets up queue 0, DRIVER_OK.
 *                     Prints "FAIL <what>" and jumps to fail on a mismatch.
 *   virtq_run64       EDI = head descriptor index (descriptors already in
 *                     VQ_DESC). Publishes it, notifies, waits for the used
 *                     entry; returns its length in EAX (prints "FAIL used
 *                     ring timeout" and jumps to fail if none comes).
 *   puthexbyte64      print AL as two hex digits; clobbers RAX, RCX, RDX, R8.
 *   VQ_DESC_SET i, addr, len, flags, next: fill descriptor i (clobbers RAX).
 * Clobbers of the routines: RAX, RCX, RDX, RSI, RDI, R8, R9.
 */

#define VIRTIO_MMIO_BASE    0xfeb00000
#define VIRTIO_MAGIC        0x74726976
#define VMMIO_MAGIC         0x000
#define VMMIO_VERSION       0x004
#define VMMIO_DEVICE_ID     0x008
#define VMMIO_DEV_FEAT      0x010
#define VMMIO_DEV_FEAT_SEL  0x014
#define VMMIO_DRV_FEAT      0x020
#define VMMIO_DRV_FEAT_SEL  0x024
#define VMMIO_QUEUE_SEL     0x030
#define VMMIO_QUEUE_NUM_MAX 0x034
#define VMMIO_QUEUE_NUM     0x038
#define VMMIO_QUEUE_READY   0x044
#define VMMIO_QUEUE_NOTIFY  0x050
#define VMMIO_STATUS        0x070
#define VMMIO_DESC_LO       0x080
#define VMMIO_DESC_HI       0x084
#define VMMIO_DRIVER_LO     0x090
#define VMMIO_DRIVER_HI     0x094
#define VMMIO_DEVICE_LO     0x0a0
#define VMMIO_DEVICE_HI     0x0a4
#define VMMIO_CONFIG        0x100

#define VQ_SIZE             8
#define VQ_DESC             0x20000
#define VQ_AVAIL            0x21000
#define VQ_USED             0x22000
#define VQ_F_NEXT           1
#define VQ_F_WRITE          2
#define VQ_POLL_MAX         4000000

/* Driver state in RAM: the next avail index. */
#define VQ_AVAIL_NEXT       (RAM_VARS + 0x10)

.macro VQ_DESC_SET i, addr, len, flags, next
    movq    $(\addr), (VQ_DESC + 16 * (\i))
    movl    $(\len), (VQ_DESC + 16 * (\i) + 8)
    movw    $(\flags), (VQ_DESC + 16 * (\i) + 12)
    movw    $(\next), (VQ_DESC + 16 * (\i) + 14)
.endm

.macro VIRTIO_ROUTINES
puthexbyte64:
    movzbl  %al, %r8d
    mov     %r8d, %eax
    shr     $4, %eax
    call    hexdigit64
    mov     %r8d, %eax
    and     $0xf, %eax
hexdigit64:
    add     $'0', %al
    cmp     $'9', %al
    jbe     1f
    add     $('a' - '9' - 1), %al
1:  jmp     putc64

virtio_init64:
    mov     $VIRTIO_MMIO_BASE, %r9d
    cmpl    $VIRTIO_MAGIC, VMMIO_MAGIC(%r9)
    je      1f
    PUTLN64 "FAIL no virtio-mmio magic"
    jmp     fail
1:  cmpl    $2, VMMIO_VERSION(%r9)
    je      1f
    PUTLN64 "FAIL virtio-mmio version is not 2"
    jmp     fail
1:  cmp     VMMIO_DEVICE_ID(%r9), %edi
    je      1f
    PUTLN64 "FAIL wrong virtio device id"
    jmp     fail
1:  movl    $0, VMMIO_STATUS(%r9)               /* reset */
    movl    $1, VMMIO_STATUS(%r9)               /* ACKNOWLEDGE */
    movl    $3, VMMIO_STATUS(%r9)               /* DRIVER */
    movl    $1, VMMIO_DEV_FEAT_SEL(%r9)
    testl   $1, VMMIO_DEV_FEAT(%r9)             /* VIRTIO_F_VERSION_1 is bit 32 */
    jnz     1f
    PUTLN64 "FAIL VERSION_1 not offered"
    jmp     fail
1:  movl    $1, VMMIO_DRV_FEAT_SEL(%r9)
    movl    $1, VMMIO_DRV_FEAT(%r9)
    movl    $0, VMMIO_DRV_FEAT_SEL(%r9)
    movl    $0, VMMIO_DRV_FEAT(%r9)
    movl    $0xb, VMMIO_STATUS(%r9)             /* FEATURES_OK */
    testl   $8, VMMIO_STATUS(%r9)
    jnz     1f
    PUTLN64 "FAIL FEATURES_OK refused"
    jmp     fail
1:  movl    $0, VMMIO_QUEUE_SEL(%r9)
    cmpl    $VQ_SIZE, VMMIO_QUEUE_NUM_MAX(%r9)
    jae     1f
    PUTLN64 "FAIL queue 0 too small"
    jmp     fail
1:  movw    $0, (VQ_AVAIL)                      /* flags: interrupts are masked anyway */
    movw    $0, (VQ_AVAIL + 2)
    movw    $0, (VQ_USED + 2)
    movw    $0, (VQ_AVAIL_NEXT)
    movl    $VQ_SIZE, VMMIO_QUEUE_NUM(%r9)
    movl    $VQ_DESC, VMMIO_DESC_LO(%r9)
    movl    $0, VMMIO_DESC_HI(%r9)
    movl    $VQ_AVAIL, VMMIO_DRIVER_LO(%r9)
    movl    $0, VMMIO_DRIVER_HI(%r9)
    movl    $VQ_USED, VMMIO_DEVICE_LO(%r9)
    movl    $0, VMMIO_DEVICE_HI(%r9)
    movl    $1, VMMIO_QUEUE_READY(%r9)
    movl    $0xf, VMMIO_STATUS(%r9)             /* DRIVER_OK */
    ret

virtq_run64:
    movzwl  (VQ_AVAIL_NEXT), %eax
    mov     %eax, %ecx
    and     $(VQ_SIZE - 1), %ecx
    mov     %di, VQ_AVAIL + 4(, %rcx, 2)        /* ring[idx % size] = head */
    inc     %eax
    mov     %ax, (VQ_AVAIL_NEXT)
    mov     %ax, (VQ_AVAIL + 2)                 /* publish (x86 keeps store order) */
    mov     $VIRTIO_MMIO_BASE, %r9d
    movl    $0, VMMIO_QUEUE_NOTIFY(%r9)
    mov     $VQ_POLL_MAX, %ecx
1:  cmp     %ax, (VQ_USED + 2)
    je      2f
    pause
    dec     %ecx
    jnz     1b
    PUTLN64 "FAIL used ring timeout"
    jmp     fail
2:  dec     %eax
    and     $(VQ_SIZE - 1), %eax
    mov     VQ_USED + 8(, %rax, 8), %eax        /* used ring[idx - 1].len */
    ret
.endm
