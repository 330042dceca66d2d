/* testutil.c - running Check suites, finding test data, a socket to receive on. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

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
