/*
 * log.h - the daemon's logger: syslog (RFC 5424), the systemd journal, stderr.
 *
 * One cw_log() for operational messages, cw_log_fields() for structured
 * ones and cw_log_transition() for alert transitions: the fields go into the
 * RFC 5424 structured data element [casewatch@32473 ...] and into journal
 * fields (upper-cased). Ordinary messages never wait: one the syslog socket
 * cannot take is dropped and counted. A transition instead reports whether
 * it went out, so that its sender (deliver.c) can send it again. Repetitive messages go through cw_log_ratelimited(): one message per key
 * per interval, then a "suppressed N similar messages" summary.
 *
 * Privacy: the API takes ids, codes, dates and team ids; never pass a
 * record's free text, a name or an address to any of these functions.
 */
#ifndef CASEWATCH_DAEMON_LOG_H
#define CASEWATCH_DAEMON_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "casewatch/calendar.h"

/* Severities, numerically equal to syslog's. */
enum cw_log_level {
	CW_LOG_ERR = 3,
	CW_LOG_WARNING = 4,
	CW_LOG_NOTICE = 5,
	CW_LOG_INFO = 6,
	CW_LOG_DEBUG = 7,
};

/* Where messages go (bits). */
enum cw_log_target {
	CW_LOG_TO_SYSLOG = 1,
	CW_LOG_TO_JOURNAL = 2,
	CW_LOG_TO_STDERR = 4,
};

/* The private enterprise number in structured data ids ("casewatch@32473";
 * 32473 is the number RFC 5612 reserves for documentation). */
#define CW_LOG_SD_ID "casewatch@32473"

struct cw_log_options {
	unsigned targets;	 /* CW_LOG_TO_* bits */
	enum cw_log_level level; /* messages above this severity number are dropped */
	const char *ident;	 /* APP-NAME / SYSLOG_IDENTIFIER */
	int facility;		 /* syslog facility number (3 = daemon, 16..23 = local0..7) */
	const char *syslog_socket; /* Unix datagram socket, normally /dev/log */
	int64_t ratelimit_ms;	 /* interval per rate-limit key */
};

/* One structured field: name is lower-case ASCII [a-z0-9_], at most 32
 * characters; value is an id, code, date or team. */
struct cw_log_field {
	const char *name;
	const char *value;
};

/*
 * Kinds of event that carry a journal MESSAGE_ID: systemd/casewatch.catalog
 * explains each one (journalctl -x), and every line of such an event
 * carries the field message_id (MESSAGE_ID in the journal).
 */
enum cw_log_event {
	CW_EV_NONE,
	CW_EV_RAISED,		/* alert transitions, by kind */
	CW_EV_ESCALATED,
	CW_EV_RESOLVED,
	CW_EV_WITHDRAWN,
	CW_EV_ACKNOWLEDGED,
	CW_EV_SNOOZED,
	CW_EV_DESTRUCTION_DUE,	/* reserved for the retention rules' alerts */
	CW_EV_DB_LOST,		/* the database connection was lost */
	CW_EV_DB_UNREACHABLE,	/* a connection attempt failed */
	CW_EV_DB_REGAINED,	/* connected again after an outage */
	CW_EV_STANDBY,		/* another casewatchd writes: standing by */
	CW_EV_LEADER,		/* this casewatchd took the writer lock */
	CW_EV_RELOAD_ACCEPTED,	/* SIGHUP: new settings or profile in force */
	CW_EV_RELOAD_REFUSED,	/* SIGHUP: invalid settings or profile, old ones kept */
	CW_EV_SUBSCRIBER_CUT_OFF, /* a slow socket subscriber was disconnected */
	CW_EV_COUNT
};

/* The event's MESSAGE_ID (32 hex digits) and its short name (the RFC 5424
 * MSGID of its syslog lines); NULL for CW_EV_NONE. */
const char *cw_log_event_id(enum cw_log_event ev);
const char *cw_log_event_name(enum cw_log_event ev);
/* The event of an alert transition's kind ("raised", ...); CW_EV_NONE if unknown. */
enum cw_log_event cw_log_transition_event(const char *kind);

/* An alert transition, as it goes to the logs. */
struct cw_log_transition {
	int64_t alert_id;
	int64_t person_id;
	const char *rule_id;
	const char *team;	/* the team's id; NULL when unallocated */
	const char *team_code;	/* the team's code (T005), shown to people; NULL if none */
	cw_time due;
	const char *state;	/* "due_soon", "overdue", "escalated", "resolved", ... */
	int64_t transition_id;	/* 0 when not from the store */
	const char *kind;	/* "raised", "escalated", ...; NULL if none */
	const char *audience;	/* who is told; NULL if none */
	const char *severity;	/* the alert's own severity (info ... err); NULL if none */
};

/* Applies options (copied). Until called, messages go to stderr at info. */
void cw_log_configure(const struct cw_log_options *opts);
/* The targets "auto" means: the journal under systemd (JOURNAL_STREAM or
 * INVOCATION_ID set), else syslog. */
unsigned cw_log_auto_targets(void);
/* Closes the syslog socket and forgets the rate-limit state. */
void cw_log_shutdown(void);

/* Parses "debug", "info", "notice", "warning", "err". */
bool cw_log_level_parse(const char *name, enum cw_log_level *out);
const char *cw_log_level_name(enum cw_log_level level);
/* True when a message at level would be written. */
bool cw_log_enabled(enum cw_log_level level);

/* An operational message. */
void cw_log(enum cw_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Like cw_log, but at most one message per key per interval; the rest are
 * counted and summarised ("key: suppressed N similar messages") by the next
 * message allowed through or by cw_log_ratelimit_flush(). Returns true if
 * this message was written. */
bool cw_log_ratelimited(const char *key, enum cw_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Ends a run of repeats under key: writes its pending summary now and
 * forgets the key, so the next occurrence is logged at once (e.g. when the
 * database is back, so the next outage is not hidden). */
void cw_log_ratelimit_reset(const char *key);

/* An operational message that is an event of kind ev: it carries the
 * event's message_id, and its syslog MSGID is the event's name. */
void cw_log_event(enum cw_log_event ev, enum cw_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Logs each line of a multi-line text (e.g. PQerrorMessage) as its own
 * message, "prefix: line", each carrying event ev's message_id (CW_EV_NONE:
 * none), the whole group rate-limited under key (NULL key: not
 * rate-limited). Returns true if it was written. */
bool cw_log_lines(const char *key, enum cw_log_event ev, enum cw_log_level level, const char *prefix,
		  const char *text);

/* Emits summaries for keys whose interval has passed with messages
 * suppressed; call it periodically (the daemon does, every tick). */
void cw_log_ratelimit_flush(void);

/* A structured message: message is the human-readable text (ids only);
 * fields become structured data and journal fields. msgid is the RFC 5424
 * MSGID (e.g. "transition"), or NULL. */
void cw_log_fields(enum cw_log_level level, const char *msgid, const char *message,
		   const struct cw_log_field *fields, size_t nfields);

/* An alert transition: fields rule_id, alert_id, person_id, team, due,
 * state (and team_code, transition_id, kind, audience, severity and the
 * kind's message_id when set); the
 * message names the team by its code when it has one. Not an ordinary
 * message: it goes out whatever log_level is, and is never dropped
 * silently. Returns 0 when every configured target took it (the syslog
 * socket accepted the datagram, sd_journal_sendv() succeeded, the stderr
 * write succeeded), else the errno of the first target that refused it
 * (EAGAIN: the syslog receiver's queue is full; ENOENT or ECONNREFUSED:
 * nobody has the syslog socket); the targets after it were not tried. */
int cw_log_transition(enum cw_log_level level, const struct cw_log_transition *t);
/* Names the target that refused the last transition ("the syslog socket",
 * "the journal", "stderr"), for messages. */
const char *cw_log_refused_by(void);
/* The syslog socket (connected to syslog_socket once a send succeeded),
 * for waiting until its receiver has room (EV_WRITE); -1 if none. */
int cw_log_syslog_fd(void);

/* Routes libevent's own messages into cw_log. */
void cw_log_route_libevent(void);

/* Ordinary messages that could not be sent to the syslog socket since
 * start (dropped, never retried; transitions are not counted here). */
uint64_t cw_log_dropped(void);

#endif /* CASEWATCH_DAEMON_LOG_H */
