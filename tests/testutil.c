/* testutil.c - running Check suites and finding test data. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

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
