/* Starting acusim for a benchmark. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_sim.h"

static pid_t sim_pid;
static char base[128];

void bench_die(const char *what)
{
    fprintf(stderr, "bench: %s\n", what);
    if (sim_pid > 0)
        kill(sim_pid, SIGTERM);
    exit(1);
}

void bench_sim_start(const char *const *args)
{
    int fd[2];
    const char *argv[40];
    int n = 0;
    argv[n++] = args[0];
    argv[n++] = "--port";
    argv[n++] = "0";
    for (int i = 1; args[i] && n < 39; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    if (pipe(fd))
        bench_die("pipe");
    fflush(stdout);
    sim_pid = fork();
    if (sim_pid < 0)
        bench_die("fork");
    if (sim_pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM); /* no orphan if the benchmark dies */
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(fd[1]);
    char line[256];
    size_t len = 0;
    while (len < sizeof(line) - 1) {
        struct pollfd p = {fd[0], POLLIN, 0};
        if (poll(&p, 1, 600000) <= 0 || read(fd[0], line + len, 1) <= 0)
            bench_die("acusim did not start");
        if (line[len] == '\n')
            break;
        len++;
    }
    line[len] = '\0';
    close(fd[0]);
    const char *at = strstr(line, "http://");
    if (!at)
        bench_die("acusim did not say where it listens");
    snprintf(base, sizeof(base), "%s", at);
}

void bench_sim_stop(void)
{
    if (sim_pid > 0) {
        kill(sim_pid, SIGTERM);
        waitpid(sim_pid, NULL, 0);
        sim_pid = 0;
    }
}

pid_t bench_sim_pid(void)
{
    return sim_pid;
}

const char *bench_sim_base(void)
{
    return base;
}

double bench_sim_cpu(void)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)sim_pid);
    FILE *f = fopen(path, "r");
    if (!f || !fgets(buf, sizeof(buf), f))
        bench_die("cannot read acusim's /proc stat");
    fclose(f);
    const char *p = strrchr(buf, ')');
    unsigned long ut = 0, st = 0;
    /* after ") ": state(3) ... utime(14) stime(15) */
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        bench_die("cannot parse acusim's /proc stat");
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct bench_result bench_erpsync(const char *erpsync, const char *dir, const char *const *args)
{
    struct bench_result r = {0};
    double sim0 = bench_sim_cpu(), t0 = mono_s();
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char log[300], cfg[300];
        snprintf(log, sizeof(log), "%s/run.log", dir);
        snprintf(cfg, sizeof(cfg), "%s/erpsync.ini", dir);
        FILE *f = freopen(log, "a", stdout);
        (void)f;
        dup2(1, 2);
        const char *argv[16] = {erpsync, "-c", cfg};
        int n = 3;
        for (int i = 0; args[i] && n < 15; i++)
            argv[n++] = args[i];
        argv[n] = NULL;
        execv(erpsync, (char *const *)argv);
        _exit(127);
    }
    int st = 0;
    struct rusage ru;
    if (wait4(pid, &st, 0, &ru) < 0)
        bench_die("wait4");
    r.wall = mono_s() - t0;
    r.sim_cpu = bench_sim_cpu() - sim0;
    r.cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
            ru.ru_stime.tv_usec / 1e6;
    r.maxrss_kib = ru.ru_maxrss;
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    if (r.status)
        bench_die("erpsync failed (see its run.log)");
    return r;
}

void bench_write_config(const char *dir, const char *db, const char *extra)
{
    char path[300];
    snprintf(path, sizeof(path), "%s/erpsync.ini", dir);
    /* It holds a password: its owner's alone, or erpsync refuses it. */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FILE *f = fd >= 0 && fchmod(fd, 0600) == 0 ? fdopen(fd, "w") : NULL;
    if (!f)
        bench_die("cannot write the config");
    fprintf(f,
            "[acumatica]\nurl = %s\ntenant = Company\nusername = admin\npassword = 123\n"
            "[store]\nurl = sqlite:%s/%s\n%s",
            bench_sim_base(), dir, db, extra);
    fclose(f);
}
