/* cmd_workdays.c - `casewatchctl workdays`: working-day arithmetic from the shell. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casewatch/calendar.h"
#include "ctl.h"

static const char *const weekday_names[8] = { "", "Monday", "Tuesday", "Wednesday",
					      "Thursday", "Friday", "Saturday", "Sunday" };

/* The command's usage, on stdout for --help and stderr for mistakes. */
static void usage(FILE *out)
{
	fprintf(out,
		"usage: casewatchctl workdays add DATE N [OPTIONS]\n"
		"       casewatchctl workdays between DATE1 DATE2 [OPTIONS]\n"
		"       casewatchctl workdays is DATE [OPTIONS]\n"
		"\n"
		"  add      the N-th working day after DATE (DATE not counted; negative N counts back)\n"
		"  between  working days after DATE1 up to and including DATE2\n"
		"  is       whether DATE is a working day (exit 0) or not (exit 1)\n"
		"\n"
		"options:\n"
		"  --nation NATION   england-and-wales (default), scotland or northern-ireland\n"
		"  --holidays FILE   also load a GOV.UK bank-holidays.json for this call\n"
		"  --help            this text\n"
		"\nDates are YYYY-MM-DD.\n");
}

/* A date argument, or a usage error. */
static bool parse_date_arg(const char *text, cw_day *out)
{
	if (cw_day_parse(text, out))
		return true;
	ctl_error("'%s' is not a date (expected YYYY-MM-DD)", text);
	return false;
}

/* An integer argument in int range, or a usage error. */
static bool parse_int_arg(const char *text, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || end == text || *end || v < -1000000 || v > 1000000) {
		ctl_error("'%s' is not a whole number of working days (at most a million either way)", text);
		return false;
	}
	*out = (int)v;
	return true;
}

/* Runs one subcommand against a built calendar. */
static int run(const struct cw_calendar *cal, enum cw_nation nation, const char *sub, char **pos)
{
	char a[CW_DAY_STRLEN];
	struct cw_error err;
	cw_day d1, d2, r;
	int n;

	if (!strcmp(sub, "add")) {
		if (!parse_date_arg(pos[0], &d1) || !parse_int_arg(pos[1], &n))
			return CTL_EXIT_USAGE;
		if (!cw_calendar_add_workdays_checked(cal, nation, d1, n, &r, &err)) {
			ctl_error("%s", err.msg);
			return CTL_EXIT_NO;
		}
		cw_day_format(r, a);
		printf("%s\n", a);
		return CTL_EXIT_OK;
	}
	if (!strcmp(sub, "between")) {
		if (!parse_date_arg(pos[0], &d1) || !parse_date_arg(pos[1], &d2))
			return CTL_EXIT_USAGE;
		printf("%d\n", cw_calendar_workdays_between(cal, nation, d1, d2));
		return CTL_EXIT_OK;
	}
	/* is */
	if (!parse_date_arg(pos[0], &d1))
		return CTL_EXIT_USAGE;
	cw_day_format(d1, a);
	if (cw_calendar_is_workday(cal, nation, d1)) {
		printf("%s is a working day in %s\n", a, cw_nation_name(nation));
		return CTL_EXIT_OK;
	}
	if (cw_day_weekday(d1) > 5)
		printf("%s is not a working day in %s: weekend (%s)\n", a, cw_nation_name(nation),
		       weekday_names[cw_day_weekday(d1)]);
	else
		printf("%s is not a working day in %s: %s\n", a, cw_nation_name(nation),
		       cw_calendar_holiday(cal, nation, d1));
	return CTL_EXIT_NO;
}

/* True for an argument that is an option rather than a (maybe negative) number. */
static bool is_option(const char *arg)
{
	return arg[0] == '-' && arg[1] != '\0' && !(arg[1] >= '0' && arg[1] <= '9');
}

/* The value of "--name VALUE" or "--name=VALUE"; NULL if arg is not --name. */
static const char *option_value(const char *name, int argc, char **argv, int *i, bool *missing)
{
	size_t len = strlen(name);

	if (strncmp(argv[*i], name, len))
		return NULL;
	if (argv[*i][len] == '=')
		return argv[*i] + len + 1;
	if (argv[*i][len] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

/* Parses options anywhere among the positionals, builds the calendar, runs. */
int cmd_workdays(int argc, char **argv)
{
	enum cw_nation nation = CW_NATION_ENGLAND_WALES;
	const char *holidays = NULL, *sub, *v;
	char *pos[3];
	struct cw_calendar *cal;
	struct cw_error err;
	int npos = 0, want, rc;
	bool only_pos = false;

	for (int i = 1; i < argc; i++) {
		bool missing = false;

		if (!only_pos && !strcmp(argv[i], "--")) {
			only_pos = true;
		} else if (!only_pos && (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))) {
			usage(stdout);
			return CTL_EXIT_OK;
		} else if (!only_pos && (v = option_value("--nation", argc, argv, &i, &missing))) {
			if (!cw_nation_parse(v, &nation)) {
				ctl_error("unknown nation '%s' (england-and-wales, scotland or northern-ireland)", v);
				return CTL_EXIT_USAGE;
			}
		} else if (!only_pos && !missing &&
			   (v = option_value("--holidays", argc, argv, &i, &missing))) {
			holidays = v;
		} else if (missing) {
			ctl_error("option '%s' needs a value", argv[i]);
			usage(stderr);
			return CTL_EXIT_USAGE;
		} else if (!only_pos && is_option(argv[i])) {
			ctl_error("unknown option '%s'", argv[i]);
			usage(stderr);
			return CTL_EXIT_USAGE;
		} else if (npos < 3) {
			pos[npos++] = argv[i];
		} else {
			ctl_error("too many arguments");
			usage(stderr);
			return CTL_EXIT_USAGE;
		}
	}
	if (npos == 0) {
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	sub = pos[0];
	if (!strcmp(sub, "add") || !strcmp(sub, "between")) {
		want = 2;
	} else if (!strcmp(sub, "is")) {
		want = 1;
	} else {
		ctl_error("unknown subcommand '%s'", sub);
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	if (npos - 1 != want) {
		ctl_error("workdays %s takes %d argument%s", sub, want, want == 1 ? "" : "s");
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	cal = cw_calendar_new(NULL, &err);
	if (!cal) {
		ctl_error("%s", err.msg);
		return CTL_EXIT_NO;
	}
	if (holidays && !cw_calendar_load_govuk(cal, holidays, &err)) {
		ctl_error("%s", err.msg);
		cw_calendar_free(cal);
		return CTL_EXIT_NO;
	}
	rc = run(cal, nation, sub, pos + 1);
	cw_calendar_free(cal);
	return rc;
}
