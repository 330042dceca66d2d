/* vocabulary.c - the shared codes of docs/vocabulary.md as constant tables. */
#include "config.h"

#include <string.h>

#include "casewatch/vocabulary.h"

static const char *const involvements[] = {
	"early_help", "cin", "cp_plan", "looked_after", "adoption", "leaving_care", "youth_justice",
	"fostering", "supervision_order", "disability", "asylum", "guardian", "s47_nfa",
	"private_fostering",
};

static const char *const events[] = {
	"s47_enquiry", "cp_activity", "significant_harm_work", "task", "contact_referral",
	"early_help_referral", "early_help_contact", "consent_signed", "consent_requested",
	"cin_meeting", "strategy_discussion", "icpc", "core_group", "rcpc", "became_looked_after",
	"placement", "lac_review", "visit_cp", "visit", "contact", "supervision",
	"management_decision", "legal_planning_meeting", "pre_proceedings_letter",
	"pre_proceedings_meeting", "letter_of_intent", "decision_to_issue", "court_order",
	"expert_assessment", "pf_notification", "pf_planned_start", "emergency_action",
	"access_request", "significant_event", "health_assessment", "case_audit",
};

static const char *const records[] = {
	"case_note", "cp_record", "referral_episode", "early_help_episode", "cfa",
	"cfa_authorisation", "early_help_assessment", "taf_meeting", "outcome_star", "cin_plan",
	"strategy_record", "conference_report", "core_group_minutes", "conference_decisions",
	"care_plan", "placement_plan", "lac_review_recommendations", "lac_review_minutes",
	"permanence_plan", "visit_record", "supervision_note", "manager_decision",
	"legal_planning_record", "document_upload", "meeting_record", "sw_evidence", "pf_record",
	"pf_visit", "pf_coordinator_notice", "manager_informed", "sar_disclosure", "case_summary",
	"chronology", "genogram", "assessment", "plan", "support_summary", "hazard_review",
	"pathway_plan", "confidential_review", "case_audit", "pep", "needs_assessment",
	"health_assessment", "finance", "forget_ack", "pr_statement",
};

static const char *const audiences[] = {
	"worker", "team_manager", "service_manager", "records_officer", "operations",
};

/* Youth-justice outcomes, then fostering application outcomes. */
static const char *const outcomes[] = {
	"reprimand", "final_warning", "conviction", "other", "refused", "withdrawn",
};

struct vocab_table {
	const char *name;
	const char *const *codes;
	size_t n;
};

#define TABLE(name, a) { name, a, sizeof(a) / sizeof((a)[0]) }
static const struct vocab_table tables[CW_VOCAB_COUNT] = {
	[CW_VOCAB_INVOLVEMENT] = TABLE("involvement category", involvements),
	[CW_VOCAB_EVENT] = TABLE("event type", events),
	[CW_VOCAB_RECORD] = TABLE("record type", records),
	[CW_VOCAB_AUDIENCE] = TABLE("audience", audiences),
	[CW_VOCAB_OUTCOME] = TABLE("involvement outcome", outcomes),
};

/* Linear scan: the tables are short and validation is not a hot path. */
bool cw_vocabulary_has(enum cw_vocab vocab, const char *code)
{
	if ((int)vocab < 0 || vocab >= CW_VOCAB_COUNT || !code)
		return false;
	for (size_t i = 0; i < tables[vocab].n; i++)
		if (!strcmp(tables[vocab].codes[i], code))
			return true;
	return false;
}

/* The vocabulary's name for error messages. */
const char *cw_vocabulary_name(enum cw_vocab vocab)
{
	if ((int)vocab < 0 || vocab >= CW_VOCAB_COUNT)
		return "code";
	return tables[vocab].name;
}

/* The whole table, for listings and "expected one of" hints. */
const char *const *cw_vocabulary_codes(enum cw_vocab vocab, size_t *n)
{
	if ((int)vocab < 0 || vocab >= CW_VOCAB_COUNT) {
		*n = 0;
		return NULL;
	}
	*n = tables[vocab].n;
	return tables[vocab].codes;
}
