/*
 * records_cmd.h - the records officers' socket commands (hold, destruction, register) as one SQL query each.
 *
 * cw_records_cmd_parse() validates a request of docs/protocol.md's
 * records-officer commands (and retention explain, and explain of an alert)
 * and turns it into one query on casewatch's
 * schema (006_retention.sql): its text, its parameters, whether it changes
 * anything (then only allowed peers may send it) and how its rows form the
 * reply. It does no I/O; daemon/store_provider.c runs the query.
 */
#ifndef CASEWATCH_DAEMON_RECORDS_CMD_H
#define CASEWATCH_DAEMON_RECORDS_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#define CW_RECORDS_MAX_PARAMS 12

struct cw_records_query {
	const char *sql;     /* static text */
	int nparams;
	char *params[CW_RECORDS_MAX_PARAMS]; /* malloc'd; NULL is SQL NULL */
	bool writes;	     /* changes state: only allowed peers */
	const char *list;    /* the reply member holding every row ("holds", ...);
			      * NULL: the one row's columns are the reply's members */
	bool explain;	     /* retention explain: the one row's "facts" is a
			      * person's facts document, explained by the daemon */
	bool explain_alert;  /* explain: the one row is an alert's key and its
			      * person's facts (daemon/alert_explain.c) */
};

/* Parses request `req` of command `cmd` ("hold", "destruction",
 * "register", "retention" or "explain") on behalf of actor at now (UTC text). False with msg naming
 * the member at fault. cw_records_query_free() must be called either way. */
bool cw_records_cmd_parse(const char *cmd, const json_t *req, const char *actor, const char *now,
			  struct cw_records_query *q, char *msg, size_t size);
void cw_records_query_free(struct cw_records_query *q);

#endif /* CASEWATCH_DAEMON_RECORDS_CMD_H */
