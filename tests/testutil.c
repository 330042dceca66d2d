/* testutil.c - running Check suites, finding test data, a socket to receive on, the engine's inputs by hand. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <jansson.h>

#include "testutil.h"

int cw_test_run(Suite *suite)
{
	SRunner *runner = srunner_create(suite);
	int failed;

	srunner_run_all(runner, CK_ENV);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

const char *cw_test_srcpath(const char *relative)
{
	static char buf[4096];
	const char *top = getenv("CASEWATCH_SRCDIR");

	snprintf(buf, sizeof(buf), "%s/%s", top ? top : ".", relative);
	return buf;
}

/* Binds a datagram socket at path, asserting every step. */
int cw_test_dgram_bind(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_lt(strlen(path), sizeof(sa.sun_path));
	strcpy(sa.sun_path, path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

struct cw_calendar *cw_test_calendar(void)
{
	struct cw_error err;
	struct cw_calendar *cal = cw_calendar_new(NULL, &err);

	if (!cal) {
		fprintf(stderr, "calendar: %s\n", err.msg);
		abort();
	}
	return cal;
}

struct cw_policy *cw_test_policy(const char *profile, const char *dir)
{
	struct cw_policy_errors errs;
	struct cw_policy *p;

	cw_policy_errors_init(&errs);
	p = cw_policy_load(profile, dir, &errs);
	for (size_t i = 0; i < errs.count; i++)
		fprintf(stderr, "%s\n", errs.msg[i]);
	cw_policy_errors_free(&errs);
	return p;
}

cw_time cw_test_time(const char *iso)
{
	cw_time t;

	if (!cw_time_parse(iso, &t))
		ck_abort_msg("bad test time %s", iso);
	return t;
}

void cw_test_facts(const char *text, struct cw_facts *f)
{
	static const char *const arrays[] = { "involvements", "events", "records", "hazards",
					      "deletions", "info_sharing", "restricted_access", NULL };
	json_error_t jerr;
	json_t *doc = json_loads(text, 0, &jerr);
	struct cw_error err;

	ck_assert_msg(doc != NULL, "test JSON: %s", jerr.text);
	for (int i = 0; arrays[i]; i++)
		if (!json_object_get(doc, arrays[i]))
			json_object_set_new(doc, arrays[i], json_array());
	cw_facts_init(f);
	ck_assert(cw_facts_from_json(doc, f, &err));
	json_decref(doc);
}
