/* transition_log.c - a bounded in-memory ring of recent transitions and the alerts they describe. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert_view.h"
#include "casewatch/calendar.h"
#include "transition_log.h"

/* One replay call waiting for the loop. */
struct pending {
	struct pending *next;
	uint64_t after;
	size_t limit;
	cw_alertbus_batch_fn done;
	struct cw_alertbus_req *req;
};

struct cw_translog {
	struct event_base *base;
	size_t capacity;
	/* The ring: ids[] and items[] from head, count of them, in id order.
	 * Items are the transitions (with their "id") as compact JSON text:
	 * a few hundred bytes each, where a jansson object takes several KB. */
	uint64_t *ids;
	char **items;
	size_t head, count;
	size_t bytes, max_bytes; /* text held, and the most (0: count only) */
	uint64_t last_id;
	uint64_t evicted_upto; /* the newest id that fell out of the ring */
	/* The view: alert id -> what its last transition said, plus ack/snooze. */
	struct cw_alertview *view;
	/* Replays, answered from the loop so the caller never recurses. */
	struct event *kick;
	struct pending *first, **lastp;
	cw_translog_emit_fn emit;
	void *emit_arg;
};

struct cw_translog *cw_translog_new(struct event_base *base, size_t capacity)
{
	struct cw_translog *log = calloc(1, sizeof(*log));

	if (!log)
		return NULL;
	log->base = base;
	log->capacity = capacity ? capacity : 1;
	log->ids = calloc(log->capacity, sizeof(*log->ids));
	log->items = calloc(log->capacity, sizeof(*log->items));
	log->view = cw_alertview_new(log->capacity);
	log->lastp = &log->first;
	if (!log->ids || !log->items || !log->view) {
		cw_translog_free(log);
		return NULL;
	}
	return log;
}

void cw_translog_free(struct cw_translog *log)
{
	struct pending *p, *next;

	if (!log)
		return;
	for (p = log->first; p; p = next) {
		next = p->next;
		free(p);
	}
	if (log->kick)
		event_free(log->kick);
	for (size_t i = 0; i < log->count; i++)
		free(log->items[(log->head + i) % log->capacity]);
	free(log->ids);
	free(log->items);
	cw_alertview_free(log->view);
	free(log);
}

void cw_translog_set_max_bytes(struct cw_translog *log, size_t max_bytes)
{
	log->max_bytes = max_bytes;
	cw_alertview_set_max_bytes(log->view, max_bytes);
}

void cw_translog_set_floor(struct cw_translog *log, uint64_t id)
{
	if (log->count == 0 && id > log->evicted_upto)
		log->evicted_upto = id;
}

void cw_translog_forget_upto(struct cw_translog *log, uint64_t id)
{
	while (log->count && log->ids[log->head] <= id) {
		log->bytes -= strlen(log->items[log->head]) + 1;
		free(log->items[log->head]);
		log->items[log->head] = NULL;
		log->head = (log->head + 1) % log->capacity;
		log->count--;
	}
	if (id > log->evicted_upto)
		log->evicted_upto = id;
}

uint64_t cw_translog_last_id(const struct cw_translog *log)
{
	return log->last_id;
}

/* The transition with its "id" as one line of compact JSON, or NULL.
 * The id goes last, written into the text: no copy of the transition. */
static char *transition_text(const json_t *transition, uint64_t id)
{
	char *text, *out, tail[32];
	size_t n, t;
	json_t *copy;

	if (json_object_get(transition, "id")) { /* replaced, where it stands */
		copy = json_deep_copy(transition);
		if (!copy)
			return NULL;
		json_object_set_new(copy, "id", json_integer((json_int_t)id));
		text = json_dumps(copy, JSON_COMPACT);
		json_decref(copy);
		return text;
	}
	text = json_dumps(transition, JSON_COMPACT);
	n = text ? strlen(text) : 0;
	if (n < 3 || text[n - 1] != '}') { /* not a non-empty object */
		free(text);
		return NULL;
	}
	t = (size_t)snprintf(tail, sizeof(tail), ",\"id\":%" PRIu64 "}", id);
	out = malloc(n - 1 + t + 1); /* exactly: the ring holds thousands */
	if (out) {
		memcpy(out, text, n - 1);
		memcpy(out + n - 1, tail, t + 1);
	}
	free(text);
	return out;
}

bool cw_translog_append(struct cw_translog *log, uint64_t id, const json_t *transition, struct cw_error *err)
{
	const char *type = json_string_value(json_object_get(transition, "type"));
	const json_t *data = json_object_get(transition, "data");
	const json_t *aid = json_object_get(data, "alert_id");
	size_t slot, len;
	char *text;

	if (id <= log->last_id)
		return cw_error_set(err, "transition %" PRIu64 ": ids must increase (last was %" PRIu64 ")", id,
				    log->last_id);
	if (!type || !(json_is_string(aid) || json_is_integer(aid)))
		return cw_error_set(err, "transition %" PRIu64 ": needs \"type\" and \"data\".\"alert_id\"", id);
	text = transition_text(transition, id);
	if (!text)
		return cw_error_set(err, "transition %" PRIu64 ": out of memory", id);
	len = strlen(text) + 1;
	/* The oldest go first: by count, and by bytes when a budget is set
	 * (the newest is always kept, however large). */
	while (log->count > 0 &&
	       (log->count == log->capacity || (log->max_bytes && log->bytes + len > log->max_bytes))) {
		log->evicted_upto = log->ids[log->head];
		log->bytes -= strlen(log->items[log->head]) + 1;
		free(log->items[log->head]);
		log->head = (log->head + 1) % log->capacity;
		log->count--;
	}
	slot = (log->head + log->count) % log->capacity;
	log->ids[slot] = id;
	log->items[slot] = text;
	log->bytes += len;
	log->count++;
	log->last_id = id;
	/* Out of memory, the view misses (part of) this alert; the ring, which
	 * replays serve, has the transition all the same. */
	(void)cw_alertview_apply(log->view, id, type, data);
	return true;
}

/* Answers one replay from the ring as it is now. */
static void translog_answer(struct cw_translog *log, struct pending *p)
{
	json_t *batch;
	size_t i = 0, n;
	char msg[160];

	if (p->after < log->evicted_upto) {
		snprintf(msg, sizeof(msg),
			 "cursor %" PRIu64 " is older than the transitions kept in memory (the oldest kept is after %" PRIu64 ")",
			 p->after, log->evicted_upto);
		p->done(p->req, NULL, false, "cursor_too_old", msg);
		return;
	}
	while (i < log->count && log->ids[(log->head + i) % log->capacity] <= p->after)
		i++;
	batch = json_array();
	for (n = 0; i < log->count && n < p->limit; i++, n++)
		json_array_append_new(batch, json_loads(log->items[(log->head + i) % log->capacity], 0, NULL));
	p->done(p->req, batch, i < log->count, NULL, NULL);
	json_decref(batch);
}

/* The loop's turn: answers every replay asked for until now. */
static void translog_on_kick(evutil_socket_t fd, short what, void *arg)
{
	struct cw_translog *log = arg;
	struct pending *list = log->first, *next;

	(void)fd;
	(void)what;
	log->first = NULL;
	log->lastp = &log->first;
	for (; list; list = next) {
		next = list->next;
		translog_answer(log, list);
		free(list);
	}
}

/* Provider: replay, answered on the next turn of the loop. */
static void translog_replay(void *ctx, uint64_t after_id, size_t limit, cw_alertbus_batch_fn done,
			    struct cw_alertbus_req *req)
{
	struct cw_translog *log = ctx;
	struct pending *p = calloc(1, sizeof(*p));

	if (!log->kick)
		log->kick = event_new(log->base, -1, 0, translog_on_kick, log);
	if (!p || !log->kick) {
		free(p);
		done(req, NULL, false, "internal", "out of memory");
		return;
	}
	p->after = after_id;
	p->limit = limit ? limit : 1;
	p->done = done;
	p->req = req;
	*log->lastp = p;
	log->lastp = &p->next;
	event_active(log->kick, EV_TIMEOUT, 0);
}

/* Provider: the client went away; its replay is never answered. */
static void translog_cancel(void *ctx, struct cw_alertbus_req *req)
{
	struct cw_translog *log = ctx;
	struct pending **pp, *p;

	for (pp = &log->first; (p = *pp); pp = &p->next) {
		if (p->req == req) {
			*pp = p->next;
			if (log->lastp == &p->next)
				log->lastp = pp;
			free(p);
			return;
		}
	}
}

/* Provider: what the log holds. */
static void translog_status(void *ctx, json_t *reply)
{
	struct cw_translog *log = ctx;
	char newest[32], oldest[32];

	snprintf(newest, sizeof(newest), "%" PRIu64, log->last_id);
	snprintf(oldest, sizeof(oldest), "%" PRIu64, log->count ? log->ids[log->head] : 0);
	json_object_set_new(reply, "transition_log",
			    json_pack("{s:I, s:I, s:I, s:I, s:s, s:s, s:I, s:I, s:I}", "capacity",
				      (json_int_t)log->capacity, "max_bytes", (json_int_t)log->max_bytes, "bytes",
				      (json_int_t)log->bytes, "kept", (json_int_t)log->count, "oldest_id", oldest,
				      "newest_id", newest, "open_alerts", (json_int_t)cw_alertview_count(log->view),
				      "view_bytes", (json_int_t)cw_alertview_bytes(log->view), "view_evicted",
				      (json_int_t)cw_alertview_evicted(log->view)));
}

/* Provider: the open alerts in the view that match the filter. */
static void translog_alerts(void *ctx, const json_t *filter, cw_alertbus_reply_fn done, struct cw_alertbus_req *req)
{
	struct cw_translog *log = ctx;
	json_t *list = json_array();
	struct cw_alertview_entry *e;

	for (e = cw_alertview_first(log->view); e; e = cw_alertview_next(log->view, e)) {
		json_t *v = cw_alertview_entry_json(log->view, e);

		if (v && cw_alertbus_filter_match(filter, v))
			json_array_append(list, v);
		json_decref(v);
	}
	done(req, json_pack("{s:I, s:o}", "count", (json_int_t)json_array_size(list), "alerts", list), NULL, NULL);
}

/* The current time as the protocol writes it. */
static void utc_now(char buf[CW_TIME_UTC_STRLEN])
{
	cw_time_format_utc((cw_time)time(NULL), buf);
}

/*
 * Provider: ack or snooze the named alerts, or those matching the filter.
 * Each change is a new transition (acknowledged or snoozed) with the next id;
 * the reply goes first, then the transitions are handed to emit.
 */
static void translog_change(void *ctx, const char *verb, const json_t *args, const struct cw_actor *who,
			    cw_alertbus_reply_fn done, struct cw_alertbus_req *req)
{
	struct cw_translog *log = ctx;
	bool snooze = !strcmp(verb, "snooze");
	const char *type = snooze ? "snoozed" : "acknowledged";
	const json_t *names = json_object_get(args, "alerts");
	const json_t *filter = json_object_get(args, "filter");
	json_t *targets, *changed, *unchanged, *unknown, *made, *v;
	struct cw_alertview_entry *entry;
	char when[CW_TIME_UTC_STRLEN];
	size_t i;

	if (strcmp(verb, "ack") && !snooze) { /* unack and unsnooze need the store */
		done(req, NULL, "unavailable", "this server keeps no acknowledgements to take back");
		return;
	}
	targets = json_array();
	changed = json_array();
	unchanged = json_array();
	unknown = json_array();
	made = json_array();
	if (names) {
		json_array_foreach (names, i, v) {
			if (cw_alertview_find(log->view, json_string_value(v)))
				json_array_append(targets, v);
			else
				json_array_append(unknown, v);
		}
	} else {
		for (entry = cw_alertview_first(log->view); entry; entry = cw_alertview_next(log->view, entry)) {
			json_t *e = cw_alertview_entry_json(log->view, entry);

			if (e && cw_alertbus_filter_match(filter, e))
				json_array_append(targets, json_object_get(e, "alert_id"));
			json_decref(e);
		}
	}
	utc_now(when);
	json_array_foreach (targets, i, v) {
		json_t *t;
		uint64_t id = log->last_id + 1;

		/* Found again: a change before this one may have made room by
		 * dropping it. */
		entry = cw_alertview_find(log->view, json_string_value(v));
		if (!entry)
			continue;
		if (!snooze && cw_alertview_entry_acked(entry)) {
			json_array_append(unchanged, v);
			continue;
		}
		t = json_pack("{s:s, s:s, s:o}", "type", type, "time", when, "data",
			      cw_alertview_entry_data(log->view, entry));
		if (!t || !cw_translog_append(log, id, t, NULL)) {
			json_decref(t);
			continue;
		}
		entry = cw_alertview_find(log->view, json_string_value(v));
		if (entry && snooze)
			cw_alertview_set_snooze(log->view, entry, json_string_value(json_object_get(args, "until")),
						json_string_value(json_object_get(args, "reason")));
		else if (entry)
			cw_alertview_set_ack_uid(log->view, entry, (uint32_t)who->uid);
		json_array_append(changed, v);
		json_array_append_new(made, json_pack("{s:I, s:o}", "id", (json_int_t)id, "t", t));
	}
	json_decref(targets);
	done(req, json_pack("{s:o, s:o, s:o}", "changed", changed, "unchanged", unchanged, "unknown", unknown), NULL,
	     NULL);
	json_array_foreach (made, i, v)
		if (log->emit)
			log->emit(log->emit_arg, (uint64_t)json_integer_value(json_object_get(v, "id")),
				  json_object_get(v, "t"));
	json_decref(made);
}

void cw_translog_provider(struct cw_translog *log, cw_translog_emit_fn emit, void *emit_arg,
			  struct cw_alertbus_provider *out)
{
	log->emit = emit;
	log->emit_arg = emit_arg;
	*out = (struct cw_alertbus_provider){
		.ctx = log,
		.status = translog_status,
		.alerts = translog_alerts,
		.replay = translog_replay,
		.change = translog_change,
		.cancel = translog_cancel,
	};
}
