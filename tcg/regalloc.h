/*
 * TCG register allocator (tcg/regalloc.c), private to the code generator and
 * used by the host back ends that emit machine code. It allocates locally per
 * basic block, driven by the liveness results in each TCGOp: temps live in
 * host registers, globals are loaded lazily from env and kept in registers
 * within a block, and everything is written back at block ends (globals to
 * env, TB temps to their slots in the back end's stack frame), before helper
 * calls as their flags require and before ops that may fault (sync_globals).
 *
 * The back end drives: for each op it asks for a resolved register (or
 * constant) per argument under the op's constraints, emits the instruction,
 * then lets the allocator store and free the outputs. i32 values are kept
 * zero-extended in 64-bit registers (back ends emit 32-bit operations for
 * them), so an i32 register can be passed to a helper as is.
 */
#ifndef TCG_REGALLOC_H
#define TCG_REGALLOC_H

#include "tcg/tcg.h"

#define TCG_REGALLOC_MAX_REGS 32
#define TCG_REGALLOC_MAX_ARGS 6   /* outputs + inputs of one non-call op */

/* What the allocator needs to know about the host and how to move data. */
typedef struct TCGRegAllocInfo {
    uint64_t alloc_regs;        /* registers the allocator may assign to temps */
    uint64_t call_clobbered;    /* registers a helper call may overwrite */
    const int8_t *order;        /* allocation preference, every alloc_regs member */
    int nb_order;
    int env_reg;                /* host register holding env (the TEMP_FIXED temp) */
    int frame_reg;              /* base of the spill slots (s->frame_start..frame_end) */
    /* Back-end code emission; OPAQUE is the pointer given to tcg_regalloc_begin. */
    void (*mov)(void *opaque, TCGType type, int dst, int src);
    void (*movi)(void *opaque, TCGType type, int dst, int64_t val);
    void (*ld)(void *opaque, TCGType type, int dst, int base, intptr_t ofs);
    void (*st)(void *opaque, TCGType type, int src, int base, intptr_t ofs);
    /* Whether VAL may be passed to an op as an immediate of constant class CT. */
    bool (*const_match)(int64_t val, TCGType type, unsigned ct);
} TCGRegAllocInfo;

/* The constraint on one argument (outputs first, then inputs). */
typedef struct TCGArgConstraint {
    uint64_t regs;      /* allowed registers; 0: any allocatable (inputs: or env) */
    int8_t alias;       /* output: the input (0-based) whose register it reuses; -1: none */
    uint8_t consts;     /* input: constant class accepted as an immediate; 0: none */
} TCGArgConstraint;

/*
 * Constraints of one op. An output may get the register of an input that
 * dies at this op: the back end reads every input before writing an output.
 */
typedef struct TCGOpConstraint {
    TCGArgConstraint args[TCG_REGALLOC_MAX_ARGS];
    uint64_t clobbers;      /* registers the emitted code overwrites besides the outputs */
    bool sync_globals;      /* globals must be in env first (the op may leave the TB) */
} TCGOpConstraint;

/* An op's arguments resolved for emission. */
typedef struct TCGRegArgs {
    /* Temps: a host register, or the value when is_const; constants: copied. */
    TCGArg a[TCG_MAX_OP_ARGS];
    bool is_const[TCG_MAX_OP_ARGS];
} TCGRegArgs;

typedef struct TCGRegAlloc {
    TCGContext *s;
    const TCGRegAllocInfo *info;
    void *opaque;
    TCGTemp *reg_to_temp[TCG_REGALLOC_MAX_REGS];
    uint64_t locked;        /* registers in use by the op being allocated */
} TCGRegAlloc;

/* Starts a TB: globals in env, TB temps dead, no register holds a temp. */
void tcg_regalloc_begin(TCGRegAlloc *ra, TCGContext *s, const TCGRegAllocInfo *info,
                        void *opaque);

/* mov, movi and discard need no back-end op: the allocator emits them. */
void tcg_regalloc_mov(TCGRegAlloc *ra, const TCGOp *op);
void tcg_regalloc_movi(TCGRegAlloc *ra, const TCGOp *op);
void tcg_regalloc_discard(TCGRegAlloc *ra, const TCGOp *op);

/* Resolves OP's arguments under CT into ARGS (loads inputs, assigns outputs). */
void tcg_regalloc_op_begin(TCGRegAlloc *ra, const TCGOp *op, const TCGOpConstraint *ct,
                           TCGRegArgs *args);
/* After the op's code: syncs outputs the liveness asks for, frees dead ones. */
void tcg_regalloc_op_end(TCGRegAlloc *ra, const TCGOp *op);

/*
 * Helper calls: begin places the inputs in ARG_REGS, spills what the call
 * clobbers and syncs or drops globals per the call flags; the back end emits
 * the call; end binds the output to RET_REG.
 */
void tcg_regalloc_call_begin(TCGRegAlloc *ra, const TCGOp *op, const int8_t *arg_regs);
void tcg_regalloc_call_end(TCGRegAlloc *ra, const TCGOp *op, int ret_reg);

/*
 * End of a basic block: globals to env and (unless EXITING the TB) live TB
 * temps to their slots; afterwards no register holds a temp. Registers the
 * current op resolved stay readable until its code is emitted.
 */
void tcg_regalloc_bb_end(TCGRegAlloc *ra, bool exiting);
/* At a label: after bb_end, every TB temp is (possibly) live in its slot. */
void tcg_regalloc_label(TCGRegAlloc *ra);

#endif
