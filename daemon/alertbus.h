/*
 * alertbus.h - the alert socket: commands and a live, resumable stream of
 * alert transitions for managers' tools, over a Unix stream socket.
 *
 * The bus owns the socket, the connections and the protocol (docs/protocol.md).
 * What it serves comes from a provider (the alert store, or the in-memory
 * transition log): every provider call is asynchronous and answered through
 * a request handle. The store calls cw_alertbus_publish() after each commit.
 */
#ifndef CASEWATCH_ALERTBUS_H
#define CASEWATCH_ALERTBUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <event2/event.h>
#include <jansson.h>

#include "casewatch/error.h"

/* The protocol version this bus speaks: clients must ask for this major. */
#define CW_ALERTBUS_PROTOCOL_MAJOR 1
#define CW_ALERTBUS_PROTOCOL_MINOR 0

struct cw_alertbus;
struct cw_records_query;

/* One provider call in flight. The provider answers it exactly once through
 * the callback it was given, unless the bus cancelled it first. */
struct cw_alertbus_req;

/* The data members an event may carry (ids, codes, dates), NULL-terminated. */
extern const char *const cw_alertbus_data_keys[];

/* Who asked for a change: the peer's credentials when it connected. */
struct cw_actor {
	uid_t uid;
	gid_t gid;
	pid_t pid;
	char name[64]; /* user name from the password database, else the uid in decimal */
};

/*
 * Answers a request. On success: code and message NULL, result an object
 * whose members are added to the reply (the reference is stolen; NULL for
 * none). On failure: result NULL, code a snake_case error code, message a
 * sentence for people (ids and codes only, never record text).
 */
typedef void (*cw_alertbus_reply_fn)(struct cw_alertbus_req *req, json_t *result,
				     const char *code, const char *message);

/*
 * Answers a replay: transitions is an array of transition objects (below)
 * with ids > the cursor asked for, in increasing id order, at most `limit`;
 * more says whether more are stored after the last one. The bus takes its
 * own references. On failure transitions is NULL and code/message are set
 * ("cursor_too_old" when the cursor is older than what can be replayed).
 */
typedef void (*cw_alertbus_batch_fn)(struct cw_alertbus_req *req, const json_t *transitions, bool more,
				     const char *code, const char *message);

/*
 * What the bus serves. A transition object is
 *   {"id": 42, "type": "raised", "time": "2026-11-23T09:00:00Z",
 *    "data": {"rule_id": ..., "alert_id": ..., "person_id": ..., "team": ...,
 *             "team_code": ..., "audience": ..., "due": ..., "state": ..., "severity": ...,
 *             "kind": ..., "late_by": ...}}
 * with type one of raised, escalated, resolved, withdrawn, acknowledged,
 * snoozed; data values are strings or integers (ids, codes, dates); other
 * data members are never sent.
 */
struct cw_alertbus_provider {
	void *ctx;
	/* Adds the provider's own members to a status reply (synchronous). */
	void (*status)(void *ctx, json_t *reply);
	/* Lists alerts matching filter (an object of team/rule/audience/severity/
	 * kind/state arrays of strings); the result holds "alerts": [...]. */
	void (*alerts)(void *ctx, const json_t *filter, cw_alertbus_reply_fn done, struct cw_alertbus_req *req);
	/* Transitions with id > after_id, at most limit of them. */
	void (*replay)(void *ctx, uint64_t after_id, size_t limit, cw_alertbus_batch_fn done,
		       struct cw_alertbus_req *req);
	/* Applies verb ("ack", "snooze", "unack" or "unsnooze") with the validated args (docs/protocol.md)
	 * on behalf of who; the result says what changed. */
	void (*change)(void *ctx, const char *verb, const json_t *args, const struct cw_actor *who,
		       cw_alertbus_reply_fn done, struct cw_alertbus_req *req);
	/* A digest (docs/protocol.md, digest): args holds audience, and as given
	 * teams (array of id strings), worker, since, cap and mark; marking is
	 * done on behalf of who. The result holds "digest": {...}. May be NULL. */
	void (*digest)(void *ctx, const json_t *args, const struct cw_actor *who, cw_alertbus_reply_fn done,
		       struct cw_alertbus_req *req);
	/* The audit trail: args holds since (UTC), actor and limit as given; the
	 * result holds "entries": [...]. May be NULL. */
	void (*audit)(void *ctx, const json_t *args, cw_alertbus_reply_fn done, struct cw_alertbus_req *req);
	/* Runs a records officer's command (hold, destruction, register), already
	 * validated into one query (daemon/records_cmd.h); its rows form the
	 * result. May be NULL: the commands are then unavailable. */
	void (*records)(void *ctx, const struct cw_records_query *q, cw_alertbus_reply_fn done,
			struct cw_alertbus_req *req);
	/* The client went away: forget req, never answer it. May be NULL, then
	 * the bus keeps req until the provider answers and ignores the answer. */
	void (*cancel)(void *ctx, struct cw_alertbus_req *req);
	/* Names a team of a filter as the client wrote it (a code such as
	 * "T005", or an id) by the id the data carry, written to id; returns
	 * NULL then, else an error code ("unknown_team", or "db_unavailable"
	 * while the teams cannot be read) with msg (synchronous). May be NULL:
	 * team values are then matched as they are written. */
	const char *(*team)(void *ctx, const char *name, char *id, size_t idsize, char *msg, size_t msgsize);
};

/* Who may change state (ack, snooze). Read-only commands are for any peer. */
struct cw_alertbus_policy {
	const uid_t *uids;
	size_t n_uids;
	const gid_t *gids; /* matched against the peer's primary and supplementary groups */
	size_t n_gids;
	bool deny_root; /* root is allowed unless this is set */
};

/* Logs one line; priority is a syslog priority (LOG_ERR ... LOG_DEBUG). */
typedef void (*cw_alertbus_log_fn)(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Zero means the default for every number. */
struct cw_alertbus_config {
	const char *path;	  /* socket to create when systemd passed none */
	mode_t mode;		  /* its permissions (default 0660) */
	const char *group;	  /* group to give it, NULL to leave the daemon's */
	bool systemd;		  /* use a listening Unix socket passed by systemd, if any */
	size_t max_clients;	  /* connections at once (default 64) */
	size_t max_line;	  /* longest request line in bytes (default 65536) */
	size_t max_output;	  /* bytes queued for one client: a subscriber past it is cut off; a
				   * client's requests wait while its replies pass it, and past 4
				   * times it (or unread for idle_timeout_ms) it is cut off (1 MiB) */
	size_t live_queue_max;	  /* live transitions held per subscriber during replay (default 4096) */
	size_t replay_batch;	  /* transitions per replay call (default 256) */
	unsigned idle_timeout_ms; /* silent client, or unfinished line (default 30000) */
	unsigned close_grace_ms;  /* time a cut-off client gets to read its last message (default 1000) */
	const char *source_host;  /* host in each event's "source" (default gethostname()) */
	const char *daemon_version; /* reported by hello (default PACKAGE_VERSION) */
	uint64_t last_id;	  /* id of the last transition committed before start */
	struct cw_alertbus_policy policy;
	struct cw_alertbus_provider provider;
	cw_alertbus_log_fn log;	  /* required */
	cw_alertbus_log_fn log_cutoff; /* a slow subscriber cut off (default: log) */
	time_t (*now)(void);	  /* the daemon's clock, for snooze's "until" (default time(NULL)) */
};

/* Starts listening. NULL and err set (naming the path) when the socket cannot
 * be set up. The config's strings and arrays must outlive the bus. The
 * process must ignore SIGPIPE (a client may close while being written to). */
struct cw_alertbus *cw_alertbus_new(struct event_base *base, const struct cw_alertbus_config *config,
				    struct cw_error *err);

/* Closes every connection (cancelling their provider requests), the listener,
 * and removes the socket file the bus created. NULL is allowed. */
void cw_alertbus_free(struct cw_alertbus *bus);

/* Sends a committed transition to every matching subscriber. Ids must
 * increase; an id not above the last one published is ignored (logged). The
 * transition is the object described above, without its id; the bus copies
 * what it needs. */
void cw_alertbus_publish(struct cw_alertbus *bus, uint64_t transition_id, const json_t *transition);

/* True when a transition's data passes a filter as clients give it
 * (members team, rule, audience, severity, kind, state; each a string or an
 * array of strings; all members must match). NULL matches everything. */
bool cw_alertbus_filter_match(const json_t *filter, const json_t *data);

/* The id of the last transition published (or config.last_id). */
uint64_t cw_alertbus_last_id(const struct cw_alertbus *bus);

/* Raises the last id to id when it is higher (the delivery cursor read from
 * the store after a start: transitions up to it exist, so cursors up to it
 * are valid). Never lowers it. */
void cw_alertbus_set_last_id(struct cw_alertbus *bus, uint64_t id);

/* The lowest cursor of any subscriber (every id above it may still be sent
 * to that subscriber), or UINT64_MAX when nobody is subscribed: the store
 * keeps what a connected subscriber has yet to read. */
uint64_t cw_alertbus_min_cursor(const struct cw_alertbus *bus);

/* Error counts by code: the codes replied (docs/protocol.md) and
 * "io_error", "accept_error" for failures that get no reply. */
#define CW_ALERTBUS_ERROR_KINDS 32
struct cw_alertbus_stats {
	size_t clients, subscribers;
	size_t queued_bytes;	 /* output waiting, all subscribers together */
	size_t queued_bytes_max; /* the most waiting for one subscriber */
	uint64_t accepted;	 /* connections accepted since start */
	uint64_t cutoffs;	 /* slow subscribers cut off since start */
	size_t n_errors;
	struct {
		char code[32];
		uint64_t count;
	} errors[CW_ALERTBUS_ERROR_KINDS];
};

/* The bus's numbers, for metrics. */
void cw_alertbus_get_stats(const struct cw_alertbus *bus, struct cw_alertbus_stats *st);

/* The number of open connections. */
size_t cw_alertbus_clients(const struct cw_alertbus *bus);
/* Bytes queued for every client together (bounded by max_clients times
 * what one client may hold). */
size_t cw_alertbus_output_bytes(const struct cw_alertbus *bus);

#endif /* CASEWATCH_ALERTBUS_H */
