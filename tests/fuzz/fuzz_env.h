/* Set-up shared by the fuzz targets: the official OpenAPI schema of one
 * endpoint version with entities bound to it, loaded once per process from
 * LLVMFuzzerInitialize, and the way a target reports a broken invariant.
 * Everything returned lives until the process exits. */
#ifndef FUZZ_ENV_H
#define FUZZ_ENV_H

#include <stddef.h>
#include <stdint.h>

#include "entity.h"
#include "schema.h"

/* Load the schema from $ACUSIM_REFERENCE (else ES_REFERENCE_DIR), endpoint
 * $ACUSIM_FUZZ_ENDPOINT (else 24.200.001), and set a time zone with DST.
 * Exits with a message when that fails: without its schema a target would
 * only exercise the "unknown field" paths. */
void fuzz_env_init(void);

/* The entity of that name bound to the loaded schema; exits when unknown. */
const struct sim_entity *fuzz_entity(const char *name);

/* Interned id of a field name the schema defines; exits when there is none. */
uint32_t fuzz_name(const char *name);

/* 1 when s[0..n) is well-formed UTF-8 (no overlongs, surrogates or code
 * points past U+10FFFF). */
int fuzz_utf8_valid(const char *s, size_t n);

/* Print "fuzz: <message>" and abort, so that libFuzzer keeps the input. */
_Noreturn void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
