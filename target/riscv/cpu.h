/*
 * The riscv64 vCPU for TCG: CPURISCVState (the env generated code works on,
 * starting with the common TCG head), architectural constants (exception
 * causes, interrupt numbers, CSR numbers, mstatus and PTE fields), the mmu
 * indexes and TB flags that key translated code (privilege, mstatus.FS, the
 * data mmu index), and the functions shared between the target's files:
 * translator setup, CSR access (csr.c), address translation and PMP (mmu.c,
 * pmp.c), trap delivery, and the helpers called from generated code. The
 * privileged architecture is version 1.12 with M, S and U modes.
 */
#ifndef TARGET_RISCV_CPU_H
#define TARGET_RISCV_CPU_H

#include "util/osdep.h"
#include "exec/cpu-tlb.h"
#include "sysemu/cpus.h"

#define RISCV_PMP_ENTRIES 16

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

    uint64_t priv;             /* current privilege level: PRV_U, PRV_S or PRV_M */
    uint64_t badaddr;          /* tval of the exception being raised */

    /* M-mode CSRs */
    uint64_t mstatus;          /* also holds sstatus (a restricted view) */
    uint64_t misa;
    uint64_t mhartid;
    uint64_t medeleg;
    uint64_t mideleg;
    uint64_t mtvec;
    uint64_t mepc;
    uint64_t mcause;
    uint64_t mtval;
    uint64_t mscratch;
    uint64_t mie;
    uint64_t mip;              /* atomic: software bits and the board's lines but SEIP's */
    uint32_t seip_line;        /* atomic: the external supervisor interrupt line */
    uint32_t mcounteren;
    uint64_t menvcfg;
    uint64_t counter_last;     /* last cycle/instret value read (kept increasing) */

    /* S-mode CSRs */
    uint64_t stvec;
    uint64_t sepc;
    uint64_t scause;
    uint64_t stval;
    uint64_t sscratch;
    uint64_t satp;
    uint32_t scounteren;
    uint64_t senvcfg;

    /* Physical memory protection */
    uint8_t pmpcfg[RISCV_PMP_ENTRIES];
    uint64_t pmpaddr[RISCV_PMP_ENTRIES];
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
    RISCV_EXCP_INST_PAGE_FAULT = 12,
    RISCV_EXCP_LOAD_PAGE_FAULT = 13,
    RISCV_EXCP_STORE_PAGE_FAULT = 15,
};

/* exception_index values with this bit set are interrupts (cause in the low bits). */
#define RISCV_EXCP_INT_FLAG 0x40000000
#define RISCV_IRQ_S_SOFT  1
#define RISCV_IRQ_M_SOFT  3
#define RISCV_IRQ_S_TIMER 5
#define RISCV_IRQ_M_TIMER 7
#define RISCV_IRQ_S_EXT   9
#define RISCV_IRQ_M_EXT   11

#define MIP_SSIP (1ULL << RISCV_IRQ_S_SOFT)
#define MIP_MSIP (1ULL << RISCV_IRQ_M_SOFT)
#define MIP_STIP (1ULL << RISCV_IRQ_S_TIMER)
#define MIP_MTIP (1ULL << RISCV_IRQ_M_TIMER)
#define MIP_SEIP (1ULL << RISCV_IRQ_S_EXT)
#define MIP_MEIP (1ULL << RISCV_IRQ_M_EXT)
#define MIP_S_MASK (MIP_SSIP | MIP_STIP | MIP_SEIP)
#define MIP_ALL_MASK (MIP_S_MASK | MIP_MSIP | MIP_MTIP | MIP_MEIP)

/* CSR numbers */
enum {
    CSR_FFLAGS = 0x001,
    CSR_FRM = 0x002,
    CSR_FCSR = 0x003,
    CSR_CYCLE = 0xc00,
    CSR_TIME = 0xc01,
    CSR_INSTRET = 0xc02,
    CSR_HPMCOUNTER3 = 0xc03,
    CSR_HPMCOUNTER31 = 0xc1f,
    CSR_SSTATUS = 0x100,
    CSR_SIE = 0x104,
    CSR_STVEC = 0x105,
    CSR_SCOUNTEREN = 0x106,
    CSR_SENVCFG = 0x10a,
    CSR_SSCRATCH = 0x140,
    CSR_SEPC = 0x141,
    CSR_SCAUSE = 0x142,
    CSR_STVAL = 0x143,
    CSR_SIP = 0x144,
    CSR_SATP = 0x180,
    CSR_MSTATUS = 0x300,
    CSR_MISA = 0x301,
    CSR_MEDELEG = 0x302,
    CSR_MIDELEG = 0x303,
    CSR_MIE = 0x304,
    CSR_MTVEC = 0x305,
    CSR_MCOUNTEREN = 0x306,
    CSR_MENVCFG = 0x30a,
    CSR_MCOUNTINHIBIT = 0x320,
    CSR_MHPMEVENT3 = 0x323,
    CSR_MHPMEVENT31 = 0x33f,
    CSR_MSCRATCH = 0x340,
    CSR_MEPC = 0x341,
    CSR_MCAUSE = 0x342,
    CSR_MTVAL = 0x343,
    CSR_MIP = 0x344,
    CSR_PMPCFG0 = 0x3a0,
    CSR_PMPCFG15 = 0x3af,
    CSR_PMPADDR0 = 0x3b0,
    CSR_PMPADDR63 = 0x3ef,
    CSR_MCYCLE = 0xb00,
    CSR_MINSTRET = 0xb02,
    CSR_MHPMCOUNTER3 = 0xb03,
    CSR_MHPMCOUNTER31 = 0xb1f,
    CSR_MVENDORID = 0xf11,
    CSR_MARCHID = 0xf12,
    CSR_MIMPID = 0xf13,
    CSR_MHARTID = 0xf14,
    CSR_MCONFIGPTR = 0xf15,
};

/* mstatus fields (sstatus shows the S ones) */
#define MSTATUS_SIE  (1ULL << 1)
#define MSTATUS_MIE  (1ULL << 3)
#define MSTATUS_SPIE (1ULL << 5)
#define MSTATUS_MPIE (1ULL << 7)
#define MSTATUS_SPP  (1ULL << 8)
#define MSTATUS_MPP_SHIFT 11
#define MSTATUS_MPP  (3ULL << MSTATUS_MPP_SHIFT)
#define MSTATUS_FS   (3ULL << 13)
#define MSTATUS_FS_INITIAL (1ULL << 13)
#define MSTATUS_FS_DIRTY   (3ULL << 13)
#define MSTATUS_XS   (3ULL << 15)
#define MSTATUS_MPRV (1ULL << 17)
#define MSTATUS_SUM  (1ULL << 18)
#define MSTATUS_MXR  (1ULL << 19)
#define MSTATUS_TVM  (1ULL << 20)
#define MSTATUS_TW   (1ULL << 21)
#define MSTATUS_TSR  (1ULL << 22)
#define MSTATUS_UXL_SXL (0xaULL << 32)   /* both 64-bit (value 2 each), read-only */
#define MSTATUS_UXL (3ULL << 32)
#define MSTATUS_SD   (1ULL << 63)

/* satp */
#define SATP_MODE_SHIFT 60
#define SATP_MODE_BARE 0
#define SATP_MODE_SV39 8
#define SATP_MODE_SV48 9
#define SATP_ASID_MASK (0xffffULL << 44)
#define SATP_PPN_MASK ((1ULL << 44) - 1)

/* menvcfg/senvcfg */
#define ENVCFG_FIOM 1ULL

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

/*
 * mmu indexes: the privilege level for U, S and M, and S with mstatus.SUM as
 * its own index (its TLB allows U pages for loads and stores). Instruction
 * fetch uses the index of the current privilege; loads and stores that of
 * the effective one (mstatus.MPP when M-mode sets MPRV).
 */
#define RISCV_MMU_U     0
#define RISCV_MMU_S     1
#define RISCV_MMU_S_SUM 2
#define RISCV_MMU_M     3

/* TB flags: privilege in bits 0-1, mstatus.FS in bits 2-3, data mmu index in bits 4-5. */
#define RISCV_TB_FLAGS_PRIV_MASK 3u
#define RISCV_TB_FLAGS_FS_SHIFT 2
#define RISCV_TB_FLAGS_FS_MASK (3u << RISCV_TB_FLAGS_FS_SHIFT)
#define RISCV_TB_FLAGS_MEM_SHIFT 4
#define RISCV_TB_FLAGS_MEM_MASK (3u << RISCV_TB_FLAGS_MEM_SHIFT)

static inline CPURISCVState *riscv_env(CPUState *cpu)
{
    return (CPURISCVState *)cpu->arch;
}

/*
 * Drives interrupt CAUSE (RISCV_IRQ_*: MSIP/MTIP/MEIP from the CLINT and PLIC,
 * SEIP from the PLIC's S-mode context) of the hart: sets or clears the line
 * and, when raised, kicks the vCPU out of generated code and out of wfi. Any
 * thread.
 */
void riscv_cpu_set_irq(CPUState *cpu, int cause, int level);

/*
 * The board's time source for the time CSR (the CLINT's mtime): FN(OPAQUE)
 * returns the current mtime. Without one, time is the host monotonic clock
 * at 10 MHz. Set once by the board before the vCPUs run.
 */
void riscv_set_time_source(uint64_t (*fn)(void *opaque), void *opaque);

/* cpu.c: the mmu index of loads and stores in the current state. */
int riscv_data_mmu_index(const CPURISCVState *env);
/* cpu.c: mip as software reads it (the stored bits and the external SEIP line). */
uint64_t riscv_pending_interrupts(CPURISCVState *env);

/* mmu.c: the target's tlb_fill. */
bool riscv_tlb_fill(CPUState *cpu, uint64_t vaddr, int size, MMUAccessType access,
                    int mmu_idx, bool probe, uintptr_t retaddr);

/*
 * pmp.c: the PAGE_* rights PMP grants privilege PRIV for the SIZE bytes at
 * physical ADDR (0: the access is denied).
 */
int riscv_pmp_prot(CPURISCVState *env, uint64_t addr, uint64_t size, int priv);
/* A pmpcfg/pmpaddr write (csr.c); returns whether anything changed. */
bool riscv_pmpcfg_write(CPURISCVState *env, unsigned reg, uint64_t val);
bool riscv_pmpaddr_write(CPURISCVState *env, unsigned index, uint64_t val);
uint64_t riscv_pmpcfg_read(CPURISCVState *env, unsigned reg);

/* translate.c */
void riscv_tcg_init(void);
void riscv_gen_intermediate_code(CPUState *cpu, TranslationBlock *tb, int max_insns);

/* Helpers called from generated code (op_helper.c); they may leave with cpu_loop_exit. */
void helper_raise_exception(CPURISCVState *env, uint64_t cause, uint64_t tval)
    __attribute__((noreturn));
uint64_t helper_csr_op(CPURISCVState *env, uint64_t csrno, uint64_t write, uint64_t mask,
                       uint64_t value);
uint64_t helper_mret(CPURISCVState *env);
uint64_t helper_sret(CPURISCVState *env);
void helper_wfi(CPURISCVState *env);
void helper_sfence_vma(CPURISCVState *env, uint64_t insn);
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
