/*
 * fuzz_socket.c - the alert socket's line and command parser, end to end:
 * any bytes sent by one client over a real Unix socket to the real bus,
 * served by the in-memory transition log (50 alerts to list, ack, snooze
 * and replay), the client's sending side then closed and every reply read
 * until the daemon closes the connection. Small limits (a 512-byte line,
 * 8 KiB of output) put the over-long line and unread-reply paths in reach.
 */
#define _GNU_SOURCE 1
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "alertbus.h"
#include "fuzz.h"
#include "transition_log.h"

static struct event_base *base;
static struct cw_translog *tlog;
static struct cw_alertbus *bus;
static char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];

/* The bus's log goes nowhere: only crashes and sanitizer reports matter. */
static void quiet_log(int priority, const char *fmt, ...)
{
	(void)priority;
	(void)fmt;
}

/* What a change appends is published, as the daemon does. */
static void emit(void *arg, uint64_t id, const json_t *t)
{
	(void)arg;
	cw_alertbus_publish(bus, id, t);
}

/* The bus and 50 alerts, once. */
static void setup(void)
{
	struct cw_alertbus_config cfg = { 0 };
	struct cw_error err;

	signal(SIGPIPE, SIG_IGN);
	base = event_base_new();
	tlog = cw_translog_new(base, 1000);
	snprintf(sock_path, sizeof(sock_path), "%s/bus.sock", fuzz_dir());
	cfg.path = sock_path;
	cfg.log = quiet_log;
	cfg.source_host = "fuzz";
	cfg.max_line = 512;
	cfg.max_output = 8192;
	cfg.idle_timeout_ms = 200;
	cfg.close_grace_ms = 50;
	cw_translog_provider(tlog, emit, NULL, &cfg.provider);
	bus = cw_alertbus_new(base, &cfg, &err);
	if (!bus) {
		fprintf(stderr, "fuzz_socket: %s\n", err.msg);
		abort();
	}
	for (uint64_t id = 1; id <= 50; id++) {
		char alert[16], person[16];
		json_t *t;

		snprintf(alert, sizeof(alert), "%llu", (unsigned long long)id);
		snprintf(person, sizeof(person), "%llu", (unsigned long long)(1000 + id % 7));
		t = json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}}", "type", "raised",
			      "time", "2026-11-23T09:00:00Z", "data", "rule_id", "NOTE-5WD", "alert_id", alert,
			      "person_id", person, "team", id % 2 ? "1" : "2", "audience", "worker", "due",
			      "2026-11-20T23:59:59Z", "state", "overdue", "severity", "warning", "kind", "obligation");
		if (!cw_translog_append(tlog, id, t, &err))
			abort();
		cw_alertbus_publish(bus, id, t);
		json_decref(t);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t sent = 0;
	char buf[65536];
	bool eof = false;
	int fd;

	if (!base)
		setup();
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	memcpy(sun.sun_path, sock_path, sizeof(sun.sun_path));
	if (fd < 0 || (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 && errno != EINPROGRESS))
		abort();
	/* Send, read and turn the loop until the daemon has closed. The loop
	 * turns are bounded: a request that is never answered is a finding. */
	for (int turn = 0; !eof; turn++) {
		ssize_t n;

		if (turn > 200000) {
			fprintf(stderr, "fuzz_socket: the connection was never closed\n");
			abort();
		}
		if (sent < size) {
			n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
			if (n > 0)
				sent += (size_t)n;
			else if (errno != EAGAIN)
				sent = size; /* the daemon closed: it may, mid-input */
			if (sent == size)
				shutdown(fd, SHUT_WR);
		} else if (turn == 0)
			shutdown(fd, SHUT_WR);
		event_base_loop(base, EVLOOP_NONBLOCK);
		while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
			;
		if (n == 0 || (n < 0 && errno != EAGAIN))
			eof = true;
		else if (sent == size) {
			/* Nothing to send: wait for the loop's next event (a timer). */
			event_base_loop(base, EVLOOP_ONCE);
		}
	}
	close(fd);
	/* Let the bus free the connection before the next input. */
	while (cw_alertbus_clients(bus) > 0)
		event_base_loop(base, EVLOOP_ONCE);
	return 0;
}
