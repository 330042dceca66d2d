/*
 * error.h - the error value every casewatch module reports through.
 *
 * A function that can fail takes a struct cw_error * and fills it with one
 * message that names the thing at fault (file:line, JSON path, record id).
 * The layer that decides what to do logs it, once.
 */
#ifndef CASEWATCH_ERROR_H
#define CASEWATCH_ERROR_H

#include <stdbool.h>

#define CW_ERROR_MAX 1024

struct cw_error {
	char msg[CW_ERROR_MAX];
};

/* What an error message may quote of its input: CW_ERROR_ECHO_MAX bytes,
 * then "...", plus NUL. */
#define CW_ERROR_ECHO_MAX 48
#define CW_ERROR_ECHO_STRLEN (CW_ERROR_ECHO_MAX + 4)

/* A short, printable excerpt of text for an error message to quote
 * (control bytes as '?'; past CW_ERROR_ECHO_MAX bytes cut, with "..."), so
 * a 300,000-byte name is not echoed whole. Returns buf. */
const char *cw_error_echo(const char *text, char buf[CW_ERROR_ECHO_STRLEN]);

/* Sets err's message (printf-style); a NULL err is allowed and ignored.
 * Always returns false, so callers can write `return cw_error_set(...)`. */
bool cw_error_set(struct cw_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prefixes err's existing message with more context ("file.json: ..."). */
bool cw_error_prefix(struct cw_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* CASEWATCH_ERROR_H */
