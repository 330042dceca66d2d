/*
 * facts_builder.h - building one person's struct cw_facts row by row.
 *
 * The one place facts are validated. Two readers feed it: the daemon's
 * streamed reader (daemon/facts_reader.c: flat rows of every relation,
 * merged by person) and cw_facts_from_json() (the JSON document of
 * records.person_facts(), for offline tools and the tests). Both hand over
 * plain values; the builder checks them, keeps every row it can, and
 * records one problem per defect ("person 1001: event 10: at: missing"),
 * so the two forms of the same person give the same facts and problems.
 *
 * Usage, per person (the struct is reused, its memory with it):
 *   cw_facts_begin(f, &person);
 *   cw_facts_add_involvement(f, &row) ... cw_facts_add_forget(f, &row);
 *   cw_facts_finish(f);
 * Rows go in kind by kind, in the order of enum cw_facts_row (involvements,
 * events, records, hazards, deletions, info_sharing, restricted_access,
 * forget_requests);
 * within a kind in the order of their ids. A kind's duplicate ids are
 * reported when the next kind begins, so problems come out in the order a
 * document lists them. Hazard reviews follow their hazard (add_review
 * attaches to the last hazard added), info_sharing's missing field names
 * their row. access_requests come after restricted_access.
 *
 * Values: a null is CW_ID_NONE, CW_TIME_NONE, CW_DAY_NONE, a NULL code or
 * CW_FACTS_NULL. A value that was present but unusable (JSON of the wrong
 * type, a malformed timestamp) is the matching CW_FACTS_BAD_* marker: the
 * builder reports it and keeps the field unset. A time or date outside the
 * years 1-9999 is reported too ("not a time in the years 1-9999") and left
 * unset: the store and the clock cannot hold it.
 */
#ifndef CASEWATCH_FACTS_BUILDER_H
#define CASEWATCH_FACTS_BUILDER_H

#include <stdint.h>

#include "casewatch/facts.h"

/* Present but unusable values (already not a valid value of the type). */
#define CW_FACTS_BAD_ID (INT64_MIN + 1)
#define CW_FACTS_BAD_TIME (INT64_MIN + 1)
#define CW_FACTS_BAD_DAY (INT32_MIN + 1)
/* A code that is not a non-empty string; compared by address. */
extern const char cw_facts_bad_code[];

/* A boolean as read: null, false, true, or present but not a boolean. */
enum cw_facts_bool { CW_FACTS_NULL = -1, CW_FACTS_FALSE = 0, CW_FACTS_TRUE = 1, CW_FACTS_BAD = 2 };

/* The first and last instants and days the facts accept (years 1-9999). */
#define CW_FACTS_TIME_MIN INT64_C(-62135596800) /* 0001-01-01T00:00:00Z */
#define CW_FACTS_TIME_MAX INT64_C(253402300799) /* 9999-12-31T23:59:59Z */
#define CW_FACTS_DAY_MIN (-719162)		/* 0001-01-01 */
#define CW_FACTS_DAY_MAX 2932896		/* 9999-12-31 */

/* The person's own row. person_id must be a real id. */
struct cw_facts_person_row {
	int64_t person_id;
	const char *kind; /* "child", "carer", "adult" */
	cw_day date_of_birth, date_of_death;
	const char *nation; /* as cw_nation_parse() reads it; bad code: "not a string" */
	int64_t team_id, worker_id;
};

struct cw_facts_involvement_row {
	int64_t id;
	const char *category;
	cw_day start, end, order_date;
	const char *outcome;
};

struct cw_facts_event_row {
	int64_t id;
	const char *type;
	cw_time at;
	enum cw_facts_bool cancelled;
	int64_t related_event_id;
	cw_time fee_paid_at;	  /* access_request: the request's fee payment */
	enum cw_facts_bool until_18; /* placement: meant to last until 18 */
};

struct cw_facts_record_row {
	int64_t id;
	const char *type;
	int64_t event_id;
	cw_time event_at, entered_at, finalised_at;
	enum cw_facts_bool late_flag, has_late_reason;
	int64_t author_id;
	enum cw_facts_bool confidential; /* in the confidential section (CONF-REVIEW) */
};

struct cw_facts_hazard_row {
	int64_t id;
	cw_day start, review_due;
	enum cw_facts_bool active;
	cw_day ended;
	enum cw_facts_bool has_description;
};

struct cw_facts_deletion_row {
	int64_t record_id; /* the row's id */
	cw_time deleted_at;
	int64_t deleted_by;
	const char *deleted_by_role;
	enum cw_facts_bool has_reason;
};

struct cw_facts_sharing_row {
	int64_t id;
	const char *kind;
	cw_time at;
};

struct cw_facts_access_row {
	int64_t id;
	int64_t record_id;
	int64_t accessed_by;
	const char *accessed_by_role; /* the accessor's staff role */
	enum cw_facts_bool allowed;
	cw_time at;
};

struct cw_facts_forget_row {
	int64_t id;
	cw_time received_at;
};

struct cw_facts_access_request_row {
	int64_t id; /* request_id */
	int64_t event_id;
	cw_time received_at, closed_at;
};

/* Starts a person: previous contents are discarded, their memory reused. */
void cw_facts_begin(struct cw_facts *f, const struct cw_facts_person_row *person);

void cw_facts_add_involvement(struct cw_facts *f, const struct cw_facts_involvement_row *row);
void cw_facts_add_event(struct cw_facts *f, const struct cw_facts_event_row *row);
void cw_facts_add_record(struct cw_facts *f, const struct cw_facts_record_row *row);
void cw_facts_add_hazard(struct cw_facts *f, const struct cw_facts_hazard_row *row);
/* A review of the last hazard added: CW_TIME_NONE or _BAD_ is "not a
 * timestamp" (the entry is left out). */
void cw_facts_add_review(struct cw_facts *f, cw_time at);
void cw_facts_add_deletion(struct cw_facts *f, const struct cw_facts_deletion_row *row);
void cw_facts_add_sharing(struct cw_facts *f, const struct cw_facts_sharing_row *row);
/* A field the last info_sharing row lacks; NULL: "not a field name". */
void cw_facts_add_missing(struct cw_facts *f, const char *field);
void cw_facts_add_access(struct cw_facts *f, const struct cw_facts_access_row *row);
void cw_facts_add_forget(struct cw_facts *f, const struct cw_facts_forget_row *row);
void cw_facts_add_access_request(struct cw_facts *f, const struct cw_facts_access_request_row *row);

/* A row of `kind` that is not a row at all (e.g. a JSON number where an
 * object belongs): reported with its index and left out. */
void cw_facts_add_unusable(struct cw_facts *f, enum cw_facts_row kind, const char *what);
/* The rows of `kind` as a whole cannot be read (a JSON array that is
 * missing or not an array): a problem of the person, under the array name. */
void cw_facts_add_rows_problem(struct cw_facts *f, enum cw_facts_row kind, const char *what);
/* A problem with a field of the last row of `kind` (the person for
 * CW_ROW_PERSON) that its values cannot express, e.g. "reviews: not an
 * array"; `field` and `what` must be constant strings. */
void cw_facts_add_problem(struct cw_facts *f, enum cw_facts_row kind, const char *field,
			  const char *what);

/* Ends the person: duplicate ids left out, reviews sorted, facts->* set. */
void cw_facts_finish(struct cw_facts *f);

/* The JSON array name of a row kind ("events", "info_sharing"). */
const char *cw_facts_row_array(enum cw_facts_row row);

#endif /* CASEWATCH_FACTS_BUILDER_H */
