/*
 * fuzz_govuk.c - the GOV.UK bank-holidays loader: any bytes as a
 * bank-holidays.json file, loaded into a fresh calendar that is then asked
 * about working days across the years the file may have replaced.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "../lib/calendar_int.h"
#include "casewatch/calendar.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cw_govuk_doc doc = { 0 };
	struct cw_calendar *cal;
	struct cw_error err;
	const char *path = fuzz_write("bank-holidays.json", data, size);
	bool parsed = cw_govuk_read(path, true, &doc, &err);

	/* Most inputs fail the parser: only a document it takes is worth a
	 * fresh calendar (which costs milliseconds to build). */
	cw_govuk_doc_free(&doc);
	if (!parsed)
		return 0;
	cal = cw_calendar_new(fuzz_srcpath("data/holidays/one-off.json"), &err);
	if (!cal) {
		fprintf(stderr, "fuzz_govuk: %s\n", err.msg);
		abort();
	}
	if (cw_calendar_load_govuk(cal, path, &err)) {
		cw_day from = cw_day_from_ymd(1969, 12, 1);

		for (int n = 0; n < CW_NATION_COUNT; n++)
			for (cw_day d = from; d < cw_day_from_ymd(2101, 2, 1); d += 397) {
				cw_day to = cw_calendar_add_workdays(cal, (enum cw_nation)n, d, 300);

				(void)cw_calendar_holiday(cal, (enum cw_nation)n, d);
				if (cw_calendar_workdays_between(cal, (enum cw_nation)n, d, to) != 300)
					abort();
			}
	}
	cw_calendar_free(cal);
	return 0;
}
