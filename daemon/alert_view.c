/* alert_view.c - the open alerts of the transition log, as fixed-size entries with O(1) eviction. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert_view.h"
#include "alertbus.h"

/* Members an entry can hold: cw_alertbus_data_keys has 13 today. */
#define VIEW_KEYS_MAX 16
/* Entries are allocated in chunks, so that their addresses stay put and
 * memory follows the alerts held rather than the capacity. */
#define VIEW_CHUNK_SHIFT 9
#define VIEW_CHUNK (1u << VIEW_CHUNK_SHIFT)
/* The longest id held as an integer: 18 digits always fit an int64_t. */
#define VIEW_DEC_MAX 18
#define NIL UINT32_MAX

/* How a member is held: absent, a JSON integer, a string of decimal digits
 * held as its value (ids: "123" and back, exactly), or a shared string. */
enum view_tag { TAG_NONE, TAG_INT, TAG_DEC, TAG_STR };

/* A shared string: one copy however many alerts name the same team or rule. */
struct view_str {
	struct view_str *next;
	uint32_t hash, refs, len;
	char s[];
};

/* The two orders entries are kept in: by last change, oldest first (the
 * next to go when room is needed), and by entry into the view (listing). */
enum view_order { ORDER_CHANGE, ORDER_ENTRY };

struct view_link {
	uint32_t prev, next;
};

struct view_list {
	uint32_t head, tail;
};

union view_val {
	int64_t i;
	struct view_str *s;
};

struct cw_alertview_entry {
	union view_val val[VIEW_KEYS_MAX];
	uint8_t tag[VIEW_KEYS_MAX];
	uint64_t last; /* the last transition's id */
	struct view_str *snoozed_until, *snooze_reason;
	uint32_t uid; /* who acknowledged it, when has_uid */
	uint32_t self;
	uint32_t hnext; /* the next in its hash bucket, or on the free list */
	struct view_link link[2];
	bool acked, has_uid;
};

struct cw_alertview {
	size_t capacity, max_bytes;
	size_t nkeys, key_alert; /* cw_alertbus_data_keys, and where alert_id is in it */
	struct cw_alertview_entry **chunks;
	uint32_t nslots;    /* slots handed out so far */
	uint32_t free_head; /* slots given back */
	uint32_t *buckets, nbuckets;
	struct view_list order[2];
	size_t count, evicted;
	size_t str_bytes; /* what the shared strings take */
	struct view_str **strs;
	size_t nstrs, nstrbuckets;
};

/* FNV-1a: short keys, few of them. */
static uint32_t hash_str(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* A decimal id's bucket hash (splitmix64's finaliser). */
static uint32_t hash_int(int64_t i)
{
	uint64_t x = (uint64_t)i;

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return (uint32_t)(x ^ (x >> 31));
}

/* Whether s is an id of decimal digits written one way only (no sign, no
 * leading zero) and short enough to hold as an integer. */
static bool parse_dec(const char *s, size_t len, int64_t *out)
{
	int64_t v = 0;

	if (len == 0 || len > VIEW_DEC_MAX || (s[0] == '0' && len > 1))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static struct cw_alertview_entry *slot(const struct cw_alertview *v, uint32_t i)
{
	return &v->chunks[i >> VIEW_CHUNK_SHIFT][i & (VIEW_CHUNK - 1)];
}

/* The shared copy of s, or NULL. */
static struct view_str *str_lookup(const struct cw_alertview *v, const char *s, size_t len)
{
	uint32_t h = hash_str(s, len);
	struct view_str *p;

	for (p = v->strs[h & (v->nstrbuckets - 1)]; p; p = p->next)
		if (p->hash == h && p->len == len && !memcmp(p->s, s, len))
			return p;
	return NULL;
}

/* The shared copy of s, made if need be (its references are the caller's
 * to take); NULL only when out of memory. */
static struct view_str *str_intern(struct cw_alertview *v, const char *s, size_t len)
{
	uint32_t h = hash_str(s, len);
	struct view_str *p = str_lookup(v, s, len);

	if (p)
		return p;
	if (len > UINT32_MAX)
		return NULL;
	if (v->nstrs >= v->nstrbuckets) { /* grow: chains stay short */
		size_t nb = v->nstrbuckets * 2;
		struct view_str **b = calloc(nb, sizeof(*b));

		if (b) {
			for (size_t i = 0; i < v->nstrbuckets; i++) {
				struct view_str *q, *next;

				for (q = v->strs[i]; q; q = next) {
					next = q->next;
					q->next = b[q->hash & (nb - 1)];
					b[q->hash & (nb - 1)] = q;
				}
			}
			free(v->strs);
			v->strs = b;
			v->nstrbuckets = nb;
		}
	}
	p = malloc(sizeof(*p) + len + 1);
	if (!p)
		return NULL;
	p->hash = h;
	p->refs = 0;
	p->len = (uint32_t)len;
	memcpy(p->s, s, len);
	p->s[len] = '\0';
	p->next = v->strs[h & (v->nstrbuckets - 1)];
	v->strs[h & (v->nstrbuckets - 1)] = p;
	v->nstrs++;
	v->str_bytes += sizeof(*p) + len + 1;
	return p;
}

/* Drops one reference to p; the last one frees it. */
static void str_unref(struct cw_alertview *v, struct view_str *p)
{
	struct view_str **pp;

	if (!p || --p->refs)
		return;
	for (pp = &v->strs[p->hash & (v->nstrbuckets - 1)]; *pp != p; pp = &(*pp)->next)
		;
	*pp = p->next;
	v->nstrs--;
	v->str_bytes -= sizeof(*p) + p->len + 1;
	free(p);
}

/* The bucket hash of an entry's key (its alert_id member). */
static uint32_t key_hash(const struct cw_alertview *v, const struct cw_alertview_entry *e)
{
	return e->tag[v->key_alert] == TAG_DEC ? hash_int(e->val[v->key_alert].i) : e->val[v->key_alert].s->hash;
}

/* The entry whose key is the decimal id dec (is_dec) or the shared string s. */
static struct cw_alertview_entry *find_key(const struct cw_alertview *v, bool is_dec, int64_t dec,
					   const struct view_str *s)
{
	uint32_t h = is_dec ? hash_int(dec) : s->hash;

	for (uint32_t i = v->buckets[h & (v->nbuckets - 1)]; i != NIL; i = slot(v, i)->hnext) {
		struct cw_alertview_entry *e = slot(v, i);

		if (is_dec ? e->tag[v->key_alert] == TAG_DEC && e->val[v->key_alert].i == dec :
			     e->tag[v->key_alert] == TAG_STR && e->val[v->key_alert].s == s)
			return e;
	}
	return NULL;
}

/* The entry of the alert id s (len bytes, which may hold a NUL). */
static struct cw_alertview_entry *find_id(const struct cw_alertview *v, const char *s, size_t len)
{
	int64_t dec;
	const struct view_str *p;

	if (parse_dec(s, len, &dec))
		return find_key(v, true, dec, NULL);
	p = str_lookup(v, s, len);
	return p ? find_key(v, false, 0, p) : NULL;
}

struct cw_alertview_entry *cw_alertview_find(const struct cw_alertview *v, const char *alert_id)
{
	return alert_id ? find_id(v, alert_id, strlen(alert_id)) : NULL;
}

struct cw_alertview *cw_alertview_new(size_t capacity)
{
	struct cw_alertview *v = calloc(1, sizeof(*v));
	size_t nchunks;

	if (!v)
		return NULL;
	v->capacity = capacity ? capacity : 1;
	if (v->capacity > UINT32_MAX / 2)
		v->capacity = UINT32_MAX / 2;
	while (cw_alertbus_data_keys[v->nkeys])
		if (!strcmp(cw_alertbus_data_keys[v->nkeys++], "alert_id"))
			v->key_alert = v->nkeys - 1;
	for (v->nbuckets = 16; v->nbuckets < v->capacity; v->nbuckets *= 2)
		;
	nchunks = (v->capacity + VIEW_CHUNK - 1) / VIEW_CHUNK;
	v->chunks = calloc(nchunks, sizeof(*v->chunks));
	v->buckets = malloc(v->nbuckets * sizeof(*v->buckets));
	v->nstrbuckets = 64;
	v->strs = calloc(v->nstrbuckets, sizeof(*v->strs));
	if (v->nkeys > VIEW_KEYS_MAX || !v->chunks || !v->buckets || !v->strs) {
		cw_alertview_free(v);
		return NULL;
	}
	memset(v->buckets, 0xff, v->nbuckets * sizeof(*v->buckets));
	v->free_head = NIL;
	v->order[ORDER_CHANGE] = v->order[ORDER_ENTRY] = (struct view_list){ NIL, NIL };
	return v;
}

void cw_alertview_free(struct cw_alertview *v)
{
	if (!v)
		return;
	if (v->chunks)
		for (size_t i = 0; i < (v->capacity + VIEW_CHUNK - 1) / VIEW_CHUNK; i++)
			free(v->chunks[i]);
	free(v->chunks);
	if (v->strs)
		for (size_t i = 0; i < v->nstrbuckets; i++) {
			struct view_str *p, *next;

			for (p = v->strs[i]; p; p = next) {
				next = p->next;
				free(p);
			}
		}
	free(v->strs);
	free(v->buckets);
	free(v);
}

void cw_alertview_set_max_bytes(struct cw_alertview *v, size_t max_bytes)
{
	v->max_bytes = max_bytes;
}

/* Takes e out of one of the two orders. */
static void list_unlink(struct cw_alertview *v, struct cw_alertview_entry *e, enum view_order o)
{
	struct view_link *l = &e->link[o];

	if (l->prev != NIL)
		slot(v, l->prev)->link[o].next = l->next;
	else
		v->order[o].head = l->next;
	if (l->next != NIL)
		slot(v, l->next)->link[o].prev = l->prev;
	else
		v->order[o].tail = l->prev;
}

/* Puts e last in one of the two orders. */
static void list_append(struct cw_alertview *v, struct cw_alertview_entry *e, enum view_order o)
{
	struct view_link *l = &e->link[o];

	l->prev = v->order[o].tail;
	l->next = NIL;
	if (v->order[o].tail != NIL)
		slot(v, v->order[o].tail)->link[o].next = e->self;
	else
		v->order[o].head = e->self;
	v->order[o].tail = e->self;
}

/* Drops an entry: its strings, its place in the table and both orders. */
static void entry_remove(struct cw_alertview *v, struct cw_alertview_entry *e)
{
	uint32_t *ip = &v->buckets[key_hash(v, e) & (v->nbuckets - 1)];

	while (*ip != e->self)
		ip = &slot(v, *ip)->hnext;
	*ip = e->hnext;
	list_unlink(v, e, ORDER_CHANGE);
	list_unlink(v, e, ORDER_ENTRY);
	for (size_t i = 0; i < v->nkeys; i++)
		if (e->tag[i] == TAG_STR)
			str_unref(v, e->val[i].s);
	str_unref(v, e->snoozed_until);
	str_unref(v, e->snooze_reason);
	v->count--;
	e->hnext = v->free_head;
	v->free_head = e->self;
}

/* Drops the alerts changed longest ago until the view is within its bounds
 * (count, and bytes when a budget is set); keep is never dropped. */
static void make_room(struct cw_alertview *v, const struct cw_alertview_entry *keep)
{
	while (v->order[ORDER_CHANGE].head != NIL && v->order[ORDER_CHANGE].head != keep->self &&
	       (v->count > v->capacity || (v->max_bytes && cw_alertview_bytes(v) > v->max_bytes))) {
		entry_remove(v, slot(v, v->order[ORDER_CHANGE].head));
		v->evicted++;
	}
}

/* A free slot for a new entry (the view has fewer than capacity), or NULL. */
static struct cw_alertview_entry *slot_alloc(struct cw_alertview *v)
{
	struct cw_alertview_entry *e;
	uint32_t i;

	if (v->free_head != NIL) {
		i = v->free_head;
		v->free_head = slot(v, i)->hnext;
	} else {
		i = v->nslots;
		if (!v->chunks[i >> VIEW_CHUNK_SHIFT]) {
			v->chunks[i >> VIEW_CHUNK_SHIFT] = malloc(VIEW_CHUNK * sizeof(**v->chunks));
			if (!v->chunks[i >> VIEW_CHUNK_SHIFT])
				return NULL;
		}
		v->nslots++;
	}
	e = slot(v, i);
	memset(e, 0, sizeof(*e));
	e->self = i;
	return e;
}

/* Sets member i of e from a JSON string or integer; false when out of memory. */
static bool set_member(struct cw_alertview *v, struct cw_alertview_entry *e, size_t i, const json_t *j)
{
	struct view_str *s = NULL;
	int64_t dec;

	if (json_is_integer(j)) {
		if (e->tag[i] == TAG_STR)
			str_unref(v, e->val[i].s);
		e->tag[i] = TAG_INT;
		e->val[i].i = json_integer_value(j);
		return true;
	}
	if (parse_dec(json_string_value(j), json_string_length(j), &dec)) {
		if (e->tag[i] == TAG_STR)
			str_unref(v, e->val[i].s);
		e->tag[i] = TAG_DEC;
		e->val[i].i = dec;
		return true;
	}
	s = str_intern(v, json_string_value(j), json_string_length(j));
	if (!s)
		return false;
	s->refs++; /* before the old one goes: it may be the same */
	if (e->tag[i] == TAG_STR)
		str_unref(v, e->val[i].s);
	e->tag[i] = TAG_STR;
	e->val[i].s = s;
	return true;
}

bool cw_alertview_apply(struct cw_alertview *v, uint64_t id, const char *type, const json_t *data)
{
	const json_t *aid = json_object_get(data, "alert_id");
	char buf[32];
	json_t *key;
	struct cw_alertview_entry *e;
	bool ok = true;

	/* The key is always the id's string form, as the socket writes it. */
	if (json_is_integer(aid)) {
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(aid));
		key = json_string(buf);
	} else if (json_is_string(aid))
		key = json_incref((json_t *)aid);
	else
		return false;
	if (!key)
		return false;
	e = find_id(v, json_string_value(key), json_string_length(key));
	if (!strcmp(type, "resolved") || !strcmp(type, "withdrawn")) {
		if (e)
			entry_remove(v, e);
		json_decref(key);
		return true;
	}
	if (!e) {
		if (v->count >= v->capacity && v->order[ORDER_CHANGE].head != NIL) {
			entry_remove(v, slot(v, v->order[ORDER_CHANGE].head));
			v->evicted++;
		}
		e = slot_alloc(v);
		if (!e || !set_member(v, e, v->key_alert, key)) {
			if (e) {
				e->hnext = v->free_head;
				v->free_head = e->self;
			}
			json_decref(key);
			return false;
		}
		e->hnext = v->buckets[key_hash(v, e) & (v->nbuckets - 1)];
		v->buckets[key_hash(v, e) & (v->nbuckets - 1)] = e->self;
		list_append(v, e, ORDER_ENTRY);
		v->count++;
	} else
		list_unlink(v, e, ORDER_CHANGE);
	list_append(v, e, ORDER_CHANGE);
	json_decref(key);
	/* Only ids, codes and dates are kept, as on the socket; a member a
	 * transition leaves out keeps what an earlier one said. */
	for (size_t i = 0; i < v->nkeys; i++) {
		const json_t *j = json_object_get(data, cw_alertbus_data_keys[i]);

		if (i != v->key_alert && (json_is_string(j) || json_is_integer(j)) && !set_member(v, e, i, j))
			ok = false;
	}
	e->last = id;
	if (!strcmp(type, "acknowledged"))
		e->acked = true;
	else if (!strcmp(type, "escalated") || !strcmp(type, "raised")) {
		/* A new step of an alert asks for attention again. */
		e->acked = false;
		e->has_uid = false;
	}
	make_room(v, e);
	return ok;
}

void cw_alertview_set_ack_uid(struct cw_alertview *v, struct cw_alertview_entry *e, uint32_t uid)
{
	(void)v;
	e->uid = uid;
	e->has_uid = true;
}

bool cw_alertview_set_snooze(struct cw_alertview *v, struct cw_alertview_entry *e, const char *until,
			     const char *reason)
{
	struct view_str *u = until ? str_intern(v, until, strlen(until)) : NULL;
	struct view_str *r;

	if (until && !u)
		return false;
	if (u)
		u->refs++;
	r = reason ? str_intern(v, reason, strlen(reason)) : NULL;
	if (reason && !r) {
		str_unref(v, u);
		return false;
	}
	if (u) {
		str_unref(v, e->snoozed_until);
		e->snoozed_until = u;
	}
	if (r) {
		r->refs++;
		str_unref(v, e->snooze_reason);
		e->snooze_reason = r;
	}
	/* A snooze is a change: the entry becomes the newest, so make_room
	 * can always get the view back within its bytes. */
	list_unlink(v, e, ORDER_CHANGE);
	list_append(v, e, ORDER_CHANGE);
	make_room(v, e);
	return true;
}

struct cw_alertview_entry *cw_alertview_first(const struct cw_alertview *v)
{
	return v->order[ORDER_ENTRY].head == NIL ? NULL : slot(v, v->order[ORDER_ENTRY].head);
}

struct cw_alertview_entry *cw_alertview_next(const struct cw_alertview *v, const struct cw_alertview_entry *e)
{
	return e->link[ORDER_ENTRY].next == NIL ? NULL : slot(v, e->link[ORDER_ENTRY].next);
}

struct cw_alertview_entry *cw_alertview_oldest(const struct cw_alertview *v)
{
	return v->order[ORDER_CHANGE].head == NIL ? NULL : slot(v, v->order[ORDER_CHANGE].head);
}

json_t *cw_alertview_entry_data(const struct cw_alertview *v, const struct cw_alertview_entry *e)
{
	json_t *o = json_object();
	char buf[32];

	for (size_t i = 0; o && i < v->nkeys; i++) {
		json_t *j = NULL;

		switch (e->tag[i]) {
		case TAG_NONE:
			continue;
		case TAG_INT:
			j = json_integer(e->val[i].i);
			break;
		case TAG_DEC:
			snprintf(buf, sizeof(buf), "%" PRId64, e->val[i].i);
			j = json_string(buf);
			break;
		case TAG_STR:
			j = json_stringn(e->val[i].s->s, e->val[i].s->len);
			break;
		}
		json_object_set_new(o, cw_alertbus_data_keys[i], j);
	}
	return o;
}

json_t *cw_alertview_entry_json(const struct cw_alertview *v, const struct cw_alertview_entry *e)
{
	json_t *o = cw_alertview_entry_data(v, e);
	char buf[32];

	if (!o)
		return NULL;
	snprintf(buf, sizeof(buf), "%" PRIu64, e->last);
	json_object_set_new(o, "last_transition", json_string(buf));
	if (e->acked)
		json_object_set_new(o, "acknowledged", json_true());
	if (e->has_uid)
		json_object_set_new(o, "acknowledged_by_uid", json_integer((json_int_t)e->uid));
	if (e->snoozed_until)
		json_object_set_new(o, "snoozed_until", json_stringn(e->snoozed_until->s, e->snoozed_until->len));
	if (e->snooze_reason)
		json_object_set_new(o, "snooze_reason", json_stringn(e->snooze_reason->s, e->snooze_reason->len));
	return o;
}

uint64_t cw_alertview_entry_last(const struct cw_alertview_entry *e)
{
	return e->last;
}

bool cw_alertview_entry_acked(const struct cw_alertview_entry *e)
{
	return e->acked;
}

size_t cw_alertview_count(const struct cw_alertview *v)
{
	return v->count;
}

size_t cw_alertview_bytes(const struct cw_alertview *v)
{
	return v->count * sizeof(struct cw_alertview_entry) + v->str_bytes;
}

size_t cw_alertview_evicted(const struct cw_alertview *v)
{
	return v->evicted;
}

size_t cw_alertview_entry_size(void)
{
	return sizeof(struct cw_alertview_entry);
}
