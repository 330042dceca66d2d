# lib/: the engine. No I/O of its own beyond reading the files it is given,
# so every part of it is unit-tested fast.
noinst_LIBRARIES += lib/libcasewatch.a
lib_libcasewatch_a_SOURCES = \
	include/casewatch/error.h lib/error.c \
	include/casewatch/calendar.h
# policy profiles, periods, vocabulary, explain
lib_libcasewatch_a_SOURCES += \
	include/casewatch/vocabulary.h lib/vocabulary.c \
	include/casewatch/period.h lib/period.c \
	include/casewatch/policy.h lib/policy_internal.h lib/policy.c lib/policy_rule.c \
	include/casewatch/explain.h lib/explain.c
lib_libcasewatch_a_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
CASEWATCH_LIBS = lib/libcasewatch.a $(JANSSON_LIBS) -lm

# calendar: civil dates, Europe/London time, UK bank holidays, working days.
lib_libcasewatch_a_SOURCES += \
	lib/calendar_int.h lib/day.c lib/london.c lib/holiday_rules.c \
	lib/govuk.c lib/calendar.c

# obligation engine: one person's facts and a profile -> obligations.
lib_libcasewatch_a_SOURCES += \
	include/casewatch/facts.h lib/facts.c \
	include/casewatch/facts_builder.h lib/facts_builder.c \
	include/casewatch/obligation.h lib/obligation_internal.h lib/obligation.c \
	lib/obligation_event.c lib/obligation_recurring.c lib/obligation_content.c \
	lib/obligation_json.c
# what the engine can evaluate with the facts it reads (policy check/show)
lib_libcasewatch_a_SOURCES += include/casewatch/capability.h lib/capability.c

# retention engine: one person's facts, a profile and holds -> retention state.
lib_libcasewatch_a_SOURCES += include/casewatch/retention.h lib/retention.c

# team-level alerts: roll-backs per team and month -> team alerts (ROLLBACK-RATE).
lib_libcasewatch_a_SOURCES += include/casewatch/team_alert.h lib/team_alert.c
