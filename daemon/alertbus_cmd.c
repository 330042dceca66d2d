/* alertbus_cmd.c - the alert socket's commands (hello, status, alerts, subscribe, ack, ...), dispatched through one table. */
#include "config.h"

#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "alertbus_int.h"
#include "casewatch/calendar.h"
#include "records_cmd.h"

static json_t *capabilities(void);
static const char *commands_list(void);

/* Filter names and the data member each one matches. */
static const struct {
	const char *name;
	const char *member;
} filter_keys[] = {
	{ "team", "team" },	    { "rule", "rule_id" }, { "audience", "audience" },
	{ "severity", "severity" }, { "kind", "kind" },	   { "state", "state" },
	{ "person", "person_id" },  { NULL, NULL },
};

bool cw_alertbus_filter_match(const json_t *filter, const json_t *data)
{
	const char *key;
	json_t *values;

	if (!filter)
		return true;
	json_object_foreach ((json_t *)filter, key, values) {
		const char *member = NULL, *have;
		const json_t *v;
		char num[32];
		size_t i, n;
		bool hit = false;

		for (i = 0; filter_keys[i].name; i++)
			if (!strcmp(filter_keys[i].name, key))
				member = filter_keys[i].member;
		v = member ? json_object_get(data, member) : NULL;
		if (json_is_integer(v)) {
			snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
			have = num;
		} else
			have = json_string_value(v);
		if (!have)
			return false;
		n = json_is_array(values) ? json_array_size(values) : 1;
		for (i = 0; i < n && !hit; i++) {
			const char *want = json_string_value(json_is_array(values) ? json_array_get(values, i) : values);

			hit = want && !strcmp(want, have);
		}
		if (!hit)
			return false;
	}
	return true;
}

/* Replaces each team of a filter (code or id) by its id; false with the
 * provider's error code and msg when one names no team. */
static bool filter_teams(const struct cw_alertbus *bus, json_t *arr, const char **code, char *msg, size_t size)
{
	const struct cw_alertbus_provider *p = &bus->cfg.provider;
	char id[32], why[160], shown[40];
	size_t i;
	json_t *v;

	if (!p->team)
		return true;
	json_array_foreach (arr, i, v) {
		const char *name = json_string_value(v);
		const char *refused = p->team(p->ctx, name, id, sizeof(id), why, sizeof(why));

		if (refused) {
			*code = refused;
			alertbus_printable(shown, sizeof(shown), name, strlen(name));
			snprintf(msg, size, "filter.team[%zu]: \"%s\": %s", i, shown, why);
			return false;
		}
		json_array_set_new(arr, i, json_string(id));
	}
	return true;
}

/*
 * Checks a filter object and returns it normalized (every member an array
 * of strings, teams by id), or NULL with msg naming the JSON path at fault
 * and *code the error code. with_state allows "state" (alerts);
 * subscriptions filter on the other five.
 */
static json_t *filter_parse(const struct cw_alertbus *bus, const json_t *in, bool with_state, const char **code,
			    char *msg, size_t size)
{
	const char *key;
	json_t *v, *out;

	*code = "bad_request";
	if (!json_is_object(in)) {
		snprintf(msg, size, "filter: expected an object");
		return NULL;
	}
	out = json_object();
	json_object_foreach ((json_t *)in, key, v) {
		json_t *arr;
		size_t i, n;
		bool known = false;
		char shown[40];

		for (i = 0; filter_keys[i].name; i++)
			if (!strcmp(filter_keys[i].name, key) && (with_state || strcmp(key, "state")))
				known = true;
		if (!known) {
			alertbus_printable(shown, sizeof(shown), key, strlen(key));
			snprintf(msg, size, "filter.%s: unknown filter (filters: team, rule, audience, severity, kind, person%s)",
				 shown, with_state ? ", state" : "");
			goto bad;
		}
		if (json_is_string(v)) {
			arr = json_array();
			json_array_append(arr, v);
		} else if (json_is_array(v) && json_array_size(v) > 0 && json_array_size(v) <= MAX_FILTER_VALUES) {
			arr = json_copy(v); /* teams are rewritten to ids */
		} else {
			alertbus_printable(shown, sizeof(shown), key, strlen(key));
			snprintf(msg, size, "filter.%s: expected a string or an array of 1 to %d strings", shown,
				 MAX_FILTER_VALUES);
			goto bad;
		}
		n = json_array_size(arr);
		for (i = 0; i < n; i++) {
			json_t *s = json_array_get(arr, i);

			if (!json_is_string(s) || json_string_length(s) == 0 || json_string_length(s) > MAX_VALUE_LEN) {
				alertbus_printable(shown, sizeof(shown), key, strlen(key));
				snprintf(msg, size, "filter.%s[%zu]: expected a non-empty string of at most %d bytes", shown,
					 i, MAX_VALUE_LEN);
				json_decref(arr);
				goto bad;
			}
		}
		if (!strcmp(key, "team") && !filter_teams(bus, arr, code, msg, size)) {
			json_decref(arr);
			goto bad;
		}
		json_object_set_new(out, key, arr);
	}
	return out;
bad:
	json_decref(out);
	return NULL;
}

/* Rejects members a command does not know (a typo must not silently change meaning). */
static bool check_members(struct conn *conn, const json_t *req, const char *cmd, const char *const *allowed)
{
	const char *key;
	json_t *v;

	json_object_foreach ((json_t *)req, key, v) {
		bool ok = !strcmp(key, "cmd") || !strcmp(key, "id");
		char shown[40];

		for (size_t i = 0; !ok && allowed[i]; i++)
			ok = !strcmp(key, allowed[i]);
		if (!ok) {
			alertbus_printable(shown, sizeof(shown), key, strlen(key));
			alertbus_reply_error(conn, json_object_get(req, "id"), "bad_request", "%s: unknown member \"%s\"", cmd,
					 shown);
			return false;
		}
	}
	return true;
}

/* hello: agree on the protocol version and say what this server offers. */
static void cmd_hello(struct conn *conn, const json_t *req, const json_t *id, const char *cmd)
{
	static const char *const members[] = { "protocol", "client", NULL };
	const json_t *p = json_object_get(req, "protocol");
	struct cw_alertbus *bus = conn->bus;
	long major = -1, minor = 0;
	char ver[16];
	json_t *r;

	if (!check_members(conn, req, cmd, members))
		return;
	if (json_is_integer(p))
		major = (long)json_integer_value(p);
	else if (json_is_string(p)) {
		const char *s = json_string_value(p);
		char *end;

		major = strtol(s, &end, 10);
		if (end == s)
			major = -1;
		else if (*end == '.')
			minor = strtol(end + 1, &end, 10);
		if (*end != '\0')
			major = -1;
	}
	if (major < 0 || minor < 0) {
		alertbus_reply_error(conn, id, "bad_request", "hello: \"protocol\" must be a version such as \"%d.%d\"",
				 CW_ALERTBUS_PROTOCOL_MAJOR, CW_ALERTBUS_PROTOCOL_MINOR);
		return;
	}
	if (major != CW_ALERTBUS_PROTOCOL_MAJOR) {
		alertbus_reply_error(conn, id, "unsupported_version",
				 "this casewatchd speaks protocol %d.%d; the client asked for %ld.%ld", CW_ALERTBUS_PROTOCOL_MAJOR,
				 CW_ALERTBUS_PROTOCOL_MINOR, major, minor);
		return;
	}
	conn->hello_done = true;
	snprintf(ver, sizeof(ver), "%d.%d", CW_ALERTBUS_PROTOCOL_MAJOR, CW_ALERTBUS_PROTOCOL_MINOR);
	r = json_pack("{s:s, s:s, s:s, s:o, s:{s:I, s:I}, s:{s:b}}", "protocol", ver, "server", "casewatchd", "version",
		      bus->cfg.daemon_version, "capabilities", capabilities(), "limits", "max_line",
		      (json_int_t)bus->cfg.max_line, "max_output", (json_int_t)bus->cfg.max_output, "permissions", "change",
		      conn->allowed);
	alertbus_reply_ok(conn, id, r);
}

/* status: the bus's own numbers, then the provider's. */
static void cmd_status(struct conn *conn, const json_t *req, const json_t *id, const char *cmd)
{
	static const char *const members[] = { NULL };
	struct cw_alertbus *bus = conn->bus;
	char buf[32];
	json_t *r;

	if (!check_members(conn, req, cmd, members))
		return;
	snprintf(buf, sizeof(buf), "%" PRIu64, bus->last_id);
	r = json_pack("{s:{s:I, s:I, s:I, s:I, s:I, s:s}}", "bus", "clients", (json_int_t)bus->nconns, "max_clients",
		      (json_int_t)bus->cfg.max_clients, "subscribers", (json_int_t)alertbus_subscribers(bus),
		      "max_subscribers", (json_int_t)bus->max_subscribers, "output_bytes",
		      (json_int_t)cw_alertbus_output_bytes(bus), "last_id", buf);
	if (bus->cfg.provider.status)
		bus->cfg.provider.status(bus->cfg.provider.ctx, r);
	alertbus_reply_ok(conn, id, r);
}

/* alerts: the provider lists the alerts that match a filter. */
static void cmd_alerts(struct conn *conn, const json_t *req, const json_t *id, const char *cmd)
{
	static const char *const members[] = { "filter", NULL };
	struct cw_alertbus *bus = conn->bus;
	const json_t *f = json_object_get(req, "filter");
	struct cw_alertbus_req *r;
	const char *code = NULL;
	char msg[256];
	json_t *filter;

	if (!check_members(conn, req, cmd, members))
		return;
	filter = f ? filter_parse(bus, f, true, &code, msg, sizeof(msg)) : json_object();
	if (!filter) {
		alertbus_reply_error(conn, id, code, "alerts: %s", msg);
		return;
	}
	if (!bus->cfg.provider.alerts) {
		alertbus_reply_error(conn, id, "unavailable", "alerts cannot be listed by this server");
	} else if ((r = alertbus_begin_command(conn, id)))
		bus->cfg.provider.alerts(bus->cfg.provider.ctx, filter, alertbus_on_reply, r);
	json_decref(filter);
}

/* subscribe: live transitions, after a replay from a cursor if one is given. */
static void cmd_subscribe(struct conn *conn, const json_t *req, const json_t *id, const char *cmd)
{
	static const char *const members[] = { "filter", "since", NULL };
	struct cw_alertbus *bus = conn->bus;
	const json_t *f = json_object_get(req, "filter");
	const json_t *since = json_object_get(req, "since");
	uint64_t cursor = 0;
	json_t *filter = NULL;
	char msg[256];

	if (!check_members(conn, req, cmd, members))
		return;
	if (conn->sub != SUB_NONE) {
		alertbus_reply_error(conn, id, "already_subscribed", "this connection is already subscribed; unsubscribe first");
		return;
	}
	if (alertbus_subscribers(bus) >= bus->max_subscribers) {
		if (alertbus_ratelimit(bus, &bus->rl_subs, "refused subscriptions"))
			bus->cfg.log(LOG_WARNING, "alertbus: subscription of uid %u pid %d refused: %zu subscribers already "
				     "(the other slots are kept for commands)", (unsigned)conn->actor.uid,
				     (int)conn->actor.pid, bus->max_subscribers);
		alertbus_reply_error(conn, id, "too_many_subscribers",
				     "casewatchd has as many subscribers as it serves (%zu); try again later",
				     bus->max_subscribers);
		return;
	}
	if (since && !alertbus_parse_id(since, &cursor)) {
		alertbus_reply_error(conn, id, "bad_request", "subscribe: \"since\" must be a transition id such as \"42\"");
		return;
	}
	if (since && cursor > bus->last_id) {
		alertbus_reply_error(conn, id, "bad_cursor", "subscribe: cursor %" PRIu64 " is after the last transition (%" PRIu64 ")",
				 cursor, bus->last_id);
		return;
	}
	if (f) {
		const char *code = NULL;

		filter = filter_parse(bus, f, false, &code, msg, sizeof(msg));
		if (!filter) {
			alertbus_reply_error(conn, id, code, "subscribe: %s", msg);
			return;
		}
		if (json_object_size(filter) == 0) {
			json_decref(filter);
			filter = NULL;
		}
	}
	conn->filter = filter;
	conn->sub_replied = false;
	conn->busy = true;
	conn->cmd_id = json_incref((json_t *)id);
	if (!since || cursor == bus->last_id) {
		conn->sub = SUB_LIVE;
		conn->scanned = conn->last_sent = bus->last_id;
		alertbus_sub_reply(conn);
		return;
	}
	conn->sub = SUB_REPLAYING;
	conn->scanned = conn->last_sent = cursor;
	alertbus_sub_request_batch(conn);
}

/* unsubscribe: no event follows its reply. */
static void cmd_unsubscribe(struct conn *conn, const json_t *req, const json_t *id, const char *cmd)
{
	static const char *const members[] = { NULL };
	bool was = conn->sub != SUB_NONE;

	if (!check_members(conn, req, cmd, members))
		return;
	alertbus_sub_end(conn);
	alertbus_reply_ok(conn, id, json_pack("{s:b}", "unsubscribed", was));
}

/* Accepts "YYYY-MM-DDTHH:MM:SSZ" (UTC), the only form of time the protocol
 * uses; the calendar's ISO 8601 reader checks the values. */
static bool parse_utc(const char *s, time_t *out)
{
	cw_time t;

	if (strlen(s) != 20 || s[10] != 'T' || s[19] != 'Z' || !cw_time_parse(s, &t))
		return false;
	*out = (time_t)t;
	return true;
}

/* A code: lower-case snake_case, 1 to 64 bytes (never free text). */
static bool is_code(const char *s)
{
	size_t n = 0;

	if (!s || *s < 'a' || *s > 'z')
		return false;
	for (; s[n]; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') || s[n] == '_'))
			return false;
	return n <= 64;
}

/* An alert id: a short string of letters, digits and ._:- or a non-negative integer. */
static json_t *alert_id_value(const json_t *v)
{
	char buf[32];

	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return json_string(buf);
	}
	if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 64)
		return NULL;
	for (const char *s = json_string_value(v); *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || strchr("._:-", *s)))
			return NULL;
	return json_incref((json_t *)v);
}

/* Fills the actor's user name from the password database (the uid if unknown). */
static void actor_resolve(struct cw_actor *a)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (a->name[0])
		return;
	if (getpwuid_r(a->uid, &pw, buf, sizeof(buf), &res) == 0 && res)
		snprintf(a->name, sizeof(a->name), "%s", res->pw_name);
	else
		snprintf(a->name, sizeof(a->name), "%u", (unsigned)a->uid);
}

/* The alert ids of an "alert" or "alerts" member as an array of strings, or NULL with msg. */
static json_t *change_list(const json_t *alert, const json_t *alerts, const char *verb, char *msg, size_t size)
{
	json_t *list = json_array(), *v, *a;
	size_t i;

	if (alert) {
		a = alert_id_value(alert);
		if (!a) {
			snprintf(msg, size, "%s: \"alert\" must be an alert id", verb);
			json_decref(list);
			return NULL;
		}
		json_array_append_new(list, a);
		return list;
	}
	if (!json_is_array(alerts) || json_array_size(alerts) == 0 || json_array_size(alerts) > MAX_FILTER_VALUES) {
		snprintf(msg, size, "%s: \"alerts\" must be an array of 1 to %d alert ids", verb, MAX_FILTER_VALUES);
		json_decref(list);
		return NULL;
	}
	json_array_foreach (alerts, i, v) {
		a = alert_id_value(v);
		if (!a) {
			snprintf(msg, size, "%s: alerts[%zu] must be an alert id", verb, i);
			json_decref(list);
			return NULL;
		}
		json_array_append_new(list, a);
	}
	return list;
}

/*
 * The validated arguments of ack or snooze: the target as "alerts" (ids) or
 * "filter" (non-empty), and for snooze "until" (future UTC) and "reason" (a
 * code; "until" is after now, the daemon's clock). NULL with msg when
 * something is wrong.
 */
static json_t *change_args(const struct cw_alertbus *bus, const json_t *req, const char *verb, bool snooze,
			   time_t now, const char **code, char *msg, size_t size)
{
	const json_t *alert = json_object_get(req, "alert");
	const json_t *alerts = json_object_get(req, "alerts");
	const json_t *f = json_object_get(req, "filter");
	json_t *args, *target;
	char why[200];

	if ((alert != NULL) + (alerts != NULL) + (f != NULL) != 1) {
		snprintf(msg, size, "%s: give exactly one of \"alert\", \"alerts\" or \"filter\"", verb);
		return NULL;
	}
	if (f) {
		target = filter_parse(bus, f, true, code, why, sizeof(why));
		if (target && json_object_size(target) == 0) {
			json_decref(target);
			target = NULL;
			snprintf(why, sizeof(why), "filter: name at least one of team, rule, audience, severity, kind, person, state");
		}
		if (!target) {
			snprintf(msg, size, "%s: %s", verb, why);
			return NULL;
		}
	} else if (!(target = change_list(alert, alerts, verb, msg, size)))
		return NULL;
	args = json_object();
	json_object_set_new(args, f ? "filter" : "alerts", target);
	if (snooze) {
		const char *u = json_string_value(json_object_get(req, "until"));
		const char *reason = json_string_value(json_object_get(req, "reason"));
		time_t until;

		if (!u || !parse_utc(u, &until))
			snprintf(msg, size, "snooze: \"until\" must be a UTC time such as \"2026-12-01T17:00:00Z\"");
		else if (until <= now)
			snprintf(msg, size, "snooze: \"until\" (%s) is not in the future", u);
		else if (!is_code(reason))
			snprintf(msg, size,
				 "snooze: \"reason\" must be a code (lower-case letters, digits and _, at most 64), not free text");
		else {
			json_object_set_new(args, "until", json_string(u));
			json_object_set_new(args, "reason", json_string(reason));
			return args;
		}
		json_decref(args);
		return NULL;
	}
	if (json_object_get(req, "reason")) {
		const char *reason = json_string_value(json_object_get(req, "reason"));

		if (!is_code(reason)) {
			snprintf(msg, size,
				 "%s: \"reason\" must be a code (lower-case letters, digits and _, at most 64), not free text", verb);
			json_decref(args);
			return NULL;
		}
		json_object_set_new(args, "reason", json_string(reason));
	}
	return args;
}

/*
 * ack and snooze: check the peer may change state, validate the request and
 * hand it to the provider with the actor (uid, user name, pid).
 */
static void cmd_change(struct conn *conn, const json_t *req, const json_t *id, const char *verb)
{
	static const char *const ack_members[] = { "alert", "alerts", "filter", "reason", NULL };
	static const char *const snooze_members[] = { "alert", "alerts", "filter", "until", "reason", NULL };
	static const char *const undo_members[] = { "alert", "alerts", "filter", NULL };
	bool snooze = !strcmp(verb, "snooze"), undo = !strncmp(verb, "un", 2);
	struct cw_alertbus *bus = conn->bus;
	struct cw_alertbus_req *r;
	const char *code = "bad_request";
	char msg[256];
	json_t *args;

	if (!check_members(conn, req, verb, undo ? undo_members : snooze ? snooze_members : ack_members))
		return;
	if (!conn->allowed) {
		if (alertbus_ratelimit(bus, &bus->rl_refused, "refusals"))
			bus->cfg.log(LOG_WARNING, "alertbus: refused %s from uid %u (pid %d): not an allowed uid or group",
				     verb, (unsigned)conn->actor.uid, (int)conn->actor.pid);
		alertbus_reply_error(conn, id, "permission_denied",
				     "uid %u may not %s alerts: ask for your user or group to be allowed in casewatchd's configuration",
				     (unsigned)conn->actor.uid, verb);
		return;
	}
	args = change_args(bus, req, verb, snooze, bus->cfg.now ? bus->cfg.now() : time(NULL), &code, msg,
			   sizeof(msg));
	if (!args) {
		alertbus_reply_error(conn, id, code, "%s", msg);
		return;
	}
	if (!bus->cfg.provider.change) {
		json_decref(args);
		alertbus_reply_error(conn, id, "unavailable", "alerts cannot be changed through this server");
		return;
	}
	actor_resolve(&conn->actor);
	bus->cfg.log(LOG_INFO, "alertbus: %s requested by uid %u (%s, pid %d)", verb, (unsigned)conn->actor.uid,
		     conn->actor.name, (int)conn->actor.pid);
	if ((r = alertbus_begin_command(conn, id)))
		bus->cfg.provider.change(bus->cfg.provider.ctx, verb, args, &conn->actor, alertbus_on_reply, r);
	json_decref(args);
}

/* A short name: letters, digits and ._- (a team code, a user name), 1 to 64 bytes. */
static bool is_short_name(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || strchr("._-", *s)))
			return false;
	return true;
}

/* The teams of a digest as an array of short names (ids or codes), or NULL with msg. */
static json_t *digest_teams(const json_t *v, char *msg, size_t size)
{
	json_t *arr = json_is_string(v) ? json_pack("[O]", v) : json_is_array(v) ? json_incref((json_t *)v) : NULL;
	size_t i;
	json_t *t;

	if (!arr || json_array_size(arr) == 0 || json_array_size(arr) > MAX_FILTER_VALUES) {
		snprintf(msg, size, "digest: \"team\" must be a team id or code, or an array of 1 to %d", MAX_FILTER_VALUES);
		json_decref(arr);
		return NULL;
	}
	json_array_foreach (arr, i, t) {
		if (!is_short_name(json_string_value(t))) {
			snprintf(msg, size, "digest: team[%zu] must be a team id or code (letters, digits, ._-)", i);
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/*
 * digest: the digest of one recipient (audience, and teams or a worker),
 * from the provider. Marking it as sent moves the recipient's cursor, a
 * change: only allowed peers may.
 */
static void cmd_digest(struct conn *conn, const json_t *req, const json_t *id, const char *cmd)
{
	static const char *const members[] = { "audience", "team", "worker", "since", "cap", "mark", NULL };
	static const char *const audiences[] = { "team_manager", "service_manager", "records_officer", "worker", NULL };
	struct cw_alertbus *bus = conn->bus;
	const json_t *team = json_object_get(req, "team"), *worker = json_object_get(req, "worker");
	const json_t *since = json_object_get(req, "since"), *cap = json_object_get(req, "cap");
	const json_t *mark = json_object_get(req, "mark");
	const char *aud = json_string_value(json_object_get(req, "audience"));
	struct cw_alertbus_req *r;
	uint64_t n;
	json_t *args, *v;
	char msg[256], buf[32];
	bool known = false;

	if (!check_members(conn, req, cmd, members))
		return;
	if (!aud && json_object_get(req, "audience")) {
		alertbus_reply_error(conn, id, "bad_request", "digest: \"audience\" must be a string");
		return;
	}
	aud = aud ? aud : worker ? "worker" : "team_manager";
	for (size_t i = 0; audiences[i]; i++)
		known = known || !strcmp(aud, audiences[i]);
	if (!known) {
		alertbus_printable(buf, sizeof(buf), aud, strlen(aud));
		alertbus_reply_error(conn, id, "bad_request",
				     "digest: unknown audience \"%s\" (team_manager, service_manager, records_officer, worker)", buf);
		return;
	}
	args = json_pack("{s:s}", "audience", aud);
	if (team) {
		const char *code;

		if (!(v = digest_teams(team, msg, sizeof(msg))))
			goto bad;
		/* Teams by code or id, as every filter names them: an unknown
		 * team is an error, never an empty digest. */
		if (!filter_teams(bus, v, &code, msg, sizeof(msg))) {
			json_decref(v);
			json_decref(args);
			alertbus_reply_error(conn, id, code, "digest: %s", msg);
			return;
		}
		json_object_set_new(args, "teams", v);
	}
	if (worker) {
		if (!alertbus_parse_id(worker, &n)) {
			snprintf(msg, sizeof(msg), "digest: \"worker\" must be a staff id such as \"1203\"");
			goto bad;
		}
		snprintf(buf, sizeof(buf), "%" PRIu64, n);
		json_object_set_new(args, "worker", json_string(buf));
	}
	if (since) {
		if (!alertbus_parse_id(since, &n)) {
			snprintf(msg, sizeof(msg), "digest: \"since\" must be a transition id such as \"42\"");
			goto bad;
		}
		snprintf(buf, sizeof(buf), "%" PRIu64, n);
		json_object_set_new(args, "since", json_string(buf));
	}
	if (cap) {
		if (!json_is_integer(cap) || json_integer_value(cap) < 0 || json_integer_value(cap) > 10000) {
			snprintf(msg, sizeof(msg), "digest: \"cap\" must be a whole number from 0 to 10000");
			goto bad;
		}
		json_object_set(args, "cap", (json_t *)cap);
	}
	if (mark && !json_is_boolean(mark)) {
		snprintf(msg, sizeof(msg), "digest: \"mark\" must be true or false");
		goto bad;
	}
	json_object_set_new(args, "mark", json_boolean(json_is_true(mark)));
	if (json_is_true(mark) && !conn->allowed) {
		json_decref(args);
		alertbus_reply_error(conn, id, "permission_denied",
				     "uid %u may not mark a digest as sent (it moves the recipient's cursor): leave out \"mark\", "
				     "or ask for your user or group to be allowed in casewatchd's configuration",
				     (unsigned)conn->actor.uid);
		return;
	}
	if (!bus->cfg.provider.digest) {
		json_decref(args);
		alertbus_reply_error(conn, id, "unavailable", "digests cannot be made by this server");
		return;
	}
	actor_resolve(&conn->actor);
	if ((r = alertbus_begin_command(conn, id)))
		bus->cfg.provider.digest(bus->cfg.provider.ctx, args, &conn->actor, alertbus_on_reply, r);
	json_decref(args);
	return;
bad:
	json_decref(args);
	alertbus_reply_error(conn, id, "bad_request", "%s", msg);
}

/* audit: who changed what (ack, snooze and their undoing), newest last. */
static void cmd_audit(struct conn *conn, const json_t *req, const json_t *id, const char *cmd)
{
	static const char *const members[] = { "since", "actor", "limit", NULL };
	struct cw_alertbus *bus = conn->bus;
	const char *since = json_string_value(json_object_get(req, "since"));
	const char *actor = json_string_value(json_object_get(req, "actor"));
	const json_t *limit = json_object_get(req, "limit");
	struct cw_alertbus_req *r;
	json_t *args;
	time_t t;

	if (!check_members(conn, req, cmd, members))
		return;
	if ((json_object_get(req, "since") && (!since || !parse_utc(since, &t))) ||
	    (json_object_get(req, "actor") && !is_short_name(actor)) ||
	    (limit && (!json_is_integer(limit) || json_integer_value(limit) < 1 || json_integer_value(limit) > 10000))) {
		alertbus_reply_error(conn, id, "bad_request",
				     "audit: \"since\" is a UTC time such as \"2026-12-01T09:00:00Z\", \"actor\" a user name, "
				     "\"limit\" a whole number from 1 to 10000");
		return;
	}
	if (!bus->cfg.provider.audit) {
		alertbus_reply_error(conn, id, "unavailable", "this server keeps no audit trail");
		return;
	}
	args = json_pack("{s:I}", "limit", limit ? json_integer_value(limit) : (json_int_t)100);
	if (since)
		json_object_set_new(args, "since", json_string(since));
	if (actor)
		json_object_set_new(args, "actor", json_string(actor));
	if ((r = alertbus_begin_command(conn, id)))
		bus->cfg.provider.audit(bus->cfg.provider.ctx, args, alertbus_on_reply, r);
	json_decref(args);
}

/*
 * hold, destruction, register: the records officers' commands. Listing and
 * verifying are for any peer; placing or lifting a hold and reviewing or
 * approving a destruction only for allowed peers, acting under their own
 * user name (the reviewer and the approver must differ: the store refuses
 * otherwise).
 */
static void cmd_records(struct conn *conn, const json_t *req, const json_t *id, const char *cmd)
{
	struct cw_alertbus *bus = conn->bus;
	struct cw_records_query q;
	struct cw_alertbus_req *r;
	char msg[256], now[CW_TIME_UTC_STRLEN];
	time_t t = bus->cfg.now ? bus->cfg.now() : time(NULL);

	actor_resolve(&conn->actor);
	cw_time_format_utc((cw_time)t, now);
	if (!cw_records_cmd_parse(cmd, req, conn->actor.name, now, &q, msg, sizeof(msg))) {
		cw_records_query_free(&q);
		alertbus_reply_error(conn, id, "bad_request", "%s", msg);
		return;
	}
	if (q.writes && !conn->allowed) {
		cw_records_query_free(&q);
		if (alertbus_ratelimit(bus, &bus->rl_refused, "refusals"))
			bus->cfg.log(LOG_WARNING, "alertbus: refused %s from uid %u (pid %d): not an allowed uid or group",
				     cmd, (unsigned)conn->actor.uid, (int)conn->actor.pid);
		alertbus_reply_error(conn, id, "permission_denied",
				     "uid %u may not change %s: ask for your user or group to be allowed in casewatchd's configuration",
				     (unsigned)conn->actor.uid, cmd);
		return;
	}
	if (!bus->cfg.provider.records) {
		cw_records_query_free(&q);
		alertbus_reply_error(conn, id, "unavailable", "%s is not served by this server", cmd);
		return;
	}
	if (q.writes)
		bus->cfg.log(LOG_NOTICE, "alertbus: %s %s requested by uid %u (%s, pid %d)", cmd,
			     json_string_value(json_object_get(req, "action")), (unsigned)conn->actor.uid,
			     conn->actor.name, (int)conn->actor.pid);
	if ((r = alertbus_begin_command(conn, id)))
		bus->cfg.provider.records(bus->cfg.provider.ctx, &q, alertbus_on_reply, r);
	cw_records_query_free(&q);
}

/*
 * The commands, in the order hello lists them: dispatch and the hello
 * reply's capabilities both read this table, so a command served is a
 * command listed. Every command but hello needs hello first.
 */
static const struct alertbus_command {
	const char *name;
	void (*fn)(struct conn *conn, const json_t *req, const json_t *id, const char *cmd);
} commands[] = {
	{ "hello", cmd_hello },	      { "status", cmd_status },		  { "alerts", cmd_alerts },
	{ "subscribe", cmd_subscribe }, { "unsubscribe", cmd_unsubscribe }, { "ack", cmd_change },
	{ "snooze", cmd_change },     { "unack", cmd_change },		  { "unsnooze", cmd_change },
	{ "digest", cmd_digest },     { "audit", cmd_audit },		  { "hold", cmd_records },
	{ "destruction", cmd_records }, { "register", cmd_records },	  { "retention", cmd_records },
	{ "explain", cmd_records },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

/* What hello offers besides commands: "resume", subscribe's "since". */
static const char *const features[] = { "resume" };

static const struct alertbus_command *command_find(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* hello's capabilities: every command after hello itself, then the features. */
static json_t *capabilities(void)
{
	json_t *a = json_array();

	for (size_t i = 1; i < N_COMMANDS; i++)
		json_array_append_new(a, json_string(commands[i].name));
	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++)
		json_array_append_new(a, json_string(features[i]));
	return a;
}

/* "hello, status, ...": the commands, for error messages (built once). */
static const char *commands_list(void)
{
	static char list[256];
	size_t n = 0;

	if (list[0])
		return list;
	for (size_t i = 0; i < N_COMMANDS; i++) {
		int k = snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "", commands[i].name);

		if (k < 0 || (size_t)k >= sizeof(list) - n)
			break; /* the buffer holds them all: 16 short names */
		n += (size_t)k;
	}
	return list;
}

/* Parses and answers one request line. */
void alertbus_handle_line(struct conn *conn, const char *text, size_t len)
{
	json_error_t jerr;
	json_t *req, *id;
	const struct alertbus_command *c;
	const char *cmd;
	char shown[40];

	req = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (!req) {
		char reason[160];

		alertbus_printable(reason, sizeof(reason), jerr.text, strlen(jerr.text));
		alertbus_reply_error(conn, NULL, "invalid_json", "invalid JSON at column %d: %s", jerr.column, reason);
		return;
	}
	if (!json_is_object(req)) {
		alertbus_reply_error(conn, NULL, "not_an_object", "a request is a JSON object such as {\"cmd\":\"status\"}");
		json_decref(req);
		return;
	}
	id = json_object_get(req, "id");
	cmd = json_string_value(json_object_get(req, "cmd"));
	c = cmd ? command_find(cmd) : NULL;
	if (!cmd) {
		alertbus_reply_error(conn, id, "bad_request", "a request needs \"cmd\", a string (commands: %s)",
				     commands_list());
	} else if (!c) {
		alertbus_printable(shown, sizeof(shown), cmd, strlen(cmd));
		alertbus_reply_error(conn, id, "unknown_command", "unknown command \"%s\" (commands: %s)", shown,
				     commands_list());
	} else if (!conn->hello_done && c->fn != cmd_hello) {
		alertbus_reply_error(conn, id, "hello_required", "send {\"cmd\":\"hello\",\"protocol\":\"%d.%d\"} first",
				     CW_ALERTBUS_PROTOCOL_MAJOR, CW_ALERTBUS_PROTOCOL_MINOR);
	} else {
		c->fn(conn, req, id, c->name);
	}
	json_decref(req);
}

