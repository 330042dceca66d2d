#!/bin/sh
# policy.sh - casewatchctl policy check/show and explain, end to end.
. "$CASEWATCH_SRCDIR/tests/tap.sh"
ctl="$CASEWATCH_BUILDDIR/ctl/casewatchctl"
src="$CASEWATCH_SRCDIR"
data="$src/tests/data/profiles"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Every shipped profile passes, one "ok" line each.
ok "policy check: shipped profiles pass" "$ctl" policy check "$src"/profiles/*.json
"$ctl" policy check "$src/profiles/default.json" >"$tmp/out" 2>&1
is "policy check: ok line names the file and its rules" "$(cat "$tmp/out")" "$src/profiles/default.json: ok (4 rules)"

# A bad file: exit 1, all errors on stderr, one per line.
"$ctl" policy check "$data/bad-semantic.json" "$src/profiles/hull.json" >"$tmp/out" 2>"$tmp/err"
is "policy check: bad file exits 1" "$?" 1
ok "policy check: unknown unit reported with path" \
	grep -F 'bad-semantic.json: rules[0].period.unit: unknown unit "fortnights" (expected h, wd, d, w, m, y)' "$tmp/err"
ok "policy check: duplicate id reported" grep -F 'rules[2].id: duplicate id "BAD-2" (also rules[1])' "$tmp/err"
ok "policy check: unknown audience reported" grep -F 'rules[7].audience: unknown audience "director"' "$tmp/err"
# 16 bad rules (one error each), 3 keys a content rule does not use, nation,
# end_of_day and an unknown top-level key.
is "policy check: every error on its own line" "$(grep -c "bad-semantic.json: " "$tmp/err")" 23
ok "policy check: the good file after it still checked" grep -F "hull.json: ok (6 rules" "$tmp/out"
"$ctl" policy check "$data/bad-syntax.json" 2>"$tmp/err"
is "policy check: syntax error exits 1" "$?" 1
ok "policy check: syntax error has line and column" grep -F "bad-syntax.json:4:18: JSON syntax error" "$tmp/err"
"$ctl" policy check >/dev/null 2>&1
is "policy check: no file is a usage error" "$?" 2

# Issue 12, defect 6: validation is linear in the rules (a scan per rule
# made 20,000 rules take minutes), and errors quote only an excerpt.
jq '.name = "big" | .rules = [range(20000) as $i | (.rules[1] | .id = "R-\($i)")]' \
	"$src/profiles/default.json" >"$tmp/big.json"
t0=$(date +%s%N)
"$ctl" policy check "$tmp/big.json" >"$tmp/out" 2>&1
rc=$?
t1=$(date +%s%N)
echo "# policy check of 20,000 rules: $(((t1 - t0) / 1000000)) ms"
is "policy check: 20,000 rules pass" "$rc $(sed "s|$tmp/||" "$tmp/out")" "0 big.json: ok (20000 rules)"
head -c 300000 /dev/zero | tr '\0' Q >"$tmp/long.txt"
jq --rawfile k "$tmp/long.txt" '.rules[0][$k] = 1 | .rules[1].id = ($k | ascii_downcase) | .[$k] = 2' "$src/profiles/default.json" >"$tmp/long.json"
"$ctl" policy check "$tmp/long.json" >/dev/null 2>"$tmp/err"
is "policy check: 300,000-byte names: exit 1" "$?" 1
is "... three errors" "$(grep -ci QQQQ "$tmp/err")" 3
is "... each quoting 48 bytes of the name, then ..." "$(grep -ci "\"\\{0,1\}Q\\{48\\}\.\.\." "$tmp/err")" 3
ok "... no line longer than 300 bytes" sh -c "! grep -q '.\{300\}' '$tmp/err'"
ok "policy --help" "$ctl" policy --help
ok "explain --help" "$ctl" explain --help

# show: by name through $CASEWATCH_PROFILEDIR, overrides applied.
"$ctl" policy show --profile coventry >"$tmp/show"
ok "policy show: table lists CV-2WD, a general rule" grep -E '^CV-2WD +yes +after_event +all other \([0-9]+ types\) +2wd' "$tmp/show"
ok "policy show: NOTE-5WD disabled by Coventry" grep -E '^NOTE-5WD +no ' "$tmp/show"
"$ctl" policy show --profile enfield --json >"$tmp/show.json"
is "policy show --json: CIN-PLAN-5D keeps its interpretation" \
	"$(jq -r '.rules[] | select(.id == "CIN-PLAN-5D") | .interpretation.days' "$tmp/show.json")" working
is "policy show --json: profile name" "$(jq -r .name "$tmp/show.json")" enfield
"$ctl" policy show --profile "$data/override.json" --json >"$tmp/ov.json"
is "policy show: file path, overridden period" \
	"$(jq -r '.rules[] | select(.id == "T-NOTE-5WD") | .period' "$tmp/ov.json")" 3wd
is "policy show: end_of_day from the file" "$(jq -r .end_of_day "$tmp/ov.json")" 17:00:00
# Enabled rules the engine cannot evaluate with the facts it reads: a
# warning per rule on check (still exit 0), and marked in show.
"$ctl" policy check "$data/unevaluated.json" >"$tmp/out" 2>"$tmp/err"
is "policy check: unevaluable rules are warnings, not errors" "$?" 0
ok "policy check: the ok line counts the warnings" grep -F "unevaluated.json: ok (8 rules, 3 warnings)" "$tmp/out"
ok "policy check: a calendar deadline with no closed-day choice" \
	grep -F 'unevaluated.json: rules[4] (T-CFA-30D): warning: a calendar deadline may fall on a weekend or bank holiday' "$tmp/err"
is "policy check: a stated choice silences it" "$(grep -c 'T-CFA-30D-KEPT' "$tmp/err")" 0
ok "policy check: a check whose facts are missing can never fire" \
	grep -F 'unevaluated.json: rules[0] (T-ROLLBACK): warning: enabled but can never fire: check rollback_rate counts per team only' "$tmp/err"
ok "policy check: a field name the facts do not carry" \
	grep -F 'unevaluated.json: rules[1] (T-SHARE): warning: evaluated only in part: params.fields: field "recipient" is not one the facts carry for information_sharing' "$tmp/err"
is "policy check: disabled and evaluable rules give no warning" "$(grep -c -E 'T-FORGET|T-HAZARD|T-NOTE' "$tmp/err")" 0
"$ctl" policy show --profile "$data/unevaluated.json" >"$tmp/show"
ok "policy show: never marked in ON" grep -E '^T-ROLLBACK +never +content' "$tmp/show"
ok "policy show: part marked in ON" grep -E '^T-SHARE +part +content' "$tmp/show"
ok "policy show: disabled is no" grep -E '^T-FORGET +no +content' "$tmp/show"
ok "policy show: evaluable is yes" grep -E '^T-HAZARD +yes +content' "$tmp/show"
ok "policy show: the reason under the table" grep -F 'never: T-ROLLBACK: check rollback_rate counts per team only' "$tmp/show"
"$ctl" policy show --profile "$data/unevaluated.json" --json >"$tmp/show.json"
is "policy show --json: evaluated per rule" \
	"$(jq -r '[.rules[] | .id + "=" + .evaluated] | join(" ")' "$tmp/show.json")" \
	"T-NOTE-5WD=evaluated T-CP-24H=evaluated T-ROLLBACK=never T-SHARE=partial T-FORGET=disabled T-HAZARD=evaluated T-CFA-30D=evaluated T-CFA-30D-KEPT=evaluated"
"$ctl" policy show --profile "$data/unevaluated.json" --json >"$tmp/show2.json"
is "policy show --json: the profile's own JSON is not changed by the annotation" \
	"$(jq -c '.rules[0] | keys' "$tmp/show2.json")" "$(jq -c '.rules[0] | keys' "$tmp/show.json")"
"$ctl" policy show --profile nonexistent >/dev/null 2>"$tmp/err"
is "policy show: unknown profile exits 1" "$?" 1

# A warning 0 working days before the due date (found by fuzz_profile):
# explain counted from the due day until it met it again, through every
# day an int holds.
jq '.name = "zero" | .rules[1].warn = "0wd"' "$src/profiles/default.json" >"$tmp/zero.json"
"$ctl" explain --profile "$tmp/zero.json" --rule NOTE-5WD --at 2026-11-23T09:00 >"$tmp/zero.txt"
is "explain: a 0wd warning (exit 0)" "$?" 0
ok "... skips no day" grep -qF -- "- warn: 0wd before Monday 2026-11-30 is Monday 2026-11-30, counting working days of england-and-wales" "$tmp/zero.txt"
ok "... and says so" sh -c "grep -A1 -F 'warn: 0wd before' '$tmp/zero.txt' | grep -qF 'no weekend or bank holiday fell in between'"

# explain: text and JSON.
"$ctl" explain --profile enfield --rule NOTE-5WD --at 2026-12-23T15:30 >"$tmp/x.txt"
ok "explain: text names Christmas Day" grep -F "Christmas Day" "$tmp/x.txt"
ok "explain: text has the due time, London time with the zone" grep -E "due: +2027-01-04 23:59:59 GMT" "$tmp/x.txt"
"$ctl" explain --profile enfield --rule NOTE-5WD --at 2026-12-23T15:30 --json >"$tmp/x.json"
is "explain --json: due, in UTC" "$(jq -r .due "$tmp/x.json")" 2027-01-04T23:59:59Z
is "explain --json: warn" "$(jq -r .warn "$tmp/x.json")" 2026-12-31T23:59:59Z
is "explain --json: escalation audiences" "$(jq -r '[.escalations[].audience] | join(",")' "$tmp/x.json")" \
	team_manager,service_manager
is "explain --json: skipped holidays named" \
	"$(jq -r '[.reasoning[] | select(test("bank holiday,"))] | unique | length' "$tmp/x.json")" 3
is "explain --json: source" "$(jq -r .source.document "$tmp/x.json")" 002_a865893a38efb71d.txt
# Scotland keeps 2 January (a Saturday in 2027: substitute Monday 4th), so
# Thursday 31 December + 5 wd is 5, 6, 7, 8, 11 January.
"$ctl" explain --profile default --rule NOTE-5WD --at 2026-12-31T10:00 --nation scotland --json >"$tmp/s.json"
is "explain --nation scotland: due" "$(jq -r .due "$tmp/s.json")" 2027-01-11T23:59:59Z
ok "explain --nation scotland: 2 January named" \
	jq -e '[.reasoning[] | select(test("Monday 2027-01-04: 2nd January"))] | length > 0' "$tmp/s.json"
"$ctl" explain --profile enfield --rule NO-SUCH --at 2026-01-01 >/dev/null 2>&1
is "explain: unknown rule exits 1" "$?" 1
"$ctl" explain --profile enfield --rule NOTE-5WD --at yesterday >/dev/null 2>&1
is "explain: bad timestamp is a usage error" "$?" 2
"$ctl" explain --profile enfield --at 2026-01-01 >/dev/null 2>&1
is "explain: missing --rule is a usage error" "$?" 2
tap_done
