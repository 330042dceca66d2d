/* alertbus_driver.c - a live alert socket with example transitions, for docs/protocol.md's examples. */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <event2/event.h>
#include <jansson.h>

#include "../daemon/alertbus.h"
#include "../daemon/transition_log.h"

/* The transitions docs/protocol.md shows: two alerts, one of them escalated. */
static const char *const examples[] = {
	"{\"type\":\"raised\",\"time\":\"2026-11-23T09:00:00Z\",\"data\":{\"rule_id\":\"VISIT-5D\",\"alert_id\":\"1042\","
	"\"person_id\":\"77031\",\"team\":\"north-2\",\"audience\":\"worker\",\"due\":\"2026-11-20T23:59:59Z\","
	"\"state\":\"overdue\",\"severity\":\"warning\",\"kind\":\"recording\",\"late_by\":\"P2D\"}}",
	"{\"type\":\"raised\",\"time\":\"2026-11-23T10:00:00Z\",\"data\":{\"rule_id\":\"CP-24H\",\"alert_id\":\"1043\","
	"\"person_id\":\"77044\",\"team\":\"south-1\",\"audience\":\"worker\",\"due\":\"2026-11-23T14:30:00Z\","
	"\"state\":\"due_soon\",\"severity\":\"info\",\"kind\":\"recording\"}}",
	"{\"type\":\"escalated\",\"time\":\"2026-11-23T12:00:00Z\",\"data\":{\"rule_id\":\"VISIT-5D\",\"alert_id\":\"1042\","
	"\"person_id\":\"77031\",\"team\":\"north-2\",\"audience\":\"team_manager\",\"due\":\"2026-11-20T23:59:59Z\","
	"\"state\":\"escalated\",\"severity\":\"high\",\"kind\":\"recording\",\"late_by\":\"P2D\"}}",
	NULL,
};

static struct cw_alertbus *bus;

/* Logs to stderr. */
static void driver_log(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void driver_log(int priority, const char *fmt, ...)
{
	va_list ap;

	if (priority > LOG_INFO)
		return;
	va_start(ap, fmt);
	fputs("alertbus_driver: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* Changes made through the socket are published, as casewatchd does. */
static void driver_emit(void *arg, uint64_t id, const json_t *t)
{
	(void)arg;
	cw_alertbus_publish(bus, id, t);
}

/* SIGTERM or SIGINT: stop the loop. */
static void driver_on_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	event_base_loopbreak(arg);
}

static void usage(void)
{
	fprintf(stderr, "usage: alertbus_driver (--socket PATH | --systemd) [--allow-uid UID] [--host NAME]\n"
			"Serves docs/protocol.md's example transitions on an alert socket until SIGTERM.\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' }, { "systemd", no_argument, NULL, 'S' },
		{ "allow-uid", required_argument, NULL, 'u' }, { "host", required_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cw_alertbus_config cfg = { .log = driver_log, .source_host = "casewatch-host" };
	struct event *sigterm, *sigint;
	struct event_base *base;
	struct cw_translog *log;
	struct cw_error err;
	uid_t allow;
	int c, status = 0;
	uint64_t id = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			cfg.path = optarg;
			break;
		case 'S':
			cfg.systemd = true;
			break;
		case 'u':
			allow = (uid_t)strtoul(optarg, NULL, 10);
			cfg.policy.uids = &allow;
			cfg.policy.n_uids = 1;
			break;
		case 'h':
			cfg.source_host = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || (!cfg.path && !cfg.systemd))
		usage();
	signal(SIGPIPE, SIG_IGN);
	base = event_base_new();
	log = cw_translog_new(base, 1024);
	if (!base || !log) {
		fprintf(stderr, "alertbus_driver: out of memory\n");
		return 1;
	}
	for (const char *const *e = examples; *e; e++) {
		json_t *t = json_loads(*e, 0, NULL);

		if (!t || !cw_translog_append(log, ++id, t, &err)) {
			fprintf(stderr, "alertbus_driver: example %llu: %s\n", (unsigned long long)id, t ? err.msg : "bad JSON");
			return 1;
		}
		json_decref(t);
	}
	cw_translog_provider(log, driver_emit, NULL, &cfg.provider);
	cfg.last_id = cw_translog_last_id(log);
	bus = cw_alertbus_new(base, &cfg, &err);
	if (!bus) {
		fprintf(stderr, "alertbus_driver: %s\n", err.msg);
		return 1;
	}
	sigterm = evsignal_new(base, SIGTERM, driver_on_signal, base);
	sigint = evsignal_new(base, SIGINT, driver_on_signal, base);
	event_add(sigterm, NULL);
	event_add(sigint, NULL);
	if (event_base_dispatch(base) < 0)
		status = 1;
	event_free(sigterm);
	event_free(sigint);
	cw_alertbus_free(bus);
	cw_translog_free(log);
	event_base_free(base);
	return status;
}
