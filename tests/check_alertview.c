/* check_alertview.c - the transition log's compact view of open alerts: members, eviction order, byte bound, ack and snooze. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "../daemon/alert_view.h"
#include "testutil.h"

/* The data of a transition about alert aid (a string id) on a team. */
static json_t *data_for(const char *aid, const char *team)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "rule_id", "VISIT-5D", "alert_id", aid,
			 "person_id", "4711", "team", team, "state", "overdue", "severity", "warning", "due",
			 "2026-11-20T23:59:59Z", "late_by", (json_int_t)259200, "forename", "Not For The View");
}

/* Applies a transition of type to alert aid; asserts it is taken. */
static void apply(struct cw_alertview *v, uint64_t id, const char *type, const char *aid)
{
	json_t *d = data_for(aid, "T1");

	ck_assert(cw_alertview_apply(v, id, type, d));
	json_decref(d);
}

/* The ids of the alerts held, in listing order, as "a,b,c". */
static void listing(const struct cw_alertview *v, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (struct cw_alertview_entry *e = cw_alertview_first(v); e; e = cw_alertview_next(v, e)) {
		json_t *j = cw_alertview_entry_json(v, e);

		n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "," : "",
				      json_string_value(json_object_get(j, "alert_id")));
		json_decref(j);
	}
}

/* An entry lists what the socket would: ids as strings, integers as integers, no names. */
START_TEST(test_members)
{
	struct cw_alertview *v = cw_alertview_new(10);
	json_t *d = json_pack("{s:I, s:s, s:s, s:s}", "alert_id", (json_int_t)42, "rule_id", "VISIT-5D", "team",
			      "T1", "person_id", "007");
	json_t *j, *want;

	ck_assert(cw_alertview_apply(v, 5, "raised", d));
	json_decref(d);
	/* The integer id is found by its decimal form, and listed as a string. */
	ck_assert_ptr_nonnull(cw_alertview_find(v, "42"));
	ck_assert_ptr_null(cw_alertview_find(v, "042"));
	j = cw_alertview_entry_json(v, cw_alertview_find(v, "42"));
	want = json_pack("{s:s, s:s, s:s, s:s, s:s}", "alert_id", "42", "rule_id", "VISIT-5D", "team", "T1",
			 "person_id", "007", "last_transition", "5");
	ck_assert_msg(json_equal(j, want), "%s", json_dumps(j, JSON_COMPACT));
	json_decref(j);
	json_decref(want);
	/* A later transition replaces the members it carries and keeps the others. */
	d = json_pack("{s:s, s:s, s:I}", "alert_id", "42", "team", "T2", "late_by", (json_int_t)86400);
	ck_assert(cw_alertview_apply(v, 9, "overdue", d));
	json_decref(d);
	j = cw_alertview_entry_json(v, cw_alertview_find(v, "42"));
	ck_assert_str_eq(json_string_value(json_object_get(j, "team")), "T2");
	ck_assert_str_eq(json_string_value(json_object_get(j, "rule_id")), "VISIT-5D");
	ck_assert_str_eq(json_string_value(json_object_get(j, "person_id")), "007");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "late_by")), 86400);
	ck_assert_str_eq(json_string_value(json_object_get(j, "last_transition")), "9");
	json_decref(j);
	/* Only the socket's members: a name in the data never reaches the view. */
	apply(v, 10, "raised", "A1");
	j = cw_alertview_entry_json(v, cw_alertview_find(v, "A1"));
	ck_assert_ptr_null(json_object_get(j, "forename"));
	ck_assert_str_eq(json_string_value(json_object_get(j, "person_id")), "4711");
	json_decref(j);
	/* An id with a NUL inside is one alert, however often it comes. */
	for (uint64_t id = 20; id < 23; id++) {
		d = json_pack("{s:s#}", "alert_id", "X\0Y", 3);
		ck_assert(cw_alertview_apply(v, id, "overdue", d));
		json_decref(d);
	}
	ck_assert_int_eq(cw_alertview_count(v), 3);
	d = json_pack("{s:s#}", "alert_id", "X\0Y", 3);
	ck_assert(cw_alertview_apply(v, 23, "resolved", d));
	json_decref(d);
	/* No alert id: refused. Resolved and withdrawn drop the alert. */
	d = json_pack("{s:s}", "rule_id", "VISIT-5D");
	ck_assert(!cw_alertview_apply(v, 11, "raised", d));
	json_decref(d);
	ck_assert_int_eq(cw_alertview_count(v), 2);
	apply(v, 12, "resolved", "42");
	apply(v, 13, "withdrawn", "A1");
	ck_assert_int_eq(cw_alertview_count(v), 0);
	ck_assert_ptr_null(cw_alertview_first(v));
	ck_assert_int_eq(cw_alertview_bytes(v), 0);
	cw_alertview_free(v);
}
END_TEST

/* Full: the alert changed longest ago goes, not the one that entered first;
 * listing stays in the order of entry. */
START_TEST(test_eviction_order)
{
	struct cw_alertview *v = cw_alertview_new(3);
	char buf[256];

	apply(v, 1, "raised", "A");
	apply(v, 2, "raised", "B");
	apply(v, 3, "raised", "C");
	apply(v, 4, "overdue", "A"); /* A is now the newest change; B the oldest */
	ck_assert_int_eq(cw_alertview_entry_last(cw_alertview_oldest(v)), 2);
	ck_assert_ptr_eq(cw_alertview_oldest(v), cw_alertview_find(v, "B"));
	apply(v, 5, "raised", "D");
	listing(v, buf, sizeof(buf));
	ck_assert_str_eq(buf, "A,C,D");
	ck_assert_int_eq(cw_alertview_evicted(v), 1);
	apply(v, 6, "raised", "E"); /* C goes next */
	listing(v, buf, sizeof(buf));
	ck_assert_str_eq(buf, "A,D,E");
	ck_assert_int_eq(cw_alertview_entry_last(cw_alertview_find(v, "A")), 4);
	/* A resolved alert leaves room: nothing more is dropped. */
	apply(v, 7, "resolved", "D");
	apply(v, 8, "raised", "F");
	listing(v, buf, sizeof(buf));
	ck_assert_str_eq(buf, "A,E,F");
	ck_assert_int_eq(cw_alertview_evicted(v), 2);
	ck_assert_int_eq(cw_alertview_count(v), 3);
	/* Many more than fit: always the last three, and the count holds. */
	for (uint64_t id = 100; id < 10100; id++) {
		char aid[32];

		snprintf(aid, sizeof(aid), "%llu", (unsigned long long)id);
		apply(v, id, "raised", aid);
	}
	listing(v, buf, sizeof(buf));
	ck_assert_str_eq(buf, "10097,10098,10099");
	ck_assert_int_eq(cw_alertview_evicted(v), 2 + 10000);
	cw_alertview_free(v);
}
END_TEST

/* A byte budget: the view stays under it by dropping the oldest changes,
 * and the alert just changed is kept even when it alone is over. */
START_TEST(test_byte_bound)
{
	struct cw_alertview *v = cw_alertview_new(1000);
	size_t one, budget;
	char aid[32];

	apply(v, 1, "raised", "1");
	one = cw_alertview_bytes(v);
	ck_assert_uint_gt(one, cw_alertview_entry_size());
	/* The strings are shared: a second alert costs one entry more. */
	apply(v, 2, "raised", "2");
	ck_assert_uint_eq(cw_alertview_bytes(v), one + cw_alertview_entry_size());
	budget = one + 9 * cw_alertview_entry_size();
	cw_alertview_set_max_bytes(v, budget);
	for (uint64_t id = 3; id <= 200; id++) {
		snprintf(aid, sizeof(aid), "%llu", (unsigned long long)id);
		apply(v, id, "raised", aid);
		ck_assert_uint_le(cw_alertview_bytes(v), budget);
	}
	ck_assert_int_eq(cw_alertview_count(v), 10);
	ck_assert_ptr_nonnull(cw_alertview_find(v, "191"));
	ck_assert_ptr_null(cw_alertview_find(v, "190"));
	ck_assert_int_eq(cw_alertview_evicted(v), 190);
	/* A budget smaller than one alert: the newest is kept, alone. */
	cw_alertview_set_max_bytes(v, 1);
	apply(v, 201, "raised", "201");
	ck_assert_int_eq(cw_alertview_count(v), 1);
	ck_assert_ptr_nonnull(cw_alertview_find(v, "201"));
	cw_alertview_free(v);
}
END_TEST

/* Acknowledged until a new step (raised, escalated) asks for attention again;
 * a snooze stays; neither change drops the alert changed. */
START_TEST(test_ack_state)
{
	struct cw_alertview *v = cw_alertview_new(2);
	struct cw_alertview_entry *e;
	json_t *j;

	apply(v, 1, "raised", "A");
	apply(v, 2, "raised", "B");
	e = cw_alertview_find(v, "A");
	ck_assert(!cw_alertview_entry_acked(e));
	apply(v, 3, "acknowledged", "A");
	e = cw_alertview_find(v, "A");
	cw_alertview_set_ack_uid(v, e, 1000);
	ck_assert(cw_alertview_entry_acked(e));
	ck_assert(cw_alertview_set_snooze(v, e, "2026-12-01T17:00:00Z", "court_hearing"));
	j = cw_alertview_entry_json(v, e);
	ck_assert(json_is_true(json_object_get(j, "acknowledged")));
	ck_assert_int_eq(json_integer_value(json_object_get(j, "acknowledged_by_uid")), 1000);
	ck_assert_str_eq(json_string_value(json_object_get(j, "snoozed_until")), "2026-12-01T17:00:00Z");
	ck_assert_str_eq(json_string_value(json_object_get(j, "snooze_reason")), "court_hearing");
	ck_assert_str_eq(json_string_value(json_object_get(j, "last_transition")), "3");
	json_decref(j);
	/* The data of a new transition carries none of that. */
	j = cw_alertview_entry_data(v, e);
	ck_assert_ptr_null(json_object_get(j, "acknowledged"));
	ck_assert_ptr_null(json_object_get(j, "snoozed_until"));
	ck_assert_ptr_null(json_object_get(j, "last_transition"));
	ck_assert_str_eq(json_string_value(json_object_get(j, "alert_id")), "A");
	json_decref(j);
	/* The ack made A the newest: a third alert drops B. */
	apply(v, 4, "raised", "C");
	ck_assert_ptr_null(cw_alertview_find(v, "B"));
	e = cw_alertview_find(v, "A");
	ck_assert_ptr_nonnull(e);
	/* Overdue keeps the ack; escalated takes it (and who) away, not the snooze. */
	apply(v, 5, "overdue", "A");
	ck_assert(cw_alertview_entry_acked(cw_alertview_find(v, "A")));
	apply(v, 6, "escalated", "A");
	e = cw_alertview_find(v, "A");
	ck_assert(!cw_alertview_entry_acked(e));
	j = cw_alertview_entry_json(v, e);
	ck_assert_ptr_null(json_object_get(j, "acknowledged"));
	ck_assert_ptr_null(json_object_get(j, "acknowledged_by_uid"));
	ck_assert_str_eq(json_string_value(json_object_get(j, "snooze_reason")), "court_hearing");
	json_decref(j);
	/* Resolved: gone, and its strings with it. */
	apply(v, 7, "resolved", "A");
	apply(v, 8, "resolved", "C");
	ck_assert_int_eq(cw_alertview_bytes(v), 0);
	cw_alertview_free(v);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("alertview");
	TCase *tc = tcase_create("alertview");

	tcase_add_test(tc, test_members);
	tcase_add_test(tc, test_eviction_order);
	tcase_add_test(tc, test_byte_bound);
	tcase_add_test(tc, test_ack_state);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return cw_test_run(suite());
}
