#!/bin/sh
# seeds.sh - the fuzzers' seed corpora, from the files casewatch ships and
# its docs: fuzz/seeds.sh SRCDIR OUTDIR makes OUTDIR/NAME/ for each harness
# (profile, conf, govuk, facts, socket). Inputs that once crashed a harness
# live in fuzz/regress/NAME/ and are added too.
set -eu
src=$1
out=$2
for h in profile conf govuk facts socket; do
	mkdir -p "$out/$h"
done
cp "$src"/profiles/*.json "$src"/tests/data/profiles/*.json "$src"/tests/data/engine/*.json "$out/profile/"
cp "$src/casewatch.conf.example" "$src"/tests/data/conf/*.conf "$out/conf/"
cp "$src/data/holidays/one-off.json" "$src/tests/data/govuk-2025-2026.json" "$out/govuk/"
# Facts documents as records.person_facts() writes them for generated children.
cp "$src"/fuzz/seeds/facts/*.json "$out/facts/"
# Each request line of docs/protocol.md's examples, and each example's
# lines together (the requests a client sends in one go).
n=0
grep -o "'{\"cmd\"[^']*'" "$src/docs/protocol.md" | tr -d "'" | sort -u | while read -r line; do
	n=$((n + 1))
	printf '%s\n' "$line" >"$out/socket/line-$n"
done
grep "^\$ printf '%s\\\\n'" "$src/docs/protocol.md" | while read -r cmd; do
	n=$((n + 1))
	printf '%s\n' "$cmd" | grep -o "'{[^']*'" | tr -d "'" >"$out/socket/example-$n"
done
printf '{"cmd":"hello","protocol":"1.0"}\n{"cmd":"ack","alert":"3","reason":"seen"}\n' >"$out/socket/ack"
printf '{"cmd":"hello","protocol":"1.0"}\n{"cmd":"snooze","filter":{"team":"1"},"until":"2027-01-01T00:00:00Z","reason":"leave"}\n' \
	>"$out/socket/snooze"
for h in profile conf govuk facts socket; do
	[ -d "$src/fuzz/regress/$h" ] && cp "$src/fuzz/regress/$h"/* "$out/$h/" 2>/dev/null
done
exit 0
