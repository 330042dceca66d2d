/* retry.c - capped exponential backoff with decorrelated jitter. */
#include "config.h"

#include <time.h>
#include <unistd.h>

#include "retry.h"

/* xorshift64*: small, fast, good enough for jitter. */
static uint64_t retry_rand(struct cw_retry *r)
{
	r->rng ^= r->rng >> 12;
	r->rng ^= r->rng << 25;
	r->rng ^= r->rng >> 27;
	return r->rng * 0x2545F4914F6CDD1DULL;
}

/* Sets the policy up. */
void cw_retry_init(struct cw_retry *r, int64_t base_ms, int64_t cap_ms, uint64_t seed)
{
	if (seed == 0) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		seed = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 40);
		if (seed == 0)
			seed = 88172645463325252ULL;
	}
	r->rng = seed;
	r->prev_ms = 0;
	r->attempts = 0;
	cw_retry_set(r, base_ms, cap_ms);
}

/* Changes base and cap. */
void cw_retry_set(struct cw_retry *r, int64_t base_ms, int64_t cap_ms)
{
	r->base_ms = base_ms > 0 ? base_ms : 1;
	r->cap_ms = cap_ms >= r->base_ms ? cap_ms : r->base_ms;
}

/* Decorrelated jitter: uniform in [base, 3 * prev], capped. */
int64_t cw_retry_next(struct cw_retry *r)
{
	int64_t hi = r->prev_ms ? r->prev_ms * 3 : r->base_ms;
	int64_t d;

	if (hi > r->cap_ms)
		hi = r->cap_ms;
	if (hi < r->base_ms)
		hi = r->base_ms;
	d = r->base_ms + (int64_t)(retry_rand(r) % (uint64_t)(hi - r->base_ms + 1));
	r->prev_ms = d;
	r->attempts++;
	return d;
}

/* Starts over from the base delay. */
void cw_retry_reset(struct cw_retry *r)
{
	r->prev_ms = 0;
	r->attempts = 0;
}
