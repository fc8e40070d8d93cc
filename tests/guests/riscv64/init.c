/*
 * tests/guests/riscv64/init.c: /init of Kestrel's riscv64 Linux test guest
 * (static, built by tests/guests/riscv64-linux.sh with riscv64-linux-gnu-gcc).
 *
 * As PID 1 it mounts proc, sysfs, devtmpfs and tmpfs, prints
 *     kestrel-riscv-init: ready
 *     kestrel-riscv-init: cpus N
 *     kestrel-riscv-init: memtotal N kB
 * then runs its tests (FP results, atomics across one thread per online CPU,
 * fork + exec + wait) and prints "kestrel-riscv-init: all tests passed" or
 * one "kestrel-riscv-init: FAIL ..." line per failure, and powers off.
 *
 * Kernel command line options (read from /proc/cmdline):
 *     kestrel.mode=shell   a tiny command loop on the console instead of the tests
 *     kestrel.mode=bench   run /bench (the CPU benchmark) after the tests
 * Run as "init child ARG" it is the exec'd child of the fork/exec test.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TAG "kestrel-riscv-init: "
#define CHILD_STATUS 42
#define ATOMIC_ITERATIONS 100000
#define MUTEX_ITERATIONS 100000
#define MAX_THREADS 64

static int failures;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void fail(const char *fmt, ...)
{
    va_list ap;

    failures++;
    printf(TAG "FAIL ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

/* ---- setup ---- */

static void mount_fs(const char *type, const char *dir)
{
    mkdir(dir, 0755);
    if (mount(type, dir, type, 0, NULL) != 0 && errno != EBUSY) {
        printf(TAG "cannot mount %s on %s: %s\n", type, dir, strerror(errno));
    }
}

static void console_stdio(void)
{
    /* The kernel opens /dev/console for PID 1; make sure, in case it could not. */
    if (fcntl(1, F_GETFD) < 0) {
        int fd = open("/dev/console", O_RDWR);

        if (fd >= 0) {
            dup2(fd, 0);
            dup2(fd, 1);
            dup2(fd, 2);
            if (fd > 2) {
                close(fd);
            }
        }
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
}

static long memtotal_kb(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    char line[128];
    long kb = -1;

    if (!f) {
        return -1;
    }
    while (fgets(line, sizeof(line), f)) {
        if (sscanf(line, "MemTotal: %ld kB", &kb) == 1) {
            break;
        }
    }
    fclose(f);
    return kb;
}

static int cmdline_has(const char *word)
{
    char buf[4096];
    int fd = open("/proc/cmdline", O_RDONLY);
    ssize_t n;
    size_t len = strlen(word);

    if (fd < 0) {
        return 0;
    }
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0) {
        return 0;
    }
    buf[n] = 0;
    for (char *p = buf; (p = strstr(p, word)) != NULL; p += len) {
        int start = p == buf || p[-1] == ' ';
        int end = p[len] == 0 || p[len] == ' ' || p[len] == '\n';

        if (start && end) {
            return 1;
        }
    }
    return 0;
}

/* ---- FP: correctly rounded IEEE results, compared bit for bit ---- */

static volatile double vd[4] = { 2.0, 0.1, 10.0, -1.0 };
static volatile float vf[3] = { 2.0f, 3.0f, 0.1f };

static void check_double(const char *what, double got, uint64_t want_bits, double want)
{
    union { double d; uint64_t u; } g = { .d = got };

    printf(TAG "fp %s = %.17g\n", what, got);
    if (g.u != want_bits) {
        fail("fp %s: got %.17g (0x%016llx), expected %.17g (0x%016llx)", what, got,
             (unsigned long long)g.u, want, (unsigned long long)want_bits);
    }
}

static void check_float(const char *what, float got, uint32_t want_bits, float want)
{
    union { float f; uint32_t u; } g = { .f = got };

    printf(TAG "fp %s = %.9g\n", what, (double)got);
    if (g.u != want_bits) {
        fail("fp %s: got %.9g (0x%08x), expected %.9g (0x%08x)", what, (double)got,
             (unsigned)g.u, (double)want, (unsigned)want_bits);
    }
}

static void test_fp(void)
{
    double h = 0;
    volatile double product;
    long long ll;

    check_double("sqrt(2)", sqrt(vd[0]), 0x3ff6a09e667f3bcdull, 1.4142135623730951);
    /* fma keeps the exact product 0.1 * 10 = 1 + 2^-54; a separate multiply rounds it to 1. */
    check_double("fma(0.1,10,-1)", fma(vd[1], vd[2], vd[3]), 0x3c90000000000000ull,
                 5.5511151231257827e-17);
    product = vd[1] * vd[2];
    check_double("0.1*10-1", product + vd[3], 0, 0.0);
    check_double("1/3", 1.0 / (vd[0] + 1.0), 0x3fd5555555555555ull, 1.0 / 3.0);
    for (int i = 1; i <= 1000; i++) {
        h += 1.0 / (i * vd[0] / 2.0);
    }
    check_double("harmonic(1000)", h, 0x401df11f45f4e618ull, 7.4854708605503433);
    check_float("sqrtf(2)", sqrtf(vf[0]), 0x3fb504f3u, 1.41421354f);
    check_float("fmaf(0.1,3,-0.3)", fmaf(vf[2], vf[1], -0.3f), 0xb2000000u, -7.4505806e-09f);
    check_float("2/3", vf[0] / vf[1], 0x3f2aaaabu, 0.666666687f);
    ll = llrint(vd[2] * 2.5 + 0.5);   /* 25.5 rounds to even: 26 */
    printf(TAG "fp llrint(25.5) = %lld\n", ll);
    if (ll != 26) {
        fail("fp llrint(25.5) = %lld, expected 26", ll);
    }
    ll = (long long)(vd[3] * 7.9);    /* truncation toward zero: -7 */
    if (ll != -7) {
        fail("fp (long long)-7.9 = %lld, expected -7", ll);
    }
}

/* ---- atomics: one thread per online CPU ---- */

static uint64_t atomic_counter;
static uint64_t cas_counter;
static uint64_t mutex_counter;
static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile int start_flag;

static void *atomic_worker(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&start_flag, __ATOMIC_ACQUIRE)) {
    }
    for (int i = 0; i < ATOMIC_ITERATIONS; i++) {
        uint64_t old = __atomic_load_n(&cas_counter, __ATOMIC_RELAXED);

        __atomic_fetch_add(&atomic_counter, 1, __ATOMIC_SEQ_CST);
        while (!__atomic_compare_exchange_n(&cas_counter, &old, old + 1, 1,
                                            __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
        }
    }
    for (int i = 0; i < MUTEX_ITERATIONS; i++) {
        pthread_mutex_lock(&counter_lock);
        mutex_counter++;
        pthread_mutex_unlock(&counter_lock);
    }
    return NULL;
}

static void test_atomics(int threads)
{
    pthread_t tid[MAX_THREADS];
    int started = 0;
    uint64_t want_atomic, want_mutex;

    if (threads < 1) {
        threads = 1;
    }
    if (threads > MAX_THREADS) {
        threads = MAX_THREADS;
    }
    for (int i = 0; i < threads; i++) {
        int err = pthread_create(&tid[i], NULL, atomic_worker, NULL);

        if (err) {
            fail("atomics: pthread_create: %s", strerror(err));
            break;
        }
        started++;
    }
    __atomic_store_n(&start_flag, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < started; i++) {
        pthread_join(tid[i], NULL);
    }
    want_atomic = (uint64_t)started * ATOMIC_ITERATIONS;
    want_mutex = (uint64_t)started * MUTEX_ITERATIONS;
    printf(TAG "atomics: %d threads: amoadd %llu, lr/sc %llu, mutex %llu (expected %llu, %llu)\n",
           started, (unsigned long long)atomic_counter, (unsigned long long)cas_counter,
           (unsigned long long)mutex_counter, (unsigned long long)want_atomic,
           (unsigned long long)want_mutex);
    if (atomic_counter != want_atomic || cas_counter != want_atomic ||
        mutex_counter != want_mutex) {
        fail("atomics: lost updates");
    }
}

/* ---- fork, exec, wait ---- */

static void test_fork_exec(const char *self)
{
    int status;
    pid_t pid = fork();

    if (pid < 0) {
        fail("fork: %s", strerror(errno));
        return;
    }
    if (pid == 0) {
        execl(self, self, "child", "kestrel", (char *)NULL);
        printf(TAG "exec %s: %s\n", self, strerror(errno));
        _exit(127);
    }
    if (waitpid(pid, &status, 0) != pid) {
        fail("waitpid: %s", strerror(errno));
        return;
    }
    printf(TAG "fork/exec: child %d exited with status %d\n", (int)pid,
           WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != CHILD_STATUS) {
        fail("fork/exec: child status 0x%x, expected exit(%d)", status, CHILD_STATUS);
    }
}

static int child_main(int argc, char **argv)
{
    /* The exec'd child: checks its arguments and that it is a new process. */
    if (argc != 3 || strcmp(argv[2], "kestrel") != 0 || getpid() == 1) {
        return 1;
    }
    return CHILD_STATUS;
}

/* ---- benchmark and command loop ---- */

static int run_program(const char *path)
{
    int status;
    pid_t pid = fork();

    if (pid == 0) {
        execl(path, path, (char *)NULL);
        printf(TAG "exec %s: %s\n", path, strerror(errno));
        _exit(127);
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid) {
        return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void run_tests(const char *self, int cpus)
{
    failures = 0;
    test_fp();
    test_atomics(cpus);
    test_fork_exec(self);
    if (failures == 0) {
        printf(TAG "all tests passed\n");
    } else {
        printf(TAG "%d tests FAILED\n", failures);
    }
}

static void command_loop(const char *self, int cpus)
{
    char line[256];

    printf(TAG "command loop: help, echo TEXT, cpus, mem, tests, bench, poweroff, reboot\n");
    for (;;) {
        char *arg;

        printf("kestrel# ");
        fflush(stdout);
        if (!fgets(line, sizeof(line), stdin)) {
            return;
        }
        line[strcspn(line, "\r\n")] = 0;
        arg = strchr(line, ' ');
        if (arg) {
            *arg++ = 0;
        }
        if (!strcmp(line, "")) {
            continue;
        } else if (!strcmp(line, "help")) {
            printf("help, echo TEXT, cpus, mem, tests, bench, poweroff, reboot\n");
        } else if (!strcmp(line, "echo")) {
            printf("%s\n", arg ? arg : "");
        } else if (!strcmp(line, "cpus")) {
            printf("%ld\n", sysconf(_SC_NPROCESSORS_ONLN));
        } else if (!strcmp(line, "mem")) {
            printf("%ld kB\n", memtotal_kb());
        } else if (!strcmp(line, "tests")) {
            run_tests(self, cpus);
        } else if (!strcmp(line, "bench")) {
            printf("exit status %d\n", run_program("/bench"));
        } else if (!strcmp(line, "poweroff") || !strcmp(line, "exit")) {
            return;
        } else if (!strcmp(line, "reboot")) {
            sync();
            reboot(RB_AUTOBOOT);
        } else {
            printf("unknown command '%s' (help lists them)\n", line);
        }
    }
}

int main(int argc, char **argv)
{
    int cpus;

    if (argc > 1 && !strcmp(argv[1], "child")) {
        return child_main(argc, argv);
    }
    console_stdio();
    if (getpid() == 1) {
        mount_fs("proc", "/proc");
        mount_fs("sysfs", "/sys");
        mount_fs("devtmpfs", "/dev");
        mount_fs("tmpfs", "/tmp");
    }
    cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
    printf(TAG "ready\n");
    printf(TAG "cpus %d\n", cpus);
    printf(TAG "memtotal %ld kB\n", memtotal_kb());

    if (cmdline_has("kestrel.mode=shell")) {
        command_loop(argv[0], cpus);
    } else {
        run_tests(argv[0], cpus);
        if (cmdline_has("kestrel.mode=bench")) {
            struct timespec t0, t1;
            int status;

            clock_gettime(CLOCK_MONOTONIC, &t0);
            status = run_program("/bench");
            clock_gettime(CLOCK_MONOTONIC, &t1);
            printf(TAG "bench exit status %d in %.3f s\n", status,
                   (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
        }
    }
    if (getpid() != 1) {
        return failures ? 1 : 0;
    }
    printf(TAG "powering off\n");
    sync();
    reboot(RB_POWER_OFF);
    printf(TAG "FAIL reboot(RB_POWER_OFF): %s\n", strerror(errno));
    for (;;) {
        pause();
    }
}
