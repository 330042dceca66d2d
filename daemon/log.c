/* log.c - RFC 5424 syslog datagrams, journal fields and stderr, rate-limited. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include "clock.h"
#include "log.h"

#define LOG_MSG_MAX 2048
#define LOG_DGRAM_MAX 4096
#define LOG_MAX_FIELDS 16

/* The events' names and MESSAGE_IDs, in enum cw_log_event's order. An id
 * never changes once released: systemd/casewatch.catalog and operators'
 * journal queries name it. */
static const struct {
	const char *name;
	const char *id;
} log_events[CW_EV_COUNT] = {
	[CW_EV_NONE] = { NULL, NULL },
	[CW_EV_RAISED] = { "raised", "40a066c92fad47fda7fcf317f0011c86" },
	[CW_EV_ESCALATED] = { "escalated", "a1c3450fdda7499992a7b8330ba8e857" },
	[CW_EV_RESOLVED] = { "resolved", "1bb0e7b5113a4b6bae931786c93a41ac" },
	[CW_EV_WITHDRAWN] = { "withdrawn", "18d9818b69eb4d718a7679a97fff604e" },
	[CW_EV_ACKNOWLEDGED] = { "acknowledged", "b9a192870caa4496b3f192e5339f7b86" },
	[CW_EV_SNOOZED] = { "snoozed", "51b4b98220ef4384951e9d7a4aa00b21" },
	[CW_EV_DESTRUCTION_DUE] = { "destruction-due", "043596f291d44a39856f1be51849fc26" },
	[CW_EV_DB_LOST] = { "db-lost", "4e9a9d8e197e484b8620fa93253f212c" },
	[CW_EV_DB_UNREACHABLE] = { "db-unreachable", "d57de7abd50a4a0f9740da0f47bc984a" },
	[CW_EV_DB_REGAINED] = { "db-regained", "0d4299a9ac1c4df098f8ad6607d31369" },
	[CW_EV_STANDBY] = { "standby", "6184e5aaf2804066813ec88b0078dd08" },
	[CW_EV_LEADER] = { "leader", "1dffa869aeca47ee89b6859f0a1dcc4a" },
	[CW_EV_RELOAD_ACCEPTED] = { "reload-accepted", "e3bcaf6cc1be4d5a9e255975b57dcd96" },
	[CW_EV_RELOAD_REFUSED] = { "reload-refused", "039d48f6e3c142d9a42c286c03f9d6dc" },
	[CW_EV_SUBSCRIBER_CUT_OFF] = { "subscriber-cut-off", "be2d05991a914f529611006123c956f7" },
};
#define LOG_RL_SLOTS 64
#define LOG_RL_KEY 48

/* One rate-limit key: when it last got through and how many were held back. */
struct log_rl_slot {
	char key[LOG_RL_KEY];
	enum cw_log_level level;
	int64_t last_ms;
	uint64_t suppressed;
};

/* The logger's state: the daemon has one logger. */
static struct {
	bool configured;
	unsigned targets;
	enum cw_log_level level;
	char ident[49];
	int facility;
	char syslog_socket[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int64_t ratelimit_ms;
	char hostname[256];
	int fd;
	bool connected;		/* fd is connected to syslog_socket */
	const char *refused_by;	/* the target that last refused a transition */
	uint64_t dropped;
	struct log_rl_slot rl[LOG_RL_SLOTS];
} logger = { .fd = -1 };

static const char *const level_names[] = {
	[CW_LOG_ERR] = "err",	    [CW_LOG_WARNING] = "warning", [CW_LOG_NOTICE] = "notice",
	[CW_LOG_INFO] = "info",	    [CW_LOG_DEBUG] = "debug",
};

/* Copies text into an RFC 5424 PRINTUSASCII field, or "-" when empty. */
static void log_copy_token(char *dst, size_t size, const char *src)
{
	size_t n = 0;

	for (; src && *src && n + 1 < size; src++)
		if (*src > 32 && *src < 127)
			dst[n++] = *src;
	if (n == 0 && size > 1)
		dst[n++] = '-';
	dst[n] = '\0';
}

/* Applies the options and opens the syslog socket. */
void cw_log_configure(const struct cw_log_options *opts)
{
	char host[256] = "";

	logger.targets = opts->targets;
	logger.level = opts->level;
	log_copy_token(logger.ident, sizeof(logger.ident), opts->ident ? opts->ident : "casewatchd");
	logger.facility = opts->facility;
	snprintf(logger.syslog_socket, sizeof(logger.syslog_socket), "%s",
		 opts->syslog_socket ? opts->syslog_socket : "/dev/log");
	logger.ratelimit_ms = opts->ratelimit_ms > 0 ? opts->ratelimit_ms : 0;
	gethostname(host, sizeof(host) - 1);
	log_copy_token(logger.hostname, sizeof(logger.hostname), host);
	if ((logger.targets & CW_LOG_TO_SYSLOG) && logger.fd < 0) {
		logger.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		logger.connected = false;
	}
	logger.configured = true;
}

/* The journal under systemd, plain syslog otherwise. */
unsigned cw_log_auto_targets(void)
{
	const char *js = getenv("JOURNAL_STREAM"), *inv = getenv("INVOCATION_ID");

	return ((js && *js) || (inv && *inv)) ? CW_LOG_TO_JOURNAL : CW_LOG_TO_SYSLOG;
}

/* Closes the socket and clears the rate-limit table. */
void cw_log_shutdown(void)
{
	if (logger.fd >= 0)
		close(logger.fd);
	logger.fd = -1;
	logger.connected = false;
	memset(logger.rl, 0, sizeof(logger.rl));
	logger.configured = false;
}

/* Parses a level name. */
bool cw_log_level_parse(const char *name, enum cw_log_level *out)
{
	for (int l = CW_LOG_ERR; l <= CW_LOG_DEBUG; l++) {
		if (!strcmp(name, level_names[l])) {
			*out = (enum cw_log_level)l;
			return true;
		}
	}
	return false;
}

/* A level's name. */
const char *cw_log_level_name(enum cw_log_level level)
{
	return level >= CW_LOG_ERR && level <= CW_LOG_DEBUG ? level_names[level] : "unknown";
}

/* True when level passes the filter (info and above before configuration). */
bool cw_log_enabled(enum cw_log_level level)
{
	return level <= (logger.configured ? logger.level : CW_LOG_INFO);
}

/* Datagrams that could not be delivered. */
uint64_t cw_log_dropped(void)
{
	return logger.dropped;
}

/* Appends printf-style text at *len, never overflowing. */
static void log_append(char *buf, size_t size, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void log_append(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= size - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len = (size_t)n >= size - *len ? size - 1 : *len + (size_t)n;
}

/* Appends an SD-PARAM value, escaping '"', '\' and ']' (RFC 5424 6.3.3). */
static void log_append_sd_value(char *buf, size_t size, size_t *len, const char *v)
{
	for (; *v && *len + 3 < size; v++) {
		if (*v == '"' || *v == '\\' || *v == ']')
			buf[(*len)++] = '\\';
		buf[(*len)++] = (unsigned char)*v < 32 ? '?' : *v;
	}
	buf[*len] = '\0';
}

/* True for a field name we accept: [a-z0-9_], 1..32 characters. */
static bool log_field_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 32)
		return false;
	for (; *name; name++)
		if (!((*name >= 'a' && *name <= 'z') || (*name >= '0' && *name <= '9') || *name == '_'))
			return false;
	return true;
}

/* Connects the socket to syslog_socket: sends then go to whoever has it
 * bound now, and poll() says when that receiver's queue has room again. */
static int log_syslog_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memcpy(sa.sun_path, logger.syslog_socket, strlen(logger.syslog_socket) + 1);
	if (connect(logger.fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return errno;
	logger.connected = true;
	return 0;
}

/* Sends one datagram without blocking: 0, or the errno. A receiver that
 * went away (a restarted syslog daemon) is connected to afresh, once. */
static int log_syslog_send(const char *dgram, size_t len)
{
	int e = EBADF;

	if (logger.fd < 0)
		return e;
	for (int attempt = 0; attempt < 2; attempt++) {
		if (!logger.connected && (e = log_syslog_connect()) != 0)
			return e;
		if (send(logger.fd, dgram, len, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
			return 0;
		e = errno;
		if (e != ECONNREFUSED && e != ENOTCONN && e != ECONNRESET && e != EPIPE)
			return e;
		logger.connected = false;
	}
	return e;
}

/* Sends one RFC 5424 datagram to the syslog socket, without blocking:
 * 0, or the errno (EAGAIN: the receiver's queue is full). */
static int log_to_syslog(enum cw_log_level level, const char *msgid, const char *message,
			  const struct cw_log_field *fields, size_t nfields)
{
	char dgram[LOG_DGRAM_MAX], mid[33];
	struct timespec ts;
	struct tm tm;
	size_t len = 0;

	if (logger.fd < 0)
		return EBADF;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	log_copy_token(mid, sizeof(mid), msgid);
	log_append(dgram, sizeof(dgram), &len,
		   "<%d>1 %04d-%02d-%02dT%02d:%02d:%02d.%06ldZ %s %s %ld %s ",
		   logger.facility * 8 + (int)level, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		   tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000, logger.hostname, logger.ident,
		   (long)getpid(), mid);
	if (nfields == 0) {
		log_append(dgram, sizeof(dgram), &len, "-");
	} else {
		log_append(dgram, sizeof(dgram), &len, "[" CW_LOG_SD_ID);
		for (size_t i = 0; i < nfields; i++) {
			log_append(dgram, sizeof(dgram), &len, " %s=\"", fields[i].name);
			log_append_sd_value(dgram, sizeof(dgram), &len, fields[i].value);
			log_append(dgram, sizeof(dgram), &len, "\"");
		}
		log_append(dgram, sizeof(dgram), &len, "]");
	}
	log_append(dgram, sizeof(dgram), &len, " %s", message);
	return log_syslog_send(dgram, len);
}

/* Sends the message and its fields to the journal: 0, or the errno. */
static int log_to_journal(enum cw_log_level level, const char *msgid, const char *message,
			   const struct cw_log_field *fields, size_t nfields)
{
	char bufs[LOG_MAX_FIELDS + 5][LOG_MSG_MAX / 4];
	struct iovec iov[LOG_MAX_FIELDS + 5];
	char msg[LOG_MSG_MAX + 16];
	int n = 0, r;

	snprintf(msg, sizeof(msg), "MESSAGE=%s", message);
	iov[n++] = (struct iovec){ msg, strlen(msg) };
	snprintf(bufs[n], sizeof(bufs[n]), "PRIORITY=%d", (int)level);
	iov[n] = (struct iovec){ bufs[n], strlen(bufs[n]) };
	n++;
	snprintf(bufs[n], sizeof(bufs[n]), "SYSLOG_IDENTIFIER=%s", logger.ident);
	iov[n] = (struct iovec){ bufs[n], strlen(bufs[n]) };
	n++;
	snprintf(bufs[n], sizeof(bufs[n]), "SYSLOG_FACILITY=%d", logger.facility);
	iov[n] = (struct iovec){ bufs[n], strlen(bufs[n]) };
	n++;
	if (msgid) {
		snprintf(bufs[n], sizeof(bufs[n]), "CASEWATCH_MSGID=%s", msgid);
		iov[n] = (struct iovec){ bufs[n], strlen(bufs[n]) };
		n++;
	}
	for (size_t i = 0; i < nfields && i < LOG_MAX_FIELDS; i++) {
		size_t k = 0;

		for (const char *p = fields[i].name; *p && k < 40; p++)
			bufs[n][k++] = (*p >= 'a' && *p <= 'z') ? (char)(*p - 'a' + 'A') : *p;
		snprintf(bufs[n] + k, sizeof(bufs[n]) - k, "=%s", fields[i].value);
		iov[n] = (struct iovec){ bufs[n], strlen(bufs[n]) };
		n++;
	}
	r = sd_journal_sendv(iov, n);
	return r < 0 ? -r : 0;
}

/* Writes a line to stderr: time, ident, level, message, fields; 0, or the errno. */
static int log_to_stderr(enum cw_log_level level, const char *message,
			  const struct cw_log_field *fields, size_t nfields)
{
	char line[LOG_DGRAM_MAX];
	struct timespec ts;
	struct tm tm;
	size_t len = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	log_append(line, sizeof(line), &len, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s[%ld] %s: %s",
		   tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		   ts.tv_nsec / 1000000, logger.ident[0] ? logger.ident : "casewatchd",
		   (long)getpid(), cw_log_level_name(level), message);
	for (size_t i = 0; i < nfields; i++)
		log_append(line, sizeof(line), &len, " %s=%s", fields[i].name, fields[i].value);
	log_append(line, sizeof(line), &len, "\n");
	errno = 0;
	if (fputs(line, stderr) == EOF || fflush(stderr) == EOF)
		return errno ? errno : EIO;
	return 0;
}

/* Sends one message to every configured target: 0, or the errno of the
 * first target that refused it. An ordinary message goes to every target
 * whatever happens (a datagram that cannot be sent is dropped and counted);
 * a transition stops at the first refusal, so that sending it again later
 * does not repeat it on the targets before. */
static int log_send(enum cw_log_level level, const char *msgid, const char *message,
		    const struct cw_log_field *fields, size_t nfields, bool transition)
{
	unsigned targets = logger.configured ? logger.targets : CW_LOG_TO_STDERR;
	int e;

	if (targets & CW_LOG_TO_SYSLOG) {
		e = log_to_syslog(level, msgid, message, fields, nfields);
		if (e && transition) {
			logger.refused_by = "the syslog socket";
			return e;
		}
		if (e)
			logger.dropped++;
	}
	if ((targets & CW_LOG_TO_JOURNAL) && (e = log_to_journal(level, msgid, message, fields, nfields)) &&
	    transition) {
		logger.refused_by = "the journal";
		return e;
	}
	if ((targets & CW_LOG_TO_STDERR) && (e = log_to_stderr(level, message, fields, nfields)) &&
	    transition) {
		logger.refused_by = "stderr";
		return e;
	}
	return 0;
}

/* Sends an ordinary message if its level passes the filter. */
static void log_emit(enum cw_log_level level, const char *msgid, const char *message,
		     const struct cw_log_field *fields, size_t nfields)
{
	if (cw_log_enabled(level))
		log_send(level, msgid, message, fields, nfields, false);
}

/* Formats and emits a plain message. */
static void log_emit_v(enum cw_log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
static void log_emit_v(enum cw_log_level level, const char *fmt, va_list ap)
{
	char msg[LOG_MSG_MAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_emit(level, NULL, msg, NULL, 0);
}

/* An operational message. */
void cw_log(enum cw_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (!cw_log_enabled(level))
		return;
	va_start(ap, fmt);
	log_emit_v(level, fmt, ap);
	va_end(ap);
}

/* Writes the "suppressed" summary for a slot and clears its count. */
static void log_rl_summary(struct log_rl_slot *s, int64_t now)
{
	char msg[LOG_MSG_MAX];
	struct cw_log_field f[2];
	char count[24];

	snprintf(count, sizeof(count), "%llu", (unsigned long long)s->suppressed);
	f[0] = (struct cw_log_field){ "ratelimit_key", s->key };
	f[1] = (struct cw_log_field){ "suppressed", count };
	snprintf(msg, sizeof(msg), "%s: suppressed %llu similar message%s in the last %lld s", s->key,
		 (unsigned long long)s->suppressed, s->suppressed == 1 ? "" : "s",
		 (long long)((now - s->last_ms + 999) / 1000));
	s->suppressed = 0;
	log_emit(s->level, "ratelimit", msg, f, 2);
}

/* Decides whether a message under key may be written now; emits any
 * pending summary for it first. */
static bool log_rl_allow(const char *key, enum cw_log_level level)
{
	int64_t now = cw_clock_monotonic_ms();
	struct log_rl_slot *slot = NULL, *oldest = &logger.rl[0];

	if (!key || logger.ratelimit_ms <= 0)
		return true;
	for (int i = 0; i < LOG_RL_SLOTS; i++) {
		struct log_rl_slot *s = &logger.rl[i];

		if (s->key[0] && !strncmp(s->key, key, LOG_RL_KEY - 1)) {
			slot = s;
			break;
		}
		/* The slot to reuse: an empty one, else the least recently used. */
		if (oldest->key[0] && (!s->key[0] || s->last_ms < oldest->last_ms))
			oldest = s;
	}
	if (slot && now - slot->last_ms < logger.ratelimit_ms) {
		slot->suppressed++;
		return false;
	}
	if (!slot) {
		slot = oldest;
		if (slot->key[0] && slot->suppressed)
			log_rl_summary(slot, now);
		memset(slot, 0, sizeof(*slot));
		snprintf(slot->key, sizeof(slot->key), "%s", key);
	} else if (slot->suppressed) {
		log_rl_summary(slot, now);
	}
	slot->level = level;
	slot->last_ms = now;
	return true;
}

/* A rate-limited message. */
bool cw_log_ratelimited(const char *key, enum cw_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (!cw_log_enabled(level) || !log_rl_allow(key, level))
		return false;
	va_start(ap, fmt);
	log_emit_v(level, fmt, ap);
	va_end(ap);
	return true;
}

/* Logs each line of text separately, the group rate-limited as one. */
bool cw_log_lines(const char *key, enum cw_log_event ev, enum cw_log_level level, const char *prefix,
		  const char *text)
{
	const char *p = text ? text : "";

	if (!cw_log_enabled(level) || !log_rl_allow(key, level))
		return false;
	do {
		const char *nl = strchr(p, '\n');
		int n = nl ? (int)(nl - p) : (int)strlen(p);
		const char *s = p;

		while (n > 0 && (*s == ' ' || *s == '\t')) {
			s++;
			n--;
		}
		if (n > 0 && ev != CW_EV_NONE)
			cw_log_event(ev, level, "%s: %.*s", prefix, n, s);
		else if (n > 0)
			cw_log(level, "%s: %.*s", prefix, n, s);
		p = nl ? nl + 1 : NULL;
	} while (p && *p);
	return true;
}

/* Summarises and forgets one key. */
void cw_log_ratelimit_reset(const char *key)
{
	for (int i = 0; i < LOG_RL_SLOTS; i++) {
		struct log_rl_slot *s = &logger.rl[i];

		if (s->key[0] && !strncmp(s->key, key, LOG_RL_KEY - 1)) {
			if (s->suppressed)
				log_rl_summary(s, cw_clock_monotonic_ms());
			memset(s, 0, sizeof(*s));
		}
	}
}

/* Summarises keys whose interval is over. */
void cw_log_ratelimit_flush(void)
{
	int64_t now = cw_clock_monotonic_ms();

	for (int i = 0; i < LOG_RL_SLOTS; i++) {
		struct log_rl_slot *s = &logger.rl[i];

		if (s->key[0] && s->suppressed && now - s->last_ms >= logger.ratelimit_ms)
			log_rl_summary(s, now);
	}
}

/* Keeps the fields with a valid name and a value (at most LOG_MAX_FIELDS). */
static size_t log_fields_valid(const struct cw_log_field *fields, size_t nfields,
			       struct cw_log_field *ok)
{
	size_t n = 0;

	for (size_t i = 0; i < nfields && n < LOG_MAX_FIELDS; i++)
		if (fields[i].name && fields[i].value && log_field_name_ok(fields[i].name))
			ok[n++] = fields[i];
	return n;
}

const char *cw_log_event_id(enum cw_log_event ev)
{
	return ev > CW_EV_NONE && ev < CW_EV_COUNT ? log_events[ev].id : NULL;
}

const char *cw_log_event_name(enum cw_log_event ev)
{
	return ev > CW_EV_NONE && ev < CW_EV_COUNT ? log_events[ev].name : NULL;
}

enum cw_log_event cw_log_transition_event(const char *kind)
{
	for (int ev = CW_EV_RAISED; kind && ev <= CW_EV_SNOOZED; ev++)
		if (!strcmp(log_events[ev].name, kind))
			return (enum cw_log_event)ev;
	return CW_EV_NONE;
}

/* An operational message of a kind with a MESSAGE_ID. */
void cw_log_event(enum cw_log_event ev, enum cw_log_level level, const char *fmt, ...)
{
	struct cw_log_field f = { "message_id", cw_log_event_id(ev) };
	char msg[LOG_MSG_MAX];
	va_list ap;

	if (!cw_log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_emit(level, cw_log_event_name(ev), msg, &f, f.value ? 1 : 0);
}

/* A structured message; invalid field names are dropped, not sent. */
void cw_log_fields(enum cw_log_level level, const char *msgid, const char *message,
		   const struct cw_log_field *fields, size_t nfields)
{
	struct cw_log_field ok[LOG_MAX_FIELDS];

	if (!cw_log_enabled(level))
		return;
	log_emit(level, msgid, message, ok, log_fields_valid(fields, nfields, ok));
}

/* An alert transition with its six fields, whatever log_level is: 0 when
 * every target took it, else the errno of the one that refused it. */
int cw_log_transition(enum cw_log_level level, const struct cw_log_transition *t)
{
	char alert[24], person[24], id[24], due[CW_CLOCK_UTC_STRLEN], msg[LOG_MSG_MAX];
	const char *team = t->team && *t->team ? t->team : "-";
	const char *shown = t->team_code && *t->team_code ? t->team_code : team;
	struct cw_log_field f[12], ok[LOG_MAX_FIELDS];
	size_t n = 6;

	snprintf(alert, sizeof(alert), "%lld", (long long)t->alert_id);
	if (t->person_id)
		snprintf(person, sizeof(person), "%lld", (long long)t->person_id);
	else
		snprintf(person, sizeof(person), "-"); /* a team-level alert: no person */
	if (t->due == INT64_MIN)
		snprintf(due, sizeof(due), "-");
	else
		cw_clock_format_utc(t->due, due);
	f[0] = (struct cw_log_field){ "rule_id", t->rule_id ? t->rule_id : "-" };
	f[1] = (struct cw_log_field){ "alert_id", alert };
	f[2] = (struct cw_log_field){ "person_id", person };
	f[3] = (struct cw_log_field){ "team", team };
	f[4] = (struct cw_log_field){ "due", due };
	f[5] = (struct cw_log_field){ "state", t->state ? t->state : "-" };
	if (t->team_code && *t->team_code)
		f[n++] = (struct cw_log_field){ "team_code", t->team_code };
	if (t->transition_id > 0) {
		snprintf(id, sizeof(id), "%lld", (long long)t->transition_id);
		f[n++] = (struct cw_log_field){ "transition_id", id };
	}
	if (t->kind)
		f[n++] = (struct cw_log_field){ "kind", t->kind };
	if (t->audience)
		f[n++] = (struct cw_log_field){ "audience", t->audience };
	if (t->severity)
		f[n++] = (struct cw_log_field){ "severity", t->severity };
	if (cw_log_transition_event(t->kind) != CW_EV_NONE)
		f[n++] = (struct cw_log_field){ "message_id", cw_log_event_id(cw_log_transition_event(t->kind)) };
	snprintf(msg, sizeof(msg), "alert %s %s%s%s: %s for person %s, team %s, due %s%s%s", alert,
		 f[0].value, t->kind ? " " : "", t->kind ? t->kind : "", f[5].value, person, shown, due,
		 t->audience ? ", told: " : "", t->audience ? t->audience : "");
	return log_send(level, "transition", msg, ok, log_fields_valid(f, n, ok), true);
}

/* Which target refused the last transition not delivered. */
const char *cw_log_refused_by(void)
{
	return logger.refused_by ? logger.refused_by : "no target";
}

/* The syslog socket to wait on for room (-1 when there is none). */
int cw_log_syslog_fd(void)
{
	return logger.fd;
}

/* libevent's log callback: its severities onto ours. */
static void log_libevent_cb(int severity, const char *msg)
{
	enum cw_log_level level = severity == EVENT_LOG_DEBUG ? CW_LOG_DEBUG :
				  severity == EVENT_LOG_MSG   ? CW_LOG_INFO :
				  severity == EVENT_LOG_WARN  ? CW_LOG_WARNING :
								CW_LOG_ERR;

	cw_log(level, "libevent: %s", msg);
}

/* Routes libevent's messages into cw_log. */
void cw_log_route_libevent(void)
{
	event_set_log_callback(log_libevent_cb);
}
