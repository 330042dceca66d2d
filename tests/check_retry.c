/* check_retry.c - the reconnect policy: decorrelated jitter, capped. */
#include "config.h"

#include "retry.h"
#include "testutil.h"

START_TEST(test_first_delay_is_base)
{
	struct cw_retry r;

	cw_retry_init(&r, 500, 30000, 12345);
	ck_assert_int_eq(cw_retry_next(&r), 500);
	ck_assert_uint_eq(r.attempts, 1);
}
END_TEST

START_TEST(test_bounds_and_growth)
{
	struct cw_retry r;
	int64_t prev, d, max = 0;

	cw_retry_init(&r, 500, 30000, 42);
	prev = cw_retry_next(&r);
	for (int i = 0; i < 200; i++) {
		d = cw_retry_next(&r);
		/* Decorrelated jitter: uniform in [base, 3 * previous], capped. */
		ck_assert_int_ge(d, 500);
		ck_assert_int_le(d, 30000);
		ck_assert_int_le(d, prev * 3);
		if (d > max)
			max = d;
		prev = d;
	}
	/* Over 200 draws the delays reach well past the base towards the cap. */
	ck_assert_int_gt(max, 10000);
	ck_assert_uint_eq(r.attempts, 201);
}
END_TEST

START_TEST(test_reset_and_set)
{
	struct cw_retry r;

	cw_retry_init(&r, 100, 1000, 7);
	for (int i = 0; i < 10; i++)
		cw_retry_next(&r);
	cw_retry_reset(&r);
	ck_assert_uint_eq(r.attempts, 0);
	ck_assert_int_eq(cw_retry_next(&r), 100);
	/* A cap below the base is raised to the base. */
	cw_retry_set(&r, 200, 50);
	ck_assert_int_eq(r.cap_ms, 200);
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(cw_retry_next(&r), 200);
}
END_TEST

START_TEST(test_seeds_differ)
{
	struct cw_retry a, b;
	int same = 0;

	/* Two daemons with different seeds do not retry in step. */
	cw_retry_init(&a, 100, 60000, 1);
	cw_retry_init(&b, 100, 60000, 2);
	for (int i = 0; i < 20; i++)
		same += cw_retry_next(&a) == cw_retry_next(&b);
	ck_assert_int_lt(same, 5);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("retry");
	TCase *tc = tcase_create("retry");

	tcase_add_test(tc, test_first_delay_is_base);
	tcase_add_test(tc, test_bounds_and_growth);
	tcase_add_test(tc, test_reset_and_set);
	tcase_add_test(tc, test_seeds_differ);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return cw_test_run(suite());
}
