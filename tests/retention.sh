#!/bin/sh
# retention.sh - casewatchctl retention explain and preview, offline, on facts files.
. "$CASEWATCH_SRCDIR/tests/tap.sh"
ctl="$CASEWATCH_BUILDDIR/ctl/casewatchctl"
src="$CASEWATCH_SRCDIR"
data="$src/tests/data/retention"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Test profiles extend shipped ones by name: they sit beside links to them.
for p in default southwark; do ln -s "$src/profiles/$p.json" "$tmp/$p.json"; done
cp "$data/lifted.json" "$data/shorter.json" "$tmp/"

# One person (a CIN child born 2001-03-04) as a single document.
jq '.[0]' "$data/persons.json" >"$tmp/one.json"
"$ctl" retention explain --profile southwark --facts "$tmp/one.json" --at 2026-03-04 --json >"$tmp/x.json"
is "explain --json: state (Southwark's IICSA hold states no end)" "$(jq -r .state "$tmp/x.json")" held
is "explain --json: destroy_on, 25 years from birth" "$(jq -r .destroy_on "$tmp/x.json")" 2026-03-04
is "explain --json: basis" "$(jq -r .basis "$tmp/x.json")" RET-CIN
is "explain --json: holds" "$(jq -r '[.holds[].source] | join(",")' "$tmp/x.json")" HOLD-INQUIRY
is "explain --json: the term's anchor" "$(jq -r '.categories[0].terms[0].anchor_day' "$tmp/x.json")" 2001-03-04
"$ctl" retention explain --profile "$tmp/lifted.json" --facts "$tmp/one.json" --at 2026-03-03 --json >"$tmp/x.json"
is "explain: the day before destroy_on is retained" "$(jq -r .state "$tmp/x.json")" retained
"$ctl" retention explain --profile "$tmp/lifted.json" --facts "$tmp/one.json" --at 2026-03-04 --json >"$tmp/x.json"
is "explain: on destroy_on, with the hold ended, due" "$(jq -r .state "$tmp/x.json")" due
is "explain: holds is an empty array" "$(jq -c .holds "$tmp/x.json")" "[]"

# Several persons: an array out; a missing anchor gives null, not a date.
"$ctl" retention explain --profile "$tmp/lifted.json" --facts "$data/persons.json" --at 2026-03-01 --json >"$tmp/all.json"
is "explain: one result per person" "$(jq length "$tmp/all.json")" 4
is "explain: the leap-day child's CP plan ends 2039-02-28" \
	"$(jq -r '.[] | select(.person_id == 2) | .destroy_on' "$tmp/all.json")" 2039-02-28
is "explain: no date of birth is incomplete" \
	"$(jq -r '.[] | select(.person_id == 3) | [.state, (.destroy_on | tostring), .categories[0].missing] | join(" ")' "$tmp/all.json")" \
	"incomplete null date_of_birth"
is "explain: an open access request holds the record (HOLD-SAR)" \
	"$(jq -r '.[] | select(.person_id == 4) | [.state, .holds[0].source, (.holds[0].event_id | tostring)] | join(" ")' "$tmp/all.json")" \
	"held HOLD-SAR 42"

# Text: the reasoning, with the policy's own words.
"$ctl" retention explain --profile southwark --facts "$tmp/one.json" --at 2026-03-04 >"$tmp/x.txt"
ok "explain text: state line" grep -F "person 1 on 2026-03-04 under southwark: held" "$tmp/x.txt"
ok "explain text: destroy_on and basis" grep -F "may be destroyed from 2026-03-04 (RET-CIN)" "$tmp/x.txt"
ok "explain text: the arithmetic" grep -F "date of birth 2001-03-04 + 25y = 2026-03-04" "$tmp/x.txt"
ok "explain text: the policy's words" grep -F "CHILDREN IN NEED 25 years from the date of birth" "$tmp/x.txt"
ok "explain text: the hold" grep -F "hold HOLD-INQUIRY: from always, no end" "$tmp/x.txt"

# NDJSON works too; bad input is named.
jq -c '.[]' "$data/persons.json" >"$tmp/persons.ndjson"
"$ctl" retention explain --profile southwark --facts "$tmp/persons.ndjson" --at 2026-03-01 --json >"$tmp/nd.json"
is "explain: one document a line" "$(jq length "$tmp/nd.json")" 4
printf '{"person_id": 1, "involvements": [' >"$tmp/bad.json"
"$ctl" retention explain --profile southwark --facts "$tmp/bad.json" 2>"$tmp/err" >/dev/null
is "explain: a broken file exits 1" "$?" 1
ok "explain: the error names the file" grep -F "$tmp/bad.json:" "$tmp/err"
echo '{"kind": "child"}' >"$tmp/noid.json"
"$ctl" retention explain --profile southwark --facts "$tmp/noid.json" 2>"$tmp/err" >/dev/null
is "explain: a document without person_id exits 1" "$?" 1
ok "explain: ... naming the document" grep -F "noid.json: document 1:" "$tmp/err"
"$ctl" retention explain --profile southwark >/dev/null 2>&1
is "explain: no --facts is a usage error" "$?" 2
"$ctl" retention explain --profile southwark --facts "$tmp/one.json" --at yesterday >/dev/null 2>&1
is "explain: a bad --at is a usage error" "$?" 2
ok "retention --help" "$ctl" retention --help

# preview: children in need 25 -> 20 years; the hold ended.
"$ctl" retention preview --profile "$tmp/shorter.json" --current southwark --facts "$data/persons.json" \
	--at 2026-03-01 --json >"$tmp/p.json"
is "preview: persons" "$(jq .persons "$tmp/p.json")" 4
is "preview: two CIN dates move earlier (persons 1 and 4)" "$(jq .earlier "$tmp/p.json")" 2
is "preview: the others do not move" "$(jq .unchanged "$tmp/p.json")" 2
is "preview: person 1 moves five years" \
	"$(jq -r '.changes[] | select(.person_id == 1) | [.from, .to, .state_from, .state_to] | join(" ")' "$tmp/p.json")" \
	"2026-03-04 2021-03-04 retained due"
is "preview: two become due now (1: the shorter period; 4: the hold ended)" "$(jq .newly_due "$tmp/p.json")" 2
"$ctl" retention preview --profile "$tmp/shorter.json" --current southwark --facts "$data/persons.json" \
	--at 2026-03-01 >"$tmp/p.txt"
ok "preview text: earlier count" grep -F "earlier (a period shortened): 2" "$tmp/p.txt"
ok "preview text: the person" grep -F "person 1: 2026-03-04 -> 2021-03-04 (earlier), retained -> due" "$tmp/p.txt"
# By default the current profile is the installed one of the same name.
"$ctl" retention preview --profile "$src/profiles/southwark.json" --facts "$data/persons.json" --json >"$tmp/p.json"
is "preview: a profile against itself moves nothing" "$(jq -c '[.earlier, .later, (.changes | length)]' "$tmp/p.json")" "[0,0,0]"
tap_done
