# bench/: see the top-level Makefile.am.

# calendar: `bench/bench_calendar [CALLS [ONE-OFF-FILE]]` (built, not run by make check).
noinst_PROGRAMS += bench/bench_calendar
bench_bench_calendar_SOURCES = bench/bench_calendar.c
bench_bench_calendar_LDADD = $(CASEWATCH_LIBS)

# obligation engine: `bench/bench_obligation [PERSONS [PROFILE-DIR]]` (built, not run by make check).
noinst_PROGRAMS += bench/bench_obligation
bench_bench_obligation_SOURCES = bench/bench_obligation.c bench/bench_person.h bench/bench_person.c
bench_bench_obligation_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
bench_bench_obligation_LDADD = $(CASEWATCH_LIBS)

# retention engine: `bench/bench_retention [PERSONS [PROFILE-DIR]]`: what it adds per person (not run by make check).
noinst_PROGRAMS += bench/bench_retention
bench_bench_retention_SOURCES = bench/bench_retention.c bench/bench_person.h bench/bench_person.c
bench_bench_retention_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
bench_bench_retention_LDADD = $(CASEWATCH_LIBS)

# casewatchd at scale: `bench/daemon.sh [CHILDREN [CHANGED]]` after scripts/build (not run by make check).
EXTRA_DIST += bench/daemon.sh

# what the retention pass adds to a full sweep, southwark with and without its retention rules:
# `bench/retention.sh [CHILDREN [ROUNDS]]` after scripts/build (not run by make check).
EXTRA_DIST += bench/retention.sh

# reading facts, streamed against JSON: `bench/facts-read.sh [CHILDREN [BASE-TREE [PROFILE]]]`
# (needs tests/facts_dump: `make -C build tests/facts_dump`; not run by make check).
EXTRA_DIST += bench/facts-read.sh

# fan-out: `bench/fanout.sh [CHILDREN [SUBSCRIBERS]]`, 100 subscribers reading every transition of a
# first sweep live, then replaying them all, through bench/bench_fanout (not run by make check).
noinst_PROGRAMS += bench/bench_fanout
bench_bench_fanout_SOURCES = bench/bench_fanout.c
EXTRA_DIST += bench/fanout.sh

# change -> subscriber latency with the NOTIFY wake-up: `bench/wakeup.sh [CHILDREN [ROUNDS]]` (not run by make check).
EXTRA_DIST += bench/wakeup.sh

# the store's side of a sweep, reconcile() (JSON) against reconcile_set() (arrays): `bench/reconcile.sh [PAGES]` (not run by make check).
EXTRA_DIST += bench/reconcile.sh

# the store alone, reconcile_set() of this tree against another's (migrations of each), in turns:
# `bench/store-ab.sh BASE-TREE [PAGES [ROUNDS]]` (not run by make check).
EXTRA_DIST += bench/store-ab.sh

# a full sweep of this tree against another's, in turns on one database:
# `bench/sweep-ab.sh CHILDREN BASE-TREE [ROUNDS [PROFILE]]` (not run by make check).
EXTRA_DIST += bench/sweep-ab.sh

# a hand-written SQL report of the default profile's overdue items, and the sweep against it, compared
# item for item: `bench/report.sh CHILDREN` (not run by make check; tests/bench-report.sh runs the comparison).
EXTRA_DIST += bench/report.sql bench/report.sh

# the figures of the runs above, and how they were taken
EXTRA_DIST += bench/RESULTS.md
