# bench/: see the top-level Makefile.am.

# calendar: `bench/bench_calendar [CALLS [ONE-OFF-FILE]]` (built, not run by make check).
noinst_PROGRAMS += bench/bench_calendar
bench_bench_calendar_SOURCES = bench/bench_calendar.c
bench_bench_calendar_LDADD = $(CASEWATCH_LIBS)
