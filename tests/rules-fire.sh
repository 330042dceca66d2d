#!/bin/sh
# rules-fire.sh - every rule of every shipped profile that the engine can
# evaluate raises alerts on generated records: casewatchd --once per
# profile on 4,000 generated children, alerts counted per rule (open at
# the reference time, or met late: overdue for a while, so raised by a
# daemon that ran all along; a team-level alert, ROLLBACK-RATE, counts
# like any other: the generator puts roll-backs in the reference's month). Rules
# `policy show` marks as unable to fire are reported (SKIP, with why);
# retention, holds and destruction are the retention engine's. CONF-REVIEW,
# shipped off (003 gives no period), is counted in the profile a council
# would write to turn it on (tests/data/profile-tests/conf-review/).
. "$CASEWATCH_SRCDIR/tests/tap.sh"
. "$CASEWATCH_SRCDIR/tests/pg.sh"
d="$CASEWATCH_BUILDDIR/daemon/casewatchd"
ctl="$CASEWATCH_BUILDDIR/ctl/casewatchctl"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-fire.XXXXXX")
chmod 0755 "$tmp"
cleanup() {
	pg_destroy
	rm -rf "$tmp"
}
trap cleanup EXIT

t0=2026-03-04T09:00:00Z
pg_start || { echo "Bail out! cannot start PostgreSQL"; exit 1; }
pg_generate 4000 0.42 "$t0" || { echo "Bail out! cannot load generated records"; exit 1; }
echo "$t0" >"$tmp/clock"
q() { pg_psql -Atc "$1"; }
# skip_step NAME REASON: a TAP step reported but not run.
skip_step() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}

mkdir "$tmp/council"
cp "$CASEWATCH_SRCDIR/profiles/default.json" "$CASEWATCH_SRCDIR/profiles/southwark.json" \
	"$CASEWATCH_SRCDIR/tests/data/profile-tests/conf-review/southwark-conf-review.json" "$tmp/council/"
for profile in default coventry southwark enfield hull brighton-hove statutory-england southwark-conf-review; do
	dir=$CASEWATCH_SRCDIR/profiles
	only=.
	if [ "$profile" = southwark-conf-review ]; then
		dir=$tmp/council
		only='^CONF-REVIEW	' # southwark's other rules are counted above
	fi
	# A fresh casewatch schema per profile: the daemon migrates it.
	q "DROP SCHEMA IF EXISTS casewatch CASCADE" >/dev/null
	cat >"$tmp/c.conf" <<EOC
[policy]
profile = $profile
profile_dir = $dir
[database]
database = host=$PGHOST port=$PGPORT dbname=$PGDATABASE user=$PGUSER
migrations_dir = $CASEWATCH_SRCDIR/sql/casewatch
[daemon]
test_clock_file = $tmp/clock
[socket]
socket_path = $tmp/cw.sock
socket_group =
[log]
log_target = stderr
log_level = warning
EOC
	"$d" -c "$tmp/c.conf" --once >/dev/null 2>"$tmp/$profile.log"
	is "$profile: casewatchd --once exits 0" "$?" 0
	# Per rule: alerts open now (announced), and obligations met late,
	# each of which a daemon running all along raised while it was overdue.
	q "SELECT rule_id || ' ' || count(*) FILTER (WHERE announced_state IS NOT NULL)
		|| ' ' || count(*) FILTER (WHERE state = 'met_late')
	   FROM casewatch.alert GROUP BY rule_id ORDER BY rule_id" >"$tmp/$profile.counts"
	sed "s/^/# $profile: /" "$tmp/$profile.counts"
	# Every stored anchor names a row of its kind that is the person's
	# (daemon/obligation_batch.c); a person anchor is the person, but for
	# a birthday obligation, whose anchor id is the age.
	q "SELECT a.rule_id || ' ' || a.anchor_kind || ' ' || a.anchor_id FROM casewatch.alert a
	   WHERE a.person_id IS NOT NULL AND NOT coalesce(CASE a.anchor_kind
		WHEN 'person' THEN a.anchor_id = a.person_id OR a.kind = 'obligation'
		WHEN 'event' THEN EXISTS (SELECT FROM records.event x
			WHERE x.event_id = a.anchor_id AND x.person_id = a.person_id)
		WHEN 'involvement' THEN EXISTS (SELECT FROM records.involvement x
			WHERE x.involvement_id = a.anchor_id AND x.person_id = a.person_id)
		WHEN 'hazard' THEN EXISTS (SELECT FROM records.hazard x
			WHERE x.hazard_id = a.anchor_id AND x.person_id = a.person_id)
		WHEN 'record' THEN EXISTS (SELECT FROM records.record x
			WHERE x.record_id = a.anchor_id AND x.person_id = a.person_id)
		WHEN 'deletion' THEN EXISTS (SELECT FROM records.deletion x
			WHERE x.record_id = a.anchor_id AND x.person_id = a.person_id)
		WHEN 'info_sharing' THEN EXISTS (SELECT FROM records.info_sharing x
			WHERE x.sharing_id = a.anchor_id AND x.person_id = a.person_id)
		WHEN 'restricted_access' THEN EXISTS (SELECT FROM records.restricted_access x
			WHERE x.access_id = a.anchor_id AND x.person_id = a.person_id)
		WHEN 'forget_request' THEN EXISTS (SELECT FROM records.forget_request x
			WHERE x.request_id = a.anchor_id AND x.person_id = a.person_id)
	   END, false) ORDER BY 1 LIMIT 5" >"$tmp/$profile.stray"
	is "$profile: every alert's anchor is a row of its kind, the person's" "$(cat "$tmp/$profile.stray")" ""
	"$ctl" policy show --profile "$dir/$profile.json" --json >"$tmp/$profile.json"
	jq -r '.rules[] | select(.evaluated != "elsewhere" and .evaluated != "disabled")
		| [.id, .evaluated, (.evaluated_why // "-")] | @tsv' "$tmp/$profile.json" |
		grep "$only" >"$tmp/$profile.rules"
	while IFS="$(printf '\t')" read -r id evaluated why; do
		open=$(awk -v r="$id" '$1 == r { print $2 }' "$tmp/$profile.counts")
		late=$(awk -v r="$id" '$1 == r { print $3 }' "$tmp/$profile.counts")
		if [ "$evaluated" = never ]; then
			skip_step "$profile: $id" "cannot fire: $why"
			continue
		fi
		ok "$profile: $id raises alerts (${open:-0} open, ${late:-0} met late)" \
			test "$((${open:-0} + ${late:-0}))" -gt 0
	done <"$tmp/$profile.rules"
done
is "southwark-conf-review: CONF-REVIEW was counted" "$(cut -f1 "$tmp/southwark-conf-review.rules")" CONF-REVIEW
tap_done
