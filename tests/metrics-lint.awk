# metrics-lint.awk - a strict reader of the Prometheus text exposition
# format (0.0.4), for tests/daemon-metrics.sh, where promtool is not at hand:
#   awk -v allowed="le,kind,..." -f metrics-lint.awk PAGE
# Prints one line per problem and exits 1 on any. Checks: only HELP, TYPE
# and sample lines; names and label names well formed; each family's HELP
# and TYPE once, before its samples, its samples together; counters named
# *_total and never negative; sample names that belong to their family;
# label values properly escaped; no label name outside `allowed`; no series
# twice; histograms with increasing le, cumulative counts that never fall,
# a +Inf bucket equal to _count, and a _sum.
function fail(msg) { print FILENAME ":" NR ": " msg; bad = 1 }
function name_ok(n) { return n ~ /^[a-zA-Z_:][a-zA-Z0-9_:]*$/ }
function value_ok(v) { return v ~ /^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$/ || v ~ /^([-+]Inf|NaN)$/ }
# Parses "{a="x",b="y"}" from s into L (name -> raw value) and the key (without
# le) into KEY; returns 0 when malformed.
function labels(s,    i, c, n, v, st) {
	delete L
	KEY = ""
	if (s == "")
		return 1
	if (substr(s, 1, 1) != "{" || substr(s, length(s), 1) != "}")
		return 0
	s = substr(s, 2, length(s) - 2)
	i = 1
	while (i <= length(s)) {
		n = ""
		while (i <= length(s) && (c = substr(s, i, 1)) != "=") { n = n c; i++ }
		if (!(n ~ /^[a-zA-Z_][a-zA-Z0-9_]*$/) || substr(s, i + 1, 1) != "\"")
			return 0
		i += 2
		v = ""
		st = 0
		while (i <= length(s)) {
			c = substr(s, i, 1)
			if (c == "\\") {
				c = substr(s, i + 1, 1)
				if (c != "\\" && c != "\"" && c != "n")
					return 0
				v = v "\\" c
				i += 2
				continue
			}
			if (c == "\"") { st = 1; i++; break }
			v = v c
			i++
		}
		if (!st || (n in L))
			return 0
		L[n] = v
		if (n != "le")
			KEY = KEY n "=" v ","
		if (i <= length(s)) {
			if (substr(s, i, 1) != ",")
				return 0
			i++
		}
	}
	return 1
}
BEGIN {
	split(allowed, a, ",")
	for (k in a)
		ALLOW[a[k]] = 1
}
/^# HELP / {
	n = $3
	if (!name_ok(n)) fail("bad metric name " n)
	if (n in HELP) fail("HELP for " n " twice")
	if (n in SEEN) fail("HELP for " n " after its samples")
	HELP[n] = 1
	next
}
/^# TYPE / {
	n = $3
	if (NF != 4 || !($4 ~ /^(counter|gauge|histogram|summary|untyped)$/)) fail("bad TYPE line")
	if (n in TYPE) fail("TYPE for " n " twice")
	if (n in SEEN) fail("TYPE for " n " after its samples")
	if (!(n in HELP)) fail("TYPE for " n " before (or without) its HELP")
	if ($4 == "counter" && n !~ /_total$/) fail("counter " n " is not named *_total")
	TYPE[n] = $4
	if (cur != "" && cur != n) DONE[cur] = 1
	cur = n
	next
}
/^#/ { fail("a comment that is neither HELP nor TYPE"); next }
/^$/ { fail("a blank line"); next }
{
	if (NF != 2) { fail("a sample is NAME[{LABELS}] VALUE (a timestamp is not expected)"); next }
	s = $1
	v = $2
	p = index(s, "{")
	name = p ? substr(s, 1, p - 1) : s
	lab = p ? substr(s, p) : ""
	if (!name_ok(name)) { fail("bad sample name " name); next }
	if (!value_ok(v)) fail("bad value " v)
	if (!labels(lab)) { fail("bad labels " lab); next }
	for (k in L)
		if (!(k in ALLOW)) fail("label " k " is not one of the allowed (" allowed ")")
	fam = name
	if (!(fam in TYPE)) {
		fam = name
		sub(/_(bucket|sum|count)$/, "", fam)
		if (!(fam in TYPE) || TYPE[fam] != "histogram") { fail("sample " name " has no TYPE"); next }
	}
	if (fam != cur) fail("sample " name " is not with its family " cur)
	if (fam in DONE) fail("family " fam " continues after another")
	SEEN[fam] = 1
	series = name "{" KEY (("le" in L) ? "le=" L["le"] : "") "}"
	if (series in SERIES) fail("series " series " twice")
	SERIES[series] = 1
	if (TYPE[fam] == "counter" && v + 0 < 0) fail("counter " name " is negative")
	if (TYPE[fam] == "histogram") {
		h = fam "|" KEY
		if (name == fam "_bucket") {
			if (!("le" in L)) { fail("bucket without le"); next }
			if ((h in INF)) fail("bucket after +Inf in " fam)
			if (L["le"] == "+Inf")
				INF[h] = v
			else if ((h in LE) && L["le"] + 0 <= LE[h])
				fail("le " L["le"] " not above " LE[h] " in " fam)
			else
				LE[h] = L["le"] + 0
			if ((h in CUM) && v + 0 < CUM[h]) fail("bucket count falls in " fam " at le " L["le"])
			CUM[h] = v + 0
			HIST[h] = 1
		} else if (name == fam "_count")
			COUNT[h] = v
		else if (name == fam "_sum")
			SUM[h] = v
		else
			fail(name " does not belong to histogram " fam)
	} else if (name != fam)
		fail(name " does not belong to " fam)
}
END {
	for (h in HIST) {
		if (!(h in INF)) { print FILENAME ": histogram " h " has no +Inf bucket"; bad = 1 }
		else if (!(h in COUNT) || INF[h] != COUNT[h]) { print FILENAME ": histogram " h ": +Inf bucket " INF[h] " is not _count " COUNT[h]; bad = 1 }
		if (!(h in SUM)) { print FILENAME ": histogram " h " has no _sum"; bad = 1 }
	}
	exit bad
}
