/* records_out.h - printing the rows of the records officers' commands as a table or CSV. */
#ifndef CASEWATCH_CTL_RECORDS_OUT_H
#define CASEWATCH_CTL_RECORDS_OUT_H

#include <stdbool.h>

#include <jansson.h>

/* Prints rows (objects of text or null members) with the columns named in
 * cols (NULL-terminated; the header is the column name): an aligned table,
 * or CSV with a header line when csv is set. A null is "-" in a table and
 * empty in CSV. */
void ctl_rows_print(const json_t *rows, const char *const *cols, bool csv);

/* "90d" or "90" into days; false when it is neither. */
bool ctl_parse_days(const char *text, long *days);

#endif
