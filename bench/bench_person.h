/* bench_person.h - what the engine benchmarks share: synthetic persons, a clock, a profile loader. */
#ifndef CASEWATCH_BENCH_PERSON_H
#define CASEWATCH_BENCH_PERSON_H

#include <stdint.h>

#include <jansson.h>

#include "casewatch/calendar.h"
#include "casewatch/policy.h"

/* Wall-clock seconds, monotonic. */
double cw_bench_now_s(void);

/* An ISO timestamp `t` seconds after the epoch, UTC. */
json_t *cw_bench_stamp(cw_time t);

/* One synthetic person: a hazard, `rows` events each answered (mostly on
 * time, some late, some never) by a record, and a few summaries and
 * chronologies, drawn from the deterministic sequence `*x`. The caller
 * adds "involvements", which is what the benchmarks vary. */
json_t *cw_bench_person(int64_t id, int rows, cw_time now, uint32_t *x);

/* A profile by name (from `dir`, NULL for the built-in search path), its
 * load errors printed on stderr; NULL when it does not load. */
struct cw_policy *cw_bench_policy(const char *name, const char *dir);

#endif
