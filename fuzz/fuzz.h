/*
 * fuzz.h - what the libFuzzer harnesses share: the entry point libFuzzer
 * (or fuzz/driver.c, which replays saved inputs in `make check`) calls,
 * where the source tree is, and a private directory for inputs that the
 * code under test reads from a file.
 */
#ifndef CASEWATCH_FUZZ_H
#define CASEWATCH_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The source tree: $CASEWATCH_SRCDIR, else the one configured. */
const char *fuzz_srcdir(void);

/* A path under the source tree (static buffer, valid until the next call). */
const char *fuzz_srcpath(const char *rel);

/* Writes the input to NAME in the harness's private directory (made on
 * first use, removed at exit) and returns its path (static). */
const char *fuzz_write(const char *name, const uint8_t *data, size_t size);

/* The private directory itself. */
const char *fuzz_dir(void);

#endif /* CASEWATCH_FUZZ_H */
