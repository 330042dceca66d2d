# ctl/: casewatchctl, the command-line client for people and scripts.
bin_PROGRAMS += ctl/casewatchctl
ctl_casewatchctl_SOURCES = ctl/ctl.h ctl/main.c
ctl_casewatchctl_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
ctl_casewatchctl_LDADD = $(CASEWATCH_LIBS)

# calendar: casewatchctl workdays
ctl_casewatchctl_SOURCES += ctl/cmd_workdays.c

# policy: casewatchctl policy check|show, casewatchctl explain
ctl_casewatchctl_SOURCES += ctl/cmd_policy.c ctl/cmd_explain.c
