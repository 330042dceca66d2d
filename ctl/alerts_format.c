/* alerts_format.c - alert times for people: London wall time, due times in words, HTML escaping. */
#include "config.h"

#include <stdio.h>

#include "alerts_format.h"

/* Parses with the calendar's ISO 8601 reader (which takes the "Z"). */
bool ctl_parse_time(const char *text, cw_time *out)
{
	return text && cw_time_parse(text, out);
}

/* Weekday, day, month, year, hours and minutes in Europe/London, and the
 * zone in force then (GMT, or BST in summer): the one rule for times shown
 * to people (docs/casewatchctl.md). */
void ctl_london_text(cw_time t, char buf[CTL_LONDON_STRLEN])
{
	static const char *const wd[] = { "", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	cw_day day = cw_london_day(t);
	int secs = cw_london_seconds_of_day(t), y, m, d;

	cw_day_to_ymd(day, &y, &m, &d);
	snprintf(buf, CTL_LONDON_STRLEN, "%s %d %s %d %02d:%02d %s", wd[cw_day_weekday(day)], d, mon[m - 1], y,
		 secs / 3600, secs / 60 % 60, cw_london_offset(t) ? "BST" : "GMT");
}

const char *ctl_time_text(const char *utc, char buf[CTL_LONDON_STRLEN])
{
	cw_time t;

	if (!utc)
		return "-";
	if (!ctl_parse_time(utc, &t))
		return utc;
	ctl_london_text(t, buf);
	return buf;
}

/* "N unit(s)" for the largest unit that fits in secs (>= 0). */
static void amount(long long secs, char *buf, size_t size)
{
	static const struct {
		long long secs;
		const char *name;
	} units[] = { { 86400, "day" }, { 3600, "hour" }, { 60, "minute" } };

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		long long n = secs / units[i].secs;

		if (n >= 1) {
			snprintf(buf, size, "%lld %s%s", n, units[i].name, n == 1 ? "" : "s");
			return;
		}
	}
	snprintf(buf, size, "less than a minute");
}

/* Overdue from the due time itself on, as the lifecycle has it. */
void ctl_due_words(cw_time due, cw_time now, char buf[CTL_DUE_WORDS_STRLEN])
{
	char n[64];

	amount(now >= due ? now - due : due - now, n, sizeof(n));
	snprintf(buf, CTL_DUE_WORDS_STRLEN, "%s %s", now >= due ? "overdue by" : "due in", n);
}

/* The five characters HTML gives meaning to, as entities. */
void ctl_html_escape(FILE *out, const char *text)
{
	for (; text && *text; text++) {
		switch (*text) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&#39;", out);
			break;
		default:
			fputc(*text, out);
		}
	}
}
