/*
 * alertbus_int.h - what the alert bus's two files share: the connection,
 * the bus, and the helpers the commands (alertbus_cmd.c) answer through.
 * Not for use outside daemon/alertbus*.c.
 */
#ifndef CASEWATCH_ALERTBUS_INT_H
#define CASEWATCH_ALERTBUS_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <jansson.h>

#include "alertbus.h"

#define MAX_VALUE_LEN 128 /* longest string value copied into an event's data */
#define MAX_FILTER_VALUES 256

struct ratelimit {
	time_t window;
	unsigned count;
	unsigned suppressed;
};

/* One serialized event, shared by every subscriber it goes to. */
struct line {
	int refs;
	uint64_t id;
	json_t *data; /* the event's data, for filters */
	size_t len;
	char text[]; /* the envelope and its newline */
};

enum sub_state { SUB_NONE, SUB_REPLAYING, SUB_LIVE };

struct conn;

struct cw_alertbus_req {
	struct conn *conn; /* NULL once the client has gone (provider without cancel) */
};

struct conn {
	struct cw_alertbus *bus;
	struct conn *prev, *next;
	struct bufferevent *bev;
	struct event *timer;  /* idle client, unfinished line, or close grace */
	struct event *resume; /* deferred work: next lines, next batch, close */
	struct cw_actor actor;
	gid_t *groups; /* supplementary groups */
	size_t n_groups;
	bool allowed; /* may ack and snooze */
	bool hello_done;
	bool discarding; /* inside a line that is over the limit */
	bool read_eof;
	bool closing; /* flushing a last message, then closed */
	uint64_t last_activity_ms;
	uint64_t partial_since_ms; /* 0, or when the unfinished line began */
	uint64_t unread_since_ms;  /* 0, or since when requests wait for replies to be read */

	/* The command being answered: requests are handled one at a time. */
	bool busy;
	json_t *cmd_id;
	struct cw_alertbus_req *cmd_req;

	/* The subscription. */
	enum sub_state sub;
	json_t *filter;	    /* normalized filter, NULL for everything */
	uint64_t scanned;   /* every id <= scanned has been sent or filtered out */
	uint64_t last_sent; /* last event id queued for the client */
	bool sub_replied;   /* the subscribe reply went out */
	bool want_batch;    /* the next replay batch is due */
	bool queue_dropped; /* live queue overflowed since the last batch request */
	struct cw_alertbus_req *replay_req;
	struct line **queue; /* live transitions held while replaying */
	size_t qlen, qcap;
};

struct cw_alertbus {
	struct event_base *base;
	struct cw_alertbus_config cfg;
	struct evconnlistener *listener;
	char *path; /* the socket file we created, removed at free */
	char source[300];
	struct conn *conns;
	size_t nconns;
	uint64_t last_id;
	size_t max_subscribers; /* max_clients less the slots kept for commands */
	/* Counts for cw_alertbus_get_stats(). */
	uint64_t accepted, cutoffs;
	size_t n_errors;
	struct {
		char code[32];
		uint64_t count;
	} errors[CW_ALERTBUS_ERROR_KINDS];
	struct ratelimit rl_full, rl_refused, rl_overflow, rl_unread, rl_subs;
};

/* Counts an error of a kind (a reply's code, "io_error", "accept_error"). */
void alertbus_count_error(struct cw_alertbus *bus, const char *code);
/* Subscribed connections now. */
size_t alertbus_subscribers(const struct cw_alertbus *bus);

/* True when a line of this kind may be logged now (rate-limited per kind). */
bool alertbus_ratelimit(struct cw_alertbus *bus, struct ratelimit *rl, const char *what);

/* Copies text for an error message, replacing bytes that are not printable ASCII. */
void alertbus_printable(char *dst, size_t size, const char *src, size_t len);

/* Reads a non-negative id given as a decimal string or an integer. */
bool alertbus_parse_id(const json_t *v, uint64_t *out);

/* Sends {"ok":true,"id":...,<result members>}; steals result. */
void alertbus_reply_ok(struct conn *conn, const json_t *id, json_t *result);

/* Sends {"ok":false,"id":...,"error":{"code":...,"message":...}}. */
void alertbus_reply_error(struct conn *conn, const json_t *id, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Marks conn busy with a provider command; its answer goes to alertbus_on_reply. */
struct cw_alertbus_req *alertbus_begin_command(struct conn *conn, const json_t *id);

/* The provider's answer to a command. */
void alertbus_on_reply(struct cw_alertbus_req *req, json_t *result, const char *code, const char *message);

/* The subscribe reply; ends the subscribe command. */
void alertbus_sub_reply(struct conn *conn);

/* Asks the provider for the next replay batch. */
void alertbus_sub_request_batch(struct conn *conn);

/* Ends the subscription: no event is sent after this. */
void alertbus_sub_end(struct conn *conn);

/* Parses and answers one request line (alertbus_cmd.c). */
void alertbus_handle_line(struct conn *conn, const char *text, size_t len);

#endif /* CASEWATCH_ALERTBUS_INT_H */
