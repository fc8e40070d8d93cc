/*
 * Unit tests for util/log.c: -d mask parsing and its errors, the help text,
 * and -D: the file receives the lines, and lines logged concurrently by many
 * threads (each built from several log_printf calls) never interleave.
 */
#include "util/osdep.h"
#include "util/log.h"

static void test_log_mask(void)
{
    GError *err = NULL;

    g_assert_true(log_set_mask_str("guest_errors", &err));
    g_assert_cmpint(log_mask, ==, LOG_GUEST_ERROR);
    g_assert_true(log_set_mask_str("int,unimp,nochain", &err));
    g_assert_cmpint(log_mask, ==, LOG_INT | LOG_UNIMP | LOG_NOCHAIN);
    g_assert_true(log_enabled(LOG_INT));
    g_assert_false(log_enabled(LOG_EXEC));
    g_assert_true(log_set_mask_str("exec,in_asm,op,op_opt,out_asm,cpu", &err));
    g_assert_cmpint(log_mask, ==, LOG_EXEC | LOG_IN_ASM | LOG_OP | LOG_OP_OPT |
                    LOG_OUT_ASM | LOG_CPU);
    g_assert_no_error(err);
    log_mask = 0;
}

static void test_log_mask_errors(void)
{
    static const char *const bad[] = { "bogus", "int,bogus", "INT", "int,,exec", "int " };
    GError *err = NULL;

    log_mask = LOG_CPU;
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        g_assert_false(log_set_mask_str(bad[i], &err));
        g_assert_error(err, KESTREL_ERROR, 0);
        g_clear_error(&err);
    }
    g_assert_false(log_set_mask_str("int,bogus", &err));
    g_assert_nonnull(strstr(err->message, "'bogus'"));
    g_clear_error(&err);
    /* A failed parse leaves the mask alone. */
    g_assert_cmpint(log_mask, ==, LOG_CPU);
    log_mask = 0;
}

static void test_log_help(void)
{
    static const char *const names[] = {
        "guest_errors", "unimp", "int", "exec", "in_asm", "op", "op_opt", "out_asm", "cpu",
        "nochain",
    };
    g_autofree char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);

    log_print_help(f);
    fclose(f);
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        g_autofree char *line = g_strdup_printf("\n%s ", names[i]);

        if (!strstr(text, line)) {
            g_error("help lacks '%s':\n%s", names[i], text);
        }
    }
}

static void test_log_file_bad_path(void)
{
    GError *err = NULL;

    g_assert_false(log_set_file("/nonexistent-dir/kestrel.log", &err));
    g_assert_nonnull(strstr(err->message, "/nonexistent-dir/kestrel.log"));
    g_error_free(err);
    g_assert_true(log_file() == stderr);
}

#define LOG_THREADS 8
#define LOG_LINES 500

static gpointer log_thread(gpointer opaque)
{
    int id = GPOINTER_TO_INT(opaque);

    for (int i = 0; i < LOG_LINES; i++) {
        /* Three calls for one line, as a register dump would do. */
        log_printf("T%d ", id);
        log_printf("line %d ", i);
        log_printf("end\n");
    }
    return NULL;
}

static void test_log_file_lines(void)
{
    g_autofree char *dir = g_dir_make_tmp("kestrel-log-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "log.txt", NULL);
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    GThread *threads[LOG_THREADS];
    int next[LOG_THREADS] = { 0 };
    GError *err = NULL;

    g_assert_true(log_set_file(path, &err));
    g_assert_no_error(err);
    g_assert_true(log_file() != stderr);
    log_mask = LOG_GUEST_ERROR;
    log_mask_printf(LOG_GUEST_ERROR, "first %s\n", "line");
    log_mask_printf(LOG_EXEC, "masked out\n");
    for (int t = 0; t < LOG_THREADS; t++) {
        threads[t] = g_thread_new("log", log_thread, GINT_TO_POINTER(t));
    }
    for (int t = 0; t < LOG_THREADS; t++) {
        g_thread_join(threads[t]);
    }
    log_printf("unterminated");
    log_flush();
    log_mask = 0;

    g_assert_true(g_file_get_contents(path, &text, NULL, &err));
    lines = g_strsplit(text, "\n", -1);
    g_assert_cmpuint(g_strv_length(lines), ==, 1 + LOG_THREADS * LOG_LINES + 1);
    g_assert_cmpstr(lines[0], ==, "first line");
    for (guint i = 1; i <= LOG_THREADS * LOG_LINES; i++) {
        int t, n, end = 0;

        if (sscanf(lines[i], "T%d line %d end%n", &t, &n, &end) != 2 || lines[i][end] ||
            t < 0 || t >= LOG_THREADS) {
            g_error("interleaved line: '%s'", lines[i]);
        }
        /* Each thread's lines arrive whole and in its own order. */
        g_assert_cmpint(n, ==, next[t]);
        next[t]++;
    }
    g_assert_cmpstr(lines[1 + LOG_THREADS * LOG_LINES], ==, "unterminated");

    unlink(path);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/log/mask", test_log_mask);
    g_test_add_func("/log/mask-errors", test_log_mask_errors);
    g_test_add_func("/log/help", test_log_help);
    g_test_add_func("/log/file-bad-path", test_log_file_bad_path);
    g_test_add_func("/log/file-lines", test_log_file_lines);
    return g_test_run();
}
