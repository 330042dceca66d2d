/*
 * migrate.h - brings casewatch's own schema up to date.
 *
 * Migrations are files NNN_name.sql in one directory, applied in order of
 * NNN, each in its own transaction together with the row recording it in
 * casewatch.schema_version(version, applied_at). The first migration creates
 * that table; a database without it is at version 0. A database whose
 * version is newer than the highest file is refused. Files must not contain
 * BEGIN or COMMIT: the runner wraps each one.
 */
#ifndef CASEWATCH_DAEMON_MIGRATE_H
#define CASEWATCH_DAEMON_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>

#include "casewatch/error.h"
#include "db.h"

struct cw_migrate;

/* One migration file. */
struct cw_migrate_file {
	int version;
	char *name; /* "002_alerts.sql" */
	char *sql;
};

/* How a run ended. */
struct cw_migrate_result {
	bool ok;
	bool connection_lost; /* worth retrying once the database is back */
	int from_version;     /* the database's version before (-1 if unknown) */
	int to_version;	      /* after */
	int applied;	      /* files applied */
	int highest;	      /* the newest migration file's version (-1 if none read) */
	char message[CW_ERROR_MAX]; /* why it failed, naming the file */
};

typedef void (*cw_migrate_done_fn)(const struct cw_migrate_result *res, void *arg);

/* Reads every NNN_name.sql in dir, sorted by version. Fails naming the file
 * for duplicates, unreadable files, or a BEGIN/COMMIT line. */
bool cw_migrate_scan(const char *dir, struct cw_migrate_file **files, size_t *count,
		     struct cw_error *err);
void cw_migrate_files_free(struct cw_migrate_file *files, size_t count);

/* Starts bringing the schema up to date on a connected db. done runs once,
 * then the runner frees itself. Returns NULL (err set) if it cannot start. */
struct cw_migrate *cw_migrate_start(struct cw_db *db, const char *dir, cw_migrate_done_fn done,
				    void *arg, struct cw_error *err);
/* Frees a runner whose done will never come: call only after cw_db_free()
 * (which drops the runner's pending callbacks). */
void cw_migrate_abandon(struct cw_migrate *m);

#endif /* CASEWATCH_DAEMON_MIGRATE_H */
