-- 900: a test-only step applied after casewatch's real migrations, in a
-- transaction of its own. It records the session settings casewatchd gives
-- its connection, so the tests can check them: an empty search_path and its
-- application name
-- and the time zone UTC.
CREATE TABLE casewatch.test_first (
	id integer PRIMARY KEY,
	label text
);

INSERT INTO casewatch.test_first (id, label)
VALUES (1, pg_catalog.current_setting('search_path')),
       (2, pg_catalog.current_setting('application_name')),
       (3, pg_catalog.current_setting('TimeZone'));
