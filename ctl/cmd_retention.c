/* cmd_retention.c - `casewatchctl retention explain|preview`: a person's retention, offline, and what a profile change moves. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casewatch/calendar.h"
#include "casewatch/facts.h"
#include "casewatch/policy.h"
#include "casewatch/retention.h"
#include "ctl.h"
#include "evaluate.h"
#include "socket_cmd.h"

/* The help text. */
static void usage(FILE *out)
{
	fprintf(out,
		"usage: casewatchctl retention explain --profile NAME|FILE --facts FILE [--at DATE] [--json]\n"
		"       casewatchctl retention explain --person ID [--json] [--socket PATH]\n"
		"       casewatchctl retention preview --profile FILE --facts FILE [--current NAME|FILE]\n"
		"                                      [--at DATE] [--json]\n"
		"\n"
		"explain: for each person of the facts file (one document as in docs/facts.md,\n"
		"an array of them, or one per line), every retention category that applies,\n"
		"its anchor and the day its period ends, the first day the record may be\n"
		"destroyed and the rule that decides it, the profile's holds that cover the\n"
		"person, and the state (open, kept, incomplete, retained, held, due).\n"
		"Holds placed by records officers live in casewatchd's database and are not\n"
		"applied here; with --person, casewatchd explains the person as it sees them\n"
		"now: its profile, the records, and every hold (placed ones as of its last pass).\n"
		"\n"
		"preview: how the destruction dates of the same persons move under the\n"
		"profile FILE compared with the current profile (by default the installed\n"
		"profile of the same name): how many move earlier or later, how many\n"
		"become due, and which persons.\n"
		"\n"
		"options:\n"
		"  --profile NAME|FILE  the profile (explain: default \"default\")\n"
		"  --facts FILE         the persons' facts (\"-\": standard input)\n"
		"  --current NAME|FILE  preview: the profile to compare with\n"
		"  --person ID          explain: ask casewatchd about this person\n"
		"  --socket PATH        casewatchd's socket (with --person)\n"
		"  --at DATE            the day (YYYY-MM-DD, or a timestamp; default: today in London)\n"
		"  --json               JSON instead of text\n"
		"  --help               this text\n");
}

/* Every JSON value of the file (objects, or arrays of objects), in order;
 * NULL with a message naming the file and offset when one does not parse. */
static json_t *load_docs(const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	json_t *all = json_array();
	char *buf = NULL;
	size_t len = 0, cap = 0, off = 0;

	if (!f) {
		ctl_error("retention: %s: %s", path, strerror(errno));
		json_decref(all);
		return NULL;
	}
	for (;;) {
		size_t n;

		if (len + 65536 > cap) {
			char *b = realloc(buf, cap = (cap ? 2 * cap : 65536) + 65536);

			if (!b)
				break;
			buf = b;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (!n)
			break;
	}
	if (f != stdin)
		fclose(f);
	while (buf && off < len) {
		json_error_t jerr;
		json_t *v;

		while (off < len && strchr(" \t\r\n", buf[off]))
			off++;
		if (off == len)
			break;
		v = json_loadb(buf + off, len - off, JSON_DISABLE_EOF_CHECK, &jerr);
		if (!v) {
			ctl_error("retention: %s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
			json_decref(all);
			free(buf);
			return NULL;
		}
		off += jerr.position;
		if (json_is_array(v))
			json_array_extend(all, v);
		else
			json_array_append(all, v);
		json_decref(v);
	}
	free(buf);
	return all;
}

/* Parses one document; false (with a message naming the document) if it
 * has no usable person. Other defects are printed as notes. */
static bool doc_facts(const char *path, size_t i, const json_t *doc, struct cw_facts *f)
{
	struct cw_error err;

	if (!cw_facts_from_json(doc, f, &err)) {
		ctl_error("retention: %s: document %zu: %s", path, i + 1, err.msg);
		return false;
	}
	for (size_t k = 0; k < f->n_problems; k++) {
		char msg[CW_FACTS_PROBLEM_STRLEN];

		cw_facts_problem_format(f, &f->problems[k], msg);
		fprintf(stderr, "casewatchctl: retention: %s: note: %s\n", path, msg);
	}
	return true;
}

/* A day for text output ("-" for none). */
static const char *dtext(cw_day d, char buf[CW_DAY_STRLEN])
{
	if (d == CW_DAY_NONE)
		return "-";
	cw_day_format(d, buf);
	return buf;
}

/* The anchor of a term in words. */
static void anchor_text(const struct cw_anchor *a, char *buf, size_t n)
{
	static const char *const at[] = { "start", "end", "order date" };
	size_t len;

	switch (a->kind) {
	case CW_ANCHOR_BIRTHDAY:
		if (a->birthday)
			snprintf(buf, n, "birthday %d", a->birthday);
		else
			snprintf(buf, n, "date of birth");
		return;
	case CW_ANCHOR_DEATH:
		snprintf(buf, n, "date of death");
		return;
	case CW_ANCHOR_INVOLVEMENT:
		snprintf(buf, n, "%s of last", at[a->at]);
		for (size_t i = 0; i < a->involvements.n; i++) {
			len = strlen(buf);
			snprintf(buf + len, n - len, "%s%s", i ? "/" : " ", a->involvements.v[i]);
		}
		return;
	case CW_ANCHOR_RECORD:
		snprintf(buf, n, "latest");
		for (size_t i = 0; i < a->records.n; i++) {
			len = strlen(buf);
			snprintf(buf + len, n - len, "%s%s", i ? "/" : " ", a->records.v[i]);
		}
		len = strlen(buf);
		snprintf(buf + len, n - len, " record");
		return;
	default:
		snprintf(buf, n, "?");
	}
}

/* The explanation for people. */
static void explain_text(const struct cw_retention *r, const struct cw_policy *p)
{
	char a[CW_DAY_STRLEN], b[CW_DAY_STRLEN], c[CW_DAY_STRLEN];

	printf("person %lld on %s under %s: %s", (long long)r->person_id, dtext(r->day, a), cw_policy_name(p),
	       cw_retention_state_name(r->state));
	if (r->state == CW_RET_OPEN)
		printf(" (involvement %lld is open)", (long long)r->open_involvement);
	printf("\n");
	if (r->destroy_on != CW_DAY_NONE)
		printf("  may be destroyed from %s (%s)\n", dtext(r->destroy_on, a), r->basis->id);
	else if (r->state == CW_RET_KEPT)
		printf("  never scheduled: %s\n",
		       r->basis ? "kept by a rule casewatch does not schedule" : "no retention rule applies");
	for (size_t i = 0; i < r->n_categories; i++) {
		const struct cw_retention_category *k = &r->categories[i];

		printf("  %s: ", k->rule->id);
		if (!k->scheduled)
			printf("never scheduled here\n");
		else if (k->missing)
			printf("incomplete: %s missing\n", k->missing);
		else
			printf("ends %s%s\n", dtext(k->ends, a),
			       k->n_terms > 1 ? (k->rule->combine_earlier ? " (the earlier)" : " (the later)") : "");
		if (k->variant)
			printf("    instead: %s\n", k->variant->died_before ? "died before the age in the profile"
									  : "every involvement ended with the profile's outcomes");
		for (size_t t = 0; t < k->n_terms; t++) {
			const struct cw_retention_term *x = &k->terms[t];
			char an[160], per[CW_PERIOD_STRLEN];

			anchor_text(&x->keep->anchor, an, sizeof(an));
			cw_period_format(&x->keep->period, per);
			printf("    %s %s + %s = %s\n", an, dtext(x->anchor, b), per, dtext(x->ends, c));
		}
		if (k->rule->words)
			printf("    \"%s\"\n", k->rule->words);
	}
	if (!r->n_holds)
		printf("  holds: none\n");
	for (size_t i = 0; i < r->n_holds_listed; i++) {
		const struct cw_retention_hold *h = &r->holds[i];

		printf("  hold %s", h->source);
		if (h->id != CW_ID_NONE)
			printf(" #%lld", (long long)h->id);
		if (h->request_id != CW_ID_NONE)
			printf(" (access request %lld)", (long long)h->request_id);
		else if (h->event_id != CW_ID_NONE)
			printf(" (request event %lld)", (long long)h->event_id);
		printf(": from %s, %s%s\n", h->starts == CW_DAY_NONE ? "always" : dtext(h->starts, a),
		       h->ends == CW_DAY_NONE ? "no end" : "to ", h->ends == CW_DAY_NONE ? "" : dtext(h->ends, b));
	}
}

/* --at, or today in London. */
static bool parse_day(const char *text, cw_day *out)
{
	cw_time t;

	if (!text) {
		*out = cw_london_day((cw_time)time(NULL));
		return true;
	}
	if (cw_day_parse(text, out))
		return true;
	if (cw_time_parse(text, &t)) {
		*out = cw_london_day(t);
		return true;
	}
	ctl_error("retention: '%s' is not a date (expected YYYY-MM-DD or a timestamp)", text);
	return false;
}

/* Options shared by both subcommands. */
struct opts {
	const char *profile, *facts, *current, *at, *person, *socket;
	bool json;
};

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lopts[] = {
		{ "profile", required_argument, NULL, 'p' }, { "facts", required_argument, NULL, 'f' },
		{ "current", required_argument, NULL, 'c' }, { "at", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },	     { "help", no_argument, NULL, 'h' },
		{ "person", required_argument, NULL, 'P' },  { "socket", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+p:f:c:a:jhP:S:", lopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->profile = optarg;
			break;
		case 'f':
			o->facts = optarg;
			break;
		case 'c':
			o->current = optarg;
			break;
		case 'a':
			o->at = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 'P':
			o->person = optarg;
			break;
		case 'S':
			o->socket = optarg;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			usage(stderr);
			return CTL_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		ctl_error("retention: unexpected argument '%s'", argv[optind]);
		return CTL_EXIT_USAGE;
	}
	if (!o->facts && !o->person) {
		ctl_error("retention: --facts (or, for explain, --person) is required");
		return CTL_EXIT_USAGE;
	}
	if (o->facts && o->person) {
		ctl_error("retention: give --facts or --person, not both");
		return CTL_EXIT_USAGE;
	}
	return CTL_EXIT_OK;
}

/* A member of the daemon's explanation as text ("-" for null). */
static const char *jtext(const json_t *obj, const char *key, char *buf, size_t size)
{
	const json_t *v = json_object_get(obj, key);

	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	}
	return "-";
}

/* casewatchd's explanation (cw_retention_to_json) for people. */
static void explain_json_text(const json_t *x)
{
	char a[32], b[32], c[32];
	const json_t *v, *t;
	size_t i, k;

	printf("person %s on %s: %s\n", jtext(x, "person_id", a, 32), jtext(x, "day", b, 32),
	       jtext(x, "state", c, 32));
	if (json_is_string(json_object_get(x, "destroy_on")))
		printf("  may be destroyed from %s (%s)\n", jtext(x, "destroy_on", a, 32), jtext(x, "basis", b, 32));
	json_array_foreach (json_object_get(x, "categories"), i, v) {
		printf("  %s: ", jtext(v, "rule", a, 32));
		if (json_is_false(json_object_get(v, "scheduled")))
			printf("never scheduled here\n");
		else if (json_is_string(json_object_get(v, "missing")))
			printf("incomplete: %s missing\n", jtext(v, "missing", a, 32));
		else
			printf("ends %s\n", jtext(v, "ends", a, 32));
		json_array_foreach (json_object_get(v, "terms"), k, t)
			printf("    from %s + %s = %s\n", jtext(t, "anchor_day", a, 32), jtext(t, "period", b, 32),
			       jtext(t, "ends", c, 32));
	}
	if (!json_array_size(json_object_get(x, "holds")))
		printf("  holds: none\n");
	json_array_foreach (json_object_get(x, "holds"), i, v)
		printf("  hold %s%s%s: from %s, %s%s\n", jtext(v, "source", a, 32),
		       json_is_integer(json_object_get(v, "id")) ? " #" : "",
		       json_is_integer(json_object_get(v, "id")) ? jtext(v, "id", b, 32) : "",
		       json_is_string(json_object_get(v, "starts")) ? jtext(v, "starts", c, 32) : "always",
		       json_is_string(json_object_get(v, "ends")) ? "to " : "no end",
		       json_is_string(json_object_get(v, "ends")) ? json_string_value(json_object_get(v, "ends")) : "");
}

/* retention explain --person: asked of casewatchd. */
static int explain_person(const struct opts *o)
{
	json_t *reply = NULL;
	int rc = ctl_request("retention", o->socket,
			     json_pack("{s:s,s:s,s:s}", "cmd", "retention", "action", "explain", "person", o->person),
			     &reply);

	if (rc == CTL_EXIT_OK && reply) {
		if (o->json) {
			json_dumpf(json_object_get(reply, "retention"), stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
			putchar('\n');
		} else {
			explain_json_text(json_object_get(reply, "retention"));
		}
	}
	json_decref(reply);
	return rc;
}

/* retention explain. */
static int explain(int argc, char **argv)
{
	struct opts o = { .profile = "default" };
	struct cw_calendar *cal;
	struct cw_policy *p;
	struct cw_retention *r;
	struct cw_error err;
	struct cw_facts f;
	json_t *docs, *doc, *out;
	size_t i;
	cw_day day;
	int rc = parse_opts(argc, argv, &o);

	if (rc)
		return rc < 0 ? CTL_EXIT_OK : rc;
	if (o.person)
		return explain_person(&o);
	if (!parse_day(o.at, &day))
		return CTL_EXIT_USAGE;
	if (!(p = ctl_profile_load(o.profile)))
		return CTL_EXIT_NO;
	if (!(docs = load_docs(o.facts))) {
		cw_policy_free(p);
		return CTL_EXIT_NO;
	}
	cal = cw_calendar_new(NULL, &err);
	r = malloc(sizeof(*r));
	if (!cal || !r) {
		ctl_error("retention: %s", cal ? "out of memory" : err.msg);
		rc = CTL_EXIT_NO;
		goto out;
	}
	out = json_array();
	cw_facts_init(&f);
	json_array_foreach(docs, i, doc) {
		if (!doc_facts(o.facts, i, doc, &f)) {
			rc = CTL_EXIT_NO;
			continue;
		}
		cw_retention_compute(&f, p, NULL, 0, day, cal, r);
		if (o.json)
			json_array_append_new(out, cw_retention_to_json(r));
		else
			explain_text(r, p);
	}
	cw_facts_free(&f);
	if (o.json) {
		/* One person: the object itself; several: an array. */
		json_dumpf(json_array_size(out) == 1 ? json_array_get(out, 0) : out, stdout,
			   JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	}
	json_decref(out);
out:
	free(r);
	cw_calendar_free(cal);
	json_decref(docs);
	cw_policy_free(p);
	return rc;
}

/* How one person's destruction date moved. */
enum move { MOVE_SAME, MOVE_EARLIER, MOVE_LATER, MOVE_SCHEDULED, MOVE_UNSCHEDULED, MOVE_COUNT };
static const char *const move_names[MOVE_COUNT] = { "unchanged", "earlier", "later", "newly_scheduled",
						    "unscheduled" };

static enum move classify(cw_day was, cw_day now)
{
	if (was == now)
		return MOVE_SAME;
	if (was == CW_DAY_NONE)
		return MOVE_SCHEDULED;
	if (now == CW_DAY_NONE)
		return MOVE_UNSCHEDULED;
	return now < was ? MOVE_EARLIER : MOVE_LATER;
}

static json_t *dj(cw_day d)
{
	char buf[CW_DAY_STRLEN];

	if (d == CW_DAY_NONE)
		return json_null();
	cw_day_format(d, buf);
	return json_string(buf);
}

/* retention preview. */
static int preview(int argc, char **argv)
{
	struct opts o = { 0 };
	struct cw_policy *next = NULL, *cur = NULL;
	struct cw_calendar *cal = NULL;
	struct cw_retention *a = NULL, *b = NULL;
	size_t count[MOVE_COUNT] = { 0 }, persons = 0, newly_due = 0, no_longer_due = 0, i;
	json_t *docs = NULL, *doc, *moves = json_array();
	struct cw_error err;
	struct cw_facts f;
	cw_day day;
	int rc = parse_opts(argc, argv, &o);

	if (rc) {
		json_decref(moves);
		return rc < 0 ? CTL_EXIT_OK : rc;
	}
	if (o.person) {
		ctl_error("retention preview: --person is for explain; give --facts");
		json_decref(moves);
		return CTL_EXIT_USAGE;
	}
	if (!o.profile) {
		ctl_error("retention preview: --profile is required (the changed profile)");
		json_decref(moves);
		return CTL_EXIT_USAGE;
	}
	if (!parse_day(o.at, &day)) {
		json_decref(moves);
		return CTL_EXIT_USAGE;
	}
	rc = CTL_EXIT_NO;
	if (!(next = ctl_profile_load(o.profile)))
		goto out;
	/* By default the installed profile the file is a new version of. */
	if (!(cur = ctl_profile_load(o.current ? o.current : cw_policy_name(next))))
		goto out;
	if (!(docs = load_docs(o.facts)))
		goto out;
	cal = cw_calendar_new(NULL, &err);
	a = malloc(sizeof(*a));
	b = malloc(sizeof(*b));
	if (!cal || !a || !b) {
		ctl_error("retention: %s", cal ? "out of memory" : err.msg);
		goto out;
	}
	rc = CTL_EXIT_OK;
	cw_facts_init(&f);
	json_array_foreach(docs, i, doc) {
		enum move m;

		if (!doc_facts(o.facts, i, doc, &f)) {
			rc = CTL_EXIT_NO;
			continue;
		}
		cw_retention_compute(&f, cur, NULL, 0, day, cal, a);
		cw_retention_compute(&f, next, NULL, 0, day, cal, b);
		persons++;
		m = classify(a->destroy_on, b->destroy_on);
		count[m]++;
		newly_due += a->state != CW_RET_DUE && b->state == CW_RET_DUE;
		no_longer_due += a->state == CW_RET_DUE && b->state != CW_RET_DUE;
		if (m != MOVE_SAME || a->state != b->state)
			json_array_append_new(
				moves, json_pack("{s:I,s:s,s:o,s:o,s:o,s:o,s:s,s:s}", "person_id", (json_int_t)f.person_id,
						 "move", move_names[m], "from", dj(a->destroy_on), "to", dj(b->destroy_on),
						 "basis_from", a->basis ? json_string(a->basis->id) : json_null(),
						 "basis_to", b->basis ? json_string(b->basis->id) : json_null(),
						 "state_from", cw_retention_state_name(a->state), "state_to",
						 cw_retention_state_name(b->state)));
	}
	cw_facts_free(&f);
	if (o.json) {
		json_t *x = json_pack("{s:s,s:s,s:o,s:I,s:I,s:I}", "profile", cw_policy_file(next), "current",
				      cw_policy_file(cur), "day", dj(day), "persons", (json_int_t)persons,
				      "newly_due", (json_int_t)newly_due, "no_longer_due",
				      (json_int_t)no_longer_due);

		for (int m = 0; m < MOVE_COUNT; m++)
			json_object_set_new(x, move_names[m], json_integer((json_int_t)count[m]));
		json_object_set(x, "changes", moves);
		json_dumpf(x, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(x);
	} else {
		char d[CW_DAY_STRLEN];
		json_t *mv;

		printf("%s against %s on %s: %zu persons\n", cw_policy_file(next), cw_policy_file(cur),
		       dtext(day, d), persons);
		printf("  destruction date unchanged: %zu\n", count[MOVE_SAME]);
		printf("  earlier (a period shortened): %zu\n", count[MOVE_EARLIER]);
		printf("  later: %zu\n", count[MOVE_LATER]);
		printf("  newly scheduled: %zu\n", count[MOVE_SCHEDULED]);
		printf("  no longer scheduled: %zu\n", count[MOVE_UNSCHEDULED]);
		printf("  due now that were not: %zu\n", newly_due);
		printf("  no longer due: %zu\n", no_longer_due);
		json_array_foreach(moves, i, mv)
			printf("  person %lld: %s -> %s (%s), %s -> %s\n",
			       (long long)json_integer_value(json_object_get(mv, "person_id")),
			       json_is_null(json_object_get(mv, "from")) ? "-"
									: json_string_value(json_object_get(mv, "from")),
			       json_is_null(json_object_get(mv, "to")) ? "-"
								      : json_string_value(json_object_get(mv, "to")),
			       json_string_value(json_object_get(mv, "move")),
			       json_string_value(json_object_get(mv, "state_from")),
			       json_string_value(json_object_get(mv, "state_to")));
	}
out:
	free(a);
	free(b);
	cw_calendar_free(cal);
	json_decref(docs);
	json_decref(moves);
	cw_policy_free(cur);
	cw_policy_free(next);
	return rc;
}

/* Dispatches the subcommand. */
int cmd_retention(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? CTL_EXIT_USAGE : CTL_EXIT_OK;
	}
	if (!strcmp(argv[1], "explain"))
		return explain(argc - 1, argv + 1);
	if (!strcmp(argv[1], "preview"))
		return preview(argc - 1, argv + 1);
	ctl_error("retention: unknown subcommand '%s' (expected explain or preview)", argv[1]);
	return CTL_EXIT_USAGE;
}
