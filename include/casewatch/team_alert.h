/*
 * team_alert.h - team-level alerts: rules whose subject is a team, not a person (ROLLBACK-RATE).
 *
 * 002 §13: "'roll backs' will be exceptional and must be agreed by the
 * appropriate Team Manager with the relevant Service Manager monitoring the
 * frequency of such requests." The engine counts a team's roll-backs per
 * London calendar month (the period the profile names) and gives, per team
 * with at least one, one alert for the rule's audience: due at the first
 * roll-back of the month (a finding, raised then, severity info), and
 * escalated at the moment the month's count passed params.escalate_above
 * or, if earlier, at the first roll-back the team's manager did not agree.
 * A pure function of the roll-backs, the profile and an instant, like the
 * person engine; the daemon (daemon/team_pass.c) reads the roll-backs and
 * reconciles the result (casewatch.reconcile_team(), 008).
 */
#ifndef CASEWATCH_TEAM_ALERT_H
#define CASEWATCH_TEAM_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "casewatch/calendar.h"
#include "casewatch/policy.h"

/* params.escalate_above when the profile leaves it out: a second roll-back
 * in a month is no longer exceptional. */
#define CW_TEAM_ESCALATE_ABOVE_DEFAULT 1

/* One roll-back as the records interface gives it (records.team_rollback). */
struct cw_rollback {
	int64_t rollback_id;
	int64_t team_id; /* CW_TEAM_NO_TEAM: neither the roll-back nor its person has one */
	cw_time at;  /* rolled_back_at */
	bool agreed; /* agreed by the team's own manager */
};

/* One team-level alert of the period. */
struct cw_team_alert {
	const char *rule_id;	/* the policy's string */
	const char *audience;	/* who is told (the rule's audience) */
	int64_t team_id;
	cw_time period_start;	/* the alert's cycle: the period it counts */
	cw_time first_at;	/* the period's first roll-back: when it is raised */
	cw_time escalate_at;	/* CW_TEAM_NO_ESCALATION, or when it escalates */
	unsigned counted;	/* roll-backs of the team in the period */
	unsigned unagreed;	/* of which not agreed by the team's manager */
};

#define CW_TEAM_NO_ESCALATION INT64_MIN
#define CW_TEAM_NO_TEAM INT64_MIN

struct cw_team_alerts {
	size_t n, cap;
	struct cw_team_alert *v;
};

/* Whether a rule is team-level (an enabled rollback_rate check). */
bool cw_team_rule(const struct cw_rule *rule);
/* The rule's params.escalate_above (validated at load), or the default. */
unsigned cw_team_escalate_above(const struct cw_rule *rule);

/* The period holding t: the London calendar month, [*start, *end). */
void cw_team_period(cw_time t, cw_time *start, cw_time *end);

void cw_team_alerts_init(struct cw_team_alerts *out);
void cw_team_alerts_free(struct cw_team_alerts *out);

/* The team-level alerts of every team-level rule of the policy in the
 * period holding now, from roll-backs in any order (those outside the
 * period and those with no team are ignored). Results are ordered by rule
 * (profile order) then team. False only when memory ran out. */
bool cw_team_alerts_compute(const struct cw_policy *policy, const struct cw_rollback *rows, size_t n, cw_time now,
			    struct cw_team_alerts *out);

#endif /* CASEWATCH_TEAM_ALERT_H */
