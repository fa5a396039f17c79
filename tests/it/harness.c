/* The integration-test harness. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "erpsync/buf.h"
#include "harness.h"

void it_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) && errno == EINTR)
        ;
}

double it_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void it_sim_start(struct it_sim *s, const char *const *args)
{
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    const char *argv[64];
    int n = 0;
    argv[n++] = ACUSIM_BIN;
    argv[n++] = "--port";
    argv[n++] = "0";
    argv[n++] = "--control";
    argv[n++] = "--quiet";
    argv[n++] = "--reference";
    argv[n++] = ES_SOURCE_DIR "/reference/acumatica";
    for (int i = 0; args && args[i] && n < 63; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* A test that fails half-way never stops its acusim: let it die
         * with the test, or it would hold ctest's output pipe open. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        execv(ACUSIM_BIN, (char *const *)argv);
        _exit(127);
    }
    close(fd[1]);
    char line[256];
    size_t len = 0;
    double deadline = it_now() + 300;
    while (len < sizeof(line) - 1 && it_now() < deadline) {
        struct pollfd p = {fd[0], POLLIN, 0};
        if (poll(&p, 1, 1000) <= 0)
            continue;
        ssize_t r = read(fd[0], line + len, 1);
        if (r <= 0)
            break;
        if (line[len] == '\n')
            break;
        len++;
    }
    line[len] = '\0';
    close(fd[0]);
    int port = 0;
    const char *colon = strrchr(line, ':');
    if (!strstr(line, "acusim listening on") || !colon || (port = (int)strtol(colon + 1, NULL, 10)) <= 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        fail_msg("acusim did not start (stdout: '%s')", line);
    }
    s->pid = pid;
    s->port = port;
    snprintf(s->base, sizeof(s->base), "http://127.0.0.1:%d", port);
    snprintf(s->endpoint, sizeof(s->endpoint), "%s/entity/Default/24.200.001", s->base);
}

int it_sim_alive(struct it_sim *s)
{
    int st;
    return waitpid(s->pid, &st, WNOHANG) == 0;
}

void it_sim_stop(struct it_sim *s)
{
    if (s->pid <= 0)
        return;
    int st = 0;
    if (waitpid(s->pid, &st, WNOHANG) == s->pid)
        fail_msg("acusim exited early (status %d)", st);
    kill(s->pid, SIGTERM);
    double deadline = it_now() + 20;
    while (waitpid(s->pid, &st, WNOHANG) == 0) {
        if (it_now() > deadline) {
            kill(s->pid, SIGKILL);
            waitpid(s->pid, &st, 0);
            fail_msg("acusim did not stop on SIGTERM");
        }
        it_sleep_ms(20);
    }
    s->pid = 0;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fail_msg("acusim ended badly (status %d)", st);
}

void it_client_init(struct it_client *c, struct it_sim *s)
{
    memset(c, 0, sizeof(*c));
    c->sim = s;
    c->curl = curl_easy_init();
    assert_non_null(c->curl);
    curl_easy_setopt(c->curl, CURLOPT_COOKIEFILE, ""); /* in-memory cookie jar */
    curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, 120L);
}

void it_client_dispose(struct it_client *c)
{
    if (c->curl)
        curl_easy_cleanup(c->curl);
    c->curl = NULL;
}

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
    es_buf_add(ctx, p, size * n);
    return size * n;
}

void it_req(struct it_client *c, const char *method, const char *path, const char *body,
            const char *const *hdrs, struct it_resp *out)
{
    memset(out, 0, sizeof(*out));
    CURL *h = c->curl;
    char url[8192];
    if (!strncmp(path, "http", 4))
        snprintf(url, sizeof(url), "%s", path);
    else
        snprintf(url, sizeof(url), "%s%s", c->sim->base, path);
    struct es_buf b, hb;
    es_buf_init(&b, 0);
    es_buf_init(&hb, 0);
    struct curl_slist *list = NULL;
    int has_ct = 0;
    for (int i = 0; hdrs && hdrs[i]; i++) {
        list = curl_slist_append(list, hdrs[i]);
        has_ct |= !strncasecmp(hdrs[i], "Content-Type:", 13);
    }
    if (body && !has_ct)
        list = curl_slist_append(list, "Content-Type: application/json");
    list = curl_slist_append(list, "Accept: application/json");
    char auth[200];
    if (c->bearer[0]) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", c->bearer);
        list = curl_slist_append(list, auth);
    }
    /* Every option a request depends on is set each time (no reset: that
     * would re-add the cookie engine and leak). */
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, c->fresh ? 1L : 0L);
    curl_easy_setopt(h, CURLOPT_FORBID_REUSE, c->fresh ? 1L : 0L);
    c->fresh = 0;
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    } else if (strcmp(method, "GET") && strcmp(method, "DELETE")) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    } else {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L); /* no body; resets POST state */
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, strcmp(method, "GET") ? method : NULL);
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &hb);
    double t0 = it_now();
    out->curl_code = (int)curl_easy_perform(h);
    out->seconds = it_now() - t0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
    curl_slist_free_all(list);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    out->body = es_buf_steal(&b, &out->len);
    out->headers = es_buf_steal(&hb, NULL);
    out->json = cJSON_ParseWithLength(out->body, out->len);
}

void it_resp_free(struct it_resp *r)
{
    free(r->body);
    free(r->headers);
    cJSON_Delete(r->json);
    memset(r, 0, sizeof(*r));
}

static const char *find_header(const char *h, const char *name, size_t *vlen)
{
    size_t n = strlen(name);
    for (const char *p = h; p && *p;) {
        const char *eol = strstr(p, "\r\n");
        if (!eol)
            eol = p + strlen(p);
        if ((size_t)(eol - p) > n && !strncasecmp(p, name, n) && p[n] == ':') {
            const char *v = p + n + 1;
            while (*v == ' ')
                v++;
            *vlen = (size_t)(eol - v);
            return v;
        }
        p = *eol ? eol + 2 : eol;
    }
    return NULL;
}

const char *it_header(const struct it_resp *r, const char *name, char *buf, size_t cap)
{
    size_t n;
    const char *v = find_header(r->headers, name, &n);
    if (!v)
        return NULL;
    snprintf(buf, cap, "%.*s", (int)n, v);
    return buf;
}

int it_header_count(const struct it_resp *r, const char *name)
{
    int count = 0;
    size_t n, nl = strlen(name);
    for (const char *p = r->headers; p && *p;) {
        const char *v = find_header(p, name, &n);
        if (!v)
            break;
        count++;
        p = v + n;
        (void)nl;
    }
    return count;
}

const char *it_esc(const char *s)
{
    static char bufs[8][4096];
    static int k;
    char *o = bufs[k++ % 8];
    size_t j = 0;
    for (; *s && j + 4 < sizeof(bufs[0]); s++) {
        unsigned char ch = (unsigned char)*s;
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            strchr("-_.~$,/", ch)) {
            o[j++] = (char)ch;
        } else {
            snprintf(o + j, 4, "%%%02X", ch);
            j += 3;
        }
    }
    o[j] = '\0';
    return o;
}

void it_login(struct it_client *c)
{
    struct it_resp r;
    it_req(c, "POST", "/entity/auth/login",
           "{\"name\":\"admin\",\"password\":\"123\",\"tenant\":\"Company\"}", NULL, &r);
    if (r.status != 204)
        fail_msg("login: HTTP %ld: %s", r.status, r.body);
    it_resp_free(&r);
}

void it_logout(struct it_client *c)
{
    struct it_resp r;
    it_req(c, "POST", "/entity/auth/logout", NULL, NULL, &r);
    assert_int_equal(r.status, 204);
    it_resp_free(&r);
}

long it_oauth(struct it_client *c, const char *scope, struct it_resp *out)
{
    char body[512];
    snprintf(body, sizeof(body),
             "grant_type=password&client_id=%s&client_secret=acusim-secret&username=admin"
             "&password=123&scope=%s",
             it_esc("B8A2C6D4-1F3E-4A5B-9C7D-0E1F2A3B4C5D@Company"), it_esc(scope));
    const char *hdrs[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    it_req(c, "POST", "/identity/connect/token", body, hdrs, out);
    const cJSON *tok = cJSON_GetObjectItem(out->json, "access_token");
    if (out->status == 200 && cJSON_IsString(tok))
        snprintf(c->bearer, sizeof(c->bearer), "%s", tok->valuestring);
    return out->status;
}

void it_get(struct it_client *c, const char *entity_path, struct it_resp *out)
{
    char path[4096];
    snprintf(path, sizeof(path), "/entity/Default/24.200.001/%s", entity_path);
    it_req(c, "GET", path, NULL, NULL, out);
}

void it_put(struct it_client *c, const char *entity_path, const char *body, struct it_resp *out)
{
    char path[4096];
    snprintf(path, sizeof(path), "/entity/Default/24.200.001/%s", entity_path);
    it_req(c, "PUT", path, body, NULL, out);
}

void it_control(struct it_client *c, const char *method, const char *path, const char *body,
                struct it_resp *out)
{
    char p[4096];
    snprintf(p, sizeof(p), "/_sim/%s", path);
    char saved[128];
    memcpy(saved, c->bearer, sizeof(saved));
    c->bearer[0] = '\0';
    it_req(c, method, p, body, NULL, out);
    memcpy(c->bearer, saved, sizeof(saved));
}

const cJSON *it_val(const cJSON *obj, const char *name)
{
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_GetObjectItemCaseSensitive(w, "value");
}

const char *it_str(const cJSON *obj, const char *name)
{
    const cJSON *v = it_val(obj, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

double it_num(const cJSON *obj, const char *name)
{
    const cJSON *v = it_val(obj, name);
    return cJSON_IsNumber(v) ? v->valuedouble : -1e300;
}

/* ---- push receiver ---- */

struct it_receiver {
    struct MHD_Daemon *d;
    pthread_mutex_t mu;
    int fail_first, count;
    char *hdr;
    char *bodies[512];
    char *hvals[512];
};

struct rcv_req {
    struct es_buf body;
};

static enum MHD_Result rcv(void *cls, struct MHD_Connection *con, const char *url,
                           const char *method, const char *version, const char *upload,
                           size_t *upload_size, void **con_cls)
{
    (void)url;
    (void)method;
    (void)version;
    struct it_receiver *r = cls;
    struct rcv_req *q = *con_cls;
    if (!q) {
        q = calloc(1, sizeof(*q));
        es_buf_init(&q->body, 1 << 24);
        *con_cls = q;
        return MHD_YES;
    }
    if (*upload_size) {
        es_buf_add(&q->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&r->mu);
    int i = r->count++;
    if (i < 512) {
        r->bodies[i] = es_buf_steal(&q->body, NULL);
        const char *hv = r->hdr ? MHD_lookup_connection_value(con, MHD_HEADER_KIND, r->hdr) : NULL;
        r->hvals[i] = strdup(hv ? hv : "");
    }
    int fail = i < r->fail_first;
    pthread_mutex_unlock(&r->mu);
    es_buf_dispose(&q->body);
    free(q);
    *con_cls = NULL;
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ok = MHD_queue_response(con, fail ? 500 : 200, resp);
    MHD_destroy_response(resp);
    return ok;
}

struct it_receiver *it_receiver_start(int fail_first, const char *hdr)
{
    struct it_receiver *r = calloc(1, sizeof(*r));
    pthread_mutex_init(&r->mu, NULL);
    r->fail_first = fail_first;
    r->hdr = hdr ? strdup(hdr) : NULL;
    r->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
                            NULL, NULL, rcv, r, MHD_OPTION_END);
    assert_non_null(r->d);
    return r;
}

int it_receiver_port(struct it_receiver *r)
{
    const union MHD_DaemonInfo *i = MHD_get_daemon_info(r->d, MHD_DAEMON_INFO_BIND_PORT);
    return i ? i->port : 0;
}

int it_receiver_wait(struct it_receiver *r, int n, int ms)
{
    double deadline = it_now() + ms / 1000.0;
    for (;;) {
        pthread_mutex_lock(&r->mu);
        int c = r->count;
        pthread_mutex_unlock(&r->mu);
        if (c >= n || it_now() > deadline)
            return c;
        it_sleep_ms(20);
    }
}

const char *it_receiver_body(struct it_receiver *r, int i)
{
    return i < 512 ? r->bodies[i] : NULL;
}

const char *it_receiver_header(struct it_receiver *r, int i)
{
    return i < 512 ? r->hvals[i] : NULL;
}

void it_receiver_stop(struct it_receiver *r)
{
    MHD_stop_daemon(r->d);
    for (int i = 0; i < r->count && i < 512; i++) {
        free(r->bodies[i]);
        free(r->hvals[i]);
    }
    free(r->hdr);
    pthread_mutex_destroy(&r->mu);
    free(r);
}

void it_session_start(struct it_sim *s, struct it_client *c, const char *const *args)
{
    it_sim_start(s, args);
    it_client_init(c, s);
    it_login(c);
}

void it_session_stop(struct it_sim *s, struct it_client *c)
{
    it_logout(c);
    it_client_dispose(c);
    it_sim_stop(s);
}

/* ---- running erpsync ---- */

void it_workdir(char *out, size_t cap)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(out, cap, "%s/erpsync-it-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(out));
}

void it_workdir_remove(const char *dir)
{
    static const char *const files[] = {"erpsync.ini", "erpsync.db", "erpsync.db-wal",
                                        "erpsync.db-shm", "bg.log", "password", NULL};
    char path[600];
    for (int i = 0; files[i]; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

void it_write_config(char *out, size_t cap, const char *dir, const struct it_sim *s,
                     const char *extra)
{
    it_write_config_acu(out, cap, dir, s, NULL, extra);
}

void it_write_config_acu(char *out, size_t cap, const char *dir, const struct it_sim *s,
                         const char *acu_extra, const char *extra)
{
    snprintf(out, cap, "%s/erpsync.ini", dir);
    /* It holds a password: its owner's alone, or erpsync refuses it. */
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    assert_true(fd >= 0 && fchmod(fd, 0600) == 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fprintf(f,
            "[acumatica]\nurl = %s\ntenant = Company\nusername = admin\npassword = 123\n%s\n"
            "[store]\nurl = sqlite:%s/erpsync.db\n\n%s",
            s->base, acu_extra ? acu_extra : "", dir, extra ? extra : "");
    assert_int_equal(fclose(f), 0);
}

static void exec_erpsync(const char *dir, const char *const *args, int outfd)
{
    const char *argv[32];
    int n = 0;
    char cfg[600];
    snprintf(cfg, sizeof(cfg), "%s/erpsync.ini", dir);
    argv[n++] = ERPSYNC_BIN;
    argv[n++] = "-c";
    argv[n++] = cfg;
    for (int i = 0; args && args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(outfd, 1);
    dup2(outfd, 2);
    if (chdir(dir))
        _exit(127);
    execv(ERPSYNC_BIN, (char *const *)argv);
    _exit(127);
}

void it_erpsync(struct it_run *r, const char *dir, const char *const *args, int timeout_s)
{
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    double t0 = it_now();
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fd[0]);
        exec_erpsync(dir, args, fd[1]);
    }
    close(fd[1]);
    struct es_buf b;
    es_buf_init(&b, 16u << 20);
    char chunk[4096];
    for (;;) {
        struct pollfd p = {fd[0], POLLIN, 0};
        if (it_now() - t0 > timeout_s) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            close(fd[0]);
            fail_msg("erpsync did not finish within %d s; output so far:\n%s", timeout_s,
                     b.data ? b.data : "");
        }
        if (poll(&p, 1, 200) <= 0)
            continue;
        ssize_t k = read(fd[0], chunk, sizeof(chunk));
        if (k <= 0)
            break;
        es_buf_add(&b, chunk, (size_t)k);
    }
    close(fd[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    r->out = es_buf_steal(&b, NULL);
    r->seconds = it_now() - t0;
}

void it_run_free(struct it_run *r)
{
    free(r->out);
    r->out = NULL;
}

pid_t it_erpsync_bg(const char *dir, const char *const *args)
{
    char log[600];
    snprintf(log, sizeof(log), "%s/bg.log", dir);
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
    assert_true(fd >= 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        exec_erpsync(dir, args, fd);
    close(fd);
    return pid;
}
