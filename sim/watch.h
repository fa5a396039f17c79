/* A deadline for request headers: a connection must send a whole request
 * header within the timeout of being opened, or of getting its previous
 * answer. A client that sends nothing, or trickles bytes so that it is never
 * idle (slowloris), holds a thread of the server; past the deadline its
 * socket is shut down, and the server's thread for it sees the end and goes.
 *
 * The watch owns its entries; the server reports each connection's steps
 * from its own threads. */
#ifndef SIM_WATCH_H
#define SIM_WATCH_H

struct sim_watch;
struct sim_watch_conn;

/* Start watching with that timeout (ms, > 0); a thread checks the
 * deadlines. Returns NULL when the thread cannot start. */
struct sim_watch *sim_watch_new(long timeout_ms);
/* Stop the thread and free what is left. Accepts NULL. */
void sim_watch_free(struct sim_watch *w);

/* A new connection on socket fd, waiting for headers from now. */
struct sim_watch_conn *sim_watch_open(struct sim_watch *w, int fd);
/* Its request headers have arrived: no deadline while it is handled. */
void sim_watch_busy(struct sim_watch *w, struct sim_watch_conn *c);
/* Its answer is sent: the deadline for the next headers runs from now. */
void sim_watch_idle(struct sim_watch *w, struct sim_watch_conn *c);
/* It is closing (before its socket is closed): forget it. Accepts NULL. */
void sim_watch_close(struct sim_watch *w, struct sim_watch_conn *c);

#endif
