/*
 * CPU-bound riscv64 benchmark for `make bench`: five kernels (linked-list
 * processing, integer matrix multiply, a byte-driven state machine, CRC-32 and
 * a double-precision FP kernel), each run for a fixed number of iterations
 * and checked against its checksum (a mismatch fails the run). It prints each
 * kernel's checksum and its mtime ticks (CLINT, 10 MHz) on the UART; the bench
 * runner times the whole run on Kestrel and on QEMU and reports iterations per
 * second and the ratio. Bare metal, no libc: built -O2 with riscv64-unknown-elf-gcc.
 * With -DBENCH_LINUX the same kernels build as a Linux program (static, with
 * riscv64-linux-gnu-gcc, by tests/guests/riscv64-linux.sh): it writes to stdout
 * and counts 10 MHz ticks of CLOCK_MONOTONIC.
 */
#include <stdint.h>

#ifdef BENCH_LINUX
#include <time.h>
#include <unistd.h>

static void put_char(char c)
{
    if (write(1, &c, 1) != 1) {
        _exit(2);
    }
}

static uint64_t mtime_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 10000000u + (uint64_t)ts.tv_nsec / 100u;
}
#else
#define UART ((volatile uint8_t *)0x10000000)
#define MTIME ((volatile uint64_t *)0x200bff8)

static void put_char(char c)
{
    while (!(UART[5] & 0x20)) {
    }
    UART[0] = (uint8_t)c;
}

static uint64_t mtime_now(void)
{
    return *MTIME;
}
#endif

static void put_str(const char *s)
{
    while (*s) {
        put_char(*s++);
    }
}

static void put_hex(uint64_t v)
{
    put_str("0x");
    for (int i = 60; i >= 0; i -= 4) {
        put_char("0123456789abcdef"[(v >> i) & 15]);
    }
}

static void put_dec(uint64_t v)
{
    char buf[24];
    int n = 0;

    do {
        buf[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) {
        put_char(buf[--n]);
    }
}

/* ---- list processing: build, reverse, sum and insertion-sort a linked list ---- */

#define LIST_N 512

struct node {
    struct node *next;
    uint32_t val;
};

static struct node nodes[LIST_N];

static uint64_t bench_list(uint32_t seed)
{
    struct node *head = 0, *sorted = 0;
    uint64_t sum = 0;

    for (int i = 0; i < LIST_N; i++) {
        seed = seed * 1103515245u + 12345u;
        nodes[i].val = seed >> 8;
        nodes[i].next = head;
        head = &nodes[i];
    }
    while (head) {
        struct node *n = head, **p = &sorted;

        head = head->next;
        while (*p && (*p)->val < n->val) {
            p = &(*p)->next;
        }
        n->next = *p;
        *p = n;
    }
    for (struct node *n = sorted; n; n = n->next) {
        sum = sum * 31 + n->val;
    }
    return sum;
}

/* ---- matrix multiply ---- */

#define MAT_N 24

static int32_t ma[MAT_N][MAT_N], mb[MAT_N][MAT_N], mc[MAT_N][MAT_N];

static uint64_t bench_matmul(uint32_t seed)
{
    uint64_t sum = 0;

    for (int i = 0; i < MAT_N; i++) {
        for (int j = 0; j < MAT_N; j++) {
            ma[i][j] = (int32_t)(i * 7 + j + seed) % 13 - 6;
            mb[i][j] = (int32_t)(i + j * 5 + seed) % 11 - 5;
        }
    }
    for (int i = 0; i < MAT_N; i++) {
        for (int j = 0; j < MAT_N; j++) {
            int32_t acc = 0;

            for (int k = 0; k < MAT_N; k++) {
                acc += ma[i][k] * mb[k][j];
            }
            mc[i][j] = acc;
        }
    }
    for (int i = 0; i < MAT_N; i++) {
        for (int j = 0; j < MAT_N; j++) {
            sum = sum * 3 + (uint32_t)mc[i][j];
        }
    }
    return sum;
}

/* ---- state machine: a tokenizer over pseudo-random text ---- */

static uint64_t bench_state(uint32_t seed)
{
    enum { SPACE, WORD, NUMBER, PUNCT } st = SPACE;
    uint64_t words = 0, numbers = 0, puncts = 0, transitions = 0;

    for (int i = 0; i < 4096; i++) {
        unsigned c;

        seed = seed * 1664525u + 1013904223u;
        c = (seed >> 24) % 40;
        int next = c < 8 ? SPACE : c < 30 ? WORD : c < 37 ? NUMBER : PUNCT;

        if (next != (int)st) {
            transitions++;
            switch (next) {
            case WORD: words++; break;
            case NUMBER: numbers++; break;
            case PUNCT: puncts++; break;
            default: break;
            }
            st = next;
        }
    }
    return words << 48 | numbers << 32 | puncts << 16 | transitions;
}

/* ---- CRC-32 (bitwise) ---- */

static uint8_t crc_buf[1024];

static uint64_t bench_crc(uint32_t seed)
{
    uint32_t crc = 0xffffffffu;

    for (unsigned i = 0; i < sizeof(crc_buf); i++) {
        crc_buf[i] = (uint8_t)(i * 31 + seed);
    }
    for (unsigned i = 0; i < sizeof(crc_buf); i++) {
        crc ^= crc_buf[i];
        for (int b = 0; b < 8; b++) {
            crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
        }
    }
    return ~crc;
}

/* ---- FP: a small n-body style integration ---- */

#define FP_N 16

static double px[FP_N], py[FP_N], vx[FP_N], vy[FP_N];

static uint64_t bench_fp(uint32_t seed)
{
    union { double d; uint64_t u; } acc = { 0 };

    for (int i = 0; i < FP_N; i++) {
        px[i] = (double)((i * 37 + seed) % 100) * 0.1;
        py[i] = (double)((i * 53 + seed) % 100) * 0.1;
        vx[i] = vy[i] = 0;
    }
    for (int step = 0; step < 8; step++) {
        for (int i = 0; i < FP_N; i++) {
            double fx = 0, fy = 0;

            for (int j = 0; j < FP_N; j++) {
                double dx = px[j] - px[i], dy = py[j] - py[i];
                double d2 = dx * dx + dy * dy + 0.01;

                fx += dx / d2;
                fy += dy / d2;
            }
            vx[i] += fx * 0.001;
            vy[i] += fy * 0.001;
        }
        for (int i = 0; i < FP_N; i++) {
            px[i] += vx[i];
            py[i] += vy[i];
        }
    }
    for (int i = 0; i < FP_N; i++) {
        acc.d += px[i] * 3 + py[i];
    }
    return acc.u;
}

struct kernel {
    const char *name;
    uint64_t (*fn)(uint32_t seed);
    unsigned iterations;
    uint64_t checksum;          /* confirmed on qemu-system-riscv64 */
};

static const struct kernel kernels[] = {
    { "list", bench_list, 2000, 0xb33c9394fc853508ull },
    { "matmul", bench_matmul, 4000, 0x754410da539f17c2ull },
    { "state", bench_state, 4000, 0xf8f74a325a1d53a4ull },
    { "crc32", bench_crc, 8000, 0x0000109bb9f524c6ull },
    { "fp", bench_fp, 2000, 0x88b000000000021cull },
};

int main(void)
{
    uint64_t total = 0;
    int bad = 0;

    for (unsigned k = 0; k < sizeof(kernels) / sizeof(kernels[0]); k++) {
        uint64_t sum = 0, t0 = mtime_now(), t1;

        for (unsigned i = 0; i < kernels[k].iterations; i++) {
            sum += kernels[k].fn(i);
        }
        t1 = mtime_now();
        put_str(kernels[k].name);
        put_str(": iterations ");
        put_dec(kernels[k].iterations);
        put_str(" checksum ");
        put_hex(sum);
        put_str(" ticks ");
        put_dec(t1 - t0);
        if (sum != kernels[k].checksum) {
            put_str(" MISMATCH");
            bad = 1;
        }
        put_char('\n');
        total += kernels[k].iterations;
    }
    put_str("bench: total iterations ");
    put_dec(total);
    put_char('\n');
    return bad;
}
