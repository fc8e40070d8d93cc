/*
 * Registry of accelerators (kvm, tcg); each registers itself from its own file.
 */
#include "util/osdep.h"
#include "sysemu/accel.h"

static GPtrArray *accels;
const AccelOps *current_accel;

void accel_register(const AccelOps *ops)
{
    if (!accels) {
        accels = g_ptr_array_new();
    }
    g_ptr_array_add(accels, (gpointer)ops);
}

const AccelOps *accel_find(const char *name)
{
    for (guint i = 0; accels && i < accels->len; i++) {
        const AccelOps *ops = g_ptr_array_index(accels, i);
        if (strcmp(ops->name, name) == 0) {
            return ops;
        }
    }
    return NULL;
}
