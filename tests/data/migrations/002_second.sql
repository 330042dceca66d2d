-- 002: a second step, applied after 001 in a transaction of its own. It
-- records the session settings casewatchd gives its connection, so the
-- tests can check them: an empty search_path and its application name.
ALTER TABLE casewatch.test_first ADD COLUMN label text;

INSERT INTO casewatch.test_first (id, label)
VALUES (1, pg_catalog.current_setting('search_path')),
       (2, pg_catalog.current_setting('application_name'));
