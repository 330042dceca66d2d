/* digest_render.c - a digest for people: summary, workers, rules, items, data quality; as text or HTML email. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts_format.h"
#include "digest_render.h"
#include "socket_cmd.h"

/* The colours of the HTML digest (inline: mail clients drop style sheets). */
#define C_OVERDUE "#b3261e"
#define C_SOON "#d98c00"
#define C_ESCALATED "#6d1b16"
#define C_MUTED "#5f6b76"
#define C_RULE "#d5dbe1"
#define C_HEAD "#1d3b5a"
#define C_PANEL "#f3f5f7"
#define FONT "font-family:Arial,Helvetica,sans-serif;"
/* Every other row of a table is shaded (cheaper than a border per cell:
 * the email stays small). */
#define ZEBRA "#f4f6f8"
/* A table of rows: padding by attribute, the font from the digest's container. */
#define TABLE "<table role=\"presentation\" width=\"100%\" cellpadding=\"4\" cellspacing=\"0\" border=\"0\" style=\"font-size:13px\">\n"

/* Rules listed by count (the rest are counted): the digest's head fits one screen. */
#define DIGEST_RULES_SHOWN 8
#define DIGEST_RULES_SHOWN_HTML 15
#define DIGEST_WORKERS_SHOWN 15

/* Longest bar, in characters (text) or pixels (HTML). */
#define BAR_TEXT 24
#define BAR_PX 160

struct dr {
	FILE *out;
	bool html;
	cw_time now;
	const json_t *d;
	const char *aud;
	char hint[160]; /* " --team T005": how casewatchctl alerts selects the same alerts ("" for every team) */
};

/* A column of a table: heading, text width, right-aligned. */
struct col {
	const char *head;
	int width;
	bool right;
};

/* A bar of up to three parts (overdue, due soon, escalated) against max. */
struct bar {
	long long a, b, c, max;
};

static long long num(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* Text as given, escaped in HTML. */
static void put(const struct dr *r, const char *text)
{
	if (r->html)
		ctl_html_escape(r->out, text);
	else
		fputs(text, r->out);
}

/* A formatted line of text: a paragraph in HTML (escaped), indented in text. */
static void para(const struct dr *r, const char *style, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void para(const struct dr *r, const char *style, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (r->html) {
		fprintf(r->out, "<p style=\"" FONT "margin:4px 0 8px 0;font-size:14px;color:#222;%s\">", style ? style : "");
		put(r, buf);
		fputs("</p>\n", r->out);
	} else
		fprintf(r->out, "  %s\n", buf);
}

/* A section heading, with a count when count >= 0. */
static void section(const struct dr *r, const char *title, long long count)
{
	char c[32] = "";

	if (count >= 0)
		snprintf(c, sizeof(c), " (%lld)", count);
	if (r->html) {
		fprintf(r->out,
			"<tr><td style=\"padding:18px 24px 4px 24px\"><h2 style=\"" FONT
			"margin:0;font-size:17px;color:" C_HEAD ";border-bottom:2px solid " C_RULE ";padding-bottom:4px\">");
		put(r, title);
		fprintf(r->out, "%s</h2>\n", c);
	} else
		fprintf(r->out, "\n%s%s\n", title, c);
}

static void section_end(const struct dr *r)
{
	if (r->html)
		fputs("</td></tr>\n", r->out);
}

static void tbl_begin(const struct dr *r, const struct col *cols, int n)
{
	if (!r->html) {
		fputs(" ", r->out);
		for (int i = 0; i < n && cols[i].width; i++) {
			if (cols[i].right)
				fprintf(r->out, " %*s", cols[i].width, cols[i].head);
			else
				fprintf(r->out, " %-*s", i == n - 1 ? 0 : cols[i].width, cols[i].head);
		}
		fputc('\n', r->out);
		return;
	}
	fputs(TABLE "<tr>", r->out);
	for (int i = 0; i < n; i++)
		fprintf(r->out,
			"<th align=\"%s\" style=\"font-size:12px;color:" C_MUTED
			";font-weight:normal;border-bottom:1px solid " C_RULE ";white-space:nowrap\">%s</th>",
			cols[i].right ? "right" : "left", cols[i].head);
	fputs("</tr>\n", r->out);
}

/* Writes a bar: '#' overdue, '+' due soon, '!' escalated; coloured cells in HTML. */
static void bar_put(const struct dr *r, const struct bar *b)
{
	long long parts[3] = { b->c, b->a - b->c, b->b };
	static const char *const colours[3] = { C_ESCALATED, C_OVERDUE, C_SOON };
	static const char marks[3] = { '!', '#', '+' };
	int scale = r->html ? BAR_PX : BAR_TEXT;

	if (!r->html) {
		for (int k = 0; k < 3; k++) {
			long long w = b->max ? (parts[k] * scale + b->max - 1) / b->max : 0;

			for (long long i = 0; i < w; i++)
				fputc(marks[k], r->out);
		}
		return;
	}
	fputs("<table cellpadding=\"0\" cellspacing=\"0\"><tr>", r->out);
	for (int k = 0; k < 3; k++) {
		long long w = b->max ? (parts[k] * scale + b->max - 1) / b->max : 0;

		if (w > 0)
			fprintf(r->out, "<td width=\"%lld\" height=\"10\" bgcolor=\"%s\"></td>", w, colours[k]);
	}
	fputs("</tr></table>", r->out);
}

/* Row k of a table. */
static void tbl_row(const struct dr *r, const struct col *cols, int n, const char *const *cells, const struct bar *b,
		    size_t k)
{
	if (!r->html) {
		fputs(" ", r->out);
		for (int i = 0; i < n; i++) {
			fputc(' ', r->out);
			if (i == n - 1 && b)
				bar_put(r, b);
			else if (i == n - 1 && !cols[i].right)
				fprintf(r->out, "%.*s", cols[i].width, cells[i]);
			else
				fprintf(r->out, cols[i].right ? "%*.*s" : "%-*.*s", cols[i].width, cols[i].width, cells[i]);
		}
		fputc('\n', r->out);
		return;
	}
	fputs(k % 2 ? "<tr bgcolor=\"" ZEBRA "\">" : "<tr>", r->out);
	for (int i = 0; i < n; i++) {
		fprintf(r->out, "<td%s>", cols[i].right ? " align=\"right\"" : i == 0 ? " nowrap" : "");
		if (i == n - 1 && b)
			bar_put(r, b);
		else
			put(r, cells[i]);
		fputs("</td>", r->out);
	}
	fputs("</tr>\n", r->out);
}

static void tbl_end(const struct dr *r)
{
	if (r->html)
		fputs("</table>\n", r->out);
}

/* ---- the summary ---- */

/* One figure of the summary: a tile in HTML, a line in text. */
static void figure(const struct dr *r, const char *label, long long n, const char *colour, const char *note)
{
	if (!r->html) {
		fprintf(r->out, "  %-27s %6lld%s%s\n", label, n, *note ? "  " : "", note);
		return;
	}
	fprintf(r->out,
		"<td valign=\"top\" width=\"25%%\" style=\"padding:8px;background:" C_PANEL ";border:4px solid #fff\">"
		"<div style=\"" FONT "font-size:26px;font-weight:bold;color:%s\">%lld</div>"
		"<div style=\"" FONT "font-size:12px;color:#222\">",
		colour, n);
	put(r, label);
	fputs("</div><div style=\"" FONT "font-size:11px;color:" C_MUTED "\">", r->out);
	put(r, note);
	fputs("</div></td>\n", r->out);
}

static void summary(const struct dr *r)
{
	const json_t *s = json_object_get(r->d, "summary"), *week = json_object_get(s, "overdue_week_ago");
	bool team = !strcmp(r->aud, "team_manager") || !strcmp(r->aud, "worker");
	long long overdue = num(s, "overdue");
	char wk[96], res[96];

	if (json_is_integer(week)) {
		long long w = json_integer_value(week);

		snprintf(wk, sizeof(wk), "a week ago %lld: %s %lld", w, overdue > w ? "up" : overdue < w ? "down" : "same",
			 overdue > w ? overdue - w : w - overdue);
	} else
		snprintf(wk, sizeof(wk), "no history from a week ago yet");
	snprintf(res, sizeof(res), "%lld on time, %lld late", num(s, "resolved_on_time"), num(s, "resolved_late"));
	section(r, "Summary", -1);
	if (r->html)
		fputs("<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\"><tr>\n",
		      r->out);
	figure(r, "Overdue", overdue, C_OVERDUE, wk);
	figure(r, "Due this week", num(s, "due_this_week"), C_SOON, "not yet overdue");
	figure(r, "Newly overdue", num(s, "newly_overdue"), C_OVERDUE, "since the last digest");
	figure(r, "Resolved", num(s, "resolved_on_time") + num(s, "resolved_late"), "#1e7b34", res);
	if (r->html)
		fputs("</tr><tr>\n", r->out);
	if (team)
		figure(r, "With your service manager", num(s, "with_service_manager"), C_ESCALATED, "escalated past the team");
	else
		figure(r, "Escalated", num(s, "escalated"), C_ESCALATED, "past the first audience");
	if (r->html) /* the text has these in its tables: it keeps to one screen */
		figure(r, "Due soon", num(s, "due_soon"), C_SOON, "warned, not yet due");
	figure(r, "Data quality to fix", num(s, "findings"), C_HEAD, "findings in records");
	if (r->html)
		figure(r, "Acknowledged", num(s, "acknowledged"), C_MUTED, "seen, still open");
	if (r->html)
		fputs("</tr></table>\n", r->out);
	section_end(r);
}

/* ---- workers, rules, teams ---- */

/* The workers the text leaves out (the fewest overdue), counted; unallocated work is always shown. */
static void rest_of_workers(const struct dr *r, const json_t *ws, size_t from)
{
	long long n = 0, o = 0;
	const json_t *w, *unalloc = NULL;
	size_t i;

	json_array_foreach (ws, i, w) {
		if (i < from)
			continue;
		if (!json_object_get(w, "worker")) {
			unalloc = w;
			continue;
		}
		n++;
		o += num(w, "overdue");
	}
	para(r, NULL, "and %lld more workers with %lld overdue: casewatchctl alerts%s --by worker", n, o, r->hint);
	if (unalloc)
		fprintf(r->out, "  %-26s %7lld %8lld %7lld\n", "Unallocated", num(unalloc, "overdue"), num(unalloc, "due_soon"),
			num(unalloc, "with_service_manager"));
}

static void workers(const struct dr *r)
{
	static const struct col cols[] = { { "worker", 26, false }, { "overdue", 7, true }, { "due soon", 8, true },
					   { "with SM", 7, true }, { "", 0, false } };
	const json_t *ws = json_object_get(r->d, "workers"), *w;
	long long max = 0;
	size_t i;

	json_array_foreach (ws, i, w)
		if (num(w, "overdue") + num(w, "due_soon") > max)
			max = num(w, "overdue") + num(w, "due_soon");
	section(r, "By worker", -1);
	if (!json_array_size(ws)) {
		para(r, NULL, "No open obligations.");
		section_end(r);
		return;
	}
	tbl_begin(r, cols, 5);
	json_array_foreach (ws, i, w) {
		char who[64], o[24], s[24], e[24];

		if (!r->html && i == DIGEST_WORKERS_SHOWN && json_array_size(ws) > DIGEST_WORKERS_SHOWN + 1) {
			rest_of_workers(r, ws, i);
			break;
		}
		const char *const cells[] = { who, o, s, e, "" };
		struct bar b = { num(w, "overdue"), num(w, "due_soon"), num(w, "escalated"), max };

		if (json_object_get(w, "worker"))
			snprintf(who, sizeof(who), "staff %s%s%s%s", ctl_member(w, "worker", ""),
				 json_object_get(w, "role") ? " (" : "", ctl_member(w, "role", ""),
				 json_object_get(w, "role") ? ")" : "");
		else
			snprintf(who, sizeof(who), "Unallocated");
		snprintf(o, sizeof(o), "%lld", num(w, "overdue"));
		snprintf(s, sizeof(s), "%lld", num(w, "due_soon"));
		snprintf(e, sizeof(e), "%lld", num(w, "with_service_manager"));
		tbl_row(r, cols, 5, cells, &b, i);
	}
	tbl_end(r);
	if (r->html)
		para(r, "font-size:11px;color:" C_MUTED, "Bars: escalated (darkest), overdue, then due soon.");
	else
		para(r, NULL, "(bars: ! escalated, # overdue, + due soon)");
	section_end(r);
}

static void rules(const struct dr *r)
{
	static const struct col cols[] = { { "rule", 14, false },     { "title", 44, false },	  { "due soon", 8, true },
					   { "overdue", 7, true },    { "escalated", 9, true },	  { "ack'd", 5, true } };
	const json_t *rs = json_object_get(r->d, "rules"), *x;
	size_t i, n = json_array_size(rs);

	section(r, "By rule", -1);
	if (!json_array_size(rs)) {
		para(r, NULL, "No open alerts.");
		section_end(r);
		return;
	}
	tbl_begin(r, cols, 6);
	json_array_foreach (rs, i, x) {
		char s[24], o[24], e[24], a[24];

		if (i == (r->html ? DIGEST_RULES_SHOWN_HTML : DIGEST_RULES_SHOWN) && n > i + 1)
			break;
		const char *const cells[] = { ctl_member(x, "rule_id", "-"), ctl_member(x, "rule_title", ""), s, o, e, a };

		snprintf(s, sizeof(s), "%lld", num(x, "due_soon"));
		snprintf(o, sizeof(o), "%lld", num(x, "overdue"));
		snprintf(e, sizeof(e), "%lld", num(x, "escalated"));
		snprintf(a, sizeof(a), "%lld", num(x, "acknowledged"));
		tbl_row(r, cols, 6, cells, NULL, i);
	}
	tbl_end(r);
	if (i < n)
		para(r, "color:" C_MUTED, "and %zu more rules: casewatchctl alerts%s --by rule", n - i, r->hint);
	section_end(r);
}

/* The service manager's teams, furthest behind first. */
static void teams_behind(const struct dr *r)
{
	static const struct col cols[] = { { "team", 8, false },     { "overdue", 7, true }, { "escalated", 9, true },
					   { "with you", 8, true },  { "due soon", 8, true }, { "", 0, false } };
	const json_t *ts = json_object_get(r->d, "teams_behind"), *t;
	long long max = 0;
	size_t i;

	json_array_foreach (ts, i, t)
		if (num(t, "overdue") + num(t, "due_soon") > max)
			max = num(t, "overdue") + num(t, "due_soon");
	section(r, "Teams furthest behind", -1);
	if (!json_array_size(ts)) {
		para(r, NULL, "No team has open obligations.");
		section_end(r);
		return;
	}
	tbl_begin(r, cols, 6);
	json_array_foreach (ts, i, t) {
		char o[24], e[24], w[24], s[24];
		const char *const cells[] = { ctl_member(t, "code", "-"), o, e, w, s, "" };
		struct bar b = { num(t, "overdue"), num(t, "due_soon"), num(t, "escalated"), max };

		snprintf(o, sizeof(o), "%lld", num(t, "overdue"));
		snprintf(e, sizeof(e), "%lld", num(t, "escalated"));
		snprintf(w, sizeof(w), "%lld", num(t, "with_service_manager"));
		snprintf(s, sizeof(s), "%lld", num(t, "due_soon"));
		tbl_row(r, cols, 6, cells, &b, i);
	}
	tbl_end(r);
	section_end(r);
}

/* The service manager's team-level alerts (ROLLBACK-RATE): per team its
 * period's count, how many nobody agreed, and where the alert stands. */
static void team_alerts(const struct dr *r)
{
	static const struct col cols[] = { { "team", 8, false },       { "rule", 14, false },
					   { "month", 7, false },      { "count", 5, true },
					   { "not agreed", 10, true }, { "state", 28, false } };
	const json_t *ts = json_object_get(r->d, "team_alerts"), *t;
	long long total = num(r->d, "team_alerts_total");
	size_t i;

	section(r, "Team-level alerts", total);
	if (!json_array_size(ts)) {
		para(r, NULL, "No team-level alert is open.");
		section_end(r);
		return;
	}
	tbl_begin(r, cols, 6);
	json_array_foreach (ts, i, t) {
		char c[24], u[24], st[64];
		const char *const cells[] = { ctl_member(t, "code", "-"), ctl_member(t, "rule_id", "-"),
					      ctl_member(t, "period", "-"), c, u, st };

		snprintf(c, sizeof(c), "%lld", num(t, "counted"));
		snprintf(u, sizeof(u), "%lld", num(t, "unagreed"));
		snprintf(st, sizeof(st), "%s%s%s", json_is_true(json_object_get(t, "escalated")) ? "escalated" : "open",
			 json_is_true(json_object_get(t, "new")) ? ", new" : "",
			 json_is_true(json_object_get(t, "acknowledged")) ? ", acknowledged" : "");
		tbl_row(r, cols, 6, cells, NULL, i);
	}
	tbl_end(r);
	if ((size_t)total > json_array_size(ts))
		para(r, "color:" C_MUTED, "and %lld more: casewatchctl alerts%s --audience service_manager --kind finding",
		     total - (long long)json_array_size(ts), r->hint);
	section_end(r);
}

/* ---- items ---- */

/* The due time in words and London time, or that a finding has none. */
static void due_text(const struct dr *r, const json_t *a, char *words, size_t wsize, char *when, size_t hsize)
{
	char w[CTL_DUE_WORDS_STRLEN], l[CTL_LONDON_STRLEN];
	cw_time due;

	if (!ctl_parse_time(ctl_member(a, "due", NULL), &due)) {
		snprintf(words, wsize, "to fix");
		snprintf(when, hsize, "found");
		return;
	}
	ctl_due_words(due, r->now, w);
	ctl_london_text(due, l);
	snprintf(words, wsize, "%s", w);
	snprintf(when, hsize, "due %s", l);
}

/* Acknowledged, snoozed; "" when neither. */
static void notes_text(const json_t *a, char *buf, size_t size)
{
	char l[CTL_LONDON_STRLEN] = "";
	bool ack = json_is_true(json_object_get(a, "acknowledged"));
	const char *sn = ctl_member(a, "snoozed_until", NULL);
	cw_time t;

	if (sn && ctl_parse_time(sn, &t))
		ctl_london_text(t, l);
	snprintf(buf, size, "%s%s%s%s", ack ? "acknowledged" : "", ack && sn ? "; " : "", sn ? "snoozed until " : "",
		 sn ? l : "");
}

/* The audience for people. */
static const char *audience_text(const char *aud)
{
	if (!strcmp(aud, "team_manager"))
		return "team manager";
	if (!strcmp(aud, "service_manager"))
		return "service manager";
	if (!strcmp(aud, "records_officer"))
		return "records officer";
	return "worker";
}

/* The state for people: "escalated to the team manager (step 1)", "overdue", "due soon". */
static void state_text(const json_t *a, char *buf, size_t size)
{
	const char *s = ctl_member(a, "state", "-");

	if (!strncmp(s, "escalated_", 10))
		snprintf(buf, size, "escalated to the %s (step %s)", audience_text(ctl_member(a, "audience", "-")), s + 10);
	else if (!strcmp(s, "due_soon"))
		snprintf(buf, size, "due soon");
	else
		snprintf(buf, size, "%s", s);
}

/* Item k of a list. */
static void item(const struct dr *r, const json_t *a, size_t k)
{
	char words[CTL_DUE_WORDS_STRLEN], when[64], notes[96], state[96], who[48];
	const char *title = ctl_member(a, "rule_title", NULL);

	due_text(r, a, words, sizeof(words), when, sizeof(when));
	notes_text(a, notes, sizeof(notes));
	state_text(a, state, sizeof(state));
	if (json_object_get(a, "worker"))
		snprintf(who, sizeof(who), "staff %s", ctl_member(a, "worker", ""));
	else
		snprintf(who, sizeof(who), "unallocated");
	if (!r->html) {
		fprintf(r->out, "  - alert %s, %s%s%s%s, person %s, %s: %s (%s); %s%s%s\n", ctl_member(a, "alert_id", "-"),
			ctl_member(a, "rule_id", "-"), title ? " (" : "", title ? title : "", title ? ")" : "",
			ctl_member(a, "person_id", "-"), who, words, when, state, *notes ? "; " : "", notes);
		return;
	}
	fprintf(r->out, "<tr valign=\"top\"%s><td nowrap><b style=\"color:" C_OVERDUE "\">", k % 2 ? " bgcolor=\"" ZEBRA "\"" : "");
	put(r, words);
	fputs("</b><br><small style=\"color:" C_MUTED "\">", r->out);
	put(r, when);
	fputs("</small></td><td>", r->out);
	put(r, title ? title : ctl_member(a, "rule_id", "-"));
	fprintf(r->out, "<br><small style=\"color:" C_MUTED "\">");
	put(r, ctl_member(a, "rule_id", "-"));
	fputs(" \u00b7 alert ", r->out);
	put(r, ctl_member(a, "alert_id", "-"));
	fputs(" \u00b7 person ", r->out);
	put(r, ctl_member(a, "person_id", "-"));
	fputs(" \u00b7 ", r->out);
	put(r, who);
	fputs("</small></td><td style=\"font-size:12px\">", r->out);
	put(r, state);
	if (*notes) {
		fputs("<br><small style=\"color:" C_MUTED "\">", r->out);
		put(r, notes);
		fputs("</small>", r->out);
	}
	fputs("</td></tr>\n", r->out);
}

/* A list of items with its total: "and N more: <how to see them>". */
static void items(const struct dr *r, const char *title, const char *list, const char *total, const char *more,
		  const char *none)
{
	const json_t *xs = json_object_get(r->d, list), *a;
	long long n = num(r->d, total), shown = (long long)json_array_size(xs);
	size_t i;

	if (!json_object_get(r->d, list))
		return;
	section(r, title, n);
	if (!shown) {
		para(r, NULL, "%s", none);
		section_end(r);
		return;
	}
	if (r->html)
		fputs(TABLE, r->out);
	json_array_foreach (xs, i, a)
		item(r, a, i);
	if (r->html)
		fputs("</table>\n", r->out);
	if (n > shown && json_is_string(json_object_get(r->d, "worker"))) /* a worker's list: no alerts filter for it */
		para(r, "color:" C_MUTED, "and %lld more: casewatchctl digest --worker %s --max-items %lld", n - shown,
		     ctl_member(r->d, "worker", ""), n);
	else if (n > shown)
		para(r, "color:" C_MUTED, "and %lld more: casewatchctl alerts%s%s", n - shown, r->hint, more);
	section_end(r);
}

/* What a data-quality finding asks to be fixed, from its anchor: "hazard 489 of person 122". */
static void fix_text(const json_t *a, char *buf, size_t size)
{
	char kind[48];

	snprintf(kind, sizeof(kind), "%s", ctl_member(a, "anchor_kind", "record"));
	for (char *p = kind; *p; p++)
		if (*p == '_')
			*p = ' ';
	if (!strcmp(kind, "person"))
		snprintf(buf, size, "the record of person %s (alert %s)", ctl_member(a, "person_id", "-"),
			 ctl_member(a, "alert_id", "-"));
	else
		snprintf(buf, size, "%s %s of person %s (alert %s)", kind, ctl_member(a, "anchor_id", "-"),
			 ctl_member(a, "person_id", "-"), ctl_member(a, "alert_id", "-"));
}

static void findings(const struct dr *r)
{
	const json_t *fs = json_object_get(r->d, "findings"), *f, *a;
	long long total = 0;
	size_t i, k;

	json_array_foreach (fs, i, f)
		total += num(f, "count");
	section(r, "Data quality: what to fix", total);
	if (!total) {
		para(r, NULL, "Nothing to fix: no data-quality findings are open.");
		section_end(r);
		return;
	}
	json_array_foreach (fs, i, f) {
		long long n = num(f, "count");
		const json_t *xs = json_object_get(f, "items");

		para(r, "font-weight:bold;margin-top:10px", "%s (%s): %lld to fix",
		     ctl_member(f, "rule_title", ctl_member(f, "rule_id", "-")), ctl_member(f, "rule_id", "-"), n);
		para(r, "color:" C_MUTED ";font-size:12px", "Correct each one so that it meets the rule; the alert resolves itself "
							 "at the next pass.");
		if (r->html)
			fputs("<ul style=\"" FONT "font-size:13px;margin:2px 0 6px 0;padding-left:22px\">\n", r->out);
		json_array_foreach (xs, k, a) {
			char fix[192];

			fix_text(a, fix, sizeof(fix));
			if (r->html) {
				fputs("<li>Fix ", r->out);
				put(r, fix);
				fputs("</li>\n", r->out);
			} else
				fprintf(r->out, "  - fix %s\n", fix);
		}
		if (r->html)
			fputs("</ul>\n", r->out);
		if (n > (long long)json_array_size(xs))
			para(r, "color:" C_MUTED, "and %lld more: casewatchctl alerts%s --kind finding --rule %s",
			     n - (long long)json_array_size(xs), r->hint, ctl_member(f, "rule_id", "-"));
	}
	section_end(r);
}

/* The records officer's notices (retention, holds, destruction): what exists, or that none does yet. */
static void notices(const struct dr *r)
{
	long long n = num(r->d, "new_total") + num(r->d, "overdue_total");

	section(r, "Retention notices", n);
	if (!n)
		para(r, NULL, "None yet. Records due for review or destruction, holds and destruction lists are listed "
			      "here once the retention rules raise them for the records officer.");
	else
		para(r, NULL, "%lld notice%s for the records officer, listed below.", n, n == 1 ? "" : "s");
	section_end(r);
}

/* ---- the whole digest ---- */

void ctl_digest_scope(const json_t *d, char *buf, size_t size)
{
	const json_t *teams = json_object_get(d, "teams"), *t;
	size_t i, len = 0;

	buf[0] = '\0';
	if (json_is_string(json_object_get(d, "worker"))) {
		snprintf(buf, size, "worker %s", ctl_member(d, "worker", ""));
		return;
	}
	if (!json_array_size(teams)) {
		snprintf(buf, size, "every team");
		return;
	}
	json_array_foreach (teams, i, t)
		len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%s", i ? ", " : json_array_size(teams) > 1 ? "teams " : "team ",
					ctl_member(t, "code", ctl_member(t, "team", "")));
}

/* " --team T005" (or " --team T005,T006"; nothing for every team). */
static void hint_text(struct dr *r)
{
	const json_t *teams = json_object_get(r->d, "teams"), *t;
	size_t i, len = 0;

	r->hint[0] = '\0';
	json_array_foreach (teams, i, t)
		len += (size_t)snprintf(r->hint + len, len < sizeof(r->hint) ? sizeof(r->hint) - len : 0, "%s%s",
					i ? "," : " --team ", ctl_member(t, "code", ctl_member(t, "team", "")));
}

static void heading(const struct dr *r)
{
	char scope[256], asof[CTL_LONDON_STRLEN], since[CTL_LONDON_STRLEN] = "", title[320], line[512];
	const char *from = ctl_member(r->d, "since_from", "");
	cw_time t;

	ctl_digest_scope(r->d, scope, sizeof(scope));
	ctl_london_text(r->now, asof);
	if (ctl_parse_time(ctl_member(r->d, "since_at", NULL), &t))
		ctl_london_text(t, since);
	snprintf(title, sizeof(title), "casewatch digest: %s, for the %s", scope, audience_text(r->aud));
	if (!strcmp(from, "last_digest"))
		snprintf(line, sizeof(line), "As of %s. Since the last digest: %s (transition %s).", asof, since,
			 ctl_member(r->d, "since", "0"));
	else if (!strcmp(from, "a_day"))
		snprintf(line, sizeof(line), "As of %s. No digest sent before: \"since the last digest\" means the last day, from %s.",
			 asof, since);
	else
		snprintf(line, sizeof(line), "As of %s. Since transition %s%s%s.", asof, ctl_member(r->d, "since", "0"),
			 *since ? ", " : "", since);
	if (!r->html) {
		fprintf(r->out, "%s\n%s\n", title, line);
		return;
	}
	fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
	      "<meta name=\"viewport\" content=\"width=device-width\"><title>",
	      r->out);
	put(r, title);
	fputs("</title></head>\n<body style=\"margin:0;padding:0;background:#e9edf1\">\n"
	      "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" bgcolor=\"#e9edf1\">"
	      "<tr><td align=\"center\" style=\"padding:16px 8px\">\n"
	      "<table role=\"presentation\" width=\"760\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" bgcolor=\"#ffffff\" "
	      "style=\"width:760px;max-width:100%;background:#ffffff;" FONT "color:#222\">\n"
	      "<tr><td bgcolor=\"" C_HEAD "\" style=\"padding:16px 24px;background:" C_HEAD "\">"
	      "<div style=\"" FONT "font-size:20px;font-weight:bold;color:#ffffff\">",
	      r->out);
	put(r, title);
	fputs("</div><div style=\"" FONT "font-size:13px;color:#d7e3ef;margin-top:4px\">", r->out);
	put(r, line);
	fputs("</div></td></tr>\n", r->out);
}

static void footer(const struct dr *r)
{
	if (!r->html) {
		fprintf(r->out, "\nAcknowledge with: casewatchctl ack --alert ID --reason CODE. Times are London time.\n");
		return;
	}
	fputs("<tr><td style=\"padding:16px 24px;border-top:1px solid " C_RULE "\"><p style=\"" FONT
	      "font-size:11px;color:" C_MUTED ";margin:0\">Acknowledge with <code>casewatchctl ack --alert ID --reason CODE</code>. "
	      "Times are London time. Ids and rule titles only: look people up in the case-management system.</p></td></tr>\n"
	      "</table>\n</td></tr></table>\n</body></html>\n",
	      r->out);
}

void ctl_digest_render(FILE *out, const json_t *d, bool html)
{
	struct dr r = { .out = out, .html = html, .d = d, .aud = ctl_member(d, "audience", "team_manager") };
	bool team = !strcmp(r.aud, "team_manager"), worker = !strcmp(r.aud, "worker");
	bool sm = !strcmp(r.aud, "service_manager"), ro = !strcmp(r.aud, "records_officer");

	if (!ctl_parse_time(ctl_member(d, "as_of", NULL), &r.now))
		r.now = 0;
	hint_text(&r);
	heading(&r);
	summary(&r);
	if (sm) {
		teams_behind(&r);
		team_alerts(&r);
	}
	if (team || worker)
		workers(&r);
	if (ro)
		notices(&r);
	rules(&r);
	items(&r, "New since the last digest", "new", "new_total", "", "Nothing new since the last digest.");
	items(&r, sm ? "Escalated to you, longest overdue first" : ro ? "Notices, longest overdue first" : "Longest overdue",
	      "overdue", "overdue_total", sm ? " --audience service_manager" : ro ? " --audience records_officer" : "",
	      "Nothing else overdue.");
	items(&r, "With your service manager", "escalated", "escalated_total", " --audience service_manager",
	      "Nothing has been escalated past the team.");
	findings(&r);
	footer(&r);
}
