-- 009_forget_anchor.sql - findings on a forget request keyed by the request: anchor kind forget_request.
--
-- Before this release the daemon stored a forget-request finding
-- (FORGET-ACK's check "acknowledged") with anchor kind 'person' but the
-- request's id as anchor id; it now stores 'forget_request', which 001's
-- CHECK already allows (daemon/obligation_batch.c). Without this the first
-- pass after the upgrade would see a new key: it would withdraw every open
-- forget-request finding and raise it again, losing its acknowledgement or
-- snooze. Such a row is the only finding keyed 'person' whose anchor is not
-- the person (a person's content finding is keyed by the person's id; a
-- birthday obligation, keyed by the age, is not a finding). Transitions are
-- history and keep the key they were written with.

UPDATE casewatch.alert
SET anchor_kind = 'forget_request'
WHERE anchor_kind = 'person' AND kind = 'finding' AND anchor_id IS DISTINCT FROM person_id;

INSERT INTO casewatch.schema_version (version) VALUES (9);
