# Makefile fragment (included by the top-level Makefile): builds the riscv64
# ISA test programs tests/tcg/riscv64/NAME.S into $(BUILD)/tests/tcg/riscv64/
# NAME.elf with Debian's riscv64-unknown-elf-gcc, each linked with the shared
# runtime crt.S at 0x80000000, and the bare-metal benchmark
# tests/bench/riscv64/bench.c. `make tcg-tests` builds them;
# `make tcg-tests-ref` runs every test on Debian's qemu-system-riscv64, the
# reference the expected values were confirmed on.

TCG_RISCV64_SRC := tests/tcg/riscv64
TCG_RISCV64_OUT := $(BUILD)/tests/tcg/riscv64
RISCV64_CROSS_CC ?= riscv64-unknown-elf-gcc
RISCV64_QEMU ?= qemu-system-riscv64
TCG_RISCV64_ARCH := -march=rv64gc_zba_zbb_zbs -mabi=lp64d -mcmodel=medany
TCG_RISCV64_FLAGS := $(TCG_RISCV64_ARCH) -nostdlib -nostartfiles -static -I$(TCG_RISCV64_SRC) \
                     -T $(TCG_RISCV64_SRC)/link.ld -Wl,--no-warn-rwx-segments
TCG_RISCV64_NAMES := $(filter-out crt,$(basename $(notdir $(wildcard $(TCG_RISCV64_SRC)/*.S))))
TCG_RISCV64_TESTS := $(TCG_RISCV64_NAMES:%=$(TCG_RISCV64_OUT)/%.elf)
TCG_RISCV64_BENCH := $(BUILD)/tests/bench/riscv64/bench.elf

$(TCG_RISCV64_OUT)/%.elf: $(TCG_RISCV64_SRC)/%.S $(TCG_RISCV64_SRC)/crt.S \
        $(TCG_RISCV64_SRC)/test.h $(TCG_RISCV64_SRC)/link.ld
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(RISCV64_CROSS_CC) $(TCG_RISCV64_FLAGS) -o $@ $(TCG_RISCV64_SRC)/crt.S $<

$(TCG_RISCV64_BENCH): tests/bench/riscv64/bench.c tests/bench/riscv64/start.S \
        $(TCG_RISCV64_SRC)/link.ld
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(RISCV64_CROSS_CC) $(TCG_RISCV64_FLAGS) -O2 -ffreestanding -fno-builtin \
		-o $@ tests/bench/riscv64/start.S $<

.PHONY: tcg-tests tcg-tests-ref
tcg-tests: $(TCG_RISCV64_TESTS) $(TCG_RISCV64_BENCH)

tcg-tests-ref: $(TCG_RISCV64_TESTS)
	$(Q)for t in $(TCG_RISCV64_TESTS); do \
		timeout 20 $(RISCV64_QEMU) -M virt -bios none -nographic -kernel $$t \
			|| { echo "$$t failed on $(RISCV64_QEMU)"; exit 1; }; \
	done
