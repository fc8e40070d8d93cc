/*
 * The riscv64 vCPU for TCG: CPURISCVState (the env generated code works on,
 * starting with the common TCG head), architectural constants (exception
 * causes, CSR numbers, mstatus fields), the TB flags that key translated code
 * (privilege level and mstatus.FS), and the functions shared between the
 * target's files: translator setup, trap delivery, and the helpers called from
 * generated code. The privileged state is the minimal M-mode subset bare-metal
 * programs need; S/U modes, paging and PMP come with the privileged issue.
 */
#ifndef TARGET_RISCV_CPU_H
#define TARGET_RISCV_CPU_H

#include "util/osdep.h"
#include "exec/cpu-tlb.h"
#include "sysemu/cpus.h"

typedef struct CPURISCVState {
    TCGCPUCommon common;       /* must be first */

    uint64_t gpr[32];          /* gpr[0] is always zero */
    uint64_t fpr[32];          /* NaN-boxed singles in the low 32 bits */
    uint64_t pc;
    uint32_t fflags;           /* accrued exceptions, FFLAG_* */
    uint32_t frm;              /* dynamic rounding mode, RISCV_RM_* */

    /* LR/SC: the reserved address (-1: none) and the value LR loaded there. */
    uint64_t load_res;
    uint64_t load_val;

    uint64_t priv;             /* current privilege level (PRV_M only for now) */
    uint64_t badaddr;          /* tval of the exception being raised */

    /* M-mode CSRs */
    uint64_t mstatus;
    uint64_t misa;
    uint64_t mhartid;
    uint64_t mtvec;
    uint64_t mepc;
    uint64_t mcause;
    uint64_t mtval;
    uint64_t mscratch;
    uint64_t mie;
    uint64_t mip;              /* updated atomically by riscv_cpu_set_irq */
    uint64_t counter_last;     /* last cycle/instret value read (kept increasing) */
} CPURISCVState;

/* Privilege levels */
#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

/* Exception causes (mcause without the interrupt bit) */
enum {
    RISCV_EXCP_INST_ADDR_MIS = 0,
    RISCV_EXCP_INST_ACCESS_FAULT = 1,
    RISCV_EXCP_ILLEGAL_INST = 2,
    RISCV_EXCP_BREAKPOINT = 3,
    RISCV_EXCP_LOAD_ADDR_MIS = 4,
    RISCV_EXCP_LOAD_ACCESS_FAULT = 5,
    RISCV_EXCP_STORE_AMO_ADDR_MIS = 6,
    RISCV_EXCP_STORE_AMO_ACCESS_FAULT = 7,
    RISCV_EXCP_U_ECALL = 8,
    RISCV_EXCP_S_ECALL = 9,
    RISCV_EXCP_M_ECALL = 11,
};

/* exception_index values with this bit set are interrupts (cause in the low bits). */
#define RISCV_EXCP_INT_FLAG 0x40000000
#define RISCV_IRQ_M_SOFT  3
#define RISCV_IRQ_M_TIMER 7
#define RISCV_IRQ_M_EXT   11

/* CSR numbers */
enum {
    CSR_FFLAGS = 0x001,
    CSR_FRM = 0x002,
    CSR_FCSR = 0x003,
    CSR_CYCLE = 0xc00,
    CSR_TIME = 0xc01,
    CSR_INSTRET = 0xc02,
    CSR_MSTATUS = 0x300,
    CSR_MISA = 0x301,
    CSR_MIE = 0x304,
    CSR_MTVEC = 0x305,
    CSR_MSCRATCH = 0x340,
    CSR_MEPC = 0x341,
    CSR_MCAUSE = 0x342,
    CSR_MTVAL = 0x343,
    CSR_MIP = 0x344,
    CSR_MCYCLE = 0xb00,
    CSR_MINSTRET = 0xb02,
    CSR_MVENDORID = 0xf11,
    CSR_MARCHID = 0xf12,
    CSR_MIMPID = 0xf13,
    CSR_MHARTID = 0xf14,
};

/* mstatus fields */
#define MSTATUS_MIE  (1ULL << 3)
#define MSTATUS_MPIE (1ULL << 7)
#define MSTATUS_MPP  (3ULL << 11)
#define MSTATUS_FS   (3ULL << 13)
#define MSTATUS_FS_INITIAL (1ULL << 13)
#define MSTATUS_FS_DIRTY   (3ULL << 13)
#define MSTATUS_SD   (1ULL << 63)
#define MSTATUS_UXL_SXL (0xfULL << 32)   /* both 64-bit (value 2 each), read-only */

/* Accrued FP exception flags */
#define FFLAG_NX 0x01
#define FFLAG_UF 0x02
#define FFLAG_OF 0x04
#define FFLAG_DZ 0x08
#define FFLAG_NV 0x10

/* Rounding modes (the rm field and frm) */
enum {
    RISCV_RM_RNE = 0,
    RISCV_RM_RTZ = 1,
    RISCV_RM_RDN = 2,
    RISCV_RM_RUP = 3,
    RISCV_RM_RMM = 4,
    RISCV_RM_DYN = 7,
};

/* TB flags: mmu index (= privilege) in bits 0-1, mstatus.FS in bits 2-3. */
#define RISCV_TB_FLAGS_PRIV_MASK 3u
#define RISCV_TB_FLAGS_FS_SHIFT 2
#define RISCV_TB_FLAGS_FS_MASK (3u << RISCV_TB_FLAGS_FS_SHIFT)

static inline CPURISCVState *riscv_env(CPUState *cpu)
{
    return (CPURISCVState *)cpu->arch;
}

/* Drives interrupt CAUSE (RISCV_IRQ_*) of the hart: sets/clears its mip bit and kicks. */
void riscv_cpu_set_irq(CPUState *cpu, int cause, int level);

/* translate.c */
void riscv_tcg_init(void);
void riscv_gen_intermediate_code(CPUState *cpu, TranslationBlock *tb, int max_insns);

/* Helpers called from generated code (op_helper.c); they may leave with cpu_loop_exit. */
void helper_raise_exception(CPURISCVState *env, uint64_t cause, uint64_t tval)
    __attribute__((noreturn));
uint64_t helper_csr_op(CPURISCVState *env, uint64_t csrno, uint64_t write, uint64_t mask,
                       uint64_t value);
uint64_t helper_mret(CPURISCVState *env);
uint64_t helper_sc(CPURISCVState *env, uint64_t addr, uint64_t val, uint64_t size);
uint64_t helper_amo(CPURISCVState *env, uint64_t addr, uint64_t val, uint64_t op_size);

/* AMO operation codes for helper_amo (low bits of op_size; size in bits 8+). */
enum {
    RISCV_AMO_SWAP,
    RISCV_AMO_ADD,
    RISCV_AMO_XOR,
    RISCV_AMO_AND,
    RISCV_AMO_OR,
    RISCV_AMO_MIN,
    RISCV_AMO_MAX,
    RISCV_AMO_MINU,
    RISCV_AMO_MAXU,
};

#endif
