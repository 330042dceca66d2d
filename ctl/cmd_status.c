/* cmd_status.c - `casewatchctl status`: casewatchd's database, last pass, deliveries and open alerts. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "alerts_format.h"
#include "ctl.h"
#include "socket_cmd.h"

/* The help text. */
static void usage(FILE *out, void *ctx)
{
	(void)ctx;
	fprintf(out, "usage: casewatchctl status [--json] [--socket PATH]\n"
		     "\n"
		     "casewatchd's state: its database connection and schema, the policy profile,\n"
		     "the last pass, the transitions delivered, the socket's clients, and the open\n"
		     "alerts by state. Exit status 0 when the database is connected, 3 when\n"
		     "casewatchd or its database cannot be reached.\n"
		     "\n"
		     "options:\n"
		     "  --json             the daemon's reply as JSON\n"
		     CTL_SOCKET_HELP
		     "  --help             this text\n");
}

/* A member as text: strings as they are, numbers in decimal, "-" when absent. */
static const char *text_of(const json_t *v, char *buf, size_t size)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	}
	if (json_is_boolean(v))
		return json_is_true(v) ? "yes" : "no";
	return "-";
}

/* The reply for people. */
static void print_status(const json_t *r)
{
	const json_t *db = json_object_get(r, "database"), *pass = json_object_get(r, "pass");
	const json_t *tr = json_object_get(r, "transitions"), *bus = json_object_get(r, "bus");
	const json_t *al = json_object_get(r, "alerts"), *v;
	char b1[32], b2[32], b3[32], b4[32], t[CTL_LONDON_STRLEN];
	const char *key;

	printf("database:    %s%s (schema version %s, since %s)\n", text_of(json_object_get(db, "state"), b1, 32),
	       json_is_true(json_object_get(db, "connected")) ? ", connected" : ", NOT connected",
	       text_of(json_object_get(db, "schema_version"), b2, 32), ctl_time_text(json_string_value(json_object_get(db, "since")), t));
	if (json_object_get(db, "last_error"))
		printf("             last error: %s\n", json_string_value(json_object_get(db, "last_error")));
	if (json_object_get(r, "role"))
		printf("role:        %s\n", json_is_string(json_object_get(r, "role")) &&
						    !strcmp(json_string_value(json_object_get(r, "role")), "leader")
					    ? "leader (this casewatchd writes the alerts)"
					    : "standby (another casewatchd writes the alerts; this one takes over if it goes)");
	printf("profile:     %s", text_of(json_object_get(r, "profile"), b1, 32));
	if (json_is_string(json_object_get(r, "profile_file")))
		printf(" (%s)", json_string_value(json_object_get(r, "profile_file")));
	putchar('\n');
	if ((v = json_object_get(r, "profile_refused")))
		printf("             the reload at %s refused profile %s (invalid; see the log)\n",
		       ctl_time_text(json_string_value(json_object_get(v, "at")), t), text_of(json_object_get(v, "profile"), b2, 32));
	if (json_object_get(pass, "last_at"))
		printf("last pass:   %s, %s ms, %s persons (%s passes since start)\n",
		       ctl_time_text(json_string_value(json_object_get(pass, "last_at")), t), text_of(json_object_get(pass, "last_ms"), b2, 32),
		       text_of(json_object_get(pass, "last_persons"), b3, 32), text_of(json_object_get(pass, "passes"), b4, 32));
	else
		printf("last pass:   none yet\n");
	printf("delivered:   %s transitions since start, last id %s\n", text_of(json_object_get(tr, "delivered"), b1, 32),
	       text_of(json_object_get(tr, "last_id"), b2, 32));
	if (json_object_get(tr, "pruned_upto"))
		printf("replayable:  from id %s (cursors from %s on; retention %s, %s pruned since start)\n",
		       text_of(json_object_get(tr, "oldest_id"), b1, 32), text_of(json_object_get(tr, "pruned_upto"), b2, 32),
		       text_of(json_object_get(tr, "retention"), b3, 32), text_of(json_object_get(tr, "pruned"), b4, 32));
	printf("socket:      %s clients (of %s), %s subscribed\n", text_of(json_object_get(bus, "clients"), b1, 32),
	       text_of(json_object_get(bus, "max_clients"), b2, 32), text_of(json_object_get(bus, "subscribers"), b3, 32));
	if (!al) {
		printf("open alerts: not counted yet\n");
		return;
	}
	printf("open alerts: %s (%s acknowledged, %s snoozed; counted %s)\n", text_of(json_object_get(al, "open"), b1, 32),
	       text_of(json_object_get(al, "acknowledged"), b2, 32), text_of(json_object_get(al, "snoozed"), b3, 32),
	       ctl_time_text(json_string_value(json_object_get(al, "counted_at")), t));
	json_object_foreach ((json_t *)json_object_get(al, "by_state"), key, v)
		printf("             %-14s %s\n", key, text_of(v, b1, 32));
}

/* --json, the only option of its own. */
static bool take(int c, const char *arg, void *ctx)
{
	(void)arg;
	if (c != 'j')
		return false;
	*(bool *)ctx = true;
	return true;
}

/* Asks for the status and prints it. */
int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, CTL_OPT_SOCKET },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool as_json = false;
	const struct ctl_opts o = { "status", opts, usage, take, &as_json };
	struct ctl_filter f;
	json_t *reply = NULL; /* stays NULL after --help */
	int rc;

	ctl_filter_init(&f);
	rc = ctl_parse(argc, argv, &o, &f);
	if (rc < 0)
		rc = ctl_request("status", f.socket, json_pack("{s:s}", "cmd", "status"), &reply);
	if (rc == CTL_EXIT_OK && reply) {
		if (as_json)
			ctl_print_reply(reply, true);
		else
			print_status(reply);
		if (!json_is_true(json_object_get(json_object_get(reply, "database"), "connected")))
			rc = CTL_EXIT_UNAVAILABLE;
		json_decref(reply);
	}
	ctl_filter_free(&f);
	return rc;
}
