/*
 * TCG register allocator: local, per basic block, one pass over the ops in
 * order (see tcg/regalloc.h for the contract with back ends). Each temp's
 * location (dead, in memory, in a register, a constant) and whether its
 * memory copy is current live in the TCGTemp; reg_to_temp maps back. Inputs
 * are loaded on demand into a register their constraint allows (a copy when
 * the temp lives elsewhere), outputs get a register of their own, an input's
 * (aliased outputs) or a dead input's; when registers run out the first
 * candidate in preference order is spilled. Temps that die free their
 * register; globals are stored back whenever their register copy is dropped,
 * so a global's memory copy is current whenever no register holds it.
 */
#include "util/osdep.h"
#include "tcg/regalloc.h"

static bool reg_in(uint64_t set, int reg)
{
    return (set >> reg) & 1;
}

static TCGTemp *op_temp(const TCGOp *op, int i)
{
    return arg_temp(op->args[i]);
}

static bool arg_dead(const TCGOp *op, int i)
{
    return (op->dead_args >> i) & 1;
}

static bool arg_sync(const TCGOp *op, int i)
{
    return (op->sync_args >> i) & 1;
}

static void temp_bind(TCGRegAlloc *ra, TCGTemp *ts, int reg)
{
    ra->reg_to_temp[reg] = ts;
    ts->reg = reg;
    ts->val_type = TEMP_VAL_REG;
}

/* Forgets TS's register (TS must be in one) and records where its value is now. */
static void temp_unbind(TCGRegAlloc *ra, TCGTemp *ts, TCGTempVal now)
{
    g_assert(ts->val_type == TEMP_VAL_REG && ra->reg_to_temp[ts->reg] == ts);
    ra->reg_to_temp[ts->reg] = NULL;
    ts->val_type = now;
}

/* Gives a TB temp its spill slot: one 8-byte slot per temp index. */
static void temp_ensure_slot(TCGRegAlloc *ra, TCGTemp *ts)
{
    TCGContext *s = ra->s;

    if (!ts->mem_allocated) {
        ts->mem_offset = s->frame_start + (intptr_t)temp_idx(ts) * 8;
        g_assert(ts->mem_offset + 8 <= s->frame_end);
        ts->mem_allocated = true;
    }
}

static int temp_base(TCGRegAlloc *ra, const TCGTemp *ts)
{
    return ts->kind == TEMP_GLOBAL ? ra->info->env_reg : ra->info->frame_reg;
}

/* Makes TS's memory copy current (it keeps its register). */
static void temp_sync(TCGRegAlloc *ra, TCGTemp *ts)
{
    if (ts->val_type != TEMP_VAL_REG || ts->mem_coherent) {
        return;
    }
    if (ts->kind == TEMP_TB) {
        temp_ensure_slot(ra, ts);
    } else if (ts->kind != TEMP_GLOBAL) {
        return;
    }
    ra->info->st(ra->opaque, ts->type, ts->reg, temp_base(ra, ts), ts->mem_offset);
    ts->mem_coherent = true;
}

/* Moves TS out of its register into memory (a live value is stored first). */
static void temp_spill(TCGRegAlloc *ra, TCGTemp *ts)
{
    if (ts->val_type == TEMP_VAL_REG && ts->kind != TEMP_FIXED) {
        temp_sync(ra, ts);
        temp_unbind(ra, ts, TEMP_VAL_MEM);
    }
}

/* TS's value is not used any more: free its register. */
static void temp_dead(TCGRegAlloc *ra, TCGTemp *ts)
{
    switch (ts->kind) {
    case TEMP_GLOBAL:
        temp_spill(ra, ts);
        break;
    case TEMP_TB:
        /*
         * Liveness also marks a TB temp dead at a block end when its value
         * lives on in memory (synced when it was written): keep that copy.
         */
        if (ts->val_type == TEMP_VAL_REG) {
            temp_unbind(ra, ts, ts->mem_coherent ? TEMP_VAL_MEM : TEMP_VAL_DEAD);
        }
        break;
    default:
        break;
    }
}

/* A register from ALLOWED \ EXCLUDED: a free one, else the first occupied one, spilled. */
static int reg_alloc(TCGRegAlloc *ra, uint64_t allowed, uint64_t excluded)
{
    const TCGRegAllocInfo *info = ra->info;
    uint64_t cand = allowed & info->alloc_regs & ~excluded;

    for (int i = 0; i < info->nb_order; i++) {
        int r = info->order[i];

        if (reg_in(cand, r) && !ra->reg_to_temp[r]) {
            return r;
        }
    }
    for (int i = 0; i < info->nb_order; i++) {
        int r = info->order[i];

        if (reg_in(cand, r)) {
            temp_spill(ra, ra->reg_to_temp[r]);
            return r;
        }
    }
    g_error("tcg: no register left in %#" PRIx64 " (locked %#" PRIx64 ")", allowed,
            excluded);
}

/*
 * Returns a register in ALLOWED (never one in ra->locked unless TS is already
 * there) holding TS's value. A temp loaded from memory is bound to the
 * register when BIND; a temp living in another register is copied, unbound.
 */
static int temp_load(TCGRegAlloc *ra, TCGTemp *ts, uint64_t allowed, bool bind)
{
    const TCGRegAllocInfo *info = ra->info;
    int r;

    if (ts->val_type == TEMP_VAL_REG && reg_in(allowed, ts->reg)) {
        return ts->reg;
    }
    r = reg_alloc(ra, allowed, ra->locked);
    switch (ts->val_type) {
    case TEMP_VAL_REG:
        info->mov(ra->opaque, ts->type, r, ts->reg);
        break;
    case TEMP_VAL_CONST:
        info->movi(ra->opaque, ts->type, r, ts->val);
        break;
    case TEMP_VAL_MEM:
        if (ts->kind == TEMP_TB) {
            temp_ensure_slot(ra, ts);
        }
        info->ld(ra->opaque, ts->type, r, temp_base(ra, ts), ts->mem_offset);
        if (bind) {
            temp_bind(ra, ts, r);
            ts->mem_coherent = true;
        }
        break;
    case TEMP_VAL_DEAD:
        /* Read before written: any value will do. */
        if (bind) {
            temp_bind(ra, ts, r);
            ts->mem_coherent = false;
        }
        break;
    }
    return r;
}

/* TS (an output) now lives in register R only. */
static void temp_set_output(TCGRegAlloc *ra, TCGTemp *ts, int r)
{
    g_assert(ts->kind == TEMP_GLOBAL || ts->kind == TEMP_TB);
    if (ts->val_type == TEMP_VAL_REG && ts->reg != r) {
        temp_unbind(ra, ts, TEMP_VAL_DEAD);
    }
    g_assert(!ra->reg_to_temp[r] || ra->reg_to_temp[r] == ts);
    temp_bind(ra, ts, r);
    ts->mem_coherent = false;
}

/* After an output was written: store it when liveness asks, free it if dead. */
static void output_done(TCGRegAlloc *ra, const TCGOp *op, int i)
{
    TCGTemp *ts = op_temp(op, i);

    if (arg_sync(op, i)) {
        temp_sync(ra, ts);
    }
    if (arg_dead(op, i)) {
        temp_dead(ra, ts);
    }
}

static void globals_sync(TCGRegAlloc *ra, bool drop)
{
    TCGContext *s = ra->s;

    for (int i = 0; i < s->nb_globals; i++) {
        TCGTemp *ts = &s->temps[i];

        if (ts->kind != TEMP_GLOBAL) {
            continue;
        }
        if (drop) {
            temp_spill(ra, ts);
        } else {
            temp_sync(ra, ts);
        }
    }
}

void tcg_regalloc_begin(TCGRegAlloc *ra, TCGContext *s, const TCGRegAllocInfo *info,
                        void *opaque)
{
    memset(ra, 0, sizeof(*ra));
    ra->s = s;
    ra->info = info;
    ra->opaque = opaque;
    for (int i = 0; i < s->nb_temps; i++) {
        TCGTemp *ts = &s->temps[i];

        switch (ts->kind) {
        case TEMP_FIXED:
            ts->val_type = TEMP_VAL_REG;
            ts->reg = info->env_reg;
            ts->mem_coherent = true;
            break;
        case TEMP_GLOBAL:
            ts->val_type = TEMP_VAL_MEM;
            ts->mem_coherent = true;
            break;
        case TEMP_CONST:
            ts->val_type = TEMP_VAL_CONST;
            break;
        case TEMP_TB:
            ts->val_type = TEMP_VAL_DEAD;
            ts->mem_allocated = false;
            ts->mem_coherent = false;
            break;
        }
    }
}

void tcg_regalloc_movi(TCGRegAlloc *ra, const TCGOp *op)
{
    TCGTemp *ts = op_temp(op, 0);
    int r = ts->val_type == TEMP_VAL_REG ? ts->reg : reg_alloc(ra, ~0ull, 0);

    ra->info->movi(ra->opaque, ts->type, r, (int64_t)op->args[1]);
    temp_set_output(ra, ts, r);
    output_done(ra, op, 0);
}

void tcg_regalloc_mov(TCGRegAlloc *ra, const TCGOp *op)
{
    TCGTemp *dst = op_temp(op, 0), *src = op_temp(op, 1);
    int r;

    if (dst == src) {
        output_done(ra, op, 0);
        return;
    }
    if (src->val_type == TEMP_VAL_CONST) {
        r = dst->val_type == TEMP_VAL_REG ? dst->reg : reg_alloc(ra, ~0ull, 0);
        ra->info->movi(ra->opaque, dst->type, r, src->val);
    } else if (src->val_type == TEMP_VAL_REG && arg_dead(op, 1) && src->kind != TEMP_FIXED) {
        /* The source dies here: hand its register over. */
        r = src->reg;
        temp_dead(ra, src);
    } else {
        int rs = temp_load(ra, src, ra->info->alloc_regs | 1ull << ra->info->env_reg, true);

        ra->locked = 1ull << rs;
        r = dst->val_type == TEMP_VAL_REG ? dst->reg : reg_alloc(ra, ~0ull, ra->locked);
        ra->info->mov(ra->opaque, dst->type, r, rs);
        ra->locked = 0;
        if (arg_dead(op, 1)) {
            temp_dead(ra, src);
        }
    }
    temp_set_output(ra, dst, r);
    output_done(ra, op, 0);
}

void tcg_regalloc_discard(TCGRegAlloc *ra, const TCGOp *op)
{
    TCGTemp *ts = op_temp(op, 0);

    if (ts->val_type == TEMP_VAL_REG && ts->kind != TEMP_FIXED) {
        /* A discarded global's value is undefined: no need to store it. */
        temp_unbind(ra, ts, ts->kind == TEMP_GLOBAL ? TEMP_VAL_MEM : TEMP_VAL_DEAD);
    } else if (ts->kind == TEMP_TB) {
        ts->val_type = TEMP_VAL_DEAD;
    }
}

static int find_alias(const TCGOpConstraint *ct, int nb_o, int input)
{
    for (int o = 0; o < nb_o; o++) {
        if (ct->args[o].alias == input) {
            return o;
        }
    }
    return -1;
}

void tcg_regalloc_op_begin(TCGRegAlloc *ra, const TCGOp *op, const TCGOpConstraint *ct,
                           TCGRegArgs *args)
{
    const TCGRegAllocInfo *info = ra->info;
    int nb_o = tcg_op_nb_oargs(op), nb_i = tcg_op_nb_iargs(op), nb_c = tcg_op_nb_cargs(op);
    uint64_t out_locked = 0;

    g_assert(nb_o + nb_i <= TCG_REGALLOC_MAX_ARGS);
    ra->locked = 0;
    for (int r = 0; r < TCG_REGALLOC_MAX_REGS; r++) {
        if (reg_in(ct->clobbers, r) && ra->reg_to_temp[r]) {
            temp_spill(ra, ra->reg_to_temp[r]);
        }
    }
    if (ct->sync_globals) {
        globals_sync(ra, false);
    }

    for (int i = 0; i < nb_i; i++) {
        int k = nb_o + i;
        const TCGArgConstraint *c = &ct->args[k];
        TCGTemp *ts = op_temp(op, k);
        int alias = find_alias(ct, nb_o, i);
        uint64_t allowed;
        int r;

        args->is_const[k] = false;
        if (ts->val_type == TEMP_VAL_CONST && c->consts && alias < 0 &&
            info->const_match(ts->val, ts->type, c->consts)) {
            args->is_const[k] = true;
            args->a[k] = (TCGArg)ts->val;
            continue;
        }
        if (alias >= 0) {
            allowed = c->regs ? c->regs : info->alloc_regs;
        } else {
            allowed = c->regs ? c->regs : info->alloc_regs | 1ull << info->env_reg;
        }
        /* An aliased input of a temp that lives on is loaded into a scratch register. */
        r = temp_load(ra, ts, allowed, alias < 0 || arg_dead(op, k));
        if (ra->reg_to_temp[r] == ts && reg_in(ct->clobbers, r)) {
            /* Loaded from memory into a register the op destroys: keep it unbound. */
            temp_unbind(ra, ts, ts->mem_coherent ? TEMP_VAL_MEM : TEMP_VAL_DEAD);
        }
        if (alias >= 0 && ra->reg_to_temp[r] == ts && !arg_dead(op, k)) {
            /* The output overwrites this register but TS lives on: work on a copy. */
            int copy = reg_alloc(ra, allowed, ra->locked | 1ull << r);

            info->mov(ra->opaque, ts->type, copy, r);
            r = copy;
        }
        ra->locked |= 1ull << r;
        args->a[k] = (TCGArg)r;
    }

    for (int i = 0; i < nb_i; i++) {
        if (arg_dead(op, nb_o + i)) {
            temp_dead(ra, op_temp(op, nb_o + i));
        }
    }
    if (tcg_op_defs[op->opc].flags & TCG_OPF_CALL_CLOBBER) {
        for (int r = 0; r < TCG_REGALLOC_MAX_REGS; r++) {
            if (reg_in(info->call_clobbered, r) && ra->reg_to_temp[r]) {
                temp_spill(ra, ra->reg_to_temp[r]);
            }
        }
    }

    for (int o = 0; o < nb_o; o++) {
        const TCGArgConstraint *c = &ct->args[o];
        TCGTemp *ts = op_temp(op, o);
        int r;

        if (c->alias >= 0) {
            r = (int)args->a[nb_o + c->alias];
        } else {
            uint64_t busy = out_locked;

            for (int q = 0; q < TCG_REGALLOC_MAX_REGS; q++) {
                /* Registers of live inputs (still bound) stay untouched. */
                if (reg_in(ra->locked, q) && ra->reg_to_temp[q]) {
                    busy |= 1ull << q;
                }
            }
            r = reg_alloc(ra, c->regs ? c->regs : info->alloc_regs, busy);
        }
        temp_set_output(ra, ts, r);
        out_locked |= 1ull << r;
        args->a[o] = (TCGArg)r;
        args->is_const[o] = false;
    }
    ra->locked |= out_locked;

    for (int i = 0; i < nb_c; i++) {
        args->a[nb_o + nb_i + i] = op->args[nb_o + nb_i + i];
        args->is_const[nb_o + nb_i + i] = true;
    }
}

void tcg_regalloc_op_end(TCGRegAlloc *ra, const TCGOp *op)
{
    int nb_o = tcg_op_nb_oargs(op);

    for (int o = 0; o < nb_o; o++) {
        output_done(ra, op, o);
    }
    ra->locked = 0;
}

void tcg_regalloc_call_begin(TCGRegAlloc *ra, const TCGOp *op, const int8_t *arg_regs)
{
    const TCGRegAllocInfo *info = ra->info;
    int nb_o = op->call_oargs, nb_i = op->call_iargs;
    unsigned flags = tcg_call_flags(op);

    ra->locked = 0;
    for (int i = 0; i < nb_i; i++) {
        TCGTemp *ts = op_temp(op, nb_o + i);
        TCGTemp *occupant;
        int r = arg_regs[i];

        occupant = ra->reg_to_temp[r];
        if (occupant && occupant != ts) {
            temp_spill(ra, occupant);
        }
        switch (ts->val_type) {
        case TEMP_VAL_REG:
            if (ts->reg != r) {
                info->mov(ra->opaque, ts->type, r, ts->reg);
            }
            break;
        case TEMP_VAL_CONST:
            info->movi(ra->opaque, ts->type, r, ts->val);
            break;
        case TEMP_VAL_MEM:
            if (ts->kind == TEMP_TB) {
                temp_ensure_slot(ra, ts);
            }
            info->ld(ra->opaque, ts->type, r, temp_base(ra, ts), ts->mem_offset);
            break;
        case TEMP_VAL_DEAD:
            break;
        }
        ra->locked |= 1ull << r;
    }
    for (int i = 0; i < nb_i; i++) {
        if (arg_dead(op, nb_o + i)) {
            temp_dead(ra, op_temp(op, nb_o + i));
        }
    }
    for (int r = 0; r < TCG_REGALLOC_MAX_REGS; r++) {
        if (reg_in(info->call_clobbered, r) && ra->reg_to_temp[r]) {
            temp_spill(ra, ra->reg_to_temp[r]);
        }
    }
    if (!(flags & TCG_CALL_NO_WRITE_GLOBALS)) {
        globals_sync(ra, true);
    } else if (!(flags & TCG_CALL_NO_READ_GLOBALS)) {
        globals_sync(ra, false);
    }
}

void tcg_regalloc_call_end(TCGRegAlloc *ra, const TCGOp *op, int ret_reg)
{
    if (op->call_oargs) {
        TCGTemp *ts = op_temp(op, 0);

        temp_set_output(ra, ts, ret_reg);
        output_done(ra, op, 0);
    }
    ra->locked = 0;
}

void tcg_regalloc_bb_end(TCGRegAlloc *ra, bool exiting)
{
    TCGContext *s = ra->s;

    for (int i = 0; i < s->nb_temps; i++) {
        TCGTemp *ts = &s->temps[i];

        if (ts->kind == TEMP_GLOBAL || (ts->kind == TEMP_TB && !exiting)) {
            temp_spill(ra, ts);
        } else if (ts->kind == TEMP_TB) {
            temp_dead(ra, ts);
        }
    }
}

void tcg_regalloc_label(TCGRegAlloc *ra)
{
    TCGContext *s = ra->s;

    for (int i = 0; i < s->nb_temps; i++) {
        TCGTemp *ts = &s->temps[i];

        if (ts->kind == TEMP_TB) {
            g_assert(ts->val_type != TEMP_VAL_REG);
            temp_ensure_slot(ra, ts);
            ts->val_type = TEMP_VAL_MEM;
            ts->mem_coherent = true;
        }
    }
}
