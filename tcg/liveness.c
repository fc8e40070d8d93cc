/*
 * Liveness analysis: one backward pass over the op list of a TB computing,
 * for each op, which temp arguments die there (TCGOp.dead_args) and which
 * outputs must also be written back to memory (TCGOp.sync_args), and
 * deleting ops without side effects whose outputs are all dead. The register
 * allocator relies on these rules: at a basic-block end (label, branch)
 * globals and the TB temps used in several blocks are in memory and their
 * register copies are dead (TB temps used in one block just die); at
 * a TB exit the same holds for globals while TB temps simply die; a helper
 * call without TCG_CALL_NO_WRITE_GLOBALS clobbers every global (synced
 * before, reloaded after); one without TCG_CALL_NO_READ_GLOBALS, and every
 * op with side effects (guest memory access, barrier), needs the globals
 * synced to memory first.
 */
#include "util/osdep.h"
#include "tcg/tcg.h"
#include "tcg/internal.h"

/*
 * Marks in state_ptr (non-NULL) the TB temps referenced in more than one
 * basic block: only those can carry a value across a block end. The others
 * simply die there instead of being written back to memory.
 */
static void tcg_la_find_multi_bb_temps(TCGContext *s)
{
    int bb = 1;
    TCGOp *op;

    for (int i = 0; i < s->nb_temps; i++) {
        s->temps[i].state = 0;
        s->temps[i].state_ptr = NULL;
    }
    tcg_for_each_op(s, op) {
        int n = tcg_op_nb_oargs(op) + tcg_op_nb_iargs(op);

        if (op->opc == INDEX_op_set_label) {
            bb++;
        }
        for (int i = 0; i < n; i++) {
            TCGTemp *ts = arg_temp(op->args[i]);

            if (ts->kind != TEMP_TB) {
                continue;
            }
            if (ts->state == 0) {
                ts->state = (uintptr_t)bb;
            } else if (ts->state != (uintptr_t)bb) {
                ts->state_ptr = ts;
            }
        }
        if (tcg_op_defs[op->opc].flags & TCG_OPF_BB_END) {
            bb++;
        }
    }
}

/* State at the end of a basic block: globals and TB temps live in memory. */
static void tcg_la_bb_end(TCGContext *s)
{
    for (int i = 0; i < s->nb_temps; i++) {
        TCGTemp *ts = &s->temps[i];

        switch (ts->kind) {
        case TEMP_FIXED:
            ts->state = 0;
            break;
        case TEMP_GLOBAL:
            ts->state = TS_DEAD | TS_MEM;
            break;
        case TEMP_TB:
            ts->state = ts->state_ptr ? TS_DEAD | TS_MEM : TS_DEAD;
            break;
        case TEMP_CONST:
            ts->state = TS_DEAD;
            break;
        }
    }
}

/* State when leaving the TB: globals in memory, everything else dead. */
static void tcg_la_func_end(TCGContext *s)
{
    for (int i = 0; i < s->nb_temps; i++) {
        TCGTemp *ts = &s->temps[i];

        switch (ts->kind) {
        case TEMP_FIXED:
            ts->state = 0;
            break;
        case TEMP_GLOBAL:
            ts->state = TS_DEAD | TS_MEM;
            break;
        case TEMP_TB:
        case TEMP_CONST:
            ts->state = TS_DEAD;
            break;
        }
    }
}

/* Globals must be in memory here (they may be read by a helper or a fault). */
static void tcg_la_global_sync(TCGContext *s)
{
    for (int i = 1; i < s->nb_globals; i++) {
        s->temps[i].state |= TS_MEM;
    }
}

/* Globals are overwritten in memory after this point: register copies die. */
static void tcg_la_global_kill(TCGContext *s)
{
    for (int i = 1; i < s->nb_globals; i++) {
        s->temps[i].state = TS_DEAD | TS_MEM;
    }
}

/* True when OP may be deleted because it has no effect beyond its dead outputs. */
static bool tcg_la_op_removable(const TCGOp *op, int nb_oargs)
{
    if (nb_oargs == 0) {
        return false;
    }
    if (op->opc == INDEX_op_call) {
        if (!(tcg_call_flags(op) & TCG_CALL_NO_SIDE_EFFECTS)) {
            return false;
        }
    } else if (tcg_op_defs[op->opc].flags & (TCG_OPF_SIDE_EFFECTS | TCG_OPF_BB_END)) {
        return false;
    }
    for (int i = 0; i < nb_oargs; i++) {
        if (arg_temp(op->args[i])->state != TS_DEAD) {
            return false;
        }
    }
    return true;
}

void tcg_liveness_analysis(TCGContext *s)
{
    TCGOp *op, *prev;

    tcg_la_find_multi_bb_temps(s);
    tcg_la_func_end(s);
    tcg_for_each_op_reverse_safe(s, op, prev) {
        const TCGOpDef *def = &tcg_op_defs[op->opc];
        int nb_oargs = tcg_op_nb_oargs(op);
        int nb_iargs = tcg_op_nb_iargs(op);
        uint16_t dead = 0;
        uint8_t sync = 0;

        if (op->opc == INDEX_op_insn_start) {
            continue;
        }
        if (op->opc == INDEX_op_discard) {
            arg_temp(op->args[0])->state = TS_DEAD;
            op->dead_args = op->sync_args = 0;
            continue;
        }
        if (tcg_la_op_removable(op, nb_oargs)) {
            tcg_op_remove(s, op);
            continue;
        }

        /* Outputs: their values before this op are dead. */
        for (int i = 0; i < nb_oargs; i++) {
            TCGTemp *ts = arg_temp(op->args[i]);

            if (ts->state & TS_DEAD) {
                dead |= 1u << i;
            }
            if (ts->state & TS_MEM) {
                sync |= 1u << i;
            }
            ts->state = TS_DEAD;
        }

        /* What the op itself requires of the globals. */
        if (def->flags & TCG_OPF_BB_EXIT) {
            tcg_la_func_end(s);
        } else if (def->flags & TCG_OPF_BB_END) {
            tcg_la_bb_end(s);
        } else if (op->opc == INDEX_op_call) {
            unsigned flags = tcg_call_flags(op);

            if (!(flags & TCG_CALL_NO_WRITE_GLOBALS)) {
                tcg_la_global_kill(s);
            } else if (!(flags & TCG_CALL_NO_READ_GLOBALS)) {
                tcg_la_global_sync(s);
            }
        } else if (def->flags & TCG_OPF_SIDE_EFFECTS) {
            tcg_la_global_sync(s);
        }

        /* Inputs: a use where the temp was dead below is its last use. */
        for (int i = nb_oargs; i < nb_oargs + nb_iargs; i++) {
            TCGTemp *ts = arg_temp(op->args[i]);

            if (ts->state & TS_DEAD) {
                dead |= 1u << i;
            }
        }
        for (int i = nb_oargs; i < nb_oargs + nb_iargs; i++) {
            arg_temp(op->args[i])->state &= ~(uintptr_t)TS_DEAD;
        }
        op->dead_args = dead;
        op->sync_args = sync;
    }
}
