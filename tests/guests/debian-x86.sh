#!/bin/sh
# tests/guests/debian-x86.sh: fetches the guest software of Kestrel's x86-64
# Linux tests from Debian 12 and caches it outside the tree, in
# ${XDG_CACHE_HOME:-$HOME/.cache}/kestrel/x86/:
#   vmlinuz             the current Debian 6.1 generic kernel (linux-image-amd64's dependency)
#   initramfs.cpio.gz   busybox-static + the virtio modules (dependency order) + /init
#                       (tests/guests/initramfs/init)
#   busybox, modules/   the parts the initramfs is built from
#   stamp               package versions and the inputs' checksums
# Idempotent: with the stamp up to date it only prints the paths. Packages are
# taken with `apt-get download` (no install); apt-get update runs if apt knows
# no kernel package. Kernel modules the tests need are listed in MODULES below;
# the ones they depend on are added automatically.
#
# usage: tests/guests/debian-x86.sh [--force]
set -eu

MODULES="virtio virtio_ring virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_mmio \
virtio_blk failover net_failover virtio_net virtio_console virtio_rng virtio_balloon"
FORMAT=1

here=$(cd "$(dirname "$0")" && pwd)
helper="$here/initramfs/mkinitramfs.py"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/kestrel/x86"
force=no
case "${1:-}" in
    --force) force=yes ;;
    "") ;;
    *) echo "debian-x86.sh: error: unknown argument '$1' (usage: debian-x86.sh [--force])" >&2
       exit 1 ;;
esac

say() { echo "debian-x86: $*"; }
die() { echo "debian-x86: error: $*" >&2; exit 1; }

for tool in apt-cache apt-get dpkg-deb python3; do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' is missing (this script needs Debian's apt and python3)"
done

mkdir -p "$cache"
# One run at a time per cache (tests and benchmarks may call this together).
if command -v flock >/dev/null 2>&1; then
    exec 9>"$cache/.lock"
    flock 9
fi

# Which kernel package is current: linux-image-amd64 depends on it. One
# apt-cache policy call gives both versions (this path runs on every test start).
resolve() {
    kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-6\.1\.[^ ]*-amd64\)$/\1/p' | head -n 1)
    kver="" bver=""
    [ -n "$kpkg" ] || return 1
    versions=$(apt-cache policy "$kpkg" busybox-static 2>/dev/null |
        sed -n -e 's/^\([^ ].*\):$/P \1/p' -e 's/^ *Candidate: /C /p')
    kver=$(echo "$versions" | awk -v p="$kpkg" '$1 == "P" { c = $2 } $1 == "C" && c == p { print $2; exit }')
    bver=$(echo "$versions" | awk '$1 == "P" { c = $2 } $1 == "C" && c == "busybox-static" { print $2; exit }')
    [ -n "$kver" ] && [ "$kver" != "(none)" ] && [ -n "$bver" ] && [ "$bver" != "(none)" ]
}

if ! resolve; then
    if [ "$(id -u)" != 0 ]; then
        if [ "$force" = no ] && [ -f "$cache/stamp" ] && [ -f "$cache/vmlinuz" ] &&
           [ -f "$cache/initramfs.cpio.gz" ]; then
            say "apt knows no current linux-image-6.1 package (not root: no apt-get update);"
            say "using the cache as it is: $(cat "$cache/stamp")"
            exit 0
        fi
        die "apt knows no installable linux-image-6.1.*-amd64 or busybox-static; run 'apt-get update' as root"
    fi
    say "apt knows no installable linux-image-6.1 package or busybox-static yet: running apt-get update"
    apt-get update -qq >/dev/null || die "apt-get update failed"
    resolve || die "no installable linux-image-6.1.*-amd64 (dependency of linux-image-amd64) and busybox-static here${kpkg:+ (kernel package: $kpkg)}"
fi

sums=$(cat "$here/initramfs/init" "$helper" "$here/initramfs/newc.py" "$0" | cksum | cut -d' ' -f1)
pkg_stamp="format=$FORMAT $kpkg=$kver busybox-static=$bver modules=$(echo "$MODULES" | tr ' ' ,)"
full_stamp="$pkg_stamp inputs=$sums"

have_parts() {
    [ -f "$cache/vmlinuz" ] && [ -x "$cache/busybox" ] && [ -f "$cache/modules/load-order" ]
}

if [ "$force" = no ] && [ -f "$cache/stamp" ] && [ "$(cat "$cache/stamp")" = "$full_stamp" ] &&
   have_parts && [ -f "$cache/initramfs.cpio.gz" ]; then
    say "up to date: $kpkg $kver, busybox-static $bver"
    say "kernel:    $cache/vmlinuz"
    say "initramfs: $cache/initramfs.cpio.gz"
    exit 0
fi

old_pkg_stamp=""
[ -f "$cache/pkg-stamp" ] && old_pkg_stamp=$(cat "$cache/pkg-stamp")
if [ "$force" = yes ] || [ "$old_pkg_stamp" != "$pkg_stamp" ] || ! have_parts; then
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/kestrel-debian-x86.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    trap 'rm -rf "$tmp"; exit 1' INT TERM
    say "downloading $kpkg ($kver) and busybox-static ($bver) with apt-get download"
    sandbox=""
    [ "$(id -u)" = 0 ] && sandbox="-o APT::Sandbox::User=root"
    # shellcheck disable=SC2086
    (cd "$tmp" && apt-get download $sandbox -q "$kpkg=$kver" "busybox-static=$bver") ||
        die "apt-get download of $kpkg and busybox-static failed"
    for deb in "$tmp"/*.deb; do
        say "extracting $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"
        dpkg-deb -x "$deb" "$tmp/root" || die "dpkg-deb -x $deb failed"
    done
    vmlinuz=""
    for f in "$tmp"/root/boot/vmlinuz-*; do
        [ -f "$f" ] && vmlinuz=$f && break
    done
    [ -n "$vmlinuz" ] || die "$kpkg has no /boot/vmlinuz-*"
    [ -x "$tmp/root/bin/busybox" ] || die "busybox-static has no /bin/busybox"
    rm -rf "$cache/modules.new"
    # shellcheck disable=SC2086
    python3 "$helper" modules "$tmp/root" "$cache/modules.new" $MODULES
    rm -rf "$cache/modules"
    mv "$cache/modules.new" "$cache/modules"
    cp "$vmlinuz" "$cache/vmlinuz.new" && mv "$cache/vmlinuz.new" "$cache/vmlinuz"
    cp "$tmp/root/bin/busybox" "$cache/busybox.new" && mv "$cache/busybox.new" "$cache/busybox"
    echo "$pkg_stamp" > "$cache/pkg-stamp"
    rm -rf "$tmp"
    trap - EXIT INT TERM
fi

say "building the initramfs"
python3 "$helper" build --busybox "$cache/busybox" --modules "$cache/modules" \
    --init "$here/initramfs/init" --output "$cache/initramfs.cpio.gz"
echo "$full_stamp" > "$cache/stamp"
say "kernel:    $cache/vmlinuz ($kpkg $kver)"
say "initramfs: $cache/initramfs.cpio.gz"
