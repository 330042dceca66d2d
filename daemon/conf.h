/*
 * conf.h - casewatchd's settings: one table drives parsing, defaults,
 * validation, printing and reload.
 *
 * casewatch.conf is INI-like: `key = value` lines, `# comment` lines, and
 * optional [section] headers that group the settings (a key may also stand
 * before any section; under another section it is an error). Every problem
 * is reported with file and line, all of them at once. A bad reload keeps
 * the old settings; a changed restart-only setting is reported as needing a
 * restart and keeps its old value until then.
 *
 * (The header is conf.h, not config.h, which is autoconf's.)
 */
#ifndef CASEWATCH_DAEMON_CONF_H
#define CASEWATCH_DAEMON_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "paths.h" /* CW_*DIR: where configure put things */

/* Where casewatchd looks without -c. */
#define CW_CONF_DEFAULT_PATH CW_SYSCONFDIR "/casewatch.conf"

enum cw_conf_type {
	CW_CONF_STRING,	  /* free text, e.g. a libpq connection string */
	CW_CONF_PATH,	  /* an absolute path, or empty where allowed */
	CW_CONF_INT,	  /* a whole number within [min, max] */
	CW_CONF_BOOL,	  /* yes/no, true/false, on/off, 1/0 */
	CW_CONF_DURATION, /* "500ms", "30s", "5m", "1h", "1d", "1m30s" -> milliseconds */
	CW_CONF_ENUM,	  /* one of a list of names -> its value */
	CW_CONF_MODE,	  /* an octal file mode, e.g. 0660 */
	CW_CONF_LIST,	  /* names separated by commas and/or blanks */
};

/* Setting flags. */
#define CW_CONF_RELOAD 1   /* takes effect on SIGHUP (else: needs a restart) */
#define CW_CONF_REQUIRED 2 /* no default: the file must set it */
#define CW_CONF_SECRET 4   /* printed with any password masked */
#define CW_CONF_EMPTY_OK 8 /* an empty value is allowed (means "none") */

/* An enum setting's names and values. */
struct cw_conf_enum {
	const char *name;
	int value;
};

/* One row of the settings table. */
struct cw_conf_setting {
	const char *name;
	const char *section;
	enum cw_conf_type type;
	size_t offset;			  /* into struct cw_conf */
	unsigned flags;			  /* CW_CONF_* */
	const char *def;		  /* default, as it would be written in the file */
	const struct cw_conf_enum *values; /* CW_CONF_ENUM: NULL-terminated */
	int64_t min, max;		  /* CW_CONF_INT and CW_CONF_DURATION (ms) */
	const char *help;
};

/* log_target values. */
enum cw_conf_log_target {
	CW_CONF_LOG_AUTO,    /* journal under systemd, else syslog */
	CW_CONF_LOG_SYSLOG,
	CW_CONF_LOG_JOURNAL,
	CW_CONF_LOG_STDERR,
	CW_CONF_LOG_BOTH,    /* syslog and journal */
};

/* The effective settings. Durations are milliseconds; strings are never
 * NULL (empty when unset). */
struct cw_conf {
	/* [database] */
	char *database;
	int64_t connect_timeout_ms;
	int64_t statement_timeout_ms;
	int64_t retry_base_ms;
	int64_t retry_cap_ms;
	char *migrations_dir;
	bool read_ahead;
	/* [policy] */
	char *profile;
	char *profile_dir;
	int nation; /* enum cw_nation */
	bool allow_shorter_retention;
	int64_t retention_notice_window_ms;
	int64_t destruction_grace_ms;
	/* [daemon] */
	int64_t poll_interval_ms;
	int64_t sweep_interval_ms;
	int64_t change_overlap_ms;
	int64_t transition_retention_ms; /* 0: kept for ever */
	int64_t audit_retention_ms;	 /* 0: kept for ever */
	char *listen_channel;
	int64_t wakeup_delay_ms;
	char *pidfile;
	char *test_clock_file;
	/* [socket] */
	char *socket_path;
	int socket_mode;
	char *socket_group;
	char *admin_users;
	char *admin_groups;
	int max_clients;
	int client_buffer_limit;
	int transition_log_bytes;
	/* [log] */
	int log_level; /* enum cw_log_level */
	int log_target; /* enum cw_conf_log_target */
	char *syslog_ident;
	int syslog_facility;
	char *syslog_socket;
	int64_t log_rate_limit_ms;
	/* [metrics] */
	char *metrics_listen; /* empty: off */
};

/* The settings table, in file order. */
const struct cw_conf_setting *cw_conf_settings(size_t *count);
/* A setting by name, or NULL. */
const struct cw_conf_setting *cw_conf_find(const char *name);

/* Settings with every default applied; required ones are empty. */
struct cw_conf *cw_conf_defaults(void);
/* Reads a file. On any problem returns NULL and sets *errors to every
 * problem, one per line ("file:line: name: what is wrong"); free() it. */
struct cw_conf *cw_conf_load(const char *path, char **errors);
void cw_conf_free(struct cw_conf *conf);

/* Prepares fresh (just loaded) to replace old on reload: every changed
 * restart-only setting gets its old value back. Returns a malloc'd report,
 * one line per changed setting ("poll_interval: 30s -> 10s" or
 * "socket_path: changed, needs a restart (keeping /run/x.sock)"), or NULL
 * when nothing changed. */
char *cw_conf_reload_merge(const struct cw_conf *old, struct cw_conf *fresh);

/* A setting's value as the file would spell it (passwords masked for
 * CW_CONF_SECRET); malloc'd. */
char *cw_conf_value(const struct cw_conf *conf, const struct cw_conf_setting *s);
/* Prints the settings as a config file; with comments, each setting is
 * preceded by its help, default and whether reload applies it, and a
 * setting still at its default is printed commented out. */
void cw_conf_print(const struct cw_conf *conf, FILE *out, bool comments);

/* Durations: parse "1m30s"-style text into ms; format ms back. */
bool cw_conf_parse_duration(const char *text, int64_t *ms);
void cw_conf_format_duration(int64_t ms, char *buf, size_t size);

/* True if name is one of the names in a CW_CONF_LIST value. */
bool cw_conf_list_contains(const char *list, const char *name);

#endif /* CASEWATCH_DAEMON_CONF_H */
