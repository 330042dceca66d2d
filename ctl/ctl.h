/* ctl.h - what casewatchctl's commands share: the command table and exit codes. */
#ifndef CASEWATCH_CTL_H
#define CASEWATCH_CTL_H

/* Exit codes scripts can rely on (docs/casewatchctl.md lists them). */
enum ctl_exit {
	CTL_EXIT_OK = 0,	  /* done; or "yes" for a question */
	CTL_EXIT_NO = 1,	  /* "no" for a question, or the input is invalid */
	CTL_EXIT_USAGE = 2,	  /* bad arguments */
	CTL_EXIT_UNAVAILABLE = 3, /* cannot reach casewatchd */
	CTL_EXIT_REFUSED = 4,	  /* the daemon answered with an error */
};

struct ctl_command {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the command's name */
	const char *summary;
};

/* Prints "casewatchctl: <message>" to stderr. */
void ctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
