# Kestrel top-level Makefile (GNU make). Run ./configure first, or let
# `make check` / `make demo` bootstrap and configure with defaults.

BUILD ?= build
# No built-in rules: they would try to "remake" the included .d files.
MAKEFLAGS += --no-builtin-rules
.SUFFIXES:
-include config.mak

ifeq ($(wildcard config.mak),)
TARGETS := x86_64 riscv64
endif

Q := $(if $(V),,@)

# `make SANITIZE=1 BUILD=build-san check-unit` builds a separate tree with ASan+UBSan.
ifeq ($(SANITIZE),1)
CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
endif

# Sources are found per directory: adding a device is one new file.
COMMON_DIRS := util softmmu hw/core hw/char hw/acpi hw/misc hw/virtio hw/nvram chardev monitor \
               hw/pci hw/pci-host tcg tcg/x86_64 tcg/interp accel/tcg block net
X86_64_DIRS := accel/kvm target/i386 hw/i386 hw/intc hw/timer
RISCV64_DIRS := target/riscv hw/riscv
MAIN_SRC := softmmu/main.c

COMMON_SRCS := $(filter-out $(MAIN_SRC),$(wildcard $(addsuffix /*.c,$(COMMON_DIRS))))
X86_64_SRCS := $(wildcard $(addsuffix /*.c,$(X86_64_DIRS)))
RISCV64_SRCS := $(wildcard $(addsuffix /*.c,$(RISCV64_DIRS)))

# Target-independent code is built once; target code per target.
COMMON_OBJS := $(COMMON_SRCS:%.c=$(BUILD)/%.o)
X86_64_OBJS := $(X86_64_SRCS:%.c=$(BUILD)/%.o)
RISCV64_OBJS := $(RISCV64_SRCS:%.c=$(BUILD)/%.o)

ALL_CFLAGS = $(CFLAGS) -I. -Iinclude $(LIB_CFLAGS) -MMD -MP

BINARIES := $(foreach t,$(TARGETS),$(BUILD)/kestrel-system-$(t))

UNIT_SRCS := $(wildcard tests/unit/test-*.c)
UNIT_TESTS := $(UNIT_SRCS:%.c=$(BUILD)/%)

GUEST_X86_SRCS := $(wildcard tests/guests/x86/*.S)
GUEST_X86_BINS := $(patsubst %.S,$(BUILD)/%.bin,$(filter-out tests/guests/x86/pvh-%,$(GUEST_X86_SRCS))) \
                  $(patsubst %.S,$(BUILD)/%.elf,$(wildcard tests/guests/x86/pvh-*.S)) \
                  $(BUILD)/tests/guests/x86/bzimage-hello.bin

.PHONY: all clean distclean install check check-unit check-functional demo bench \
        bootstrap guests unit-tests

TOOLS := $(BUILD)/kestrel-img

all: $(BINARIES) $(TOOLS)

# A newer configure (new libraries, targets) reconfigures with the same options.
config.mak: configure
	./configure $(CONFIGURE_ARGS)

$(BUILD)/%.o: %.c config.mak
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/libcommon.a: $(COMMON_OBJS)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(BUILD)/libx86_64.a: $(X86_64_OBJS)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(BUILD)/libriscv64.a: $(RISCV64_OBJS)
	@rm -f $@
	$(Q)ar rcs $@ $^

# main.c is built once per target: it names the target it runs.
$(BUILD)/main-%.o: $(MAIN_SRC) config.mak
	@mkdir -p $(dir $@)
	@echo "  CC      $< ($*)"
	$(Q)$(CC) $(ALL_CFLAGS) -DTARGET_NAME='"$*"' -c $< -o $@

# Whole archives so that every file's registration constructor is linked in.
$(BUILD)/kestrel-system-%: $(BUILD)/main-%.o $(BUILD)/lib%.a $(BUILD)/libcommon.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $< -Wl,--whole-archive $(BUILD)/lib$*.a \
		$(BUILD)/libcommon.a -Wl,--no-whole-archive $(LIBS)

TARGET_LIBS := $(foreach t,$(TARGETS),$(BUILD)/lib$(t).a)

# The image tool: its own sources, every block driver (linked by name, so that their
# registration constructors run) and what they use from the common archive.
KESTREL_IMG_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(wildcard tools/kestrel-img/*.c)) \
                    $(filter $(BUILD)/block/%,$(COMMON_OBJS))
$(BUILD)/kestrel-img: $(KESTREL_IMG_OBJS) $(BUILD)/libcommon.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(KESTREL_IMG_OBJS) $(BUILD)/libcommon.a $(LIBS)

# Unit tests link only the objects they use (plain archives).
$(BUILD)/tests/unit/test-%: $(BUILD)/tests/unit/test-%.o $(TARGET_LIBS) $(BUILD)/libcommon.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(TARGET_LIBS) $(BUILD)/libcommon.a $(LIBS)

# Types the virtio tests create by name only (devices, a chardev backend): linked in explicitly.
VIRTIO_TEST_OBJS := $(addprefix $(BUILD)/,hw/virtio/virtio-rng.o hw/virtio/virtio-console.o \
                    chardev/char-file.o)
$(BUILD)/tests/unit/test-virtio: $(VIRTIO_TEST_OBJS)
$(BUILD)/tests/unit/test-virtio: LDFLAGS += $(VIRTIO_TEST_OBJS)
VIRTIO_BLK_TEST_OBJS := $(addprefix $(BUILD)/,hw/virtio/virtio-blk.o block/raw-format.o \
                        block/file-posix.o)
$(BUILD)/tests/unit/test-virtio-blk: $(VIRTIO_BLK_TEST_OBJS)
$(BUILD)/tests/unit/test-virtio-blk: LDFLAGS += $(VIRTIO_BLK_TEST_OBJS)
VIRTIO_NET_TEST_OBJS := $(addprefix $(BUILD)/,hw/virtio/virtio-net.o)
$(BUILD)/tests/unit/test-net: $(VIRTIO_NET_TEST_OBJS)
$(BUILD)/tests/unit/test-net: LDFLAGS += $(VIRTIO_NET_TEST_OBJS)

# Small x86 test guests of our own: flat images for -bios, ELF for PVH.
$(BUILD)/tests/guests/x86/%.o: tests/guests/x86/%.S tests/guests/x86/lib.h
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) -c -nostdlib -ffreestanding -Itests/guests/x86 $< -o $@

# The virtio guests share a small driver.
VIRTIO_GUEST_OBJS := $(patsubst %.S,$(BUILD)/%.o,$(wildcard tests/guests/x86/virtio-*.S))
$(VIRTIO_GUEST_OBJS): tests/guests/x86/virtio-guest.h

$(BUILD)/tests/guests/x86/%.bin: $(BUILD)/tests/guests/x86/%.o tests/guests/x86/flat.ld
	$(Q)ld -m elf_x86_64 -T tests/guests/x86/flat.ld --oformat binary -o $@ $<

$(BUILD)/tests/guests/x86/%.elf: $(BUILD)/tests/guests/x86/%.o tests/guests/x86/pvh.ld
	$(Q)ld -m elf_x86_64 -T tests/guests/x86/pvh.ld -o $@ $<

# A minimal bzImage of our own, for the Linux boot protocol path.
$(BUILD)/tests/guests/x86/bzimage-hello.bin: $(BUILD)/tests/guests/x86/bzimage/hello.o \
		tests/guests/x86/bzimage.ld
	$(Q)ld -m elf_x86_64 -T tests/guests/x86/bzimage.ld --oformat binary -o $@ $<

# riscv64 guests, built with Debian's riscv64-unknown-elf toolchain when riscv64 is a
# target: the ISA tests of tests/tcg/riscv64 and the board tests of tests/guests/riscv64.
-include tests/tcg/riscv64/build.mk
RISCV64_CROSS_CC ?= riscv64-unknown-elf-gcc
GUEST_RISCV64_BINS := $(patsubst %.S,$(BUILD)/%.elf,$(wildcard tests/guests/riscv64/*.S))
ifneq ($(filter riscv64,$(TARGETS)),)
ifneq ($(shell command -v $(RISCV64_CROSS_CC) 2>/dev/null),)
GUEST_RISCV64_ALL := $(GUEST_RISCV64_BINS) $(TCG_RISCV64_TESTS)
BENCH_RISCV64 := $(TCG_RISCV64_BENCH)
endif
# The riscv64 Linux guest (a kernel built from Debian's linux-source-6.1: a few minutes on
# first use, then cached in ~/.cache/kestrel/riscv64), made before the tests so that no test
# program's timeout pays for the build. A failure here is reported by the tests themselves.
RISCV64_LINUX_GUEST := tests/guests/riscv64-linux.sh || \
	echo "make: tests/guests/riscv64-linux.sh failed; the riscv64 Linux tests will say why"
else
RISCV64_LINUX_GUEST := true
endif

$(BUILD)/tests/guests/riscv64/%.elf: tests/guests/riscv64/%.S tests/guests/riscv64/virt.ld
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(RISCV64_CROSS_CC) -march=rv64gc -mabi=lp64d -mcmodel=medany -nostdlib -nostartfiles \
		-static -T tests/guests/riscv64/virt.ld -Wl,--no-warn-rwx-segments -o $@ $<

unit-tests: $(UNIT_TESTS)
guests: $(GUEST_X86_BINS) $(GUEST_RISCV64_ALL)

bootstrap:
	@scripts/bootstrap.sh

check: bootstrap
	$(Q)$(MAKE) --no-print-directory all unit-tests guests
	$(Q)$(RISCV64_LINUX_GUEST)
	$(Q)python3 tests/run-tests.py --build $(BUILD)

check-unit: all unit-tests
	$(Q)python3 tests/run-tests.py --build $(BUILD) --unit-only

demo: bootstrap
	$(Q)$(MAKE) --no-print-directory all guests
	$(Q)tests/demo.sh $(BUILD)

bench: bootstrap
	$(Q)$(MAKE) --no-print-directory all guests $(BENCH_RISCV64)
	$(Q)$(RISCV64_LINUX_GUEST)
	$(Q)tests/bench/run.sh $(BUILD)

# The libFuzzer target for the QMP input path; clang is installed for it only.
# `make check` runs the same entry point over the fixed corpus (test-qmp).
# Run: mkdir -p build/fuzz-qmp; build/tests/fuzz/fuzz-qmp -artifact_prefix=build/ \
#      build/fuzz-qmp tests/fuzz/corpus/qmp    (new inputs go to the first directory)
.PHONY: fuzz
FUZZ_CC ?= clang
FUZZ_QMP_SRCS := tests/fuzz/fuzz-qmp.c monitor/qmp-server.c monitor/qmp-stream.c util/error.c

fuzz:
	@scripts/bootstrap.sh clang libclang-rt-dev
	$(Q)$(MAKE) --no-print-directory $(BUILD)/tests/fuzz/fuzz-qmp $(BUILD)/tests/fuzz/fuzz-qcow2

$(BUILD)/tests/fuzz/fuzz-qmp: $(FUZZ_QMP_SRCS) monitor/monitor-internal.h config.mak
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)$(FUZZ_CC) -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. \
		-Iinclude $(LIB_CFLAGS) -o $@ $(FUZZ_QMP_SRCS) $(LIBS)

# The qcow2 target: open, read and check of an image file (test-qcow2 runs its corpus).
# Run: mkdir -p build/fuzz-qcow2; build/tests/fuzz/fuzz-qcow2 -artifact_prefix=build/ \
#      build/fuzz-qcow2 tests/fuzz/corpus/qcow2
FUZZ_QCOW2_SRCS := tests/fuzz/fuzz-qcow2.c $(wildcard block/*.c) util/error.c util/keyval.c

$(BUILD)/tests/fuzz/fuzz-qcow2: $(FUZZ_QCOW2_SRCS) $(wildcard block/*.h) config.mak
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)$(FUZZ_CC) -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. \
		-Iinclude $(LIB_CFLAGS) -o $@ $(FUZZ_QCOW2_SRCS) $(LIBS)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/kestrel \
		$(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BINARIES) $(TOOLS) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 docs/kestrel.1 docs/kestrel-img.1 $(DESTDIR)$(PREFIX)/share/man/man1/

clean:
	rm -rf $(BUILD)

distclean: clean
	rm -f config.mak config-host.h

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
%.d: ;
