/*
 * Translation blocks: a run of guest instructions translated to host code
 * (or interpreter bytecode), keyed by guest pc, physical address of its first
 * page and CPU flags. accel/tcg allocates, looks up, chains and invalidates
 * them; tcg/ fills the code pointers and instruction boundaries; back ends
 * fill and patch the jump slots.
 *
 * Exit protocol: generated code returns a uintptr_t to the cpu loop:
 *   0                           return to the loop, nothing to chain;
 *   (uintptr_t)tb | n, n in 0,1 left through goto_tb slot n of tb, which is
 *                               not chained yet (the loop may chain it);
 *   (uintptr_t)tb | TB_EXIT_REQUESTED  the exit-request check at the start
 *                               of tb fired (tb did not run).
 * TranslationBlocks are therefore at least 4-byte aligned.
 *
 * Precise state: for guest instruction i of a TB, insn_off[i] is the offset
 * from tc.ptr where its host code (or bytecode) begins and insn_data[i] the
 * words of its insn_start. A host return address RA inside the TB belongs to
 * the last instruction i with insn_off[i] <= RA - 1 - tc.ptr. The JIT passes
 * the address after its helper call; the interpreter passes the address just
 * past the bytecode op being executed, so the same rule works for both.
 */
#ifndef EXEC_TRANSLATION_BLOCK_H
#define EXEC_TRANSLATION_BLOCK_H

#include "util/osdep.h"
#include "tcg/tcg.h"

#define TB_EXIT_MASK      3
#define TB_EXIT_IDX0      0
#define TB_EXIT_IDX1      1
#define TB_EXIT_REQUESTED 3

/* cflags */
#define CF_COUNT_MASK 0x000001ff   /* max guest insns in the TB (0: TCG_MAX_INSNS) */
#define CF_NOCHAIN    0x00000200   /* never chain out of this TB (-d nochain) */
#define CF_SINGLE_STEP 0x00000400  /* one guest instruction */
#define CF_INVALID    0x00010000   /* removed from the tables; never run it again */

/* Marker for an unused jump slot offset. */
#define TB_JMP_OFFSET_INVALID UINT32_MAX

struct TranslationBlock {
    uint64_t pc;              /* guest virtual pc of the first instruction */
    uint32_t flags;           /* target CPU flags it was translated under */
    uint32_t cflags;          /* CF_* */
    uint16_t size;            /* guest bytes covered */
    uint16_t icount;          /* guest instructions (set by tcg_gen_code) */
    uint64_t page_addr[2];    /* guest physical address of its first/second page, or -1 */

    struct {
        const void *ptr;      /* RX address of its code */
        uint32_t size;
    } tc;

    /* Instruction boundaries (in the code buffer, written by tcg_gen_code). */
    const uint32_t *insn_off;                     /* icount entries */
    const uint64_t (*insn_data)[TCG_INSN_START_WORDS];

    /*
     * Jump slots, filled by the back end's gen_code: jmp_insn_offset[n] is the
     * offset from tc.ptr of the patchable field of goto_tb n, and
     * jmp_reset_offset[n] the offset of the code after it (the unchained
     * path); TB_JMP_OFFSET_INVALID when the TB has no slot n.
     */
    uint32_t jmp_insn_offset[2];
    uint32_t jmp_reset_offset[2];

    /*
     * Chaining (accel/tcg, under the translation lock): jmp_dest[n] is the
     * TB slot n jumps to (NULL: unchained); incoming jumps form a list
     * through jmp_list_head and the jmp_list_next[n] of each source TB, with
     * the slot number in the low bits of each link.
     */
    struct TranslationBlock *jmp_dest[2];
    uintptr_t jmp_list_head;
    uintptr_t jmp_list_next[2];

    /* Per-physical-page lists (accel/tcg), slot number in the low bit. */
    uintptr_t page_next[2];
    /* Hash-table chain (accel/tcg). */
    struct TranslationBlock *hash_next;
};

/* ---- accel/tcg/translate-all.c, cpu-exec.c ---- */

struct CPUState;

/* Translates a TB at PC with FLAGS/CFLAGS (translation lock taken inside). */
TranslationBlock *tb_gen_code(struct CPUState *cpu, uint64_t pc, uint32_t flags,
                              uint32_t cflags);
/* Finds a valid TB (jump cache, then hash table) or NULL. */
TranslationBlock *tb_lookup(struct CPUState *cpu, uint64_t pc, uint32_t flags,
                            uint32_t cflags);
/* Patches slot N of TB to jump to DEST (when both are still valid). */
void tb_add_jump(TranslationBlock *tb, int n, TranslationBlock *dest);
/* Removes TB from the tables and jump caches and unchains every jump into it. */
void tb_phys_invalidate(TranslationBlock *tb);
/* Invalidates every TB with code in guest physical [start, end). */
void tb_invalidate_phys_range(uint64_t start, uint64_t end);
/* Forgets every TB and empties the code buffer (all vCPUs out of generated code). */
void tb_flush(struct CPUState *cpu);
/* The TB whose code contains host address RETADDR, or NULL. */
TranslationBlock *tcg_tb_lookup(uintptr_t retaddr);

#endif
