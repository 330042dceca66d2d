#!/bin/sh
# fuzz-regress.sh - each fuzz harness, built with the ordinary compiler
# (and with the sanitizers in their build), replays its seed corpus (the
# shipped profiles, configuration, holiday files, facts and the protocol's
# examples: fuzz/seeds.sh) and every input that once crashed it
# (fuzz/regress/NAME/). libFuzzer itself runs in scripts/fuzz.
. "$CASEWATCH_SRCDIR/tests/tap.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-fuzzreg.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$CASEWATCH_SRCDIR/fuzz/seeds.sh" "$CASEWATCH_SRCDIR" "$tmp/seeds" || { echo "Bail out! fuzz/seeds.sh"; exit 1; }
for h in profile conf govuk facts socket; do
	n=$(ls "$tmp/seeds/$h" | wc -l)
	ok "fuzz_$h replays its $n seeds and saved crashes" \
		"$CASEWATCH_BUILDDIR/fuzz/fuzz_$h" "$tmp/seeds/$h"
done
tap_done
