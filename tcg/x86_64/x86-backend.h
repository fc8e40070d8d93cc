/*
 * The x86-64 TCG back end's private interface: host CPU features it uses
 * when present (detected with cpuid when the back end initializes) and a way
 * for tests to turn them off so the fallback sequences run too.
 */
#ifndef TCG_X86_64_X86_BACKEND_H
#define TCG_X86_64_X86_BACKEND_H

#include "util/osdep.h"
#include "tcg/tcg.h"

extern const TCGBackend tcg_backend_x86_64;

enum {
    X86_HOST_LZCNT = 1 << 0,
    X86_HOST_BMI1 = 1 << 1,     /* tzcnt */
    X86_HOST_POPCNT = 1 << 2,
};

/* Features of this host CPU (cpuid). */
unsigned x86_backend_detect_features(void);
/* The features generated code may use from now on (a subset of the detected ones). */
void x86_backend_set_features(unsigned features);

#endif
