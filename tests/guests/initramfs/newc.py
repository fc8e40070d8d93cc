# tests/guests/initramfs/newc.py: a small writer of cpio archives in the "newc"
# (SVR4, no CRC) format, the one the Linux kernel unpacks as an initramfs.
# Used by mkinitramfs.py and by tests/functional/kestrel.py (make_test_initrd).
# Python 3 standard library only.

import stat

TRAILER = "TRAILER!!!"


def _pad4(n):
    return (4 - n % 4) % 4


class NewcWriter:
    """Appends entries to a binary file object; call finish() at the end.

    Every entry is owned by root with mtime 0, so archives are reproducible.
    Directories must be added before the entries inside them.
    """

    def __init__(self, fileobj):
        self.f = fileobj
        self.ino = 721
        self.offset = 0
        self.names = set()

    def _write(self, data):
        self.f.write(data)
        self.offset += len(data)

    def _entry(self, name, mode, data=b"", rdev=(0, 0), nlink=1):
        name = name.lstrip("/")
        if not name:
            raise ValueError("newc: empty entry name")
        if name in self.names:
            raise ValueError("newc: duplicate entry %r" % name)
        self.names.add(name)
        encoded = name.encode() + b"\0"
        fields = [
            self.ino, mode, 0, 0, nlink, 0, len(data), 0, 0,
            rdev[0], rdev[1], len(encoded), 0,
        ]
        self.ino += 1
        header = b"070701" + b"".join(b"%08X" % v for v in fields)
        self._write(header + encoded + b"\0" * _pad4(len(header) + len(encoded)))
        self._write(data + b"\0" * _pad4(len(data)))

    def add_dir(self, name, mode=0o755):
        self._entry(name, stat.S_IFDIR | mode, nlink=2)

    def add_file(self, name, data, mode=0o644):
        self._entry(name, stat.S_IFREG | mode, bytes(data))

    def add_symlink(self, name, target):
        self._entry(name, stat.S_IFLNK | 0o777, target.encode())

    def add_chardev(self, name, major, minor, mode=0o600):
        self._entry(name, stat.S_IFCHR | mode, rdev=(major, minor))

    def finish(self):
        """Writes the trailer and pads the archive to a 512-byte boundary."""
        self.names.discard(TRAILER)
        self._entry(TRAILER, 0)
        self._write(b"\0" * ((512 - self.offset % 512) % 512))
