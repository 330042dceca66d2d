/* ctl.h - what casewatchctl's commands share: the command table and exit codes. */
#ifndef CASEWATCH_CTL_H
#define CASEWATCH_CTL_H

/* Exit codes scripts can rely on (docs/casewatchctl.md lists them). */
enum ctl_exit {
	CTL_EXIT_OK = 0,	  /* done; or "yes" for a question */
	CTL_EXIT_NO = 1,	  /* "no" for a question, or the input is invalid */
	CTL_EXIT_USAGE = 2,	  /* bad arguments */
	CTL_EXIT_UNAVAILABLE = 3, /* cannot reach casewatchd (or it cannot reach its database); watch: cut off */
	CTL_EXIT_REFUSED = 4,	  /* the daemon answered with an error */
};

struct ctl_command {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the command's name */
	const char *summary;
};

/* The commands, one per ctl/cmd_<name>.c. */
int cmd_workdays(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_evaluate(int argc, char **argv);
/* `policy test FILE...` (ctl/cmd_policy_test.c). */
int ctl_policy_test(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_alerts(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_ack(int argc, char **argv);
int cmd_snooze(int argc, char **argv);
int cmd_unack(int argc, char **argv);
int cmd_unsnooze(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_digest(int argc, char **argv);
int cmd_retention(int argc, char **argv);
int cmd_hold(int argc, char **argv);
int cmd_destruction(int argc, char **argv);
int cmd_register(int argc, char **argv);

/* Prints "casewatchctl: <message>" to stderr. */
void ctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
