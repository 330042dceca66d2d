/* transition_log.c - a bounded in-memory ring of recent transitions and the alerts they describe. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
	json_t *alerts;
	size_t view_evicted;
	/* The view's alerts in the order they changed, oldest first (ids
	 * increase): the next to evict is the first still current. An entry
	 * is stale once its alert changed again or left the view; stale ones
	 * are skipped, and dropped in bulk when they outnumber the view. */
	struct view_touch {
		uint64_t id;
		char *key;
	} *touch;
	size_t touch_head, touch_len, touch_cap;
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
	log->alerts = json_object();
	log->lastp = &log->first;
	if (!log->ids || !log->items || !log->alerts) {
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
	json_decref(log->alerts);
	for (size_t i = log->touch_head; i < log->touch_len; i++)
		free(log->touch[i].key);
	free(log->touch);
	free(log);
}

void cw_translog_set_max_bytes(struct cw_translog *log, size_t max_bytes)
{
	log->max_bytes = max_bytes;
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

/* The alert id of a transition as a string (ids may be given as integers). */
static const char *alert_key(const json_t *data, char *buf, size_t size)
{
	const json_t *v = json_object_get(data, "alert_id");

	if (json_is_integer(v)) {
		snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	}
	return json_string_value(v);
}

/* Whether a touch is its alert's last change, the alert still in the view. */
static bool touch_current(const struct cw_translog *log, const struct view_touch *t)
{
	const json_t *entry = json_object_get(log->alerts, t->key);
	const char *last = entry ? json_string_value(json_object_get(entry, "last_transition")) : NULL;

	return last && strtoull(last, NULL, 10) == t->id;
}

/* Keeps only the current touches, in order: the queue stays within a
 * small multiple of the view, each entry dropped once. */
static void touch_compact(struct cw_translog *log)
{
	size_t n = 0;

	for (size_t i = log->touch_head; i < log->touch_len; i++) {
		if (touch_current(log, &log->touch[i]))
			log->touch[n++] = log->touch[i];
		else
			free(log->touch[i].key);
	}
	log->touch_head = 0;
	log->touch_len = n;
}

/* Notes that alert key changed with transition id. */
static void touch_note(struct cw_translog *log, uint64_t id, const char *key)
{
	char *copy;

	if (log->touch_len - log->touch_head > 2 * log->capacity + 16)
		touch_compact(log);
	else if (log->touch_head > 0 && log->touch_len == log->touch_cap) {
		memmove(log->touch, log->touch + log->touch_head,
			(log->touch_len - log->touch_head) * sizeof(*log->touch));
		log->touch_len -= log->touch_head;
		log->touch_head = 0;
	}
	if (log->touch_len == log->touch_cap) {
		size_t cap = log->touch_cap ? log->touch_cap * 2 : 64;
		struct view_touch *t = realloc(log->touch, cap * sizeof(*t));

		if (!t)
			return; /* eviction then finds this alert later, or never: still bounded */
		log->touch = t;
		log->touch_cap = cap;
	}
	copy = strdup(key);
	if (!copy)
		return;
	log->touch[log->touch_len].id = id;
	log->touch[log->touch_len].key = copy;
	log->touch_len++;
}

/* Makes room in the view by dropping the alert changed longest ago: the
 * first current touch. (A scan of the whole view for each new alert cost
 * O(view) per transition once 10,000 alerts were open: a first sweep of
 * 72,000 children was delivered at about 35 transitions a second.) */
static void view_evict_oldest(struct cw_translog *log)
{
	while (log->touch_head < log->touch_len) {
		struct view_touch *t = &log->touch[log->touch_head++];
		bool current = touch_current(log, t);

		if (current) {
			json_object_del(log->alerts, t->key);
			log->view_evicted++;
		}
		free(t->key);
		if (current)
			return;
	}
}

/* Applies a transition to the view: open alerts are kept, closed ones dropped. */
static void view_apply(struct cw_translog *log, uint64_t id, const char *type, const json_t *data, const char *key)
{
	json_t *entry = json_object_get(log->alerts, key);
	char idbuf[32];

	if (!strcmp(type, "resolved") || !strcmp(type, "withdrawn")) {
		json_object_del(log->alerts, key);
		return;
	}
	if (!entry) {
		if (json_object_size(log->alerts) >= log->capacity)
			view_evict_oldest(log);
		entry = json_object();
		json_object_set_new(log->alerts, key, entry);
	}
	/* Only ids, codes and dates are kept, as on the socket. */
	for (size_t i = 0; cw_alertbus_data_keys[i]; i++) {
		json_t *v = json_object_get(data, cw_alertbus_data_keys[i]);

		if (json_is_string(v) || json_is_integer(v))
			json_object_set(entry, cw_alertbus_data_keys[i], v);
	}
	json_object_set_new(entry, "alert_id", json_string(key));
	snprintf(idbuf, sizeof(idbuf), "%" PRIu64, id);
	json_object_set_new(entry, "last_transition", json_string(idbuf));
	touch_note(log, id, key);
	if (!strcmp(type, "acknowledged"))
		json_object_set_new(entry, "acknowledged", json_true());
	else if (!strcmp(type, "escalated") || !strcmp(type, "raised")) {
		/* A new step of an alert asks for attention again. */
		json_object_del(entry, "acknowledged");
		json_object_del(entry, "acknowledged_by_uid");
	}
}

bool cw_translog_append(struct cw_translog *log, uint64_t id, const json_t *transition, struct cw_error *err)
{
	const char *type = json_string_value(json_object_get(transition, "type"));
	const json_t *data = json_object_get(transition, "data");
	char buf[32];
	const char *key = alert_key(data, buf, sizeof(buf));
	size_t slot, len;
	json_t *copy;
	char *text;

	if (id <= log->last_id)
		return cw_error_set(err, "transition %" PRIu64 ": ids must increase (last was %" PRIu64 ")", id,
				    log->last_id);
	if (!type || !key)
		return cw_error_set(err, "transition %" PRIu64 ": needs \"type\" and \"data\".\"alert_id\"", id);
	copy = json_deep_copy(transition);
	if (!copy)
		return cw_error_set(err, "transition %" PRIu64 ": out of memory", id);
	json_object_set_new(copy, "id", json_integer((json_int_t)id));
	text = json_dumps(copy, JSON_COMPACT);
	json_decref(copy);
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
	view_apply(log, id, type, data, key);
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
			    json_pack("{s:I, s:I, s:I, s:I, s:s, s:s, s:I, s:I}", "capacity", (json_int_t)log->capacity,
				      "max_bytes", (json_int_t)log->max_bytes, "bytes", (json_int_t)log->bytes, "kept",
				      (json_int_t)log->count, "oldest_id", oldest, "newest_id", newest, "open_alerts",
				      (json_int_t)json_object_size(log->alerts), "view_evicted",
				      (json_int_t)log->view_evicted));
}

/* Provider: the open alerts in the view that match the filter. */
static void translog_alerts(void *ctx, const json_t *filter, cw_alertbus_reply_fn done, struct cw_alertbus_req *req)
{
	struct cw_translog *log = ctx;
	json_t *list = json_array(), *v;
	const char *key;

	json_object_foreach (log->alerts, key, v)
		if (cw_alertbus_filter_match(filter, v))
			json_array_append(list, v);
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
	json_t *targets = json_array(), *changed = json_array(), *unchanged = json_array(), *unknown = json_array();
	json_t *made = json_array(), *v, *entry;
	char when[CW_TIME_UTC_STRLEN];
	const char *key;
	size_t i;

	if (strcmp(verb, "ack") && !snooze) { /* unack and unsnooze need the store */
		json_decref(targets);
		json_decref(changed);
		json_decref(unchanged);
		json_decref(unknown);
		json_decref(made);
		done(req, NULL, "unavailable", "this server keeps no acknowledgements to take back");
		return;
	}
	if (names) {
		json_array_foreach (names, i, v) {
			if (json_object_get(log->alerts, json_string_value(v)))
				json_array_append(targets, v);
			else
				json_array_append(unknown, v);
		}
	} else {
		json_object_foreach (log->alerts, key, v)
			if (cw_alertbus_filter_match(filter, v))
				json_array_append_new(targets, json_string(key));
	}
	utc_now(when);
	json_array_foreach (targets, i, v) {
		json_t *t, *data;
		uint64_t id = log->last_id + 1;

		entry = json_object_get(log->alerts, json_string_value(v));
		if (!snooze && json_is_true(json_object_get(entry, "acknowledged"))) {
			json_array_append(unchanged, v);
			continue;
		}
		data = json_deep_copy(entry);
		json_object_del(data, "last_transition");
		json_object_del(data, "acknowledged");
		json_object_del(data, "acknowledged_by_uid");
		json_object_del(data, "snoozed_until");
		json_object_del(data, "snooze_reason");
		t = json_pack("{s:s, s:s, s:o}", "type", type, "time", when, "data", data);
		if (!t || !cw_translog_append(log, id, t, NULL)) {
			json_decref(t);
			continue;
		}
		entry = json_object_get(log->alerts, json_string_value(v));
		if (snooze) {
			json_object_set(entry, "snoozed_until", json_object_get(args, "until"));
			json_object_set(entry, "snooze_reason", json_object_get(args, "reason"));
		} else
			json_object_set_new(entry, "acknowledged_by_uid", json_integer((json_int_t)who->uid));
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
