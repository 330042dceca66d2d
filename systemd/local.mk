# systemd/: the service, its socket, and its system user.
systemdsystemunit_DATA = systemd/casewatchd.service systemd/casewatchd.socket
sysusersdir = $(prefix)/lib/sysusers.d
dist_sysusers_DATA = systemd/sysusers.d/casewatch.conf
# The journal's explanations of casewatchd's MESSAGE_IDs (journalctl -x);
# tests/check_log.c checks every id casewatchd uses has its entry.
dist_catalog_DATA = systemd/casewatch.catalog
EXTRA_DIST += systemd/casewatchd.service.in systemd/casewatchd.socket.in
# The drop-in for a database over TCP (docs/operations.md, "Hardening").
systemdexampledir = $(docdir)/systemd
dist_systemdexample_DATA = systemd/tcp-database.conf
CLEANFILES += $(systemdsystemunit_DATA)

# Units name installed paths, so they are made at build time.
edit_unit = $(MKDIR_P) systemd && sed \
	-e 's|@sbindir[@]|$(sbindir)|g' \
	-e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	-e 's|@docdir[@]|$(docdir)|g'
systemd/casewatchd.service: systemd/casewatchd.service.in Makefile
	$(AM_V_GEN)$(edit_unit) $(srcdir)/systemd/casewatchd.service.in >$@
systemd/casewatchd.socket: systemd/casewatchd.socket.in Makefile
	$(AM_V_GEN)$(edit_unit) $(srcdir)/systemd/casewatchd.socket.in >$@
