/* The SQLite backend's files: a new store (and its WAL and shared-memory
 * files) is its owner's alone, whatever the umask; an existing store keeps
 * the mode its owner gave it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "erpsync/err.h"
#include "erpsync/store.h"

struct scratch {
    char dir[256], db[300], url[320];
};

static void scratch_make(struct scratch *t)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(t->dir, sizeof(t->dir), "%s/es-sqlite-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->db, sizeof(t->db), "%s/erpsync.db", t->dir);
    snprintf(t->url, sizeof(t->url), "sqlite:%s", t->db);
}

static void scratch_remove(struct scratch *t)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    char p[320];
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        snprintf(p, sizeof(p), "%s%s", t->db, suffixes[i]);
        unlink(p);
    }
    rmdir(t->dir);
}

/* The mode of DB plus suffix, or -1 when there is no such file. */
static int mode_of(const struct scratch *t, const char *suffix)
{
    char p[320];
    struct stat st;
    snprintf(p, sizeof(p), "%s%s", t->db, suffix);
    return stat(p, &st) ? -1 : (int)(st.st_mode & 07777);
}

/* Open the store and write to it, so the WAL and its index exist. */
static struct es_store *open_and_write(const struct scratch *t)
{
    struct es_store *s = NULL;
    struct es_err err = {0};
    if (es_store_open(&s, t->url, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(es_store_setting_set(s, "probe", "1", &err), 0);
    return s;
}

static void a_new_store_is_private(void **state)
{
    (void)state;
    static const mode_t umasks[] = {022, 002, 0};
    for (size_t i = 0; i < sizeof(umasks) / sizeof(umasks[0]); i++) {
        struct scratch t;
        scratch_make(&t);
        mode_t old = umask(umasks[i]);
        struct es_store *s = open_and_write(&t);
        umask(old);
        print_message("umask %03o\n", (unsigned)umasks[i]);
        assert_int_equal(mode_of(&t, ""), 0600);
        assert_int_equal(mode_of(&t, "-wal"), 0600);
        assert_int_equal(mode_of(&t, "-shm"), 0600);
        es_store_close(s);
        scratch_remove(&t);
    }
}

static void an_existing_store_keeps_its_mode(void **state)
{
    (void)state;
    static const mode_t modes[] = {0640, 0600, 0660};
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        struct scratch t;
        scratch_make(&t);
        es_store_close(open_and_write(&t));
        assert_int_equal(chmod(t.db, modes[i]), 0);
        mode_t old = umask(0);
        struct es_store *s = open_and_write(&t);
        umask(old);
        assert_int_equal(mode_of(&t, ""), (int)modes[i]);
        es_store_close(s);
        assert_int_equal(mode_of(&t, ""), (int)modes[i]);
        scratch_remove(&t);
    }
}

/* A path that cannot be created still says why. */
static void an_unwritable_place_is_an_error(void **state)
{
    (void)state;
    struct es_store *s = NULL;
    struct es_err err = {0};
    assert_int_equal(es_store_open(&s, "sqlite:/nonexistent/dir/erpsync.db", &err), ES_EDB);
    assert_null(s);
    assert_non_null(strstr(err.msg, "/nonexistent/dir/erpsync.db"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_new_store_is_private),
        cmocka_unit_test(an_existing_store_keeps_its_mode),
        cmocka_unit_test(an_unwritable_place_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
