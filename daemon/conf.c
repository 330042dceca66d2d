/* conf.c - the settings table and the casewatch.conf parser. */
#include "config.h"
#include "paths.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "conf.h"
#include "log.h"
#include "metrics.h"

#define CONF_OFF(field) offsetof(struct cw_conf, field)
#define CONF_MS_DAY (86400LL * 1000)

static const struct cw_conf_enum nations[] = {
	{ "england-and-wales", 0 }, { "scotland", 1 }, { "northern-ireland", 2 }, { NULL, 0 },
};

static const struct cw_conf_enum log_levels[] = {
	{ "err", CW_LOG_ERR },	   { "warning", CW_LOG_WARNING }, { "notice", CW_LOG_NOTICE },
	{ "info", CW_LOG_INFO },   { "debug", CW_LOG_DEBUG },	  { NULL, 0 },
};

static const struct cw_conf_enum log_targets[] = {
	{ "auto", CW_CONF_LOG_AUTO },	    { "syslog", CW_CONF_LOG_SYSLOG },
	{ "journal", CW_CONF_LOG_JOURNAL }, { "stderr", CW_CONF_LOG_STDERR },
	{ "both", CW_CONF_LOG_BOTH },	    { NULL, 0 },
};

/* syslog(3) facility numbers (RFC 5424 table 1). */
static const struct cw_conf_enum facilities[] = {
	{ "user", 1 },	  { "daemon", 3 },  { "auth", 4 },    { "local0", 16 }, { "local1", 17 },
	{ "local2", 18 }, { "local3", 19 }, { "local4", 20 }, { "local5", 21 }, { "local6", 22 },
	{ "local7", 23 }, { NULL, 0 },
};

static const char *const sections[] = { "database", "policy", "daemon", "socket", "log", "metrics", NULL };

/* The settings: this table is the single source for parsing, defaults,
 * validation, printing and docs/configuration.md. */
static const struct cw_conf_setting settings[] = {
	{ "database", "database", CW_CONF_STRING, CONF_OFF(database), CW_CONF_REQUIRED | CW_CONF_SECRET,
	  NULL, NULL, 0, 0,
	  "libpq connection string for the council's records database, e.g.\n"
	  "\"host=/run/postgresql dbname=records user=casewatch\". casewatchd adds\n"
	  "connect_timeout, fallback_application_name=casewatchd, an empty\n"
	  "search_path, statement_timeout and TCP keepalives itself. For a remote\n"
	  "server give hostaddr= (an IP address) as well as host=: libpq resolves a\n"
	  "host name synchronously, which would hold up the daemon while DNS is slow." },
	{ "connect_timeout", "database", CW_CONF_DURATION, CONF_OFF(connect_timeout_ms), 0, "10s", NULL,
	  1000, 600000, "How long one connection attempt may take before it is abandoned." },
	{ "statement_timeout", "database", CW_CONF_DURATION, CONF_OFF(statement_timeout_ms), 0, "5m",
	  NULL, 0, CONF_MS_DAY,
	  "Server-side limit for any one query (0 = none). Migrations run without it." },
	{ "retry_base", "database", CW_CONF_DURATION, CONF_OFF(retry_base_ms), CW_CONF_RELOAD, "500ms",
	  NULL, 10, 3600000,
	  "Reconnect backoff: first delay. Later delays grow with decorrelated jitter." },
	{ "retry_cap", "database", CW_CONF_DURATION, CONF_OFF(retry_cap_ms), CW_CONF_RELOAD, "30s", NULL,
	  10, 3600000, "Reconnect backoff: the longest delay between attempts." },
	{ "read_ahead", "database", CW_CONF_BOOL, CONF_OFF(read_ahead), 0, "yes", NULL, 0, 0,
	  "Read persons' facts on a second connection (application_name \"casewatchd\n"
	  "reader\"), a page ahead, while the page before is written on the first, so\n"
	  "the server reads and writes at once. no: one connection, page after page." },
	{ "migrations_dir", "database", CW_CONF_PATH, CONF_OFF(migrations_dir), 0,
	  CW_DATADIR "/sql/casewatch", NULL, 0, 0,
	  "Directory of casewatch's schema migrations (NNN_name.sql), applied in order\n"
	  "at start-up, each in its own transaction." },

	{ "profile", "policy", CW_CONF_STRING, CONF_OFF(profile), CW_CONF_RELOAD, "default", NULL, 0, 0,
	  "Policy profile: a name looked up in profile_dir, or an absolute path." },
	{ "profile_dir", "policy", CW_CONF_PATH, CONF_OFF(profile_dir), CW_CONF_RELOAD,
	  CW_DATADIR "/profiles", NULL, 0, 0, "Directory of policy profiles (NAME.json)." },
	{ "nation", "policy", CW_CONF_ENUM, CONF_OFF(nation), CW_CONF_RELOAD, "england-and-wales",
	  nations, 0, 0, "Whose bank holidays count as non-working days." },
	{ "allow_shorter_retention", "policy", CW_CONF_BOOL, CONF_OFF(allow_shorter_retention), CW_CONF_RELOAD,
	  "no", NULL, 0, 0,
	  "A reload whose profile would shorten a retention period (bring destruction\n"
	  "dates earlier) is refused unless this is yes. Preview the change first with\n"
	  "casewatchctl retention preview; set it back to no afterwards." },
	{ "retention_notice_window", "policy", CW_CONF_DURATION, CONF_OFF(retention_notice_window_ms),
	  CW_CONF_RELOAD, "90d", NULL, CONF_MS_DAY, CONF_MS_DAY * 3660,
	  "How long before a record's destruction date the records officer is told\n"
	  "it is coming (the upcoming notice, due_soon), in whole days (e.g. 60d).\n"
	  "A change applies to each person at the next sweep." },
	{ "destruction_grace", "policy", CW_CONF_DURATION, CONF_OFF(destruction_grace_ms), CW_CONF_RELOAD,
	  "30d", NULL, 0, CONF_MS_DAY * 3660,
	  "A person whose destruction was approved and who is still in the records\n"
	  "this long after the approval is an alert for the records officer\n"
	  "(DESTROY-LIST, overdue)." },

	{ "poll_interval", "daemon", CW_CONF_DURATION, CONF_OFF(poll_interval_ms), CW_CONF_RELOAD, "30s",
	  NULL, 1000, CONF_MS_DAY, "How often the daemon looks for changed records and due alerts." },
	{ "sweep_interval", "daemon", CW_CONF_DURATION, CONF_OFF(sweep_interval_ms), CW_CONF_RELOAD, "6h",
	  NULL, 0, CONF_MS_DAY * 7,
	  "How often every person is recomputed even if nothing changed, counted from\n"
	  "the last complete sweep stored in the database, across restarts (0 = only\n"
	  "when the profile, the calendar or casewatchd's version changed). Between\n"
	  "sweeps only changed persons are;\n"
	  "a sweep catches what time alone changes, such as an involvement whose end\n"
	  "was recorded in advance, and changes a lagging replica showed late." },
	{ "change_overlap", "daemon", CW_CONF_DURATION, CONF_OFF(change_overlap_ms), CW_CONF_RELOAD, "5m",
	  NULL, 0, CONF_MS_DAY,
	  "Change markers are re-read this far back on every pass, because a records\n"
	  "transaction that began before a pass may commit after it. Make it longer\n"
	  "than the longest transaction (and any replica lag) of the records system." },
	{ "transition_retention", "daemon", CW_CONF_DURATION, CONF_OFF(transition_retention_ms),
	  CW_CONF_RELOAD, "90d", NULL, 0, CONF_MS_DAY * 3660,
	  "Delivered alert transitions older than this are pruned from the store\n"
	  "(0 = kept for ever). Subscribers can resume (subscribe with since) from\n"
	  "any cursor within it. A transition the syslog sink has not taken, or that\n"
	  "a connected subscriber has still to read, is kept whatever its age, and so\n"
	  "is each alert's newest one." },
	{ "audit_retention", "daemon", CW_CONF_DURATION, CONF_OFF(audit_retention_ms), CW_CONF_RELOAD,
	  "2190d", NULL, 0, CONF_MS_DAY * 36600,
	  "Audit rows (who acknowledged or snoozed what) older than this are pruned\n"
	  "(0 = kept for ever). At least transition_retention: the audit outlives\n"
	  "the transitions it explains." },
	{ "listen_channel", "daemon", CW_CONF_STRING, CONF_OFF(listen_channel), CW_CONF_EMPTY_OK, "", NULL,
	  0, 0,
	  "LISTEN on this channel for wake-ups (empty: none; polling only). A\n"
	  "notification starts a pass at once instead of at the next poll_interval;\n"
	  "install the records' trigger that sends it (sql/records/notify.sql).\n"
	  "Polling goes on as the fallback: a notification lost with a connection\n"
	  "delays a change by poll_interval at most." },
	{ "wakeup_delay", "daemon", CW_CONF_DURATION, CONF_OFF(wakeup_delay_ms), CW_CONF_RELOAD, "20ms",
	  NULL, 0, 10000,
	  "After a notification, wait this long for more before starting the pass, so\n"
	  "a burst of changes costs one pass; notifications during a pass start\n"
	  "one more pass after it." },
	{ "pidfile", "daemon", CW_CONF_PATH, CONF_OFF(pidfile), CW_CONF_EMPTY_OK, "", NULL, 0, 0,
	  "Write the daemon's pid here (empty: no pidfile; systemd does not need one)." },
	{ "test_clock_file", "daemon", CW_CONF_PATH, CONF_OFF(test_clock_file),
	  CW_CONF_RELOAD | CW_CONF_EMPTY_OK, "", NULL, 0, 0,
	  "TEST ONLY. A file holding one timestamp (e.g. 2026-11-23T09:00:00Z), read\n"
	  "on every tick, used as the current time. Never set this in production." },

	{ "socket_path", "socket", CW_CONF_PATH, CONF_OFF(socket_path), 0,
	  CW_RUNSTATEDIR "/casewatch.sock", NULL, 0, 0,
	  "Unix socket for casewatchctl and subscribers." },
	{ "socket_mode", "socket", CW_CONF_MODE, CONF_OFF(socket_mode), 0, "0660", NULL, 0, 0777,
	  "Permissions of the socket file." },
	{ "socket_group", "socket", CW_CONF_STRING, CONF_OFF(socket_group), CW_CONF_EMPTY_OK, "casewatch",
	  NULL, 0, 0, "Group owning the socket file (empty: the daemon's group)." },
	{ "admin_users", "socket", CW_CONF_LIST, CONF_OFF(admin_users), CW_CONF_RELOAD | CW_CONF_EMPTY_OK,
	  "", NULL, 0, 0, "Users who may acknowledge and snooze alerts (comma-separated)." },
	{ "admin_groups", "socket", CW_CONF_LIST, CONF_OFF(admin_groups),
	  CW_CONF_RELOAD | CW_CONF_EMPTY_OK, "casewatch-admin", NULL, 0, 0,
	  "Groups whose members may acknowledge and snooze alerts." },
	{ "max_clients", "socket", CW_CONF_INT, CONF_OFF(max_clients), CW_CONF_RELOAD, "64", NULL, 1,
	  10000, "Most socket clients connected at once; more are refused." },
	{ "client_buffer_limit", "socket", CW_CONF_INT, CONF_OFF(client_buffer_limit), CW_CONF_RELOAD,
	  "1048576", NULL, 4096, 1073741824,
	  "Bytes queued for one slow client before it is disconnected." },
	{ "transition_log_bytes", "socket", CW_CONF_INT, CONF_OFF(transition_log_bytes), 0, "4194304", NULL,
	  0, 1073741824,
	  "Most bytes of recent transitions kept in memory (as compact JSON, at most\n"
	  "10,000 of them) so that subscribers resuming from a recent cursor are\n"
	  "served without the database; 0: the count alone bounds them." },

	{ "log_level", "log", CW_CONF_ENUM, CONF_OFF(log_level), CW_CONF_RELOAD, "info", log_levels, 0, 0,
	  "Least severe messages logged: debug, info, notice, warning or err.\n"
	  "Alert transitions are always logged, whatever this is." },
	{ "log_target", "log", CW_CONF_ENUM, CONF_OFF(log_target), 0, "auto", log_targets, 0, 0,
	  "auto (the journal under systemd, else syslog), syslog, journal, stderr,\n"
	  "or both (syslog and journal). -f adds stderr." },
	{ "syslog_ident", "log", CW_CONF_STRING, CONF_OFF(syslog_ident), 0, "casewatchd", NULL, 0, 0,
	  "APP-NAME in syslog messages, SYSLOG_IDENTIFIER in the journal." },
	{ "syslog_facility", "log", CW_CONF_ENUM, CONF_OFF(syslog_facility), 0, "daemon", facilities, 0,
	  0, "Syslog facility: daemon, user, auth or local0 ... local7." },
	{ "syslog_socket", "log", CW_CONF_PATH, CONF_OFF(syslog_socket), 0, "/dev/log", NULL, 0, 0,
	  "Unix datagram socket receiving RFC 5424 messages." },
	{ "log_rate_limit", "log", CW_CONF_DURATION, CONF_OFF(log_rate_limit_ms), 0, "60s", NULL, 0,
	  CONF_MS_DAY,
	  "Repetitive messages (e.g. a database outage) are logged at most once per\n"
	  "this interval, then summarised (0 = no rate limit)." },

	{ "metrics_listen", "metrics", CW_CONF_STRING, CONF_OFF(metrics_listen), CW_CONF_EMPTY_OK, "", NULL, 0, 0,
	  "Serve Prometheus metrics (GET /metrics over HTTP) on this address: PORT\n"
	  "(on 127.0.0.1), IPV4:PORT or [IPV6]:PORT, numeric only. Empty: off.\n"
	  "No label carries a person id or anything from a record; still, keep it\n"
	  "on loopback or a management network." },
};

#define NSETTINGS (sizeof(settings) / sizeof(settings[0]))

/* A growing text buffer for error lists and reports. */
struct conf_buf {
	char *text;
	size_t len, size;
};

/* Appends one printf-style line. */
static void conf_buf_line(struct conf_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void conf_buf_line(struct conf_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (b->len + (size_t)n + 2 > b->size) {
		size_t size = (b->len + (size_t)n + 2) * 2;
		char *t = realloc(b->text, size);

		if (!t)
			abort();
		b->text = t;
		b->size = size;
	}
	va_start(ap, fmt);
	vsnprintf(b->text + b->len, b->size - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	b->text[b->len++] = '\n';
	b->text[b->len] = '\0';
}

/* The table. */
const struct cw_conf_setting *cw_conf_settings(size_t *count)
{
	*count = NSETTINGS;
	return settings;
}

/* Looks a setting up by name. */
const struct cw_conf_setting *cw_conf_find(const char *name)
{
	for (size_t i = 0; i < NSETTINGS; i++)
		if (!strcmp(settings[i].name, name))
			return &settings[i];
	return NULL;
}

/* Parses "1h", "30s", "500ms", "1m30s" (blanks allowed before a unit), or "0". */
bool cw_conf_parse_duration(const char *text, int64_t *ms)
{
	static const struct {
		const char *unit;
		int64_t ms;
	} units[] = { { "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 }, { "d", CONF_MS_DAY } };
	const char *p = text;
	int64_t total = 0;

	if (!strcmp(text, "0")) {
		*ms = 0;
		return true;
	}
	if (!*p)
		return false;
	while (*p) {
		int64_t n = 0;
		size_t best = 0, k;
		int u = -1;

		if (!isdigit((unsigned char)*p))
			return false;
		while (isdigit((unsigned char)*p)) {
			n = n * 10 + (*p++ - '0');
			if (n > 1000000000)
				return false;
		}
		while (*p == ' ')
			p++;
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			k = strlen(units[i].unit);
			if (!strncmp(p, units[i].unit, k) && !isalpha((unsigned char)p[k]) && k > best) {
				best = k;
				u = (int)i;
			}
		}
		if (u < 0)
			return false;
		p += best;
		/* Each term is at most 1e9 days (8.64e16 ms); capping the sum
		 * at 1e17 ms keeps any number of terms from overflowing. */
		total += n * units[u].ms;
		if (total > INT64_C(100000000000000000))
			return false;
		while (*p == ' ')
			p++;
	}
	*ms = total;
	return true;
}

/* Formats ms in the largest unit that divides it exactly. */
void cw_conf_format_duration(int64_t ms, char *buf, size_t size)
{
	if (ms == 0)
		snprintf(buf, size, "0");
	else if (ms % CONF_MS_DAY == 0)
		snprintf(buf, size, "%lldd", (long long)(ms / CONF_MS_DAY));
	else if (ms % 3600000 == 0)
		snprintf(buf, size, "%lldh", (long long)(ms / 3600000));
	else if (ms % 60000 == 0)
		snprintf(buf, size, "%lldm", (long long)(ms / 60000));
	else if (ms % 1000 == 0)
		snprintf(buf, size, "%llds", (long long)(ms / 1000));
	else
		snprintf(buf, size, "%lldms", (long long)ms);
}

/* True if name is in a comma/blank separated list. */
bool cw_conf_list_contains(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; *p;) {
		size_t k;

		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		k = strcspn(p, ", \t");
		if (k == n && n > 0 && !strncmp(p, name, n))
			return true;
		p += k;
	}
	return false;
}

/* Names of an enum's values, "a, b or c". */
static void conf_enum_names(const struct cw_conf_enum *values, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (const struct cw_conf_enum *e = values; e->name; e++) {
		const char *sep = e == values ? "" : e[1].name ? ", " : " or ";
		int n = snprintf(buf + len, size - len, "%s%s", sep, e->name);

		if (n < 0 || (size_t)n >= size - len)
			break;
		len += (size_t)n;
	}
}

/* Parses value for setting s into conf; on error writes why into why. */
static bool conf_set(struct cw_conf *conf, const struct cw_conf_setting *s, const char *value,
		     char *why, size_t wsize)
{
	void *field = (char *)conf + s->offset;
	char names[256], a[32], b[32], ev[CW_ERROR_ECHO_STRLEN];
	char *end;
	long long n;

	if (!*value && (s->flags & CW_CONF_REQUIRED)) {
		snprintf(why, wsize, "must not be empty");
		return false;
	}
	switch (s->type) {
	case CW_CONF_PATH:
		if (*value && value[0] != '/') {
			snprintf(why, wsize, "\"%s\" is not an absolute path", cw_error_echo(value, ev));
			return false;
		}
		/* fall through */
	case CW_CONF_STRING:
	case CW_CONF_LIST:
		if (!*value && !(s->flags & CW_CONF_EMPTY_OK) && s->type != CW_CONF_STRING) {
			snprintf(why, wsize, "must not be empty");
			return false;
		}
		free(*(char **)field);
		*(char **)field = strdup(value);
		if (!*(char **)field)
			abort();
		return true;
	case CW_CONF_INT:
		errno = 0;
		n = strtoll(value, &end, 10);
		if (!*value || *end || errno) {
			snprintf(why, wsize, "\"%s\" is not a whole number", cw_error_echo(value, ev));
			return false;
		}
		if (n < s->min || n > s->max) {
			snprintf(why, wsize, "%lld is out of range (%lld to %lld)", n, (long long)s->min,
				 (long long)s->max);
			return false;
		}
		*(int *)field = (int)n;
		return true;
	case CW_CONF_BOOL:
		if (!strcasecmp(value, "yes") || !strcasecmp(value, "true") || !strcasecmp(value, "on") ||
		    !strcmp(value, "1"))
			*(bool *)field = true;
		else if (!strcasecmp(value, "no") || !strcasecmp(value, "false") ||
			 !strcasecmp(value, "off") || !strcmp(value, "0"))
			*(bool *)field = false;
		else {
			snprintf(why, wsize, "\"%s\" is not a boolean (yes/no, true/false, on/off, 1/0)",
				 cw_error_echo(value, ev));
			return false;
		}
		return true;
	case CW_CONF_DURATION:
		if (!cw_conf_parse_duration(value, (int64_t *)field)) {
			snprintf(why, wsize, "\"%s\" is not a duration (e.g. 30s, 5m, 1h)", cw_error_echo(value, ev));
			return false;
		}
		if (*(int64_t *)field < s->min || *(int64_t *)field > s->max) {
			cw_conf_format_duration(s->min, a, sizeof(a));
			cw_conf_format_duration(s->max, b, sizeof(b));
			snprintf(why, wsize, "%s is out of range (%s to %s)", cw_error_echo(value, ev), a, b);
			return false;
		}
		return true;
	case CW_CONF_ENUM:
		for (const struct cw_conf_enum *e = s->values; e->name; e++) {
			if (!strcmp(e->name, value)) {
				*(int *)field = e->value;
				return true;
			}
		}
		conf_enum_names(s->values, names, sizeof(names));
		snprintf(why, wsize, "\"%s\" is not one of %s", cw_error_echo(value, ev), names);
		return false;
	case CW_CONF_MODE:
		errno = 0;
		n = strtoll(value, &end, 8);
		if (!*value || *end || errno || n < 0 || n > s->max) {
			snprintf(why, wsize, "\"%s\" is not an octal file mode (e.g. 0660)", cw_error_echo(value, ev));
			return false;
		}
		*(int *)field = (int)n;
		return true;
	}
	return false;
}

/* Settings with defaults applied. */
struct cw_conf *cw_conf_defaults(void)
{
	struct cw_conf *conf = calloc(1, sizeof(*conf));
	char why[512];

	if (!conf)
		abort();
	for (size_t i = 0; i < NSETTINGS; i++) {
		const struct cw_conf_setting *s = &settings[i];

		if (s->type == CW_CONF_STRING || s->type == CW_CONF_PATH || s->type == CW_CONF_LIST) {
			*(char **)((char *)conf + s->offset) = strdup(s->def ? s->def : "");
		} else if (!conf_set(conf, s, s->def, why, sizeof(why))) {
			/* The table itself is wrong: a programming error. */
			fprintf(stderr, "casewatchd: default of %s: %s\n", s->name, why);
			abort();
		}
	}
	return conf;
}

/* Frees the settings. */
void cw_conf_free(struct cw_conf *conf)
{
	if (!conf)
		return;
	for (size_t i = 0; i < NSETTINGS; i++)
		if (settings[i].type == CW_CONF_STRING || settings[i].type == CW_CONF_PATH ||
		    settings[i].type == CW_CONF_LIST)
			free(*(char **)((char *)conf + settings[i].offset));
	free(conf);
}

/* Levenshtein distance, capped, for "did you mean" suggestions. */
static int conf_distance(const char *a, const char *b)
{
	int prev[64], cur[64];
	size_t la = strlen(a), lb = strlen(b);

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			int del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, sizeof(int) * (lb + 1));
	}
	return prev[lb];
}

/* Trims blanks at both ends, in place. */
static char *conf_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Unquotes "..." (with \" and \\) or strips a " # comment"; in place. */
static bool conf_value(char *v, char **out)
{
	while (isspace((unsigned char)*v))
		v++;
	if (*v == '"') {
		char *w = v, *r = v + 1;

		for (; *r && *r != '"'; r++) {
			if (*r == '\\' && (r[1] == '"' || r[1] == '\\'))
				r++;
			*w++ = *r;
		}
		if (*r != '"')
			return false;
		r = conf_trim(r + 1);
		if (*r && *r != '#')
			return false;
		*w = '\0';
		*out = v;
		return true;
	}
	for (char *p = v; *p; p++) {
		if (*p == '#' && p > v && isspace((unsigned char)p[-1])) {
			*p = '\0';
			break;
		}
	}
	*out = conf_trim(v);
	return true;
}

/* Checks a libpq connection string with libpq's own parser (a bare
 * database name is fine too). */
/* metrics_listen: an address the endpoint can bind without a DNS look-up. */
static bool conf_listen_ok(const char *value, char *why, size_t wsize)
{
	char addr[64];
	uint16_t port;

	return cw_metrics_parse_listen(value, addr, sizeof(addr), &port, why, wsize);
}

static bool conf_conninfo_ok(const char *value, char *why, size_t wsize)
{
	PQconninfoOption *opts;
	char *msg = NULL;

	if (!strchr(value, '=') && strncmp(value, "postgres://", 11) &&
	    strncmp(value, "postgresql://", 13))
		return true;
	opts = PQconninfoParse(value, &msg);
	if (opts) {
		PQconninfoFree(opts);
		return true;
	}
	snprintf(why, wsize, "not a valid connection string: %.*s",
		 msg ? (int)strcspn(msg, "\n") : 13, msg ? msg : "out of memory");
	PQfreemem(msg);
	return false;
}

/* True if name is a known section. */
static bool conf_section_known(const char *name)
{
	for (const char *const *s = sections; *s; s++)
		if (!strcmp(*s, name))
			return true;
	return false;
}

/* Parses the text of a file; problems go into errs. */
static void conf_parse(struct cw_conf *conf, const char *path, char *text, struct conf_buf *errs)
{
	int seen[NSETTINGS] = { 0 };
	char section[64] = "";
	int lineno = 0;
	char *save = NULL;

	for (char *line = text; line; line = save) {
		char *nl = strchr(line, '\n'), *key, *val, *eq, why[512], ek[CW_ERROR_ECHO_STRLEN];
		const struct cw_conf_setting *s;
		size_t idx;

		save = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		lineno++;
		line = conf_trim(line);
		if (!*line || *line == '#' || *line == ';')
			continue;
		if (*line == '[') {
			char *close = strchr(line, ']');

			if (!close || *conf_trim(close + 1)) {
				conf_buf_line(errs, "%s:%d: malformed section header (expected [name])", path,
					      lineno);
				continue;
			}
			*close = '\0';
			key = conf_trim(line + 1);
			if (!conf_section_known(key)) {
				conf_buf_line(errs, "%s:%d: [%s]: unknown section (known: database, policy, "
						    "daemon, socket, log)", path, lineno, cw_error_echo(key, ek));
				section[0] = '\0';
				continue;
			}
			snprintf(section, sizeof(section), "%s", key);
			continue;
		}
		eq = strchr(line, '=');
		if (!eq) {
			conf_buf_line(errs, "%s:%d: expected \"name = value\"", path, lineno);
			continue;
		}
		*eq = '\0';
		key = conf_trim(line);
		/* Messages quote at most an excerpt of what the file says. */
		cw_error_echo(key, ek);
		if (!conf_value(eq + 1, &val)) {
			conf_buf_line(errs, "%s:%d: %s: unterminated quoted value or text after it", path,
				      lineno, ek);
			continue;
		}
		s = cw_conf_find(key);
		if (!s) {
			const char *best = NULL;
			int bestd = 3;

			for (size_t i = 0; i < NSETTINGS; i++) {
				int d = conf_distance(key, settings[i].name);

				if (d < bestd) {
					bestd = d;
					best = settings[i].name;
				}
			}
			if (best)
				conf_buf_line(errs, "%s:%d: %s: unknown setting (did you mean %s?)", path,
					      lineno, ek, best);
			else
				conf_buf_line(errs, "%s:%d: %s: unknown setting", path, lineno, ek);
			continue;
		}
		idx = (size_t)(s - settings);
		if (section[0] && strcmp(section, s->section)) {
			conf_buf_line(errs, "%s:%d: %s: belongs in [%s], not [%s]", path, lineno, ek,
				      s->section, section);
			continue;
		}
		if (seen[idx]) {
			conf_buf_line(errs, "%s:%d: %s: set twice (first on line %d)", path, lineno, ek,
				      seen[idx]);
			continue;
		}
		seen[idx] = lineno;
		if (!conf_set(conf, s, val, why, sizeof(why)))
			conf_buf_line(errs, "%s:%d: %s: %s", path, lineno, ek, why);
		else if (s->offset == CONF_OFF(database) && !conf_conninfo_ok(val, why, sizeof(why)))
			conf_buf_line(errs, "%s:%d: %s: %s", path, lineno, ek, why);
		else if (s->offset == CONF_OFF(metrics_listen) && *val && !conf_listen_ok(val, why, sizeof(why)))
			conf_buf_line(errs, "%s:%d: %s: %s", path, lineno, ek, why);
	}
	for (size_t i = 0; i < NSETTINGS; i++)
		if ((settings[i].flags & CW_CONF_REQUIRED) && !seen[i])
			conf_buf_line(errs, "%s: %s: required setting missing", path, settings[i].name);
	if (conf->retry_base_ms > conf->retry_cap_ms) {
		char a[32], b[32];

		cw_conf_format_duration(conf->retry_base_ms, a, sizeof(a));
		cw_conf_format_duration(conf->retry_cap_ms, b, sizeof(b));
		int base_line = seen[cw_conf_find("retry_base") - settings];
		int cap_line = seen[cw_conf_find("retry_cap") - settings];

		conf_buf_line(errs, "%s:%d: retry_base: %s is longer than retry_cap (%s)", path,
			      base_line ? base_line : cap_line, a, b);
	}
	if (conf->audit_retention_ms != 0 &&
	    (conf->transition_retention_ms == 0 || conf->audit_retention_ms < conf->transition_retention_ms)) {
		char a[32], b[32];
		int audit_line = seen[cw_conf_find("audit_retention") - settings];
		int tr_line = seen[cw_conf_find("transition_retention") - settings];

		cw_conf_format_duration(conf->audit_retention_ms, a, sizeof(a));
		cw_conf_format_duration(conf->transition_retention_ms, b, sizeof(b));
		conf_buf_line(errs, "%s:%d: audit_retention: %s is shorter than transition_retention (%s); the audit must be kept longer",
			      path, audit_line ? audit_line : tr_line, a, conf->transition_retention_ms ? b : "0: for ever");
	}
	if (conf->retention_notice_window_ms % CONF_MS_DAY) {
		char a[32];

		cw_conf_format_duration(conf->retention_notice_window_ms, a, sizeof(a));
		conf_buf_line(errs, "%s:%d: retention_notice_window: %s is not a whole number of days", path,
			      seen[cw_conf_find("retention_notice_window") - settings], a);
	}
}

/* Reads and parses a configuration file. */
struct cw_conf *cw_conf_load(const char *path, char **errors)
{
	struct conf_buf errs = { 0 };
	struct cw_conf *conf;
	char *text = NULL;
	size_t size = 0;
	FILE *f;

	*errors = NULL;
	f = fopen(path, "r");
	if (!f) {
		conf_buf_line(&errs, "%s: cannot open: %s", path, strerror(errno));
		*errors = errs.text;
		return NULL;
	}
	{
		FILE *mem = open_memstream(&text, &size);
		char chunk[4096];
		size_t n;

		if (!mem)
			abort();
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			fwrite(chunk, 1, n, mem);
		if (ferror(f))
			conf_buf_line(&errs, "%s: cannot read: %s", path, strerror(errno));
		fclose(mem);
	}
	fclose(f);
	if (memchr(text, '\0', size))
		conf_buf_line(&errs, "%s: contains a NUL byte; is it a text file?", path);
	conf = cw_conf_defaults();
	if (!errs.text)
		conf_parse(conf, path, text, &errs);
	free(text);
	if (errs.text) {
		cw_conf_free(conf);
		*errors = errs.text;
		return NULL;
	}
	return conf;
}

/* Replaces a password in a libpq conninfo (keyword or URI form) with stars. */
static void conf_mask_password(char *s)
{
	char *p = strstr(s, "password");
	char *uri = strstr(s, "://");

	while (p) {
		char *v = p + strlen("password");

		while (*v == ' ')
			v++;
		if (*v == '=' && (p == s || isspace((unsigned char)p[-1]))) {
			v++;
			while (*v == ' ')
				v++;
			if (*v == '\'') {
				for (v++; *v && *v != '\''; v++)
					*v = '*';
			} else {
				for (; *v && !isspace((unsigned char)*v); v++)
					*v = '*';
			}
		}
		p = strstr(p + 1, "password");
	}
	if (uri) {
		char *at = strchr(uri + 3, '@'), *colon = strchr(uri + 3, ':');

		if (at && colon && colon < at)
			for (char *c = colon + 1; c < at; c++)
				*c = '*';
	}
}

/* A setting's value as text. */
char *cw_conf_value(const struct cw_conf *conf, const struct cw_conf_setting *s)
{
	const void *field = (const char *)conf + s->offset;
	char buf[64];
	char *out;

	switch (s->type) {
	case CW_CONF_STRING:
	case CW_CONF_PATH:
	case CW_CONF_LIST:
		out = strdup(*(char *const *)field);
		if (out && (s->flags & CW_CONF_SECRET))
			conf_mask_password(out);
		return out;
	case CW_CONF_INT:
		snprintf(buf, sizeof(buf), "%d", *(const int *)field);
		break;
	case CW_CONF_BOOL:
		snprintf(buf, sizeof(buf), "%s", *(const bool *)field ? "yes" : "no");
		break;
	case CW_CONF_DURATION:
		cw_conf_format_duration(*(const int64_t *)field, buf, sizeof(buf));
		break;
	case CW_CONF_ENUM:
		snprintf(buf, sizeof(buf), "?");
		for (const struct cw_conf_enum *e = s->values; e->name; e++) {
			if (e->value == *(const int *)field) {
				snprintf(buf, sizeof(buf), "%s", e->name);
				break;
			}
		}
		break;
	case CW_CONF_MODE:
		snprintf(buf, sizeof(buf), "%04o", *(const int *)field);
		break;
	}
	return strdup(buf);
}

/* Copies one setting's value from src to dst. */
static void conf_copy(struct cw_conf *dst, const struct cw_conf *src, const struct cw_conf_setting *s)
{
	void *d = (char *)dst + s->offset;
	const void *from = (const char *)src + s->offset;

	switch (s->type) {
	case CW_CONF_STRING:
	case CW_CONF_PATH:
	case CW_CONF_LIST:
		free(*(char **)d);
		*(char **)d = strdup(*(char *const *)from);
		break;
	case CW_CONF_DURATION:
		*(int64_t *)d = *(const int64_t *)from;
		break;
	case CW_CONF_BOOL:
		*(bool *)d = *(const bool *)from;
		break;
	case CW_CONF_INT:
	case CW_CONF_ENUM:
	case CW_CONF_MODE:
		*(int *)d = *(const int *)from;
		break;
	}
}

/* Keeps restart-only settings at their old values and reports changes. */
char *cw_conf_reload_merge(const struct cw_conf *old, struct cw_conf *fresh)
{
	struct conf_buf report = { 0 };

	for (size_t i = 0; i < NSETTINGS; i++) {
		const struct cw_conf_setting *s = &settings[i];
		char *a = cw_conf_value(old, s), *b = cw_conf_value(fresh, s);
		bool same = !strcmp(a, b);

		/* Masked secrets compare equal when only the password changed. */
		if (same && (s->flags & CW_CONF_SECRET))
			same = !strcmp(*(char *const *)((const char *)old + s->offset),
				       *(char *const *)((const char *)fresh + s->offset));
		if (!same) {
			if (s->flags & CW_CONF_RELOAD) {
				conf_buf_line(&report, "%s: \"%s\" -> \"%s\"", s->name, a, b);
			} else {
				conf_buf_line(&report, "%s: changed, needs a restart (keeping \"%s\")",
					      s->name, a);
				conf_copy(fresh, old, s);
			}
		}
		free(a);
		free(b);
	}
	return report.text;
}

/* Prints settings as a config file, optionally with comments. */
void cw_conf_print(const struct cw_conf *conf, FILE *out, bool comments)
{
	const char *section = NULL;

	for (size_t i = 0; i < NSETTINGS; i++) {
		const struct cw_conf_setting *s = &settings[i];
		char *v = cw_conf_value(conf, s);
		bool quote = !*v || strchr(v, '#') || strchr(v, '"') || isspace((unsigned char)v[0]) ||
			     isspace((unsigned char)v[strlen(v) - 1]);

		if (!section || strcmp(section, s->section)) {
			fprintf(out, "%s[%s]\n", section ? "\n" : "", s->section);
			section = s->section;
		}
		if (comments) {
			const char *h = s->help;

			fputs("\n", out);
			while (*h) {
				size_t n = strcspn(h, "\n");

				fprintf(out, "# %.*s\n", (int)n, h);
				h += n + (h[n] == '\n');
			}
			if (s->flags & CW_CONF_REQUIRED)
				fputs("# Required", out);
			else
				fprintf(out, "# Default: %s", *s->def ? s->def : "empty");
			fprintf(out, "; %s.\n", s->flags & CW_CONF_RELOAD ?
							 "a reload (SIGHUP) applies a change" :
							 "a change needs a restart");
		}
		/* With comments, a setting at its default is shown commented out. */
		if (comments && !(s->flags & CW_CONF_REQUIRED) && !strcmp(v, s->def))
			fputs("# ", out);
		if (quote) {
			fputs(s->name, out);
			fputs(" = \"", out);
			for (const char *c = v; *c; c++) {
				if (*c == '"' || *c == '\\')
					fputc('\\', out);
				fputc(*c, out);
			}
			fputs("\"\n", out);
		} else {
			fprintf(out, "%s = %s\n", s->name, v);
		}
		free(v);
	}
}
