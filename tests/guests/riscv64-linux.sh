#!/bin/sh
# tests/guests/riscv64-linux.sh: builds the riscv64 Linux guest of Kestrel's
# tests and benchmarks and caches it outside the tree, in
# ${XDG_CACHE_HOME:-$HOME/.cache}/kestrel/riscv64/:
#   Image               Linux 6.1 from Debian's linux-source-6.1: `make tinyconfig`
#                       + tests/guests/riscv64/kernel.config, olddefconfig, built with
#                       gcc-riscv64-linux-gnu (about 2-3 minutes on 2 cores)
#   kernel.config       the kernel's full .config
#   init, bench         static riscv64 programs (tests/guests/riscv64/init.c and the
#                       CPU benchmark tests/bench/riscv64/bench.c built for Linux)
#   initramfs.cpio.gz   gzip'd newc archive: /init, /bench, /dev/console, mount points
#   kernel-stamp, stamp package versions and checksums of the inputs
# and checks that the firmware the tests use is installed: OpenSBI fw_dynamic
# (package opensbi) and U-Boot for S-mode (package u-boot-qemu).
# Missing Debian packages are installed with apt-get (as root). Idempotent:
# with the stamps up to date it only prints the paths.
#
# usage: tests/guests/riscv64-linux.sh [--force]
set -eu

# Bump when the way the kernel or the initramfs is built changes.
KERNEL_FORMAT=1
INITRAMFS_FORMAT=1
PACKAGES="linux-source-6.1 gcc-riscv64-linux-gnu libc6-dev-riscv64-cross bc flex bison make gcc \
libc6-dev xz-utils python3 u-boot-qemu opensbi"
SOURCE=/usr/src/linux-source-6.1.tar.xz
CROSS=riscv64-linux-gnu-
OPENSBI=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
UBOOT=/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin

here=$(cd "$(dirname "$0")" && pwd)
src="$here/riscv64"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/kestrel/riscv64"
force=no
case "${1:-}" in
    --force) force=yes ;;
    "") ;;
    *) echo "riscv64-linux.sh: error: unknown argument '$1' (usage: riscv64-linux.sh [--force])" >&2
       exit 1 ;;
esac

say() { echo "riscv64-linux: $*"; }
die() { echo "riscv64-linux: error: $*" >&2; exit 1; }

command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query is missing (this script needs Debian)"

# ---- packages -----------------------------------------------------------------
missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing with apt-get:$missing"
        export DEBIAN_FRONTEND=noninteractive
        # shellcheck disable=SC2086
        if ! apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1; then
            apt-get update -qq >/dev/null || die "apt-get update failed"
            apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
                die "apt-get install$missing failed"
        fi
        say "installed:$missing"
    else
        die "missing packages:$missing (as root: apt-get install$missing)"
    fi
fi
[ -f "$SOURCE" ] || die "$SOURCE does not exist (package linux-source-6.1)"
[ -f "$OPENSBI" ] || die "$OPENSBI does not exist (package opensbi)"
[ -f "$UBOOT" ] || die "$UBOOT does not exist (package u-boot-qemu)"

version() { dpkg-query -W -f='${Version}' "$1"; }
sum() { cat "$@" | cksum | cut -d' ' -f1; }

mkdir -p "$cache"
# One run at a time per cache (tests and benchmarks may call this together).
if command -v flock >/dev/null 2>&1; then
    exec 9>"$cache/.lock"
    flock 9
fi

kernel_stamp="format=$KERNEL_FORMAT linux-source-6.1=$(version linux-source-6.1)\
 gcc-riscv64-linux-gnu=$(version gcc-riscv64-linux-gnu) fragment=$(sum "$src/kernel.config")"
initramfs_stamp="format=$INITRAMFS_FORMAT libc6-dev-riscv64-cross=$(version libc6-dev-riscv64-cross)\
 gcc-riscv64-linux-gnu=$(version gcc-riscv64-linux-gnu)\
 inputs=$(sum "$src/init.c" "$here/../bench/riscv64/bench.c" "$here/initramfs/newc.py" "$0")"

show() {
    say "kernel:    $cache/Image ($(cat "$cache/kernel-stamp"))"
    say "initramfs: $cache/initramfs.cpio.gz"
    say "opensbi:   $OPENSBI (opensbi $(version opensbi))"
    say "u-boot:    $UBOOT (u-boot-qemu $(version u-boot-qemu))"
}

kernel_ok=no
if [ "$force" = no ] && [ -f "$cache/Image" ] && [ -f "$cache/kernel-stamp" ] &&
   [ "$(cat "$cache/kernel-stamp")" = "$kernel_stamp" ]; then
    kernel_ok=yes
fi
initramfs_ok=no
if [ "$force" = no ] && [ -f "$cache/initramfs.cpio.gz" ] && [ -f "$cache/stamp" ] &&
   [ "$(cat "$cache/stamp")" = "$initramfs_stamp" ]; then
    initramfs_ok=yes
fi
if [ "$kernel_ok" = yes ] && [ "$initramfs_ok" = yes ]; then
    say "up to date"
    show
    exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kestrel-riscv64.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'rm -rf "$tmp"; exit 1' INT TERM
jobs=$(nproc 2>/dev/null || echo 2)

# ---- kernel -------------------------------------------------------------------
kmake() {
    make -C "$tmp/linux" ARCH=riscv CROSS_COMPILE="$CROSS" "$@" >>"$tmp/kernel.log" 2>&1 || {
        tail -n 40 "$tmp/kernel.log" >&2
        die "kernel: make $* failed (log above)"
    }
}

if [ "$kernel_ok" = no ]; then
    start=$(date +%s)
    say "building the kernel: $SOURCE (linux-source-6.1 $(version linux-source-6.1)),"
    say "  tinyconfig + $src/kernel.config, make -j$jobs Image (takes a few minutes)"
    mkdir -p "$tmp/linux"
    tar -xJf "$SOURCE" -C "$tmp/linux" --strip-components=1 ||
        die "cannot extract $SOURCE"
    : >"$tmp/kernel.log"
    kmake tinyconfig
    (cd "$tmp/linux" && ARCH=riscv CROSS_COMPILE="$CROSS" \
        scripts/kconfig/merge_config.sh -m .config "$src/kernel.config") \
        >>"$tmp/kernel.log" 2>&1 || die "kernel: merge_config.sh failed"
    kmake olddefconfig
    # Every option of the fragment must have survived olddefconfig.
    bad=""
    # shellcheck disable=SC2013
    for opt in $(sed -n 's/^\(CONFIG_[A-Za-z0-9_]*=[^ ]*\)$/\1/p' "$src/kernel.config"); do
        grep -qx "$opt" "$tmp/linux/.config" || bad="$bad $opt"
    done
    # shellcheck disable=SC2013
    for opt in $(sed -n 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1/p' "$src/kernel.config"); do
        if grep -q "^$opt=" "$tmp/linux/.config"; then bad="$bad $opt(still-set)"; fi
    done
    [ -z "$bad" ] || die "kernel: options of kernel.config not in the final .config:$bad"
    kmake -j"$jobs" Image
    cp "$tmp/linux/arch/riscv/boot/Image" "$cache/Image.new"
    cp "$tmp/linux/.config" "$cache/kernel.config"
    mv "$cache/Image.new" "$cache/Image"
    echo "$kernel_stamp" >"$cache/kernel-stamp"
    rm -rf "$tmp/linux"
    say "kernel built in $(( $(date +%s) - start )) s: $cache/Image ($(du -k "$cache/Image" | cut -f1) KiB)"
fi

# ---- initramfs ----------------------------------------------------------------
if [ "$initramfs_ok" = no ] || [ "$kernel_ok" = no ]; then
    cflags="-static -O2 -Wall -Wextra"
    say "building /init: ${CROSS}gcc $cflags $src/init.c"
    # shellcheck disable=SC2086
    "${CROSS}gcc" $cflags -o "$tmp/init" "$src/init.c" -lpthread -lm ||
        die "cannot build $src/init.c"
    say "building /bench: ${CROSS}gcc $cflags -DBENCH_LINUX tests/bench/riscv64/bench.c"
    # shellcheck disable=SC2086
    "${CROSS}gcc" $cflags -DBENCH_LINUX -o "$tmp/bench" "$here/../bench/riscv64/bench.c" ||
        die "cannot build the Linux variant of tests/bench/riscv64/bench.c"
    "${CROSS}strip" "$tmp/init" "$tmp/bench"
    python3 - "$here/initramfs" "$tmp/init" "$tmp/bench" "$tmp/initramfs.cpio.gz" <<'EOF'
# Writes the initramfs: mount points, /dev/console, /init and /bench.
import gzip, io, sys
sys.path.insert(0, sys.argv[1])
from newc import NewcWriter
raw = io.BytesIO()
w = NewcWriter(raw)
for d in ("dev", "proc", "sys", "tmp", "root"):
    w.add_dir(d)
w.add_chardev("dev/console", 5, 1)
for name, path in (("init", sys.argv[2]), ("bench", sys.argv[3])):
    with open(path, "rb") as f:
        w.add_file(name, f.read(), 0o755)
w.finish()
with open(sys.argv[4], "wb") as f:
    f.write(gzip.compress(raw.getvalue(), mtime=0))
EOF
    cp "$tmp/init" "$cache/init.new" && mv "$cache/init.new" "$cache/init"
    cp "$tmp/bench" "$cache/bench.new" && mv "$cache/bench.new" "$cache/bench"
    cp "$tmp/initramfs.cpio.gz" "$cache/initramfs.new" &&
        mv "$cache/initramfs.new" "$cache/initramfs.cpio.gz"
    echo "$initramfs_stamp" >"$cache/stamp"
    say "initramfs built: $(du -k "$cache/initramfs.cpio.gz" | cut -f1) KiB"
fi
show
