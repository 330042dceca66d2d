/* calendar.c - the bank-holiday calendar and fast working-day arithmetic. */
#include "config.h"
#include "paths.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "calendar_int.h"

/* One nation's holidays and the tables derived from them over the
 * calendar's years:
 *   holiday[i]  index + 1 into hol of the holiday on first_day + i, or 0
 *   prefix[i]   working days in [first_day, first_day + i)
 */
struct nation_tab {
	struct cw_holiday_list hol;
	int32_t *holiday;
	int32_t *prefix;
};

struct cw_calendar {
	cw_day first, last; /* the tables' span, cached for the hot paths */
	struct nation_tab nat[CW_NATION_COUNT];
};

/* The first day the tables cover: 1 January of the first year. */
cw_day cw_calendar_first_day(void)
{
	return cw_day_from_ymd(CW_CALENDAR_FIRST_YEAR, 1, 1);
}

/* The last day the tables cover. */
cw_day cw_calendar_last_day(void)
{
	return cw_day_from_ymd(CW_CALENDAR_LAST_YEAR, 12, 31);
}

#define NDAYS ((size_t)(cw_calendar_last_day() - cw_calendar_first_day() + 1))

/* Appends a holiday with a copy of its title. */
bool cw_holiday_list_add(struct cw_holiday_list *list, cw_day day, const char *title)
{
	char *copy;

	if (list->n == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 64;
		struct cw_holiday *v = realloc(list->v, cap * sizeof(*v));

		if (!v)
			return false;
		list->v = v;
		list->cap = cap;
	}
	copy = strdup(title);
	if (!copy)
		return false;
	list->v[list->n].day = day;
	list->v[list->n].title = copy;
	list->n++;
	return true;
}

/* Frees the titles and the list's storage. */
void cw_holiday_list_clear(struct cw_holiday_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		free(list->v[i].title);
	free(list->v);
	memset(list, 0, sizeof(*list));
}

/* Orders holidays by day, for qsort. */
static int holiday_cmp(const void *a, const void *b)
{
	const struct cw_holiday *x = a, *y = b;

	return (x->day > y->day) - (x->day < y->day);
}

/* Frees a nation's holidays and tables. */
static void tab_free(struct nation_tab *t)
{
	cw_holiday_list_clear(&t->hol);
	free(t->holiday);
	free(t->prefix);
	memset(t, 0, sizeof(*t));
}

/* Sorts the holidays and derives the per-day tables. The list must hold no
 * two holidays on one day (callers check). */
static bool tab_build(struct nation_tab *t)
{
	cw_day first = cw_calendar_first_day();
	size_t ndays = NDAYS;
	int32_t work = 0;

	qsort(t->hol.v, t->hol.n, sizeof(*t->hol.v), holiday_cmp);
	t->holiday = calloc(ndays, sizeof(*t->holiday));
	t->prefix = malloc((ndays + 1) * sizeof(*t->prefix));
	if (!t->holiday || !t->prefix)
		return false;
	for (size_t i = 0; i < t->hol.n; i++) {
		cw_day d = t->hol.v[i].day;

		if (d >= first && (size_t)(d - first) < ndays)
			t->holiday[d - first] = (int32_t)i + 1;
	}
	for (size_t i = 0; i < ndays; i++) {
		t->prefix[i] = work;
		if (cw_day_weekday(first + (cw_day)i) <= 5 && !t->holiday[i])
			work++;
	}
	t->prefix[ndays] = work;
	return true;
}

/* Finds the holiday on a day in a sorted-or-not list (used while building). */
static ssize_t list_find(const struct cw_holiday_list *list, cw_day day)
{
	for (size_t i = 0; i < list->n; i++)
		if (list->v[i].day == day)
			return (ssize_t)i;
	return -1;
}

/* Removes the holiday at index i. */
static void list_remove(struct cw_holiday_list *list, size_t i)
{
	free(list->v[i].title);
	list->v[i] = list->v[list->n - 1];
	list->n--;
}

/* Applies the one-off file: each event is added, and an event that
 * "replaces" a rule day removes that day first. */
static bool apply_oneoff(struct cw_calendar *cal, const struct cw_govuk_doc *doc, const char *path,
			 struct cw_error *err)
{
	for (int n = 0; n < CW_NATION_COUNT; n++) {
		struct cw_holiday_list *list = &cal->nat[n].hol;

		for (size_t i = 0; i < doc->nev[n]; i++) {
			const struct cw_govuk_event *ev = &doc->ev[n][i];
			char ds[CW_DAY_STRLEN];

			if (ev->replaces != CW_GOVUK_NO_REPLACES) {
				ssize_t r = list_find(list, ev->replaces);

				if (r < 0) {
					cw_day_format(ev->replaces, ds);
					return cw_error_set(err,
							    "%s: %s.events[%zu].replaces: %s is not a bank holiday by rule",
							    path, cw_nation_name((enum cw_nation)n), i, ds);
				}
				list_remove(list, (size_t)r);
			}
			if (list_find(list, ev->day) >= 0) {
				cw_day_format(ev->day, ds);
				return cw_error_set(err, "%s: %s.events[%zu].date: %s is already a bank holiday",
						    path, cw_nation_name((enum cw_nation)n), i, ds);
			}
			if (!cw_holiday_list_add(list, ev->day, ev->title))
				return cw_error_set(err, "%s: out of memory", path);
		}
	}
	return true;
}

/* Where the shipped one-off file is: $CASEWATCH_DATADIR or the install path. */
static const char *default_oneoff(char *buf, size_t size)
{
	const char *dir = getenv("CASEWATCH_DATADIR");

	if (dir && *dir) {
		snprintf(buf, size, "%s/holidays/one-off.json", dir);
		return buf;
	}
	return CW_DATADIR "/holidays/one-off.json";
}

/* Rules for 1970-2100 plus the one-off file, then the tables. */
struct cw_calendar *cw_calendar_new(const char *oneoff_path, struct cw_error *err)
{
	struct cw_govuk_doc doc;
	struct cw_calendar *cal;
	char buf[4096];

	if (!oneoff_path)
		oneoff_path = default_oneoff(buf, sizeof(buf));
	cal = calloc(1, sizeof(*cal));
	if (!cal) {
		cw_error_set(err, "out of memory");
		return NULL;
	}
	cal->first = cw_calendar_first_day();
	cal->last = cw_calendar_last_day();
	for (int n = 0; n < CW_NATION_COUNT; n++)
		for (int y = CW_CALENDAR_FIRST_YEAR; y <= CW_CALENDAR_LAST_YEAR; y++)
			if (!cw_holiday_rules((enum cw_nation)n, y, &cal->nat[n].hol)) {
				cw_error_set(err, "out of memory");
				goto fail;
			}
	if (!cw_govuk_read(oneoff_path, true, &doc, err))
		goto fail;
	if (!apply_oneoff(cal, &doc, oneoff_path, err)) {
		cw_govuk_doc_free(&doc);
		goto fail;
	}
	cw_govuk_doc_free(&doc);
	for (int n = 0; n < CW_NATION_COUNT; n++)
		if (!tab_build(&cal->nat[n])) {
			cw_error_set(err, "out of memory");
			goto fail;
		}
	return cal;
fail:
	cw_calendar_free(cal);
	return NULL;
}

/* Frees a calendar and everything it owns; NULL is allowed. */
void cw_calendar_free(struct cw_calendar *cal)
{
	if (!cal)
		return;
	for (int n = 0; n < CW_NATION_COUNT; n++)
		tab_free(&cal->nat[n]);
	free(cal);
}

/* Year of a day, for the GOV.UK override. */
static int day_year(cw_day day)
{
	int y, m, d;

	cw_day_to_ymd(day, &y, &m, &d);
	return y;
}

/* Builds a nation's new table: the old days outside the document's years
 * plus the document's days. */
static bool tab_override(const struct nation_tab *old, const struct cw_govuk_event *ev, size_t nev,
			 struct nation_tab *out)
{
	bool years[CW_CALENDAR_LAST_YEAR - CW_CALENDAR_FIRST_YEAR + 1] = { false };

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < nev; i++)
		years[day_year(ev[i].day) - CW_CALENDAR_FIRST_YEAR] = true;
	for (size_t i = 0; i < old->hol.n; i++) {
		const struct cw_holiday *h = &old->hol.v[i];

		if (!years[day_year(h->day) - CW_CALENDAR_FIRST_YEAR] &&
		    !cw_holiday_list_add(&out->hol, h->day, h->title))
			return false;
	}
	for (size_t i = 0; i < nev; i++)
		if (!cw_holiday_list_add(&out->hol, ev[i].day, ev[i].title))
			return false;
	return tab_build(out);
}

/* The official list wins for the years it covers: built aside, then
 * swapped in whole, so a failure leaves the calendar as it was. */
bool cw_calendar_load_govuk(struct cw_calendar *cal, const char *path, struct cw_error *err)
{
	struct nation_tab fresh[CW_NATION_COUNT];
	struct cw_govuk_doc doc;
	bool ok = true;

	memset(fresh, 0, sizeof(fresh));
	if (!cw_govuk_read(path, false, &doc, err))
		return false;
	for (int n = 0; n < CW_NATION_COUNT && ok; n++)
		if (doc.present[n] && doc.nev[n] > 0)
			ok = tab_override(&cal->nat[n], doc.ev[n], doc.nev[n], &fresh[n]);
	cw_govuk_doc_free(&doc);
	if (!ok) {
		for (int n = 0; n < CW_NATION_COUNT; n++)
			tab_free(&fresh[n]);
		return cw_error_set(err, "%s: out of memory", path);
	}
	for (int n = 0; n < CW_NATION_COUNT; n++) {
		if (!fresh[n].holiday)
			continue;
		tab_free(&cal->nat[n]);
		cal->nat[n] = fresh[n];
	}
	return true;
}

/* Weekdays in [day 0 = 1970-01-01, day): counted from Monday 1969-12-29. */
static int64_t weekdays_before(int64_t day)
{
	int64_t e = day + 3;
	int64_t w = e / 7, r = e % 7;

	if (r < 0) {
		r += 7;
		w--;
	}
	return 5 * w + (r < 5 ? r : 5) - 3;
}

/* Working days in [first_day, day), negative before first_day: the count
 * whose differences answer every range question. */
static int64_t count_before(const struct cw_calendar *cal, const struct nation_tab *t, int64_t day)
{
	cw_day first = cal->first;
	cw_day end = cal->last + 1;

	if (day < first)
		return weekdays_before(day) - weekdays_before(first);
	if (day <= end)
		return t->prefix[day - first];
	return t->prefix[end - first] + weekdays_before(day) - weekdays_before(end);
}

/* O(1): a weekday with no holiday in the table (weekends only outside it). */
bool cw_calendar_is_workday(const struct cw_calendar *cal, enum cw_nation nation, cw_day day)
{
	const struct nation_tab *t = &cal->nat[nation];
	cw_day first = cal->first;

	if (cw_day_weekday(day) > 5)
		return false;
	if (day < first || day > cal->last)
		return true;
	return t->holiday[day - first] == 0;
}

/* O(1): the title stored for the day, or NULL. */
const char *cw_calendar_holiday(const struct cw_calendar *cal, enum cw_nation nation, cw_day day)
{
	const struct nation_tab *t = &cal->nat[nation];
	cw_day first = cal->first;
	int32_t i;

	if (day < first || day > cal->last)
		return NULL;
	i = t->holiday[day - first];
	return i ? t->hol.v[i - 1].title : NULL;
}

/* O(1): the difference of two prefix counts. */
int cw_calendar_workdays_between(const struct cw_calendar *cal, enum cw_nation nation, cw_day from,
				 cw_day to)
{
	const struct nation_tab *t = &cal->nat[nation];

	return (int)(count_before(cal, t, (int64_t)to + 1) - count_before(cal, t, (int64_t)from + 1));
}

/* The n-th working day after (or before) day: the target count is known in
 * O(1), and the day reaching it is found by binary search over a window
 * that is wide enough because every week has at least one working day. */
cw_day cw_calendar_add_workdays(const struct cw_calendar *cal, enum cw_nation nation, cw_day day,
				int n)
{
	const struct nation_tab *t = &cal->nat[nation];
	int64_t lo, hi, target;

	if (n == 0)
		return day;
	if (n > 0) {
		/* Smallest x > day with count_before(x + 1) >= target. */
		target = count_before(cal, t, (int64_t)day + 1) + n;
		lo = (int64_t)day + 1;
		hi = (int64_t)day + 7 * (int64_t)n + 7;
		while (lo < hi) {
			int64_t mid = lo + (hi - lo) / 2;

			if (count_before(cal, t, mid + 1) >= target)
				hi = mid;
			else
				lo = mid + 1;
		}
		return (cw_day)lo;
	}
	/* Largest x < day with count_before(x) <= target. */
	target = count_before(cal, t, day) + n;
	lo = (int64_t)day + 7 * (int64_t)n - 7;
	hi = (int64_t)day - 1;
	while (lo < hi) {
		int64_t mid = hi - (hi - lo) / 2;

		if (count_before(cal, t, mid) <= target)
			lo = mid;
		else
			hi = mid - 1;
	}
	return (cw_day)lo;
}

/* cw_calendar_add_workdays, with the years 1-9999 as an error rather than a
 * wrapped "0000-01-06". */
bool cw_calendar_add_workdays_checked(const struct cw_calendar *cal, enum cw_nation nation,
				      cw_day day, int n, cw_day *out, struct cw_error *err)
{
	char from[CW_DAY_STRLEN];
	cw_day r;

	cw_day_format(day, from);
	if (day < CW_DAY_ISO_MIN || day > CW_DAY_ISO_MAX)
		return cw_error_set(err, "%s is outside the dates 0001-01-01 to 9999-12-31", from);
	r = cw_calendar_add_workdays(cal, nation, day, n);
	if (r < CW_DAY_ISO_MIN || r > CW_DAY_ISO_MAX)
		return cw_error_set(err, "%s %s %d working day%s falls %s (dates run from 0001-01-01 "
				    "to 9999-12-31)", from, n < 0 ? "minus" : "plus", n < 0 ? -n : n,
				    n == 1 || n == -1 ? "" : "s", n < 0 ? "before 0001-01-01" : "after 9999-12-31");
	*out = r;
	return true;
}
