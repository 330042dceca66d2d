/*
 * teams.h - the records' teams by code and by id, so people can name a
 * team as they see it (T005) wherever the socket takes one.
 *
 * casewatch stores a team by its id (records.team.team_id); people know it
 * by its code (records.team.code, docs/records-interface.md). The table is
 * read from the records database into memory (a council has tens or a few
 * thousand teams) and read again when it is older than a minute, or when a
 * name was not found in a table older than a few seconds, so a new team is
 * known shortly after it is recorded.
 */
#ifndef CASEWATCH_DAEMON_TEAMS_H
#define CASEWATCH_DAEMON_TEAMS_H

#include <stdbool.h>
#include <stddef.h>

#include "db.h"

struct cw_teams;

/* How a name was resolved. */
enum cw_teams_result {
	CW_TEAMS_FOUND,	  /* id holds the team's id */
	CW_TEAMS_UNKNOWN, /* no team has that code or id */
	CW_TEAMS_NOT_READ /* the table has not been read yet */
};

struct cw_teams *cw_teams_new(void);
/* Frees the table; a read in flight must have been dropped (cw_db_free()). */
void cw_teams_free(struct cw_teams *t);

/* Reads records.team on db, unless a read is running or the table is
 * younger than max_age_ms (0: read now). */
void cw_teams_refresh(struct cw_teams *t, struct cw_db *db, int64_t max_age_ms);

/* A team as a person or a program names it: its code ("T005", matched
 * exactly, else ignoring case) or its id ("5"). On CW_TEAMS_FOUND the id
 * (digits) is written to id. */
enum cw_teams_result cw_teams_resolve(const struct cw_teams *t, const char *name, char *id, size_t size);

/* Teams known, and one code to show as an example ("" when none). */
size_t cw_teams_count(const struct cw_teams *t);
const char *cw_teams_example(const struct cw_teams *t);
/* Milliseconds since the table was read (-1: never). */
int64_t cw_teams_age_ms(const struct cw_teams *t);

#endif /* CASEWATCH_DAEMON_TEAMS_H */
