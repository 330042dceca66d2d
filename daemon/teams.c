/* teams.c - the records' teams by code and by id, read into memory. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "clock.h"
#include "log.h"
#include "teams.h"

struct cw_teams {
	json_t *by_code;  /* code -> id */
	json_t *by_id;	  /* id -> code ("" when the team has none) */
	json_t *next_code, *next_id; /* the read in progress */
	bool reading;
	int64_t read_ms;  /* monotonic time of the last complete read; 0: never */
	char example[64];
};

struct cw_teams *cw_teams_new(void)
{
	struct cw_teams *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->by_code = json_object();
	t->by_id = json_object();
	if (!t->by_code || !t->by_id) {
		cw_teams_free(t);
		return NULL;
	}
	return t;
}

void cw_teams_free(struct cw_teams *t)
{
	if (!t)
		return;
	json_decref(t->by_code);
	json_decref(t->by_id);
	json_decref(t->next_code);
	json_decref(t->next_id);
	free(t);
}

static void teams_row(const PGresult *res, void *arg)
{
	struct cw_teams *t = arg;

	for (int r = 0; r < PQntuples(res); r++) {
		const char *id = PQgetvalue(res, r, 0);
		const char *code = PQgetisnull(res, r, 1) ? "" : PQgetvalue(res, r, 1);

		json_object_set_new(t->next_id, id, json_string(code));
		if (*code)
			json_object_set_new(t->next_code, code, json_string(id));
	}
}

/* The read ended: the new table replaces the old one, or the old one stays. */
static void teams_done(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct cw_teams *t = arg;
	const char *code;
	json_t *v;

	(void)db;
	t->reading = false;
	if (err) {
		if (!err->connection_lost)
			cw_log_ratelimited("teams", CW_LOG_WARNING, "reading records.team: %s", err->message);
		json_decref(t->next_code);
		json_decref(t->next_id);
		t->next_code = t->next_id = NULL;
		return;
	}
	json_decref(t->by_code);
	json_decref(t->by_id);
	t->by_code = t->next_code;
	t->by_id = t->next_id;
	t->next_code = t->next_id = NULL;
	t->read_ms = cw_clock_monotonic_ms();
	t->example[0] = '\0';
	json_object_foreach (t->by_code, code, v) {
		if (!t->example[0] || strcmp(code, t->example) < 0)
			snprintf(t->example, sizeof(t->example), "%s", code);
	}
}

void cw_teams_refresh(struct cw_teams *t, struct cw_db *db, int64_t max_age_ms)
{
	struct cw_error e;

	if (t->reading || !db || !cw_db_is_connected(db))
		return;
	if (t->read_ms && max_age_ms > 0 && cw_clock_monotonic_ms() - t->read_ms < max_age_ms)
		return;
	t->next_code = json_object();
	t->next_id = json_object();
	if (!t->next_code || !t->next_id)
		abort();
	t->reading = cw_db_query(db, "SELECT team_id::text, code FROM records.team", 0, NULL, 0, teams_row,
				 teams_done, t, &e);
	if (!t->reading) {
		json_decref(t->next_code);
		json_decref(t->next_id);
		t->next_code = t->next_id = NULL;
	}
}

enum cw_teams_result cw_teams_resolve(const struct cw_teams *t, const char *name, char *id, size_t size)
{
	const json_t *found;
	const char *code;
	json_t *v;

	if (!t->read_ms)
		return CW_TEAMS_NOT_READ;
	found = json_object_get(t->by_code, name);
	if (!found && json_object_get(t->by_id, name)) {
		snprintf(id, size, "%s", name);
		return CW_TEAMS_FOUND;
	}
	if (!found) {
		json_object_foreach (t->by_code, code, v) {
			if (!strcasecmp(code, name)) {
				found = v;
				break;
			}
		}
	}
	if (!found)
		return CW_TEAMS_UNKNOWN;
	snprintf(id, size, "%s", json_string_value(found));
	return CW_TEAMS_FOUND;
}

size_t cw_teams_count(const struct cw_teams *t)
{
	return json_object_size(t->by_id);
}

const char *cw_teams_example(const struct cw_teams *t)
{
	return t->example;
}

int64_t cw_teams_age_ms(const struct cw_teams *t)
{
	return t->read_ms ? cw_clock_monotonic_ms() - t->read_ms : -1;
}
