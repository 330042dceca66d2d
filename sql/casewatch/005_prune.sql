-- 005_prune.sql - a bounded transition log: delivered transitions pruned
-- after a retention, the audit after a longer one, and replay refusing a
-- cursor that points into what was pruned.
--
-- The daemon (daemon/prune.c) calls casewatch.prune_transitions() and
-- casewatch.prune_audit() in small batches; docs/schema.md and
-- docs/configuration.md (transition_retention, audit_retention) describe the
-- rules. Nothing here touches a records.* table.

-- How far the transition log has been pruned: every transition with an id
-- up to pruned_upto is gone (except the newest of each alert, kept as the
-- alert's last word), so a replay may start at pruned_upto and no earlier.
CREATE TABLE casewatch.transition_pruned (
	one boolean PRIMARY KEY DEFAULT true CHECK (one),	-- a single row
	pruned_upto bigint NOT NULL DEFAULT 0,
	pruned_at timestamptz
);
INSERT INTO casewatch.transition_pruned DEFAULT VALUES;

-- Finds the audit rows older than a cutoff.
CREATE INDEX audit_at_idx ON casewatch.audit (at);

-- Prunes at most p_limit transitions, in id order from the last pruned one,
-- stopping at the first that must stay:
--   * written at or after p_before (within the retention), or
--   * not yet taken by every sink (after the lowest casewatch.sink_cursor;
--     no cursor at all prunes nothing), or
--   * at or after p_keep_from (a connected subscriber may still ask for it).
-- Each alert's newest transition is kept whatever its age (it is the alert's
-- last_transition; 002's reconcile asks whether an alert ever had one), until
-- a later run prunes a newer one of the same alert: at most one such row per
-- alert stays behind.
-- Returns how many rows were deleted, the new pruned_upto, and whether it
-- stopped only because of p_limit (more may be prunable).
CREATE FUNCTION casewatch.prune_transitions(p_before timestamptz, p_keep_from bigint,
	p_limit integer, OUT pruned integer, OUT pruned_upto bigint, OUT more boolean)
LANGUAGE plpgsql AS $$
DECLARE
	v_from bigint;
	v_sink bigint;
	v_upto bigint;
	v_seen integer;
	v_seen_old integer;
BEGIN
	SELECT p.pruned_upto INTO v_from FROM casewatch.transition_pruned p FOR UPDATE;
	SELECT coalesce(min(c.last_id), 0) INTO v_sink FROM casewatch.sink_cursor c;
	-- The run of ids after v_from that may go: of the next p_limit the sinks
	-- and subscribers are done with, those before the first one written at
	-- or after p_before (so a batch reads at most p_limit rows, however long
	-- the log).
	SELECT max(c.transition_id), count(*) INTO v_upto, v_seen
	FROM (SELECT n.transition_id,
			bool_or(n.at >= p_before) OVER (ORDER BY n.transition_id) AS young
		FROM (SELECT t.transition_id, t.at FROM casewatch.transition t
			WHERE t.transition_id > v_from
			  AND t.transition_id <= v_sink
			  AND t.transition_id < p_keep_from
			ORDER BY t.transition_id LIMIT p_limit) n) c
	WHERE NOT c.young;
	pruned := 0;
	more := false;
	IF v_upto IS NULL THEN
		pruned_upto := v_from;
		RETURN;
	END IF;
	-- This run's rows, but each alert's newest.
	DELETE FROM casewatch.transition t
	WHERE t.transition_id > v_from AND t.transition_id <= v_upto
	  AND EXISTS (SELECT 1 FROM casewatch.transition n
		WHERE n.alert_id = t.alert_id AND n.transition_id > t.transition_id);
	GET DIAGNOSTICS pruned = ROW_COUNT;
	-- The newest-of-their-alert rows an earlier run kept, of the alerts with
	-- a transition in this run: they are no longer the newest.
	DELETE FROM casewatch.transition t
	WHERE t.alert_id IN (SELECT r.alert_id FROM casewatch.transition r
			WHERE r.transition_id > v_from AND r.transition_id <= v_upto)
	  AND t.transition_id <= v_from
	  AND EXISTS (SELECT 1 FROM casewatch.transition n
		WHERE n.alert_id = t.alert_id AND n.transition_id > t.transition_id);
	GET DIAGNOSTICS v_seen_old = ROW_COUNT;
	pruned := pruned + v_seen_old;
	UPDATE casewatch.transition_pruned p SET pruned_upto = v_upto, pruned_at = now();
	pruned_upto := v_upto;
	more := v_seen = p_limit;
END;
$$;

-- Deletes at most p_limit audit rows written before p_before, oldest first.
-- Returns how many.
CREATE FUNCTION casewatch.prune_audit(p_before timestamptz, p_limit integer) RETURNS integer
LANGUAGE sql AS $$
	WITH d AS (
		DELETE FROM casewatch.audit WHERE audit_id IN (
			SELECT audit_id FROM casewatch.audit WHERE at < p_before
			ORDER BY audit_id LIMIT p_limit)
		RETURNING 1)
	SELECT count(*)::integer FROM d
$$;

-- The replay window: pruned_upto (a cursor may not be older) and the
-- oldest transition a replay can return (null when none is kept after it).
CREATE FUNCTION casewatch.replay_window(OUT pruned_upto bigint, OUT oldest_id bigint)
LANGUAGE sql STABLE AS $$
	SELECT p.pruned_upto,
		(SELECT min(t.transition_id) FROM casewatch.transition t
		 WHERE t.transition_id > p.pruned_upto)
	FROM casewatch.transition_pruned p
$$;

-- Replay, refusing a cursor older than the pruned part of the log:
-- SQLSTATE CW002, the message naming the oldest id that can be replayed.
CREATE FUNCTION casewatch.replay_after(p_after bigint, p_limit integer)
RETURNS SETOF casewatch.transition
LANGUAGE plpgsql STABLE AS $$
DECLARE
	w record;
BEGIN
	SELECT * INTO w FROM casewatch.replay_window();
	IF p_after < w.pruned_upto THEN
		RAISE EXCEPTION 'cursor % is older than the transitions kept: those up to % were pruned (transition_retention); the oldest that can be replayed is %; subscribe with since % or later, or without since',
			p_after, w.pruned_upto, coalesce(w.oldest_id::text, 'the next one written'), w.pruned_upto
			USING ERRCODE = 'CW002';
	END IF;
	RETURN QUERY SELECT * FROM casewatch.transitions_after(p_after, p_limit);
END;
$$;

INSERT INTO casewatch.schema_version (version) VALUES (5);
