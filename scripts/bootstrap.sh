#!/bin/sh
# Installs what building and testing Kestrel needs. On Debian as root it
# apt-get installs the missing packages and says which; elsewhere it prints
# the exact packages and stops. Then it runs ./configure if nobody has.
#
# usage: scripts/bootstrap.sh [extra-package...]
set -e
cd "$(dirname "$0")/.."

packages="gcc make binutils pkg-config python3 libglib2.0-dev libpixman-1-dev libfdt-dev \
libcapstone-dev zlib1g-dev libjson-glib-dev libslirp-dev liburing-dev socat cpio xz-utils zstd ca-certificates acpica-tools \
gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf opensbi"
packages="$packages $*"

missing=""
for p in $packages; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done

if [ -n "$missing" ]; then
    if [ -f /etc/debian_version ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "bootstrap: installing:$missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >/dev/null
        # shellcheck disable=SC2086
        apt-get install -y -qq --no-install-recommends $missing >/dev/null
        echo "bootstrap: installed:$missing"
    else
        echo "bootstrap: missing packages:$missing" >&2
        echo "bootstrap: install them (Debian: apt-get install$missing) and run make again" >&2
        exit 1
    fi
fi

if [ ! -f config.mak ]; then
    ./configure
fi
