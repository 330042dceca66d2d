/* records_cmd.c - the records officers' socket commands (hold, destruction, register), validated into SQL. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casewatch/calendar.h"
#include "records_cmd.h"
#include "retention_pass.h"

/* A UTC timestamp column as "YYYY-MM-DDTHH:MM:SSZ". */
#define RC_UTC(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

static const char hold_list_sql[] =
	"SELECT hold_id::text AS hold, scope, category, involved_from::text AS involved_from,"
	" involved_to::text AS involved_to, array_to_string(person_ids, ',') AS persons, reason, placed_by,"
	" " RC_UTC("placed_at") " AS placed_at, starts::text AS starts, ends::text AS ends, lifted_by"
	" FROM casewatch.hold WHERE $1::boolean OR ends IS NULL"
	" OR ends >= ($2::timestamptz AT TIME ZONE 'Europe/London')::date ORDER BY hold_id";
/* Placing withdraws the open destruction decisions the hold covers, in
 * the same transaction (010_hold_withdraws.sql); the reply names them. */
static const char hold_place_sql[] =
	"SELECT h.id::text AS hold, casewatch.hold_withdrawn(h.id) AS withdrawn"
	" FROM casewatch.hold_place($1, $2, $3::date, $4::date, $5::bigint[], $6, $7, $8, $9::date, $10::date,"
	" $11::timestamptz) AS h(id)";
static const char hold_lift_sql[] =
	"SELECT hold_id::text AS hold, ends::text AS ends, lifted_by FROM casewatch.hold_lift($1::bigint, $2, $3::date,"
	" $4::timestamptz)";
/* The destruction list: the records-officer notices (daemon/retention_pass.c)
 * whose destruction date falls within the window, with their workflow (an
 * approval's overdue DESTROY-LIST is not a destruction date). */
static const char destruction_list_sql[] =
	"SELECT a.person_id::text AS person, a.team_id::text AS team, a.rule_id AS basis,"
	" (a.due_at AT TIME ZONE 'Europe/London')::date::text AS destroy_on,"
	" CASE a.state WHEN 'due_soon' THEN 'upcoming' WHEN 'overdue' THEN 'due' WHEN 'suspended' THEN 'held'"
	"  ELSE 'retained' END AS retention,"
	" (SELECT string_agg(h.rule_id, ',' ORDER BY h.rule_id) FROM casewatch.alert h"
	"  WHERE h.person_id = a.person_id AND h.kind = 'finding' AND h.audience = 'records_officer'"
	"  AND h.anchor_kind = 'person' AND h.state NOT IN ('resolved', 'withdrawn')) AS holds,"
	" d.state AS workflow, d.decision, d.extend_to::text AS extend_to, d.reviewed_by, d.approved_by"
	" FROM casewatch.alert a LEFT JOIN casewatch.destruction d ON d.person_id = a.person_id"
	" WHERE a.audience = 'records_officer' AND a.kind = 'obligation' AND a.anchor_kind = 'person'"
	" AND a.rule_id <> '" CW_RETENTION_GRACE_RULE "'"
	" AND a.state IN ('pending', 'due_soon', 'overdue', 'suspended')"
	" AND a.due_at < $1::timestamptz + $2::integer * interval '1 day'"
	" AND ($3::text[] IS NULL OR a.team_id::text = ANY ($3))"
	" ORDER BY a.due_at, a.person_id";
#define RC_DESTRUCTION_COLS                                                                                   \
	"person_id::text AS person, state AS workflow, basis, destroy_on::text AS destroy_on, decision,"       \
	" extend_to::text AS extend_to, reviewed_by, approved_by"
static const char destruction_review_sql[] =
	"SELECT " RC_DESTRUCTION_COLS " FROM casewatch.destruction_decide($1::bigint, $2, $3, $4, $5::date,"
	" $6::timestamptz)";
static const char destruction_approve_sql[] =
	"SELECT " RC_DESTRUCTION_COLS " FROM casewatch.destruction_approve($1::bigint, $2, $3::timestamptz)";
static const char register_verify_sql[] =
	"SELECT v.ok::text AS sound, v.rows_checked::text AS rows_checked, v.bad_entry::text AS bad_entry,"
	" v.bad_seq::text AS bad_seq, v.problem, h.seq::text AS head_seq, encode(h.hash, 'hex') AS head_hash"
	" FROM casewatch.register_verify($1::bigint, decode($2, 'hex')) v, casewatch.register_head() h";
static const char register_export_sql[] =
	"SELECT seq::text AS seq, person_id::text AS person, array_to_string(categories, ',') AS categories, basis,"
	" due_on::text AS due_on, reviewed_on::text AS reviewed_on, reviewed_by, approved_on::text AS approved_on,"
	" approved_by, destroyed_on::text AS destroyed_on, destroyed_by, " RC_UTC("recorded_at") " AS recorded_at,"
	" encode(prev_hash, 'hex') AS prev_hash, encode(hash, 'hex') AS hash"
	" FROM casewatch.destruction_register ORDER BY seq";

static const char retention_facts_sql[] = "SELECT records.person_facts($1::bigint)::text AS facts";
/* explain: the alert's key and its person's facts (null: gone from the records). */
static const char alert_explain_sql[] =
	"SELECT a.alert_id::text AS alert, a.person_id::text AS person, a.rule_id AS rule, a.anchor_kind,"
	" a.anchor_id::text AS anchor_id, extract(epoch FROM a.cycle_start)::bigint::text AS cycle_start,"
	" CASE WHEN a.person_id IS NOT NULL THEN records.person_facts(a.person_id)::text END AS facts"
	" FROM casewatch.alert a WHERE a.alert_id = $1::bigint";

void cw_records_query_free(struct cw_records_query *q)
{
	for (int i = 0; i < CW_RECORDS_MAX_PARAMS; i++) {
		free(q->params[i]);
		q->params[i] = NULL;
	}
}

/* Sets parameter i to a copy of s (NULL stays NULL). */
static bool set(struct cw_records_query *q, int i, const char *s)
{
	q->params[i] = s ? strdup(s) : NULL;
	if (i + 1 > q->nparams)
		q->nparams = i + 1;
	return !s || q->params[i];
}

/* Only the members a request may carry. */
static bool only(const json_t *req, const char *const *allowed, const char *what, char *msg, size_t size)
{
	const char *key;
	json_t *v;

	json_object_foreach ((json_t *)req, key, v) {
		bool ok = !strcmp(key, "cmd") || !strcmp(key, "id") || !strcmp(key, "action");

		for (int i = 0; allowed[i] && !ok; i++)
			ok = !strcmp(allowed[i], key);
		if (!ok) {
			snprintf(msg, size, "%s: unknown member \"%.40s\"", what, key);
			return false;
		}
	}
	return true;
}

/* A positive id (integer or decimal string) as text into buf. */
static bool id_text(const json_t *v, char buf[24])
{
	const char *s;

	if (json_is_integer(v) && json_integer_value(v) > 0) {
		snprintf(buf, 24, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return true;
	}
	s = json_string_value(v);
	if (!s || !*s || strlen(s) > 18 || strspn(s, "0123456789") != strlen(s) || s[0] == '0')
		return false;
	snprintf(buf, 24, "%s", s);
	return true;
}

/* An optional "YYYY-MM-DD" member: absent or null is NULL. */
static bool date_member(const json_t *req, const char *key, const char **out, const char *what, char *msg,
			size_t size)
{
	const json_t *v = json_object_get(req, key);
	cw_day d;

	*out = NULL;
	if (!v || json_is_null(v))
		return true;
	if (!json_is_string(v) || !cw_day_parse(json_string_value(v), &d)) {
		snprintf(msg, size, "%s: \"%s\" must be a date \"YYYY-MM-DD\"", what, key);
		return false;
	}
	*out = json_string_value(v);
	return true;
}

/* A code: lower-case letters, digits and _, at most 64. */
static bool is_code(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n > 0 && n <= 64 && s[0] >= 'a' && s[0] <= 'z' && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

/* hold list | place | lift. */
static bool parse_hold(const json_t *req, const char *action, const char *actor, const char *now,
		       struct cw_records_query *q, char *msg, size_t size)
{
	if (!strcmp(action, "list")) {
		static const char *const allowed[] = { "all", NULL };
		const json_t *all = json_object_get(req, "all");

		if (!only(req, allowed, "hold list", msg, size))
			return false;
		if (all && !json_is_boolean(all)) {
			snprintf(msg, size, "hold list: \"all\" must be true or false");
			return false;
		}
		q->sql = hold_list_sql;
		q->list = "holds";
		return set(q, 0, json_is_true(all) ? "true" : "false") && set(q, 1, now);
	}
	if (!strcmp(action, "place")) {
		static const char *const allowed[] = { "scope", "category", "from", "to", "persons", "reason",
						       "reference", "starts", "ends", NULL };
		const char *scope = json_string_value(json_object_get(req, "scope"));
		const char *category = json_string_value(json_object_get(req, "category"));
		const char *reason = json_string_value(json_object_get(req, "reason"));
		const char *ref = json_string_value(json_object_get(req, "reference"));
		const json_t *persons = json_object_get(req, "persons");
		const char *from, *to, *starts, *ends;
		char *list = NULL;

		if (!only(req, allowed, "hold place", msg, size))
			return false;
		if (!scope || (strcmp(scope, "all") && strcmp(scope, "category") && strcmp(scope, "period") &&
			       strcmp(scope, "persons"))) {
			snprintf(msg, size, "hold place: \"scope\" must be all, category, period or persons");
			return false;
		}
		if (!is_code(reason)) {
			snprintf(msg, size, "hold place: \"reason\" must be a code (lower-case letters, digits and _), e.g. inquiry");
			return false;
		}
		if (!ref || !*ref || strlen(ref) > 200) {
			snprintf(msg, size, "hold place: \"reference\" (the inquiry or claim and its legal basis) is required, at most 200 bytes");
			return false;
		}
		for (const char *s = ref; *s; s++)
			if ((unsigned char)*s < 0x20) {
				snprintf(msg, size, "hold place: \"reference\" must be one line");
				return false;
			}
		if (category && !is_code(category)) {
			snprintf(msg, size, "hold place: \"category\" must be an involvement category code");
			return false;
		}
		if (!date_member(req, "from", &from, "hold place", msg, size) ||
		    !date_member(req, "to", &to, "hold place", msg, size) ||
		    !date_member(req, "starts", &starts, "hold place", msg, size) ||
		    !date_member(req, "ends", &ends, "hold place", msg, size))
			return false;
		if (persons) {
			size_t i, pos = 1;
			json_t *v;

			if (!json_is_array(persons) || !json_array_size(persons) || json_array_size(persons) > 1000) {
				snprintf(msg, size, "hold place: \"persons\" must be a list of 1 to 1000 person ids");
				return false;
			}
			list = malloc(24 * json_array_size(persons) + 3);
			if (!list) {
				snprintf(msg, size, "out of memory");
				return false;
			}
			list[0] = '{';
			json_array_foreach (persons, i, v) {
				char id[24];

				if (!id_text(v, id)) {
					snprintf(msg, size, "hold place: persons[%zu] must be a person id", i);
					free(list);
					return false;
				}
				pos += (size_t)sprintf(list + pos, "%s%s", i ? "," : "", id);
			}
			list[pos++] = '}';
			list[pos] = '\0';
		}
		q->sql = hold_place_sql;
		q->writes = true;
		/* The scope's own checks (category given, dates in order, ...)
		 * are the table's constraints, reported as they fail. */
		if (!(set(q, 0, scope) && set(q, 1, category) && set(q, 2, from) && set(q, 3, to) && set(q, 4, list) &&
		      set(q, 5, reason) && set(q, 6, ref) && set(q, 7, actor) && set(q, 8, starts) && set(q, 9, ends) &&
		      set(q, 10, now))) {
			free(list);
			snprintf(msg, size, "out of memory");
			return false;
		}
		free(list);
		return true;
	}
	if (!strcmp(action, "lift")) {
		static const char *const allowed[] = { "hold", "ends", NULL };
		const char *ends;
		char id[24];

		if (!only(req, allowed, "hold lift", msg, size) ||
		    !date_member(req, "ends", &ends, "hold lift", msg, size))
			return false;
		if (!id_text(json_object_get(req, "hold"), id)) {
			snprintf(msg, size, "hold lift: \"hold\" must be a hold id");
			return false;
		}
		q->sql = hold_lift_sql;
		q->writes = true;
		return set(q, 0, id) && set(q, 1, actor) && set(q, 2, ends) && set(q, 3, now);
	}
	snprintf(msg, size, "hold: \"action\" must be list, place or lift");
	return false;
}

/* destruction list | review | approve. */
static bool parse_destruction(const json_t *req, const char *action, const char *actor, const char *now,
			      struct cw_records_query *q, char *msg, size_t size)
{
	char id[24];

	if (!strcmp(action, "list")) {
		static const char *const allowed[] = { "due_within_days", "team", NULL };
		const json_t *days = json_object_get(req, "due_within_days"), *team = json_object_get(req, "team");
		char d[24] = "90", t[32];

		if (!only(req, allowed, "destruction list", msg, size))
			return false;
		if (days) {
			if (!json_is_integer(days) || json_integer_value(days) < 0 || json_integer_value(days) > 36500) {
				snprintf(msg, size, "destruction list: \"due_within_days\" must be 0 to 36500");
				return false;
			}
			snprintf(d, sizeof(d), "%" JSON_INTEGER_FORMAT, json_integer_value(days));
		}
		if (team && !id_text(team, id)) {
			snprintf(msg, size, "destruction list: \"team\" must be a team id");
			return false;
		}
		if (team)
			snprintf(t, sizeof(t), "{%s}", id);
		q->sql = destruction_list_sql;
		q->list = "records";
		return set(q, 0, now) && set(q, 1, d) && set(q, 2, team ? t : NULL);
	}
	if (!strcmp(action, "review")) {
		static const char *const allowed[] = { "person", "decision", "reason", "extend_to", NULL };
		const char *decision = json_string_value(json_object_get(req, "decision"));
		const char *reason = json_string_value(json_object_get(req, "reason"));
		const char *extend_to;

		if (!only(req, allowed, "destruction review", msg, size) ||
		    !date_member(req, "extend_to", &extend_to, "destruction review", msg, size))
			return false;
		if (!id_text(json_object_get(req, "person"), id)) {
			snprintf(msg, size, "destruction review: \"person\" must be a person id");
			return false;
		}
		if (!decision || (strcmp(decision, "destroy") && strcmp(decision, "extend") && strcmp(decision, "keep"))) {
			snprintf(msg, size, "destruction review: \"decision\" must be destroy, extend or keep");
			return false;
		}
		if (json_object_get(req, "reason") && !is_code(reason)) {
			snprintf(msg, size,
				 "destruction review: \"reason\" must be a code (lower-case letters, digits and _), not free text");
			return false;
		}
		q->sql = destruction_review_sql;
		q->writes = true;
		return set(q, 0, id) && set(q, 1, actor) && set(q, 2, decision) && set(q, 3, reason) &&
		       set(q, 4, extend_to) && set(q, 5, now);
	}
	if (!strcmp(action, "approve")) {
		static const char *const allowed[] = { "person", NULL };

		if (!only(req, allowed, "destruction approve", msg, size))
			return false;
		if (!id_text(json_object_get(req, "person"), id)) {
			snprintf(msg, size, "destruction approve: \"person\" must be a person id");
			return false;
		}
		q->sql = destruction_approve_sql;
		q->writes = true;
		return set(q, 0, id) && set(q, 1, actor) && set(q, 2, now);
	}
	snprintf(msg, size, "destruction: \"action\" must be list, review or approve");
	return false;
}

/* register verify | export. */
static bool parse_register(const json_t *req, const char *action, struct cw_records_query *q, char *msg, size_t size)
{
	if (!strcmp(action, "verify")) {
		static const char *const allowed[] = { "seq", "hash", NULL };
		const json_t *seq = json_object_get(req, "seq");
		const char *hash = json_string_value(json_object_get(req, "hash"));
		char s[24];

		if (!only(req, allowed, "register verify", msg, size))
			return false;
		if (!seq != !json_object_get(req, "hash")) {
			snprintf(msg, size, "register verify: give both \"seq\" and \"hash\" of the head kept, or neither");
			return false;
		}
		if (seq && (!id_text(seq, s) || !hash || strlen(hash) != 64 ||
			    strspn(hash, "0123456789abcdef") != 64)) {
			snprintf(msg, size, "register verify: \"seq\" must be a number and \"hash\" 64 lower-case hex digits");
			return false;
		}
		q->sql = register_verify_sql;
		return set(q, 0, seq ? s : NULL) && set(q, 1, seq ? hash : NULL);
	}
	if (!strcmp(action, "export")) {
		static const char *const allowed[] = { NULL };

		if (!only(req, allowed, "register export", msg, size))
			return false;
		q->sql = register_export_sql;
		q->list = "rows";
		return true;
	}
	snprintf(msg, size, "register: \"action\" must be verify or export");
	return false;
}

/* retention explain: the person's facts, for the daemon to explain. */
static bool parse_retention(const json_t *req, const char *action, struct cw_records_query *q, char *msg,
			    size_t size)
{
	static const char *const allowed[] = { "person", NULL };
	char id[24];

	if (strcmp(action, "explain")) {
		snprintf(msg, size, "retention: \"action\" must be explain");
		return false;
	}
	if (!only(req, allowed, "retention explain", msg, size))
		return false;
	if (!id_text(json_object_get(req, "person"), id)) {
		snprintf(msg, size, "retention explain: \"person\" must be a person id");
		return false;
	}
	q->sql = retention_facts_sql;
	q->explain = true;
	return set(q, 0, id);
}

/* explain: one alert, explained by the daemon from its person's facts. */
static bool parse_explain(const json_t *req, struct cw_records_query *q, char *msg, size_t size)
{
	static const char *const allowed[] = { "alert", NULL };
	char id[24];

	if (!only(req, allowed, "explain", msg, size))
		return false;
	if (json_object_get(req, "action")) {
		snprintf(msg, size, "explain: takes no \"action\", only \"alert\"");
		return false;
	}
	if (!id_text(json_object_get(req, "alert"), id)) {
		snprintf(msg, size, "explain: \"alert\" must be an alert id");
		return false;
	}
	q->sql = alert_explain_sql;
	q->explain_alert = true;
	return set(q, 0, id);
}

bool cw_records_cmd_parse(const char *cmd, const json_t *req, const char *actor, const char *now,
			  struct cw_records_query *q, char *msg, size_t size)
{
	const char *action = json_string_value(json_object_get(req, "action"));
	bool ok;

	memset(q, 0, sizeof(*q));
	if (!strcmp(cmd, "explain"))
		return parse_explain(req, q, msg, size);
	if (!action) {
		snprintf(msg, size, "%s: \"action\" is required", cmd);
		return false;
	}
	if (!strcmp(cmd, "hold"))
		ok = parse_hold(req, action, actor, now, q, msg, size);
	else if (!strcmp(cmd, "destruction"))
		ok = parse_destruction(req, action, actor, now, q, msg, size);
	else if (!strcmp(cmd, "register"))
		ok = parse_register(req, action, q, msg, size);
	else if (!strcmp(cmd, "retention"))
		ok = parse_retention(req, action, q, msg, size);
	else {
		snprintf(msg, size, "unknown command");
		ok = false;
	}
	return ok;
}
