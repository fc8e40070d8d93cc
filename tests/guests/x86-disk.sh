#!/bin/sh
# tests/guests/x86-disk.sh: builds a bootable raw disk image for the x86 `pc`
# board without loop devices or root: a 1 MiB image whose MBR is a boot
# sector of our own (assembled with binutils) that prints
# "kestrel-mbr: booted" on COM1 with direct port writes, then powers the
# machine off the ACPI way: it reads the PIIX4 PM base from PCI config
# space (00:01.3, register 0x40) and writes SLP_EN with SLP_TYP 0 (the
# DSDT's \_S5) to PM1a_CNT at base + 4.
#
# usage: tests/guests/x86-disk.sh [OUTPUT]   (default: the cache below)
# Prints the image path. The image is cached in
# ${XDG_CACHE_HOME:-$HOME/.cache}/kestrel/x86/ and rebuilt when this script changes.
set -e
out=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/kestrel/x86/mbr-disk.img}
mkdir -p "$(dirname "$out")"
if [ -f "$out" ] && [ "$out" -nt "$0" ]; then
    echo "$out"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat > "$tmp/mbr.S" <<'ASM'
    .code16
    .text
    .globl _start
_start:
    cli
    xor %ax, %ax
    mov %ax, %ds
    mov %ax, %ss
    mov $0x7c00, %sp
    mov $msg, %si
next:
    lodsb
    test %al, %al
    jz poweroff
    mov %al, %bl
    mov $0x3fd, %dx             # COM1 line status: wait for THRE
wait:
    inb %dx, %al
    test $0x20, %al
    jz wait
    mov $0x3f8, %dx
    mov %bl, %al
    outb %al, %dx
    jmp next
poweroff:
    mov $0x80000b40, %eax       # CONFIG_ADDRESS: bus 0, device 1, function 3, reg 0x40
    mov $0xcf8, %dx
    outl %eax, %dx
    mov $0xcfc, %dx
    inl %dx, %eax               # PMBASE
    and $0xffc0, %ax
    add $4, %ax                 # PM1a_CNT
    mov %ax, %dx
    mov $0x2000, %ax            # SLP_EN | SLP_TYP 0 (S5)
    outw %ax, %dx
halt:
    hlt
    jmp halt
msg:
    .asciz "kestrel-mbr: booted\r\n"
    .org 446
    # One partition entry (type 0x83, LBA 1, the rest of the image), so that
    # the image looks like a partitioned disk to anything that checks.
    .byte 0x80, 0, 2, 0, 0x83, 0, 0, 0
    .long 1, 2047
    .org 510
    .byte 0x55, 0xaa
ASM
as --32 "$tmp/mbr.S" -o "$tmp/mbr.o"
ld -m elf_i386 -Ttext 0x7c00 --oformat binary -o "$tmp/mbr.bin" "$tmp/mbr.o"
test "$(stat -c %s "$tmp/mbr.bin")" = 512
dd if=/dev/zero of="$tmp/disk.img" bs=1024 count=1024 2>/dev/null
dd if="$tmp/mbr.bin" of="$tmp/disk.img" conv=notrunc 2>/dev/null
mv "$tmp/disk.img" "$out"
echo "$out"
