/* check_fidelity.c - the shipped profiles evaluated as their seed sentences say (issue 10). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>

#include "casewatch/calendar.h"
#include "casewatch/capability.h"
#include "casewatch/facts.h"
#include "casewatch/obligation.h"
#include "casewatch/policy.h"
#include "testutil.h"

static struct cw_calendar *cal;

static void setup(void)
{
	cal = cw_test_calendar();
}

static void teardown(void)
{
	cw_calendar_free(cal);
}

/* A shipped profile by name from the source tree's profiles/. */
static struct cw_policy *shipped(const char *name)
{
	char dir[4096];
	struct cw_policy *p;

	snprintf(dir, sizeof(dir), "%s", cw_test_srcpath("profiles"));
	p = cw_test_policy(name, dir);
	ck_assert_msg(p != NULL, "profile %s does not load", name);
	return p;
}

/* An instant written by hand with its UTC offset (testutil.c). */
#define T(iso) cw_test_time(iso)

/* Facts from a JSON text, arrays it omits empty (testutil.c). */
#define facts(text, f) cw_test_facts((text), (f))

/* The first obligation of a rule on an anchor id, or NULL. */
static const struct cw_obligation *find(const struct cw_obligations *o, const char *rule, int64_t anchor)
{
	for (size_t i = 0; i < o->count; i++)
		if (!strcmp(o->v[i].rule_id, rule) && o->v[i].anchor_id == anchor)
			return &o->v[i];
	return NULL;
}

/* As find(), failing the test when there is none. */
static const struct cw_obligation *get(const struct cw_obligations *o, const char *rule, int64_t anchor)
{
	const struct cw_obligation *x = find(o, rule, anchor);

	if (!x) {
		for (size_t i = 0; i < o->count; i++)
			fprintf(stderr, "  have %s\n", o->v[i].key);
		ck_abort_msg("no obligation of %s on %lld", rule, (long long)anchor);
	}
	return x;
}

/* Computes a shipped profile's obligations for one person at `now`. */
static void compute(const char *profile, const char *doc, const char *now, struct cw_obligations *out)
{
	struct cw_policy *p = shipped(profile);
	struct cw_facts f;

	facts(doc, &f);
	cw_obligations_compute(p, cal, &f, T(now), NULL, out);
	/* The obligations point at the rules: keep only what the tests read. */
	for (size_t i = 0; i < out->count; i++) {
		out->v[i].rule = NULL;
		out->v[i].rule_id = strdup(out->v[i].rule_id);
	}
	cw_facts_free(&f);
	cw_policy_free(p);
}

/* Frees what compute() copied. */
static void release(struct cw_obligations *out)
{
	for (size_t i = 0; i < out->count; i++)
		free((char *)out->v[i].rule_id);
	out->count = 0;
}

/* Frees the copies and the obligations. */
static void done(struct cw_obligations *out)
{
	release(out);
	cw_obligations_free(out);
}

/* Asserts a rule's capability in a loaded profile. */
static void assert_capability(const struct cw_policy *p, const char *rule, enum cw_capability want)
{
	char why[CW_CAPABILITY_REASON_MAX] = "";
	enum cw_capability cap = cw_capability_of(cw_policy_rule_find(p, rule), why, sizeof(why));

	ck_assert_msg(cap == want, "%s is %s, not %s: %s", rule, cw_capability_name(cap),
		      cw_capability_name(want), why);
}

/* Asserts that a shipped profile's rule is evaluated (not only reported). */
static void assert_evaluated(const char *profile, const char *rule)
{
	struct cw_policy *p = shipped(profile);
	char why[CW_CAPABILITY_REASON_MAX] = "";
	enum cw_capability cap = cw_capability_of(cw_policy_rule_find(p, rule), why, sizeof(why));

	ck_assert_msg(cap == CW_CAP_EVALUATED, "%s %s is not evaluated: %s", profile, rule, why);
	cw_policy_free(p);
}

/* 1. Coventry 001 §4.1: "Records should be completed by the person
 * undertaking the tasks within 2 working days or in line with the relevant
 * statutory guidance." Southwark 003 §5.9: "Records should be updated as
 * information becomes available or as decisions or actions are taken as
 * soon as practicable or, at the latest, within 24 hours." Enfield 002 §7:
 * "All recording must be finalised within five working days of the event."
 * A visit, a contact or a supervision session has that deadline too, not
 * only a generic task; an event a more specific rule covers keeps that
 * rule alone. Visit Mon 2026-03-02 10:00 GMT + 2 wd: Wed 03-04 23:59:59. */
START_TEST(test_general_rules)
{
	static const char *doc =
		"{\"person_id\": 7, \"events\": ["
		" {\"id\": 1, \"type\": \"visit\", \"at\": \"2026-03-02T10:00:00Z\"},"
		" {\"id\": 2, \"type\": \"contact\", \"at\": \"2026-03-02T11:00:00Z\"},"
		" {\"id\": 3, \"type\": \"supervision\", \"at\": \"2026-03-02T12:00:00Z\"},"
		" {\"id\": 4, \"type\": \"s47_enquiry\", \"at\": \"2026-03-02T13:00:00Z\"},"
		" {\"id\": 5, \"type\": \"access_request\", \"at\": \"2026-03-02T14:00:00Z\"}],"
		" \"records\": ["
		" {\"id\": 10, \"type\": \"supervision_note\", \"event_id\": 3,"
		"  \"finalised_at\": \"2026-03-03T09:00:00Z\"}]}";
	struct cw_obligations out;
	const struct cw_obligation *o;

	cw_obligations_init(&out);
	compute("coventry", doc, "2026-03-05T12:00:00Z", &out);
	o = get(&out, "CV-2WD", 1);
	ck_assert_int_eq(o->due_at, T("2026-03-04T23:59:59Z"));
	ck_assert_str_eq(cw_obligation_status_name(cw_obligation_status(o, T("2026-03-05T12:00:00Z"))), "overdue");
	ck_assert(get(&out, "CV-2WD", 2) != NULL);
	o = get(&out, "CV-2WD", 3); /* any record naming the event meets it */
	ck_assert(o->met);
	ck_assert_int_eq(o->met_by, 10);
	ck_assert(find(&out, "CV-2WD", 4) == NULL); /* CP-24H's */
	ck_assert(find(&out, "CV-2WD", 5) == NULL); /* the request is its own record */
	ck_assert(get(&out, "CP-24H", 4) != NULL);
	release(&out);

	compute("southwark", doc, "2026-03-05T12:00:00Z", &out);
	ck_assert_int_eq(get(&out, "SW-24H", 2)->due_at, T("2026-03-03T11:00:00Z"));
	ck_assert(get(&out, "SW-24H", 1) != NULL);
	release(&out);

	/* Brighton & Hove and Hull inherit the default's NOTE-5WD. */
	compute("brighton-hove", doc, "2026-03-05T12:00:00Z", &out);
	ck_assert_int_eq(get(&out, "NOTE-5WD", 1)->due_at, T("2026-03-09T23:59:59Z"));
	release(&out);
	compute("hull", doc, "2026-03-05T12:00:00Z", &out);
	ck_assert(get(&out, "NOTE-5WD", 2) != NULL);
	release(&out);

	/* Enfield's table has its own visit, contact and supervision rules. */
	compute("enfield", doc, "2026-03-05T12:00:00Z", &out);
	ck_assert(find(&out, "NOTE-5WD", 1) == NULL);
	ck_assert(get(&out, "VISIT-5D", 1) != NULL);
	ck_assert(get(&out, "SUPER-5WD", 3) != NULL);
	done(&out);
}
END_TEST

/* 2. Hull 004 §3.1: "The recipient's name, job title, organisation and
 * telephone number; ... The date and time of the contact, and the name and
 * signature of the person making the entry." One vocabulary: the profile
 * names fields as the facts carry them, and every shipped list passes
 * policy check's field check. */
START_TEST(test_share_fields)
{
	struct cw_obligations out;

	assert_evaluated("hull", "SHARE-FIELDS");
	cw_obligations_init(&out);
	compute("hull",
		"{\"person_id\": 8, \"info_sharing\": ["
		" {\"id\": 1, \"kind\": \"sharing\", \"missing\": [\"counterpart_name\"]},"
		" {\"id\": 2, \"kind\": \"request_received\", \"missing\": [\"signed\"]},"
		" {\"id\": 3, \"kind\": \"request_made\", \"missing\": [\"identity_check\", \"decision_reason\"]},"
		" {\"id\": 4, \"kind\": \"sharing\", \"missing\": [\"receipt_confirmation\", \"recorded_by\"]}]}",
		"2026-03-05T12:00:00Z", &out);
	ck_assert_str_eq(get(&out, "SHARE-FIELDS", 1)->detail, "counterpart_name");
	ck_assert_str_eq(get(&out, "SHARE-FIELDS", 2)->detail, "signed");
	ck_assert_str_eq(get(&out, "SHARE-FIELDS", 3)->detail, "identity_check,decision_reason");
	ck_assert_str_eq(get(&out, "SHARE-FIELDS", 4)->detail, "receipt_confirmation,recorded_by");
	done(&out);
}
END_TEST

/* Brighton & Hove 000 §1, MIRRA principle 10: "Where information is sent
 * to another agency a record should be made on an individual's file so
 * that this can be traced in future;" A record of information shared
 * that does not say with which agency, or what, cannot be traced;
 * requests (nothing sent) are SHARE-FIELDS' business, not this rule's. */
START_TEST(test_trace_sent)
{
	struct cw_obligations out;

	assert_evaluated("brighton-hove", "TRACE-SENT");
	cw_obligations_init(&out);
	compute("brighton-hove",
		"{\"person_id\": 14, \"info_sharing\": ["
		" {\"id\": 1, \"kind\": \"sharing\", \"missing\": [\"counterpart_organisation\", \"outcome\"]},"
		" {\"id\": 2, \"kind\": \"sharing\", \"missing\": [\"outcome\"]},"
		" {\"id\": 3, \"kind\": \"request_made\", \"missing\": [\"counterpart_organisation\"]}]}",
		"2026-03-05T12:00:00Z", &out);
	ck_assert_str_eq(get(&out, "TRACE-SENT", 1)->detail, "counterpart_organisation");
	ck_assert(find(&out, "TRACE-SENT", 2) == NULL);
	ck_assert(find(&out, "TRACE-SENT", 3) == NULL);
	done(&out);
}
END_TEST

/* Brighton & Hove 000 §1, MIRRA principle 9: "A child, young person or
 * care leaver should have the right to request that elements of their
 * record be deleted or 'forgotten'. If this is not possible then their
 * request should be acknowledged as part of the record;" Two requests and
 * one acknowledgement after the first: the second is unacknowledged; an
 * acknowledgement from before a request does not count for it. */
START_TEST(test_forget_ack)
{
	struct cw_obligations out;

	assert_evaluated("brighton-hove", "FORGET-ACK");
	cw_obligations_init(&out);
	compute("brighton-hove",
		"{\"person_id\": 17, \"forget_requests\": ["
		" {\"id\": 1, \"received_at\": \"2026-01-05T10:00:00Z\"},"
		" {\"id\": 2, \"received_at\": \"2026-02-05T10:00:00Z\"}],"
		" \"records\": ["
		" {\"id\": 9, \"type\": \"forget_ack\", \"finalised_at\": \"2025-12-01T10:00:00Z\"},"
		" {\"id\": 10, \"type\": \"forget_ack\", \"finalised_at\": \"2026-01-06T10:00:00Z\"}]}",
		"2026-03-05T12:00:00Z", &out);
	ck_assert(find(&out, "FORGET-ACK", 1) == NULL);
	ck_assert_str_eq(get(&out, "FORGET-ACK", 2)->detail, "forget_ack");
	ck_assert_int_eq(get(&out, "FORGET-ACK", 2)->anchor_kind, CW_OBL_FORGET);
	done(&out);
}
END_TEST

/* 3. Coventry 001 §5.5: "Once the requester has paid the required fee the
 * Council has 40 calendar days to analyse, prepare and disclose the
 * information." A request received 2026-03-02 and paid for on 03-09 is
 * due 40 days after the payment: Saturday 04-18, so (the profile's
 * non_working_due) Monday 04-20, end of day BST; one not paid for waits,
 * suspended, and is never overdue. Brighton & Hove's 40 days run from the
 * written request: Saturday 04-11, so Monday 04-13. */
START_TEST(test_sar_fee)
{
	static const char *doc =
		"{\"person_id\": 15, \"events\": ["
		" {\"id\": 1, \"type\": \"access_request\", \"at\": \"2026-03-02T10:00:00Z\","
		"  \"fee_paid_at\": \"2026-03-09T15:00:00Z\"},"
		" {\"id\": 2, \"type\": \"access_request\", \"at\": \"2026-03-02T11:00:00Z\"}]}";
	struct cw_obligations out;
	const struct cw_obligation *o;

	cw_obligations_init(&out);
	compute("coventry", doc, "2026-06-01T12:00:00Z", &out);
	o = get(&out, "SAR-40D", 1);
	ck_assert_int_eq(o->anchor_at, T("2026-03-09T15:00:00Z"));
	ck_assert_int_eq(o->due_at, T("2026-04-20T23:59:59+01:00"));
	o = get(&out, "SAR-40D", 2);
	ck_assert_str_eq(cw_obligation_status_name(cw_obligation_status(o, T("2026-06-01T12:00:00Z"))),
			 "suspended");
	ck_assert_int_eq(o->next_at, CW_TIME_NONE);
	release(&out);
	compute("brighton-hove", doc, "2026-06-01T12:00:00Z", &out);
	ck_assert_int_eq(get(&out, "SAR-40D", 1)->due_at, T("2026-04-13T23:59:59+01:00"));
	done(&out);
}
END_TEST

/* 4. Enfield 002 §11: "In all other cases where a temporary restriction is
 * needed, access will be restricted to the case worker, their team manager
 * the Independent Reviewing Officer (IRO), EDT, Service manager /Head of
 * Service and any other worker on a need to know basis." An IRO or an EDT
 * member opening a restricted file is no breach; a worker of another team
 * without a grant is. */
START_TEST(test_restricted_access_roles)
{
	struct cw_obligations out;

	assert_evaluated("enfield", "RESTRICTED-ACCESS");
	cw_obligations_init(&out);
	compute("enfield",
		"{\"person_id\": 16, \"restricted_access\": ["
		" {\"id\": 1, \"accessed_by\": 70, \"accessed_by_role\": \"iro\", \"allowed\": false},"
		" {\"id\": 2, \"accessed_by\": 71, \"accessed_by_role\": \"edt\", \"allowed\": false},"
		" {\"id\": 3, \"accessed_by\": 72, \"accessed_by_role\": \"worker\", \"allowed\": false},"
		" {\"id\": 4, \"accessed_by\": 73, \"allowed\": false}]}",
		"2026-03-05T12:00:00Z", &out);
	ck_assert(find(&out, "RESTRICTED-ACCESS", 1) == NULL);
	ck_assert(find(&out, "RESTRICTED-ACCESS", 2) == NULL);
	ck_assert_str_eq(get(&out, "RESTRICTED-ACCESS", 3)->detail, "staff 72");
	ck_assert(get(&out, "RESTRICTED-ACCESS", 4) != NULL);
	done(&out);
}
END_TEST

/* 5. Enfield 002 §18: "Chronology Chronology Form Updated at least every
 * three months unless there is a significant event". A significant event
 * Thu 2026-02-05 10:00 GMT makes an update due within Enfield's five
 * working days (Thu 02-12 23:59:59), not three months after it. */
START_TEST(test_chron_significant_event)
{
	struct cw_obligations out;
	const struct cw_obligation *o;

	cw_obligations_init(&out);
	compute("enfield",
		"{\"person_id\": 9, \"involvements\": ["
		" {\"id\": 1, \"category\": \"cin\", \"start\": \"2026-01-05\"}],"
		" \"events\": [{\"id\": 50, \"type\": \"significant_event\", \"at\": \"2026-02-05T10:00:00Z\"}],"
		" \"records\": [{\"id\": 1, \"type\": \"chronology\", \"finalised_at\": \"2026-01-10T10:00:00Z\"}]}",
		"2026-02-06T12:00:00Z", &out);
	o = get(&out, "CHRON-3M", 50);
	ck_assert_int_eq(o->anchor_kind, CW_OBL_EVENT);
	ck_assert_int_eq(o->due_at, T("2026-02-12T23:59:59Z"));
	ck_assert(!o->met);
	release(&out);
	/* Southwark: within its 24 hours for all records. */
	compute("southwark",
		"{\"person_id\": 9, \"involvements\": ["
		" {\"id\": 1, \"category\": \"cin\", \"start\": \"2026-01-05\"}],"
		" \"events\": [{\"id\": 50, \"type\": \"significant_event\", \"at\": \"2026-02-05T10:00:00Z\"}]}",
		"2026-02-06T12:00:00Z", &out);
	o = get(&out, "CHRON-3M", 50);
	ck_assert_int_eq(o->due_at, T("2026-02-06T10:00:00Z"));
	done(&out);
}
END_TEST

/* 6. Enfield 002 §18, Private Fostering Arrangement Start: "If
 * notification given then 6 weeks prior to arrangement. If arrangement has
 * started then PF co-ordinator to be notified immediately." Given in time
 * (notified 2026-01-05 of a start on Mon 2026-03-02): due 6 w before, Mon
 * 01-19 23:59:59. Learned on 2026-03-10 09:00 of an arrangement that
 * started on 03-02: due at once (24 h, the profile's "immediately"). */
START_TEST(test_pf_already_started)
{
	struct cw_obligations out;
	const struct cw_obligation *o;

	cw_obligations_init(&out);
	compute("enfield",
		"{\"person_id\": 10, \"events\": ["
		" {\"id\": 1, \"type\": \"pf_notification\", \"at\": \"2026-01-05T10:00:00Z\"},"
		" {\"id\": 2, \"type\": \"pf_planned_start\", \"at\": \"2026-03-02T10:00:00Z\"}]}",
		"2026-01-06T12:00:00Z", &out);
	ck_assert_int_eq(get(&out, "PF-START-6W", 2)->due_at, T("2026-01-19T23:59:59Z"));
	release(&out);
	compute("enfield",
		"{\"person_id\": 10, \"events\": ["
		" {\"id\": 2, \"type\": \"pf_planned_start\", \"at\": \"2026-03-02T10:00:00Z\"},"
		" {\"id\": 3, \"type\": \"pf_notification\", \"at\": \"2026-03-10T09:00:00Z\"}],"
		" \"records\": [{\"id\": 1, \"type\": \"pf_coordinator_notice\", \"finalised_at\": \"2026-03-10T15:00:00Z\"}]}",
		"2026-03-11T12:00:00Z", &out);
	o = get(&out, "PF-START-6W", 2);
	ck_assert_int_eq(o->due_at, T("2026-03-11T09:00:00Z"));
	ck_assert_str_eq(cw_obligation_status_name(cw_obligation_status(o, T("2026-03-11T12:00:00Z"))),
			 "met_on_time");
	done(&out);
}
END_TEST

/* 7. Enfield 002 §18: "Placement Planning Meeting ... Within 5 days of the
 * meeting /placement", "Records of Visits Within 5 days of visit", "Case
 * notes - e.g. telephone calls Within 5 days of Contact", with §7:
 * "Entries should be written within five working days of the events
 * actually occurring". Read as working days: events on Wed 2026-04-01
 * are due Fri 04-10 (Good Friday 04-03 and Easter Monday 04-06 not
 * counted), not on Easter Monday, where five calendar days would fall. */
START_TEST(test_five_days)
{
	static const char *const rules[] = { "PLACE-PLAN-5D", "LACR-PLAN-5D", "VISIT-5D", "CONTACT-5D",
					     "CIN-PLAN-5D", "CORE-MIN-5D" };
	static const char *const types[] = { "placement", "lac_review", "visit", "contact", "cin_meeting",
					     "core_group" };
	char doc[2048];
	size_t n;
	struct cw_obligations out;

	n = (size_t)snprintf(doc, sizeof(doc), "{\"person_id\": 11, \"events\": [");
	for (size_t i = 0; i < 6; i++)
		n += (size_t)snprintf(doc + n, sizeof(doc) - n,
				      "%s{\"id\": %zu, \"type\": \"%s\", \"at\": \"2026-04-01T10:00:00+01:00\"}",
				      i ? "," : "", i + 1, types[i]);
	snprintf(doc + n, sizeof(doc) - n, "]}");
	cw_obligations_init(&out);
	compute("enfield", doc, "2026-04-02T12:00:00Z", &out);
	/* Wed 04-01 + 5 wd: Thu 2, Tue 7, Wed 8, Thu 9, Fri 10. */
	for (size_t i = 0; i < 6; i++)
		ck_assert_msg(get(&out, rules[i], (int64_t)i + 1)->due_at == T("2026-04-10T23:59:59+01:00"),
			      "%s not due on Friday 2026-04-10", rules[i]);
	done(&out);
}
END_TEST

/* 7, the calendar-day rules. Enfield 002 §18: "Child and Family
 * Assessment Within 30 days of referral date". A referral on Fri
 * 2026-03-06 + 30 days is Easter Sunday 04-05; Easter Monday follows, so
 * the assessment is due Tue 04-07, never on a closed day by accident.
 * Every calendar deadline of a shipped profile states its choice. */
START_TEST(test_calendar_deadline_off_closed_days)
{
	static const char *const names[] = { "default", "coventry", "southwark", "enfield", "hull",
					     "brighton-hove", "statutory-england" };
	struct cw_obligations out;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct cw_policy *p = shipped(names[i]);

		for (size_t k = 0; k < cw_policy_rule_count(p); k++)
			ck_assert_msg(!cw_capability_unstated_choice(cw_policy_rule_at(p, k), NULL, 0),
				      "%s: %s states no choice for closed days", names[i], cw_policy_rule_at(p, k)->id);
		cw_policy_free(p);
	}
	cw_obligations_init(&out);
	compute("enfield",
		"{\"person_id\": 19, \"events\": ["
		" {\"id\": 1, \"type\": \"contact_referral\", \"at\": \"2026-03-06T10:00:00Z\"}]}",
		"2026-03-07T12:00:00Z", &out);
	ck_assert_int_eq(get(&out, "CFA-30D", 1)->due_at, T("2026-04-07T23:59:59+01:00"));
	done(&out);
}
END_TEST

/* 8. Brighton & Hove 000 §1: "It is a minimum expectation that every
 * child's record includes a chronology, a genogram, an up to date
 * assessment and plan as well as a summary of the social worker's ongoing
 * support." An assessment finalised two years ago is not up to date. */
START_TEST(test_min_content_up_to_date)
{
	struct cw_obligations out;

	cw_obligations_init(&out);
	compute("brighton-hove",
		"{\"person_id\": 12, \"involvements\": ["
		" {\"id\": 1, \"category\": \"looked_after\", \"start\": \"2023-01-05\"}],"
		" \"records\": ["
		" {\"id\": 1, \"type\": \"chronology\", \"finalised_at\": \"2023-02-01T10:00:00Z\"},"
		" {\"id\": 2, \"type\": \"genogram\", \"finalised_at\": \"2023-02-01T10:00:00Z\"},"
		" {\"id\": 3, \"type\": \"assessment\", \"finalised_at\": \"2024-02-01T10:00:00Z\"},"
		" {\"id\": 4, \"type\": \"plan\", \"finalised_at\": \"2026-01-10T10:00:00Z\"},"
		" {\"id\": 5, \"type\": \"support_summary\", \"finalised_at\": \"2026-01-10T10:00:00Z\"}]}",
		"2026-03-01T12:00:00Z", &out);
	ck_assert_str_eq(get(&out, "MIN-CONTENT", 12)->detail, "assessment: out of date");
	release(&out);
	/* The same file with the plan eight months old: both out of date. */
	compute("brighton-hove",
		"{\"person_id\": 12, \"involvements\": ["
		" {\"id\": 1, \"category\": \"looked_after\", \"start\": \"2023-01-05\"}],"
		" \"records\": ["
		" {\"id\": 1, \"type\": \"chronology\", \"finalised_at\": \"2023-02-01T10:00:00Z\"},"
		" {\"id\": 2, \"type\": \"genogram\", \"finalised_at\": \"2023-02-01T10:00:00Z\"},"
		" {\"id\": 3, \"type\": \"assessment\", \"finalised_at\": \"2025-06-01T10:00:00Z\"},"
		" {\"id\": 4, \"type\": \"plan\", \"finalised_at\": \"2025-07-01T10:00:00Z\"},"
		" {\"id\": 5, \"type\": \"support_summary\", \"finalised_at\": \"2026-01-10T10:00:00Z\"}]}",
		"2026-03-01T12:00:00Z", &out);
	ck_assert_str_eq(get(&out, "MIN-CONTENT", 12)->detail, "plan: out of date");
	done(&out);
}
END_TEST

/* The current (last) cycle of a recurring rule on an anchor id. */
static const struct cw_obligation *current(const struct cw_obligations *o, const char *rule, int64_t anchor)
{
	const struct cw_obligation *best = NULL;

	for (size_t i = 0; i < o->count; i++)
		if (!strcmp(o->v[i].rule_id, rule) && o->v[i].anchor_id == anchor &&
		    (!best || o->v[i].cycle_start > best->cycle_start))
			best = &o->v[i];
	ck_assert_msg(best != NULL, "no cycle of %s on %lld", rule, (long long)anchor);
	return best;
}

/* 9. Care Planning, Placement and Case Review (England) Regulations 2010,
 * reg 28, as rules.md gives it: "visits: within 1 week of a placement,
 * then at most every 6 weeks in the first year, then every 3 months if
 * the placement is meant to last to 18 (otherwise 6-weekly)". Placed
 * 2025-01-06, visited 01-10 and 2026-01-20 (after the first year): the next
 * visit is due 3 months on (2026-04-20) for a placement meant to last
 * until 18, 6 weeks on (03-03) for another. */
START_TEST(test_lac_visit_until_18)
{
#define LAC_VISIT_DOC(until_18)                                                                          \
	"{\"person_id\": 18, \"involvements\": ["                                                           \
	" {\"id\": 1, \"category\": \"looked_after\", \"start\": \"2025-01-06\"}],"                            \
	" \"events\": ["                                                                                     \
	" {\"id\": 5, \"type\": \"placement\", \"at\": \"2025-01-06T10:00:00Z\", \"until_18\": " until_18 "}," \
	" {\"id\": 6, \"type\": \"visit\", \"at\": \"2025-01-10T10:00:00Z\"},"                                \
	" {\"id\": 7, \"type\": \"visit\", \"at\": \"2026-01-20T10:00:00Z\"}]}"
	struct cw_obligations out;

	cw_obligations_init(&out);
	compute("statutory-england", LAC_VISIT_DOC("true"), "2026-02-01T12:00:00Z", &out);
	ck_assert_int_eq(current(&out, "ST-LAC-VISIT", 5)->due_at, T("2026-04-20T23:59:59+01:00"));
	release(&out);
	compute("statutory-england", LAC_VISIT_DOC("false"), "2026-02-01T12:00:00Z", &out);
	ck_assert_int_eq(current(&out, "ST-LAC-VISIT", 5)->due_at, T("2026-03-03T23:59:59Z"));
	done(&out);
}
END_TEST

/* 10. Enfield 002 §10: "There must be a review date submitted when a
 * Hazard is loaded and reviewed within six months." A hazard loaded on
 * 2026-01-05 with its own review date 2026-02-15 is due then, not on
 * 07-05; a review date later than six months does not push it out. */
START_TEST(test_hazard_own_review_date)
{
	struct cw_obligations out;

	cw_obligations_init(&out);
	compute("default",
		"{\"person_id\": 13, \"hazards\": ["
		" {\"id\": 1, \"start\": \"2026-01-05\", \"review_due\": \"2026-02-15\", \"has_description\": true},"
		" {\"id\": 2, \"start\": \"2026-01-05\", \"review_due\": \"2026-09-15\", \"has_description\": true}]}",
		"2026-01-20T12:00:00Z", &out);
	ck_assert_int_eq(get(&out, "HAZARD-6M", 1)->due_at, T("2026-02-15T23:59:59Z"));
	ck_assert_int_eq(get(&out, "HAZARD-6M", 2)->due_at, T("2026-07-05T23:59:59+01:00"));
	done(&out);
}
END_TEST


/* CONF-REVIEW, Southwark 003 §5.7: "Practice Supervisors must monitor
 * information held in the 'confidential' section of electronic records,
 * ensuring that the reason for holding it there is valid; if not, it
 * should be shared with the child and/or moved to another section of the
 * record". 003 gives no period, so the shipped rule is off and a council
 * turns it on in a profile extending southwark (here with a 3-month cycle,
 * tests/data/profile-tests/conf-review/). The section opens with its first
 * confidential entry; a review meets the cycle running and starts the next,
 * so the entry made after the review is covered by the next one. */
#define CONF_DOC(end, conf_100)                                                                          \
	"{\"person_id\": 14, \"kind\": \"child\", \"involvements\": ["                                  \
	" {\"id\": 1, \"category\": \"cin\", \"start\": \"2025-01-01\", \"end\": " end "}],"           \
	" \"records\": ["                                                                                \
	" {\"id\": 99, \"type\": \"case_note\", \"entered_at\": \"2025-09-01T10:00:00Z\","               \
	"  \"finalised_at\": \"2025-09-01T11:00:00Z\", \"author_id\": 5},"                                \
	" {\"id\": 100, \"type\": \"case_note\", \"entered_at\": \"2025-10-01T10:00:00Z\","              \
	"  \"finalised_at\": \"2025-10-01T11:00:00Z\", \"author_id\": 5, \"confidential\": " conf_100 "}," \
	" {\"id\": 101, \"type\": \"confidential_review\", \"entered_at\": \"2025-12-01T09:00:00Z\","    \
	"  \"finalised_at\": \"2025-12-01T10:00:00Z\", \"author_id\": 6, \"confidential\": true},"        \
	" {\"id\": 102, \"type\": \"case_note\", \"entered_at\": \"2026-02-01T10:00:00Z\","              \
	"  \"finalised_at\": \"2026-02-01T11:00:00Z\", \"author_id\": 5, \"confidential\": true}]}"

/* The obligations of CONF-REVIEW in the council's profile at `now`. */
static void conf_review(const char *doc, const char *now, struct cw_obligations *out)
{
	char dir[] = "/tmp/cw-conf-review.XXXXXX", link[4200];
	static const char *const files[][2] = {
		{ "profiles/default.json", "default.json" },
		{ "profiles/southwark.json", "southwark.json" },
		{ "tests/data/profile-tests/conf-review/southwark-conf-review.json", "southwark-conf-review.json" },
	};
	struct cw_policy *p;
	struct cw_facts f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	for (size_t i = 0; i < 3; i++) {
		snprintf(link, sizeof(link), "%s/%s", dir, files[i][1]);
		ck_assert_int_eq(symlink(cw_test_srcpath(files[i][0]), link), 0);
	}
	p = cw_test_policy("southwark-conf-review", dir);
	for (size_t i = 0; i < 3; i++) {
		snprintf(link, sizeof(link), "%s/%s", dir, files[i][1]);
		unlink(link);
	}
	rmdir(dir);
	ck_assert_ptr_nonnull(p);
	assert_capability(p, "CONF-REVIEW", CW_CAP_EVALUATED);
	facts(doc, &f);
	cw_obligations_compute(p, cal, &f, T(now), NULL, out);
	/* Keep only CONF-REVIEW, with its rule id copied (the profile goes). */
	{
		size_t n = 0;

		for (size_t i = 0; i < out->count; i++)
			if (!strcmp(out->v[i].rule_id, "CONF-REVIEW")) {
				out->v[n] = out->v[i];
				out->v[n].rule = NULL;
				out->v[n].rule_id = strdup("CONF-REVIEW");
				n++;
			}
		out->count = n;
	}
	cw_facts_free(&f);
	cw_policy_free(p);
}

START_TEST(test_conf_review)
{
	struct cw_obligations out;
	const struct cw_obligation *o;

	/* Shipped off: 003 sets no period, and the profile says so in words. */
	{
		struct cw_policy *p = shipped("southwark");
		const struct cw_rule *r = cw_policy_rule_find(p, "CONF-REVIEW");

		ck_assert(!r->enabled);
		ck_assert_int_eq(r->anchor.kind, CW_ANCHOR_CONFIDENTIAL);
		ck_assert_ptr_nonnull(strstr(json_string_value(cw_rule_interpretation(r, "period")),
					     "gives no period"));
		cw_policy_free(p);
	}
	cw_obligations_init(&out);
	conf_review(CONF_DOC("null", "true"), "2026-04-15T12:00:00+01:00", &out);
	ck_assert_int_eq(out.count, 2);
	/* First cycle: from entry 100, met by the review two months later. */
	o = &out.v[0];
	ck_assert_int_eq(o->anchor_kind, CW_OBL_RECORD);
	ck_assert_int_eq(o->anchor_id, 100);
	ck_assert_int_eq(o->cycle_start, T("2025-10-01T10:00:00Z"));
	ck_assert(o->met);
	ck_assert_int_eq(o->met_by, 101);
	ck_assert_int_eq(o->due_at, T("2026-01-01T23:59:59Z"));
	ck_assert_int_eq(cw_obligation_status(o, T("2026-04-15T12:00:00+01:00")), CW_STATUS_MET_ON_TIME);
	/* Second: from the review; entry 102 came after it and is unreviewed. */
	o = &out.v[1];
	ck_assert_int_eq(o->anchor_id, 100);
	ck_assert_int_eq(o->cycle_start, T("2025-12-01T10:00:00Z"));
	ck_assert(!o->met);
	ck_assert_int_eq(o->due_at, T("2026-03-01T23:59:59Z"));
	ck_assert_int_eq(cw_obligation_status(o, T("2026-04-15T12:00:00+01:00")), CW_STATUS_ESCALATED);
	ck_assert_str_eq(o->key, "14:CONF-REVIEW:record:100:1764583200");
	release(&out);

	/* Entry 100 not confidential: the section opens with entry 102 (the
	 * review before it is not an entry to review), due three months on. */
	conf_review(CONF_DOC("null", "false"), "2026-04-15T12:00:00+01:00", &out);
	ck_assert_int_eq(out.count, 1);
	ck_assert_int_eq(out.v[0].anchor_id, 102);
	ck_assert_int_eq(out.v[0].due_at, T("2026-05-01T23:59:59+01:00"));
	ck_assert_int_eq(cw_obligation_status(&out.v[0], T("2026-04-15T12:00:00+01:00")), CW_STATUS_PENDING);
	ck_assert_int_eq(cw_obligation_status(&out.v[0], T("2026-04-20T12:00:00+01:00")), CW_STATUS_DUE_SOON);
	release(&out);

	/* Before any confidential entry there is nothing to review. */
	conf_review(CONF_DOC("null", "true"), "2025-09-15T12:00:00+01:00", &out);
	ck_assert_int_eq(out.count, 0);
	release(&out);

	/* The case closed: the past cycle stays met, none runs now. */
	conf_review(CONF_DOC("\"2026-01-15\"", "true"), "2026-04-15T12:00:00+01:00", &out);
	ck_assert_int_eq(out.count, 1);
	ck_assert(out.v[0].met);
	done(&out);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("fidelity");
	TCase *tc = tcase_create("seed sentences");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_general_rules);
	tcase_add_test(tc, test_share_fields);
	tcase_add_test(tc, test_trace_sent);
	tcase_add_test(tc, test_sar_fee);
	tcase_add_test(tc, test_forget_ack);
	tcase_add_test(tc, test_restricted_access_roles);
	tcase_add_test(tc, test_chron_significant_event);
	tcase_add_test(tc, test_pf_already_started);
	tcase_add_test(tc, test_five_days);
	tcase_add_test(tc, test_calendar_deadline_off_closed_days);
	tcase_add_test(tc, test_min_content_up_to_date);
	tcase_add_test(tc, test_lac_visit_until_18);
	tcase_add_test(tc, test_hazard_own_review_date);
	tcase_add_test(tc, test_conf_review);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return cw_test_run(suite());
}
