/* What the benchmarks share: starting acusim and reading its CPU time. */
#ifndef BENCH_SIM_H
#define BENCH_SIM_H

#include <sys/types.h>

/* Start acusim (argv[0] is its path; --port 0 is added) and wait for its
 * "listening" line; exits the benchmark when it does not start. The
 * process dies with the benchmark. */
void bench_sim_start(const char *const *argv);
void bench_sim_stop(void);
pid_t bench_sim_pid(void);
/* "http://127.0.0.1:PORT" */
const char *bench_sim_base(void);
/* Its user+system CPU seconds so far, from /proc. */
double bench_sim_cpu(void);
/* Print "bench: what" and exit 1, stopping acusim. */
void bench_die(const char *what) __attribute__((noreturn));

/* DIR/erpsync.ini for the running acusim, the store sqlite:DIR/DB, then
 * extra (more sections). */
void bench_write_config(const char *dir, const char *db, const char *extra);

/* An erpsync run: wall and CPU seconds (user+system, from wait4), its
 * peak resident memory and the acusim CPU it cost. */
struct bench_result {
    double wall, cpu, sim_cpu;
    long maxrss_kib;
    int status;
};
/* Run erpsync -c DIR/erpsync.ini ARGS... (NULL-terminated), output to
 * DIR/run.log; dies unless it exits 0. */
struct bench_result bench_erpsync(const char *erpsync, const char *dir, const char *const *args);

#endif
