#!/usr/bin/env python3
# tests/guests/initramfs/mkinitramfs.py: helper of tests/guests/debian-x86.sh.
#
#   mkinitramfs.py modules ROOT OUTDIR NAME...
#       Finds kernel modules NAME... (and, recursively, the modules they depend
#       on, read from each module's .modinfo "depends=") in the extracted kernel
#       package ROOT, copies them decompressed to OUTDIR/NAME.ko and writes
#       OUTDIR/load-order (dependencies first, one module name a line).
#   mkinitramfs.py build --busybox B --modules DIR --init F --output OUT.cpio.gz
#       Writes a gzip-compressed newc initramfs: busybox and its applet links,
#       /dev/console, the modules of DIR (with load-order) and F as /init.
#
# Python 3 standard library only (no modules.dep is needed: Debian's package
# does not ship one, depmod makes it at install time).

import gzip
import lzma
import os
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from newc import NewcWriter  # noqa: E402


def die(msg):
    print("mkinitramfs: error: " + msg, file=sys.stderr)
    sys.exit(1)


def norm(name):
    return name.replace("-", "_")


def module_name(path):
    base = os.path.basename(path)
    for ext in (".ko.xz", ".ko.zst", ".ko.gz", ".ko"):
        if base.endswith(ext):
            return norm(base[: -len(ext)])
    return None


def read_module(path):
    """Returns the module's ELF bytes, decompressing .xz/.gz/.zst."""
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".xz"):
        return lzma.decompress(data)
    if path.endswith(".gz"):
        return gzip.decompress(data)
    if path.endswith(".zst"):
        try:
            return subprocess.run(["zstd", "-dc", path], check=True,
                                  stdout=subprocess.PIPE).stdout
        except (OSError, subprocess.CalledProcessError) as e:
            die("cannot decompress %s with zstd: %s" % (path, e))
    return data


def modinfo(elf):
    """Parses the .modinfo section of an ELF64 little-endian object."""
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        raise ValueError("not an ELF64 little-endian object")
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)

    def section(i):
        name, _type, _flags, _addr, off, size = struct.unpack_from(
            "<IIQQQQ", elf, shoff + i * shentsize)
        return name, off, size

    _, stroff, _ = section(shstrndx)
    for i in range(shnum):
        name, off, size = section(i)
        end = elf.index(b"\0", stroff + name)
        if elf[stroff + name:end] == b".modinfo":
            info = {}
            for item in elf[off:off + size].split(b"\0"):
                if b"=" in item:
                    k, v = item.decode(errors="replace").split("=", 1)
                    info.setdefault(k, v)
            return info
    return {}


def cmd_modules(root, outdir, names):
    index = {}
    for top in ("lib/modules", "usr/lib/modules"):
        for dirpath, _dirs, files in os.walk(os.path.join(root, top)):
            for f in files:
                n = module_name(f)
                if n:
                    index.setdefault(n, os.path.join(dirpath, f))
    if not index:
        die("no kernel modules found under %s/lib/modules" % root)
    os.makedirs(outdir, exist_ok=True)
    order, state = [], {}

    def visit(name, chain):
        name = norm(name)
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            die("module dependency cycle: " + " -> ".join(chain + [name]))
        if name not in index:
            die("module %s not found in the kernel package%s" %
                (name, " (needed by %s)" % chain[-1] if chain else ""))
        state[name] = "visiting"
        elf = read_module(index[name])
        try:
            deps = modinfo(elf).get("depends", "")
        except (ValueError, struct.error, IndexError) as e:
            die("cannot read .modinfo of %s: %s" % (index[name], e))
        for dep in filter(None, deps.split(",")):
            visit(dep, chain + [name])
        with open(os.path.join(outdir, name + ".ko"), "wb") as f:
            f.write(elf)
        state[name] = "done"
        order.append(name)

    for n in names:
        visit(n, [])
    with open(os.path.join(outdir, "load-order"), "w") as f:
        f.write("".join(n + "\n" for n in order))
    print("mkinitramfs: modules in load order: " + " ".join(order))


def cmd_build(busybox, moddir, init, output):
    try:
        listing = subprocess.run([busybox, "--list-full"], check=True,
                                 stdout=subprocess.PIPE, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        die("cannot list the applets of %s: %s" % (busybox, e))
    applets = sorted(set(a.strip() for a in listing.split() if a.strip()))
    with open(busybox, "rb") as f:
        busybox_data = f.read()
    with open(init, "rb") as f:
        init_data = f.read()
    order_path = os.path.join(moddir, "load-order")
    try:
        with open(order_path) as f:
            order = [line.strip() for line in f if line.strip()]
    except OSError as e:
        die("cannot read %s: %s" % (order_path, e))

    tmp = output + ".tmp"
    with gzip.GzipFile(tmp, "wb", compresslevel=6, mtime=0) as gz:
        w = NewcWriter(gz)
        for d in ("bin", "sbin", "usr", "usr/bin", "usr/sbin", "dev", "proc",
                  "sys", "tmp", "run", "root", "etc", "lib", "lib/modules", "mnt"):
            w.add_dir(d, 0o1777 if d == "tmp" else 0o755)
        w.add_chardev("dev/console", 5, 1)
        w.add_chardev("dev/null", 1, 3, 0o666)
        w.add_file("bin/busybox", busybox_data, 0o755)
        for a in applets:
            a = a.lstrip("/")
            if a in ("bin/busybox", "init", "linuxrc", "sbin/init"):
                continue
            w.add_symlink(a, "/bin/busybox")
        w.add_file("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n")
        w.add_file("etc/group", b"root:x:0:\n")
        w.add_file("init", init_data, 0o755)
        for m in order:
            with open(os.path.join(moddir, m + ".ko"), "rb") as f:
                w.add_file("lib/modules/%s.ko" % m, f.read())
        w.add_file("lib/modules/load-order", "".join(m + "\n" for m in order).encode())
        w.finish()
    os.replace(tmp, output)
    print("mkinitramfs: wrote %s (%d applets, %d modules, %d bytes)" %
          (output, len(applets), len(order), os.path.getsize(output)))


def main(argv):
    if len(argv) >= 3 and argv[0] == "modules":
        cmd_modules(argv[1], argv[2], argv[3:])
        return 0
    if argv and argv[0] == "build":
        opts, rest = {}, argv[1:]
        while rest:
            if len(rest) < 2 or rest[0] not in ("--busybox", "--modules", "--init", "--output"):
                die("build: unexpected argument %r" % rest[0])
            opts[rest[0][2:]] = rest[1]
            rest = rest[2:]
        missing = [k for k in ("busybox", "modules", "init", "output") if k not in opts]
        if missing:
            die("build: missing --" + ", --".join(missing))
        cmd_build(opts["busybox"], opts["modules"], opts["init"], opts["output"])
        return 0
    die("usage: mkinitramfs.py modules ROOT OUTDIR NAME... | "
        "build --busybox B --modules DIR --init F --output OUT")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
