#!/bin/sh
# daemon-dbapi.sh - runs tests/check_db (the async libpq wrapper) against a
# real, throwaway PostgreSQL; check_db prints its own TAP.
. "$CASEWATCH_SRCDIR/tests/pg.sh"
trap pg_destroy EXIT
pg_start || { echo "Bail out! cannot start PostgreSQL"; exit 1; }
"$CASEWATCH_BUILDDIR/tests/check_db"
