/* check_alertbus.c - the alert socket over real Unix sockets, served by the real transition log. */
#define _GNU_SOURCE 1 /* pipe2, strndup */
#include "config.h"
#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "../ctl/client.h"
#include "../ctl/ctl.h"
#include "../daemon/alertbus.h"
#include "../daemon/transition_log.h"
#include "testutil.h"

/*
 * The harness: the bus and the transition log run on their own event loop
 * in a second thread; the test thread is the clients, with blocking sockets.
 * Anything the test does to the bus (publish, release a replay batch) is
 * run on the loop thread through a pipe, and waited for.
 */
struct call {
	void (*fn)(void *arg);
	void *arg;
	bool done;
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

/* A replay answer held back by the gate until the test releases it. */
struct held {
	cw_alertbus_batch_fn done;
	struct cw_alertbus_req *req;
	json_t *batch;
	bool more;
	bool have;
};

static struct harness {
	char dir[64];
	char path[128];
	struct event_base *base;
	struct cw_translog *log;
	struct cw_alertbus *bus;
	struct cw_alertbus_config cfg;
	struct cw_alertbus_provider real;
	size_t ring;
	pthread_t thread;
	int callpipe[2];
	struct event *callev;
	/* The gate: holds replay answers while on. */
	bool gate;
	cw_alertbus_batch_fn gate_done;
	struct held held;
	/* What the provider was asked to change, and by whom. */
	int changes;
	struct cw_actor actor;
	char verb[16];
	/* The provider's team names (NULL: matched as written). */
	const char *(*team)(void *ctx, const char *name, char *id, size_t idsize, char *msg, size_t msgsize);
} H;

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_text[1 << 16];
static size_t log_len;

/* The bus's log: kept so tests can check what was logged. */
static void test_log(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void test_log(int priority, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	pthread_mutex_lock(&log_lock);
	if (log_len + (size_t)n < sizeof(log_text)) {
		memcpy(log_text + log_len, line, (size_t)n);
		log_len += (size_t)n;
		log_text[log_len] = '\0';
	}
	pthread_mutex_unlock(&log_lock);
	if (getenv("CW_TEST_VERBOSE"))
		fprintf(stderr, "log %d: %s", priority, line);
}

/* True when some logged line contains needle. */
static bool log_has(const char *needle)
{
	bool found;

	pthread_mutex_lock(&log_lock);
	found = strstr(log_text, needle) != NULL;
	pthread_mutex_unlock(&log_lock);
	return found;
}

/* How many logged lines contain needle. */
static int log_count(const char *needle)
{
	int n = 0;

	pthread_mutex_lock(&log_lock);
	for (const char *p = log_text; (p = strstr(p, needle)); p++)
		n++;
	pthread_mutex_unlock(&log_lock);
	return n;
}

/* Runs a call the test thread posted, on the loop thread. */
static void on_call(evutil_socket_t fd, short what, void *arg)
{
	struct call *c;

	(void)what;
	(void)arg;
	while (read(fd, &c, sizeof(c)) == (ssize_t)sizeof(c)) {
		c->fn(c->arg);
		pthread_mutex_lock(&c->lock);
		c->done = true;
		pthread_cond_signal(&c->cond);
		pthread_mutex_unlock(&c->lock);
	}
}

/* Runs fn(arg) on the loop thread and waits for it. */
static void on_loop(void (*fn)(void *), void *arg)
{
	struct call c = { .fn = fn, .arg = arg };
	struct call *p = &c;

	pthread_mutex_init(&c.lock, NULL);
	pthread_cond_init(&c.cond, NULL);
	ck_assert_int_eq(write(H.callpipe[1], &p, sizeof(p)), (ssize_t)sizeof(p));
	pthread_mutex_lock(&c.lock);
	while (!c.done)
		pthread_cond_wait(&c.cond, &c.lock);
	pthread_mutex_unlock(&c.lock);
	pthread_mutex_destroy(&c.lock);
	pthread_cond_destroy(&c.cond);
}

/* The gate's hold on a replay answer from the transition log. */
static void gate_on_batch(struct cw_alertbus_req *req, const json_t *batch, bool more, const char *code,
			  const char *message)
{
	ck_assert_msg(code == NULL, "replay failed: %s", message);
	ck_assert(!H.held.have);
	H.held = (struct held){ .done = H.gate_done, .req = req, .batch = json_incref((json_t *)batch), .more = more,
				.have = true };
}

/* Provider: replay through the real log, held back while the gate is on. */
static void gate_replay(void *ctx, uint64_t after, size_t limit, cw_alertbus_batch_fn done, struct cw_alertbus_req *req)
{
	(void)ctx;
	if (!H.gate) {
		H.real.replay(H.real.ctx, after, limit, done, req);
		return;
	}
	H.gate_done = done;
	H.real.replay(H.real.ctx, after, limit, gate_on_batch, req);
}

/* Provider: cancel in the gate and in the real log. */
static void gate_cancel(void *ctx, struct cw_alertbus_req *req)
{
	(void)ctx;
	if (H.held.have && H.held.req == req) {
		json_decref(H.held.batch);
		H.held.have = false;
	}
	H.real.cancel(H.real.ctx, req);
}

/* Provider: records the actor, then changes through the real log. */
static void gate_change(void *ctx, const char *verb, const json_t *args, const struct cw_actor *who,
			cw_alertbus_reply_fn done, struct cw_alertbus_req *req)
{
	(void)ctx;
	H.changes++;
	H.actor = *who;
	snprintf(H.verb, sizeof(H.verb), "%s", verb);
	H.real.change(H.real.ctx, verb, args, who, done, req);
}

/* What a change through the log creates is published, as the daemon does. */
static void emit_publish(void *arg, uint64_t id, const json_t *t)
{
	(void)arg;
	cw_alertbus_publish(H.bus, id, t);
}

/* The transition the tests publish as id: a new alert A<id> on team T1 (odd) or T2 (even). */
static json_t *make_transition(uint64_t id)
{
	char alert[32], person[32];

	snprintf(alert, sizeof(alert), "A%llu", (unsigned long long)id);
	snprintf(person, sizeof(person), "P%llu", (unsigned long long)id);
	return json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}}", "type", "raised", "time",
			 "2026-11-23T09:00:00Z", "data", "rule_id", "VISIT-5D", "alert_id", alert, "person_id", person, "team",
			 id % 2 ? "T1" : "T2", "audience", "team_manager", "due", "2026-11-20T23:59:59Z", "state", "overdue",
			 "severity", "warning", "kind", "recording", "forename", "Not For The Socket");
}

struct range {
	uint64_t from, to;
};

/* Loop thread: commits (to the log) and publishes ids from..to. */
static void do_publish(void *arg)
{
	struct range *r = arg;

	for (uint64_t id = r->from; id <= r->to; id++) {
		json_t *t = make_transition(id);
		struct cw_error err;

		ck_assert_msg(cw_translog_append(H.log, id, t, &err), "%s", err.msg);
		cw_alertbus_publish(H.bus, id, t);
		json_decref(t);
	}
}

/* Publishes ids from..to. */
static void publish(uint64_t from, uint64_t to)
{
	struct range r = { from, to };

	on_loop(do_publish, &r);
}

/* Loop thread: from now on, replay answers wait for release(). */
static void do_gate_on(void *arg)
{
	(void)arg;
	H.gate = true;
}

/* Loop thread: hands a held replay answer to the bus. */
static void do_release(void *arg)
{
	int *result = arg;
	struct held h = H.held;

	*result = -1; /* nothing held yet */
	if (!h.have)
		return;
	H.held.have = false;
	*result = h.more;
	h.done(h.req, h.batch, h.more, NULL, NULL);
	json_decref(h.batch);
}

/* Releases the held replay answer: -1 when none is held yet, else whether more remained. */
static int release(void)
{
	int result;

	on_loop(do_release, &result);
	return result;
}

/* Loop thread: counts connections. */
static void do_clients(void *arg)
{
	*(size_t *)arg = cw_alertbus_clients(H.bus);
}

static size_t clients(void)
{
	size_t n;

	on_loop(do_clients, &n);
	return n;
}

/* Loop thread: bytes queued for every client. */
static void do_output_bytes(void *arg)
{
	*(size_t *)arg = cw_alertbus_output_bytes(H.bus);
}

static size_t output_bytes(void)
{
	size_t n;

	on_loop(do_output_bytes, &n);
	return n;
}

/* The loop thread: runs until told to stop. */
static void *loop_main(void *arg)
{
	(void)arg;
	event_base_dispatch(H.base);
	return NULL;
}

/* Loop thread: stops the loop. */
static void do_stop(void *arg)
{
	(void)arg;
	event_base_loopbreak(H.base);
}

/* Sets the defaults a test may change before harness_start(). */
static void harness_init(void)
{
	memset(&H, 0, sizeof(H));
	snprintf(H.dir, sizeof(H.dir), "/tmp/cw-alertbus-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(H.dir));
	snprintf(H.path, sizeof(H.path), "%s/casewatch.sock", H.dir);
	H.ring = 1000;
	H.cfg.path = H.path;
	H.cfg.log = test_log;
	H.cfg.source_host = "test-host";
	H.cfg.idle_timeout_ms = 5000;
	log_len = 0;
	log_text[0] = '\0';
	signal(SIGPIPE, SIG_IGN);
}

/* Starts the log and the bus on their loop thread. */
static void harness_start(void)
{
	struct cw_error err;

	H.base = event_base_new();
	ck_assert_ptr_nonnull(H.base);
	H.log = cw_translog_new(H.base, H.ring);
	cw_translog_provider(H.log, emit_publish, NULL, &H.real);
	H.cfg.provider = H.real;
	H.cfg.provider.replay = gate_replay;
	H.cfg.provider.cancel = gate_cancel;
	H.cfg.provider.change = gate_change;
	H.cfg.provider.team = H.team;
	H.cfg.last_id = cw_translog_last_id(H.log);
	H.bus = cw_alertbus_new(H.base, &H.cfg, &err);
	ck_assert_msg(H.bus != NULL, "cw_alertbus_new: %s", err.msg);
	ck_assert_int_eq(pipe2(H.callpipe, O_CLOEXEC | O_NONBLOCK), 0);
	H.callev = event_new(H.base, H.callpipe[0], EV_READ | EV_PERSIST, on_call, NULL);
	event_add(H.callev, NULL);
	ck_assert_int_eq(pthread_create(&H.thread, NULL, loop_main, NULL), 0);
}

/* Stops the loop and frees everything; the socket file goes with the bus. */
static void harness_stop(void)
{
	struct stat st;

	on_loop(do_stop, NULL);
	pthread_join(H.thread, NULL);
	if (H.held.have)
		json_decref(H.held.batch);
	cw_alertbus_free(H.bus);
	ck_assert_int_ne(stat(H.path, &st), 0);
	cw_translog_free(H.log);
	event_free(H.callev);
	event_base_free(H.base);
	close(H.callpipe[0]);
	close(H.callpipe[1]);
	rmdir(H.dir);
}

/* A test client: a blocking socket and what it has read. */
struct cl {
	int fd;
	char *buf;
	size_t len, cap;
};

static struct cl *cl_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct cl *c = calloc(1, sizeof(*c));

	strcpy(sun.sun_path, H.path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(c->fd, 0);
	ck_assert_msg(connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == 0, "connect: %s", strerror(errno));
	return c;
}

static void cl_close(struct cl *c)
{
	close(c->fd);
	free(c->buf);
	free(c);
}

/* Sends bytes as they are (NULs included). */
static void cl_sendb(struct cl *c, const char *data, size_t len)
{
	while (len) {
		ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL);

		ck_assert_msg(n > 0, "send: %s", strerror(errno));
		data += n;
		len -= (size_t)n;
	}
}

static void cl_send(struct cl *c, const char *text)
{
	cl_sendb(c, text, strlen(text));
}

/* The next line as raw text (NULL at end of stream or after timeout_ms). */
static char *cl_line(struct cl *c, int timeout_ms)
{
	for (;;) {
		char *nl = c->len ? memchr(c->buf, '\n', c->len) : NULL;
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		ssize_t n;

		if (nl) {
			size_t l = (size_t)(nl - c->buf);
			char *line = strndup(c->buf, l);

			memmove(c->buf, nl + 1, c->len - l - 1);
			c->len -= l + 1;
			return line;
		}
		if (c->cap - c->len < 65536) {
			c->cap = c->cap ? c->cap * 2 : 131072;
			c->buf = realloc(c->buf, c->cap);
		}
		if (poll(&p, 1, timeout_ms) <= 0)
			return NULL;
		n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (n <= 0)
			return NULL;
		c->len += (size_t)n;
	}
}

/* The next line as JSON (NULL at end of stream or after timeout_ms). */
static json_t *cl_recv(struct cl *c, int timeout_ms)
{
	char *line = cl_line(c, timeout_ms);
	json_error_t jerr;
	json_t *v;

	if (!line)
		return NULL;
	v = json_loads(line, 0, &jerr);
	ck_assert_msg(v != NULL, "the server sent invalid JSON: %s (%s)", line, jerr.text);
	free(line);
	return v;
}

/* True when the server closes without sending anything more. */
static bool cl_eof(struct cl *c, int timeout_ms)
{
	char *line = cl_line(c, timeout_ms);
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	char byte;

	if (line) {
		fprintf(stderr, "# unexpected line: %s\n", line);
		free(line);
		return false;
	}
	return c->len == 0 && poll(&p, 1, 0) == 1 && recv(c->fd, &byte, 1, MSG_DONTWAIT) == 0;
}

/* Sends one request line and returns the next line. */
static json_t *cl_req(struct cl *c, const char *request)
{
	json_t *r;

	cl_send(c, request);
	cl_send(c, "\n");
	r = cl_recv(c, 5000);
	ck_assert_msg(r != NULL, "no reply to %s", request);
	return r;
}

/* The error code of a reply, or "ok". */
static const char *code_of(const json_t *r)
{
	if (json_is_true(json_object_get(r, "ok")))
		return "ok";
	return json_string_value(json_object_get(json_object_get(r, "error"), "code"));
}

/* Sends a request and checks the reply's code; returns the reply. */
static json_t *expect(struct cl *c, const char *request, const char *code)
{
	json_t *r = cl_req(c, request);
	char *text = json_dumps(r, JSON_COMPACT);

	ck_assert_msg(code_of(r) && !strcmp(code_of(r), code), "%s -> %s (expected %s)", request, text, code);
	free(text);
	return r;
}

static void expect_free(struct cl *c, const char *request, const char *code)
{
	json_decref(expect(c, request, code));
}

static struct cl *cl_hello(void)
{
	struct cl *c = cl_connect();

	expect_free(c, "{\"cmd\":\"hello\",\"protocol\":\"1.0\"}", "ok");
	return c;
}

/* The id of an event line as a number; fails the test on anything else. */
static uint64_t event_id(const json_t *e)
{
	const char *id = json_string_value(json_object_get(e, "id"));

	ck_assert_msg(id && json_object_get(e, "specversion"), "not an event");
	return strtoull(id, NULL, 10);
}

/* Reads events and checks they are exactly from..to, in order. */
static void expect_events(struct cl *c, uint64_t from, uint64_t to)
{
	for (uint64_t want = from; want <= to; want++) {
		json_t *e = cl_recv(c, 5000);

		ck_assert_msg(e != NULL, "event %llu missing", (unsigned long long)want);
		ck_assert_uint_eq(event_id(e), want);
		json_decref(e);
	}
}

/* No line arrives within ms. */
static void expect_quiet(struct cl *c, int ms)
{
	char *line = cl_line(c, ms);

	ck_assert_msg(line == NULL, "unexpected: %s", line);
}

START_TEST(test_hello)
{
	struct cl *c;
	json_t *r;
	size_t i;
	json_t *v;

	harness_init();
	harness_start();
	c = cl_connect();
	expect_free(c, "{\"cmd\":\"status\",\"id\":1}", "hello_required");
	r = expect(c, "{\"cmd\":\"hello\",\"protocol\":\"2.0\",\"id\":\"x\"}", "unsupported_version");
	ck_assert_str_eq(json_string_value(json_object_get(r, "id")), "x");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(json_object_get(r, "error"), "message")), "1.0"));
	json_decref(r);
	expect_free(c, "{\"cmd\":\"hello\"}", "bad_request");
	expect_free(c, "{\"cmd\":\"hello\",\"protocol\":\"one\"}", "bad_request");
	expect_free(c, "{\"cmd\":\"hello\",\"protocol\":\"1.0\",\"colour\":\"red\"}", "bad_request");
	r = expect(c, "{\"cmd\":\"hello\",\"protocol\":\"1.3\",\"id\":\"h1\",\"client\":\"test\"}", "ok");
	ck_assert_str_eq(json_string_value(json_object_get(r, "id")), "h1");
	ck_assert_str_eq(json_string_value(json_object_get(r, "protocol")), "1.0");
	ck_assert_str_eq(json_string_value(json_object_get(r, "server")), "casewatchd");
	ck_assert_str_eq(json_string_value(json_object_get(r, "version")), PACKAGE_VERSION);
	/* Exactly the commands served (hello aside), then "resume"; each
	 * listed command is one the server knows: before hello it asks for
	 * hello, where a name it does not know is unknown_command. */
	{
		static const char want[] = "status alerts subscribe unsubscribe ack snooze unack unsnooze digest "
					   "audit hold destruction register retention explain resume";
		char got[sizeof(want) + 64] = "", req[96];
		struct cl *fresh = cl_connect();

		json_array_foreach (json_object_get(r, "capabilities"), i, v) {
			const char *name = json_string_value(v);

			ck_assert_ptr_nonnull(name);
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? " " : "", name);
			snprintf(req, sizeof(req), "{\"cmd\":\"%s\"}", name);
			expect_free(fresh, req, strcmp(name, "resume") ? "hello_required" : "unknown_command");
		}
		ck_assert_str_eq(got, want);
		cl_close(fresh);
	}
	/* The documented default limit: 64 KiB. */
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(r, "limits"), "max_line")), 65536);
	json_decref(r);
	r = expect(c, "{\"cmd\":\"hello\",\"protocol\":1,\"id\":7}", "ok");
	ck_assert_int_eq(json_integer_value(json_object_get(r, "id")), 7);
	json_decref(r);
	cl_close(c);
	harness_stop();
}
END_TEST

/* What a direct replay of the log answered. */
static struct {
	json_t *batch;
	char code[32];
} tl_answer;

static void tl_replayed(struct cw_alertbus_req *req, const json_t *transitions, bool more, const char *code,
			const char *message)
{
	(void)req;
	(void)more;
	(void)message;
	tl_answer.batch = transitions ? json_deep_copy(transitions) : NULL;
	snprintf(tl_answer.code, sizeof(tl_answer.code), "%s", code ? code : "");
}

/* The ring held to a byte budget: the oldest go, the rest replay as appended. */
START_TEST(test_translog_bytes)
{
	struct event_base *base = event_base_new();
	struct cw_translog *log = cw_translog_new(base, 1000);
	struct cw_alertbus_provider p;
	struct cw_error err;
	json_t *status = json_object(), *tl, *t, *want;
	size_t one;
	char *text;
	uint64_t oldest;

	t = make_transition(1);
	json_object_set_new(t, "id", json_integer(1));
	text = json_dumps(t, JSON_COMPACT);
	one = strlen(text) + 1;
	free(text);
	json_decref(t);
	/* Room for ten transitions of this size (and a little more). */
	cw_translog_set_max_bytes(log, 10 * one + one / 2);
	cw_translog_provider(log, NULL, NULL, &p);
	for (uint64_t id = 1; id <= 100; id++) {
		t = make_transition(id);
		ck_assert_msg(cw_translog_append(log, id, t, &err), "%s", err.msg);
		json_decref(t);
	}
	p.status(p.ctx, status);
	tl = json_object_get(status, "transition_log");
	ck_assert_int_eq(json_integer_value(json_object_get(tl, "kept")), 10);
	ck_assert_int_le(json_integer_value(json_object_get(tl, "bytes")), 10 * one + one / 2);
	ck_assert_str_eq(json_string_value(json_object_get(tl, "oldest_id")), "91");
	oldest = 91;
	/* A cursor before the ring: too old; from its start: every one kept, as appended. */
	p.replay(p.ctx, 50, 100, tl_replayed, NULL);
	event_base_loop(base, EVLOOP_ONCE);
	ck_assert_str_eq(tl_answer.code, "cursor_too_old");
	p.replay(p.ctx, oldest - 1, 100, tl_replayed, NULL);
	event_base_loop(base, EVLOOP_ONCE);
	ck_assert_str_eq(tl_answer.code, "");
	ck_assert_int_eq(json_array_size(tl_answer.batch), 10);
	for (size_t i = 0; i < 10; i++) {
		want = make_transition(oldest + i);
		json_object_set_new(want, "id", json_integer((json_int_t)(oldest + i)));
		ck_assert(json_equal(json_array_get(tl_answer.batch, i), want));
		json_decref(want);
	}
	json_decref(tl_answer.batch);
	json_decref(status);
	cw_translog_free(log);
	event_base_free(base);
}
END_TEST

/* A transition of a given type for alert A<n>. */
static json_t *tl_transition(const char *type, unsigned n)
{
	char alert[32];

	snprintf(alert, sizeof(alert), "A%u", n);
	return json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s}}", "type", type, "time", "2026-11-23T09:00:00Z",
			 "data", "rule_id", "VISIT-5D", "alert_id", alert, "audience", "team_manager", "state",
			 "overdue", "severity", "warning");
}

/* The alert ids the view holds, sorted, joined by spaces. */
static json_t *tl_alerts;
static void tl_listed(struct cw_alertbus_req *req, json_t *result, const char *code, const char *message)
{
	(void)req;
	(void)code;
	(void)message;
	tl_alerts = result;
}

static int tl_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void tl_view(const struct cw_alertbus_provider *p, char *out, size_t size)
{
	const json_t *list, *v;
	const char *ids[16];
	size_t i, n = 0;

	p->alerts(p->ctx, NULL, tl_listed, NULL);
	list = json_object_get(tl_alerts, "alerts");
	json_array_foreach (list, i, v)
		if (n < 16)
			ids[n++] = json_string_value(json_object_get(v, "alert_id"));
	qsort(ids, n, sizeof(*ids), tl_cmp);
	out[0] = '\0';
	for (i = 0; i < n; i++)
		snprintf(out + strlen(out), size - strlen(out), "%s%s", i ? " " : "", ids[i]);
	json_decref(tl_alerts);
}

/* A full view drops the alert changed longest ago, whatever changed since
 * (escalated, resolved, raised again), without scanning the view for it. */
START_TEST(test_translog_view_evicts_oldest)
{
	struct event_base *base = event_base_new();
	struct cw_translog *log = cw_translog_new(base, 4);
	struct cw_alertbus_provider p;
	struct cw_error err;
	json_t *status = json_object(), *t;
	char view[256];
	static const struct {
		const char *type;
		unsigned alert;
		const char *view; /* after it */
	} steps[] = {
		{ "raised", 1, "A1" },
		{ "raised", 2, "A1 A2" },
		{ "raised", 3, "A1 A2 A3" },
		{ "raised", 4, "A1 A2 A3 A4" },
		{ "escalated", 1, "A1 A2 A3 A4" }, /* A1 is now the newest */
		{ "raised", 5, "A1 A3 A4 A5" },	   /* A2 goes */
		{ "resolved", 3, "A1 A4 A5" },
		{ "raised", 3, "A1 A3 A4 A5" },	   /* room: nothing goes */
		{ "acknowledged", 4, "A1 A3 A4 A5" }, /* A4 is now the newest */
		{ "raised", 6, "A3 A4 A5 A6" },	   /* A1 (changed at 5) goes */
		{ "raised", 7, "A3 A4 A6 A7" },	   /* A5 (6) goes */
		{ "raised", 8, "A4 A6 A7 A8" },	   /* A3 (8) goes */
	};
	uint64_t id = 0;

	cw_translog_provider(log, NULL, NULL, &p);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		t = tl_transition(steps[i].type, steps[i].alert);
		ck_assert_msg(cw_translog_append(log, ++id, t, &err), "%s", err.msg);
		json_decref(t);
		tl_view(&p, view, sizeof(view));
		ck_assert_msg(!strcmp(view, steps[i].view), "after %s A%u: view %s, expected %s", steps[i].type,
			      steps[i].alert, view, steps[i].view);
	}
	/* Many more: each new alert pushes out the oldest; the queue of
	 * changes stays bounded however many go by. */
	for (unsigned n = 9; n <= 20000; n++) {
		t = tl_transition(n % 3 ? "raised" : "escalated", n % 3 ? n : n - 1);
		ck_assert_msg(cw_translog_append(log, ++id, t, &err), "%s", err.msg);
		json_decref(t);
	}
	tl_view(&p, view, sizeof(view));
	ck_assert_str_eq(view, "A19996 A19997 A19999 A20000");
	p.status(p.ctx, status);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(status, "transition_log"), "open_alerts")), 4);
	/* Evicted: A2, A1, A5, A3 above, then one for each of the 13,328 new alerts after A8 (A9..A20000 less
	 * every third, which escalates the one before it). */
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(status, "transition_log"), "view_evicted")),
			 4 + 13328);
	json_decref(status);
	cw_translog_free(log);
	/* At the daemon's size: 100,000 new alerts through a view of 10,000
	 * (a first sweep), each evicting exactly one. How long it takes is
	 * bench/fanout.sh's figure, not this test's. */
	log = cw_translog_new(base, 10000);
	cw_translog_provider(log, NULL, NULL, &p);
	for (unsigned n = 1; n <= 100000; n++) {
		t = tl_transition("raised", n);
		ck_assert_msg(cw_translog_append(log, n, t, &err), "%s", err.msg);
		json_decref(t);
	}
	status = json_object();
	p.status(p.ctx, status);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(status, "transition_log"), "view_evicted")),
			 90000);
	json_decref(status);
	cw_translog_free(log);
	event_base_free(base);
}
END_TEST

START_TEST(test_status)
{
	struct cl *a, *b;
	json_t *r, *bus, *tl;

	harness_init();
	harness_start();
	publish(1, 3);
	a = cl_hello();
	b = cl_hello();
	r = expect(a, "{\"cmd\":\"status\"}", "ok");
	bus = json_object_get(r, "bus");
	ck_assert_int_eq(json_integer_value(json_object_get(bus, "clients")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(bus, "subscribers")), 0);
	ck_assert_str_eq(json_string_value(json_object_get(bus, "last_id")), "3");
	tl = json_object_get(r, "transition_log");
	ck_assert_int_eq(json_integer_value(json_object_get(tl, "kept")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(tl, "open_alerts")), 3);
	ck_assert_str_eq(json_string_value(json_object_get(tl, "oldest_id")), "1");
	json_decref(r);
	cl_close(a);
	cl_close(b);
	harness_stop();
}
END_TEST

START_TEST(test_bad_requests)
{
	static const char garbage[] = "\x00\x01\xfe\xff{\x00}\n";
	static const char nul_inside[] = "{\"cmd\":\"status\"}\x00\n";
	struct cl *c;
	json_t *r;

	harness_init();
	harness_start();
	c = cl_hello();
	r = expect(c, "{\"cmd\":\"fly\",\"id\":3}", "unknown_command");
	ck_assert_int_eq(json_integer_value(json_object_get(r, "id")), 3);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "error"), "message")),
			 "unknown command \"fly\" (commands: hello, status, alerts, subscribe, unsubscribe, ack, snooze, "
			 "unack, unsnooze, digest, audit, hold, destruction, register, retention, explain)");
	json_decref(r);
	expect_free(c, "{\"cmd\":", "invalid_json");
	expect_free(c, "[1,2]", "not_an_object");
	expect_free(c, "\"status\"", "not_an_object");
	expect_free(c, "42", "not_an_object");
	expect_free(c, "{\"id\":5}", "bad_request");
	expect_free(c, "{\"cmd\":5}", "bad_request");
	expect_free(c, "{\"cmd\":\"status\",\"bogus\":1}", "bad_request");
	expect_free(c, "{\"cmd\":\"status\",\"cmd\":\"status\"}", "invalid_json");
	expect_free(c, "{\"cmd\":\"\xff\xfe\"}", "invalid_json");
	cl_sendb(c, garbage, sizeof(garbage) - 1);
	r = cl_recv(c, 5000);
	ck_assert_str_eq(code_of(r), "invalid_json");
	json_decref(r);
	cl_sendb(c, nul_inside, sizeof(nul_inside) - 1);
	r = cl_recv(c, 5000);
	ck_assert_str_eq(code_of(r), "invalid_json");
	json_decref(r);
	/* Blank lines are skipped; the connection still works. */
	expect_free(c, "\r\n{\"cmd\":\"status\"}", "ok");
	cl_close(c);
	harness_stop();
}
END_TEST

/* Sends a 10 MB line from another thread, so the test can read meanwhile. */
static void *send_big(void *arg)
{
	struct cl *c = arg;
	size_t total = 10 * 1024 * 1024, chunk = 1 << 20;
	char *buf = malloc(chunk);

	memset(buf, 'a', chunk);
	for (size_t sent = 0; sent < total; sent += chunk)
		cl_sendb(c, buf, chunk);
	cl_send(c, "\n{\"cmd\":\"status\",\"id\":\"after\"}\n");
	free(buf);
	return NULL;
}

START_TEST(test_long_lines)
{
	struct cl *c;
	pthread_t t;
	json_t *r;
	char *line;
	size_t max = 65536;

	harness_init();
	harness_start();
	c = cl_hello();
	/* Exactly the limit is a line; one byte more is not. */
	line = malloc(max + 2);
	memset(line, ' ', max);
	memcpy(line, "{\"cmd\":\"status\"}", 16);
	line[max] = '\n';
	line[max + 1] = '\0';
	cl_send(c, line);
	r = cl_recv(c, 5000);
	ck_assert_str_eq(code_of(r), "ok");
	json_decref(r);
	line[max] = ' ';
	line[max + 1] = '\n';
	cl_sendb(c, line, max + 2);
	r = cl_recv(c, 5000);
	ck_assert_str_eq(code_of(r), "line_too_long");
	json_decref(r);
	free(line);
	/* 10 MB without a newline: refused early, discarded, the connection lives on. */
	pthread_create(&t, NULL, send_big, c);
	r = cl_recv(c, 10000);
	ck_assert_str_eq(code_of(r), "line_too_long");
	json_decref(r);
	r = cl_recv(c, 10000);
	ck_assert_str_eq(code_of(r), "ok");
	ck_assert_str_eq(json_string_value(json_object_get(r, "id")), "after");
	json_decref(r);
	pthread_join(t, NULL);
	cl_close(c);
	harness_stop();
}
END_TEST

START_TEST(test_idle_and_partial)
{
	struct cl *c;
	json_t *r;
	struct timespec t0, t1;
	long ms;

	harness_init();
	H.cfg.idle_timeout_ms = 300;
	harness_start();
	/* Connects and says nothing. */
	c = cl_connect();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = cl_recv(c, 5000);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_str_eq(code_of(r), "idle_timeout");
	json_decref(r);
	ck_assert(cl_eof(c, 2000));
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	ck_assert_int_ge(ms, 250);
	cl_close(c);
	/* A line written in two halves, within the limit. */
	c = cl_connect();
	cl_send(c, "{\"cmd\":\"hel");
	usleep(150 * 1000);
	r = cl_req(c, "lo\",\"protocol\":\"1.0\"}");
	ck_assert_str_eq(code_of(r), "ok");
	json_decref(r);
	/* Subscribers may be silent for as long as they like. */
	expect_free(c, "{\"cmd\":\"subscribe\"}", "ok");
	usleep(600 * 1000);
	publish(1, 1);
	expect_events(c, 1, 1);
	cl_close(c);
	/* Half a line, never finished. */
	c = cl_hello();
	cl_send(c, "{\"cmd\":\"sta");
	r = cl_recv(c, 5000);
	ck_assert_str_eq(code_of(r), "incomplete_line");
	json_decref(r);
	ck_assert(cl_eof(c, 2000));
	cl_close(c);
	/* The connection ends inside a line. */
	c = cl_hello();
	cl_send(c, "{\"cmd\":\"sta");
	shutdown(c->fd, SHUT_WR);
	r = cl_recv(c, 5000);
	ck_assert_str_eq(code_of(r), "incomplete_line");
	json_decref(r);
	ck_assert(cl_eof(c, 2000));
	cl_close(c);
	harness_stop();
}
END_TEST

/*
 * Replay from 0 while transitions keep being published: the subscriber
 * sees 1..N exactly once, in order. The gate holds each replay batch so
 * publishes land between batches, every time.
 */
static void replay_while_publishing(size_t live_queue_max, unsigned per_step)
{
	struct cl *c;
	json_t *r = NULL;
	uint64_t next = 11;
	int res, steps = 0, last = 1, idle = 0;

	harness_init();
	H.cfg.replay_batch = 3;
	H.cfg.live_queue_max = live_queue_max;
	harness_start();
	publish(1, 10);
	c = cl_hello();
	on_loop(do_gate_on, NULL);
	cl_send(c, "{\"cmd\":\"subscribe\",\"since\":\"0\",\"id\":\"s\"}\n");
	/* Publish between the first batches, then let the replay catch up. */
	for (;;) {
		res = release();
		if (res < 0) {
			if (last == 0 && ++idle > 100)
				break;
			usleep(2000);
			continue;
		}
		idle = 0;
		last = res;
		if (++steps <= 6) {
			publish(next, next + per_step - 1);
			next += per_step;
		}
		ck_assert_int_lt(steps, 1000);
	}
	/* Live only from here. */
	publish(next, next + 4);
	next += 5;
	r = cl_recv(c, 5000);
	ck_assert_str_eq(code_of(r), "ok");
	ck_assert(json_is_true(json_object_get(r, "replay")));
	json_decref(r);
	expect_events(c, 1, next - 1);
	expect_quiet(c, 200);
	cl_close(c);
	harness_stop();
}

START_TEST(test_replay_then_live)
{
	replay_while_publishing(4096, 3);
	ck_assert(!log_has("overflowed during replay"));
}
END_TEST

START_TEST(test_replay_queue_overflow)
{
	/* Held live transitions overflow: the replay reads them instead. */
	replay_while_publishing(4, 10);
	ck_assert(log_has("overflowed during replay"));
}
END_TEST

START_TEST(test_resume)
{
	struct cl *a, *b;
	json_t *r;

	harness_init();
	harness_start();
	publish(1, 20);
	a = cl_hello();
	expect_free(a, "{\"cmd\":\"subscribe\",\"since\":0}", "ok");
	expect_events(a, 1, 12);
	cl_close(a);
	publish(21, 25);
	b = cl_hello();
	r = expect(b, "{\"cmd\":\"subscribe\",\"since\":\"12\"}", "ok");
	ck_assert_str_eq(json_string_value(json_object_get(r, "last_id")), "25");
	json_decref(r);
	expect_events(b, 13, 25);
	publish(26, 26);
	expect_events(b, 26, 26);
	expect_quiet(b, 200);
	expect_free(b, "{\"cmd\":\"subscribe\"}", "already_subscribed");
	r = expect(b, "{\"cmd\":\"unsubscribe\"}", "ok");
	ck_assert(json_is_true(json_object_get(r, "unsubscribed")));
	json_decref(r);
	publish(27, 27);
	expect_quiet(b, 200);
	/* Without a cursor: live only, and the reply gives the cursor. */
	r = expect(b, "{\"cmd\":\"subscribe\"}", "ok");
	ck_assert_str_eq(json_string_value(json_object_get(r, "last_id")), "27");
	ck_assert(json_is_false(json_object_get(r, "replay")));
	json_decref(r);
	publish(28, 28);
	expect_events(b, 28, 28);
	expect_free(b, "{\"cmd\":\"unsubscribe\"}", "ok");
	expect_free(b, "{\"cmd\":\"subscribe\",\"since\":\"999\"}", "bad_cursor");
	expect_free(b, "{\"cmd\":\"subscribe\",\"since\":\"-1\"}", "bad_request");
	expect_free(b, "{\"cmd\":\"subscribe\",\"sinse\":\"1\"}", "bad_request");
	cl_close(b);
	harness_stop();
}
END_TEST

START_TEST(test_filters_and_envelope)
{
	struct cl *c;
	json_t *e, *data;

	harness_init();
	harness_start();
	publish(1, 6);
	c = cl_hello();
	expect_free(c, "{\"cmd\":\"subscribe\",\"since\":\"0\",\"filter\":{\"colour\":\"red\"}}", "bad_request");
	expect_free(c, "{\"cmd\":\"subscribe\",\"since\":\"0\",\"filter\":{\"team\":[1]}}", "bad_request");
	expect_free(c, "{\"cmd\":\"subscribe\",\"since\":\"0\",\"filter\":{\"team\":\"T1\",\"rule\":[\"VISIT-5D\"]}}",
		    "ok");
	/* Team T1 is the odd ids. */
	for (uint64_t want = 1; want <= 5; want += 2) {
		e = cl_recv(c, 5000);
		ck_assert_uint_eq(event_id(e), want);
		if (want == 1) {
			ck_assert_str_eq(json_string_value(json_object_get(e, "specversion")), "1.0");
			ck_assert_str_eq(json_string_value(json_object_get(e, "source")), "casewatch://test-host");
			ck_assert_str_eq(json_string_value(json_object_get(e, "type")), "uk.casewatch.alert.raised");
			ck_assert_str_eq(json_string_value(json_object_get(e, "subject")), "alert/A1");
			ck_assert_str_eq(json_string_value(json_object_get(e, "time")), "2026-11-23T09:00:00Z");
			data = json_object_get(e, "data");
			ck_assert_str_eq(json_string_value(json_object_get(data, "person_id")), "P1");
			ck_assert_str_eq(json_string_value(json_object_get(data, "due")), "2026-11-20T23:59:59Z");
			/* Only ids, codes and dates: a name in the transition never reaches the socket. */
			ck_assert_ptr_null(json_object_get(data, "forename"));
			ck_assert_int_eq(json_object_size(data), 9);
		}
		json_decref(e);
	}
	publish(7, 8);
	e = cl_recv(c, 5000);
	ck_assert_uint_eq(event_id(e), 7);
	json_decref(e);
	expect_quiet(c, 200);
	cl_close(c);
	harness_stop();
}
END_TEST

START_TEST(test_cursor_too_old)
{
	struct cl *c;
	json_t *r;

	harness_init();
	H.ring = 10;
	harness_start();
	publish(1, 20);
	c = cl_hello();
	r = expect(c, "{\"cmd\":\"subscribe\",\"since\":\"3\"}", "cursor_too_old");
	json_decref(r);
	expect_free(c, "{\"cmd\":\"subscribe\",\"since\":\"10\"}", "ok");
	expect_events(c, 11, 20);
	cl_close(c);
	harness_stop();
}
END_TEST

/* Loop thread: the lowest subscriber cursor into *arg. */
static void do_min_cursor(void *arg)
{
	*(uint64_t *)arg = cw_alertbus_min_cursor(H.bus);
}

/* Loop thread: the store pruned up to *arg; the ring forgets them too. */
static void do_forget(void *arg)
{
	cw_translog_forget_upto(H.log, *(uint64_t *)arg);
}

START_TEST(test_pruned_cursor)
{
	struct cl *c;
	uint64_t low = 0, upto = 10;
	json_t *r;

	/* The pruner asks for the lowest cursor a subscriber still reads from;
	 * once it pruned up to 10, the ring answers an older cursor too old. */
	harness_init();
	H.ring = 100;
	harness_start();
	publish(1, 20);
	on_loop(do_min_cursor, &low);
	ck_assert_uint_eq(low, UINT64_MAX);
	c = cl_hello();
	expect_free(c, "{\"cmd\":\"subscribe\"}", "ok");
	on_loop(do_min_cursor, &low);
	ck_assert_uint_eq(low, 20);
	cl_close(c);
	on_loop(do_forget, &upto);
	c = cl_hello();
	r = expect(c, "{\"cmd\":\"subscribe\",\"since\":\"9\"}", "cursor_too_old");
	json_decref(r);
	expect_free(c, "{\"cmd\":\"subscribe\",\"since\":\"10\"}", "ok");
	expect_events(c, 11, 20);
	cl_close(c);
	harness_stop();
}
END_TEST

START_TEST(test_replay_paced)
{
	struct cl *c;

	/* 3000 events (over 1 MB) replayed through a 16 KiB output limit: the
	 * replay waits for the client instead of cutting it off. */
	harness_init();
	H.ring = 5000;
	H.cfg.max_output = 16384;
	harness_start();
	publish(1, 3000);
	c = cl_hello();
	expect_free(c, "{\"cmd\":\"subscribe\",\"since\":\"0\"}", "ok");
	expect_events(c, 1, 3000);
	publish(3001, 3001);
	expect_events(c, 3001, 3001);
	ck_assert(!log_has("cut off"));
	cl_close(c);
	harness_stop();
}
END_TEST

START_TEST(test_slow_subscriber)
{
	struct cl *slow, *fast;
	json_t *e;
	uint64_t id, last = 0, total = 3000;
	bool cut = false, overflow_seen = false;
	char needle[80];

	harness_init();
	H.cfg.max_output = 16384;
	H.cfg.close_grace_ms = 3000;
	harness_start();
	slow = cl_hello();
	fast = cl_hello();
	expect_free(slow, "{\"cmd\":\"subscribe\"}", "ok");
	expect_free(fast, "{\"cmd\":\"subscribe\"}", "ok");
	/* 20 events at a time stay under the 16 KiB limit of a client that reads. */
	for (id = 1; id <= total && !cut; id += 20) {
		publish(id, id + 19);
		expect_events(fast, id, id + 19);
		cut = log_has("cut off");
	}
	ck_assert_msg(cut, "the slow client was not cut off");
	snprintf(needle, sizeof(needle), "client uid %u pid %d cut off", (unsigned)getuid(), (int)getpid());
	ck_assert_msg(log_has(needle), "log: %s", log_text);
	/* The slow client gets a gapless prefix, then where to resume, then the end. */
	while ((e = cl_recv(slow, 5000))) {
		if (json_object_get(e, "specversion")) {
			ck_assert_uint_eq(event_id(e), last + 1);
			last++;
		} else {
			ck_assert_str_eq(json_string_value(json_object_get(e, "type")), "uk.casewatch.overflow");
			ck_assert_uint_eq(strtoull(json_string_value(json_object_get(e, "resume_from")), NULL, 10), last);
			overflow_seen = true;
		}
		json_decref(e);
	}
	ck_assert(overflow_seen);
	ck_assert_uint_gt(last, 0);
	ck_assert_uint_lt(last, id);
	/* The other client carries on. */
	publish(id, id + 19);
	expect_events(fast, id, id + 19);
	cl_close(slow);
	cl_close(fast);
	harness_stop();
}
END_TEST

START_TEST(test_max_clients)
{
	struct cl *c[3], *extra;
	json_t *r;

	harness_init();
	H.cfg.max_clients = 3;
	harness_start();
	for (int i = 0; i < 3; i++)
		c[i] = cl_hello();
	extra = cl_connect();
	r = cl_recv(extra, 5000);
	ck_assert_str_eq(code_of(r), "too_many_clients");
	json_decref(r);
	ck_assert(cl_eof(extra, 2000));
	cl_close(extra);
	ck_assert(log_has("connection refused"));
	cl_close(c[0]);
	for (int i = 0; i < 200 && clients() != 2; i++)
		usleep(5000);
	ck_assert_uint_eq(clients(), 2);
	extra = cl_hello();
	cl_close(extra);
	cl_close(c[1]);
	cl_close(c[2]);
	harness_stop();
}
END_TEST

/* Issue 12, defect 2: a client that sends many requests and reads no reply
 * holds at most max_output plus one reply; it is cut off once its replies
 * stay unread for the idle timeout; the others are served meanwhile; and a
 * client that does read gets every reply, in order. */
START_TEST(test_unread_replies)
{
	struct cl *greedy, *other, *reader;
	const char req[] = "{\"cmd\":\"alerts\"}\n";
	size_t most = 0, sent = 0, reply_len;
	char *line;
	json_t *r;

	harness_init();
	H.cfg.max_output = 16384;
	H.cfg.idle_timeout_ms = 1500;
	harness_start();
	publish(1, 100); /* 100 open alerts: one reply is about 25 KB */
	other = cl_hello();
	r = expect(other, "{\"cmd\":\"alerts\"}", "ok");
	line = json_dumps(r, JSON_COMPACT);
	reply_len = strlen(line) + 1;
	free(line);
	json_decref(r);
	ck_assert_uint_gt(reply_len, H.cfg.max_output);

	greedy = cl_hello();
	for (int i = 0; i < 2000; i++) {
		ssize_t n = send(greedy->fd, req, sizeof(req) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n != (ssize_t)sizeof(req) - 1)
			break;
		sent++;
	}
	ck_assert_uint_gt(sent, 100);
	/* Until it is cut off, what it holds stays at one reply past the bound. */
	for (int i = 0; i < 100 && clients() == 2; i++) {
		size_t now = output_bytes();

		if (now > most)
			most = now;
		usleep(10000);
	}
	fprintf(stderr, "# unread replies: %zu requests sent, at most %zu bytes queued (bound %zu + one reply of %zu)\n",
		sent, most, H.cfg.max_output, reply_len);
	ck_assert_msg(most <= H.cfg.max_output + reply_len, "%zu bytes queued", most);
	ck_assert_uint_gt(most, 0);
	/* Another client is served meanwhile. */
	expect_free(other, "{\"cmd\":\"status\"}", "ok");
	/* The greedy one is cut off once its replies stayed unread for the idle timeout. */
	for (int i = 0; i < 500 && clients() != 1; i++)
		usleep(10000);
	ck_assert_uint_eq(clients(), 1);
	ck_assert_msg(log_has("bytes of replies unread for the idle timeout"), "log: %s", log_text);
	ck_assert_uint_eq(output_bytes(), 0);
	cl_close(greedy);

	/* A client that never stops sending (a line as long as max_line, then
	 * bad lines) and never reads: found by tests/fault/floods.sh, where
	 * the daemon spun on its read callback instead of cutting it off. */
	greedy = cl_hello();
	{
		char *junk = malloc(65536 + 4096);
		int64_t until = 0;
		struct timespec ts;

		memset(junk, 'x', 65536);
		for (int i = 0; i < 2048; i++)
			memcpy(junk + 65536 + 2 * i, "{\n", 2);
		clock_gettime(CLOCK_MONOTONIC, &ts);
		until = ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + 5000;
		for (size_t off = 0; log_count("cut off: ") < 2;) {
			ssize_t n = send(greedy->fd, junk + off, 65536 + 4096 - off, MSG_NOSIGNAL | MSG_DONTWAIT);

			if (n > 0)
				off = (off + (size_t)n) % (65536 + 4096);
			else
				usleep(10000);
			clock_gettime(CLOCK_MONOTONIC, &ts);
			ck_assert_msg(ts.tv_sec * 1000 + ts.tv_nsec / 1000000 < until,
				      "a client that sends and never reads was not cut off");
		}
		free(junk);
	}
	for (int i = 0; i < 200 && output_bytes() != 0; i++)
		usleep(10000);
	ck_assert_uint_eq(output_bytes(), 0);
	cl_close(greedy);

	/* A client that reads late still gets every reply, in order. */
	reader = cl_hello();
	for (int i = 0; i < 50; i++) {
		char one[64];

		snprintf(one, sizeof(one), "{\"cmd\":\"alerts\",\"id\":%d}\n", i);
		cl_send(reader, one);
	}
	for (int i = 0; i < 50; i++) {
		r = cl_recv(reader, 5000);
		ck_assert_ptr_nonnull(r);
		ck_assert_str_eq(code_of(r), "ok");
		ck_assert_int_eq(json_integer_value(json_object_get(r, "id")), i);
		ck_assert_int_eq(json_integer_value(json_object_get(r, "count")), 100);
		json_decref(r);
	}
	cl_close(reader);
	cl_close(other);
	harness_stop();
}
END_TEST

/* Issue 12, defect 5: silent subscribers cannot take every slot; one in
 * eight (at least one) is kept for commands. */
START_TEST(test_subscriber_reserve)
{
	struct cl *c[8];
	json_t *r;

	harness_init();
	H.cfg.max_clients = 8;
	harness_start();
	for (int i = 0; i < 8; i++)
		c[i] = cl_hello();
	for (int i = 0; i < 7; i++)
		expect_free(c[i], "{\"cmd\":\"subscribe\"}", "ok");
	expect_free(c[7], "{\"cmd\":\"subscribe\"}", "too_many_subscribers");
	ck_assert(log_has("subscription of uid"));
	r = expect(c[7], "{\"cmd\":\"status\"}", "ok");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(r, "bus"), "subscribers")), 7);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(r, "bus"), "max_subscribers")), 7);
	json_decref(r);
	/* A subscriber that leaves gives its slot back. */
	expect_free(c[0], "{\"cmd\":\"unsubscribe\"}", "ok");
	expect_free(c[7], "{\"cmd\":\"subscribe\"}", "ok");
	for (int i = 0; i < 8; i++)
		cl_close(c[i]);
	harness_stop();
}
END_TEST

START_TEST(test_ack_refused)
{
	uid_t other = getuid() == 65534 ? 65533 : 65534;
	char needle[64];
	struct cl *c;
	json_t *r, *a;
	size_t i;

	harness_init();
	H.cfg.policy.uids = &other;
	H.cfg.policy.n_uids = 1;
	H.cfg.policy.deny_root = true;
	harness_start();
	publish(1, 3);
	c = cl_connect();
	r = expect(c, "{\"cmd\":\"hello\",\"protocol\":\"1.0\"}", "ok");
	ck_assert(json_is_false(json_object_get(json_object_get(r, "permissions"), "change")));
	json_decref(r);
	expect_free(c, "{\"cmd\":\"ack\",\"alert\":\"A1\"}", "permission_denied");
	expect_free(c, "{\"cmd\":\"snooze\",\"alert\":\"A1\",\"until\":\"2099-01-01T00:00:00Z\",\"reason\":\"x\"}",
		    "permission_denied");
	snprintf(needle, sizeof(needle), "refused ack from uid %u", (unsigned)getuid());
	ck_assert_msg(log_has(needle), "log: %s", log_text);
	ck_assert_int_eq(H.changes, 0);
	r = expect(c, "{\"cmd\":\"alerts\",\"filter\":{\"team\":\"T1\"}}", "ok");
	ck_assert_int_eq(json_integer_value(json_object_get(r, "count")), 2);
	json_array_foreach (json_object_get(r, "alerts"), i, a) {
		ck_assert_ptr_null(json_object_get(a, "acknowledged"));
		ck_assert_ptr_null(json_object_get(a, "forename"));
	}
	json_decref(r);
	cl_close(c);
	harness_stop();
}
END_TEST

/* The store's team names, in small: "north" is the data's team "T1"; T1 and
 * T2 are known by themselves; anything else is no team. */
static const char *fake_team(void *ctx, const char *name, char *id, size_t idsize, char *msg, size_t msgsize)
{
	(void)ctx;
	if (!strcmp(name, "north") || !strcmp(name, "T1") || !strcmp(name, "T2")) {
		snprintf(id, idsize, "%s", !strcmp(name, "north") ? "T1" : name);
		return NULL;
	}
	snprintf(msg, msgsize, "no such team");
	return "unknown_team";
}

/* Issue 13: a filter's team goes through the provider, by code or id, for
 * every command that takes a filter; an unknown one is an error. */
START_TEST(test_filter_team_names)
{
	struct cl *c;
	json_t *r;

	harness_init();
	H.team = fake_team;
	harness_start();
	publish(1, 4);
	c = cl_hello();
	r = expect(c, "{\"cmd\":\"alerts\",\"filter\":{\"team\":\"north\"}}", "ok");
	ck_assert_int_eq(json_integer_value(json_object_get(r, "count")), 2);
	json_decref(r);
	r = expect(c, "{\"cmd\":\"alerts\",\"filter\":{\"team\":[\"north\",\"T2\"]}}", "ok");
	ck_assert_int_eq(json_integer_value(json_object_get(r, "count")), 4);
	json_decref(r);
	r = expect(c, "{\"cmd\":\"alerts\",\"filter\":{\"team\":[\"T2\",\"nowhere\"]}}", "unknown_team");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "error"), "message")),
			 "alerts: filter.team[1]: \"nowhere\": no such team");
	json_decref(r);
	expect_free(c, "{\"cmd\":\"ack\",\"filter\":{\"team\":\"nowhere\"}}", "unknown_team");
	expect_free(c, "{\"cmd\":\"snooze\",\"filter\":{\"team\":\"nowhere\"},\"until\":\"2099-01-01T00:00:00Z\",\"reason\":\"x\"}",
		    "unknown_team");
	ck_assert_int_eq(H.changes, 0);
	expect_free(c, "{\"cmd\":\"subscribe\",\"filter\":{\"team\":\"nowhere\"}}", "unknown_team");
	r = expect(c, "{\"cmd\":\"subscribe\",\"since\":\"0\",\"filter\":{\"team\":\"north\"}}", "ok");
	json_decref(r);
	/* The replay brings team T1's transitions, 1 and 3, and no other. */
	r = cl_recv(c, 5000);
	ck_assert_str_eq(json_string_value(json_object_get(r, "id")), "1");
	json_decref(r);
	r = cl_recv(c, 5000);
	ck_assert_str_eq(json_string_value(json_object_get(r, "id")), "3");
	json_decref(r);
	cl_close(c);
	harness_stop();
}
END_TEST

/* Runs an ack with the policy set up by the caller; the provider gets the peer as actor. */
static void ack_allowed(void)
{
	struct passwd *pw = getpwuid(getuid());
	struct cl *c, *watch;
	json_t *r, *e;
	size_t i;
	json_t *a;

	publish(1, 3);
	watch = cl_hello();
	expect_free(watch, "{\"cmd\":\"subscribe\"}", "ok");
	c = cl_hello();
	r = expect(c, "{\"cmd\":\"ack\",\"alert\":\"A2\",\"id\":\"k\"}", "ok");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(r, "changed"), 0)), "A2");
	json_decref(r);
	ck_assert_int_eq(H.changes, 1);
	ck_assert_str_eq(H.verb, "ack");
	ck_assert_uint_eq(H.actor.uid, getuid());
	ck_assert_int_eq(H.actor.pid, getpid());
	ck_assert_str_eq(H.actor.name, pw->pw_name);
	e = cl_recv(watch, 5000);
	ck_assert_uint_eq(event_id(e), 4);
	ck_assert_str_eq(json_string_value(json_object_get(e, "type")), "uk.casewatch.alert.acknowledged");
	ck_assert_str_eq(json_string_value(json_object_get(e, "subject")), "alert/A2");
	json_decref(e);
	r = expect(c, "{\"cmd\":\"ack\",\"alerts\":[\"A2\",\"A99\"]}", "ok");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(r, "unchanged"), 0)), "A2");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(r, "unknown"), 0)), "A99");
	json_decref(r);
	r = expect(c, "{\"cmd\":\"alerts\",\"filter\":{\"team\":\"T2\"}}", "ok");
	ck_assert_int_eq(json_integer_value(json_object_get(r, "count")), 1);
	a = json_array_get(json_object_get(r, "alerts"), 0);
	ck_assert(json_is_true(json_object_get(a, "acknowledged")));
	ck_assert_int_eq(json_integer_value(json_object_get(a, "acknowledged_by_uid")), getuid());
	json_decref(r);
	expect_free(c, "{\"cmd\":\"ack\",\"alert\":\"A 1\"}", "bad_request");
	expect_free(c, "{\"cmd\":\"ack\"}", "bad_request");
	expect_free(c, "{\"cmd\":\"ack\",\"alert\":\"A1\",\"filter\":{\"team\":\"T1\"}}", "bad_request");
	expect_free(c, "{\"cmd\":\"ack\",\"filter\":{}}", "bad_request");
	/* Snooze: a code for a reason, a future UTC time, in bulk by filter. */
	expect_free(c, "{\"cmd\":\"snooze\",\"filter\":{\"team\":\"T1\"},\"until\":\"2020-01-01T00:00:00Z\",\"reason\":\"court_date\"}",
		    "bad_request");
	expect_free(c, "{\"cmd\":\"snooze\",\"filter\":{\"team\":\"T1\"},\"until\":\"2099-02-30T00:00:00Z\",\"reason\":\"court_date\"}",
		    "bad_request");
	expect_free(c, "{\"cmd\":\"snooze\",\"filter\":{\"team\":\"T1\"},\"until\":\"2099-01-01T00:00:00Z\",\"reason\":\"Waiting for Mrs Smith\"}",
		    "bad_request");
	expect_free(c, "{\"cmd\":\"snooze\",\"filter\":{\"team\":\"T1\"},\"reason\":\"court_date\"}", "bad_request");
	r = expect(c, "{\"cmd\":\"snooze\",\"filter\":{\"team\":\"T1\"},\"until\":\"2099-01-01T00:00:00Z\",\"reason\":\"court_date\"}",
		   "ok");
	/* T1 holds the odd ids: A1 and A3. */
	ck_assert_uint_eq(json_array_size(json_object_get(r, "changed")), 2);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(r, "changed"), 0)), "A1");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(r, "changed"), 1)), "A3");
	json_decref(r);
	ck_assert_str_eq(H.verb, "snooze");
	for (i = 5; i <= 6; i++) {
		e = cl_recv(watch, 5000);
		ck_assert_uint_eq(event_id(e), i);
		ck_assert_str_eq(json_string_value(json_object_get(e, "type")), "uk.casewatch.alert.snoozed");
		json_decref(e);
	}
	cl_close(c);
	cl_close(watch);
}

START_TEST(test_ack_allowed_by_uid)
{
	uid_t me = getuid();

	harness_init();
	H.cfg.policy.uids = &me;
	H.cfg.policy.n_uids = 1;
	H.cfg.policy.deny_root = true;
	harness_start();
	ack_allowed();
	harness_stop();
}
END_TEST

START_TEST(test_ack_allowed_by_group)
{
	gid_t g = getgid();

	harness_init();
	H.cfg.policy.gids = &g;
	H.cfg.policy.n_gids = 1;
	H.cfg.policy.deny_root = true;
	harness_start();
	ack_allowed();
	harness_stop();
}
END_TEST

START_TEST(test_root_default)
{
	struct cl *c;
	json_t *r;

	harness_init();
	harness_start();
	c = cl_connect();
	r = expect(c, "{\"cmd\":\"hello\",\"protocol\":\"1.0\"}", "ok");
	/* With an empty policy only root may change, unless root is denied. */
	ck_assert_int_eq(json_is_true(json_object_get(json_object_get(r, "permissions"), "change")), getuid() == 0);
	json_decref(r);
	cl_close(c);
	harness_stop();
}
END_TEST

START_TEST(test_socket_file)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct cw_alertbus *second;
	struct cw_error err;
	struct group *gr = getgrgid(getgid());
	struct stat st;
	struct cl *c;
	int fd;

	harness_init();
	/* A stale socket (nobody listening) is replaced. */
	strcpy(sun.sun_path, H.path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	H.cfg.mode = 0600;
	H.cfg.group = gr->gr_name;
	harness_start();
	ck_assert_int_eq(stat(H.path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	ck_assert_uint_eq(st.st_gid, getgid());
	c = cl_hello();
	cl_close(c);
	/* A live one is not taken over. */
	second = cw_alertbus_new(H.base, &H.cfg, &err);
	ck_assert_ptr_null(second);
	ck_assert_ptr_nonnull(strstr(err.msg, "another process is listening"));
	harness_stop();
	/* Something else at the path is left alone. */
	harness_init();
	fd = open(H.path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	H.base = event_base_new();
	H.log = cw_translog_new(H.base, 10);
	cw_translog_provider(H.log, NULL, NULL, &H.cfg.provider);
	second = cw_alertbus_new(H.base, &H.cfg, &err);
	ck_assert_ptr_null(second);
	ck_assert_msg(strstr(err.msg, "exists and is not a socket") != NULL, "%s", err.msg);
	H.cfg.path = "/nonexistent-dir/casewatch.sock";
	second = cw_alertbus_new(H.base, &H.cfg, &err);
	ck_assert_ptr_null(second);
	ck_assert_str_eq(err.msg, "/nonexistent-dir/casewatch.sock: bind: No such file or directory");
	cw_translog_free(H.log);
	event_base_free(H.base);
	unlink(H.path);
	rmdir(H.dir);
}
END_TEST

START_TEST(test_systemd_socket)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, status;
	pid_t child;
	struct cl *c;

	harness_init();
	strcpy(sun.sun_path, H.path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert_int_eq(listen(fd, 8), 0);
	child = fork();
	if (child == 0) {
		/* As systemd would start us: the socket at fd 3, LISTEN_PID and LISTEN_FDS set. */
		struct cw_alertbus_config cfg = H.cfg;
		struct cw_alertbus_provider p;
		struct event_base *base;
		struct cw_translog *log;
		struct cw_alertbus *bus;
		struct timeval tv = { 5, 0 };
		char pid[32];

		if (dup2(fd, 3) < 0)
			_exit(2);
		snprintf(pid, sizeof(pid), "%d", (int)getpid());
		setenv("LISTEN_PID", pid, 1);
		setenv("LISTEN_FDS", "1", 1);
		base = event_base_new();
		log = cw_translog_new(base, 10);
		cw_translog_provider(log, NULL, NULL, &p);
		cfg.provider = p;
		cfg.path = NULL;
		cfg.systemd = true;
		bus = cw_alertbus_new(base, &cfg, NULL);
		if (!bus)
			_exit(3);
		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
		_exit(0);
	}
	close(fd);
	c = cl_hello();
	cl_close(c);
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	ck_assert(WIFSIGNALED(status));
	unlink(H.path);
	rmdir(H.dir);
}
END_TEST

START_TEST(test_client_transport)
{
	struct ctl_client *cc;
	struct cw_error err;
	json_t *reply;
	char want[256];
	int code;

	harness_init();
	/* Where to connect: the option, else $CASEWATCH_SOCKET, else the default. */
	unsetenv("CASEWATCH_SOCKET");
	ck_assert_str_eq(ctl_client_socket_path(NULL), CW_RUNSTATEDIR "/casewatch.sock");
	setenv("CASEWATCH_SOCKET", "/tmp/env.sock", 1);
	ck_assert_str_eq(ctl_client_socket_path(NULL), "/tmp/env.sock");
	ck_assert_str_eq(ctl_client_socket_path("/tmp/opt.sock"), "/tmp/opt.sock");
	/* Nobody listening: an error that says what to do. */
	cc = ctl_client_connect(H.path, 2000, &code, &err);
	ck_assert_ptr_null(cc);
	ck_assert_int_eq(code, CTL_EXIT_UNAVAILABLE);
	snprintf(want, sizeof(want),
		 "cannot connect to %s: No such file or directory: is casewatchd running? (systemctl status casewatchd)",
		 H.path);
	ck_assert_str_eq(err.msg, want);
	harness_start();
	publish(1, 2);
	cc = ctl_client_connect(H.path, 2000, &code, &err);
	ck_assert_msg(cc != NULL, "%s", err.msg);
	ck_assert_int_eq(code, CTL_EXIT_OK);
	ck_assert_str_eq(json_string_value(json_object_get(ctl_client_hello(cc), "protocol")), "1.0");
	ck_assert_int_eq(ctl_client_call(cc, json_pack("{s:s}", "cmd", "status"), &reply, &err), CTL_EXIT_OK);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(reply, "bus"), "last_id")), "2");
	json_decref(reply);
	ck_assert_int_eq(ctl_client_call(cc, json_pack("{s:s}", "cmd", "fly"), &reply, &err), CTL_EXIT_REFUSED);
	ck_assert_ptr_nonnull(strstr(err.msg, "(unknown_command)"));
	json_decref(reply);
	/* A stream: the reply, then events read one by one. */
	ck_assert_int_eq(ctl_client_call(cc, json_pack("{s:s, s:s}", "cmd", "subscribe", "since", "0"), &reply, &err),
			 CTL_EXIT_OK);
	json_decref(reply);
	for (int want_id = 1; want_id <= 2; want_id++) {
		json_t *e = ctl_client_read(cc, 5000, &err);

		ck_assert_msg(e != NULL, "%s", err.msg);
		ck_assert_uint_eq(event_id(e), (uint64_t)want_id);
		json_decref(e);
	}
	ck_assert_ptr_null(ctl_client_read(cc, 100, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "no answer from casewatchd within 100 ms"));
	ctl_client_close(cc);
	harness_stop();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("alertbus");
	TCase *tc = tcase_create("socket");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_hello);
	tcase_add_test(tc, test_status);
	tcase_add_test(tc, test_translog_bytes);
	tcase_add_test(tc, test_translog_view_evicts_oldest);
	tcase_add_test(tc, test_bad_requests);
	tcase_add_test(tc, test_long_lines);
	tcase_add_test(tc, test_idle_and_partial);
	tcase_add_test(tc, test_replay_then_live);
	tcase_add_test(tc, test_replay_queue_overflow);
	tcase_add_test(tc, test_resume);
	tcase_add_test(tc, test_filters_and_envelope);
	tcase_add_test(tc, test_cursor_too_old);
	tcase_add_test(tc, test_pruned_cursor);
	tcase_add_test(tc, test_replay_paced);
	tcase_add_test(tc, test_slow_subscriber);
	tcase_add_test(tc, test_max_clients);
	tcase_add_test(tc, test_unread_replies);
	tcase_add_test(tc, test_subscriber_reserve);
	tcase_add_test(tc, test_ack_refused);
	tcase_add_test(tc, test_filter_team_names);
	tcase_add_test(tc, test_ack_allowed_by_uid);
	tcase_add_test(tc, test_ack_allowed_by_group);
	tcase_add_test(tc, test_root_default);
	tcase_add_test(tc, test_socket_file);
	tcase_add_test(tc, test_systemd_socket);
	tcase_add_test(tc, test_client_transport);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return cw_test_run(suite());
}
