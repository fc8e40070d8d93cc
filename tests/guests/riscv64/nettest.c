/*
 * tests/guests/riscv64/nettest.c: /init of the networking test guest
 * (tests/functional/test_net.py builds it with riscv64-linux-gnu-gcc -static
 * and packs it into its own initramfs with the cached riscv64 test kernel).
 *
 * Without busybox or DHCP it configures eth0 from the kernel command line
 * with ioctls (SIOCSIFADDR, SIOCSIFNETMASK, SIOCSIFFLAGS, SIOCADDRT):
 *     knet.addr=10.0.2.15 knet.mask=255.255.255.0 knet.gw=10.0.2.2
 *     knet.get=HOST:PORT    HTTP GET /blob from HOST:PORT, print size and FNV-1a
 *     knet.listen=PORT      then serve one TCP client: read a line, answer
 *                           "echo LINE" and KNET_REPLY_BYTES of pattern, close
 * and prints "knet: ..." lines, "knet: done" (or "knet: FAIL ..."), then
 * powers off.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define TAG "knet: "
#define KNET_REPLY_BYTES 200000

static char cmdline[4096];

static void finish(int ok)
{
    printf(TAG "%s\n", ok ? "done" : "FAIL (see above)");
    fflush(stdout);
    sync();
    reboot(RB_POWER_OFF);
    for (;;) {
        pause();
    }
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void fail(const char *fmt, ...)
{
    va_list ap;

    printf(TAG "FAIL ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf(" (errno %d: %s)\n", errno, strerror(errno));
    finish(0);
}

/* The value of KEY= on the kernel command line, or NULL (static buffer). */
static const char *param(const char *key)
{
    static char val[256];
    size_t klen = strlen(key);

    for (char *p = cmdline; (p = strstr(p, key)); p += klen) {
        if ((p == cmdline || p[-1] == ' ') && p[klen] == '=') {
            size_t n = strcspn(p + klen + 1, " \n");

            snprintf(val, sizeof(val), "%.*s", (int)n, p + klen + 1);
            return val;
        }
    }
    return NULL;
}

static void set_addr(struct sockaddr *sa, const char *addr)
{
    struct sockaddr_in *sin = (struct sockaddr_in *)sa;

    memset(sin, 0, sizeof(*sin));
    sin->sin_family = AF_INET;
    if (addr && inet_pton(AF_INET, addr, &sin->sin_addr) != 1) {
        fail("bad address '%s'", addr);
    }
}

static void ifup(int s, const char *name, const char *addr, const char *mask)
{
    struct ifreq ifr;

    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
    if (addr) {
        set_addr(&ifr.ifr_addr, addr);
        if (ioctl(s, SIOCSIFADDR, &ifr) < 0) {
            fail("SIOCSIFADDR %s %s", name, addr);
        }
        set_addr(&ifr.ifr_netmask, mask);
        if (ioctl(s, SIOCSIFNETMASK, &ifr) < 0) {
            fail("SIOCSIFNETMASK %s %s", name, mask);
        }
    }
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) {
        fail("SIOCGIFFLAGS %s", name);
    }
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) {
        fail("SIOCSIFFLAGS %s", name);
    }
}

static void configure(void)
{
    const char *addr = param("knet.addr"), *mask = param("knet.mask"), *gw;
    char a[64], m[64];
    struct rtentry rt;
    struct ifreq ifr;
    int s = socket(AF_INET, SOCK_DGRAM, 0);

    if (s < 0) {
        fail("socket(AF_INET)");
    }
    snprintf(a, sizeof(a), "%s", addr ? addr : "10.0.2.15");
    snprintf(m, sizeof(m), "%s", mask ? mask : "255.255.255.0");
    ifup(s, "lo", NULL, NULL);
    ifup(s, "eth0", a, m);
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, IFNAMSIZ, "eth0");
    if (ioctl(s, SIOCGIFHWADDR, &ifr) < 0) {
        fail("SIOCGIFHWADDR eth0");
    }
    {
        const unsigned char *h = (const unsigned char *)ifr.ifr_hwaddr.sa_data;

        printf(TAG "eth0 %s mac %02x:%02x:%02x:%02x:%02x:%02x\n", a, h[0], h[1], h[2], h[3],
               h[4], h[5]);
    }
    gw = param("knet.gw");
    if (gw) {
        memset(&rt, 0, sizeof(rt));
        set_addr(&rt.rt_dst, "0.0.0.0");
        set_addr(&rt.rt_genmask, "0.0.0.0");
        set_addr(&rt.rt_gateway, gw);
        rt.rt_flags = RTF_UP | RTF_GATEWAY;
        if (ioctl(s, SIOCADDRT, &rt) < 0) {
            fail("SIOCADDRT default via %s", gw);
        }
    }
    close(s);
}

static void set_timeouts(int fd)
{
    struct timeval tv = { .tv_sec = 60 };

    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static void write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len) {
        ssize_t n = write(fd, p, len);

        if (n <= 0) {
            fail("write");
        }
        p += n;
        len -= n;
    }
}

static void http_get(const char *target)
{
    char host[64], req[256], *colon;
    static char resp[4 << 20];
    struct sockaddr_in sin;
    size_t len = 0;
    uint64_t h = 0xcbf29ce484222325ull;
    char *body;
    int fd;

    snprintf(host, sizeof(host), "%s", target);
    colon = strchr(host, ':');
    if (!colon) {
        fail("knet.get=%s: HOST:PORT expected", target);
    }
    *colon = '\0';
    set_addr((struct sockaddr *)&sin, host);
    sin.sin_port = htons(atoi(colon + 1));
    fd = socket(AF_INET, SOCK_STREAM, 0);
    set_timeouts(fd);
    if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
        fail("connect to %s", target);
    }
    snprintf(req, sizeof(req), "GET /blob HTTP/1.0\r\nHost: %s\r\n\r\n", host);
    write_all(fd, req, strlen(req));
    for (;;) {
        ssize_t n = read(fd, resp + len, sizeof(resp) - 1 - len);

        if (n < 0) {
            fail("read from %s after %zu bytes", target, len);
        }
        if (n == 0) {
            break;
        }
        len += n;
    }
    close(fd);
    resp[len] = '\0';
    body = strstr(resp, "\r\n\r\n");
    if (strncmp(resp, "HTTP/1.", 7) || !strstr(resp, " 200 ") || !body) {
        fail("bad HTTP response (%zu bytes): %.60s", len, resp);
    }
    body += 4;
    for (char *p = body; p < resp + len; p++) {
        h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
    }
    printf(TAG "get %zu bytes fnv %016llx\n", (size_t)(resp + len - body),
           (unsigned long long)h);
    fflush(stdout);
}

static void serve(int port)
{
    struct sockaddr_in sin;
    static char reply[KNET_REPLY_BYTES];
    char line[128];
    size_t got = 0;
    int one = 1, ls, fd;

    ls = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    set_addr((struct sockaddr *)&sin, "0.0.0.0");
    sin.sin_port = htons(port);
    if (bind(ls, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(ls, 1) < 0) {
        fail("listen on port %d", port);
    }
    printf(TAG "listening on %d\n", port);
    fflush(stdout);
    fd = accept(ls, NULL, NULL);
    if (fd < 0) {
        fail("accept");
    }
    set_timeouts(fd);
    while (got < sizeof(line) - 1 && (got == 0 || line[got - 1] != '\n')) {
        ssize_t n = read(fd, line + got, sizeof(line) - 1 - got);

        if (n <= 0) {
            fail("read from the client");
        }
        got += n;
    }
    line[got] = '\0';
    for (size_t i = 0; i < sizeof(reply); i++) {
        reply[i] = 'a' + (i * 7 + i / 251) % 26;
    }
    write_all(fd, "echo ", 5);
    write_all(fd, line, got);
    write_all(fd, reply, sizeof(reply));
    close(fd);
    close(ls);
    printf(TAG "served\n");
    fflush(stdout);
}

int main(void)
{
    const char *v;
    int fd;

    mount("proc", "/proc", "proc", 0, NULL);
    mount("sysfs", "/sys", "sysfs", 0, NULL);
    mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
    setvbuf(stdout, NULL, _IOLBF, 0);
    fd = open("/proc/cmdline", O_RDONLY);
    if (fd < 0 || read(fd, cmdline, sizeof(cmdline) - 1) < 0) {
        fail("reading /proc/cmdline");
    }
    close(fd);
    printf(TAG "ready\n");
    configure();
    v = param("knet.get");
    if (v) {
        http_get(v);
    }
    v = param("knet.listen");
    if (v) {
        serve(atoi(v));
    }
    finish(1);
    return 0;
}
