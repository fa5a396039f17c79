/* A running erpsync holds the password: it must leave no core dump behind.
 * erpsync sync is held mid-sign-in by a listener that never answers, and
 * its process is looked at from outside through /proc. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

/* A loopback listener on a free port; its port in *port. */
static int silent_listener(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t n = sizeof(a);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(fd, 4), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &n), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

/* The "Max core file size" line of /proc/PID/limits. */
static void core_limit_line(pid_t pid, char *out, size_t cap)
{
    char path[64], line[256];
    snprintf(path, sizeof(path), "/proc/%d/limits", (int)pid);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    out[0] = '\0';
    while (fgets(line, sizeof(line), f))
        if (!strncmp(line, "Max core file size", 18))
            snprintf(out, cap, "%s", line);
    fclose(f);
}

static void a_running_sync_leaves_no_core_dump(void **state)
{
    (void)state;
    int port, lfd = silent_listener(&port);
    char dir[256], ini[600];
    it_workdir(dir, sizeof(dir));
    snprintf(ini, sizeof(ini), "%s/erpsync.ini", dir);
    FILE *f = fopen(ini, "w");
    assert_non_null(f);
    fprintf(f,
            "[acumatica]\nurl = http://127.0.0.1:%d\ntenant = C\nusername = u\npassword = p\n"
            "timeout = 30s\n[store]\nurl = sqlite:%s/erpsync.db\n[limits]\nretries = 0\n",
            port, dir);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(ini, 0600), 0);
    const char *args[] = {"sync", "--quiet", NULL};
    pid_t pid = it_erpsync_bg(dir, args);
    /* It connects to sign in: past its start, with the password read. */
    struct pollfd p = {lfd, POLLIN, 0};
    assert_int_equal(poll(&p, 1, 20000), 1);
    int conn = accept(lfd, NULL, NULL);
    assert_true(conn >= 0);
    char line[256];
    core_limit_line(pid, line, sizeof(line));
    print_message("%s", line);
    /* Soft and hard: the process cannot raise it again. */
    char soft[32] = "", hard[32] = "";
    assert_int_equal(sscanf(line, "Max core file size %31s %31s", soft, hard), 2);
    assert_string_equal(soft, "0");
    assert_string_equal(hard, "0");
    /* Not dumpable: its /proc files belong to root, out of reach of the
     * user's other processes. Seen only when the user is not root. */
    if (geteuid() != 0) {
        char path[64];
        struct stat st;
        snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_uid, 0);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    close(conn);
    close(lfd);
    it_workdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_running_sync_leaves_no_core_dump),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
