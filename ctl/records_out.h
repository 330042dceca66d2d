/* records_out.h - what the records officers' commands share: asking casewatchd for an action, printing its rows. */
#ifndef CASEWATCH_CTL_RECORDS_OUT_H
#define CASEWATCH_CTL_RECORDS_OUT_H

#include <stdbool.h>

#include <jansson.h>

#include "socket_cmd.h"

/* Runs `casewatchctl WHAT ACTION [OPTIONS]` (argv[0] is WHAT, po->what):
 * no action or --help prints the usage; an action not in actions
 * (NULL-terminated) is a usage error. Otherwise *req is made as
 * {"cmd": WHAT, "action": ACTION}, the options are read with po (whose
 * take adds to *req) and the request is sent; *req is NULL again on
 * return. Returns the exit status; *reply is the daemon's reply when it
 * is CTL_EXIT_OK after a request, else NULL. */
int ctl_records_request(int argc, char **argv, const struct ctl_opts *po, const char *const *actions, json_t **req,
			json_t **reply);

/* Prints rows (objects of text or null members) with the columns named in
 * cols (NULL-terminated; the header is the column name): an aligned table,
 * or CSV with a header line when csv is set. A null is "-" in a table and
 * empty in CSV. */
void ctl_rows_print(const json_t *rows, const char *const *cols, bool csv);

/* "90d" or "90" into days; false when it is neither. */
bool ctl_parse_days(const char *text, long *days);

#endif
