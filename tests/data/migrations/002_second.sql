-- 002: a second step, applied after 001 in a transaction of its own.
ALTER TABLE casewatch.test_first ADD COLUMN label text;

INSERT INTO casewatch.test_first (id, label) VALUES (1, 'from 002');
