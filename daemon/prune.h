/*
 * prune.h - keeps casewatch's transition log and audit bounded.
 *
 * Every poll_interval (the first time as soon as the database is ready),
 * while this daemon is the writer (the leader), no pass is running and its
 * connection has nothing queued, it prunes in batches of 500 rows, each its
 * own short statement, so a pass waits at most one batch: transitions
 * older than transition_retention (on the daemon's clock) that the syslog
 * sink has taken and no connected subscriber still has to read
 * (casewatch.prune_transitions(), sql/casewatch/005), then audit rows
 * older than audit_retention. What was pruned leaves the in-memory ring
 * too. Every daemon (a standby too) reads the replay window on the same
 * timer, so status says from which id a subscriber can resume. Settings
 * are read from the daemon at each run, so a reload applies at the next.
 */
#ifndef CASEWATCH_DAEMON_PRUNE_H
#define CASEWATCH_DAEMON_PRUNE_H

#include <stdbool.h>
#include <stdint.h>

struct event_base;
struct cw_daemon;
struct cw_translog;
struct cw_alertbus;
struct cw_prune;

/* What status shows. */
struct cw_prune_stats {
	bool known;	       /* the window has been read since the last connection */
	uint64_t pruned_upto;  /* a replay cursor may not be older than this */
	uint64_t oldest_id;    /* the oldest transition a replay can return; 0: none kept */
	uint64_t transitions_pruned; /* since start */
	uint64_t audit_pruned;	     /* since start */
};

/* A pruner on base for daemon's store; tlog and bus may be NULL (--once). */
struct cw_prune *cw_prune_new(struct event_base *base, struct cw_daemon *daemon, struct cw_translog *tlog,
				      struct cw_alertbus *bus);
/* Frees it: call after cw_daemon_free (which drops its queries' callbacks). */
void cw_prune_free(struct cw_prune *r);
/* The numbers for status. */
void cw_prune_get_stats(const struct cw_prune *r, struct cw_prune_stats *st);

#endif /* CASEWATCH_DAEMON_PRUNE_H */
