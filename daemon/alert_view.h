/*
 * alert_view.h - the open alerts the recent transitions describe, kept compact.
 *
 * The transition log's view: for each open alert, what its last transition
 * said (the socket's data members: ids, codes, dates), the id of that
 * transition, and whether it was acknowledged (by whom) or snoozed. An
 * alert's members are held as integers or as shared, reference-counted
 * strings in a fixed-size entry, never as jansson objects; the JSON a reply
 * lists is built only when asked for.
 *
 * Bounded by count and, optionally, by bytes: when full, the alert changed
 * longest ago goes first (in O(1): entries are kept in the order of their
 * last change), and the alert just changed is always kept. Listing goes in
 * the order alerts entered the view.
 */
#ifndef CASEWATCH_ALERT_VIEW_H
#define CASEWATCH_ALERT_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct cw_alertview;
struct cw_alertview_entry;

/* A view of at most capacity alerts (at least 1); NULL when out of memory. */
struct cw_alertview *cw_alertview_new(size_t capacity);

/* Also keeps the view's bytes (cw_alertview_bytes) under max_bytes; 0: the
 * count alone bounds it. Takes effect at the next change. */
void cw_alertview_set_max_bytes(struct cw_alertview *v, size_t max_bytes);

/* Frees the view. NULL is allowed. */
void cw_alertview_free(struct cw_alertview *v);

/* Applies transition id of the given type to the alert data.alert_id names
 * (a string, or an integer taken as its decimal form): "resolved" and
 * "withdrawn" drop the alert; any other type keeps it, with the data's
 * string and integer members (cw_alertbus_data_keys) replacing those held;
 * "acknowledged" marks it acknowledged, "raised" and "escalated" clear that.
 * False when data has no alert id or memory ran out (a new alert is then
 * not in the view; a held one may keep some of its old members). */
bool cw_alertview_apply(struct cw_alertview *v, uint64_t id, const char *type, const json_t *data);

/* The alert with this id, or NULL. */
struct cw_alertview_entry *cw_alertview_find(const struct cw_alertview *v, const char *alert_id);

/* The alerts in the order they entered the view: the first, then the one
 * after e; NULL at the end. */
struct cw_alertview_entry *cw_alertview_first(const struct cw_alertview *v);
struct cw_alertview_entry *cw_alertview_next(const struct cw_alertview *v, const struct cw_alertview_entry *e);

/* The alert that goes first when room is needed (changed longest ago), or NULL. */
struct cw_alertview_entry *cw_alertview_oldest(const struct cw_alertview *v);

/* The entry as the alerts reply lists it: the data members, "alert_id" as a
 * string, "last_transition" (the id as a string), and "acknowledged",
 * "acknowledged_by_uid", "snoozed_until" and "snooze_reason" when set. */
json_t *cw_alertview_entry_json(const struct cw_alertview *v, const struct cw_alertview_entry *e);

/* Only the data members (what a new transition about the alert carries). */
json_t *cw_alertview_entry_data(const struct cw_alertview *v, const struct cw_alertview_entry *e);

/* The entry's last transition, and whether it is acknowledged. */
uint64_t cw_alertview_entry_last(const struct cw_alertview_entry *e);
bool cw_alertview_entry_acked(const struct cw_alertview_entry *e);

/* Who acknowledged it; until when and why it is snoozed (strings; a NULL
 * leaves that member as it is). False when memory ran out. Either may make
 * room by dropping other alerts, never e. */
void cw_alertview_set_ack_uid(struct cw_alertview *v, struct cw_alertview_entry *e, uint32_t uid);
bool cw_alertview_set_snooze(struct cw_alertview *v, struct cw_alertview_entry *e, const char *until,
			     const char *reason);

/* Alerts held, the bytes they take (the entries' fixed size and the shared
 * strings they refer to, each counted once), alerts dropped to make room. */
size_t cw_alertview_count(const struct cw_alertview *v);
size_t cw_alertview_bytes(const struct cw_alertview *v);
size_t cw_alertview_evicted(const struct cw_alertview *v);

/* The fixed size of one entry, for budgets. */
size_t cw_alertview_entry_size(void);

#endif /* CASEWATCH_ALERT_VIEW_H */
