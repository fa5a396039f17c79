/* Licence limits (API-NOTES §4): the per-minute delay formula, and the
 * processing slots with their FIFO queue, its cap and its timeout. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "erpsync/buf.h"
#include "limits.h"

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

/* A counter from sim_limits_json. */
static long stat_of(struct sim_limits *l, const char *name)
{
    struct es_buf b;
    es_buf_init(&b, 0);
    sim_limits_json(l, &b);
    cJSON *j = cJSON_Parse(b.data);
    assert_non_null(j);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);
    if (!cJSON_IsNumber(v))
        fail_msg("no %s in %s", name, b.data);
    long n = (long)v->valuedouble;
    cJSON_Delete(j);
    es_buf_dispose(&b);
    return n;
}

/* Wait (at most 5 s) until a condition on the limits holds. */
static int wait_for_stat(struct sim_limits *l, const char *name, long want)
{
    int64_t end = mono_ms() + 5000;
    while (mono_ms() < end) {
        if (stat_of(l, name) == want)
            return 1;
        sleep_ms(1);
    }
    return 0;
}

static int wait_for_counter(atomic_int *c, int want)
{
    int64_t end = mono_ms() + 5000;
    while (mono_ms() < end) {
        if (atomic_load(c) == want)
            return 1;
        sleep_ms(1);
    }
    return 0;
}

/* ---- the delay formula ---- */

#define HMS(h, m, s) ((((int64_t)(h)*60 + (m)) * 60 + (s)) * 1000)

struct delay_case {
    const char *what;
    int per_minute, processed;
    int64_t start, now;
    long delay;
};

static void delay_formula(void **state)
{
    (void)state;
    static const struct delay_case cases[] = {
        /* The documented example: 20 s left, 25 requests left: 0.8 s. */
        {"documented example", 50, 25, HMS(2, 40, 20), HMS(2, 41, 0), 800},
        {"below half", 50, 24, HMS(2, 40, 20), HMS(2, 41, 0), 0},
        {"nothing processed", 50, 0, HMS(2, 40, 20), HMS(2, 41, 0), 0},
        {"odd limit, below half", 51, 25, HMS(2, 40, 20), HMS(2, 41, 0), 0},
        {"odd limit, at half", 51, 26, HMS(2, 40, 20), HMS(2, 41, 0), 800},
        {"at the window's start", 50, 25, HMS(2, 40, 20), HMS(2, 40, 20), 2400},
        {"a second left", 50, 25, HMS(2, 40, 20), HMS(2, 41, 19), 40},
        {"one request left", 50, 49, HMS(2, 40, 20), HMS(2, 41, 0), 20000},
        {"window over", 50, 25, HMS(2, 40, 20), HMS(2, 41, 20), 0},
        {"window long over", 50, 49, HMS(2, 40, 20), HMS(3, 0, 0), 0},
        {"limit exhausted: rest of window", 50, 50, HMS(2, 40, 20), HMS(2, 41, 0), 20000},
        {"limit passed: rest of window", 50, 70, HMS(2, 40, 20), HMS(2, 41, 15), 5000},
        {"limit of 2", 2, 1, 0, 0, 60000},
        {"no per-minute limit", 0, 1000, HMS(2, 40, 20), HMS(2, 41, 0), 0},
        {"negative limit", -1, 1000, HMS(2, 40, 20), HMS(2, 41, 0), 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct delay_case *c = &cases[i];
        long d = sim_limits_delay_ms(c->per_minute, c->processed, c->start, c->now);
        if (d != c->delay)
            fail_msg("%s: %ld ms, expected %ld", c->what, d, c->delay);
    }
}

/* The delay is applied by enter: requests past half the limit wait. */
static void enter_applies_the_delay(void **state)
{
    (void)state;
    /* 2000 a minute: the 1001st request of the minute waits about 60 s / 1000. */
    struct sim_limits *l = sim_limits_new(0, 2000, 20, 1000);
    long delayed;
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(sim_limits_enter(l, &delayed), 0);
        assert_int_equal(delayed, 0);
        sim_limits_leave(l);
    }
    int64_t t0 = mono_ms();
    assert_int_equal(sim_limits_enter(l, &delayed), 0);
    int64_t took = mono_ms() - t0;
    sim_limits_leave(l);
    assert_in_range(delayed, 50, 60);
    assert_true(took >= delayed - 1);
    assert_int_equal(stat_of(l, "delayed"), 1);
    assert_int_equal(stat_of(l, "admitted"), 1001);
    sim_limits_free(l);
}

/* ---- processing slots ---- */

struct crowd {
    struct sim_limits *l;
    atomic_int inside, max_inside, admitted, declined;
    atomic_int release; /* admitted threads wait for this */
    int iterations;
};

static void note_inside(struct crowd *c)
{
    int now = atomic_fetch_add(&c->inside, 1) + 1;
    int max = atomic_load(&c->max_inside);
    while (now > max && !atomic_compare_exchange_weak(&c->max_inside, &max, now))
        ;
}

static void *busy_client(void *arg)
{
    struct crowd *c = arg;
    for (int i = 0; i < c->iterations; i++) {
        long delayed;
        if (sim_limits_enter(c->l, &delayed) != 0) {
            atomic_fetch_add(&c->declined, 1);
            continue;
        }
        atomic_fetch_add(&c->admitted, 1);
        note_inside(c);
        struct timespec ts = {0, 100000};
        nanosleep(&ts, NULL);
        atomic_fetch_sub(&c->inside, 1);
        sim_limits_leave(c->l);
    }
    return NULL;
}

static void never_more_than_max_concurrent(void **state)
{
    (void)state;
    enum { THREADS = 16, ITER = 50 };
    struct crowd c = {.l = sim_limits_new(2, 0, THREADS, 10000), .iterations = ITER};
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, busy_client, &c), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(atomic_load(&c.declined), 0);
    assert_int_equal(atomic_load(&c.admitted), THREADS * ITER);
    assert_int_equal(atomic_load(&c.max_inside), 2);
    assert_int_equal(stat_of(c.l, "max_running"), 2);
    assert_int_equal(stat_of(c.l, "running"), 0);
    assert_int_equal(stat_of(c.l, "queued"), 0);
    sim_limits_free(c.l);
}

static void *held_client(void *arg)
{
    struct crowd *c = arg;
    long delayed;
    if (sim_limits_enter(c->l, &delayed) != 0) {
        atomic_fetch_add(&c->declined, 1);
        return NULL;
    }
    atomic_fetch_add(&c->admitted, 1);
    note_inside(c);
    while (!atomic_load(&c->release))
        sleep_ms(1);
    atomic_fetch_sub(&c->inside, 1);
    sim_limits_leave(c->l);
    return NULL;
}

/* The documented example: 50 simultaneous requests against 16 concurrent
 * → 16 run, 20 wait, 14 declined; the waiting ones run later. */
static void declines_past_the_queue(void **state)
{
    (void)state;
    enum { THREADS = 50 };
    struct crowd c = {.l = sim_limits_new(16, 0, 20, 60000)};
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, held_client, &c), 0);
    assert_true(wait_for_counter(&c.admitted, 16));
    assert_true(wait_for_counter(&c.declined, 14));
    assert_true(wait_for_stat(c.l, "queued", 20));
    assert_int_equal(atomic_load(&c.inside), 16);
    atomic_store(&c.release, 1);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(atomic_load(&c.admitted), 36);
    assert_int_equal(atomic_load(&c.declined), 14);
    assert_true(atomic_load(&c.max_inside) <= 16);
    assert_int_equal(stat_of(c.l, "declined"), 14);
    assert_int_equal(stat_of(c.l, "max_queued"), 20);
    sim_limits_free(c.l);
}

static void queue_of_zero_declines_at_once(void **state)
{
    (void)state;
    struct sim_limits *l = sim_limits_new(1, 0, 0, 60000);
    long delayed;
    assert_int_equal(sim_limits_enter(l, &delayed), 0);
    int64_t t0 = mono_ms();
    assert_int_equal(sim_limits_enter(l, &delayed), -1);
    assert_true(mono_ms() - t0 < 1000);
    sim_limits_leave(l);
    assert_int_equal(sim_limits_enter(l, &delayed), 0);
    sim_limits_leave(l);
    sim_limits_free(l);
}

struct fifo {
    struct sim_limits *l;
    pthread_mutex_t mu;
    int order[8], n;
};

struct fifo_arg {
    struct fifo *f;
    int k;
};

static void *fifo_client(void *arg)
{
    struct fifo_arg *a = arg;
    long delayed;
    if (sim_limits_enter(a->f->l, &delayed) != 0)
        return NULL;
    pthread_mutex_lock(&a->f->mu);
    a->f->order[a->f->n++] = a->k;
    pthread_mutex_unlock(&a->f->mu);
    sim_limits_leave(a->f->l);
    return NULL;
}

static void admits_in_arrival_order(void **state)
{
    (void)state;
    enum { N = 6 };
    struct fifo f = {.l = sim_limits_new(1, 0, 20, 60000), .mu = PTHREAD_MUTEX_INITIALIZER};
    long delayed;
    assert_int_equal(sim_limits_enter(f.l, &delayed), 0); /* hold the only slot */
    pthread_t t[N];
    struct fifo_arg args[N];
    for (int k = 0; k < N; k++) {
        args[k] = (struct fifo_arg){&f, k};
        assert_int_equal(pthread_create(&t[k], NULL, fifo_client, &args[k]), 0);
        assert_true(wait_for_stat(f.l, "queued", k + 1)); /* queued before the next arrives */
    }
    sim_limits_leave(f.l);
    for (int k = 0; k < N; k++)
        pthread_join(t[k], NULL);
    assert_int_equal(f.n, N);
    for (int k = 0; k < N; k++)
        assert_int_equal(f.order[k], k);
    sim_limits_free(f.l);
}

/* A freed slot goes to the one waiting, not to a newcomer who arrives
 * before the waiter has woken up. */
static void newcomers_queue_behind_waiters(void **state)
{
    (void)state;
    struct fifo f = {.l = sim_limits_new(1, 0, 20, 60000), .mu = PTHREAD_MUTEX_INITIALIZER};
    long delayed;
    assert_int_equal(sim_limits_enter(f.l, &delayed), 0);
    pthread_t t;
    struct fifo_arg waiter = {&f, 0};
    assert_int_equal(pthread_create(&t, NULL, fifo_client, &waiter), 0);
    assert_true(wait_for_stat(f.l, "queued", 1));
    sim_limits_leave(f.l);
    /* Straight back in: must queue behind the waiter. */
    assert_int_equal(sim_limits_enter(f.l, &delayed), 0);
    pthread_mutex_lock(&f.mu);
    f.order[f.n++] = 1;
    pthread_mutex_unlock(&f.mu);
    sim_limits_leave(f.l);
    pthread_join(t, NULL);
    assert_int_equal(f.n, 2);
    assert_int_equal(f.order[0], 0);
    assert_int_equal(f.order[1], 1);
    sim_limits_free(f.l);
}

struct timed {
    struct sim_limits *l;
    int rc;
    int64_t took;
};

static void *timed_client(void *arg)
{
    struct timed *t = arg;
    long delayed;
    int64_t t0 = mono_ms();
    t->rc = sim_limits_enter(t->l, &delayed);
    t->took = mono_ms() - t0;
    if (t->rc == 0)
        sim_limits_leave(t->l);
    return NULL;
}

static void queue_timeout_declines(void **state)
{
    (void)state;
    struct sim_limits *l = sim_limits_new(1, 0, 20, 150);
    long delayed;
    assert_int_equal(sim_limits_enter(l, &delayed), 0);
    struct timed w = {l, 99, 0};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, timed_client, &w), 0);
    pthread_join(t, NULL);
    assert_int_equal(w.rc, -1);
    assert_in_range(w.took, 140, 2000);
    assert_int_equal(stat_of(l, "declined"), 1);
    assert_int_equal(stat_of(l, "queued"), 0);
    /* The one who gave up left no trace in the queue. */
    sim_limits_leave(l);
    int64_t t0 = mono_ms();
    assert_int_equal(sim_limits_enter(l, &delayed), 0);
    assert_true(mono_ms() - t0 < 100);
    sim_limits_leave(l);
    assert_int_equal(stat_of(l, "admitted"), 2);
    sim_limits_free(l);
}

static void raising_the_limit_wakes_waiters(void **state)
{
    (void)state;
    struct sim_limits *l = sim_limits_new(1, 0, 20, 10000);
    long delayed;
    assert_int_equal(sim_limits_enter(l, &delayed), 0);
    struct timed w = {l, 99, 0};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, timed_client, &w), 0);
    assert_true(wait_for_stat(l, "queued", 1));
    sim_limits_set(l, 2, 0);
    pthread_join(t, NULL); /* admitted while the first slot is still held */
    assert_int_equal(w.rc, 0);
    assert_true(w.took < 5000);
    assert_int_equal(stat_of(l, "max_concurrent"), 2);
    assert_int_equal(stat_of(l, "max_running"), 2);
    sim_limits_leave(l);
    sim_limits_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(delay_formula),
        cmocka_unit_test(enter_applies_the_delay),
        cmocka_unit_test(never_more_than_max_concurrent),
        cmocka_unit_test(declines_past_the_queue),
        cmocka_unit_test(queue_of_zero_declines_at_once),
        cmocka_unit_test(admits_in_arrival_order),
        cmocka_unit_test(newcomers_queue_behind_waiters),
        cmocka_unit_test(queue_timeout_declines),
        cmocka_unit_test(raising_the_limit_wakes_waiters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
