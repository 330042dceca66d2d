# sql/: see the top-level Makefile.am.

# records.person_facts() (the facts contract, shipped with the records
# interface) and the alert lifecycle migration.
sqlfactsdir = $(pkgdatadir)/sql/records
dist_sqlfacts_DATA = sql/records/facts.sql
sqllifecycledir = $(pkgdatadir)/sql/casewatch
dist_sqllifecycle_DATA = sql/casewatch/002_lifecycle.sql
dist_doc_DATA += docs/lifecycle.md
