#!/bin/sh
# policy-test.sh - casewatchctl policy test and evaluate: every shipped profile's tests pass, failures show a diff.
. "$CASEWATCH_SRCDIR/tests/tap.sh"
ctl="$CASEWATCH_BUILDDIR/ctl/casewatchctl"
src="$CASEWATCH_SRCDIR"
data="$src/tests/data/profile-tests"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One test file per shipped profile, all passing, none with an untested rule.
for p in "$src"/profiles/*.json; do
	name=$(basename "$p" .json)
	ok "policy test: $name has a test file" test -f "$data/$name.test.json"
done
"$ctl" policy test "$data"/*.test.json >"$tmp/out" 2>"$tmp/err"
is "policy test: the shipped profiles' tests pass" "$?" 0
is "policy test: one ok line per file" "$(grep -c ': ok (2 cases, [0-9]* expectations)$' "$tmp/out")" \
	"$(ls "$data"/*.test.json | wc -l)"
is "policy test: every evaluable rule of every shipped profile is tested" "$(cat "$tmp/err")" ""

# CONF-REVIEW is shipped off (003 §5.7 gives no period); a council turns it
# on in a profile extending southwark, next to it, and tests it the same way.
mkdir "$tmp/council"
cp "$src/profiles/default.json" "$src/profiles/southwark.json" "$data"/conf-review/* "$tmp/council/"
"$ctl" policy test "$tmp/council/southwark-conf-review.test.json" >"$tmp/out" 2>"$tmp/err"
is "policy test: CONF-REVIEW in a council's profile passes" "$?" 0
ok "policy test: CONF-REVIEW's cases all checked" \
	grep -Fx "$tmp/council/southwark-conf-review.test.json: ok (2 cases, 3 expectations)" "$tmp/out"
ok "policy test: CONF-REVIEW is tested there" sh -c "! grep -F 'rule CONF-REVIEW' '$tmp/err'"
sed 's/"period": "3m"/"period": "6m"/' "$data/conf-review/southwark-conf-review.json" \
	>"$tmp/council/southwark-conf-review.json"
"$ctl" policy test "$tmp/council/southwark-conf-review.test.json" >"$tmp/out" 2>&1
is "policy test: CONF-REVIEW on a 6-month cycle fails those expectations" "$?" 1

# A wrong due time and state: exit 1 and a diff naming the expectation.
jq '(.cases[0].expect[] | select(.rule == "CV-2WD" and .anchor == "event:104"))
	|= (.due = "2026-03-05T23:59:59+00:00" | .state = "overdue")' \
	"$data/coventry.test.json" >"$tmp/wrong.test.json"
cp "$data/person-4242.json" "$tmp/"
"$ctl" policy test "$tmp/wrong.test.json" >"$tmp/out" 2>&1
is "policy test: a failure exits 1" "$?" 1
ok "policy test: the failure names file, case, instant and rule" \
	grep -F "wrong.test.json: cases[0] at 2026-03-20T12:00:00Z: expect[" "$tmp/out"
ok "policy test: expected state" grep -Fx '  - state: "overdue"' "$tmp/out"
ok "policy test: computed state" grep -Fx '  + state: "escalated"' "$tmp/out"
ok "policy test: expected due" grep -Fx '  - due: "2026-03-05T23:59:59+00:00"' "$tmp/out"
ok "policy test: computed due" grep -Fx '  + due: "2026-03-04T23:59:59+00:00"' "$tmp/out"

# An alert no expectation names, with only_these_alerts; and a rule with no test.
jq 'del(.cases[].expect[] | select(.rule == "PR-RECORDED"))' "$data/coventry.test.json" >"$tmp/fewer.test.json"
"$ctl" policy test "$tmp/fewer.test.json" >"$tmp/out" 2>"$tmp/err"
is "policy test: an unexpected alert fails" "$?" 1
ok "policy test: the unexpected alert shown" grep -F "+ PR-RECORDED person 4242 person:4242 violation" "$tmp/out"
ok "policy test: the rule with no test reported" \
	grep -F "fewer.test.json: rule PR-RECORDED of profile coventry has no test" "$tmp/err"

# An expectation that nothing matches.
jq '.cases[0].expect += [{"person": 4242, "rule": "CV-2WD", "anchor": "event:999", "state": "overdue"}]' \
	"$data/coventry.test.json" >"$tmp/missing.test.json"
"$ctl" policy test "$tmp/missing.test.json" >"$tmp/out" 2>&1
is "policy test: a missing obligation fails" "$?" 1
ok "policy test: the missing obligation shown" grep -Fx "  + none" "$tmp/out"
"$ctl" policy test "$tmp/nonexistent.test.json" >/dev/null 2>&1
is "policy test: an unreadable file fails" "$?" 1
"$ctl" policy test >/dev/null 2>&1
is "policy test: no file is a usage error" "$?" 2

# evaluate: the engine's own output for one person, offline.
"$ctl" evaluate --profile coventry --facts "$data/person-4242.json" --at 2026-03-20T12:00Z >"$tmp/eval.txt"
ok "evaluate: a table line per obligation" \
	grep -E '^4242 +CV-2WD +event:104 +escalated +2026-03-04T23:59:59\+00:00' "$tmp/eval.txt"
"$ctl" evaluate --profile coventry --facts "$data/person-4242.json" --at 2026-03-20T12:00Z --json >"$tmp/eval.json"
is "evaluate --json: as many obligations as table lines" "$(jq length "$tmp/eval.json")" \
	"$(($(wc -l <"$tmp/eval.txt") - 1))"
is "evaluate --json: warn, due, escalations, state" \
	"$(jq -r '.[] | select(.rule == "CV-2WD" and .anchor == "event:104") |
		[.warn, .due, (.escalations | map(.audience) | join(",")), .state, .escalation_level] | join(" ")' "$tmp/eval.json")" \
	"2026-03-03T23:59:59+00:00 2026-03-04T23:59:59+00:00 team_manager,service_manager escalated 2"
is "evaluate --json: a met obligation says by what" \
	"$(jq -r '.[] | select(.rule == "CV-2WD" and .anchor == "event:118") | "\(.met_by.kind) \(.met_by.id) \(.late_by)"' "$tmp/eval.json")" \
	"record 901 0"
"$ctl" evaluate --profile coventry --facts "$data/person-4242.json" >/dev/null 2>&1
is "evaluate: --at is required" "$?" 2
echo '[1]' >"$tmp/bad.json"
"$ctl" evaluate --profile coventry --facts "$tmp/bad.json" --at 2026-03-20 >/dev/null 2>"$tmp/err"
is "evaluate: a bad facts file exits 1" "$?" 1
ok "evaluate: the bad facts file named" grep -F "bad.json[0]: expected a facts document" "$tmp/err"
tap_done
