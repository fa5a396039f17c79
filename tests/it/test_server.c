/* acusim as a server facing careless or hostile clients, over raw sockets:
 * a body announced over --max-body is refused before it is sent, and a
 * connection that never finishes its request headers is closed after
 * --header-timeout, while ordinary clients carry on. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

/* A TCP connection to acusim's port. */
static int connect_to(const struct it_sim *s)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)s->port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    return fd;
}

/* Send all of text; 0, or -1 when the peer has gone. */
static int send_text(int fd, const char *text)
{
    size_t n = strlen(text), off = 0;
    while (off < n) {
        ssize_t w = send(fd, text + off, n - off, MSG_NOSIGNAL);
        if (w <= 0)
            return -1;
        off += (size_t)w;
    }
    return 0;
}

/* Read what arrives within ms into buf (NUL-terminated). Returns 1 when the
 * peer closed the connection in that time, 0 when it is still open. */
static int read_for(int fd, char *buf, size_t cap, int ms)
{
    size_t len = 0;
    double end = it_now() + ms / 1000.0;
    buf[0] = '\0';
    for (;;) {
        int left = (int)((end - it_now()) * 1000);
        if (left <= 0)
            return 0;
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, left) <= 0)
            continue;
        char tmp[4096];
        ssize_t r = recv(fd, tmp, sizeof(tmp), 0);
        if (r <= 0)
            return 1;
        size_t take = (size_t)r < cap - 1 - len ? (size_t)r : cap - 1 - len;
        memcpy(buf + len, tmp, take);
        len += take;
        buf[len] = '\0';
    }
}

static const char put_head[] = "PUT /entity/Default/24.200.001/Customer HTTP/1.1\r\n"
                               "Host: 127.0.0.1\r\n"
                               "Content-Type: application/json\r\n";

/* The 413 comes back on the headers alone, before any of the body is sent,
 * and the connection is closed: acusim reads none of it. */
static void a_body_over_max_body_is_refused_before_it_is_sent(void **state)
{
    (void)state;
    struct it_sim sim;
    const char *args[] = {"--dataset", "tiny", "--max-body", "65536", NULL};
    it_sim_start(&sim, args);
    static const char *const extra[] = {"", "Expect: 100-continue\r\n"};
    for (int i = 0; i < 2; i++) {
        int fd = connect_to(&sim);
        char req[512], answer[4096];
        snprintf(req, sizeof(req), "%sContent-Length: 104857600\r\n%s\r\n", put_head, extra[i]);
        assert_int_equal(send_text(fd, req), 0);
        int closed = read_for(fd, answer, sizeof(answer), 3000);
        if (strncmp(answer, "HTTP/1.1 413", 12))
            fail_msg("headers announcing 100 MB%s: no 413 within 3 s, got '%.200s'",
                     i ? " with Expect: 100-continue" : "", answer);
        assert_non_null(strstr(answer, "larger than 65536 bytes"));
        assert_null(strstr(answer, "100 Continue"));
        assert_true(closed);
        close(fd);
    }
    /* A body within the limit is read and answered as always. */
    struct it_client c;
    it_client_init(&c, &sim);
    it_login(&c);
    struct it_resp r;
    it_put(&c, "Customer", "{\"CustomerName\":{\"value\":\"Small body\"}}", &r);
    assert_int_equal(r.status, 200);
    it_resp_free(&r);
    it_logout(&c);
    it_client_dispose(&c);
    it_sim_stop(&sim);
}

/* A client that connects and says nothing, and one that sends its headers a
 * byte at a time so that it is never idle, are both cut off after
 * --header-timeout; a client whose answer takes longer than that (an
 * injected delay) still gets it. */
static void clients_that_never_finish_their_headers_are_dropped(void **state)
{
    (void)state;
    struct it_sim sim;
    const char *args[] = {"--dataset", "tiny", "--header-timeout", "1", NULL};
    it_sim_start(&sim, args);
    char buf[1024];
    double t0 = it_now();
    int silent = connect_to(&sim);
    assert_int_equal(read_for(silent, buf, sizeof(buf), 4000), 1);
    double silent_s = it_now() - t0;
    close(silent);
    if (silent_s > 3)
        fail_msg("a silent connection was kept %.1f s with --header-timeout 1", silent_s);

    int slow = connect_to(&sim);
    assert_int_equal(send_text(slow, "GET /entity/Default/24.200.001/Customer HTTP/1.1\r\n"), 0);
    static const char trickle[] = "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    t0 = it_now();
    int cut = 0;
    for (size_t i = 0; i < sizeof(trickle) - 1 && !cut; i++) {
        char one[2] = {trickle[i], 0};
        cut = send_text(slow, one) != 0;
        struct pollfd p = {slow, POLLIN, 0};
        if (!cut && poll(&p, 1, 150) > 0)
            cut = recv(slow, buf, sizeof(buf), MSG_DONTWAIT) <= 0;
    }
    double slow_s = it_now() - t0;
    close(slow);
    if (!cut || slow_s > 3)
        fail_msg("a connection trickling its headers was kept %.1f s with --header-timeout 1",
                 slow_s);

    /* Ordinary clients: an answer slower than the header timeout arrives. */
    struct it_client c;
    it_client_init(&c, &sim);
    it_login(&c);
    struct it_resp r;
    it_control(&c, "POST", "faults",
               "{\"kind\":\"delay\",\"path\":\"/entity/Default/24.200.001/Customer\","
               "\"count\":1,\"delay_ms\":1800}",
               &r);
    assert_int_equal(r.status, 200);
    it_resp_free(&r);
    it_get(&c, "Customer?$top=1", &r);
    assert_int_equal(r.status, 200);
    assert_true(r.seconds >= 1.7);
    it_resp_free(&r);
    it_logout(&c);
    it_client_dispose(&c);
    assert_true(it_sim_alive(&sim));
    it_sim_stop(&sim);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_body_over_max_body_is_refused_before_it_is_sent),
        cmocka_unit_test(clients_that_never_finish_their_headers_are_dropped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
