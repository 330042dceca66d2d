# docs/: see the top-level Makefile.am.

# calendar
EXTRA_DIST += docs/calendar.md

# policy
EXTRA_DIST += docs/profiles.md

# --- alert socket (branch socket) ---
dist_doc_DATA += docs/protocol.md
# --- end alert socket ---

# obligation engine
EXTRA_DIST += docs/facts.md docs/obligations.md
