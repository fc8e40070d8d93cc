/*
 * Register offsets and bits of PCI configuration space (PCI Local Bus 3.0,
 * PCI Express Base 4.0): the type 0 header, the MSI and MSI-X capabilities,
 * and the standard class codes Kestrel's devices use. Plain constants, shared
 * by the emulator, the unit tests and nothing else.
 */
#ifndef HW_PCI_PCI_REGS_H
#define HW_PCI_PCI_REGS_H

/* Type 0 header. */
#define PCI_VENDOR_ID           0x00    /* 16 bits */
#define PCI_DEVICE_ID           0x02    /* 16 bits */
#define PCI_COMMAND             0x04    /* 16 bits */
#define  PCI_COMMAND_IO         0x0001
#define  PCI_COMMAND_MEMORY     0x0002
#define  PCI_COMMAND_MASTER     0x0004
#define  PCI_COMMAND_PARITY     0x0040
#define  PCI_COMMAND_SERR       0x0100
#define  PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS              0x06    /* 16 bits */
#define  PCI_STATUS_INTERRUPT   0x0008
#define  PCI_STATUS_CAP_LIST    0x0010
#define  PCI_STATUS_PARITY      0x0100  /* master data parity error */
#define  PCI_STATUS_SIG_TARGET_ABORT 0x0800
#define  PCI_STATUS_REC_TARGET_ABORT 0x1000
#define  PCI_STATUS_REC_MASTER_ABORT 0x2000
#define  PCI_STATUS_SIG_SYSTEM_ERROR 0x4000
#define  PCI_STATUS_DETECTED_PARITY  0x8000
#define PCI_REVISION_ID         0x08
#define PCI_CLASS_PROG          0x09
#define PCI_CLASS_DEVICE        0x0a    /* 16 bits: base class << 8 | sub class */
#define PCI_CACHE_LINE_SIZE     0x0c
#define PCI_LATENCY_TIMER       0x0d
#define PCI_HEADER_TYPE         0x0e
#define  PCI_HEADER_TYPE_NORMAL 0x00
#define  PCI_HEADER_TYPE_MULTI_FUNCTION 0x80
#define PCI_BIST                0x0f
#define PCI_BASE_ADDRESS_0      0x10    /* six 32-bit BARs */
#define  PCI_BASE_ADDRESS_SPACE_IO       0x01
#define  PCI_BASE_ADDRESS_MEM_TYPE_32    0x00
#define  PCI_BASE_ADDRESS_MEM_TYPE_64    0x04
#define  PCI_BASE_ADDRESS_MEM_PREFETCH   0x08
#define  PCI_BASE_ADDRESS_MEM_MASK       (~0x0fULL)
#define  PCI_BASE_ADDRESS_IO_MASK        (~0x03ULL)
#define PCI_CARDBUS_CIS         0x28
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID        0x2e
#define PCI_ROM_ADDRESS         0x30
#define PCI_CAPABILITY_LIST     0x34
#define PCI_INTERRUPT_LINE      0x3c
#define PCI_INTERRUPT_PIN       0x3d    /* 1-4: INTA#-INTD#, 0: none */
#define PCI_MIN_GNT             0x3e
#define PCI_MAX_LAT             0x3f
#define PCI_CONFIG_HEADER_SIZE  0x40

/* Capability ids and the generic capability header. */
#define PCI_CAP_LIST_ID         0
#define PCI_CAP_LIST_NEXT       1
#define PCI_CAP_ID_MSI          0x05
#define PCI_CAP_ID_VNDR         0x09
#define PCI_CAP_ID_EXP          0x10
#define PCI_CAP_ID_MSIX         0x11

/* MSI capability. */
#define PCI_MSI_FLAGS           2       /* 16 bits */
#define  PCI_MSI_FLAGS_ENABLE   0x0001
#define  PCI_MSI_FLAGS_QMASK    0x000e  /* multiple message capable (log2) */
#define  PCI_MSI_FLAGS_QSIZE    0x0070  /* multiple message enable (log2) */
#define  PCI_MSI_FLAGS_64BIT    0x0080
#define  PCI_MSI_FLAGS_MASKBIT  0x0100  /* per-vector masking capable */
#define PCI_MSI_ADDRESS_LO      4
#define PCI_MSI_ADDRESS_HI      8       /* 64-bit only */
#define PCI_MSI_DATA_32         8
#define PCI_MSI_DATA_64         12
#define PCI_MSI_MASK_32         12
#define PCI_MSI_MASK_64         16
#define PCI_MSI_PENDING_32      16
#define PCI_MSI_PENDING_64      20

/* MSI-X capability and table. */
#define PCI_MSIX_FLAGS          2       /* 16 bits */
#define  PCI_MSIX_FLAGS_QSIZE   0x07ff  /* table size - 1 */
#define  PCI_MSIX_FLAGS_MASKALL 0x4000
#define  PCI_MSIX_FLAGS_ENABLE  0x8000
#define PCI_MSIX_TABLE          4       /* offset | BIR */
#define PCI_MSIX_PBA            8       /* offset | BIR */
#define  PCI_MSIX_BIR_MASK      0x7
#define PCI_CAP_MSIX_SIZEOF     12
#define PCI_MSIX_ENTRY_SIZE     16
#define PCI_MSIX_ENTRY_LOWER_ADDR   0
#define PCI_MSIX_ENTRY_UPPER_ADDR   4
#define PCI_MSIX_ENTRY_DATA         8
#define PCI_MSIX_ENTRY_VECTOR_CTRL  12
#define  PCI_MSIX_ENTRY_CTRL_MASKBIT 1

/* Class codes (base class << 8 | sub class). */
#define PCI_CLASS_STORAGE_SCSI      0x0100
#define PCI_CLASS_STORAGE_OTHER     0x0180
#define PCI_CLASS_NETWORK_ETHERNET  0x0200
#define PCI_CLASS_BRIDGE_HOST       0x0600
#define PCI_CLASS_COMMUNICATION_OTHER 0x0780
#define PCI_CLASS_OTHERS            0xff00

#define PCI_VENDOR_ID_REDHAT_QUMRANET 0x1af4    /* virtio */
#define PCI_VENDOR_ID_REDHAT        0x1b36
#define PCI_DEVICE_ID_REDHAT_PCIE_HOST 0x0008

#endif
