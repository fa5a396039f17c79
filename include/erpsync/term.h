/* Text from outside made safe to print on a terminal. ERP messages, the
 * application's rows and configuration values can hold escape sequences
 * that clear the screen, retitle the window or fake other output; printed
 * through here they show as text instead. C0 controls and DEL become \xNN
 * (\n, \r and \t as such), C1 controls and bidirectional overrides \uNNNN,
 * and every byte that is not part of well-formed UTF-8 \xNN. All other
 * text, UTF-8 included, is kept as it is; a backslash is not doubled, so
 * the result is for reading, not for parsing back. */
#ifndef ERPSYNC_TERM_H
#define ERPSYNC_TERM_H

#include <stddef.h>
#include <stdio.h>

#include "erpsync/buf.h"

/* Append s[0..n) made safe to out. 0, or ES_ETOOBIG when out's cap is
 * reached (out then ends after the last whole character or escape). */
int es_term_escape(struct es_buf *out, const char *s, size_t n);

/* Write the NUL-terminated s made safe to f; NULL writes nothing. */
void es_term_fputs(const char *s, FILE *f);

#endif
