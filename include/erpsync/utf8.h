/* Cutting text without cutting a character: messages quote what came from
 * outside, and a quote cut inside a UTF-8 sequence makes invalid JSON. And
 * telling UTF-8 from other bytes. */
#ifndef ERPSYNC_UTF8_H
#define ERPSYNC_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* The length of the longest prefix of s[0..n) that is at most max bytes
 * and does not end inside a UTF-8 sequence. */
size_t es_utf8_fit(const char *s, size_t n, size_t max);

/* Drop an incomplete UTF-8 sequence from the end of a NUL-terminated
 * string (what a truncating snprintf leaves). */
void es_utf8_trim(char *s);

/* The length (1-4) of the well-formed UTF-8 sequence at s[0..n), with its
 * code point in *cp (when not NULL); 0 when s does not start one (a stray
 * continuation, a cut sequence, an overlong form, a surrogate, past
 * U+10FFFF, RFC 3629). */
size_t es_utf8_decode(const char *s, size_t n, uint32_t *cp);

/* Is s[0..n) well-formed UTF-8 (RFC 3629: no overlong forms, no encoded
 * surrogates, nothing past U+10FFFF)? Returns 1, or 0 with *bad_at (when
 * not NULL) set to the offset where the first bad sequence starts. */
int es_utf8_valid(const char *s, size_t n, size_t *bad_at);

#endif
