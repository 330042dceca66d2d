# docs/: see the top-level Makefile.am.

# --- alert socket (branch socket) ---
dist_doc_DATA += docs/protocol.md
# --- end alert socket ---
