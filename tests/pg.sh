# pg.sh - a throwaway PostgreSQL server for tests and the demo.
#
# Source it, then:
#   pg_start          start a private cluster in a temporary directory; exports
#                     PGHOST PGPORT PGUSER PGDATABASE (Unix socket only, no TCP)
#   pg_stop           stop it (fast); pg_kill stops it with SIGKILL
#   pg_restart        stop and start it again, same data
#   pg_destroy        stop it and remove the directory
#   pg_psql ARGS      psql against it, quiet, stopping on the first error
#   pg_load_records DB CHILDREN SEED REFERENCE
#                     the records interface with generated children dated
#                     around REFERENCE, in DB (scripts/records-db)
#   pg_generate CHILDREN SEED REFERENCE
#                     the same in $PGDATABASE straight from sql/records
#                     (interface, facts, generate.sql, records.generate)
# initdb refuses to run as root, so as root the server runs as "postgres".
# CW_PG_KEEP=1 keeps the directory after pg_destroy, for a post-mortem.

pg_bindir() {
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		[ -x "$d/initdb" ] && { echo "$d"; return 0; }
	done
	command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
	echo "pg.sh: no PostgreSQL server found (apt-get install postgresql)" >&2
	return 1
}

pg_as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		# From /: postgres may not enter the caller's folder (a clone under /root).
		(cd / && runuser -u postgres -- "$@")
	else
		"$@"
	fi
}

pg_start() {
	CW_PG_BIN=$(pg_bindir) || return 1
	CW_PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/casewatch-pg.XXXXXX") || return 1
	[ "$(id -u)" -eq 0 ] && chown postgres "$CW_PG_DIR"
	chmod 0755 "$CW_PG_DIR"
	pg_as_owner "$CW_PG_BIN/initdb" -D "$CW_PG_DIR/data" -U postgres --auth=trust \
		--encoding=UTF8 --locale=C.UTF-8 >"$CW_PG_DIR/initdb.log" 2>&1 || {
		cat "$CW_PG_DIR/initdb.log" >&2
		return 1
	}
	export CW_PG_BIN CW_PG_DIR
	export PGHOST="$CW_PG_DIR" PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
	pg_run_server
}

pg_run_server() {
	pg_as_owner "$CW_PG_BIN/pg_ctl" -D "$CW_PG_DIR/data" -l "$CW_PG_DIR/server.log" -w -t 60 \
		-o "-k $CW_PG_DIR -p $PGPORT -c listen_addresses='' -c fsync=off -c full_page_writes=off" \
		start >/dev/null || {
		tail -20 "$CW_PG_DIR/server.log" >&2
		return 1
	}
}

pg_stop() {
	[ -n "${CW_PG_DIR:-}" ] || return 0
	pg_as_owner "$CW_PG_BIN/pg_ctl" -D "$CW_PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
}

pg_kill() {
	pid=$(head -1 "$CW_PG_DIR/data/postmaster.pid" 2>/dev/null) || return 0
	kill -9 "$pid" 2>/dev/null || true
	while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
}

pg_restart() {
	pg_stop
	pg_run_server
}

pg_destroy() {
	[ -n "${CW_PG_DIR:-}" ] || return 0
	pg_stop
	if [ "${CW_PG_KEEP:-0}" = 1 ]; then
		echo "pg.sh: kept $CW_PG_DIR" >&2
	else
		rm -rf "$CW_PG_DIR"
	fi
	unset CW_PG_DIR
}

pg_psql() {
	psql -X -q -v ON_ERROR_STOP=1 "$@"
}

pg_load_records() {
	CASEWATCH_SQLDIR="$CASEWATCH_SRCDIR/sql/records" "$CASEWATCH_SRCDIR/scripts/records-db" \
		load "$1" --children "$2" --seed "$3" --reference "$4" >/dev/null
}

pg_generate() {
	for f in interface facts generate; do
		pg_psql -f "$CASEWATCH_SRCDIR/sql/records/$f.sql" >/dev/null || { echo "cannot load $f.sql" >&2; return 1; }
	done
	pg_psql -c "SELECT * FROM records.generate($1, $2, '$3')" >/dev/null
}
