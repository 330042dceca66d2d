/* migrate.c - applies sql/casewatch/NNN_name.sql migrations, asynchronously. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "migrate.h"

/* Serialises migrations between daemons sharing a database
 * (pg_advisory_xact_lock key; "cwmg" in ASCII). */
#define MIGRATE_LOCK_KEY "1668771175"
/* The SQLSTATE of "another daemon applied this file while we waited". */
#define MIGRATE_DONE_ALREADY "CW001"

struct cw_migrate {
	struct cw_db *db;
	char *dir;
	struct cw_migrate_file *files;
	size_t count;
	size_t next; /* index of the file being applied */
	bool have_schema, have_table;
	cw_migrate_done_fn done;
	void *arg;
	struct cw_migrate_result res;
};

/* Parses "NNN_name.sql" into its version; false for any other name. */
static bool migrate_name(const char *name, int *version)
{
	size_t len = strlen(name), digits = 0;
	long v = 0;

	while (isdigit((unsigned char)name[digits]) && digits < 9)
		v = v * 10 + (name[digits++] - '0');
	if (digits == 0 || name[digits] != '_' || len < digits + 6 ||
	    strcmp(name + len - 4, ".sql") != 0)
		return false;
	*version = (int)v;
	return true;
}

/* Orders files by version. */
static int migrate_cmp(const void *a, const void *b)
{
	const struct cw_migrate_file *x = a, *y = b;

	return (x->version > y->version) - (x->version < y->version);
}

/* Reads a whole file. */
static char *migrate_read(const char *path, struct cw_error *err)
{
	FILE *f = fopen(path, "r"), *mem;
	char *text = NULL, chunk[4096];
	size_t size = 0, n;

	if (!f) {
		cw_error_set(err, "%s: %s", path, strerror(errno));
		return NULL;
	}
	mem = open_memstream(&text, &size);
	if (!mem)
		abort();
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, mem);
	fclose(mem);
	if (ferror(f)) {
		cw_error_set(err, "%s: %s", path, strerror(errno));
		free(text);
		text = NULL;
	}
	fclose(f);
	return text;
}

/* Refuses a file that manages its own transaction: the runner's would end. */
static bool migrate_check_sql(const char *name, const char *sql, struct cw_error *err)
{
	int lineno = 1;

	for (const char *p = sql; *p; lineno++) {
		size_t n = strcspn(p, "\n");
		const char *s = p;

		while (s < p + n && isspace((unsigned char)*s))
			s++;
		if (!strncasecmp(s, "BEGIN", 5) || !strncasecmp(s, "COMMIT", 6) ||
		    !strncasecmp(s, "START TRANSACTION", 17)) {
			const char *e = s + strcspn(s, " \t;\n");

			while (*e == ' ' || *e == '\t')
				e++;
			if (*e == ';' || (e[0] == 'T' && !strncasecmp(s, "START", 5)))
				return cw_error_set(err,
						    "%s:%d: a migration must not contain BEGIN or COMMIT "
						    "(each file runs in a transaction of its own)",
						    name, lineno);
		}
		p += n + (p[n] == '\n');
	}
	return true;
}

/* Frees a file list. */
void cw_migrate_files_free(struct cw_migrate_file *files, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		free(files[i].name);
		free(files[i].sql);
	}
	free(files);
}

/* Lists and reads the migrations of a directory. */
bool cw_migrate_scan(const char *dir, struct cw_migrate_file **files, size_t *count,
		     struct cw_error *err)
{
	struct cw_migrate_file *list = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d = opendir(dir);
	bool ok = true;

	*files = NULL;
	*count = 0;
	if (!d)
		return cw_error_set(err, "migrations directory %s: %s", dir, strerror(errno));
	while (ok && (de = readdir(d))) {
		char path[4096];
		int version;

		if (!migrate_name(de->d_name, &version))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			list = realloc(list, cap * sizeof(*list));
			if (!list)
				abort();
		}
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		list[n].version = version;
		list[n].name = strdup(de->d_name);
		list[n].sql = migrate_read(path, err);
		n++;
		if (!list[n - 1].sql)
			ok = false;
		else if (!migrate_check_sql(path, list[n - 1].sql, err))
			ok = false;
	}
	closedir(d);
	if (ok && n > 0) {
		/* (qsort of an empty directory's NULL list is undefined) */
		qsort(list, n, sizeof(*list), migrate_cmp);
		for (size_t i = 1; i < n; i++) {
			if (list[i].version == list[i - 1].version) {
				ok = cw_error_set(err, "%s: %s and %s have the same version %d", dir,
						  list[i - 1].name, list[i].name, list[i].version);
				break;
			}
		}
	}
	if (ok && n == 0)
		ok = cw_error_set(err, "migrations directory %s: no NNN_name.sql files", dir);
	if (!ok) {
		cw_migrate_files_free(list, n);
		return false;
	}
	*files = list;
	*count = n;
	return true;
}

/* Reports the outcome and frees the runner. */
static void migrate_finish(struct cw_migrate *m)
{
	m->done(&m->res, m->arg);
	cw_migrate_abandon(m);
}

/* Fails the run with a message. */
static void migrate_fail(struct cw_migrate *m, const struct cw_db_error *dberr, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void migrate_fail(struct cw_migrate *m, const struct cw_db_error *dberr, const char *fmt, ...)
{
	char what[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	m->res.ok = false;
	m->res.connection_lost = dberr && dberr->connection_lost;
	if (dberr && dberr->sqlstate[0])
		snprintf(m->res.message, sizeof(m->res.message), "%s: SQLSTATE %s: %.500s", what,
			 dberr->sqlstate, dberr->message);
	else if (dberr)
		snprintf(m->res.message, sizeof(m->res.message), "%s: %.500s", what,
			 dberr->message);
	else
		snprintf(m->res.message, sizeof(m->res.message), "%s", what);
	migrate_finish(m);
}

static void migrate_apply_next(struct cw_migrate *m);

/* One migration committed. */
static void migrate_applied(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct cw_migrate *m = arg;
	struct cw_migrate_file *f = &m->files[m->next];

	(void)db;
	if (err && !strcmp(err->sqlstate, MIGRATE_DONE_ALREADY)) {
		cw_log(CW_LOG_INFO, "schema migration %s was applied meanwhile by another casewatchd",
		       f->name);
		m->res.to_version = f->version;
		m->next++;
		migrate_apply_next(m);
		return;
	}
	if (err) {
		migrate_fail(m, err, "migration %s/%s failed (rolled back; schema stays at version %d)",
			     m->dir, f->name, m->res.to_version);
		return;
	}
	cw_log(CW_LOG_NOTICE, "schema migration %s applied (version %d)", f->name, f->version);
	m->res.to_version = f->version;
	m->res.applied++;
	m->next++;
	migrate_apply_next(m);
}

/* Applies the next file newer than the database, or finishes. */
static void migrate_apply_next(struct cw_migrate *m)
{
	struct cw_db_job *job;
	struct cw_error err;
	char version[16], guard[320];
	const char *params[1] = { version };

	while (m->next < m->count && m->files[m->next].version <= m->res.from_version)
		m->next++;
	if (m->next == m->count) {
		m->res.ok = true;
		migrate_finish(m);
		return;
	}
	snprintf(version, sizeof(version), "%d", m->files[m->next].version);
	/* Another casewatchd starting at the same time may have applied the
	 * file while this one waited for the lock: look again under it. */
	snprintf(guard, sizeof(guard),
		 "DO $$ BEGIN IF pg_catalog.to_regclass('casewatch.schema_version') IS NOT NULL THEN "
		 "IF EXISTS (SELECT 1 FROM casewatch.schema_version WHERE version >= %d) THEN "
		 "RAISE EXCEPTION 'already applied' USING ERRCODE = '" MIGRATE_DONE_ALREADY "'; "
		 "END IF; END IF; END $$",
		 m->files[m->next].version);
	job = cw_db_job_new(true);
	cw_db_job_add(job, "SET LOCAL statement_timeout = 0", 0, NULL, 0, NULL, NULL);
	cw_db_job_add(job, "SELECT pg_catalog.pg_advisory_xact_lock(" MIGRATE_LOCK_KEY ")", 0, NULL, 0,
		      NULL, NULL);
	cw_db_job_add(job, guard, 0, NULL, CW_DB_SCRIPT, NULL, NULL);
	cw_db_job_add(job, m->files[m->next].sql, 0, NULL, CW_DB_SCRIPT, NULL, NULL);
	cw_db_job_add(job,
		      "INSERT INTO casewatch.schema_version (version, applied_at) "
		      "VALUES ($1::integer, pg_catalog.now()) ON CONFLICT (version) DO NOTHING",
		      1, params, 0, NULL, NULL);
	if (!cw_db_submit(m->db, job, migrate_applied, m, &err))
		migrate_fail(m, &(struct cw_db_error){ .connection_lost = true }, "%s", err.msg);
}

/* The current version arrived. */
static void migrate_version_row(const PGresult *res, void *arg)
{
	struct cw_migrate *m = arg;

	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		m->res.from_version = atoi(PQgetvalue(res, 0, 0));
}

/* The version query finished: refuse a newer schema, else apply. */
static void migrate_version_done(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct cw_migrate *m = arg;
	int highest = m->files[m->count - 1].version;

	(void)db;
	if (err) {
		migrate_fail(m, err, "reading casewatch.schema_version");
		return;
	}
	m->res.to_version = m->res.from_version;
	if (m->res.from_version > highest) {
		migrate_fail(m, NULL,
			     "the database's casewatch schema is at version %d, newer than this "
			     "casewatchd knows (its newest migration is %s in %s): upgrade casewatchd "
			     "or point it at the matching migrations_dir",
			     m->res.from_version, m->files[m->count - 1].name, m->dir);
		return;
	}
	if (m->res.from_version == highest)
		cw_log(CW_LOG_INFO, "casewatch schema is up to date (version %d)", highest);
	else
		cw_log(CW_LOG_NOTICE, "casewatch schema at version %d; applying migrations up to %d",
		       m->res.from_version, highest);
	migrate_apply_next(m);
}

/* Reads max(version), or takes 0 when there is no table yet. */
static void migrate_read_version(struct cw_migrate *m)
{
	struct cw_error err;

	m->res.from_version = 0;
	if (!m->have_table) {
		migrate_version_done(m->db, NULL, m);
		return;
	}
	if (!cw_db_query(m->db, "SELECT pg_catalog.max(version) FROM casewatch.schema_version", 0,
			 NULL, 0, migrate_version_row, migrate_version_done, m, &err))
		migrate_fail(m, &(struct cw_db_error){ .connection_lost = true }, "%s", err.msg);
}

/* Whether the schema exists, looked at again under the migration lock. */
static void migrate_schema_row(const PGresult *res, void *arg)
{
	struct cw_migrate *m = arg;

	m->have_schema = PQntuples(res) == 1 && !strcmp(PQgetvalue(res, 0, 0), "t");
}

/* CREATE SCHEMA finished. */
static void migrate_schema_done(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct cw_migrate *m = arg;

	(void)db;
	if (err) {
		migrate_fail(m, err, "creating schema casewatch");
		return;
	}
	if (m->have_schema)
		cw_log(CW_LOG_INFO, "schema casewatch was created meanwhile by another casewatchd");
	else
		cw_log(CW_LOG_NOTICE, "created schema casewatch");
	migrate_read_version(m);
}

/* Which of schema and table exist. */
static void migrate_probe_row(const PGresult *res, void *arg)
{
	struct cw_migrate *m = arg;

	if (PQntuples(res) == 1) {
		m->have_schema = !strcmp(PQgetvalue(res, 0, 0), "t");
		m->have_table = !strcmp(PQgetvalue(res, 0, 1), "t");
	}
}

/* The probe finished: create the schema if needed, then read the version. */
static void migrate_probe_done(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct cw_migrate *m = arg;
	struct cw_db_job *job;
	struct cw_error e;

	(void)db;
	if (err) {
		migrate_fail(m, err, "looking for schema casewatch");
		return;
	}
	if (m->have_schema) {
		migrate_read_version(m);
		return;
	}
	/* Under the migration lock: two daemons starting at once on a fresh
	 * database would otherwise both find no schema, and the second's
	 * CREATE SCHEMA IF NOT EXISTS fails on pg_namespace's unique index
	 * (SQLSTATE 23505) once the first commits. */
	job = cw_db_job_new(true);
	cw_db_job_add(job, "SET LOCAL statement_timeout = 0", 0, NULL, 0, NULL, NULL);
	cw_db_job_add(job, "SELECT pg_catalog.pg_advisory_xact_lock(" MIGRATE_LOCK_KEY ")", 0, NULL, 0,
		      NULL, NULL);
	/* pg_namespace read as a table: the session's catalog cache may still
	 * hold the probe's "no such schema" (an advisory lock does not make
	 * it take in the other's commit). */
	cw_db_job_add(job,
		      "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'casewatch')",
		      0, NULL, 0, migrate_schema_row, m);
	cw_db_job_add(job, "CREATE SCHEMA IF NOT EXISTS casewatch", 0, NULL, 0, NULL, NULL);
	if (!cw_db_submit(m->db, job, migrate_schema_done, m, &e))
		migrate_fail(m, &(struct cw_db_error){ .connection_lost = true }, "%s", e.msg);
}

/* Starts a run. */
struct cw_migrate *cw_migrate_start(struct cw_db *db, const char *dir, cw_migrate_done_fn done,
				    void *arg, struct cw_error *err)
{
	struct cw_migrate *m = calloc(1, sizeof(*m));

	if (!m)
		abort();
	m->db = db;
	m->done = done;
	m->arg = arg;
	m->dir = strdup(dir);
	m->res.from_version = -1;
	m->res.highest = -1;
	if (!cw_migrate_scan(dir, &m->files, &m->count, err)) {
		cw_migrate_abandon(m);
		return NULL;
	}
	m->res.highest = m->files[m->count - 1].version;
	if (!cw_db_query(db,
			 "SELECT pg_catalog.to_regnamespace('casewatch') IS NOT NULL, "
			 "pg_catalog.to_regclass('casewatch.schema_version') IS NOT NULL",
			 0, NULL, 0, migrate_probe_row, migrate_probe_done, m, err)) {
		cw_migrate_abandon(m);
		return NULL;
	}
	return m;
}

/* Frees a runner. */
void cw_migrate_abandon(struct cw_migrate *m)
{
	if (!m)
		return;
	cw_migrate_files_free(m->files, m->count);
	free(m->dir);
	free(m);
}
