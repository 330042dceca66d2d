-- 013_future_met.sql - a completion dated after now counts from its own time on, as the engine has it.
--
-- Like every migration it holds no transaction control: the daemon runs it
-- inside one transaction (by hand: psql --single-transaction -f FILE).
--
-- The engine (lib/obligation.c, cw_obligation_status) counts a completion
-- dated in the future (a planned conference, a record dated ahead) only
-- from its own time on: until then the obligation is pending, due soon,
-- overdue or escalated as its times say, and the completion's time is when
-- it next changes. The store's obligation_state() (011) took any met_at as
-- met at once, so `casewatchctl evaluate` and `explain` said "escalated"
-- for an item the store held as met and announced nothing for; the
-- hand-written report of bench/report.sql found 416 such items at a clock
-- before the records' completions (tests/bench-report.sh now compares at
-- such a clock). Now:
--  - obligation_state(): met only once met_at <= now (or with no now);
--  - alert_next_at(): met_at after now is one of the times that move a
--    row, suspended rows included (a suspended obligation completed later
--    turns met then, as in cw_obligation_next_change);
--  - rows stored as met with a completion still ahead are due to move:
--    advance() at the next pass settles them, announcing what they are
--    (raised when overdue), and moves them to met at their completion.
--    "Ahead" by the database's clock less a day, in case casewatchd's
--    runs behind it; a row met by both clocks is settled to what it is.

CREATE OR REPLACE FUNCTION casewatch.obligation_state(warn_at timestamptz, due_at timestamptz,
	escalate_at timestamptz[], met_at timestamptz, suspended boolean, now timestamptz)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE
		WHEN met_at IS NOT NULL AND (now IS NULL OR met_at <= now) THEN
			CASE WHEN due_at IS NULL OR met_at <= due_at THEN 'met_on_time' ELSE 'met_late' END
		WHEN suspended THEN 'suspended'
		WHEN due_at IS NULL OR now IS NULL THEN 'pending'
		WHEN now < due_at THEN
			CASE WHEN warn_at <= now THEN 'due_soon' ELSE 'pending' END
		ELSE coalesce('escalated_' || nullif(width_bucket(now, escalate_at), 0)::text, 'overdue')
		END
$$;

CREATE OR REPLACE FUNCTION casewatch.alert_next_at(a casewatch.alert, p_now timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN a.state IN ('met_on_time', 'met_late', 'resolved', 'withdrawn') THEN NULL
		WHEN a.state = 'suspended' THEN CASE WHEN a.met_at > p_now THEN a.met_at END
		ELSE least(
			CASE WHEN a.warn_at > p_now THEN a.warn_at END,
			CASE WHEN a.due_at > p_now THEN a.due_at END,
			a.escalate_at[array_lower(a.escalate_at, 1) + width_bucket(p_now, a.escalate_at)],
			CASE WHEN a.met_at > p_now THEN a.met_at END,
			CASE WHEN a.announced_state IS NOT NULL AND a.snoozed_until > p_now
				AND casewatch.state_rank(a.state) > casewatch.state_rank(a.announced_state)
				THEN a.snoozed_until END)
		END
$$;

-- Rows held as met (or suspended) with their completion still ahead.
UPDATE casewatch.alert SET next_at = '-infinity'
WHERE met_at > now() - interval '1 day' AND state IN ('met_on_time', 'met_late', 'suspended');
