# sql/: see the top-level Makefile.am.

# The records interface and its generator (sql/records/) and casewatch's own
# schema migrations (sql/casewatch/), installed to $(pkgdatadir)/sql/.
sqlrecordsdir = $(pkgdatadir)/sql/records
dist_sqlrecords_DATA = sql/records/interface.sql sql/records/generate.sql
sqlcasewatchdir = $(pkgdatadir)/sql/casewatch
dist_sqlcasewatch_DATA = sql/casewatch/001_initial.sql
dist_doc_DATA += docs/records-interface.md docs/schema.md

# records.person_facts() (the facts contract, shipped with the records
# interface) and the alert lifecycle migration.
sqlfactsdir = $(pkgdatadir)/sql/records
dist_sqlfacts_DATA = sql/records/facts.sql
sqllifecycledir = $(pkgdatadir)/sql/casewatch
dist_sqllifecycle_DATA = sql/casewatch/002_lifecycle.sql
dist_doc_DATA += docs/lifecycle.md
