# ctl/: casewatchctl, the command-line client for people and scripts.
bin_PROGRAMS += ctl/casewatchctl
ctl_casewatchctl_SOURCES = ctl/ctl.h ctl/main.c
ctl_casewatchctl_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
ctl_casewatchctl_LDADD = $(CASEWATCH_LIBS)

# calendar: casewatchctl workdays
ctl_casewatchctl_SOURCES += ctl/cmd_workdays.c

# policy: casewatchctl policy check|show, casewatchctl explain
ctl_casewatchctl_SOURCES += ctl/cmd_policy.c ctl/cmd_explain.c
# offline evaluation: casewatchctl evaluate, casewatchctl policy test
ctl_casewatchctl_SOURCES += ctl/evaluate.h ctl/evaluate.c ctl/cmd_evaluate.c ctl/cmd_policy_test.c

# The alert socket's client: the transport to casewatchd.
ctl_casewatchctl_SOURCES += ctl/client.h ctl/client.c

# Commands over the socket: status, alerts, watch, ack, snooze, unack, unsnooze, audit, digest.
ctl_casewatchctl_SOURCES += ctl/socket_cmd.h ctl/socket_cmd.c ctl/alerts_format.h ctl/alerts_format.c \
	ctl/change.c ctl/cmd_status.c ctl/cmd_alerts.c ctl/cmd_watch.c ctl/cmd_ack.c ctl/cmd_snooze.c \
	ctl/cmd_digest.c ctl/digest_render.h ctl/digest_render.c ctl/cmd_unack.c ctl/cmd_audit.c

# retention: casewatchctl retention explain|preview (offline, on a facts file)
ctl_casewatchctl_SOURCES += ctl/cmd_retention.c

# records officers through casewatchd: hold, destruction, register
ctl_casewatchctl_SOURCES += ctl/records_out.h ctl/records_out.c ctl/cmd_hold.c ctl/cmd_destruction.c \
	ctl/cmd_register.c
