/* Printing text that came from outside: every command prints columns and
 * messages through cli_v, so none reaches the terminal raw. */
#include <string.h>

#include "cli.h"
#include "erpsync/buf.h"
#include "erpsync/term.h"

#define RING 16 /* results of cli_v alive at once: a printf's arguments */

const char *cli_v(const char *s)
{
    static struct es_buf ring[RING]; /* the program's whole life */
    static unsigned next;
    if (!s)
        return "";
    struct es_buf *b = &ring[next++ % RING];
    es_buf_reset(b);
    if (es_term_escape(b, s, strlen(s)) || !b->data)
        return "";
    return b->data;
}
