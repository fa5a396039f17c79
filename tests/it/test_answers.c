/* What erpsync says and does when Acumatica's answers are slow or huge: a
 * message names the path (without its long query) and ends with the
 * reason; an answer over the cap fails cleanly, naming the setting, and
 * memory stays bounded. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "pull_check.h"

/* The line of out that starts with prefix (copied into line), or NULL. */
static const char *line_with(const char *out, const char *prefix, char *line, size_t cap)
{
    for (const char *p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        while (*p == ' ')
            p++;
        if (strncmp(p, prefix, strlen(prefix)))
            continue;
        size_t n = strcspn(p, "\n");
        snprintf(line, cap, "%.*s", (int)n, p);
        return line;
    }
    return NULL;
}

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), k = strlen(tail);
    return n >= k && !strcmp(s + n - k, tail);
}

/* A page request with its long $select times out: the summary names the
 * request without its query and ends with the reason. */
static void a_timeout_message_keeps_its_reason(void **state)
{
    (void)state;
    struct pc_scene s;
    const char *args[] = {"--dataset", "tiny", NULL};
    pc_scene_start(&s, args, NULL);
    it_write_config_acu(s.ini, sizeof(s.ini), s.dir, &s.sim, "timeout = 1s\n",
                        "[limits]\nretries = 0\n");
    pc_control(&s, "POST", "faults",
               "{\"kind\":\"delay\",\"path\":\"/Customer\",\"delay_ms\":3000,\"count\":1}");
    struct it_run r;
    const char *sync[] = {"sync", "--quiet", "--only", "customers", NULL};
    it_erpsync(&r, s.dir, sync, 60);
    assert_int_not_equal(r.status, 0);
    char line[2048];
    if (!line_with(r.out, "! ", line, sizeof(line)))
        fail_msg("no error line in:\n%s", r.out);
    if (!ends_with(line, "no answer within 1000 ms") || strstr(line, "$select"))
        fail_msg("the error line does not end with the reason:\n%s", line);
    assert_non_null(strstr(line, "GET "));
    assert_non_null(strstr(line, "/Customer"));
    it_run_free(&r);
    pc_scene_stop(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_timeout_message_keeps_its_reason),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
