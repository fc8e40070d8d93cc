#!/usr/bin/env python3
# tests/tcg/riscv64/randgen.py: random riscv64 programs for differential tests.
#
# From a seed, writes the assembly of a bare-metal program (linked at
# 0x80000000 like the ISA tests, no runtime needed): random initial x and f
# registers and fcsr, then a random straight-line sequence of RV64IMAFDC +
# Zba/Zbb/Zbs instructions whose only control flow is forward branches and
# jumps within the sequence. Loads, stores, AMOs and LR/SC reach a 512-byte
# scratch window only: the address is a random register masked (and aligned
# to the access size) plus the window's PC-relative address. FP operations use
# random static rounding modes and dyn with random frm writes. At the end the
# program prints x1-x31, f0-f31, fcsr and a checksum of the scratch window as
# hex lines on the UART (ns16550a at 0x10000000) and ends through the SiFive
# test finisher (0x100000, 0x5555); a trap prints "TRAP" with mcause, mepc,
# mtval and fails with exit code 1. The same program must print the same on
# every correct emulator.
#
# usage: randgen.py SEED [--no-fp] [--for-qemu] [--length N] > prog.S
# --for-qemu leaves out what differs from Debian's QEMU 7.2 for a known
# reason: round-to-max-magnitude (static, or dynamic through frm) in the fused
# multiply-adds, whose exact ties Kestrel rounds to even (a documented gap),
# and ctzw, which that QEMU gets wrong (it counts the trailing zeros of all 64
# bits: ctzw of 0x200004c000000000 gives 38, not 32).

import argparse
import random
import struct
import sys

DUMP_NAMES = (["x%d" % i for i in range(1, 32)] + ["f%d" % i for i in range(32)]
              + ["fcsr", "memsum"])

INT_RR = ("add sub sll slt sltu xor srl sra or and addw subw sllw srlw sraw "
          "mul mulh mulhsu mulhu div divu rem remu mulw divw divuw remw remuw "
          "sh1add sh2add sh3add add.uw sh1add.uw sh2add.uw sh3add.uw "
          "andn orn xnor max maxu min minu rol rolw ror rorw "
          "bclr bext binv bset").split()
INT_R = "clz clzw ctz ctzw cpop cpopw sext.b sext.h zext.h orc.b rev8".split()
INT_I12 = "addi slti sltiu xori ori andi addiw".split()
INT_SH64 = "slli srli srai rori bclri bexti binvi bseti slli.uw".split()
INT_SH32 = "slliw srliw sraiw roriw".split()
BRANCHES = "beq bne blt bge bltu bgeu".split()
LOADS = {"lb": 1, "lbu": 1, "lh": 2, "lhu": 2, "lw": 4, "lwu": 4, "ld": 8}
STORES = {"sb": 1, "sh": 2, "sw": 4, "sd": 8}
AMO_OPS = "amoswap amoadd amoxor amoand amoor amomin amomax amominu amomaxu".split()
AMO_ORDER = ["", ".aq", ".rl", ".aqrl"]
RMS = ["rne", "rtz", "rdn", "rup", "rmm", "dyn"]

FP_RRR = "fadd fsub fmul fdiv".split()
FP_SGN = "fsgnj fsgnjn fsgnjx fmin fmax".split()
FP_FMA = "fmadd fmsub fnmsub fnmadd".split()
FP_CMP = "feq flt fle".split()

INT_SPECIAL = [0, 1, 2, 0xffffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff,
               0x80000000, 0x7fffffff, 0xffffffff80000000, 0xffffffff, 63, 64, 31, 32]
D_SPECIAL = [0x0, 0x8000000000000000, 0x7ff0000000000000, 0xfff0000000000000,
             0x7ff8000000000000, 0x7ff4000000000001, 0xfff8000000000123,
             0x0000000000000001, 0x800fffffffffffff, 0x0010000000000000,
             0x3ff0000000000000, 0xbff0000000000000, 0x3fe0000000000000,
             0x7fefffffffffffff, 0x43e0000000000000, 0xc3e0000000000000,
             0x41e0000000000000, 0x4330000000000001, 0x3ff8000000000000]
S_SPECIAL = [0x0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7fa00001,
             0x00000001, 0x807fffff, 0x00800000, 0x3f800000, 0xbf800000, 0x3f000000,
             0x7f7fffff, 0x4f000000, 0xcf000000, 0x4b000001, 0x3fc00000, 0x3ec00000]


class Gen:
    def __init__(self, seed, fp=True, for_qemu=False):
        self.r = random.Random(seed)
        self.fp = fp
        self.rmm = not for_qemu
        self.int_r = [op for op in INT_R if op != "ctzw" or not for_qemu]
        self.nlabel = 0
        self.pending = []   # (unit index, label) of forward targets
        self.pos = 0        # index of the unit being generated

    def x(self):
        return "x%d" % self.r.randrange(32)

    def xd(self):
        return "x%d" % self.r.randrange(1, 32)

    def f(self):
        return "f%d" % self.r.randrange(32)

    def label(self):
        self.nlabel += 1
        return ".Lr%d" % self.nlabel

    def int_value(self):
        k = self.r.randrange(6)
        if k == 0:
            return self.r.choice(INT_SPECIAL)
        if k == 1:
            return self.r.randrange(-64, 64) & (2 ** 64 - 1)
        if k == 2:
            return self.r.getrandbits(32)
        return self.r.getrandbits(64)

    def fp_value(self):
        k = self.r.randrange(8)
        if k == 0:
            return self.r.choice(D_SPECIAL)
        if k == 1:
            return 0xffffffff00000000 | self.r.choice(S_SPECIAL)
        if k == 2:       # a double near 1 to 1e6, sign random
            e = self.r.randrange(1023 - 4, 1023 + 20)
            return self.r.getrandbits(1) << 63 | e << 52 | self.r.getrandbits(52)
        if k == 3:       # a boxed single of moderate magnitude
            e = self.r.randrange(127 - 4, 127 + 20)
            return 0xffffffff00000000 | self.r.getrandbits(1) << 31 | e << 23 | \
                self.r.getrandbits(23)
        if k == 4:       # a small integer-valued double or a half
            v = self.r.randrange(-8, 9) / self.r.choice([1, 2, 4])
            return struct.unpack("<Q", struct.pack("<d", v))[0]
        return self.r.getrandbits(64)

    def rm(self, fused=False):
        choices = RMS if (self.rmm or not fused) else [m for m in RMS if m != "rmm"]
        return self.r.choice(choices)

    def address(self, size, dest):
        """Instructions leaving in register DEST (not x0) a scratch address aligned to
        SIZE; also returns the %pcrel_lo operand to add (as an immediate or addi)."""
        base = "x%d" % self.r.choice([i for i in range(1, 32) if "x%d" % i != dest])
        lab = self.label()
        mask = 0x1ff & ~(size - 1)
        return ["andi %s, %s, %d" % (dest, self.x(), mask),
                "%s: auipc %s, %%pcrel_hi(scratch)" % (lab, base),
                "add %s, %s, %s" % (dest, dest, base)], "%%pcrel_lo(%s)" % lab

    def unit_int(self):
        r = self.r
        k = r.randrange(10)
        if k < 4:
            return ["%s %s, %s, %s" % (r.choice(INT_RR), self.xd(), self.x(), self.x())]
        if k == 4:
            return ["%s %s, %s" % (r.choice(self.int_r), self.xd(), self.x())]
        if k == 5:
            return ["%s %s, %s, %d" % (r.choice(INT_I12), self.xd(), self.x(),
                                       r.randrange(-2048, 2048))]
        if k == 6:
            return ["%s %s, %s, %d" % (r.choice(INT_SH64), self.xd(), self.x(), r.randrange(64))]
        if k == 7:
            return ["%s %s, %s, %d" % (r.choice(INT_SH32), self.xd(), self.x(), r.randrange(32))]
        if k == 8:
            return ["lui %s, %d" % (self.xd(), r.randrange(1 << 20))]
        return ["li %s, %d" % (self.xd(), r.randrange(-2 ** 63, 2 ** 63))]

    def unit_mem(self):
        r = self.r
        dest = self.xd()
        k = r.randrange(8 if self.fp else 6)
        if k < 2:
            op = r.choice(sorted(LOADS))
            code, lo = self.address(LOADS[op], dest)
            return code + ["%s %s, %s(%s)" % (op, self.xd(), lo, dest)]
        if k < 4:
            op = r.choice(sorted(STORES))
            code, lo = self.address(STORES[op], dest)
            return code + ["%s %s, %s(%s)" % (op, self.x(), lo, dest)]
        if k == 4:
            width = r.choice("wd")
            code, lo = self.address(4 if width == "w" else 8, dest)
            op = "%s.%s%s" % (r.choice(AMO_OPS), width, r.choice(AMO_ORDER))
            return code + ["addi %s, %s, %s" % (dest, dest, lo),
                           "%s %s, %s, (%s)" % (op, self.xd(), self.x(), dest)]
        if k == 5:
            # LR/SC, maybe with an ALU op between (neither may write the address).
            width = r.choice("wd")
            code, lo = self.address(4 if width == "w" else 8, dest)
            others = ["x%d" % i for i in range(1, 32) if "x%d" % i != dest]
            code += ["addi %s, %s, %s" % (dest, dest, lo),
                     "lr.%s%s %s, (%s)" % (width, r.choice(AMO_ORDER), r.choice(others), dest)]
            if r.randrange(3) == 0:
                code += ["%s %s, %s, %s" % (r.choice(INT_RR), r.choice(others), self.x(),
                                            self.x())]
            return code + ["sc.%s%s %s, %s, (%s)" % (width, r.choice(AMO_ORDER), self.xd(),
                                                    self.x(), dest)]
        if k == 6:
            op = r.choice(["flw", "fld"])
            code, lo = self.address(4 if op == "flw" else 8, dest)
            return code + ["%s %s, %s(%s)" % (op, self.f(), lo, dest)]
        op = r.choice(["fsw", "fsd"])
        code, lo = self.address(4 if op == "fsw" else 8, dest)
        return code + ["%s %s, %s(%s)" % (op, self.f(), lo, dest)]

    def unit_fp(self):
        r = self.r
        fmt = r.choice("sd")
        k = r.randrange(14)
        if k < 3:
            return ["%s.%s %s, %s, %s, %s" % (r.choice(FP_RRR), fmt, self.f(), self.f(), self.f(),
                                              self.rm())]
        if k == 3:
            return ["fsqrt.%s %s, %s, %s" % (fmt, self.f(), self.f(), self.rm())]
        if k == 4:
            return ["%s.%s %s, %s, %s, %s, %s" % (r.choice(FP_FMA), fmt, self.f(), self.f(),
                                                  self.f(), self.f(), self.rm(True))]
        if k == 5:
            return ["%s.%s %s, %s, %s" % (r.choice(FP_SGN), fmt, self.f(), self.f(), self.f())]
        if k == 6:
            return ["%s.%s %s, %s, %s" % (r.choice(FP_CMP), fmt, self.xd(), self.f(), self.f())]
        if k == 7:
            return ["fclass.%s %s, %s" % (fmt, self.xd(), self.f())]
        if k == 8:
            to = r.choice(["w", "wu", "l", "lu"])
            return ["fcvt.%s.%s %s, %s, %s" % (to, fmt, self.xd(), self.f(), self.rm())]
        if k == 9:
            frm = r.choice(["w", "wu", "l", "lu"])
            exact = fmt == "d" and frm in ("w", "wu")
            return ["fcvt.%s.%s %s, %s%s" % (fmt, frm, self.f(), self.x(),
                                             "" if exact else ", " + self.rm())]
        if k == 10:
            if fmt == "s":
                return ["fcvt.s.d %s, %s, %s" % (self.f(), self.f(), self.rm())]
            return ["fcvt.d.s %s, %s" % (self.f(), self.f())]
        if k == 11:
            w = "w" if fmt == "s" else "d"
            if r.randrange(2):
                return ["fmv.x.%s %s, %s" % (w, self.xd(), self.f())]
            return ["fmv.%s.x %s, %s" % (w, self.f(), self.x())]
        if k == 12:
            return ["csrwi frm, %d" % r.randrange(5 if self.rmm else 4)]
        return [r.choice(["csrrwi %s, fflags, %d" % (self.xd(), r.randrange(32)),
                          "csrrs %s, fflags, x0" % self.xd(),
                          "csrrc %s, fcsr, %s" % (self.xd(), self.x()),
                          "csrrs %s, fcsr, x0" % self.xd()])]

    def unit_branch(self):
        lab = self.label()
        r = self.r
        if r.randrange(4):
            code = ["%s %s, %s, %s" % (r.choice(BRANCHES), self.x(), self.x(), lab)]
        else:
            code = ["jal %s, %s" % (r.choice(["x0", self.xd()]), lab)]
        self.pending.append((self.pos + r.randrange(1, 10), lab))
        return code

    def body(self, length):
        units = []
        for self.pos in range(length):
            here = [lab for (at, lab) in self.pending if at == self.pos]
            units += ["%s:" % lab for lab in here]
            k = self.r.randrange(20)
            if k < 8 or (k >= 16 and not self.fp):
                units += self.unit_int()
            elif k < 11:
                units += self.unit_mem()
            elif k < 13:
                units += self.unit_branch()
            else:
                units += self.unit_fp()
        units += ["%s:" % lab for (at, lab) in self.pending if at >= length]
        return units

    def program(self, length):
        r = self.r
        frm = r.randrange(5 if self.rmm else 4)
        fcsr = frm << 5 | r.randrange(32)
        out = [HEADER, "init_x:"]
        out += ["    .dword 0x%016x" % self.int_value() for _ in range(31)]
        out += ["init_f:"]
        out += ["    .dword 0x%016x" % self.fp_value() for _ in range(32)]
        out += ["init_fcsr: .dword %d" % fcsr, "scratch:"]
        out += ["    .dword 0x%016x" % r.getrandbits(64) for _ in range(64)]
        out += [PROLOGUE]
        out += ["    " + line if not line.endswith(":") else line for line in self.body(length)]
        out += [EPILOGUE]
        return "\n".join(out) + "\n"


HEADER = """/* Generated by tests/tcg/riscv64/randgen.py: do not edit. */
    .option norelax
    .data
    .balign 8"""

PROLOGUE = """save:
    .zero %d
    .section .text.init, "ax"
    .globl _start
_start:
    la t0, trap
    csrw mtvec, t0
    li t0, 0x2000
    csrs mstatus, t0
    ld t0, init_fcsr
    csrw fcsr, t0
    la x31, init_f
""" % (8 * len(DUMP_NAMES)) + "\n".join("    fld f%d, %d(x31)" % (i, 8 * i)
                                      for i in range(32)) + """
    la x31, init_x
""" + "\n".join("    ld x%d, %d(x31)" % (i, 8 * (i - 1)) for i in range(1, 32)) + "\n"

EPILOGUE = """    csrw mscratch, x31
    la x31, save
""" + "\n".join("    sd x%d, %d(x31)" % (i, 8 * (i - 1)) for i in range(1, 31)) + """
    csrr x1, mscratch
    sd x1, 240(x31)
""" + "\n".join("    fsd f%d, %d(x31)" % (i, 8 * (31 + i)) for i in range(32)) + """
    frcsr x1
    sd x1, 504(x31)
    /* memsum: h = (rotl(h, 5) ^ d) * golden ratio over the window's dwords */
    la x2, scratch
    addi x3, x2, 512
    li x4, 0
    li x5, 0x9e3779b97f4a7c15
1:  ld x6, 0(x2)
    rori x4, x4, 59
    xor x4, x4, x6
    mul x4, x4, x5
    addi x2, x2, 8
    bltu x2, x3, 1b
    sd x4, 512(x31)
    mv x20, x31
    addi x21, x31, 520
    li x10, 0x10000000
2:  ld x12, 0(x20)
    call puthex
    addi x20, x20, 8
    bltu x20, x21, 2b
    li x1, 0x100000
    li x2, 0x5555
    sw x2, 0(x1)
3:  wfi
    j 3b

/* puthex: x12 as 16 hex digits and a newline on the UART at x10. */
puthex:
    li x13, 60
1:  srl x11, x12, x13
    andi x11, x11, 15
    addi x11, x11, '0'
    li x14, '9'
    bleu x11, x14, 2f
    addi x11, x11, 'a' - '9' - 1
2:  lbu x14, 5(x10)
    andi x14, x14, 0x20
    beqz x14, 2b
    sb x11, 0(x10)
    addi x13, x13, -4
    bgez x13, 1b
    li x11, '\\n'
3:  lbu x14, 5(x10)
    andi x14, x14, 0x20
    beqz x14, 3b
    sb x11, 0(x10)
    ret

    .balign 4
trap:
    li x10, 0x10000000
    li x11, 'T'
    sb x11, 0(x10)
    li x11, '\\n'
    sb x11, 0(x10)
    csrr x12, mcause
    call puthex
    csrr x12, mepc
    call puthex
    csrr x12, mtval
    call puthex
    li x1, 0x100000
    li x2, 0x13333
    sw x2, 0(x1)
1:  wfi
    j 1b"""


def main():
    ap = argparse.ArgumentParser(description="random riscv64 program generator")
    ap.add_argument("seed", type=int)
    ap.add_argument("--no-fp", action="store_true", help="integer instructions only")
    ap.add_argument("--for-qemu", action="store_true",
                    help="no RMM in fused multiply-adds, no ctzw (see above)")
    ap.add_argument("--length", type=int, default=300, help="instruction groups (300)")
    args = ap.parse_args()
    sys.stdout.write(Gen(args.seed, fp=not args.no_fp, for_qemu=args.for_qemu)
                     .program(args.length))
    return 0


if __name__ == "__main__":
    sys.exit(main())
