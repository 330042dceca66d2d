/*
 * retry.h - the reconnect policy: capped exponential backoff with
 * decorrelated jitter (each delay is uniform in [base, 3 x previous],
 * never above the cap), so many daemons do not reconnect in step.
 */
#ifndef CASEWATCH_DAEMON_RETRY_H
#define CASEWATCH_DAEMON_RETRY_H

#include <stdint.h>

struct cw_retry {
	int64_t base_ms;
	int64_t cap_ms;
	int64_t prev_ms;   /* the last delay, 0 before the first */
	unsigned attempts; /* delays handed out since the last reset */
	uint64_t rng;	   /* xorshift64* state */
};

/* Sets the policy up; seed 0 picks one from the clock and pid. */
void cw_retry_init(struct cw_retry *r, int64_t base_ms, int64_t cap_ms, uint64_t seed);
/* Changes base and cap (on reload) without losing the attempt count. */
void cw_retry_set(struct cw_retry *r, int64_t base_ms, int64_t cap_ms);
/* The delay before the next attempt, in ms. */
int64_t cw_retry_next(struct cw_retry *r);
/* Back to the first delay (after a success). */
void cw_retry_reset(struct cw_retry *r);

#endif /* CASEWATCH_DAEMON_RETRY_H */
