/* alertbus.c - the alert socket: newline-delimited JSON commands and a resumable event stream. */
#define _GNU_SOURCE 1 /* struct ucred, SO_PEERCRED */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <systemd/sd-daemon.h>

#include "alertbus_int.h"

#define DEFAULT_MODE 0660
#define DEFAULT_MAX_CLIENTS 64
#define DEFAULT_MAX_LINE 65536
#define DEFAULT_MAX_OUTPUT (1024 * 1024)
#define DEFAULT_LIVE_QUEUE 4096
#define DEFAULT_REPLAY_BATCH 256
#define DEFAULT_IDLE_MS 30000
#define DEFAULT_GRACE_MS 1000
/* A client whose unread replies pass this many times max_output is cut off. */
#define OUTPUT_HARD_FACTOR 4
/* One slot in this many is kept for commands: subscribers cannot take it. */
#define COMMAND_RESERVE_DIVISOR 8

#define EVENT_TYPE_PREFIX "uk.casewatch.alert."

/* Logs at most this many lines of one kind per window, then one summary. */
#define RATELIMIT_BURST 10
#define RATELIMIT_WINDOW_S 60

static const char *const transition_types[] = {
	"raised", "escalated", "resolved", "withdrawn", "acknowledged", "snoozed", "unacknowledged", "unsnoozed", NULL,
};

/* The only data members an event carries: ids, codes and dates, and the
 * rule's title and source reference from the policy profile (never from a
 * record). */
const char *const cw_alertbus_data_keys[] = {
	"rule_id", "rule_title", "rule_source", "alert_id", "person_id", "team", "team_code", "audience", "due",
	"state", "severity", "kind", "late_by", NULL,
};

/* The rule's title and source reference may be longer than an id or code. */
#define MAX_RULE_TEXT_LEN 256

static void conn_free(struct conn *conn);
static void conn_shutdown(struct conn *conn);
static void conn_process(struct conn *conn);
static void conn_arm_timer(struct conn *conn);
static void conn_cut_unread(struct conn *conn, const char *why);

/* Milliseconds on the monotonic clock. */
static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* True when a line of this kind may be logged now; counts the ones that may not. */
bool alertbus_ratelimit(struct cw_alertbus *bus, struct ratelimit *rl, const char *what)
{
	time_t now = time(NULL);

	if (now - rl->window >= RATELIMIT_WINDOW_S) {
		if (rl->suppressed)
			bus->cfg.log(LOG_WARNING, "alertbus: %u more %s not logged in the last %d s",
				     rl->suppressed, what, RATELIMIT_WINDOW_S);
		rl->window = now;
		rl->count = 0;
		rl->suppressed = 0;
	}
	if (rl->count < RATELIMIT_BURST) {
		rl->count++;
		return true;
	}
	rl->suppressed++;
	return false;
}

/* Copies text for an error message, replacing bytes that are not printable ASCII. */
void alertbus_printable(char *dst, size_t size, const char *src, size_t len)
{
	size_t i;

	if (size == 0)
		return;
	for (i = 0; i < len && i + 1 < size; i++) {
		unsigned char c = (unsigned char)src[i];
		dst[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	dst[i] = '\0';
}

/* Reads a non-negative id given as a decimal string or an integer. */
bool alertbus_parse_id(const json_t *v, uint64_t *out)
{
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
		return true;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;

		if (*s < '0' || *s > '9' || json_string_length(v) > 20)
			return false;
		errno = 0;
		*out = strtoull(s, &end, 10);
		return errno == 0 && *end == '\0';
	}
	return false;
}

/* A line: one reference, text copied with a newline added. */
static struct line *line_new(uint64_t id, json_t *data, const char *text)
{
	size_t len = strlen(text);
	struct line *l = malloc(sizeof(*l) + len + 2);

	if (!l)
		return NULL;
	l->refs = 1;
	l->id = id;
	l->data = json_incref(data);
	memcpy(l->text, text, len);
	l->text[len] = '\n';
	l->text[len + 1] = '\0';
	l->len = len + 1;
	return l;
}

/* Drops one reference. */
static void line_unref(struct line *l)
{
	if (l && --l->refs == 0) {
		json_decref(l->data);
		free(l);
	}
}

/*
 * Builds the CloudEvents envelope of a transition, keeping only the data
 * members that are ids, codes and dates. NULL (and logged) when the
 * transition is malformed, so a bad one is skipped the same way live and
 * in replay.
 */
static struct line *bus_make_line(struct cw_alertbus *bus, uint64_t id, const json_t *t)
{
	const char *type = json_string_value(json_object_get(t, "type"));
	const char *when = json_string_value(json_object_get(t, "time"));
	const json_t *data = json_object_get(t, "data");
	const json_t *alert;
	json_t *env, *copy;
	char buf[MAX_VALUE_LEN + 64], idbuf[32];
	const char *why = NULL;
	struct line *l = NULL;
	char *text;
	size_t i;

	for (i = 0; type && transition_types[i]; i++)
		if (!strcmp(type, transition_types[i]))
			break;
	if (!type || !transition_types[i])
		why = "\"type\" is not one of raised, escalated, resolved, withdrawn, acknowledged, snoozed, "
		      "unacknowledged, unsnoozed";
	else if (!when)
		why = "\"time\" is missing";
	else if (!json_is_object(data))
		why = "\"data\" is not an object";
	if (why) {
		bus->cfg.log(LOG_ERR, "alertbus: transition %" PRIu64 " not sent: %s", id, why);
		return NULL;
	}
	alert = json_object_get(data, "alert_id");
	if (json_is_string(alert) && json_string_length(alert) <= MAX_VALUE_LEN)
		snprintf(buf, sizeof(buf), "alert/%s", json_string_value(alert));
	else if (json_is_integer(alert))
		snprintf(buf, sizeof(buf), "alert/%" JSON_INTEGER_FORMAT, json_integer_value(alert));
	else {
		bus->cfg.log(LOG_ERR, "alertbus: transition %" PRIu64 " not sent: data.alert_id is missing", id);
		return NULL;
	}
	copy = json_object();
	for (i = 0; cw_alertbus_data_keys[i]; i++) {
		json_t *v = json_object_get(data, cw_alertbus_data_keys[i]);
		size_t max = !strncmp(cw_alertbus_data_keys[i], "rule_", 5) && strcmp(cw_alertbus_data_keys[i], "rule_id")
				     ? MAX_RULE_TEXT_LEN
				     : MAX_VALUE_LEN;

		if (json_is_integer(v) || (json_is_string(v) && json_string_length(v) <= max))
			json_object_set(copy, cw_alertbus_data_keys[i], v);
		else if (v && !json_is_null(v))
			bus->cfg.log(LOG_WARNING, "alertbus: transition %" PRIu64 ": data.%s left out (not a short string or integer)",
				     id, cw_alertbus_data_keys[i]);
	}
	snprintf(idbuf, sizeof(idbuf), "%" PRIu64, id);
	env = json_pack("{s:s, s:s, s:s, s:s+, s:s, s:s, s:O}", "specversion", "1.0", "id", idbuf, "source",
			bus->source, "type", EVENT_TYPE_PREFIX, type, "time", when, "subject", buf, "data", copy);
	text = env ? json_dumps(env, JSON_COMPACT) : NULL;
	if (text)
		l = line_new(id, copy, text);
	if (!l)
		bus->cfg.log(LOG_ERR, "alertbus: transition %" PRIu64 " not sent: out of memory", id);
	free(text);
	json_decref(env);
	json_decref(copy);
	return l;
}

/* Bytes queued for the client. */
static size_t conn_output(const struct conn *conn)
{
	return evbuffer_get_length(bufferevent_get_output(conn->bev));
}

/* Appends bytes to the client's output; a client holding more than the
 * hard limit unread is cut off instead (requests wait at max_output, so
 * only a client that is sent what it did not ask for gets here). */
static void conn_write(struct conn *conn, const char *data, size_t len)
{
	if (conn->closing)
		return;
	if (conn_output(conn) > conn->bus->cfg.max_output * OUTPUT_HARD_FACTOR) {
		conn_cut_unread(conn, "past the hard limit");
		return;
	}
	if (bufferevent_write(conn->bev, data, len) < 0)
		conn_shutdown(conn);
}

/* Serializes a JSON object as one line to the client; steals obj. */
static void conn_send_json(struct conn *conn, json_t *obj)
{
	char *text = json_dumps(obj, JSON_COMPACT);

	json_decref(obj);
	if (!text) {
		conn->bus->cfg.log(LOG_ERR, "alertbus: cannot serialize a reply: out of memory");
		conn_shutdown(conn);
		return;
	}
	conn_write(conn, text, strlen(text));
	conn_write(conn, "\n", 1);
	free(text);
}

/* Sends {"ok":true,"id":...,<result members>} and steals result. */
void alertbus_reply_ok(struct conn *conn, const json_t *id, json_t *result)
{
	json_t *r = json_object();

	json_object_set_new(r, "ok", json_true());
	if (id)
		json_object_set(r, "id", (json_t *)id);
	if (json_is_object(result))
		json_object_update_missing(r, result);
	json_decref(result);
	conn_send_json(conn, r);
}

/* Sends {"ok":false,"id":...,"error":{"code":...,"message":...}}. */
void alertbus_count_error(struct cw_alertbus *bus, const char *code)
{
	size_t i;

	for (i = 0; i < bus->n_errors; i++)
		if (!strcmp(bus->errors[i].code, code))
			break;
	if (i == bus->n_errors) {
		if (i == CW_ALERTBUS_ERROR_KINDS)
			i--; /* the codes are a fixed set; the last slot takes any surplus */
		else
			bus->n_errors++;
		snprintf(bus->errors[i].code, sizeof(bus->errors[i].code), "%s", code);
	}
	bus->errors[i].count++;
}

void alertbus_reply_error(struct conn *conn, const json_t *id, const char *code, const char *fmt, ...)
{
	char msg[512];
	json_t *r = json_object();
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	alertbus_count_error(conn->bus, code);
	json_object_set_new(r, "ok", json_false());
	if (id)
		json_object_set(r, "id", (json_t *)id);
	json_object_set_new(r, "error", json_pack("{s:s, s:s}", "code", code, "message", msg));
	conn_send_json(conn, r);
}

/* Ends the command being answered and lets the next line be read. */
static void conn_finish_command(struct conn *conn)
{
	json_decref(conn->cmd_id);
	conn->cmd_id = NULL;
	conn->busy = false;
	conn->last_activity_ms = now_ms();
	event_active(conn->resume, EV_TIMEOUT, 0);
}

/* A request handle for conn. */
static struct cw_alertbus_req *req_new(struct conn *conn)
{
	struct cw_alertbus_req *req = calloc(1, sizeof(*req));

	if (req)
		req->conn = conn;
	return req;
}

/* The client no longer needs req: the provider forgets it, or answers into the void. */
static void req_abandon(struct cw_alertbus *bus, struct cw_alertbus_req *req)
{
	if (!req)
		return;
	if (bus->cfg.provider.cancel) {
		bus->cfg.provider.cancel(bus->cfg.provider.ctx, req);
		free(req);
	} else
		req->conn = NULL;
}

/* Drops the live transitions held for a replaying subscriber. */
static void sub_clear_queue(struct conn *conn)
{
	for (size_t i = 0; i < conn->qlen; i++)
		line_unref(conn->queue[i]);
	conn->qlen = 0;
}

/* Ends the subscription: no event is sent after this. */
void alertbus_sub_end(struct conn *conn)
{
	if (conn->replay_req) {
		req_abandon(conn->bus, conn->replay_req);
		conn->replay_req = NULL;
	}
	sub_clear_queue(conn);
	free(conn->queue);
	conn->queue = NULL;
	conn->qcap = 0;
	json_decref(conn->filter);
	conn->filter = NULL;
	conn->sub = SUB_NONE;
	conn->want_batch = false;
}

/*
 * The client is not reading fast enough: what is queued stays queued, the
 * overflow message follows it, naming the last event before it (best
 * effort: the client may not read it within the grace time), then close.
 */
static void sub_overflow(struct conn *conn)
{
	struct cw_alertbus *bus = conn->bus;
	char text[128];
	int n;

	if (alertbus_ratelimit(bus, &bus->rl_overflow, "slow-client cut-offs"))
		(bus->cfg.log_cutoff ? bus->cfg.log_cutoff : bus->cfg.log)(LOG_WARNING,
			     "alertbus: client uid %u pid %d cut off: more than %zu bytes waiting; it may resume from %" PRIu64,
			     (unsigned)conn->actor.uid, (int)conn->actor.pid, bus->cfg.max_output, conn->last_sent);
	alertbus_sub_end(conn);
	n = snprintf(text, sizeof(text), "{\"type\":\"uk.casewatch.overflow\",\"resume_from\":\"%" PRIu64 "\"}\n",
		     conn->last_sent);
	bus->cutoffs++;
	conn_write(conn, text, (size_t)n);
	conn_shutdown(conn);
}

/* Queues one event for the client; false when that cut the client off. */
static bool sub_send(struct conn *conn, struct line *l)
{
	size_t queued = evbuffer_get_length(bufferevent_get_output(conn->bev));

	if (queued && queued + l->len > conn->bus->cfg.max_output) {
		sub_overflow(conn);
		return false;
	}
	conn_write(conn, l->text, l->len);
	conn->last_sent = l->id;
	return true;
}

/* Considers one transition in id order: sends it if new and wanted. */
static bool sub_offer(struct conn *conn, struct line *l)
{
	if (l->id <= conn->scanned)
		return true;
	if (cw_alertbus_filter_match(conn->filter, l->data) && !sub_send(conn, l))
		return false;
	conn->scanned = l->id;
	return true;
}

/* Replay is complete up to conn->scanned: send the held live ones after it, then go live. */
static void sub_go_live(struct conn *conn)
{
	size_t i;

	conn->sub = SUB_LIVE;
	for (i = 0; i < conn->qlen; i++)
		if (!sub_offer(conn, conn->queue[i]))
			return; /* cut off; the queue went with the subscription */
	sub_clear_queue(conn);
	free(conn->queue);
	conn->queue = NULL;
	conn->qcap = 0;
}

/* The subscribe reply, sent once replay has produced its first answer (or at once for live only). */
void alertbus_sub_reply(struct conn *conn)
{
	json_t *r = json_object();
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, conn->bus->last_id);
	json_object_set_new(r, "subscribed", json_true());
	json_object_set_new(r, "last_id", json_string(buf));
	json_object_set_new(r, "replay", json_boolean(conn->sub == SUB_REPLAYING));
	alertbus_reply_ok(conn, conn->cmd_id, r);
	conn->sub_replied = true;
	conn_finish_command(conn);
}

/* The provider's answer to one replay call. */
static void bus_on_batch(struct cw_alertbus_req *req, const json_t *transitions, bool more, const char *code,
			 const char *message)
{
	struct conn *conn = req->conn;
	const json_t *t;
	size_t i;

	free(req);
	if (!conn)
		return;
	conn->replay_req = NULL;
	if (conn->closing || conn->sub != SUB_REPLAYING)
		return;
	if (!transitions || code) {
		code = code ? code : "internal";
		message = message ? message : "the transitions could not be read";
		if (!conn->sub_replied) {
			alertbus_reply_error(conn, conn->cmd_id, code, "%s", message);
			conn_finish_command(conn);
		} else {
			char buf[32];

			snprintf(buf, sizeof(buf), "%" PRIu64, conn->scanned);
			conn_send_json(conn, json_pack("{s:s, s:{s:s, s:s}, s:s}", "type", "uk.casewatch.replay_failed",
						       "error", "code", code, "message", message, "resume_from", buf));
		}
		alertbus_sub_end(conn);
		return;
	}
	if (!conn->sub_replied)
		alertbus_sub_reply(conn);
	json_array_foreach (transitions, i, t) {
		size_t queued = evbuffer_get_length(bufferevent_get_output(conn->bev));
		uint64_t id;
		struct line *l;
		bool alive;

		if (!alertbus_parse_id(json_object_get(t, "id"), &id)) {
			conn->bus->cfg.log(LOG_ERR, "alertbus: replay: transition [%zu] has no valid id; skipped", i);
			continue;
		}
		if (id <= conn->scanned)
			continue;
		l = bus_make_line(conn->bus, id, t);
		if (!l) {
			conn->scanned = id;
			continue;
		}
		/* Replay goes at the client's pace: the rest of the batch is read
		 * again once the client has drained its output. */
		if (queued && queued + l->len > conn->bus->cfg.max_output &&
		    cw_alertbus_filter_match(conn->filter, l->data)) {
			line_unref(l);
			more = true;
			break;
		}
		alive = sub_offer(conn, l);
		line_unref(l);
		if (!alive)
			return;
	}
	/* A live overflow after this batch was asked for may have dropped a
	 * transition the batch did not see: read once more before going live. */
	if (more || conn->queue_dropped) {
		conn->want_batch = true;
		if (evbuffer_get_length(bufferevent_get_output(conn->bev)) <= conn->bus->cfg.max_output / 2)
			event_active(conn->resume, EV_TIMEOUT, 0);
		return;
	}
	sub_go_live(conn);
}

/* Asks the provider for the next replay batch after conn->scanned. */
void alertbus_sub_request_batch(struct conn *conn)
{
	struct cw_alertbus *bus = conn->bus;
	struct cw_alertbus_req *req;

	conn->want_batch = false;
	if (conn->replay_req || conn->sub != SUB_REPLAYING)
		return;
	req = req_new(conn);
	if (!req) {
		conn_shutdown(conn);
		return;
	}
	conn->replay_req = req;
	conn->queue_dropped = false;
	bus->cfg.provider.replay(bus->cfg.provider.ctx, conn->scanned, bus->cfg.replay_batch, bus_on_batch, req);
}

/* The provider's answer to a command (alerts, ack, snooze). */
void alertbus_on_reply(struct cw_alertbus_req *req, json_t *result, const char *code, const char *message)
{
	struct conn *conn = req->conn;

	free(req);
	if (!conn) {
		json_decref(result);
		return;
	}
	conn->cmd_req = NULL;
	if (conn->closing)
		json_decref(result);
	else if (code)
		alertbus_reply_error(conn, conn->cmd_id, code, "%s", message ? message : code);
	else
		alertbus_reply_ok(conn, conn->cmd_id, result);
	conn_finish_command(conn);
}

/* Starts an asynchronous provider command; its answer finishes it. */
struct cw_alertbus_req *alertbus_begin_command(struct conn *conn, const json_t *id)
{
	struct cw_alertbus_req *req = req_new(conn);

	if (!req) {
		alertbus_reply_error(conn, id, "internal", "out of memory");
		return NULL;
	}
	conn->busy = true;
	conn->cmd_id = json_incref((json_t *)id);
	conn->cmd_req = req;
	return req;
}

/*
 * Takes complete lines from the input, one request at a time. An over-long
 * line is answered with an error as soon as it passes the limit and the rest
 * of it is discarded as it arrives, so it is never held whole.
 */
static void conn_process(struct conn *conn)
{
	struct evbuffer *in = bufferevent_get_input(conn->bev);
	size_t max = conn->bus->cfg.max_line, max_output = conn->bus->cfg.max_output;
	struct evbuffer_ptr eol;
	char *buf;

	while (!conn->busy && !conn->closing) {
		size_t avail = evbuffer_get_length(in), len;

		if (avail == 0)
			break;
		/* Replies the client has not read: its next request waits (and
		 * its input, bounded by the read watermark, stays in the socket). */
		if (conn_output(conn) > max_output) {
			if (!conn->unread_since_ms) {
				conn->unread_since_ms = now_ms();
				bufferevent_disable(conn->bev, EV_READ);
			}
			break;
		}
		if (conn->unread_since_ms) {
			conn->unread_since_ms = 0;
			bufferevent_enable(conn->bev, EV_READ);
		}
		eol = evbuffer_search(in, "\n", 1, NULL);
		if (conn->discarding) {
			if (eol.pos < 0) {
				evbuffer_drain(in, avail);
				break;
			}
			evbuffer_drain(in, (size_t)eol.pos + 1);
			conn->discarding = false;
			conn->partial_since_ms = 0;
			continue;
		}
		if (eol.pos < 0 ? avail > max : (size_t)eol.pos > max) {
			alertbus_reply_error(conn, NULL, "line_too_long",
					 "a request line is limited to %zu bytes; the rest of this line is discarded", max);
			conn->discarding = true;
			continue;
		}
		if (eol.pos < 0)
			break;
		len = (size_t)eol.pos;
		buf = malloc(len + 1);
		if (!buf) {
			conn_shutdown(conn);
			return;
		}
		evbuffer_remove(in, buf, len + 1);
		if (len && buf[len - 1] == '\r')
			len--;
		conn->last_activity_ms = now_ms();
		conn->partial_since_ms = 0;
		if (len)
			alertbus_handle_line(conn, buf, len);
		free(buf);
	}
	if (conn->closing)
		return;
	if (!conn->busy && !conn->unread_since_ms) {
		if (evbuffer_get_length(in) == 0 && !conn->discarding)
			conn->partial_since_ms = 0;
		else if (conn->partial_since_ms == 0)
			conn->partial_since_ms = now_ms();
		/* The client said all it will say: answer it, then close. */
		if (conn->read_eof) {
			if (conn->partial_since_ms && !conn->discarding)
				alertbus_reply_error(conn, NULL, "incomplete_line",
						 "the connection ended inside a request: every request ends with a newline");
			conn_shutdown(conn);
			return;
		}
	}
	conn_arm_timer(conn);
}

/* Arms the connection's timer for its next deadline, if it has one. */
static void conn_arm_timer(struct conn *conn)
{
	uint64_t idle = conn->bus->cfg.idle_timeout_ms, now = now_ms(), deadline;
	struct timeval tv;

	if (conn->closing)
		return;
	if (conn->unread_since_ms)
		deadline = conn->unread_since_ms + idle;
	else if (conn->partial_since_ms && !conn->busy)
		deadline = conn->partial_since_ms + idle;
	else if (!conn->busy && conn->sub == SUB_NONE)
		deadline = conn->last_activity_ms + idle;
	else {
		evtimer_del(conn->timer);
		return;
	}
	deadline = deadline > now ? deadline - now : 0;
	tv.tv_sec = (time_t)(deadline / 1000);
	tv.tv_usec = (suseconds_t)(deadline % 1000) * 1000;
	evtimer_add(conn->timer, &tv);
}

/* The deadline came: close a flushed-out client, or a silent one. */
static void conn_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct conn *conn = arg;
	uint64_t idle = conn->bus->cfg.idle_timeout_ms, now = now_ms();

	(void)fd;
	(void)what;
	if (conn->closing) {
		conn_free(conn);
		return;
	}
	if (conn->unread_since_ms && now >= conn->unread_since_ms + idle) {
		conn_cut_unread(conn, "unread for the idle timeout");
	} else if (conn->partial_since_ms && !conn->busy && now >= conn->partial_since_ms + idle) {
		alertbus_reply_error(conn, NULL, "incomplete_line", "no end of line within %u ms; closing",
				 conn->bus->cfg.idle_timeout_ms);
		conn_shutdown(conn);
	} else if (!conn->partial_since_ms && !conn->busy && conn->sub == SUB_NONE && now >= conn->last_activity_ms + idle) {
		alertbus_reply_error(conn, NULL, "idle_timeout", "no request within %u ms; closing",
				 conn->bus->cfg.idle_timeout_ms);
		conn_shutdown(conn);
	} else
		conn_arm_timer(conn);
}

/* Deferred work: close when flushed, ask for the next batch, read waiting lines. */
static void conn_on_resume(evutil_socket_t fd, short what, void *arg)
{
	struct conn *conn = arg;

	(void)fd;
	(void)what;
	if (conn->closing) {
		if (evbuffer_get_length(bufferevent_get_output(conn->bev)) == 0)
			conn_free(conn);
		return;
	}
	if (conn->want_batch &&
	    evbuffer_get_length(bufferevent_get_output(conn->bev)) <= conn->bus->cfg.max_output / 2)
		alertbus_sub_request_batch(conn);
	conn_process(conn);
}

/* Bytes arrived. */
static void conn_on_read(struct bufferevent *bev, void *arg)
{
	(void)bev;
	conn_process(arg);
}

/* The output drained below the low mark: finish closing, or resume a replay. */
static void conn_on_write(struct bufferevent *bev, void *arg)
{
	struct conn *conn = arg;

	if (conn->closing) {
		if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
			conn_free(conn);
		return;
	}
	if (conn->want_batch || conn->unread_since_ms)
		event_active(conn->resume, EV_TIMEOUT, 0);
}

/* End of input, or a socket error. */
static void conn_on_event(struct bufferevent *bev, short what, void *arg)
{
	struct conn *conn = arg;

	(void)bev;
	if (what & BEV_EVENT_ERROR) {
		alertbus_count_error(conn->bus, "io_error");
		conn_free(conn);
		return;
	}
	if (what & BEV_EVENT_EOF) {
		conn->read_eof = true;
		if (conn->closing)
			return;
		conn_process(conn);
	}
}

/* A client that does not read its replies: logged (rate-limited) and
 * closed at once, its output dropped, since it would not read it anyway. */
static void conn_cut_unread(struct conn *conn, const char *why)
{
	struct cw_alertbus *bus = conn->bus;
	struct evbuffer *out = bufferevent_get_output(conn->bev);

	if (alertbus_ratelimit(bus, &bus->rl_unread, "unread-reply cut-offs"))
		bus->cfg.log(LOG_WARNING, "alertbus: client uid %u pid %d cut off: %zu bytes of replies %s",
			     (unsigned)conn->actor.uid, (int)conn->actor.pid, evbuffer_get_length(out), why);
	conn_shutdown(conn);
	evbuffer_drain(out, evbuffer_get_length(out));
}

/* Stops reading, ends the subscription, and closes once the output is flushed
 * or the grace time is over. */
static void conn_shutdown(struct conn *conn)
{
	struct timeval tv;

	if (conn->closing)
		return;
	conn->closing = true;
	bufferevent_disable(conn->bev, EV_READ);
	bufferevent_setwatermark(conn->bev, EV_WRITE, 0, 0);
	if (conn->cmd_req) {
		req_abandon(conn->bus, conn->cmd_req);
		conn->cmd_req = NULL;
	}
	alertbus_sub_end(conn);
	tv.tv_sec = conn->bus->cfg.close_grace_ms / 1000;
	tv.tv_usec = (suseconds_t)(conn->bus->cfg.close_grace_ms % 1000) * 1000;
	evtimer_add(conn->timer, &tv);
	event_active(conn->resume, EV_TIMEOUT, 0);
}

/* Releases a connection and everything it holds. */
static void conn_free(struct conn *conn)
{
	struct cw_alertbus *bus = conn->bus;

	if (conn->cmd_req)
		req_abandon(bus, conn->cmd_req);
	conn->cmd_req = NULL;
	alertbus_sub_end(conn);
	if (conn->prev)
		conn->prev->next = conn->next;
	else
		bus->conns = conn->next;
	if (conn->next)
		conn->next->prev = conn->prev;
	bus->nconns--;
	if (conn->bev)
		bufferevent_free(conn->bev);
	if (conn->timer)
		event_free(conn->timer);
	if (conn->resume)
		event_free(conn->resume);
	json_decref(conn->cmd_id);
	free(conn->groups);
	free(conn);
}

/* Reads the peer's uid, gid, pid and supplementary groups. */
static bool conn_read_peer(struct conn *conn, int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return false;
	conn->actor.uid = cred.uid;
	conn->actor.gid = cred.gid;
	conn->actor.pid = cred.pid;
#ifdef SO_PEERGROUPS
	{
		socklen_t glen = 64 * sizeof(gid_t);

		for (int tries = 0; tries < 4; tries++) {
			gid_t *g = realloc(conn->groups, glen);

			if (!g)
				break;
			conn->groups = g;
			if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &glen) == 0) {
				conn->n_groups = glen / sizeof(gid_t);
				break;
			}
			if (errno != ERANGE)
				break;
		}
	}
#endif
	return true;
}

/* True when the peer may ack and snooze under the policy. */
static bool policy_allows(const struct cw_alertbus_policy *p, const struct conn *conn)
{
	size_t i, j;

	if (conn->actor.uid == 0 && !p->deny_root)
		return true;
	for (i = 0; i < p->n_uids; i++)
		if (p->uids[i] == conn->actor.uid)
			return true;
	for (i = 0; i < p->n_gids; i++) {
		if (p->gids[i] == conn->actor.gid)
			return true;
		for (j = 0; j < conn->n_groups; j++)
			if (p->gids[i] == conn->groups[j])
				return true;
	}
	return false;
}

/* A new client: refuse it beyond max_clients, else set up its connection. */
static void bus_on_accept(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa, int salen, void *arg)
{
	static const char full[] = "{\"ok\":false,\"error\":{\"code\":\"too_many_clients\","
				   "\"message\":\"casewatchd has as many clients as it serves; try again later\"}}\n";
	struct cw_alertbus *bus = arg;
	struct conn *conn;

	(void)lev;
	(void)sa;
	(void)salen;
	if (bus->nconns >= bus->cfg.max_clients) {
		if (alertbus_ratelimit(bus, &bus->rl_full, "refused connections"))
			bus->cfg.log(LOG_WARNING, "alertbus: connection refused: %zu clients already (max_clients)",
				     bus->nconns);
		alertbus_count_error(bus, "too_many_clients");
		(void)!send(fd, full, sizeof(full) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		evutil_closesocket(fd);
		return;
	}
	conn = calloc(1, sizeof(*conn));
	if (!conn || !conn_read_peer(conn, fd)) {
		bus->cfg.log(LOG_ERR, "alertbus: cannot read a new client's credentials: %s", strerror(errno));
		if (conn)
			free(conn->groups);
		free(conn);
		evutil_closesocket(fd);
		return;
	}
	conn->bus = bus;
	bus->accepted++;
	conn->allowed = policy_allows(&bus->cfg.policy, conn);
	conn->last_activity_ms = now_ms();
	conn->bev = bufferevent_socket_new(bus->base, fd, BEV_OPT_CLOSE_ON_FREE);
	conn->timer = evtimer_new(bus->base, conn_on_timer, conn);
	conn->resume = event_new(bus->base, -1, 0, conn_on_resume, conn);
	conn->next = bus->conns;
	if (bus->conns)
		bus->conns->prev = conn;
	bus->conns = conn;
	bus->nconns++;
	if (!conn->bev || !conn->timer || !conn->resume) {
		bus->cfg.log(LOG_ERR, "alertbus: cannot set up a connection: out of memory");
		if (!conn->bev)
			evutil_closesocket(fd);
		conn_free(conn);
		return;
	}
	/* Never hold more than one line's worth of unread input. */
	bufferevent_setwatermark(conn->bev, EV_READ, 0, bus->cfg.max_line + 2);
	bufferevent_setwatermark(conn->bev, EV_WRITE, bus->cfg.max_output / 2, 0);
	bufferevent_setcb(conn->bev, conn_on_read, conn_on_write, conn_on_event, conn);
	bufferevent_enable(conn->bev, EV_READ | EV_WRITE);
	conn_arm_timer(conn);
}

/* Logs accept() failures (EMFILE and the like) without stopping the listener. */
static void bus_on_accept_error(struct evconnlistener *lev, void *arg)
{
	struct cw_alertbus *bus = arg;
	int e = EVUTIL_SOCKET_ERROR();

	(void)lev;
	alertbus_count_error(bus, "accept_error");
	if (alertbus_ratelimit(bus, &bus->rl_full, "refused connections"))
		bus->cfg.log(LOG_ERR, "alertbus: accept failed: %s", evutil_socket_error_to_string(e));
}

/* Finds a listening Unix stream socket passed by systemd: the fd, -1 if none was passed. */
static int bus_systemd_fd(struct cw_error *err)
{
	int n = sd_listen_fds(0);

	if (n < 0) {
		cw_error_set(err, "systemd socket activation: %s", strerror(-n));
		return -2;
	}
	for (int fd = SD_LISTEN_FDS_START; fd < SD_LISTEN_FDS_START + n; fd++)
		if (sd_is_socket_unix(fd, SOCK_STREAM, 1, NULL, 0) > 0)
			return fd;
	if (n > 0) {
		cw_error_set(err, "systemd passed %d socket(s) but none is a listening Unix stream socket "
				  "(check ListenStream= in casewatchd.socket)", n);
		return -2;
	}
	return -1;
}

/*
 * Creates the socket file: a stale one (nobody listening) is removed, a live
 * one means another casewatchd is running. It is bound, given its mode and
 * group, and only then listened on, so nobody connects before it is ready.
 */
static int bus_bind_path(struct cw_alertbus *bus, struct cw_error *err)
{
	const struct cw_alertbus_config *c = &bus->cfg;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	if (strlen(c->path) >= sizeof(sun.sun_path)) {
		cw_error_set(err, "%s: socket path too long (at most %zu bytes)", c->path, sizeof(sun.sun_path) - 1);
		return -1;
	}
	strcpy(sun.sun_path, c->path);
	if (lstat(c->path, &st) == 0) {
		int probe;

		if (!S_ISSOCK(st.st_mode)) {
			cw_error_set(err, "%s: exists and is not a socket; not removing it", c->path);
			return -1;
		}
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (probe >= 0 && connect(probe, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
			close(probe);
			cw_error_set(err, "%s: another process is listening on it (is casewatchd already running?)", c->path);
			return -1;
		}
		if (probe >= 0)
			close(probe);
		if (unlink(c->path) < 0 && errno != ENOENT) {
			cw_error_set(err, "%s: cannot remove the stale socket: %s", c->path, strerror(errno));
			return -1;
		}
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		cw_error_set(err, "%s: socket: %s", c->path, strerror(errno));
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		cw_error_set(err, "%s: bind: %s", c->path, strerror(errno));
		close(fd);
		return -1;
	}
	bus->path = strdup(c->path);
	if (chmod(c->path, c->mode) < 0) {
		cw_error_set(err, "%s: chmod %04o: %s", c->path, (unsigned)c->mode, strerror(errno));
		close(fd);
		return -1;
	}
	if (c->group) {
		struct group gr, *res = NULL;
		char buf[4096];
		int e = getgrnam_r(c->group, &gr, buf, sizeof(buf), &res);

		if (!res) {
			cw_error_set(err, "%s: group \"%s\": %s", c->path, c->group, e ? strerror(e) : "no such group");
			close(fd);
			return -1;
		}
		if (chown(c->path, (uid_t)-1, gr.gr_gid) < 0) {
			cw_error_set(err, "%s: chown to group %s: %s", c->path, c->group, strerror(errno));
			close(fd);
			return -1;
		}
	}
	return fd;
}

struct cw_alertbus *cw_alertbus_new(struct event_base *base, const struct cw_alertbus_config *config,
				    struct cw_error *err)
{
	struct cw_alertbus *bus;
	char host[256];
	int fd = -1;

	if (!config->log || !config->provider.replay) {
		cw_error_set(err, "alertbus: a log function and a provider with replay are required");
		return NULL;
	}
	bus = calloc(1, sizeof(*bus));
	if (!bus) {
		cw_error_set(err, "alertbus: out of memory");
		return NULL;
	}
	bus->base = base;
	bus->cfg = *config;
	bus->last_id = config->last_id;
#define DEFAULT(field, value)                 \
	do {                                  \
		if (!bus->cfg.field)          \
			bus->cfg.field = (value); \
	} while (0)
	DEFAULT(mode, DEFAULT_MODE);
	DEFAULT(max_clients, DEFAULT_MAX_CLIENTS);
	DEFAULT(max_line, DEFAULT_MAX_LINE);
	DEFAULT(max_output, DEFAULT_MAX_OUTPUT);
	DEFAULT(live_queue_max, DEFAULT_LIVE_QUEUE);
	DEFAULT(replay_batch, DEFAULT_REPLAY_BATCH);
	DEFAULT(idle_timeout_ms, DEFAULT_IDLE_MS);
	DEFAULT(close_grace_ms, DEFAULT_GRACE_MS);
	DEFAULT(daemon_version, PACKAGE_VERSION);
#undef DEFAULT
	/* Silent subscribers are never timed out (they wait for events), so
	 * they may not take every slot: one in eight, at least one, is kept
	 * for commands. */
	bus->max_subscribers = bus->cfg.max_clients - bus->cfg.max_clients / COMMAND_RESERVE_DIVISOR;
	if (bus->cfg.max_clients > 1 && bus->max_subscribers == bus->cfg.max_clients)
		bus->max_subscribers--;
	if (!bus->cfg.source_host) {
		if (gethostname(host, sizeof(host)) < 0)
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		snprintf(bus->source, sizeof(bus->source), "casewatch://%s", host);
	} else
		snprintf(bus->source, sizeof(bus->source), "casewatch://%s", bus->cfg.source_host);

	if (config->systemd)
		fd = bus_systemd_fd(err);
	if (fd == -2)
		goto fail;
	if (fd >= 0) {
		evutil_make_socket_nonblocking(fd);
		evutil_make_socket_closeonexec(fd);
		config->log(LOG_INFO, "alertbus: listening on the socket passed by systemd (fd %d)", fd);
	} else {
		if (!config->path) {
			cw_error_set(err, "alertbus: no socket path configured and none passed by systemd");
			goto fail;
		}
		fd = bus_bind_path(bus, err);
		if (fd < 0)
			goto fail;
		config->log(LOG_INFO, "alertbus: listening on %s (mode %04o%s%s)", config->path, (unsigned)bus->cfg.mode,
			    config->group ? ", group " : "", config->group ? config->group : "");
	}
	bus->listener = evconnlistener_new(base, bus_on_accept, bus,
					   LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
	if (!bus->listener) {
		cw_error_set(err, "%s: listen: %s", bus->path ? bus->path : "systemd socket", strerror(errno));
		close(fd);
		goto fail;
	}
	evconnlistener_set_error_cb(bus->listener, bus_on_accept_error);
	return bus;
fail:
	if (bus->path)
		unlink(bus->path);
	free(bus->path);
	free(bus);
	return NULL;
}

void cw_alertbus_free(struct cw_alertbus *bus)
{
	if (!bus)
		return;
	while (bus->conns)
		conn_free(bus->conns);
	if (bus->listener)
		evconnlistener_free(bus->listener);
	if (bus->path)
		unlink(bus->path);
	free(bus->path);
	free(bus);
}

void cw_alertbus_publish(struct cw_alertbus *bus, uint64_t transition_id, const json_t *transition)
{
	struct conn *conn, *next;
	struct line *l;

	if (transition_id <= bus->last_id) {
		bus->cfg.log(LOG_ERR, "alertbus: transition %" PRIu64 " not sent: ids must increase (last was %" PRIu64 ")",
			     transition_id, bus->last_id);
		return;
	}
	bus->last_id = transition_id;
	l = bus_make_line(bus, transition_id, transition);
	if (!l)
		return;
	for (conn = bus->conns; conn; conn = next) {
		next = conn->next;
		if (conn->closing || conn->sub == SUB_NONE)
			continue;
		if (conn->sub == SUB_LIVE) {
			sub_offer(conn, l);
			continue;
		}
		/* Replaying: hold it, bounded. Overflow drops the held ones; the
		 * replay reads them from the provider instead. */
		if (conn->qlen == conn->qcap) {
			if (conn->qcap < bus->cfg.live_queue_max) {
				size_t cap = conn->qcap ? conn->qcap * 2 : 16;
				struct line **q;

				if (cap > bus->cfg.live_queue_max)
					cap = bus->cfg.live_queue_max;
				q = realloc(conn->queue, cap * sizeof(*q));
				if (q) {
					conn->queue = q;
					conn->qcap = cap;
				}
			}
			if (conn->qlen == conn->qcap) {
				bus->cfg.log(LOG_DEBUG,
					     "alertbus: live queue of client uid %u pid %d overflowed during replay; the replay reads them instead",
					     (unsigned)conn->actor.uid, (int)conn->actor.pid);
				sub_clear_queue(conn);
				conn->queue_dropped = true;
			}
		}
		if (conn->qlen < conn->qcap) {
			l->refs++;
			conn->queue[conn->qlen++] = l;
		} else
			conn->queue_dropped = true;
	}
	line_unref(l);
}

void cw_alertbus_get_stats(const struct cw_alertbus *bus, struct cw_alertbus_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->clients = bus->nconns;
	st->accepted = bus->accepted;
	st->cutoffs = bus->cutoffs;
	for (const struct conn *c = bus->conns; c; c = c->next) {
		size_t q;

		if (c->sub == SUB_NONE)
			continue;
		st->subscribers++;
		q = evbuffer_get_length(bufferevent_get_output(c->bev));
		st->queued_bytes += q;
		if (q > st->queued_bytes_max)
			st->queued_bytes_max = q;
	}
	st->n_errors = bus->n_errors;
	memcpy(st->errors, bus->errors, sizeof(st->errors));
}

uint64_t cw_alertbus_min_cursor(const struct cw_alertbus *bus)
{
	uint64_t low = UINT64_MAX;

	for (const struct conn *c = bus->conns; c; c = c->next)
		if (c->sub != SUB_NONE && c->scanned < low)
			low = c->scanned;
	return low;
}

uint64_t cw_alertbus_last_id(const struct cw_alertbus *bus)
{
	return bus->last_id;
}

void cw_alertbus_set_last_id(struct cw_alertbus *bus, uint64_t id)
{
	if (id > bus->last_id)
		bus->last_id = id;
}

size_t cw_alertbus_clients(const struct cw_alertbus *bus)
{
	return bus->nconns;
}

size_t alertbus_subscribers(const struct cw_alertbus *bus)
{
	size_t n = 0;

	for (const struct conn *c = bus->conns; c; c = c->next)
		if (c->sub != SUB_NONE && !c->closing)
			n++;
	return n;
}

size_t cw_alertbus_output_bytes(const struct cw_alertbus *bus)
{
	size_t n = 0;

	for (const struct conn *c = bus->conns; c; c = c->next)
		n += conn_output(c);
	return n;
}
