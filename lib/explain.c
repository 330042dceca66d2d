/* explain.c - a rule's due, warn and escalation times with the reasoning behind them. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casewatch/explain.h"

/* At most this many skipped days or clock changes are listed one by one. */
#define MAX_LISTED 40

static const char *const weekdays[] = { "", "Monday", "Tuesday", "Wednesday", "Thursday",
					"Friday", "Saturday", "Sunday" };

/* Appends one formatted line to the reasoning array. */
static void reason(json_t *reasons, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reason(json_t *reasons, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(reasons, json_string(buf));
}

/* "Friday 2026-12-25". */
static void day_name(cw_day day, char *buf, size_t n)
{
	char iso[CW_DAY_STRLEN];

	cw_day_format(day, iso);
	snprintf(buf, n, "%s %s", weekdays[cw_day_weekday(day)], iso);
}

/* An instant as a JSON string in UTC, "2026-12-30T23:59:59Z": the JSON
 * is for programs, and machine outputs are in UTC (docs/casewatchctl.md). */
static json_t *time_json(cw_time t)
{
	char date[CW_DAY_STRLEN], buf[32];
	long long sod = ((t % 86400) + 86400) % 86400;

	cw_day_format((cw_day)((t - sod) / 86400), date);
	snprintf(buf, sizeof(buf), "%.10sT%02lld:%02lld:%02lldZ", date, sod / 3600, sod / 60 % 60, sod % 60);
	return json_string(buf);
}

/* Room for london_text(). */
#define EXPLAIN_TIME_STRLEN 48

/* An instant for people: London wall time and the zone in force,
 * "2026-12-30 23:59:59 GMT" (BST in summer). */
static void london_text(cw_time t, char buf[EXPLAIN_TIME_STRLEN])
{
	char date[CW_DAY_STRLEN];
	int sod = cw_london_seconds_of_day(t);

	cw_day_format(cw_london_day(t), date);
	snprintf(buf, EXPLAIN_TIME_STRLEN, "%.10s %02d:%02d:%02d %s", date, sod / 3600 % 24, sod / 60 % 60, sod % 60,
		 cw_london_offset(t) ? "BST" : "GMT");
}

/* Lists the days a working-day count stepped over, from (exclusive) to to. */
static void explain_skipped(json_t *reasons, cw_day from, cw_day to, const struct cw_calendar *cal,
			    enum cw_nation nation)
{
	int step = to >= from ? 1 : -1, listed = 0, weekend = 0, holidays = 0;

	/* from == to (a period of 0wd) steps over nothing: without this the
	 * loop below never met `to` and ran through every day an int holds. */
	for (cw_day d = from + step; from != to && d != to; d += step) {
		const char *hol;
		char name[32];

		if (cw_calendar_is_workday(cal, nation, d))
			continue;
		hol = cw_calendar_holiday(cal, nation, d);
		if (hol)
			holidays++;
		else
			weekend++;
		if (listed++ >= MAX_LISTED)
			continue;
		day_name(d, name, sizeof(name));
		if (hol)
			reason(reasons, "skipped %s: %s (bank holiday, %s)", name, hol, cw_nation_name(nation));
		else
			reason(reasons, "skipped %s: weekend", name);
	}
	if (listed > MAX_LISTED)
		reason(reasons, "... %d more days skipped", listed - MAX_LISTED);
	if (!listed)
		reason(reasons, "no weekend or bank holiday fell in between");
	else
		reason(reasons, "%d weekend day%s and %d bank holiday%s not counted", weekend,
		       weekend == 1 ? "" : "s", holidays, holidays == 1 ? "" : "s");
}

/* Names each clock change between two instants. */
static void explain_clock_changes(json_t *reasons, cw_time a, cw_time b)
{
	cw_time lo = a < b ? a : b, hi = a < b ? b : a;
	cw_day first = cw_london_day(lo), last = cw_london_day(hi);
	int listed = 0;

	if (last - first > 366 * 200)
		return;
	for (cw_day d = first; d <= last && listed < MAX_LISTED; d++) {
		cw_time start = cw_london_to_utc(d, 0), end = cw_london_to_utc(d + 1, 0);
		int before = cw_london_offset(start), after = cw_london_offset(end - 1);
		cw_time change = start;
		char name[32];

		if (before == after)
			continue;
		/* UK changes happen on the hour (01:00 UTC): find that hour, and
		 * count the change only if the period actually spans it. */
		while (change < end && cw_london_offset(change) == before)
			change += 3600;
		if (change <= lo || change > hi)
			continue;
		day_name(d, name, sizeof(name));
		reason(reasons, "the clocks went %s on %s (%s to %s): hours are elapsed time, so the wall-clock reading shifts by one hour",
		       after > before ? "forward" : "back", name, before ? "BST" : "GMT", after ? "BST" : "GMT");
		listed++;
	}
}

/* Computes one period from `from` (forwards, or backwards when sign < 0)
 * and says how, prefixing each line with what is being computed. */
static cw_time explain_period(json_t *reasons, const char *what, const struct cw_period *p,
			      cw_time from, int sign, const struct cw_calendar *cal,
			      enum cw_nation nation, int eod)
{
	char per[CW_PERIOD_STRLEN], fromtxt[EXPLAIN_TIME_STRLEN], restxt[EXPLAIN_TIME_STRLEN];
	char fromday[32], resday[32], eodtxt[16];
	cw_time result;
	cw_day d0, d1;

	cw_period_format(p, per);
	london_text(from, fromtxt);
	result = sign < 0 ? cw_period_before(p, from, cal, nation, eod)
			  : cw_period_due(p, from, cal, nation, eod);
	london_text(result, restxt);
	if (p->unit == CW_UNIT_HOURS) {
		reason(reasons, "%s: %s %s %s is %s (%d hours of elapsed time)", what, per,
		       sign < 0 ? "before" : "after", fromtxt, restxt, p->amount);
		explain_clock_changes(reasons, from, result);
		return result;
	}
	d0 = cw_london_day(from);
	d1 = cw_period_shift_day(p, d0, sign, cal, nation);
	day_name(d0, fromday, sizeof(fromday));
	day_name(d1, resday, sizeof(resday));
	snprintf(eodtxt, sizeof(eodtxt), "%02d:%02d:%02d", eod / 3600, eod / 60 % 60, eod % 60);
	switch (p->unit) {
	case CW_UNIT_WORKDAYS:
		reason(reasons, "%s: %s %s %s is %s, counting working days of %s", what, per,
		       sign < 0 ? "before" : "after", fromday, resday, cw_nation_name(nation));
		explain_skipped(reasons, d0, d1, cal, nation);
		break;
	case CW_UNIT_DAYS:
	case CW_UNIT_WEEKS:
		reason(reasons, "%s: %s %s %s is %s (calendar days: weekends and bank holidays count)",
		       what, per, sign < 0 ? "before" : "after", fromday, resday);
		break;
	case CW_UNIT_MONTHS:
	case CW_UNIT_YEARS: {
		int y0, m0, md0, y1, m1, md1;

		cw_day_to_ymd(d0, &y0, &m0, &md0);
		cw_day_to_ymd(d1, &y1, &m1, &md1);
		reason(reasons, "%s: %s %s %s is %s (calendar months)", what, per,
		       sign < 0 ? "before" : "after", fromday, resday);
		if (md1 != md0)
			reason(reasons, "the month of %s has no day %d, so the date is clamped to its last day, %d",
			       resday, md0, md1);
		break;
	}
	case CW_UNIT_HOURS:
	case CW_UNIT_COUNT:
		break;
	}
	reason(reasons, "%s falls at the profile's end of day, %s London time, on %s: %s", what, eodtxt,
	       resday, restxt);
	return result;
}

/* The times of one rule from one anchor. */
json_t *cw_explain(const struct cw_policy *policy, const struct cw_rule *r, cw_time anchor,
		   const struct cw_calendar *cal, enum cw_nation nation, struct cw_error *err)
{
	int eod = cw_policy_end_of_day(policy);
	json_t *out, *reasons, *escs, *src;
	const struct cw_period *first;
	char per[CW_PERIOD_STRLEN], at[EXPLAIN_TIME_STRLEN];
	cw_time due, warn = 0;
	bool has_warn = false;

	if (r->kind != CW_RULE_AFTER_EVENT && r->kind != CW_RULE_BEFORE_EVENT &&
	    r->kind != CW_RULE_SAME_WORKING_DAY && r->kind != CW_RULE_RECURRING) {
		cw_error_set(err, "rule %s is a %s rule: it has no deadline to explain", r->id,
			     cw_rule_kind_name(r->kind));
		return NULL;
	}
	if (!r->has_period) {
		cw_error_set(err, "rule %s has no period in profile %s (it is disabled until the council sets one)",
			     r->id, cw_policy_name(policy));
		return NULL;
	}
	reasons = json_array();
	escs = json_array();
	out = json_object();
	if (!reasons || !escs || !out) {
		json_decref(reasons);
		json_decref(escs);
		json_decref(out);
		cw_error_set(err, "out of memory");
		return NULL;
	}
	london_text(anchor, at);
	if (!r->enabled)
		reason(reasons, "note: %s is disabled in profile %s; shown as it would apply", r->id,
		       cw_policy_name(policy));
	first = r->kind == CW_RULE_RECURRING && r->n_first ? &r->first[0] : &r->period;
	cw_period_format(first, per);
	switch (r->kind) {
	case CW_RULE_AFTER_EVENT:
		reason(reasons, "%s: the record is due %s after the anchor at %s", r->id, per, at);
		due = explain_period(reasons, "due", &r->period, anchor, 1, cal, nation, eod);
		break;
	case CW_RULE_BEFORE_EVENT:
		reason(reasons, "%s: the record is due %s before the event at %s", r->id, per, at);
		due = explain_period(reasons, "due", &r->period, anchor, -1, cal, nation, eod);
		break;
	case CW_RULE_SAME_WORKING_DAY:
		reason(reasons, "%s: recorded the same working day, at the latest %s after the work at %s",
		       r->id, per, at);
		due = explain_period(reasons, "overdue", &r->period, anchor, 1, cal, nation, eod);
		warn = cw_period_end_of_working_day(anchor, cal, nation, eod);
		has_warn = true;
		{
			char name[32], w[EXPLAIN_TIME_STRLEN];

			day_name(cw_london_day(warn), name, sizeof(name));
			london_text(warn, w);
			reason(reasons, "warn: at the end of the working day, %s: %s%s", name, w,
			       cw_calendar_is_workday(cal, nation, cw_london_day(anchor))
				       ? "" : " (the work happened on a day that is not a working day)");
			if (warn > due) {
				warn = due;
				reason(reasons, "that is after the 24-hour limit, so the warning comes at the limit");
			}
		}
		break;
	case CW_RULE_RECURRING:
	default:
		reason(reasons, "%s: recurring; the next one is due %s after %s (the opening, or the last completion)",
		       r->id, per, at);
		due = explain_period(reasons, "due", first, anchor, 1, cal, nation, eod);
		if (r->n_first) {
			char rest[256] = "";

			for (size_t i = 1; i < r->n_first; i++) {
				char p[CW_PERIOD_STRLEN];

				cw_period_format(&r->first[i], p);
				strncat(rest, p, sizeof(rest) - strlen(rest) - 8);
				strncat(rest, ", ", sizeof(rest) - strlen(rest) - 1);
			}
			cw_period_format(&r->period, per);
			reason(reasons, "later ones: %sthen every %s after the previous one", rest, per);
		}
		for (size_t i = 0; i < r->n_age_periods; i++) {
			cw_period_format(&r->age_periods[i].period, per);
			reason(reasons, "from age %d the period is %s", r->age_periods[i].age, per);
		}
		break;
	}
	if (r->kind != CW_RULE_SAME_WORKING_DAY && r->has_warn) {
		warn = explain_period(reasons, "warn", &r->warn, due, -1, cal, nation, eod);
		has_warn = true;
		if (r->kind != CW_RULE_BEFORE_EVENT && warn < anchor) {
			warn = anchor;
			reason(reasons, "the warning would come before the anchor, so it starts at the anchor");
		}
	}
	for (size_t i = 0; i < r->n_escalations; i++) {
		const struct cw_escalation *e = &r->escalations[i];
		char what[96], after[CW_PERIOD_STRLEN];
		cw_time t;

		snprintf(what, sizeof(what), "escalation to %s", e->audience);
		t = explain_period(reasons, what, &e->after, due, 1, cal, nation, eod);
		cw_period_format(&e->after, after);
		json_array_append_new(escs, json_pack("{s:s, s:o, s:s}", "after", after, "at", time_json(t),
						      "audience", e->audience));
	}
	if (r->suspend_while.n) {
		reason(reasons, "suspended from a %s event until a later %s event: the time suspended is added to the due time",
		       r->suspend_while.v[0], r->suspend_until.n ? r->suspend_until.v[0] : "(none)");
	}
	if (r->interpretation) {
		const char *k;
		json_t *v;

		json_object_foreach((json_t *)r->interpretation, k, v) {
			char *s = json_dumps(v, JSON_ENCODE_ANY);

			reason(reasons, "interpretation %s = %s (the council may change it in its profile)", k,
			       s ? s : "?");
			free(s);
		}
	}
	cw_period_format(&r->period, per);
	src = json_pack("{s:s?, s:s?}", "document", r->source_document, "section", r->source_section);
	json_object_set_new(out, "rule", json_string(r->id));
	json_object_set_new(out, "title", json_string(r->title ? r->title : ""));
	json_object_set_new(out, "kind", json_string(cw_rule_kind_name(r->kind)));
	json_object_set_new(out, "profile", json_string(cw_policy_name(policy)));
	json_object_set_new(out, "nation", json_string(cw_nation_name(nation)));
	json_object_set_new(out, "enabled", json_boolean(r->enabled));
	json_object_set_new(out, "anchor_time", time_json(anchor));
	json_object_set_new(out, "period", json_string(per));
	if (r->n_first) {
		json_t *f = json_array();

		for (size_t i = 0; i < r->n_first; i++) {
			char p[CW_PERIOD_STRLEN];

			cw_period_format(&r->first[i], p);
			json_array_append_new(f, json_string(p));
		}
		json_object_set_new(out, "first", f);
	}
	json_object_set_new(out, "due", time_json(due));
	json_object_set_new(out, "warn", has_warn ? time_json(warn) : json_null());
	json_object_set_new(out, "escalations", escs);
	json_object_set_new(out, "audience", json_string(r->audience));
	json_object_set_new(out, "reasoning", reasons);
	json_object_set_new(out, "words", json_string(r->words ? r->words : ""));
	json_object_set_new(out, "source", src ? src : json_null());
	if (r->interpretation)
		json_object_set_new(out, "interpretation", json_deep_copy(r->interpretation));
	return out;
}

/* Appends formatted text to a growing buffer. */
struct buf {
	char *s;
	size_t len, cap;
	bool failed;
};

/* printf onto the end of the buffer, growing it. */
static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return;
	}
	if (b->len + (size_t)n + 1 > b->cap) {
		size_t cap = (b->cap ? b->cap * 2 : 1024) + (size_t)n;
		char *s = realloc(b->s, cap);

		if (!s) {
			b->failed = true;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

static const char *str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

/* A time member (UTC in the JSON) for people: London time with the zone. */
static const char *when(const json_t *obj, const char *key, char buf[EXPLAIN_TIME_STRLEN])
{
	cw_time t;

	if (!cw_time_parse(str(obj, key), &t))
		return str(obj, key);
	london_text(t, buf);
	return buf;
}

/* Renders the JSON explanation for people, times in London time with the zone. */
char *cw_explain_text(const json_t *x)
{
	char t1[EXPLAIN_TIME_STRLEN];
	struct buf b = { 0 };
	const json_t *escs = json_object_get(x, "escalations"), *src = json_object_get(x, "source");
	size_t i;
	json_t *v;

	put(&b, "%s: %s\n", str(x, "rule"), str(x, "title"));
	put(&b, "  profile:  %s (%s rule, %s)%s\n", str(x, "profile"), str(x, "kind"), str(x, "nation"),
	    json_is_false(json_object_get(x, "enabled")) ? " - disabled" : "");
	put(&b, "  anchor:   %s\n", when(x, "anchor_time", t1));
	put(&b, "  period:   %s\n", str(x, "period"));
	if (json_is_string(json_object_get(x, "warn")))
		put(&b, "  warn:     %s (due soon, told: %s)\n", when(x, "warn", t1), str(x, "audience"));
	put(&b, "  due:      %s (overdue after this, told: %s)\n", when(x, "due", t1), str(x, "audience"));
	json_array_foreach(escs, i, v)
		put(&b, "  escalate: %s to %s (%s after due)\n", when(v, "at", t1), str(v, "audience"),
		    str(v, "after"));
	put(&b, "why:\n");
	json_array_foreach(json_object_get(x, "reasoning"), i, v)
		put(&b, "  - %s\n", json_string_value(v));
	put(&b, "policy: \"%s\"\n", str(x, "words"));
	put(&b, "source: %s, %s\n", str(src, "document"), str(src, "section"));
	if (b.failed) {
		free(b.s);
		return NULL;
	}
	return b.s;
}
