/*
 * Registry of machine types (boards); each registers itself from its own file.
 */
#include "util/osdep.h"
#include "hw/boards.h"

static GPtrArray *machines;
MachineState *current_machine;

void machine_register(const MachineClass *mc)
{
    if (!machines) {
        machines = g_ptr_array_new();
    }
    g_ptr_array_add(machines, (gpointer)mc);
}

const MachineClass *machine_find(const char *name)
{
    for (guint i = 0; machines && i < machines->len; i++) {
        const MachineClass *mc = g_ptr_array_index(machines, i);
        if (strcmp(mc->name, name) == 0) {
            return mc;
        }
    }
    return NULL;
}

const MachineClass *machine_default(void)
{
    for (guint i = 0; machines && i < machines->len; i++) {
        const MachineClass *mc = g_ptr_array_index(machines, i);
        if (mc->is_default) {
            return mc;
        }
    }
    return NULL;
}

static gint machine_compare_names(gconstpointer a, gconstpointer b)
{
    const MachineClass *ma = *(const MachineClass **)a;
    const MachineClass *mb = *(const MachineClass **)b;
    return strcmp(ma->name, mb->name);
}

void machine_foreach(void (*fn)(const MachineClass *mc, void *opaque), void *opaque)
{
    if (!machines) {
        return;
    }
    g_ptr_array_sort(machines, machine_compare_names);
    for (guint i = 0; i < machines->len; i++) {
        fn(g_ptr_array_index(machines, i), opaque);
    }
}

static void machine_print_one(const MachineClass *mc, void *opaque)
{
    fprintf(opaque, "%-20s %s%s\n", mc->name, mc->desc, mc->is_default ? " (default)" : "");
}

void machine_print_list(FILE *f)
{
    fprintf(f, "Supported machines are:\n");
    machine_foreach(machine_print_one, f);
}
