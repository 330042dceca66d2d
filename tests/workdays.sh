#!/bin/sh
# workdays.sh - `casewatchctl workdays` end to end: output, options, exit codes.
. "$CASEWATCH_SRCDIR/tests/tap.sh"

ctl=$CASEWATCH_BUILDDIR/ctl/casewatchctl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run ARGS...: stdout in $out, stderr in $tmp/err, exit status in $rc
run() {
	out=$("$ctl" workdays "$@" 2>"$tmp/err")
	rc=$?
}

run add 2025-12-23 5
is "add 2025-12-23 5 (Christmas, Boxing Day, New Year's Day)" "$out" "2026-01-02"
is "add exits 0" "$rc" 0
run add 2026-01-02 -5
is "add with a negative count" "$out" "2025-12-23"
run add 2025-12-23 5 --nation scotland
is "add in Scotland (2 January too)" "$out" "2026-01-05"
run --nation=scotland add 2025-12-23 5
is "options before the positionals" "$out" "2026-01-05"
run add 2025-12-27 0
is "add 0 returns the date" "$out" "2025-12-27"

run between 2025-12-23 2026-01-02
is "between" "$out" "5"
run between 2026-01-02 2025-12-23
is "between backwards is negative" "$out" "-5"
run between 2025-12-23 2026-01-02 --nation scotland
is "between in Scotland" "$out" "4"

run is 2025-12-25
is "is: Christmas Day" "$out" "2025-12-25 is not a working day in england-and-wales: Christmas Day"
is "is: a holiday exits 1" "$rc" 1
run is 2025-12-27
is "is: a Saturday" "$out" "2025-12-27 is not a working day in england-and-wales: weekend (Saturday)"
is "is: a weekend exits 1" "$rc" 1
run is 2025-12-23
is "is: a working day" "$out" "2025-12-23 is a working day in england-and-wales"
is "is: a working day exits 0" "$rc" 0
run is 2025-03-17 --nation northern-ireland
is "is: St Patrick's Day in NI" "$out" "2025-03-17 is not a working day in northern-ireland: St Patrick’s Day"
run is 2025-03-17
is "is: 17 March in England" "$rc" 0

# A GOV.UK file that adds a day to 2025 (and so replaces 2025's list).
cat >"$tmp/good.json" <<'JSON'
{"england-and-wales": {"division": "england-and-wales", "events": [
  {"title": "Christmas Day", "date": "2025-12-25", "notes": "", "bunting": true},
  {"title": "Company day", "date": "2025-12-24", "notes": "", "bunting": true}
]}}
JSON
run is 2025-12-24 --holidays "$tmp/good.json"
is "--holidays: a listed day" "$out" "2025-12-24 is not a working day in england-and-wales: Company day"
run is 2025-12-26 --holidays "$tmp/good.json"
is "--holidays: the file's year replaces the rules' year" "$rc" 0
run add 2025-12-23 5 --holidays "$CASEWATCH_SRCDIR/tests/data/govuk-2025-2026.json"
is "--holidays with GOV.UK's own lists" "$out" "2026-01-02"

printf '{"scotland": {"events": [{"title": "x", "date": "2025-02-30"}]}}\n' >"$tmp/bad.json"
run is 2025-12-24 --holidays "$tmp/bad.json"
is "--holidays: a bad file exits 1" "$rc" 1
is "--holidays: a bad file says what is wrong" "$(cat "$tmp/err")" \
	"casewatchctl: $tmp/bad.json: scotland.events[0].date: \"2025-02-30\" is not a valid date"
is "--holidays: nothing on stdout" "$out" ""
run is 2025-12-24 --holidays "$tmp/missing.json"
is "--holidays: a missing file exits 1" "$rc" 1

# Issue 12: results outside 0001-01-01..9999-12-31 wrapped the year.
run add 9999-12-30 5
is "add past 9999-12-31 exits 1" "$rc" 1
is "... says why" "$(cat "$tmp/err")" \
	"casewatchctl: 9999-12-30 plus 5 working days falls after 9999-12-31 (dates run from 0001-01-01 to 9999-12-31)"
is "... and prints no date" "$out" ""
run add 0001-01-03 -5
is "add before 0001-01-01 exits 1" "$rc" 1
is "... says why" "$(cat "$tmp/err")" \
	"casewatchctl: 0001-01-03 minus 5 working days falls before 0001-01-01 (dates run from 0001-01-01 to 9999-12-31)"
run add 9999-12-30 1
is "add up to 9999-12-31 still works" "$out" "9999-12-31"

run add 2025-12-23
is "too few arguments exits 2" "$rc" 2
ok "usage goes to stderr" grep -q '^usage: casewatchctl workdays' "$tmp/err"
run add 2025-12-32 5
is "a bad date exits 2" "$rc" 2
run add 2025-12-23 five
is "a bad count exits 2" "$rc" 2
run is 2025-12-23 --nation wales
is "an unknown nation exits 2" "$rc" 2
run frobnicate 2025-12-23
is "an unknown subcommand exits 2" "$rc" 2
run is 2025-12-23 --bogus
is "an unknown option exits 2" "$rc" 2
run is 2025-12-23 --nation
is "an option without its value exits 2" "$rc" 2
run
is "no subcommand exits 2" "$rc" 2
run --help
is "--help exits 0" "$rc" 0
ok "--help prints usage on stdout" sh -c 'printf "%s\n" "$1" | grep -q "^usage: casewatchctl workdays add DATE N"' sh "$out"

tap_done
