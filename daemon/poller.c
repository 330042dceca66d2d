/* poller.c - one pass: changed persons, obligations, reconcile, advance, deliver. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "casewatch/facts.h"
#include "casewatch/obligation.h"
#include "casewatch/policy.h"
#include "clock.h"
#include "deliver.h"
#include "facts_reader.h"
#include "log.h"
#include "changes.h"
#include "metrics.h"
#include "obligation_batch.h"
#include "poller.h"
#include "retention_pass.h"
#include "stored_digest.h"
#include "team_pass.h"
#include "teams.h"
#include "watermark.h"

/* Persons per page: one read of every relation and one reconcile
 * transaction each. Large enough to keep round trips few, small enough
 * that a page's rows stay a few MB. */
#define POLLER_PAGE 1000
/* Stored obligations advanced per call of casewatch.advance(), and calls
 * per pass at most (the rest waits for the next pass). */
#define POLLER_ADVANCE_LIMIT 1000
#define POLLER_ADVANCE_ROUNDS 100
/* The records' teams are read again on a pass when older than this. */
#define POLLER_TEAMS_MAX_AGE_MS 60000
/* Met obligations due longer ago than this are not sent on a sweep. */
#define POLLER_HORIZON_SECONDS (90 * 86400)

/* A page's facts and the store's digests of its persons, read together. */
struct page_reader {
	struct cw_facts_reader *facts;
	struct cw_stored_digests *digests;
};

/* Which persons a pass reads: all, then those gone from the records with
 * alerts still open; or only those changed since the last pass. */
enum poller_mode { MODE_SWEEP, MODE_ORPHANS, MODE_CHANGED };
/* Where a pass is: each phase runs even when the one before failed. */
enum poller_phase { PHASE_PERSONS, PHASE_ADVANCE, PHASE_DELIVER };

struct cw_poller {
	struct cw_policy *policy;
	struct cw_calendar *cal;
	struct cw_daemon *daemon;
	struct cw_deliver *deliver;
	struct cw_teams *teams;		/* kept current for the socket (borrowed; may be NULL) */
	FILE *json_out;
	int64_t sweep_interval_ms;	/* 0: sweep only at start and on a profile change */
	int64_t change_overlap_ms;	/* change markers are re-read this far back */
	int64_t notice_window_ms;	/* retention_notice_window */
	int64_t destruction_grace_ms;	/* destruction_grace */
	unsigned profile_generation;	/* bumped by each profile change */
	char *profile_refused;		/* the profile the last reload refused, or NULL */
	cw_time profile_refused_at;
	int64_t last_sweep_ms;		/* monotonic start of the last complete sweep */
	struct cw_watermark_setup setup; /* profile, calendar and version in effect */
	struct cw_watermark_stored stored; /* the store's watermark and last sweep */
	bool stored_loaded;		/* read since the last (re)connection */
	bool force_sweep;		/* --once: every pass is a sweep */
	struct cw_changes *changes;	/* change markers already processed */

	/* The pass in progress. */
	bool pass_ok;
	unsigned pass_generation;	/* the profile the pass began under */
	enum poller_phase phase;
	cw_time now;
	char now_text[CW_CLOCK_UTC_STRLEN];
	int64_t pass_started_ms;
	enum poller_mode mode;
	int64_t cursor;			/* last person id of the previous page */
	int64_t page_after;		/* the cursor the page began after */
	int64_t *page_persons;		/* the page's person ids, ascending */
	size_t n_page_persons, cap_page_persons;
	char pass_watermark[64];	/* the database's now() when this pass began */
	char watermark[64];		/* changes after this are not yet seen ("" = none) */
	size_t page_rows;
	bool still_due;			/* stored rows still due to move at now */
	unsigned advance_rounds;
	struct cw_obatch *batch;	/* the page being written: its persons and what they owe */
	struct cw_obatch *fill;		/* the page being computed, written after it */
	size_t retry_index;		/* a refused page: the person being retried */
	uint64_t pass_persons;
	uint64_t pass_unchanged;	/* persons whose obligations were left out as unchanged */

	struct page_reader reader;	/* pages read on the daemon's connection */
	struct cw_obligations obligations;

	/* Reading ahead: while a page is reconciled on the daemon's connection,
	 * the next page's ids and facts are read on a second one, so reading,
	 * computing and writing overlap (the page read is computed once the
	 * page before is written). Without the reader connection the next page
	 * is read on the daemon's, queued before the write. */
	bool read_ahead;		/* the read_ahead setting */
	struct cw_db *rdb;		/* the reader connection (opened at the first pass) */
	struct page_reader ahead[2];	/* pages read on rdb, in turns: one is read while the other is computed */
	unsigned ahead_next;		/* the one the next page on rdb is read by */
	struct page_reader *read_by;	/* the page being read, or read */
	struct page_reader *computing;	/* the page being computed */
	bool reading;			/* a page is being read */
	bool read_landed;		/* it is in: read_failed/read_err say how */
	bool read_failed;
	struct cw_db_error read_err;
	bool read_on_rdb;		/* it is read on rdb */
	bool writing;			/* a page (batch) is being reconciled */
	bool write_full;		/* that page was full: more may follow */
	bool computed;			/* a page (fill) is computed, to be written next */
	bool fill_full;			/* that page was full */
	bool finish_waits;		/* the pass ends when the read in flight lands */
	struct cw_poller_stats stats;

	/* Retention (records officers): the placed holds and vanished persons
	 * read at the start of each pass (into holds_next, then swapped, so a
	 * failed read keeps the last good ones), and one person's retention. */
	struct cw_retention_holds holds, holds_next;
	struct cw_retention *retention;
	/* What retention cost this pass, for the "pass done" line and
	 * bench/retention.sh: computing the persons' notices (ns), and its
	 * steps before the persons (persons gone, holds read: ms). */
	int64_t retention_ns;
	int64_t retention_steps_started_ms, retention_steps_ms;

	/* Team-level alerts (ROLLBACK-RATE): a step of their own before the
	 * persons (daemon/team_pass.c). */
	struct cw_team_pass *team_pass;
};

static void pass_persons_page(struct cw_poller *p, struct cw_db *db);
static bool read_sweep_page_ahead(struct cw_poller *p);
static void page_step(struct cw_poller *p, struct cw_db *db);
static void page_written(struct cw_poller *p, struct cw_db *db);
static void pass_advance(struct cw_poller *p, struct cw_db *db);
static void pass_deliver(struct cw_poller *p, struct cw_db *db);
static void pass_finish(struct cw_poller *p);

/* Whether every time an obligation carries can be stored: the store's
 * timestamps and cw_clock_format_utc() stop at the years 1 and 9999, and
 * a far-future event date (say 9999-12-30 plus five working days) must
 * not fail its whole page. */
static bool obligation_storable(const struct cw_obligation *o)
{
	cw_time t[4 + CW_OBLIGATION_MAX_ESCALATIONS] = { o->cycle_start, o->warn_at, o->due_at, o->met_at };
	size_t n = 4;

	for (size_t i = 0; i < o->n_escalations; i++)
		t[n++] = o->escalate_at[i];
	for (size_t i = 0; i < n; i++)
		if (t[i] != CW_TIME_NONE && !cw_clock_storable(t[i]))
			return false;
	return true;
}

static bool page_reader_init(struct page_reader *r)
{
	r->facts = cw_facts_reader_new();
	r->digests = cw_stored_digests_new();
	return r->facts && r->digests;
}

static void page_reader_free(struct page_reader *r)
{
	cw_facts_reader_free(r->facts);
	cw_stored_digests_free(r->digests);
	r->facts = NULL;
	r->digests = NULL;
}

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Computes one person's obligations from the facts the page read and
 * adds them to the page's batch. A person whose facts are gone (NULL:
 * deleted since) owes nothing: reconcile withdraws what was open. */
static void compute_person(struct cw_poller *p, int64_t person_id, const struct cw_facts *facts)
{
	struct cw_compute_options opts = { .horizon = POLLER_HORIZON_SECONDS };
	int64_t t0, stored;

	p->pass_persons++;
	cw_obatch_person(p->fill, person_id);
	if (p->computing && cw_stored_digests_find(p->computing->digests, person_id, &stored))
		cw_obatch_stored_digest(p->fill, stored);
	if (!facts) {
		/* Gone without approval: NO-EARLY-DESTROY stays open. */
		t0 = mono_ns();
		p->stats.obligations_sent += cw_retention_pass_gone(&p->holds, cw_retention_no_early_rule(p->policy),
								    person_id, p->fill);
		p->retention_ns += mono_ns() - t0;
		return;
	}
	cw_obligations_compute(p->policy, p->cal, facts, p->now, &opts, &p->obligations);
	for (size_t i = 0; i < p->obligations.count; i++) {
		const struct cw_obligation *o = &p->obligations.v[i];
		bool storable = obligation_storable(o);

		if (!storable || !cw_obatch_add(p->fill, o, facts)) {
			cw_log_ratelimited("obligation-unstorable", CW_LOG_NOTICE,
					   "records: person %" PRId64 ": %s on %s %" PRId64 ": %s, not stored",
					   person_id, o->rule_id, cw_obatch_anchor_name(o->anchor_kind), o->anchor_id,
					   storable ? "incomplete obligation" : "a time outside the years 1-9999");
			p->stats.facts_problems++;
			continue;
		}
		p->stats.obligations_sent++;
	}
	t0 = mono_ns();
	p->stats.obligations_sent += cw_retention_pass_person(p->policy, p->cal, facts, p->now, &p->holds,
							      p->retention, p->fill);
	p->retention_ns += mono_ns() - t0;
	for (size_t i = 0; i < p->obligations.n_problems; i++) {
		char buf[CW_FACTS_PROBLEM_STRLEN];

		cw_facts_problem_format(facts, p->obligations.problems[i], buf);
		cw_log_ratelimited("facts-problem", CW_LOG_NOTICE, "records: %s", buf);
		p->stats.facts_problems++;
	}
}

/* Each row of a page's query: a person id, ascending (and, for changed
 * persons, the lag since their first change not seen before). */
static void on_page_row(const PGresult *res, void *arg)
{
	struct cw_poller *p = arg;
	size_t n = (size_t)PQntuples(res);

	if (p->n_page_persons + n > p->cap_page_persons) {
		size_t cap = p->n_page_persons + n;
		int64_t *v = realloc(p->page_persons, cap * sizeof(*v));

		if (!v) {
			cw_log(CW_LOG_ERR, "out of memory");
			abort();
		}
		p->page_persons = v;
		p->cap_page_persons = cap;
	}
	for (size_t r = 0; r < n; r++) {
		int64_t id = strtoll(PQgetvalue(res, (int)r, 0), NULL, 10);

		p->page_persons[p->n_page_persons++] = id;
		if (PQnfields(res) > 1 && !PQgetisnull(res, (int)r, 1))
			cw_metrics_note_change_lag(strtod(PQgetvalue(res, (int)r, 1), NULL));
		p->cursor = id;
		p->page_rows++;
	}
}

/* One person of the page, as the facts reader built it. */
static void on_person_facts(int64_t person_id, const struct cw_facts *facts, void *arg)
{
	compute_person(arg, person_id, facts);
}

/* Logs a failed step once (rate-limited). A lost connection ends the pass
 * (the daemon reconnects and starts another); any other failure only ends
 * its own phase: time still moves the stored alerts on, and what is due is
 * still delivered, so one bad page cannot silence every alert. */
static void pass_failed(struct cw_poller *p, const char *what, const struct cw_db_error *err)
{
	if (!err->connection_lost)
		cw_log_ratelimited(what, CW_LOG_ERR, "pass: %s failed: %s%s%s", what, err->message,
				   *err->sqlstate ? " SQLSTATE " : "", err->sqlstate);
	p->pass_ok = false;
	if (err->connection_lost || p->phase == PHASE_DELIVER) {
		pass_finish(p);
		return;
	}
	if (p->phase == PHASE_PERSONS)
		pass_advance(p, cw_daemon_db(p->daemon));
	else
		pass_deliver(p, cw_daemon_db(p->daemon));
}

/* Sends the page's persons and obligations (all of them, or person i
 * alone) to casewatch.reconcile_set(); the page stays in the batch until
 * its reply. */
static bool submit_reconcile(struct cw_poller *p, struct cw_db *db, size_t person, cw_db_done_fn done)
{
	struct cw_error e;

	if (cw_obatch_submit(p->batch, db, person, p->now_text, done, p, &e))
		return true;
	cw_log_ratelimited("reconcile-submit", CW_LOG_ERR, "pass: reconcile: %s", e.msg);
	return false;
}

static void clear_page(struct cw_poller *p)
{
	cw_obatch_clear(p->batch);
}

/* The watermark is stored: on to time. */
static void on_watermark_saved(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct cw_poller *p = arg;

	if (err) {
		pass_failed(p, "storing the watermark", err);
		return;
	}
	pass_advance(p, db);
}

/* The persons phase is over: the next pass's watermark, and on to time. */
static void persons_done(struct cw_poller *p, struct cw_db *db)
{
	struct cw_error e;
	bool swept;

	if (p->mode == MODE_SWEEP) {
		/* Then the persons the records no longer have but the store
		 * still holds open alerts for: reconciled with nothing owed. */
		p->mode = MODE_ORPHANS;
		p->cursor = 0;
		pass_persons_page(p, db);
		return;
	}
	swept = p->mode == MODE_ORPHANS && p->profile_generation == p->pass_generation;
	if (p->mode == MODE_ORPHANS) {
		if (swept) {
			p->stats.swept = true;
			p->stats.sweeps++;
			p->last_sweep_ms = p->pass_started_ms;
		}
		cw_log(CW_LOG_NOTICE, "sweep: %" PRIu64 " persons evaluated under profile %s",
		       p->pass_persons, cw_policy_name(p->policy));
	}
	snprintf(p->watermark, sizeof(p->watermark), "%s", p->pass_watermark);
	/* Only a pass that went through: a refused person is read again. */
	if (p->pass_ok)
		cw_changes_commit(p->changes);
	/* The watermark (and a complete sweep's setup) outlives the process:
	 * stored after the persons phase, so a crash leaves an older one. */
	if (!cw_watermark_save(db, p->watermark, swept ? &p->setup : NULL, p->pass_persons, on_watermark_saved,
			       p, &e)) {
		cw_log_ratelimited("watermark-save", CW_LOG_ERR, "pass: storing the watermark: %s", e.msg);
		p->pass_ok = false;
		pass_advance(p, db);
	}
}

static void reconcile_next_single(struct cw_poller *p, struct cw_db *db);

/* One person of a failed page reconciled, or refused: the next one. */
static void on_single_reconciled(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct cw_poller *p = arg;

	if (err && err->connection_lost) {
		clear_page(p);
		p->writing = false;
		pass_failed(p, "reconcile", err);
		return;
	}
	if (err) {
		cw_log_ratelimited("reconcile-person", CW_LOG_ERR,
				   "person %" PRId64 ": reconcile failed: %s%s%s; its alerts are kept as they "
				   "were and it is tried again at the next sweep",
				   cw_obatch_person_id(p->batch, p->retry_index), err->message,
				   *err->sqlstate ? " SQLSTATE " : "", err->sqlstate);
		p->stats.persons_failed++;
		p->pass_ok = false;
	}
	p->retry_index++;
	reconcile_next_single(p, db);
}

/* Reconciles the failed page's persons one at a time. */
static void reconcile_next_single(struct cw_poller *p, struct cw_db *db)
{
	if (p->retry_index >= cw_obatch_persons(p->batch)) {
		clear_page(p);
		page_written(p, db);
		return;
	}
	if (!submit_reconcile(p, db, p->retry_index, on_single_reconciled)) {
		p->retry_index = cw_obatch_persons(p->batch);
		p->pass_ok = false;
		reconcile_next_single(p, db);
	}
}

/* The page's reconcile committed: next page, or on to advancing. A page
 * the store refused is tried again person by person, so one person's bad
 * data holds back only that person. */
static void on_reconciled(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct cw_poller *p = arg;

	if (err && !err->connection_lost && cw_obatch_persons(p->batch) > 0) {
		cw_log_ratelimited("reconcile-page", CW_LOG_WARNING,
				   "pass: reconcile of %zu persons failed (%s%s%s); reconciling them one by one",
				   cw_obatch_persons(p->batch), err->message,
				   *err->sqlstate ? " SQLSTATE " : "", err->sqlstate);
		p->retry_index = 0;
		reconcile_next_single(p, db);
		return;
	}
	if (!err)
		p->pass_unchanged += cw_obatch_left_out(p->batch);
	clear_page(p);
	if (err) {
		p->writing = false;
		pass_failed(p, "reconcile", err);
		return;
	}
	page_written(p, db);
}

/* A page is written: the persons phase is over after a short page, else
 * the next page is computed once read (it is being read already, except
 * for the orphans, which are read after each write). */
static void page_written(struct cw_poller *p, struct cw_db *db)
{
	p->writing = false;
	if (!p->write_full)
		persons_done(p, db);
	else if (!p->reading && !p->read_landed && !p->computed)
		pass_persons_page(p, db);
	else
		page_step(p, db);
}

/* Reading a page failed: the pass goes on with time (or, with the
 * connection lost, ends). */
static void page_read_failed(struct cw_poller *p, struct cw_db *db, const struct cw_db_error *err)
{
	clear_page(p);
	if (!err->connection_lost) {
		/* The records interface's own error may quote a value of a
		 * record: log where, never the message. */
		cw_log_ratelimited("reading persons", CW_LOG_ERR,
				   "pass: reading the facts of persons after id %" PRId64
				   " failed: SQLSTATE %s (the message is withheld because it may quote "
				   "a record; the database server's log has it)",
				   p->page_after, *err->sqlstate ? err->sqlstate : "none");
		p->pass_ok = false;
		pass_advance(p, db);
		return;
	}
	pass_failed(p, "reading persons", err);
}

/* Moves the persons phase on as far as it can: the computed page is
 * written once the one before is (writing); a page read is computed once
 * the one before has left fill (computed), and then the next one is read
 * (a full page may have one), so reading, computing and writing overlap.
 * The end of the persons (or a failed read) waits for the last write. */
static void page_step(struct cw_poller *p, struct cw_db *db)
{
	bool ahead;

	for (;;) {
		if (!p->writing && p->computed) {
			struct cw_obatch *t = p->batch;

			p->batch = p->fill;
			p->fill = t;
			p->computed = false;
			p->write_full = p->fill_full;
			p->writing = true;
			if (!submit_reconcile(p, db, CW_OBATCH_ALL, on_reconciled)) {
				p->writing = false;
				clear_page(p);
				p->pass_ok = false;
				pass_advance(p, db);
				return;
			}
			continue;
		}
		if (!p->read_landed || p->computed)
			return;
		if (p->read_failed || p->page_rows == 0) {
			if (p->writing)
				return;
			cw_facts_reader_discard(p->read_by->facts);
			p->read_landed = false;
			if (p->read_failed)
				page_read_failed(p, db, &p->read_err);
			else
				persons_done(p, db);
			return;
		}
		p->read_landed = false;
		p->fill_full = p->page_rows == POLLER_PAGE;
		p->computing = p->read_by;
		/* A sweep's next page is asked for on the reader connection
		 * before this one is computed, so the server reads it
		 * meanwhile; elsewhere it is read once this one is computed.
		 * The orphans query reads the store: only after this page is
		 * written. */
		ahead = p->fill_full && p->mode == MODE_SWEEP && p->read_on_rdb && read_sweep_page_ahead(p);
		if (p->mode == MODE_ORPHANS) {
			for (size_t i = 0; i < p->n_page_persons; i++)
				compute_person(p, p->page_persons[i], NULL);
		} else {
			cw_facts_reader_merge(p->computing->facts, on_person_facts, p);
		}
		p->computing = NULL;
		/* formatted now, while the page before is written */
		cw_obatch_seal(p->fill);
		p->computed = true;
		if (p->fill_full && p->mode != MODE_ORPHANS && !ahead)
			pass_persons_page(p, db);
	}
}

/* A page's ids and facts are read (or not). A page lost with the reader
 * connection is read again on the daemon's; one the pass no longer waits
 * for (it failed meanwhile) is dropped. */
static void page_read(struct cw_poller *p, const struct cw_db_error *err)
{
	struct cw_db *db = cw_daemon_db(p->daemon);

	p->reading = false;
	if (p->finish_waits || p->phase != PHASE_PERSONS) {
		cw_facts_reader_discard(p->read_by->facts);
		if (p->finish_waits) {
			p->finish_waits = false;
			pass_finish(p);
		}
		return;
	}
	if (err && err->connection_lost && p->read_on_rdb) {
		cw_log(CW_LOG_NOTICE, "pass: the reader connection was lost; reading the persons after id %" PRId64
		       " on the main connection", p->page_after);
		p->cursor = p->page_after;
		pass_persons_page(p, db);
		return;
	}
	if (!err && p->read_on_rdb && p->page_rows > 0)
		cw_log(CW_LOG_DEBUG, "pass: %zu persons after id %" PRId64 " read on the reader connection",
		       p->page_rows, p->page_after);
	p->read_landed = true;
	p->read_failed = err != NULL;
	if (err)
		p->read_err = *err;
	page_step(p, db);
}

static void on_facts_read(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	(void)db;
	page_read(arg, err);
}

/* A sweep's page is in: its ids are the reader's. */
static void on_sweep_page_read(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct cw_poller *p = arg;
	const int64_t *ids;
	size_t n;

	(void)db;
	if (!err) {
		n = cw_facts_reader_page_ids(p->read_by->facts, &ids);
		if (n > p->cap_page_persons) {
			int64_t *v = realloc(p->page_persons, n * sizeof(*v));

			if (!v) {
				cw_log(CW_LOG_ERR, "out of memory");
				abort();
			}
			p->page_persons = v;
			p->cap_page_persons = n;
		}
		p->n_page_persons = p->page_rows = n;
		if (n) {
			memcpy(p->page_persons, ids, n * sizeof(*ids));
			p->cursor = ids[n - 1];
		}
	}
	page_read(p, err);
}

/* Reading a page could not even be asked for. */
static void page_submit_failed(struct cw_poller *p, const struct cw_error *e, bool lost)
{
	struct cw_db_error err = { .connection_lost = lost };

	cw_log_ratelimited("persons-submit", CW_LOG_ERR, "pass: reading persons: %s", e->msg);
	snprintf(err.message, sizeof(err.message), "%.*s", (int)sizeof(err.message) - 1, e->msg);
	page_read(p, &err);
}

static void on_page_ids(struct cw_db *db, const struct cw_db_error *err, void *arg);

/* A page read begins (by r, on the reader connection or not). */
static void page_begin(struct cw_poller *p, struct page_reader *r, bool on_rdb)
{
	p->phase = PHASE_PERSONS;
	p->page_rows = 0;
	p->n_page_persons = 0;
	p->page_after = p->cursor;
	p->read_on_rdb = on_rdb;
	p->read_by = r;
	p->reading = true;
	p->read_landed = false;
}

/* Asks for a sweep's next page on the reader connection, by the one of
 * its two readers not holding the page being computed; false, nothing
 * begun, when it cannot (the page is then read on the daemon's). */
static bool read_sweep_page_ahead(struct cw_poller *p)
{
	struct page_reader *r = &p->ahead[p->ahead_next % 2];
	struct cw_facts_reader_also also;
	struct cw_error e;

	if (!p->rdb || !cw_db_is_connected(p->rdb))
		return false;
	cw_stored_digests_also(r->digests, false, &also);
	/* Begun before submitting: a connection failing as the read is sent
	 * lands it (lost: read again on the main one) before the call returns. */
	page_begin(p, r, true);
	p->ahead_next++;
	if (!cw_facts_reader_fetch_after(r->facts, p->rdb, p->cursor, POLLER_PAGE, &also, on_sweep_page_read, p,
					 &e)) {
		p->ahead_next--;
		p->reading = false;
		cw_log_ratelimited("persons-submit", CW_LOG_NOTICE,
				   "pass: reading persons on the reader connection: %s; on the main one", e.msg);
		return false;
	}
	return true;
}

/* Reads the next page: a sweep's persons with their ids and facts in one
 * go; or the ids of the changed persons, or (after a sweep) of those gone
 * from the records with alerts still open, then (on_page_ids) the changed
 * persons' facts. */
static void pass_persons_page(struct cw_poller *p, struct cw_db *db)
{
	/* The second column: seconds from the person's first change not seen by
	 * an earlier pass to now (null when all were), for the lag metric. */
	static const char *const changed_sql =
		"SELECT c.person_id, "
		"extract(epoch FROM clock_timestamp() - (SELECT min(m.changed_at) FROM records.changed_person m "
		"      WHERE m.person_id = c.person_id AND m.changed_at > $4::timestamptz))::float8 "
		"FROM unnest($3::bigint[]) c(person_id) WHERE c.person_id > $1::bigint "
		"ORDER BY c.person_id LIMIT $2::int";
	static const char *const orphans_sql =
		"SELECT DISTINCT a.person_id FROM casewatch.alert a "
		"WHERE a.person_id > $1::bigint "
		"AND a.state NOT IN ('resolved', 'withdrawn', 'met_on_time', 'met_late') "
		"AND a.rule_id <> 'NO-EARLY-DESTROY' " /* open until acknowledged (006_retention.sql) */
		"AND NOT EXISTS (SELECT 1 FROM records.person r WHERE r.person_id = a.person_id) "
		"ORDER BY a.person_id LIMIT $2::int";
	char cursor[24], limit[16], changed[POLLER_PAGE * 21 + 3];
	const char *params[4] = { cursor, limit, changed, p->watermark };
	const char *sql = p->mode == MODE_ORPHANS ? orphans_sql : changed_sql;
	struct cw_facts_reader_also also;
	struct cw_db *on = db;
	struct cw_error e;

	snprintf(cursor, sizeof(cursor), "%" PRId64, p->cursor);
	snprintf(limit, sizeof(limit), "%d", POLLER_PAGE);
	/* changed: the next page of the persons changes.c found unprocessed */
	if (p->mode == MODE_CHANGED)
		cw_changes_page(p->changes, p->cursor, POLLER_PAGE, changed, sizeof(changed));
	/* A sweep's pages are read on the reader connection when it is up.
	 * The orphans come from the store, which only this connection writes;
	 * a poll's changed persons are mostly one page, with nothing to
	 * overlap, and were no faster on the reader (bench/RESULTS.md). */
	if (p->mode == MODE_SWEEP && read_sweep_page_ahead(p))
		return;
	page_begin(p, &p->reader, false);
	if (p->mode == MODE_SWEEP) {
		cw_stored_digests_also(p->reader.digests, false, &also);
		if (!cw_facts_reader_fetch_after(p->reader.facts, on, p->cursor, POLLER_PAGE, &also,
						 on_sweep_page_read, p, &e))
			page_submit_failed(p, &e, !cw_db_is_connected(on));
		return;
	}
	if (!cw_db_query(on, sql, p->mode == MODE_CHANGED ? 4 : 2, params, 0, on_page_row, on_page_ids, p, &e))
		page_submit_failed(p, &e, true);
}

/* The page's ids are in: read the changed persons' facts, and the
 * store's digests of them. Persons gone from the records owe nothing. */
static void on_page_ids(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct cw_poller *p = arg;
	struct cw_facts_reader_also also;
	struct cw_error e;

	if (err || p->page_rows == 0 || p->mode == MODE_ORPHANS) {
		cw_stored_digests_clear(p->read_by->digests);
		page_read(p, err);
		return;
	}
	cw_stored_digests_also(p->read_by->digests, true, &also);
	if (!cw_facts_reader_fetch(p->read_by->facts, db, p->page_persons, p->n_page_persons, &also,
				   on_facts_read, p, &e))
		page_submit_failed(p, &e, !cw_db_is_connected(db));
}

/* Each person gone without approval. */
static void on_vanished_row(const PGresult *res, void *arg)
{
	struct cw_poller *p = arg;

	for (int i = 0; i < PQntuples(res); i++)
		if (!cw_retention_vanished_add_row(&p->holds_next, res, i))
			cw_log_ratelimited("vanished-row", CW_LOG_ERR, "casewatch.destruction %s: unreadable",
					   PQgetvalue(res, i, 0));
}

/* Each approved destruction not yet confirmed. */
static void on_approved_row(const PGresult *res, void *arg)
{
	struct cw_poller *p = arg;

	for (int i = 0; i < PQntuples(res); i++)
		if (!cw_retention_approved_add_row(&p->holds_next, res, i))
			cw_log_ratelimited("approved-row", CW_LOG_ERR, "casewatch.destruction %s: unreadable",
					   PQgetvalue(res, i, 0));
}

/* Each placed hold still running today. */
static void on_hold_row(const PGresult *res, void *arg)
{
	struct cw_poller *p = arg;

	for (int i = 0; i < PQntuples(res); i++)
		if (!cw_retention_holds_add_row(&p->holds_next, res, i))
			cw_log_ratelimited("hold-row", CW_LOG_ERR, "casewatch.hold %s: unreadable, not applied",
					   PQgetvalue(res, i, 0));
}

/* Holds and vanished persons read: on to the persons. A failure other than
 * a lost connection keeps the last pass's holds, so retention can never
 * stop the recording deadlines from being evaluated. */
static void on_holds_read(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct cw_poller *p = arg;
	struct cw_retention_holds t;

	if (err && err->connection_lost) {
		pass_failed(p, "retention: reading holds", err);
		return;
	}
	if (err) {
		p->pass_ok = false; /* the pass goes on, but reports the failed step */
		cw_log_ratelimited("holds-read", CW_LOG_ERR,
				   "pass: retention: reading holds failed, keeping the last ones read: %s%s%s",
				   err->message, *err->sqlstate ? " SQLSTATE " : "", err->sqlstate);
	} else {
		t = p->holds;
		p->holds = p->holds_next;
		p->holds_next = t;
	}
	p->retention_steps_ms = cw_clock_monotonic_ms() - p->retention_steps_started_ms;
	p->cursor = 0;
	p->pass_persons = 0;
	p->writing = false;
	p->read_landed = false;
	p->computed = false;
	pass_persons_page(p, db);
}

/* The placed holds (casewatch.hold), the approved destructions and the
 * vanished persons for this pass, with the settings they apply under. */
static void read_holds(struct cw_poller *p, struct cw_db *db)
{
	char today[CW_DAY_STRLEN];
	const char *rule = cw_retention_no_early_rule(p->policy);
	const char *params[1] = { today };
	struct cw_db_job *job;
	struct cw_error e;

	cw_retention_holds_clear(&p->holds_next);
	p->holds_next.notice_days = (int)(p->notice_window_ms / 86400000);
	p->holds_next.grace_seconds = p->destruction_grace_ms / 1000;
	cw_day_format(cw_london_day(p->now), today);
	job = cw_db_job_new(false);
	cw_db_job_add(job, cw_retention_holds_sql, 1, params, 0, on_hold_row, p);
	cw_db_job_add(job, cw_retention_approved_sql, 0, NULL, 0, on_approved_row, p);
	if (rule)
		cw_db_job_add(job, cw_retention_vanished_sql, 1, &rule, 0, on_vanished_row, p);
	if (!cw_db_submit(db, job, on_holds_read, p, &e)) {
		cw_log_ratelimited("holds-submit", CW_LOG_ERR, "pass: retention: reading holds: %s", e.msg);
		p->pass_ok = false;
		pass_advance(p, db);
	}
}

/* Persons gone from the records dealt with (destructions confirmed,
 * NO-EARLY-DESTROY raised) before the vanished persons are read. */
static void on_gone_done(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct cw_poller *p = arg;

	if (err && err->connection_lost) {
		pass_failed(p, "retention: persons gone from the records", err);
		return;
	}
	if (err) {
		p->pass_ok = false; /* the pass goes on, but reports the failed step */
		cw_log_ratelimited("retention-gone", CW_LOG_ERR,
				   "pass: retention: persons gone from the records: %s%s%s", err->message,
				   *err->sqlstate ? " SQLSTATE " : "", err->sqlstate);
	}
	read_holds(p, db);
}

static void retention_gone(struct cw_poller *p, struct cw_db *db)
{
	const char *gone[2] = { p->now_text, cw_retention_no_early_rule(p->policy) };
	struct cw_error e;

	p->retention_steps_started_ms = cw_clock_monotonic_ms();
	if (!cw_db_query(db, cw_retention_gone_sql, 2, gone, 0, NULL, on_gone_done, p, &e)) {
		cw_log_ratelimited("holds-submit", CW_LOG_ERR, "pass: retention: %s", e.msg);
		p->pass_ok = false;
		pass_advance(p, db);
	}
}

/* The team step is over: a failure other than a lost connection is
 * logged (team_pass.c) and the pass goes on to the persons. */
static void on_team_done(struct cw_db *db, bool ok, bool lost, void *arg)
{
	struct cw_poller *p = arg;
	static const struct cw_db_error lost_err = { .connection_lost = true };

	if (lost) {
		pass_failed(p, "team alerts", &lost_err);
		return;
	}
	if (!ok)
		p->pass_ok = false; /* reported, like retention's steps */
	retention_gone(p, db);
}

/* Team-level alerts: a team as the subject, no person (team_pass.h). */
static void team_step(struct cw_poller *p, struct cw_db *db)
{
	if (!cw_team_pass_run(p->team_pass, db, (const struct cw_policy *const *)&p->policy, p->now, p->now_text,
			      on_team_done, p)) {
		p->pass_ok = false;
		retention_gone(p, db);
	}
}

/* The database's clock when the pass began: the next pass's watermark. */
static void on_db_now(const PGresult *res, void *arg)
{
	struct cw_poller *p = arg;

	if (PQntuples(res) == 1)
		snprintf(p->pass_watermark, sizeof(p->pass_watermark), "%s", PQgetvalue(res, 0, 0));
}

/* The change markers in the window are read: the persons phase. */
static void on_changes_collected(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct cw_poller *p = arg;

	if (err) {
		pass_failed(p, "reading the change markers", err);
		return;
	}
	p->stats.markers_skipped += cw_changes_already(p->changes);
	if (p->mode == MODE_CHANGED)
		cw_log(CW_LOG_DEBUG, "pass: %zu change markers since the watermark, %zu already processed: %zu persons to read",
		       cw_changes_pairs(p->changes), cw_changes_already(p->changes), cw_changes_count(p->changes));
	/* Then the team step, retention's pre-step (persons gone, placed
	 * holds), then the persons. */
	team_step(p, db);
}

/* The change markers a pass reads: since the watermark, or for a sweep
 * those its own window will hold at the next pass, which the sweep reads
 * anyway (changes.h). */
static void on_db_now_done(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct cw_poller *p = arg;
	const char *since = p->mode == MODE_CHANGED ? p->watermark : p->pass_watermark;
	struct cw_error e;

	if (err) {
		pass_failed(p, "reading the database clock", err);
		return;
	}
	if (!cw_changes_collect(p->changes, db, since, p->change_overlap_ms, on_changes_collected, p, &e)) {
		cw_log_ratelimited("pass-submit", CW_LOG_ERR, "pass: %s", e.msg);
		p->pass_ok = false;
		pass_advance(p, db);
	}
}

/* Delivery has caught up with the store: the pass is over. */
static void on_delivered(void *arg, bool ok)
{
	struct cw_poller *p = arg;

	if (!ok)
		p->pass_ok = false;
	pass_finish(p);
}

/* Whether stored obligations are still due to move at now. */
static void on_still_due(const PGresult *res, void *arg)
{
	struct cw_poller *p = arg;

	p->still_due = PQntuples(res) == 1 && !strcmp(PQgetvalue(res, 0, 0), "t");
}

static void on_still_due_done(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct cw_poller *p = arg;

	if (err) {
		pass_failed(p, "advance", err);
		return;
	}
	if (p->still_due && ++p->advance_rounds < POLLER_ADVANCE_ROUNDS) {
		pass_advance(p, db);
		return;
	}
	pass_deliver(p, db);
}

/* advance() returns the transitions it wrote, not the rows it moved (a
 * row may move without one), so a short batch is not proof that nothing
 * is left: ask the store, within a bound of rounds per pass. */
static void on_advanced(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct cw_poller *p = arg;
	const char *params[1] = { p->now_text };
	struct cw_error e;

	if (err) {
		pass_failed(p, "advance", err);
		return;
	}
	if (!cw_db_query(db, "SELECT coalesce(casewatch.next_due() <= $1::timestamptz, false)", 1, params, 0,
			 on_still_due, on_still_due_done, p, &e)) {
		cw_log_ratelimited("advance-submit", CW_LOG_ERR, "pass: advance: %s", e.msg);
		p->pass_ok = false;
		pass_deliver(p, db);
	}
}

/* Moves stored obligations through time, a bounded batch per call. */
static void pass_advance(struct cw_poller *p, struct cw_db *db)
{
	char limit[16];
	const char *params[2] = { p->now_text, limit };
	struct cw_error e;

	if (p->phase != PHASE_ADVANCE) {
		p->phase = PHASE_ADVANCE;
		p->advance_rounds = 0;
	}
	snprintf(limit, sizeof(limit), "%d", POLLER_ADVANCE_LIMIT);
	p->still_due = false;
	if (!cw_db_query(db, "SELECT count(*) FROM casewatch.advance($1::timestamptz, $2::int)", 2, params, 0,
			 NULL, on_advanced, p, &e)) {
		cw_log_ratelimited("advance-submit", CW_LOG_ERR, "pass: advance: %s", e.msg);
		p->pass_ok = false;
		pass_deliver(p, db);
	}
}

/* Sends what the store wrote after the sinks' cursor. */
static void pass_deliver(struct cw_poller *p, struct cw_db *db)
{
	p->phase = PHASE_DELIVER;
	cw_deliver_run(p->deliver, db, on_delivered, p);
}

/* --once --json: the open alerts, as one JSON document built by the store. */
static void on_json_alerts(const PGresult *res, void *arg)
{
	struct cw_poller *p = arg;

	if (PQntuples(res) == 1 && p->json_out) {
		fputs(PQgetvalue(res, 0, 0), p->json_out);
		fputc('\n', p->json_out);
		fflush(p->json_out);
	}
}

static void on_json_done(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct cw_poller *p = arg;

	(void)db;
	if (err)
		cw_log(CW_LOG_ERR, "--json: reading the alerts failed: %s", err->message);
	p->json_out = NULL;
	cw_daemon_pass_done(p->daemon, err == NULL && p->pass_ok);
}

static bool print_json_alerts(struct cw_poller *p)
{
	static const char *const sql =
		"SELECT json_build_object("
		" 'generated_at', $1::timestamptz, 'profile', $2::text,"
		" 'alerts', coalesce(json_agg(json_build_object("
		"   'alert_id', a.alert_id, 'rule_id', a.rule_id, 'person_id', a.person_id,"
		"   'team_id', a.team_id, 'audience', casewatch.state_audience(a.announced_state, a.audience, a.escalate_to),"
		"   'state', a.announced_state, 'kind', a.kind, 'anchor_kind', a.anchor_kind,"
		"   'anchor_id', a.anchor_id, 'warn_at', a.warn_at, 'due_at', a.due_at)"
		"   ORDER BY a.team_id, a.rule_id, a.due_at, a.alert_id), '[]'::json))::text "
		"FROM casewatch.alert a WHERE a.announced_state IS NOT NULL";
	const char *params[2] = { p->now_text, cw_policy_name(p->policy) };
	struct cw_error e;
	struct cw_db *db = cw_daemon_db(p->daemon);

	return cw_db_query(db, sql, 2, params, 0, on_json_alerts, on_json_done, p, &e);
}

/* Ends the pass: statistics, one log line, and the daemon told. */
static void pass_finish(struct cw_poller *p)
{
	bool ok = p->pass_ok;

	/* A page read ahead lands (and is dropped) before the next pass. */
	if (p->reading) {
		p->finish_waits = true;
		return;
	}
	cw_facts_reader_discard(p->reader.facts);
	cw_facts_reader_discard(p->ahead[0].facts);
	cw_facts_reader_discard(p->ahead[1].facts);
	cw_obatch_clear(p->fill);
	p->read_landed = false;
	p->writing = false;
	p->computed = false;

	p->stats.passes++;
	p->stats.last_pass_at = p->now;
	p->stats.last_pass_ms = cw_clock_monotonic_ms() - p->pass_started_ms;
	p->stats.last_pass_persons = p->pass_persons;
	p->stats.persons_evaluated += p->pass_persons;
	cw_log(ok ? CW_LOG_INFO : CW_LOG_WARNING,
	       "pass %s: %" PRIu64 " persons in %" PRId64 " ms (retention %" PRId64 " ms, its steps before the persons %" PRId64
	       " ms; %" PRIu64 " unchanged)",
	       ok ? "done" : "failed", p->pass_persons, p->stats.last_pass_ms, p->retention_ns / 1000000,
	       p->retention_steps_ms, p->pass_unchanged);
	/* --json prints what the store holds once every phase has run, even
	 * if some persons were refused (the exit status says so). */
	if (p->json_out && p->phase == PHASE_DELIVER && print_json_alerts(p))
		return;
	cw_daemon_pass_done(p->daemon, ok);
}

/* Sweep or changes, then the database's clock, and the persons phase. */
static void pass_begin(struct cw_poller *p, struct cw_db *db)
{
	struct cw_error e;

	p->mode = MODE_CHANGED;
	if (p->force_sweep || !p->stats.swept || !*p->watermark ||
	    (p->sweep_interval_ms > 0 && p->pass_started_ms - p->last_sweep_ms >= p->sweep_interval_ms))
		p->mode = MODE_SWEEP;
	if (!cw_db_query(db, "SELECT now()::text", 0, NULL, 0, on_db_now, on_db_now_done, p, &e)) {
		cw_log_ratelimited("pass-submit", CW_LOG_ERR, "pass: %s", e.msg);
		p->pass_ok = false;
		pass_finish(p);
	}
}

/* The stored watermark and last sweep are read: resume from them when the
 * last complete sweep ran under the setup in effect and sweep_interval has
 * not elapsed since, else sweep. */
static void on_stored_loaded(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct cw_poller *p = arg;
	const char *why;

	if (err) {
		pass_failed(p, "reading the stored watermark", err);
		return;
	}
	p->stored_loaded = true;
	why = cw_watermark_sweep_reason(&p->stored, &p->setup);
	if (!why && p->sweep_interval_ms > 0 && p->stored.sweep_age_ms >= p->sweep_interval_ms)
		why = "sweep_interval has elapsed since the last sweep";
	if (!why && p->force_sweep)
		why = "--once sweeps";
	if (why) {
		cw_log(CW_LOG_NOTICE, "a full sweep is due: %s", why);
		p->stats.swept = false;
	} else {
		snprintf(p->watermark, sizeof(p->watermark), "%s", p->stored.changed_at);
		p->stats.swept = true;
		p->stats.resumed++;
		p->last_sweep_ms = p->pass_started_ms - p->stored.sweep_age_ms;
		cw_log(CW_LOG_NOTICE,
		       "resuming from the stored watermark %s: the last sweep (%" PRId64
		       " s ago) ran under profile %s with the same rules, calendar and version; no sweep",
		       p->watermark, p->stored.sweep_age_ms / 1000, p->setup.profile);
	}
	pass_begin(p, db);
}

/* The reader connection is (again) up: its statements are prepared anew. */
static void on_rdb_ready(struct cw_db *db, void *arg)
{
	struct cw_poller *p = arg;

	(void)db;
	cw_facts_reader_reset(p->ahead[0].facts);
	cw_facts_reader_reset(p->ahead[1].facts);
}

/* Opens the reader connection like the daemon's own (the first pass only
 * runs once this daemon is the writer, so a standby opens none). */
static void open_reader(struct cw_poller *p, struct cw_db *db)
{
	struct cw_db_options opts;

	cw_db_get_options(db, &opts);
	opts.application_name = "casewatchd reader";
	opts.quiet = true;
	p->rdb = cw_db_new(cw_db_event_base(db), &opts, on_rdb_ready, NULL, p);
	cw_db_start(p->rdb);
}

/* on_tick: a pass at the daemon's `now`. */
static void on_tick(struct cw_daemon *d, struct cw_db *db, cw_time now, void *arg)
{
	struct cw_poller *p = arg;
	struct cw_error e;

	p->daemon = d;
	p->now = now;
	cw_clock_format_utc(now, p->now_text);
	p->pass_started_ms = cw_clock_monotonic_ms();
	p->pass_persons = 0;
	p->pass_unchanged = 0;
	p->retention_ns = 0;
	p->retention_steps_ms = 0;
	p->pass_ok = true;
	p->pass_generation = p->profile_generation;
	p->phase = PHASE_PERSONS;
	if (p->read_ahead && !p->rdb)
		open_reader(p, db);
	if (p->teams)
		cw_teams_refresh(p->teams, db, POLLER_TEAMS_MAX_AGE_MS);
	if (p->stored_loaded) {
		pass_begin(p, db);
		return;
	}
	if (!cw_watermark_load(db, &p->stored, on_stored_loaded, p, &e)) {
		cw_log_ratelimited("pass-submit", CW_LOG_ERR, "pass: %s", e.msg);
		p->pass_ok = false;
		pass_finish(p);
	}
}

/* After every (re)connection: delivery resumes from the stored cursor. */
static void on_db_ready(struct cw_daemon *d, struct cw_db *db, void *arg)
{
	struct cw_poller *p = arg;

	p->daemon = d;
	cw_deliver_reset(p->deliver);
	if (p->teams)
		cw_teams_refresh(p->teams, db, 0);
	cw_facts_reader_reset(p->reader.facts);
	/* Another casewatchd may have written meanwhile: read the store again. */
	p->stored_loaded = false;
}

/* Loads the profile the settings name; NULL (errors logged) if invalid. */
static struct cw_policy *load_profile(const char *spec, const char *dir)
{
	struct cw_policy_errors errs;
	struct cw_policy *policy;

	cw_policy_errors_init(&errs);
	policy = cw_policy_load(spec, *dir ? dir : NULL, &errs);
	for (size_t i = 0; i < errs.count; i++)
		cw_log(CW_LOG_ERR, "profile: %s", errs.msg[i]);
	cw_policy_errors_free(&errs);
	return policy;
}

/* A reload may name another profile: on success every person is
 * recomputed under it; an invalid one keeps the old profile. */
static void on_reload(struct cw_daemon *d, const struct cw_conf *conf, void *arg)
{
	struct cw_poller *p = arg;
	struct cw_watermark_setup setup;
	struct cw_policy *fresh;
	char why[160];

	(void)d;
	p->sweep_interval_ms = conf->sweep_interval_ms;
	p->change_overlap_ms = conf->change_overlap_ms;
	p->notice_window_ms = conf->retention_notice_window_ms;
	p->destruction_grace_ms = conf->destruction_grace_ms;
	if (p->rdb)
		cw_db_set_retry(p->rdb, conf->retry_base_ms, conf->retry_cap_ms);
	fresh = load_profile(conf->profile, conf->profile_dir);
	free(p->profile_refused);
	p->profile_refused = NULL;
	if (!fresh) {
		cw_log_event(CW_EV_RELOAD_REFUSED, CW_LOG_WARNING, "reload: profile %s is invalid, keeping %s",
			     conf->profile, cw_policy_name(p->policy));
		p->profile_refused = strdup(conf->profile);
		p->profile_refused_at = cw_clock_now();
		return;
	}
	if (!conf->allow_shorter_retention && cw_retention_shortened(p->policy, fresh, why, sizeof(why))) {
		/* Existing records' dates would move earlier: a deliberate act. */
		cw_log(CW_LOG_WARNING,
		       "reload: profile %s would shorten retention (%s), keeping %s; preview it with "
		       "casewatchctl retention preview, then set allow_shorter_retention = yes to apply it",
		       conf->profile, why, cw_policy_name(p->policy));
		cw_policy_free(fresh);
		return;
	}
	cw_watermark_setup_of(fresh, p->cal, p->notice_window_ms, p->destruction_grace_ms, &setup);
	cw_policy_free(p->policy);
	p->policy = fresh;
	if (!strcmp(setup.profile, p->setup.profile) && !strcmp(setup.profile_digest, p->setup.profile_digest)) {
		cw_log(CW_LOG_INFO, "reload: profile %s loaded again, its rules unchanged", setup.profile);
		return;
	}
	p->setup = setup;
	p->profile_generation++;
	p->stats.swept = false;
	cw_log_event(CW_EV_RELOAD_ACCEPTED, CW_LOG_NOTICE, "reload: profile %s loaded; every person will be recomputed",
		     cw_policy_name(fresh));
}

struct cw_poller *cw_poller_new(const struct cw_conf *conf)
{
	struct cw_poller *p = calloc(1, sizeof(*p));
	struct cw_error err;

	if (!p)
		return NULL;
	p->cal = cw_calendar_new(NULL, &err);
	if (!p->cal) {
		cw_log(CW_LOG_ERR, "calendar: %s", err.msg);
		free(p);
		return NULL;
	}
	p->policy = load_profile(conf->profile, conf->profile_dir);
	if (!p->policy) {
		cw_calendar_free(p->cal);
		free(p);
		return NULL;
	}
	p->deliver = cw_deliver_new();
	if (p->deliver)
		cw_deliver_set_policy(p->deliver, &p->policy);
	p->changes = cw_changes_new();
	p->batch = cw_obatch_new();
	p->fill = cw_obatch_new();
	if (!p->deliver || !p->changes || !p->batch || !p->fill) {
		cw_obatch_free(p->fill);
		cw_obatch_free(p->batch);
		cw_changes_free(p->changes);
		cw_deliver_free(p->deliver);
		cw_policy_free(p->policy);
		cw_calendar_free(p->cal);
		free(p);
		return NULL;
	}
	if (!page_reader_init(&p->reader) || !page_reader_init(&p->ahead[0]) || !page_reader_init(&p->ahead[1])) {
		page_reader_free(&p->reader);
		page_reader_free(&p->ahead[0]);
		page_reader_free(&p->ahead[1]);
		cw_obatch_free(p->fill);
		cw_obatch_free(p->batch);
		cw_changes_free(p->changes);
		cw_deliver_free(p->deliver);
		cw_policy_free(p->policy);
		cw_calendar_free(p->cal);
		free(p);
		return NULL;
	}
	p->sweep_interval_ms = conf->sweep_interval_ms;
	p->change_overlap_ms = conf->change_overlap_ms;
	p->notice_window_ms = conf->retention_notice_window_ms;
	p->destruction_grace_ms = conf->destruction_grace_ms;
	p->read_ahead = conf->read_ahead;
	p->stats.last_pass_at = CW_TIME_NONE;
	cw_obligations_init(&p->obligations);
	cw_retention_holds_init(&p->holds);
	cw_retention_holds_init(&p->holds_next);
	p->retention = malloc(sizeof(*p->retention));
	p->team_pass = cw_team_pass_new();
	if (!p->retention || !p->team_pass) {
		cw_poller_free(p);
		return NULL;
	}
	cw_watermark_setup_of(p->policy, p->cal, p->notice_window_ms, p->destruction_grace_ms, &p->setup);
	cw_log(CW_LOG_INFO, "profile %s: %zu rules, nation %s", cw_policy_name(p->policy),
	       cw_policy_rule_count(p->policy), cw_nation_name(cw_policy_nation(p->policy)));
	return p;
}

void cw_poller_free(struct cw_poller *p)
{
	if (!p)
		return;
	cw_obligations_free(&p->obligations);
	cw_db_free(p->rdb); /* first: no callback of it runs after this */
	page_reader_free(&p->ahead[0]);
	page_reader_free(&p->ahead[1]);
	page_reader_free(&p->reader);
	free(p->page_persons);
	cw_retention_holds_free(&p->holds);
	cw_retention_holds_free(&p->holds_next);
	free(p->retention);
	cw_team_pass_free(p->team_pass);
	cw_obatch_free(p->batch);
	cw_obatch_free(p->fill);
	cw_changes_free(p->changes);
	cw_deliver_free(p->deliver);
	free(p->profile_refused);
	cw_policy_free(p->policy);
	cw_calendar_free(p->cal);
	free(p);
}

void cw_poller_hooks(struct cw_poller *p, struct cw_hooks *hooks)
{
	memset(hooks, 0, sizeof(*hooks));
	hooks->arg = p;
	hooks->on_db_ready = on_db_ready;
	hooks->on_tick = on_tick;
	hooks->on_reload = on_reload;
}

void cw_poller_set_sinks(struct cw_poller *p, struct cw_translog *tlog, struct cw_alertbus *bus)
{
	cw_deliver_set_sinks(p->deliver, tlog, bus);
}

void cw_poller_set_teams(struct cw_poller *p, struct cw_teams *teams)
{
	p->teams = teams;
}

void cw_poller_set_json_output(struct cw_poller *p, FILE *out)
{
	p->json_out = out;
}

void cw_poller_force_sweep(struct cw_poller *p)
{
	p->force_sweep = true;
}

void cw_poller_get_stats(const struct cw_poller *p, struct cw_poller_stats *st)
{
	*st = p->stats;
	st->transitions_delivered = cw_deliver_count(p->deliver);
	st->last_delivered_id = cw_deliver_last_id(p->deliver);
}

const struct cw_policy *cw_poller_policy(const struct cw_poller *p)
{
	return p->policy;
}

const struct cw_calendar *cw_poller_calendar(const struct cw_poller *p)
{
	return p->cal;
}

const char *cw_poller_profile_refused(const struct cw_poller *p, cw_time *at)
{
	if (p->profile_refused && at)
		*at = p->profile_refused_at;
	return p->profile_refused;
}

json_t *cw_poller_retention_explain(const struct cw_poller *p, const struct cw_facts *facts, cw_time now)
{
	struct cw_retention *r = malloc(sizeof(*r));
	json_t *out;

	if (!r)
		return NULL;
	cw_retention_compute(facts, p->policy, p->holds.v, p->holds.n, cw_london_day(now), p->cal, r);
	out = cw_retention_to_json(r);
	free(r);
	return out;
}
