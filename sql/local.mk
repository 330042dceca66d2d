# sql/: see the top-level Makefile.am.
