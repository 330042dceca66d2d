# docs/: see the top-level Makefile.am.

# calendar
EXTRA_DIST += docs/calendar.md

# policy
EXTRA_DIST += docs/profiles.md

# obligation engine
EXTRA_DIST += docs/facts.md docs/obligations.md
