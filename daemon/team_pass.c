/* team_pass.c - the pass's team step: the period's roll-backs read, team-level alerts computed and reconciled. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casewatch/team_alert.h"
#include "clock.h"
#include "log.h"
#include "team_pass.h"

/* The period's roll-backs: instants as epoch seconds, no text of a record. */
static const char team_rollback_sql[] =
	"SELECT rollback_id, team_id, records.epoch(rolled_back_at), agreed FROM records.team_rollback "
	"WHERE rolled_back_at >= $1::timestamptz AND rolled_back_at < $2::timestamptz";

static const char reconcile_team_sql[] =
	"SELECT count(*) FROM casewatch.reconcile_team($1::timestamptz, $2::text[], $3::bigint[], $4::text[], "
	"$5::timestamptz[], $6::timestamptz[], $7::integer[], $8::integer[], $9::timestamptz)";

struct cw_team_pass {
	const struct cw_policy *const *policy; /* the poller's: a reload may replace it mid-step */
	cw_time now, period_start, period_end;
	char now_text[CW_CLOCK_UTC_STRLEN + 8];
	struct cw_rollback *rows;
	size_t n_rows, cap_rows, bad_rows;
	struct cw_team_alerts alerts;
	unsigned last_alerts;
	cw_team_pass_done_fn done;
	void *arg;
};

struct cw_team_pass *cw_team_pass_new(void)
{
	struct cw_team_pass *t = calloc(1, sizeof(*t));

	if (t)
		cw_team_alerts_init(&t->alerts);
	return t;
}

void cw_team_pass_free(struct cw_team_pass *t)
{
	if (!t)
		return;
	free(t->rows);
	cw_team_alerts_free(&t->alerts);
	free(t);
}

unsigned cw_team_pass_alerts(const struct cw_team_pass *t)
{
	return t->last_alerts;
}

/* Whether the profile has a team-level rule switched on. */
static bool any_team_rule(const struct cw_policy *policy)
{
	for (size_t i = 0; i < cw_policy_rule_count(policy); i++)
		if (cw_team_rule(cw_policy_rule_at(policy, i)))
			return true;
	return false;
}

/* An integer column: false when it is not one. */
static bool col_int(const PGresult *res, int row, int col, int64_t *out)
{
	char *end;

	*out = strtoll(PQgetvalue(res, row, col), &end, 10);
	return *PQgetvalue(res, row, col) && !*end;
}

/* Each roll-back of the period; a malformed one is counted and skipped. */
static void on_rollback_rows(const PGresult *res, void *arg)
{
	struct cw_team_pass *t = arg;

	for (int i = 0; i < PQntuples(res); i++) {
		struct cw_rollback r = { .team_id = CW_TEAM_NO_TEAM };

		if (t->n_rows == t->cap_rows) {
			size_t cap = t->cap_rows ? 2 * t->cap_rows : 64;
			struct cw_rollback *v = realloc(t->rows, cap * sizeof(*v));

			if (!v) {
				t->bad_rows++;
				continue;
			}
			t->rows = v;
			t->cap_rows = cap;
		}
		if (!col_int(res, i, 0, &r.rollback_id) || PQgetisnull(res, i, 2) || !col_int(res, i, 2, &r.at) ||
		    (!PQgetisnull(res, i, 1) && !col_int(res, i, 1, &r.team_id))) {
			t->bad_rows++;
			continue;
		}
		r.agreed = !strcmp(PQgetvalue(res, i, 3), "t");
		t->rows[t->n_rows++] = r;
	}
}

static void on_reconciled(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct cw_team_pass *t = arg;

	if (err && !err->connection_lost)
		cw_log_ratelimited("team-reconcile", CW_LOG_ERR, "pass: team alerts: reconcile failed: %s%s%s",
				   err->message, *err->sqlstate ? " SQLSTATE " : "", err->sqlstate);
	if (!err)
		t->last_alerts = (unsigned)t->alerts.n;
	t->done(db, !err, err && err->connection_lost, t->arg);
}

/* A PostgreSQL array literal being written. */
struct arr {
	FILE *f;
	char *s;
	size_t len;
	bool any;
};

static bool arr_open(struct arr *a)
{
	memset(a, 0, sizeof(*a));
	a->f = open_memstream(&a->s, &a->len);
	if (a->f)
		fputc('{', a->f);
	return a->f != NULL;
}

static void arr_sep(struct arr *a)
{
	if (a->any)
		fputc(',', a->f);
	a->any = true;
}

static void arr_time(struct arr *a, cw_time t)
{
	char buf[CW_CLOCK_UTC_STRLEN];

	arr_sep(a);
	if (t == CW_TEAM_NO_ESCALATION) {
		fputs("NULL", a->f);
		return;
	}
	cw_clock_format_utc(t, buf);
	fputs(buf, a->f);
}

/* Rule ids and audiences are policy codes: quoted, no quote inside. */
static void arr_text(struct arr *a, const char *s)
{
	arr_sep(a);
	fputc('"', a->f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', a->f);
		fputc(*s, a->f);
	}
	fputc('"', a->f);
}

static void arr_int(struct arr *a, int64_t v)
{
	arr_sep(a);
	fprintf(a->f, "%" PRId64, v);
}

static bool arr_close(struct arr *a)
{
	fputc('}', a->f);
	return fclose(a->f) == 0;
}

enum { A_RULE, A_TEAM, A_AUDIENCE, A_FIRST, A_ESCALATE, A_COUNT, A_UNAGREED, A_N };

/* The alerts (t->alerts) to casewatch.reconcile_team(). */
static bool submit_reconcile(struct cw_team_pass *t, struct cw_db *db)
{
	char start[CW_CLOCK_UTC_STRLEN];
	const char *params[A_N + 2];
	struct arr a[A_N];
	struct cw_error e;
	bool ok = true;
	int opened = 0;

	for (; opened < A_N; opened++)
		if (!arr_open(&a[opened])) {
			ok = false;
			break;
		}
	for (size_t i = 0; ok && i < t->alerts.n; i++) {
		const struct cw_team_alert *x = &t->alerts.v[i];

		arr_text(&a[A_RULE], x->rule_id);
		arr_int(&a[A_TEAM], x->team_id);
		arr_text(&a[A_AUDIENCE], x->audience);
		arr_time(&a[A_FIRST], x->first_at);
		arr_time(&a[A_ESCALATE], x->escalate_at);
		arr_int(&a[A_COUNT], x->counted);
		arr_int(&a[A_UNAGREED], x->unagreed);
	}
	for (int i = 0; i < opened; i++)
		ok = arr_close(&a[i]) && ok;
	if (!ok) {
		cw_log_ratelimited("team-submit", CW_LOG_ERR, "pass: team alerts: out of memory");
	} else {
		cw_clock_format_utc(t->period_start, start);
		params[0] = start;
		for (int i = 0; i < A_N; i++)
			params[1 + i] = a[i].s;
		params[A_N + 1] = t->now_text;
		ok = cw_db_query(db, reconcile_team_sql, A_N + 2, params, 0, NULL, on_reconciled, t, &e);
		if (!ok)
			cw_log_ratelimited("team-submit", CW_LOG_ERR, "pass: team alerts: %s", e.msg);
	}
	for (int i = 0; i < opened; i++)
		free(a[i].s);
	return ok;
}

/* The roll-backs are in: compute and reconcile. */
static void on_rollbacks_read(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct cw_team_pass *t = arg;

	if (err) {
		/* The records interface's message may quote a value of a
		 * record: where and SQLSTATE only. */
		if (!err->connection_lost)
			cw_log_ratelimited("team-read", CW_LOG_ERR,
					   "pass: team alerts: reading records.team_rollback failed: SQLSTATE %s "
					   "(the message is withheld because it may quote a record; the database "
					   "server's log has it)",
					   *err->sqlstate ? err->sqlstate : "none");
		t->done(db, false, err->connection_lost, t->arg);
		return;
	}
	if (t->bad_rows)
		cw_log_ratelimited("team-rows", CW_LOG_NOTICE,
				   "pass: team alerts: %zu roll-backs of records.team_rollback unreadable, not counted",
				   t->bad_rows);
	if (!cw_team_alerts_compute(*t->policy, t->rows, t->n_rows, t->now, &t->alerts)) {
		cw_log_ratelimited("team-compute", CW_LOG_ERR, "pass: team alerts: out of memory");
		t->done(db, false, false, t->arg);
		return;
	}
	if (!submit_reconcile(t, db))
		t->done(db, false, false, t->arg);
}

bool cw_team_pass_run(struct cw_team_pass *t, struct cw_db *db, const struct cw_policy *const *policy, cw_time now,
		      const char *now_text, cw_team_pass_done_fn done, void *arg)
{
	char from[CW_CLOCK_UTC_STRLEN], to[CW_CLOCK_UTC_STRLEN];
	const char *params[2] = { from, to };
	struct cw_error e;

	t->policy = policy;
	t->now = now;
	snprintf(t->now_text, sizeof(t->now_text), "%s", now_text);
	t->done = done;
	t->arg = arg;
	t->n_rows = 0;
	t->bad_rows = 0;
	t->alerts.n = 0;
	cw_team_period(now, &t->period_start, &t->period_end);
	if (!any_team_rule(*policy))
		return submit_reconcile(t, db); /* nothing owed: close what is open */
	cw_clock_format_utc(t->period_start, from);
	cw_clock_format_utc(t->period_end, to);
	if (!cw_db_query(db, team_rollback_sql, 2, params, 0, on_rollback_rows, on_rollbacks_read, t, &e)) {
		cw_log_ratelimited("team-submit", CW_LOG_ERR, "pass: team alerts: %s", e.msg);
		return false;
	}
	return true;
}
