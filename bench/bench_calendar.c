/* bench_calendar.c - calls per second of the working-day arithmetic. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "casewatch/calendar.h"

/* Wall-clock seconds, monotonic. */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Times `calls` calls over pseudo-random dates in 1990-2060 and counts of
 * -400..400 working days, for each nation in turn. */
int main(int argc, char **argv)
{
	long calls = argc > 1 ? atol(argv[1]) : 5000000;
	struct cw_error err;
	struct cw_calendar *cal = cw_calendar_new(argc > 2 ? argv[2] : NULL, &err);
	cw_day base = cw_day_from_ymd(1990, 1, 1);
	unsigned long sink = 0;
	uint32_t x = 12345;
	double t0, t1;

	if (!cal) {
		fprintf(stderr, "bench_calendar: %s\n", err.msg);
		return 1;
	}
	t0 = now();
	for (long i = 0; i < calls; i++) {
		x = x * 1664525u + 1013904223u;
		sink += (unsigned long)cw_calendar_add_workdays(cal, (enum cw_nation)(i % CW_NATION_COUNT),
								 base + (cw_day)(x >> 16) % 25567,
								 (int)(x % 801) - 400);
	}
	t1 = now();
	printf("add_workdays:     %.0f calls/s\n", (double)calls / (t1 - t0));
	t0 = now();
	for (long i = 0; i < calls; i++) {
		x = x * 1664525u + 1013904223u;
		cw_day a = base + (cw_day)(x >> 16) % 25567;

		sink += (unsigned long)cw_calendar_workdays_between(cal, (enum cw_nation)(i % CW_NATION_COUNT),
								    a, a + (cw_day)(x % 600));
	}
	t1 = now();
	printf("workdays_between: %.0f calls/s\n", (double)calls / (t1 - t0));
	printf("(checksum %lu)\n", sink);
	cw_calendar_free(cal);
	return 0;
}
