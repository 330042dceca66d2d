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
