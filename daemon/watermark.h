/*
 * watermark.h - the durable change watermark and what the last complete
 * sweep was done under.
 *
 * casewatch.watermark holds the records' change watermark up to which every
 * person has been processed; casewatch.sweep (migration 003) holds the
 * setup of the last complete sweep: the profile's name and a digest of the
 * loaded profile, a digest of the calendar's bank holidays, casewatchd's
 * version, and the database's clock when that sweep began. At start the
 * poller loads both: with the same setup and sweep_interval not elapsed it
 * resumes from the stored watermark instead of sweeping. Both are written
 * only after a persons phase completed, so a crash at any point leaves an
 * older watermark (re-reading is idempotent), never a newer one.
 */
#ifndef CASEWATCH_DAEMON_WATERMARK_H
#define CASEWATCH_DAEMON_WATERMARK_H

#include <stdbool.h>
#include <stdint.h>

#include "casewatch/calendar.h"
#include "casewatch/policy.h"
#include "db.h"

/* Hex FNV-1a 64 digest plus NUL. */
#define CW_WATERMARK_DIGEST_STRLEN 17

/* What a sweep is done under: when any of it changes, every person is
 * computed again. */
struct cw_watermark_setup {
	char profile[128];
	char profile_digest[CW_WATERMARK_DIGEST_STRLEN];
	char calendar_digest[CW_WATERMARK_DIGEST_STRLEN];
	char version[32];
};

/* What the store holds. */
struct cw_watermark_stored {
	char changed_at[64];		/* "" when no watermark is stored */
	bool swept;			/* a complete sweep is recorded */
	struct cw_watermark_setup setup; /* ... under this setup */
	int64_t sweep_age_ms;		/* ... this long ago, by the database's clock */
};

/* The setup of policy and cal under this casewatchd. The retention
 * settings that move notices (retention_notice_window, destruction_grace)
 * count as part of the profile: changing one recomputes every person. */
void cw_watermark_setup_of(const struct cw_policy *policy, const struct cw_calendar *cal, int64_t notice_window_ms,
			   int64_t destruction_grace_ms, struct cw_watermark_setup *out);

/* Why a sweep under `now` is needed given what is stored, as a phrase for
 * the log ("the profile changed"), or NULL when none is (the interval is
 * the caller's business). */
const char *cw_watermark_sweep_reason(const struct cw_watermark_stored *stored,
				      const struct cw_watermark_setup *now);

/* Reads the stored watermark and sweep into *out (cleared first); done
 * runs when the read has finished. */
bool cw_watermark_load(struct cw_db *db, struct cw_watermark_stored *out, cw_db_done_fn done, void *arg,
		       struct cw_error *err);

/* Stores changed_at as the watermark and, when setup is not NULL, the
 * sweep that began at changed_at under setup, in one transaction. */
bool cw_watermark_save(struct cw_db *db, const char *changed_at, const struct cw_watermark_setup *setup,
		       uint64_t persons, cw_db_done_fn done, void *arg, struct cw_error *err);

#endif /* CASEWATCH_DAEMON_WATERMARK_H */
