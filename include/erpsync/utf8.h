/* UTF-8: cutting text without cutting a character (messages quote what
 * came from outside, and a quote cut inside a sequence makes invalid
 * JSON), and checking text before it goes into JSON. */
#ifndef ERPSYNC_UTF8_H
#define ERPSYNC_UTF8_H

#include <stddef.h>

/* The length of the longest prefix of s[0..n) that is at most max bytes
 * and does not end inside a UTF-8 sequence. */
size_t es_utf8_fit(const char *s, size_t n, size_t max);

/* Drop an incomplete UTF-8 sequence from the end of a NUL-terminated
 * string (what a truncating snprintf leaves). */
void es_utf8_trim(char *s);

/* Where s[0..n) stops being well-formed UTF-8 (RFC 3629: no overlong
 * forms, surrogates or code points past U+10FFFF): the offset of the
 * first bad byte, or n when all of it is UTF-8. */
size_t es_utf8_check(const char *s, size_t n);

#endif
