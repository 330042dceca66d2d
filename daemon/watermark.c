/* watermark.c - the durable change watermark and the setup of the last complete sweep. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "watermark.h"

/* FNV-1a, 64 bits: an identity, not a security boundary (whoever can
 * write the profile can run the daemon). */
#define FNV_OFFSET 14695981039346656037ULL
#define FNV_PRIME 1099511628211ULL

static uint64_t fnv_add(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= FNV_PRIME;
	}
	return h;
}

static void digest_format(uint64_t h, char out[CW_WATERMARK_DIGEST_STRLEN])
{
	snprintf(out, CW_WATERMARK_DIGEST_STRLEN, "%016" PRIx64, h);
}

/* The profile as loaded (inheritance and overrides applied), with its
 * keys sorted, so the same rules give the same digest whatever the file
 * layout; the calendar as every bank holiday of every nation it holds. */
void cw_watermark_setup_of(const struct cw_policy *policy, const struct cw_calendar *cal, int64_t notice_window_ms,
			   int64_t destruction_grace_ms, struct cw_watermark_setup *out)
{
	char settings[64];
	int len = snprintf(settings, sizeof(settings), "window=%" PRId64 ";grace=%" PRId64, notice_window_ms,
			 destruction_grace_ms);

	json_t *doc = cw_policy_to_json(policy);
	char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	uint64_t h = FNV_OFFSET;
	cw_day first = cw_day_from_ymd(CW_CALENDAR_FIRST_YEAR, 1, 1);
	cw_day last = cw_day_from_ymd(CW_CALENDAR_LAST_YEAR, 12, 31);

	memset(out, 0, sizeof(*out));
	snprintf(out->profile, sizeof(out->profile), "%s", cw_policy_name(policy));
	/* Without the document (out of memory) the digest is the empty one:
	 * a sweep too many at worst. */
	if (text)
		h = fnv_add(h, text, strlen(text));
	if (len > 0 && (size_t)len < sizeof(settings))
		h = fnv_add(h, settings, (size_t)len);
	digest_format(h, out->profile_digest);
	free(text);
	json_decref(doc);
	h = FNV_OFFSET;
	for (int n = 0; n < CW_NATION_COUNT; n++)
		for (cw_day d = first; d <= last; d++) {
			const char *title = cw_calendar_holiday(cal, (enum cw_nation)n, d);

			if (!title)
				continue;
			h = fnv_add(h, &n, sizeof(n));
			h = fnv_add(h, &d, sizeof(d));
			h = fnv_add(h, title, strlen(title) + 1);
		}
	digest_format(h, out->calendar_digest);
	snprintf(out->version, sizeof(out->version), "%s", PACKAGE_VERSION);
}

const char *cw_watermark_sweep_reason(const struct cw_watermark_stored *stored,
				      const struct cw_watermark_setup *now)
{
	if (!*stored->changed_at)
		return "no watermark is stored";
	if (!stored->swept)
		return "no complete sweep is recorded";
	if (strcmp(stored->setup.profile, now->profile) != 0)
		return "the profile is another one";
	if (strcmp(stored->setup.profile_digest, now->profile_digest) != 0)
		return "the profile changed";
	if (strcmp(stored->setup.calendar_digest, now->calendar_digest) != 0)
		return "the bank holidays changed";
	if (strcmp(stored->setup.version, now->version) != 0)
		return "casewatchd's version changed";
	return NULL;
}

static void copy_value(char *dst, size_t size, const PGresult *res, int col)
{
	snprintf(dst, size, "%s", PQgetisnull(res, 0, col) ? "" : PQgetvalue(res, 0, col));
}

/* The one row: watermark, then the sweep's columns (null without one). */
static void on_loaded_row(const PGresult *res, void *arg)
{
	struct cw_watermark_stored *out = arg;

	if (PQntuples(res) != 1 || PQnfields(res) != 6)
		return;
	copy_value(out->changed_at, sizeof(out->changed_at), res, 0);
	out->swept = !PQgetisnull(res, 0, 1);
	copy_value(out->setup.profile, sizeof(out->setup.profile), res, 1);
	copy_value(out->setup.profile_digest, sizeof(out->setup.profile_digest), res, 2);
	copy_value(out->setup.calendar_digest, sizeof(out->setup.calendar_digest), res, 3);
	copy_value(out->setup.version, sizeof(out->setup.version), res, 4);
	out->sweep_age_ms = PQgetisnull(res, 0, 5) ? 0 : strtoll(PQgetvalue(res, 0, 5), NULL, 10);
}

bool cw_watermark_load(struct cw_db *db, struct cw_watermark_stored *out, cw_db_done_fn done, void *arg,
		       struct cw_error *err)
{
	static const char *const sql =
		"SELECT (SELECT w.changed_at::text FROM casewatch.watermark w WHERE w.name = 'records'),"
		" s.profile, s.profile_digest, s.calendar_digest, s.casewatch_version,"
		" (extract(epoch FROM now() - s.swept_at) * 1000)::bigint"
		" FROM (SELECT 1) one LEFT JOIN casewatch.sweep s ON s.name = 'records'";

	struct cw_db_job *job = cw_db_job_new(false);

	memset(out, 0, sizeof(*out));
	cw_db_job_add(job, sql, 0, NULL, 0, on_loaded_row, out);
	return cw_db_submit(db, job, done, arg, err);
}

bool cw_watermark_save(struct cw_db *db, const char *changed_at, const struct cw_watermark_setup *setup,
		       uint64_t persons, cw_db_done_fn done, void *arg, struct cw_error *err)
{
	static const char *const watermark_sql =
		"INSERT INTO casewatch.watermark AS w (name, changed_at, updated_at)"
		" VALUES ('records', $1::timestamptz, now())"
		" ON CONFLICT (name) DO UPDATE SET changed_at = excluded.changed_at, updated_at = now()";
	static const char *const sweep_sql =
		"INSERT INTO casewatch.sweep AS s (name, profile, profile_digest, calendar_digest,"
		" casewatch_version, swept_at, persons)"
		" VALUES ('records', $1, $2, $3, $4, $5::timestamptz, $6::bigint)"
		" ON CONFLICT (name) DO UPDATE SET profile = excluded.profile,"
		" profile_digest = excluded.profile_digest, calendar_digest = excluded.calendar_digest,"
		" casewatch_version = excluded.casewatch_version, swept_at = excluded.swept_at,"
		" persons = excluded.persons";
	struct cw_db_job *job = cw_db_job_new(setup != NULL);
	const char *wparams[1] = { changed_at };

	cw_db_job_add(job, watermark_sql, 1, wparams, 0, NULL, NULL);
	if (setup) {
		char n[24];
		const char *sparams[6] = { setup->profile, setup->profile_digest, setup->calendar_digest,
					   setup->version, changed_at, n };

		snprintf(n, sizeof(n), "%" PRIu64, persons);
		cw_db_job_add(job, sweep_sql, 6, sparams, 0, NULL, NULL);
	}
	return cw_db_submit(db, job, done, arg, err);
}
