/*
 * facts.h - one person's facts, as the records interface hands them over.
 *
 * struct cw_facts is what the obligation engine reads. It is built by the
 * facts builder (facts_builder.h), the one place rows are validated, from
 * one of two forms (docs/facts.md is the contract, field by field): the
 * daemon's flat rows of the records.facts_* views, merged by person
 * (daemon/facts_reader.c), or the JSON document of records.person_facts(),
 * which cw_facts_from_json() reads for offline tools and the tests. Free
 * text never crosses this boundary: descriptions and reasons arrive as
 * booleans.
 *
 * A bad row never fails the person: every row that can be is kept, and
 * one problem is recorded per defect naming the person, the row and the
 * field ("person 1001: event 10: at: missing"). Only a JSON document that
 * is not an object, or has no usable person_id, fails.
 *
 * Memory: everything a struct cw_facts points at lives in one arena owned by
 * it. The struct may be built again (the arena is reused, so a sweep over
 * many persons allocates almost nothing after the first); cw_facts_free()
 * releases it all.
 */
#ifndef CASEWATCH_FACTS_H
#define CASEWATCH_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "casewatch/calendar.h"
#include "casewatch/error.h"

/* "No value" for instants, dates and ids (a JSON null or a bad value). */
#define CW_TIME_NONE INT64_MIN
#define CW_DAY_NONE INT32_MIN
#define CW_ID_NONE INT64_MIN

/* A period in which the person is known in a category. */
struct cw_facts_involvement {
	int64_t id;
	const char *category; /* vocabulary code; NULL if missing */
	cw_day start;	      /* CW_DAY_NONE if missing or malformed */
	cw_day end;	      /* CW_DAY_NONE: open */
	cw_day order_date;    /* adoption order, or CW_DAY_NONE */
	const char *outcome;  /* youth-justice or fostering outcome code, or NULL */
};

/* Something that happened or is planned. */
struct cw_facts_event {
	int64_t id;
	const char *type; /* vocabulary code; NULL if missing */
	cw_time at;	  /* CW_TIME_NONE if missing or malformed */
	bool cancelled;
	int64_t related_event_id; /* CW_ID_NONE */
	cw_time fee_paid_at;	  /* access_request: when the fee was paid (SAR-40D in
				   * Coventry); CW_TIME_NONE: not paid or no fee */
	bool until_18;		  /* placement: meant to last until the child is 18 */
};

/* An entry on the file. */
struct cw_facts_record {
	int64_t id;
	const char *type;     /* vocabulary code; NULL if missing */
	int64_t event_id;     /* the event it answers, or CW_ID_NONE */
	cw_time event_at;     /* when the recorded event happened, or CW_TIME_NONE */
	cw_time entered_at;   /* when writing began, or CW_TIME_NONE */
	cw_time finalised_at; /* CW_TIME_NONE: a draft */
	bool late_flag;
	bool has_late_reason;
	int64_t author_id;    /* CW_ID_NONE if missing */
	bool confidential;    /* held in the confidential section (CONF-REVIEW) */
};

/* A hazard on the file and its reviews. */
struct cw_facts_hazard {
	int64_t id;
	cw_day start;	   /* CW_DAY_NONE if missing */
	cw_day review_due; /* CW_DAY_NONE if missing */
	bool active;
	cw_day ended;	   /* CW_DAY_NONE if not ended */
	bool has_description;
	size_t n_reviews;
	const cw_time *reviews; /* ascending */
};

/* The deletion of a record (DELETE-REASON). */
struct cw_facts_deletion {
	int64_t record_id;
	cw_time deleted_at;	     /* CW_TIME_NONE if missing */
	int64_t deleted_by;	     /* CW_ID_NONE if missing */
	const char *deleted_by_role; /* staff role code, or NULL */
	bool has_reason;
};

/* An information-sharing decision and the fields it lacks (SHARE-FIELDS). */
struct cw_facts_sharing {
	int64_t id;
	const char *kind; /* "sharing", "request_received", "request_made" */
	cw_time at;	  /* CW_TIME_NONE if missing */
	size_t n_missing;
	const char *const *missing; /* field names */
};

/* One access to a restricted record (RESTRICTED-ACCESS). */
struct cw_facts_access {
	int64_t id;
	int64_t record_id; /* CW_ID_NONE: the whole file */
	int64_t accessed_by;
	const char *accessed_by_role; /* staff role code (iro, edt, ...), or NULL */
	bool allowed;
	cw_time at;
};

/* A request to delete or "forget" part of the record (FORGET-ACK). */
struct cw_facts_forget {
	int64_t id;
	cw_time received_at; /* CW_TIME_NONE if missing */
};

/* A subject-access request as the records list it (HOLD-SAR): open until
 * closed_at (completed or withdrawn). */
struct cw_facts_access_request {
	int64_t id;
	int64_t event_id;    /* its access_request event, or CW_ID_NONE */
	cw_time received_at; /* CW_TIME_NONE if missing */
	cw_time closed_at;   /* CW_TIME_NONE: open */
};

/* What kind of row a problem is about. */
enum cw_facts_row {
	CW_ROW_PERSON,
	CW_ROW_INVOLVEMENT,
	CW_ROW_EVENT,
	CW_ROW_RECORD,
	CW_ROW_HAZARD,
	CW_ROW_DELETION,
	CW_ROW_SHARING,
	CW_ROW_ACCESS,
	CW_ROW_FORGET,
	CW_ROW_ACCESS_REQUEST,
	CW_ROW_COUNT
};

/* One defect in the document. `what` is a constant phrase or a vocabulary
 * code, never free text from the record. */
struct cw_facts_problem {
	enum cw_facts_row row;
	int64_t row_id;	    /* CW_ID_NONE when the row has no usable id */
	size_t index;	    /* the row's index in its array */
	const char *field;  /* "at", "type", ...; NULL for the row as a whole */
	const char *what;   /* "missing", "not a timestamp", ... */
	const char *code;   /* the unknown vocabulary code, if that is the defect */
	bool dropped;	    /* the row was left out of the facts */
};

/* The longest formatted problem, NUL included. */
#define CW_FACTS_PROBLEM_STRLEN 192

struct cw_facts_arena;

struct cw_facts {
	int64_t person_id;
	const char *kind;     /* "child", "carer", "adult", or NULL */
	cw_day date_of_birth; /* CW_DAY_NONE if unknown */
	cw_day date_of_death; /* CW_DAY_NONE */
	bool has_nation;      /* false: use the profile's */
	enum cw_nation nation;
	int64_t team_id;      /* CW_ID_NONE */
	int64_t worker_id;    /* CW_ID_NONE */

	size_t n_involvements, n_events, n_records, n_hazards;
	size_t n_deletions, n_sharing, n_access, n_forget, n_access_requests;
	const struct cw_facts_involvement *involvements;
	const struct cw_facts_event *events;   /* in document order */
	const struct cw_facts_record *records; /* in document order */
	const struct cw_facts_hazard *hazards;
	const struct cw_facts_deletion *deletions;
	const struct cw_facts_sharing *sharing;
	const struct cw_facts_access *access;
	const struct cw_facts_forget *forget; /* forget_requests[] */
	const struct cw_facts_access_request *access_requests; /* optional in the document */

	size_t n_problems;
	const struct cw_facts_problem *problems;

	struct cw_facts_arena *arena; /* owns everything above */
};

/* An empty struct; cw_facts_free() on it is a no-op. */
void cw_facts_init(struct cw_facts *facts);
/* Releases everything the facts point at and leaves them empty. */
void cw_facts_free(struct cw_facts *facts);

/* Parses one person's document into facts (previous contents are discarded,
 * their memory reused). Returns false, with err naming what is wrong, only
 * when doc is not an object or has no integer person_id; every other defect
 * becomes a problem in facts->problems and the rest is kept. */
bool cw_facts_from_json(const json_t *doc, struct cw_facts *facts, struct cw_error *err);

/* "involvement", "event", "record", ... */
const char *cw_facts_row_name(enum cw_facts_row row);
/* "person 1001: event 10: at: missing" (ids only, never free text). */
void cw_facts_problem_format(const struct cw_facts *facts, const struct cw_facts_problem *p,
			     char buf[CW_FACTS_PROBLEM_STRLEN]);

#endif /* CASEWATCH_FACTS_H */
