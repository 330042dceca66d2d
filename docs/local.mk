# docs/: operator and developer documentation, installed to $(docdir).
dist_doc_DATA += \
	docs/architecture.md \
	docs/calendar.md \
	docs/casewatchctl.md \
	docs/configuration.md \
	docs/facts.md \
	docs/lifecycle.md \
	docs/obligations.md \
	docs/operations.md \
	docs/profiles.md \
	docs/protocol.md \
	docs/records-interface.md \
	docs/retention.md \
	docs/schema.md \
	docs/vocabulary.md

# The digest as an email client shows it (README.md, docs/casewatchctl.md).
dist_doc_DATA += docs/digest.png
# Manual pages (mdoc): the daemon, its settings, the tool, the socket's
# protocol. The unit's Documentation=man:casewatchd(8) names the first;
# tests/man-pages.sh lints them and checks they name every setting.
dist_man_MANS += docs/casewatchd.8 docs/casewatch.conf.5 docs/casewatchctl.1 docs/casewatch-protocol.7
