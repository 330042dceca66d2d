/*
 * metrics.h - casewatchd's numbers in the Prometheus text format, served on
 * libevent's HTTP server (GET /metrics) when metrics_listen is set.
 *
 * Counters that happen at one place (a pass ended, a transition delivered,
 * a change evaluated, a reconnect) are recorded through the cw_metrics_note_*
 * calls, which cost a few additions whether or not the endpoint is on.
 * Everything else is read at scrape time from the modules that own it:
 * leadership from the daemon, subscribers and socket errors from the bus,
 * pruning (prune.h). Open alerts by rule and state come from a cheap
 * grouped count the endpoint runs itself, asynchronously, between passes,
 * when transitions were delivered since the last one.
 *
 * Labels carry codes only (rule ids, states, kinds, error codes, versions):
 * never a person id or anything read from a record.
 */
#ifndef CASEWATCH_DAEMON_METRICS_H
#define CASEWATCH_DAEMON_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "casewatch/error.h"

struct event_base;
struct cw_daemon;
struct cw_poller;
struct cw_alertbus;
struct cw_prune;
struct cw_metrics;

/* Where the scrape reads from; any may be NULL. */
struct cw_metrics_sources {
	struct cw_daemon *daemon;
	struct cw_poller *poller;
	struct cw_alertbus *bus;
	struct cw_prune *prune;
};

/* Parses metrics_listen: "PORT" (on 127.0.0.1), "IPV4:PORT" or "[IPV6]:PORT";
 * numeric addresses only (a name would need a blocking DNS look-up). False
 * with why set otherwise. */
bool cw_metrics_parse_listen(const char *text, char *addr, size_t size, uint16_t *port, char *why, size_t why_size);

/* Listens on listen (as parsed above) and serves GET /metrics. NULL and err
 * set when the address cannot be bound. */
struct cw_metrics *cw_metrics_new(struct event_base *base, const char *listen, const struct cw_metrics_sources *src,
				  struct cw_error *err);
/* Stops serving. Call after cw_daemon_free (its count query's callback is dropped). NULL is allowed. */
void cw_metrics_free(struct cw_metrics *m);
/* The page a scrape gets; malloc'd. */
char *cw_metrics_render(struct cw_metrics *m);

/* A pass ended after ms milliseconds. */
void cw_metrics_note_pass(int64_t ms, bool ok);
/* A changed person was evaluated seconds after its first change not seen before. */
void cw_metrics_note_change_lag(double seconds);
/* A transition of kind (raised, escalated, ...) was delivered to the sinks. */
void cw_metrics_note_transition(const char *kind);
/* The database connection came up: every one after the first is a reconnect. */
void cw_metrics_note_db_connected(void);

#endif /* CASEWATCH_DAEMON_METRICS_H */
