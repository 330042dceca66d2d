/* check_config.c - casewatch.conf: the settings table, parser, errors and reload. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "metrics.h"
#include "log.h"
#include "testutil.h"

/* Loads tests/data/conf/NAME, returning the settings (NULL) and errors. */
static struct cw_conf *load(const char *name, char **errors)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "tests/data/conf/%s", name);
	return cw_conf_load(cw_test_srcpath(rel), errors);
}

/* Counts lines in a text. */
static int count_lines(const char *text)
{
	int n = 0;

	for (; text && *text; text++)
		n += *text == '\n';
	return n;
}

START_TEST(test_defaults)
{
	struct cw_conf *c = cw_conf_defaults();

	ck_assert_str_eq(c->database, "");
	ck_assert_int_eq(c->poll_interval_ms, 30 * 1000);
	ck_assert_int_eq(c->connect_timeout_ms, 10 * 1000);
	ck_assert_int_eq(c->retry_base_ms, 500);
	ck_assert_int_eq(c->retry_cap_ms, 30 * 1000);
	ck_assert_int_eq(c->socket_mode, 0660);
	ck_assert_str_eq(c->socket_group, "casewatch");
	ck_assert_str_eq(c->syslog_socket, "/dev/log");
	ck_assert_str_eq(c->syslog_ident, "casewatchd");
	ck_assert_int_eq(c->syslog_facility, 3); /* daemon, RFC 5424 table 1 */
	ck_assert_int_eq(c->log_level, CW_LOG_INFO);
	ck_assert_int_eq(c->log_target, CW_CONF_LOG_AUTO);
	ck_assert_int_eq(c->nation, 0);
	ck_assert_str_eq(c->pidfile, "");
	ck_assert_str_eq(c->test_clock_file, "");
	ck_assert_str_eq(c->profile, "default");
	cw_conf_free(c);
}
END_TEST

START_TEST(test_durations)
{
	static const struct {
		const char *text;
		int64_t ms;
	} good[] = {
		{ "30s", 30000 }, { "5m", 300000 },	{ "1h", 3600000 }, { "500ms", 500 },
		{ "1m30s", 90000 }, { "2d", 172800000 }, { "0", 0 },	   { "10 s", 10000 },
	};
	static const char *const bad[] = { "", "30", "s", "-5s", "1.5s", "5mins", "5 parsecs", "1h 2x" };
	char buf[32];
	int64_t ms;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ck_assert_msg(cw_conf_parse_duration(good[i].text, &ms), "%s", good[i].text);
		ck_assert_int_eq(ms, good[i].ms);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!cw_conf_parse_duration(bad[i], &ms), "accepted \"%s\"", bad[i]);
	/* 200 terms of 1e9 days would overflow 64 bits: refused, not wrapped
	 * (UBSan would also catch the overflow). */
	{
		char big[200 * 12 + 1] = "";

		for (int i = 0; i < 200; i++)
			strcat(big, "1000000000d");
		ck_assert(!cw_conf_parse_duration(big, &ms));
	}
	cw_conf_format_duration(90000, buf, sizeof(buf));
	ck_assert_str_eq(buf, "90s");
	cw_conf_format_duration(3600000, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1h");
	cw_conf_format_duration(500, buf, sizeof(buf));
	ck_assert_str_eq(buf, "500ms");
	cw_conf_format_duration(0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0");
}
END_TEST

START_TEST(test_good_file)
{
	char *errors = NULL;
	struct cw_conf *c = load("good.conf", &errors);
	char *v;

	ck_assert_msg(c != NULL, "%s", errors ? errors : "");
	ck_assert_ptr_null(errors);
	/* Quoted: the " #x" is part of the value, not a comment. */
	ck_assert_str_eq(c->database, "host=/run/postgresql dbname=records password='s3cret #x'");
	ck_assert_str_eq(c->profile, "leeds");
	ck_assert_int_eq(c->nation, 1); /* scotland, after the inline comment is cut */
	ck_assert_int_eq(c->poll_interval_ms, 90000);
	ck_assert_str_eq(c->socket_path, "/tmp/cw-test.sock");
	ck_assert_int_eq(c->socket_mode, 0600);
	ck_assert(cw_conf_list_contains(c->admin_users, "alice"));
	ck_assert(cw_conf_list_contains(c->admin_users, "bob"));
	ck_assert(!cw_conf_list_contains(c->admin_users, "ali"));
	ck_assert(cw_conf_list_contains(c->admin_groups, "records"));
	ck_assert_int_eq(c->max_clients, 10);
	ck_assert_int_eq(c->log_level, CW_LOG_DEBUG);
	ck_assert_int_eq(c->log_target, CW_CONF_LOG_STDERR);
	ck_assert_int_eq(c->syslog_facility, 19); /* local3 */
	ck_assert_int_eq(c->connect_timeout_ms, 10000); /* not set: default */
	/* Printing masks the password. */
	v = cw_conf_value(c, cw_conf_find("database"));
	ck_assert_str_eq(v, "host=/run/postgresql dbname=records password='*********'");
	free(v);
	v = cw_conf_value(c, cw_conf_find("socket_mode"));
	ck_assert_str_eq(v, "0600");
	free(v);
	cw_conf_free(c);
}
END_TEST

START_TEST(test_every_error_reported)
{
	static const char *const expected[] = {
		"errors.conf:4: connect_timeout: \"5 parsecs\" is not a duration (e.g. 30s, 5m, 1h)\n",
		"errors.conf:5: retry_bse: unknown setting (did you mean retry_base?)\n",
		"errors.conf:6: connect_timeout: set twice (first on line 4)\n",
		"errors.conf:8: socket_path: belongs in [socket], not [daemon]\n",
		"errors.conf:9: poll_interval: \"30\" is not a duration (e.g. 30s, 5m, 1h)\n",
		"errors.conf:10: [sockets]: unknown section",
		"errors.conf:12: socket_mode: \"0999\" is not an octal file mode (e.g. 0660)\n",
		"errors.conf:13: max_clients: 0 is out of range (1 to 10000)\n",
		"errors.conf:14: expected \"name = value\"\n",
		"errors.conf:16: log_level: \"loud\" is not one of err, warning, notice, info or debug\n",
		"errors.conf:17: syslog_socket: \"dev/log\" is not an absolute path\n",
		"errors.conf:18: log_rate_limit: \"2 fortnights\" is not a duration (e.g. 30s, 5m, 1h)\n",
		"errors.conf: database: required setting missing\n",
	};
	char *errors = NULL;
	struct cw_conf *c = load("errors.conf", &errors);

	ck_assert_ptr_null(c);
	ck_assert_ptr_nonnull(errors);
	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
		ck_assert_msg(strstr(errors, expected[i]), "missing: %s\nin:\n%s", expected[i], errors);
	ck_assert_int_eq(count_lines(errors), (int)(sizeof(expected) / sizeof(expected[0])));
	free(errors);
}
END_TEST

/* Issue 12, defect 6: a 300,000-character setting name (or value, or
 * section) is quoted as a short excerpt, not echoed whole. */
START_TEST(test_long_input_not_echoed)
{
	const size_t n = 300000;
	char path[] = "/tmp/cw-conf-long-XXXXXX";
	char *name = malloc(n + 1), *errors = NULL, *line, *save = NULL;
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	struct cw_conf *c;
	size_t longest = 0;

	ck_assert_ptr_nonnull(f);
	memset(name, 'x', n);
	name[n] = '\0';
	fprintf(f, "[%s]\n[daemon]\n%s = 1\npoll_interval = %s\n[log]\nlog_level = %s\n", name, name, name, name);
	fclose(f);
	c = cw_conf_load(path, &errors);
	unlink(path);
	ck_assert_ptr_null(c);
	ck_assert_ptr_nonnull(errors);
	ck_assert_msg(strstr(errors, ":3: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...: unknown setting\n"), "%s", errors);
	for (line = strtok_r(errors, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strlen(line) > longest)
			longest = strlen(line);
	fprintf(stderr, "# the longest error line: %zu bytes\n", longest);
	ck_assert_uint_lt(longest, 200);
	free(errors);
	free(name);
}
END_TEST

START_TEST(test_conninfo_and_cross_checks)
{
	char *errors = NULL;
	struct cw_conf *c = load("badconninfo.conf", &errors);

	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(errors, "badconninfo.conf:3: database: not a valid connection string: "
				     "missing \"=\" after \"dbname\""),
		      "%s", errors);
	ck_assert_msg(strstr(errors, "badconninfo.conf:4: retry_base: 1m is longer than retry_cap (10s)"),
		      "%s", errors);
	ck_assert_int_eq(count_lines(errors), 2);
	free(errors);
}
END_TEST

START_TEST(test_missing_file)
{
	char *errors = NULL;
	struct cw_conf *c = load("no-such.conf", &errors);

	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(errors, "no-such.conf: cannot open: No such file or directory"), "%s",
		      errors);
	free(errors);
}
END_TEST

START_TEST(test_reload_merge)
{
	char *errors = NULL, *report;
	struct cw_conf *old = load("good.conf", &errors), *fresh = load("reload.conf", &errors);

	ck_assert_ptr_nonnull(old);
	ck_assert_ptr_nonnull(fresh);
	report = cw_conf_reload_merge(old, fresh);
	ck_assert_ptr_nonnull(report);
	ck_assert_msg(strstr(report, "poll_interval: \"90s\" -> \"10s\"\n"), "%s", report);
	ck_assert_msg(strstr(report, "socket_path: changed, needs a restart (keeping \"/tmp/cw-test.sock\")\n"),
		      "%s", report);
	ck_assert_int_eq(count_lines(report), 2);
	/* The reloadable change is in; the restart-only one waits. */
	ck_assert_int_eq(fresh->poll_interval_ms, 10000);
	ck_assert_str_eq(fresh->socket_path, "/tmp/cw-test.sock");
	free(report);
	/* Nothing changed: no report. */
	ck_assert_ptr_null(cw_conf_reload_merge(old, old));
	cw_conf_free(old);
	cw_conf_free(fresh);
}
END_TEST

START_TEST(test_bad_reload_keeps_nothing)
{
	/* A bad file yields no settings at all, so the caller keeps the old. */
	char *errors = NULL;
	struct cw_conf *old = load("good.conf", &errors);
	struct cw_conf *fresh = load("errors.conf", &errors);

	ck_assert_ptr_null(fresh);
	ck_assert_int_eq(old->poll_interval_ms, 90000);
	free(errors);
	cw_conf_free(old);
}
END_TEST

START_TEST(test_print_roundtrip)
{
	char *errors = NULL, path[] = "/tmp/cw-conf-XXXXXX";
	struct cw_conf *c = load("good.conf", &errors), *again;
	FILE *f;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	/* Printing with comments yields a file that loads back the same, except
	 * for the masked password. */
	free(c->database);
	c->database = strdup("host=/run/postgresql dbname='records #x'");
	cw_conf_print(c, f, true);
	fclose(f);
	again = cw_conf_load(path, &errors);
	unlink(path);
	ck_assert_msg(again != NULL, "%s", errors ? errors : "");
	ck_assert_ptr_null(cw_conf_reload_merge(c, again));
	cw_conf_free(c);
	cw_conf_free(again);
}
END_TEST

START_TEST(test_docs_in_sync)
{
	/* Every setting of the table is documented and in the example file. */
	static const char *const files[] = { "docs/configuration.md", "casewatch.conf.example" };
	const struct cw_conf_setting *s;
	size_t n;

	s = cw_conf_settings(&n);
	ck_assert_int_ge(n, 20);
	for (size_t f = 0; f < 2; f++) {
		FILE *fp = fopen(cw_test_srcpath(files[f]), "r");
		char *text = NULL;
		size_t size = 0;

		ck_assert_msg(fp != NULL, "%s", files[f]);
		ck_assert(getdelim(&text, &size, '\0', fp) > 0);
		fclose(fp);
		for (size_t i = 0; i < n; i++) {
			char want[96], commented[96];

			/* The doc names it as `name`; the example sets it, or shows
			 * its default commented out. */
			snprintf(want, sizeof(want), f == 0 ? "`%s`" : "\n%s = ", s[i].name);
			snprintf(commented, sizeof(commented), "\n# %s = ", s[i].name);
			ck_assert_msg(strstr(text, want) || (f == 1 && strstr(text, commented)),
				      "%s does not mention %s", files[f], s[i].name);
		}
		free(text);
	}
}
END_TEST

START_TEST(test_metrics_listen)
{
	/* A bare port is loopback; addresses are numeric (no DNS in the loop). */
	static const struct {
		const char *text, *addr;
		unsigned port;
	} good[] = {
		{ "9818", "127.0.0.1", 9818 },
		{ "0.0.0.0:9818", "0.0.0.0", 9818 },
		{ "192.0.2.7:1", "192.0.2.7", 1 },
		{ "[::1]:65535", "::1", 65535 },
	};
	static const char *const bad[] = { "localhost:9818", "9818x", "0", "65536", "[::1]9818", "[nope]:1", "1.2.3.4:",
					   "" };
	char addr[64], why[160];
	uint16_t port;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ck_assert_msg(cw_metrics_parse_listen(good[i].text, addr, sizeof(addr), &port, why, sizeof(why)), "%s: %s",
			      good[i].text, why);
		ck_assert_str_eq(addr, good[i].addr);
		ck_assert_uint_eq(port, good[i].port);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!cw_metrics_parse_listen(bad[i], addr, sizeof(addr), &port, why, sizeof(why)),
			      "\"%s\" was accepted", bad[i]);
}
END_TEST

START_TEST(test_example_is_valid)
{
	char *errors = NULL;
	struct cw_conf *c = cw_conf_load(cw_test_srcpath("casewatch.conf.example"), &errors);

	ck_assert_msg(c != NULL, "%s", errors ? errors : "");
	cw_conf_free(c);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_durations);
	tcase_add_test(tc, test_good_file);
	tcase_add_test(tc, test_every_error_reported);
	tcase_add_test(tc, test_conninfo_and_cross_checks);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_reload_merge);
	tcase_add_test(tc, test_bad_reload_keeps_nothing);
	tcase_add_test(tc, test_print_roundtrip);
	tcase_add_test(tc, test_docs_in_sync);
	tcase_add_test(tc, test_metrics_listen);
	tcase_add_test(tc, test_example_is_valid);
	tcase_add_test(tc, test_long_input_not_echoed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return cw_test_run(suite());
}
