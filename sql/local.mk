# sql/: the records interface with its facts function and generator
# (sql/records/), and casewatch's own schema migrations (sql/casewatch/),
# installed to $(pkgdatadir)/sql/.
sqlrecordsdir = $(pkgdatadir)/sql/records
dist_sqlrecords_DATA = \
	sql/records/interface.sql \
	sql/records/facts.sql \
	sql/records/notify.sql \
	sql/records/generate.sql
sqlcasewatchdir = $(pkgdatadir)/sql/casewatch
dist_sqlcasewatch_DATA = \
	sql/casewatch/001_initial.sql \
	sql/casewatch/002_lifecycle.sql \
	sql/casewatch/003_incremental.sql \
	sql/casewatch/004_digest.sql \
	sql/casewatch/005_prune.sql \
	sql/casewatch/006_retention.sql \
	sql/casewatch/007_destruction_alerts.sql \
	sql/casewatch/008_team_alerts.sql \
	sql/casewatch/009_forget_anchor.sql \
	sql/casewatch/010_hold_withdraws.sql \
	sql/casewatch/011_writer.sql \
	sql/casewatch/012_unchanged.sql \
	sql/casewatch/013_future_met.sql
