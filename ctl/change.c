/* change.c - what `casewatchctl ack`, `snooze`, `unack` and `unsnooze` share: the target, the request, what changed. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casewatch/calendar.h"
#include "ctl.h"
#include "socket_cmd.h"

/* The help text of ack and snooze, or of their undoing. */
static void usage(FILE *out, bool snooze, bool undo)
{
	if (undo)
		fprintf(out, "usage: casewatchctl %s (--alert ID... | FILTERS) [--dry-run] [--json] [--socket PATH]\n"
			     "\n"
			     "%s\n",
			snooze ? "unsnooze" : "unack",
			snooze ? "Ends the snooze of open alerts now: an escalation it held back is announced\n"
				 "at the daemon's next pass."
			       : "Takes back the acknowledgement of open alerts: they show as not yet seen.");
	else if (snooze)
		fprintf(out, "usage: casewatchctl snooze (--alert ID... | FILTERS) --until TIME --reason CODE\n"
			     "                           [--dry-run] [--json] [--socket PATH]\n"
			     "\n"
			     "Holds back the escalation of open alerts until TIME: no escalation is\n"
			     "announced before then, and when the snooze ends the alert is announced at\n"
			     "the state it has reached (docs/lifecycle.md). Resolution is never held.\n");
	else
		fprintf(out, "usage: casewatchctl ack (--alert ID... | FILTERS) [--reason CODE]\n"
			     "                        [--dry-run] [--json] [--socket PATH]\n"
			     "\n"
			     "Acknowledges open alerts: you have seen them. Acknowledging holds nothing\n"
			     "back: an alert still escalates when its time comes, and escalating clears the\n"
			     "acknowledgement so the next audience sees it (docs/lifecycle.md).\n");
	fprintf(out, "\n"
		     "Each change is stored and audited with your user name, and becomes a\n"
		     "transition that subscribers receive. Only root and the users and groups\n"
		     "allowed in casewatch.conf (admin_users, admin_groups) may change alerts.\n"
		     "Exit status 1 when an alert id given is unknown or not open.\n"
		     "\n"
		     "target (one of):\n"
		     "  --alert ID         an alert id (repeat for several)\n"
		     "  FILTERS            every open alert they select (at least one):\n" CTL_FILTER_HELP CTL_STATE_HELP
		     "\n"
		     "options:\n"
		     "%s"
		     "%s%s"
		     "  --dry-run          list the alerts that would be selected, change nothing\n"
		     "  --json             the daemon's reply as JSON\n" CTL_SOCKET_HELP
		     "  --help             this text\n",
		snooze && !undo ? "  --until TIME       2026-12-01T17:00 (London time), or with Z or an offset\n" : "",
		undo ? "" : "  --reason CODE      why, as a code: lower-case letters, digits and _ (never free text)",
		undo ? "" : snooze ? "; required\n" : "\n");
}

/* A reason code as the protocol has it: a lower-case letter, then letters, digits and _; at most 64. */
static bool is_code(const char *s)
{
	size_t n = strlen(s);

	return s[0] >= 'a' && s[0] <= 'z' && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n && n <= 64;
}

/* Prints "label: 1042 1043" when ids is not empty. */
static void print_ids(const char *label, const json_t *ids)
{
	size_t i;
	json_t *v;

	if (!json_array_size(ids))
		return;
	printf("%s:", label);
	json_array_foreach (ids, i, v)
		printf(" %s", json_string_value(v));
	printf("\n");
}

/* True when the array of strings holds s. */
static bool holds(const json_t *ids, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach (ids, i, v)
		if (!strcmp(json_string_value(v), s))
			return true;
	return false;
}

/* --dry-run: the open alerts (an alerts reply) the target selects, listed; nothing changes. */
static void print_dry_run(const char *verb, const json_t *reply, const json_t *ids, bool as_json)
{
	json_t *a, *keep = json_array();
	size_t i;

	json_array_foreach (json_object_get(reply, "alerts"), i, a) {
		const char *id = ctl_member(a, "alert_id", "");

		if (!ids || holds(ids, id))
			json_array_append_new(keep, json_string(id));
	}
	if (as_json) {
		json_t *out = json_pack("{s:b, s:O}", "dry_run", 1, "selected", keep);

		json_dumpf(out, stdout, JSON_COMPACT);
		fputc('\n', stdout);
		json_decref(out);
	} else {
		printf("%s would select %zu open alert%s\n", verb, json_array_size(keep),
		       json_array_size(keep) == 1 ? "" : "s");
		print_ids("selected", keep);
	}
	json_decref(keep);
}

/* What the daemon changed, for people; CTL_EXIT_NO when some ids were unknown. */
static int print_changed(const json_t *reply, const char *verb, bool as_json)
{
	static const struct {
		const char *verb, *done, *unchanged;
	} words[] = {
		{ "ack", "acknowledged", "already acknowledged, left as they were" },
		{ "snooze", "snoozed", "already snoozed until then, left as they were" },
		{ "unack", "unacknowledged", "not acknowledged, left as they were" },
		{ "unsnooze", "unsnoozed", "not snoozed, left as they were" },
	};
	size_t w = 0;
	const json_t *unknown = json_object_get(reply, "unknown");
	size_t n = json_array_size(json_object_get(reply, "changed"));

	while (w < 3 && strcmp(words[w].verb, verb))
		w++;

	if (as_json) {
		ctl_print_reply((json_t *)reply, false);
	} else {
		printf("%s %zu alert%s\n", words[w].done, n, n == 1 ? "" : "s");
		print_ids("changed", json_object_get(reply, "changed"));
		print_ids(words[w].unchanged, json_object_get(reply, "unchanged"));
	}
	if (!json_array_size(unknown))
		return CTL_EXIT_OK;
	ctl_error("%s: %zu alert id%s not open or unknown (casewatchctl alerts lists the open ones)",
		  verb, json_array_size(unknown), json_array_size(unknown) == 1 ? " is" : "s are");
	if (!as_json)
		print_ids("not open or unknown", unknown);
	return CTL_EXIT_NO;
}

/* The request: the target, the reason, and for snooze the end as UTC. */
static json_t *change_request(const char *verb, const json_t *ids, const json_t *filter, const char *reason,
			      const char *until)
{
	json_t *req = json_pack("{s:s}", "cmd", verb);

	if (ids)
		json_object_set(req, "alerts", (json_t *)ids);
	else
		json_object_set(req, "filter", (json_t *)filter);
	if (reason)
		json_object_set_new(req, "reason", json_string(reason));
	if (until)
		json_object_set_new(req, "until", json_string(until));
	return req;
}

/* "...Z" for --until given in any form cw_time_parse takes; false when it is none. */
static bool until_utc(const char *text, char out[CW_TIME_UTC_STRLEN])
{
	cw_time t;

	return cw_time_parse(text, &t) && cw_time_format_utc(t, out);
}

/* What ack, snooze and their undoing were told, besides the filters. */
struct change_opts {
	const char *verb;
	bool snooze, undo, dry, json;
	json_t *ids; /* --alert ids, or NULL */
	const char *reason, *until;
};

/* The help text for ctl_parse. */
static void change_usage(FILE *out, void *ctx)
{
	usage(out, ((struct change_opts *)ctx)->snooze, ((struct change_opts *)ctx)->undo);
}

/* --alert (digits), --reason (a code), --until (snooze only), --dry-run, --json. */
static bool take(int c, const char *arg, void *ctx)
{
	struct change_opts *co = ctx;
	const char *verb = co->verb;

	switch (c) {
	case 'a':
		if (!*arg || strspn(arg, "0123456789") != strlen(arg) || strlen(arg) > 19) {
			ctl_error("%s: --alert: expected an alert id (digits), got '%s'", verb, arg);
			return false;
		}
		if (!co->ids)
			co->ids = json_array();
		json_array_append_new(co->ids, json_string(arg));
		return true;
	case 'r':
		if (co->undo) {
			ctl_error("%s: takes no --reason (the audit trail keeps the one taken back)", verb);
			return false;
		}
		if (!is_code(arg)) {
			ctl_error("%s: --reason: '%s' is not a code; use lower-case letters, digits and _ "
				  "(e.g. awaiting_court_date), never free text",
				  verb, arg);
			return false;
		}
		co->reason = arg;
		return true;
	case 'u':
		if (!co->snooze || co->undo)
			ctl_error("%s: --until belongs to snooze", verb);
		co->until = arg;
		return co->snooze && !co->undo;
	case 'd':
		co->dry = true;
		return true;
	case 'j':
		co->json = true;
		return true;
	default:
		return false;
	}
}

/* The target and, for snooze, --until and --reason: given, and making sense. */
static bool complete(const struct change_opts *co, const json_t *filter, char until[CW_TIME_UTC_STRLEN])
{
	const char *verb = co->verb;

	if (!co->ids == !json_object_size(filter)) {
		ctl_error("%s: say which alerts: --alert ID, or filters such as --team or --rule (not both)", verb);
		return false;
	}
	if (!co->snooze || co->undo)
		return true;
	if (!co->reason || !co->until) {
		ctl_error("snooze: --until TIME and --reason CODE are both required");
		return false;
	}
	if (!until_utc(co->until, until)) {
		ctl_error("snooze: --until: '%s' is not a time such as 2026-12-01T17:00 or 2026-12-01T17:00:00Z",
			  co->until);
		return false;
	}
	return true;
}

/* ack, snooze, unack, unsnooze: parse the target and options, ask the daemon, say what changed. */
int ctl_change(int argc, char **argv, const char *verb)
{
	static const struct option opts[] = {
		CTL_FILTER_OPTIONS,
		{ "alert", required_argument, NULL, 'a' },
		{ "reason", required_argument, NULL, 'r' },
		{ "until", required_argument, NULL, 'u' },
		{ "dry-run", no_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool snooze = strstr(verb, "snooze") != NULL, undo = !strncmp(verb, "un", 2);
	struct change_opts co = { .verb = verb, .snooze = snooze, .undo = undo };
	const struct ctl_opts o = { verb, opts, change_usage, take, &co };
	struct ctl_filter f;
	json_t *reply = NULL, *req;
	char until[CW_TIME_UTC_STRLEN];
	int rc;

	ctl_filter_init(&f);
	rc = ctl_parse(argc, argv, &o, &f);
	if (rc < 0 && !complete(&co, f.filter, until))
		rc = CTL_EXIT_USAGE;
	if (rc < 0) {
		req = co.dry ? json_pack("{s:s, s:O}", "cmd", "alerts", "filter", f.filter)
			     : change_request(verb, co.ids, f.filter, co.reason, snooze && !undo ? until : NULL);
		rc = ctl_request(verb, f.socket, req, &reply);
	}
	if (rc == CTL_EXIT_OK && reply) {
		if (co.dry)
			print_dry_run(verb, reply, co.ids, co.json);
		else
			rc = print_changed(reply, verb, co.json);
		json_decref(reply);
	}
	json_decref(co.ids);
	ctl_filter_free(&f);
	return rc;
}
