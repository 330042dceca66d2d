/* main.c - casewatchd: options, settings, event loop, signals, subsystems. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <systemd/sd-daemon.h>

#include "clock.h"
#include "conf.h"
#include "daemon.h"
#include "daemon/versions.h"
#include "alertbus.h"
#include "log.h"
#include "metrics.h"
#include "poller.h"
#include "preflight.h"
#include "prune.h"
#include "store_provider.h"
#include "teams.h"
#include "transition_log.h"

/* Recent transitions kept in memory for resuming subscribers. */
#define MAIN_TRANSLOG_RING 10000

/* What the command line asked for. */
struct options {
	const char *conf_path;
	bool check_config;
	bool print_config;
	bool describe_config;
	bool once;
	bool json;
	bool foreground;
};

/* Everything main owns while the loop runs. */
struct main_state {
	struct options opt;
	struct event_base *base;
	struct cw_conf *conf;
	struct cw_daemon *daemon;
	struct cw_poller *poller;
	struct cw_translog *tlog;
	struct cw_store_provider *provider;
	struct cw_alertbus *bus;
	struct cw_prune *prune;
	struct cw_metrics *metrics; /* NULL unless metrics_listen is set */
	struct cw_teams *teams; /* the records' team codes, for the socket */
	uid_t *admin_uids; /* the bus's change policy; must outlive the bus */
	size_t n_admin_uids;
	gid_t *admin_gids;
	size_t n_admin_gids;
	struct event *sighup, *sigterm, *sigint, *watchdog;
	int stop_signals;
};

/* --help. */
static void usage(FILE *out)
{
	fprintf(out,
		"usage: casewatchd [-c FILE] [-f] [--once [--json]]\n"
		"       casewatchd [-c FILE] --check-config [--json]\n"
		"       casewatchd [-c FILE] --print-config [--json]\n"
		"\n"
		"  -c, --config FILE   settings file (default %s)\n"
		"      --check-config  validate the settings file; exit 0 if valid, 1 if not\n"
		"      --print-config  print the effective settings (defaults filled in)\n"
		"      --describe-config  print every setting with its help and default\n"
		"      --json          with --once: print the open alerts as JSON;\n"
		"                      with --check-config/--print-config: JSON output\n"
		"      --once          connect, migrate, run one pass, exit: 0 when all of it\n"
		"                      went through, 1 when a step failed or the store refused\n"
		"                      a person (the log says which)\n"
		"  -f, --foreground    also log to stderr\n"
		"  -V, --version       print the version\n"
		"  -h, --help          this help\n",
		CW_CONF_DEFAULT_PATH);
}

/* Parses argv; exits for --help, --version and usage errors. */
static void parse_options(int argc, char **argv, struct options *opt)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "print-config", no_argument, NULL, 'P' },
		{ "describe-config", no_argument, NULL, 'D' },
		{ "once", no_argument, NULL, 'O' },
		{ "json", no_argument, NULL, 'J' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opt->conf_path = CW_CONF_DEFAULT_PATH;
	while ((c = getopt_long(argc, argv, "c:fVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			opt->conf_path = optarg;
			break;
		case 'C':
			opt->check_config = true;
			break;
		case 'P':
			opt->print_config = true;
			break;
		case 'D':
			opt->describe_config = true;
			break;
		case 'O':
			opt->once = true;
			break;
		case 'J':
			opt->json = true;
			break;
		case 'f':
			opt->foreground = true;
			break;
		case 'V':
			printf("casewatchd %s\n", PACKAGE_VERSION);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "casewatchd: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		exit(2);
	}
}

/* Appends each line of text to a JSON array. */
static void json_append_lines(json_t *list, const char *text)
{
	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');

		json_array_append_new(list, json_stringn(line, nl ? (size_t)(nl - line) : strlen(line)));
		line = nl ? nl + 1 : NULL;
	}
}

/* --check-config: the file, then everything the daemon would load from what
 * it names (preflight.h); every problem, then exit 0 or 1. */
static int check_config(const struct options *opt)
{
	char *errors = NULL, *warnings = NULL;
	struct cw_conf *conf = cw_conf_load(opt->conf_path, &errors);
	bool valid = conf && cw_preflight_check(conf, opt->conf_path, &errors, &warnings);
	json_t *doc, *list, *wlist;

	if (opt->json) {
		list = json_array();
		wlist = json_array();
		json_append_lines(list, errors);
		json_append_lines(wlist, warnings);
		doc = json_pack("{s:s, s:b, s:o, s:o}", "file", opt->conf_path, "valid", valid, "errors",
				list, "warnings", wlist);
		json_dumpf(doc, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(doc);
	} else {
		for (const char *line = warnings; line && *line;) {
			size_t n = strcspn(line, "\n");

			fprintf(stderr, "warning: %.*s\n", (int)n, line);
			line += n + (line[n] == '\n');
		}
		if (valid)
			printf("%s: OK\n", opt->conf_path);
		else
			fputs(errors, stderr);
	}
	free(errors);
	free(warnings);
	cw_conf_free(conf);
	return valid ? 0 : 1;
}

/* --print-config: the effective settings, as a file or as JSON. */
static void print_config(const struct cw_conf *conf, bool json)
{
	const struct cw_conf_setting *s;
	size_t n;
	json_t *doc;

	if (!json) {
		cw_conf_print(conf, stdout, false);
		return;
	}
	doc = json_object();
	s = cw_conf_settings(&n);
	for (size_t i = 0; i < n; i++) {
		char *v = cw_conf_value(conf, &s[i]);

		json_object_set_new(doc, s[i].name, json_string(v));
		free(v);
	}
	json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(doc);
}

/* Points the logger at the targets the settings and -f ask for. */
static void configure_logging(const struct cw_conf *conf, bool foreground)
{
	struct cw_log_options lo = {
		.level = (enum cw_log_level)conf->log_level,
		.ident = conf->syslog_ident,
		.facility = conf->syslog_facility,
		.syslog_socket = conf->syslog_socket,
		.ratelimit_ms = conf->log_rate_limit_ms,
	};

	switch ((enum cw_conf_log_target)conf->log_target) {
	case CW_CONF_LOG_AUTO:
		lo.targets = cw_log_auto_targets();
		break;
	case CW_CONF_LOG_SYSLOG:
		lo.targets = CW_LOG_TO_SYSLOG;
		break;
	case CW_CONF_LOG_JOURNAL:
		lo.targets = CW_LOG_TO_JOURNAL;
		break;
	case CW_CONF_LOG_STDERR:
		lo.targets = CW_LOG_TO_STDERR;
		break;
	case CW_CONF_LOG_BOTH:
		lo.targets = CW_LOG_TO_SYSLOG | CW_LOG_TO_JOURNAL;
		break;
	}
	if (foreground)
		lo.targets |= CW_LOG_TO_STDERR;
	cw_log_configure(&lo);
}

/* Logs each line of a multi-line text at level, as event ev. */
static void log_each_line(enum cw_log_event ev, enum cw_log_level level, const char *prefix, const char *text)
{
	cw_log_lines(NULL, ev, level, prefix, text);
}

/* SIGHUP: reload. The handler runs in the loop, so a SIGHUP arriving during
 * the reload is queued by libevent and runs this again afterwards. */
static void on_sighup(evutil_socket_t sig, short what, void *arg)
{
	struct main_state *ms = arg;
	char *errors = NULL, *report;
	bool report_lines;
	struct cw_conf *fresh;

	(void)sig;
	(void)what;
	sd_notify(0, "RELOADING=1\nSTATUS=Reloading settings");
	cw_log(CW_LOG_NOTICE, "SIGHUP: reloading %s", ms->opt.conf_path);
	fresh = cw_conf_load(ms->opt.conf_path, &errors);
	if (!fresh) {
		log_each_line(CW_EV_RELOAD_REFUSED, CW_LOG_WARNING, "reload failed, keeping the old settings",
			      errors);
		free(errors);
		sd_notify(0, "READY=1\nSTATUS=Running (the last reload failed; see the log)");
		return;
	}
	report = cw_conf_reload_merge(ms->conf, fresh);
	report_lines = report != NULL;
	if (report) {
		for (char *line = report; *line;) {
			char *nl = strchr(line, '\n');

			*nl = '\0';
			cw_log(strstr(line, "needs a restart") ? CW_LOG_WARNING : CW_LOG_NOTICE,
			       "reload: %s", line);
			line = nl + 1;
		}
		free(report);
	}
	cw_log_event(CW_EV_RELOAD_ACCEPTED, CW_LOG_NOTICE, "reload accepted: %s", report_lines ?
		     "the settings above changed" : "no setting changed");
	configure_logging(fresh, ms->opt.foreground);
	cw_clock_set_test_file(fresh->test_clock_file);
	cw_daemon_reload(ms->daemon, fresh);
	cw_conf_free(ms->conf);
	ms->conf = fresh;
	sd_notify(0, "READY=1\nSTATUS=Running");
}

/* SIGTERM/SIGINT: the first stops gracefully, a second at once. */
static void on_stop_signal(evutil_socket_t sig, short what, void *arg)
{
	struct main_state *ms = arg;

	(void)what;
	if (ms->stop_signals++ == 0) {
		sd_notify(0, "STOPPING=1\nSTATUS=Stopping");
		cw_log(CW_LOG_NOTICE, "%s: stopping (a second one stops at once)", strsignal((int)sig));
		cw_daemon_stop(ms->daemon);
	} else {
		cw_log(CW_LOG_NOTICE, "%s again: stopping now", strsignal((int)sig));
		event_base_loopbreak(ms->base);
	}
}

/* The systemd watchdog: our own timer, at half the interval. */
static void on_watchdog(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	sd_notify(0, "WATCHDOG=1");
}

/* Signals as libevent events, and the watchdog timer. */
static void setup_signals(struct main_state *ms)
{
	uint64_t usec = 0;

	signal(SIGPIPE, SIG_IGN);
	ms->sighup = evsignal_new(ms->base, SIGHUP, on_sighup, ms);
	ms->sigterm = evsignal_new(ms->base, SIGTERM, on_stop_signal, ms);
	ms->sigint = evsignal_new(ms->base, SIGINT, on_stop_signal, ms);
	if (!ms->sighup || !ms->sigterm || !ms->sigint)
		abort();
	event_add(ms->sighup, NULL);
	event_add(ms->sigterm, NULL);
	event_add(ms->sigint, NULL);
	if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
		struct timeval tv = { (time_t)(usec / 2 / 1000000), (suseconds_t)(usec / 2 % 1000000) };

		ms->watchdog = event_new(ms->base, -1, EV_PERSIST, on_watchdog, ms);
		event_add(ms->watchdog, &tv);
		cw_log(CW_LOG_INFO, "systemd watchdog: pinging every %llu ms",
		       (unsigned long long)(usec / 2000));
	}
}

/* Writes the pidfile, if one is configured. */
static bool write_pidfile(const char *path)
{
	FILE *f;

	if (!*path)
		return true;
	f = fopen(path, "w");
	if (!f || fprintf(f, "%ld\n", (long)getpid()) < 0 || fclose(f) != 0) {
		cw_log(CW_LOG_ERR, "pidfile %s: %s", path, strerror(errno));
		return false;
	}
	return true;
}

/* The start-up line: our version and every library's. */
static void log_versions(const struct main_state *ms)
{
	int pq = PQlibVersion();

	cw_log(CW_LOG_NOTICE,
	       "casewatchd %s starting (libevent %s with %s, libpq %d.%d, jansson %s, "
	       "libsystemd %s)%s",
	       PACKAGE_VERSION, event_get_version(), event_base_get_method(ms->base), pq / 10000,
	       pq % 100, jansson_version_str(), CW_LIBSYSTEMD_VERSION,
	       ms->opt.once ? ": one pass" : "");
	if (cw_clock_test_file())
		cw_log(CW_LOG_WARNING, "test_clock_file is set: the daemon's time comes from %s",
		       cw_clock_test_file());
}

/* Calls fn(ms, name) for each name of a settings list (commas and/or blanks). */
static void each_name(struct main_state *ms, const char *list, void (*fn)(struct main_state *, const char *))
{
	char name[256];

	while (*list) {
		size_t n = strcspn(list, ", \t");

		if (n > 0 && n < sizeof(name)) {
			memcpy(name, list, n);
			name[n] = '\0';
			fn(ms, name);
		}
		list += n;
		list += strspn(list, ", \t");
	}
}

/* One admin_users name (or uid) into the change policy. */
static void add_admin_user(struct main_state *ms, const char *name)
{
	struct passwd *pw = getpwnam(name);
	uid_t *u;

	if (!pw) {
		cw_log(CW_LOG_WARNING, "admin_users: no user \"%s\"; ignored", name);
		return;
	}
	u = realloc(ms->admin_uids, (ms->n_admin_uids + 1) * sizeof(*u));
	if (!u)
		abort();
	ms->admin_uids = u;
	u[ms->n_admin_uids++] = pw->pw_uid;
}

/* One admin_groups name into the change policy. */
static void add_admin_group(struct main_state *ms, const char *name)
{
	struct group *gr = getgrnam(name);
	gid_t *g;

	if (!gr) {
		cw_log(CW_LOG_INFO, "admin_groups: no group \"%s\"; ignored", name);
		return;
	}
	g = realloc(ms->admin_gids, (ms->n_admin_gids + 1) * sizeof(*g));
	if (!g)
		abort();
	ms->admin_gids = g;
	g[ms->n_admin_gids++] = gr->gr_gid;
}

/* The bus's clock: the daemon's (the test clock when one is set). */
static time_t bus_now(void)
{
	return (time_t)cw_clock_now();
}

/* The bus's log of a slow subscriber cut off: an event with its MESSAGE_ID. */
static void bus_log_cutoff(int priority, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	cw_log_event(CW_EV_SUBSCRIBER_CUT_OFF, priority < CW_LOG_ERR ? CW_LOG_ERR : (enum cw_log_level)priority, "%s",
		     line);
}

/* The bus's log: the daemon's logger at the same priority. */
static void bus_log(int priority, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	cw_log(priority < CW_LOG_ERR ? CW_LOG_ERR : (enum cw_log_level)priority, "%s", line);
}

/*
 * The alert socket (not with --once): the transition ring, the store-backed
 * provider and the bus, on the socket systemd passed or socket_path. Who may
 * ack and snooze comes from admin_users and admin_groups (root always may),
 * read at start. The delivery cursor read from the store when the database
 * connects sets the bus's last id (deliver.c), so cursors survive restarts.
 */
static bool setup_alert_socket(struct main_state *ms)
{
	struct cw_alertbus_config bc = { 0 };
	struct cw_error err;

	ms->tlog = cw_translog_new(ms->base, MAIN_TRANSLOG_RING);
	ms->teams = cw_teams_new();
	if (ms->tlog)
		cw_translog_set_max_bytes(ms->tlog, (size_t)ms->conf->transition_log_bytes);
	ms->provider = ms->tlog && ms->teams ?
			       cw_store_provider_new(ms->base, ms->daemon, ms->poller, ms->tlog, ms->teams) :
			       NULL;
	if (!ms->provider) {
		cw_log(CW_LOG_ERR, "alert socket: out of memory");
		return false;
	}
	each_name(ms, ms->conf->admin_users, add_admin_user);
	each_name(ms, ms->conf->admin_groups, add_admin_group);
	bc.path = ms->conf->socket_path;
	bc.mode = (mode_t)ms->conf->socket_mode;
	bc.group = *ms->conf->socket_group ? ms->conf->socket_group : NULL;
	bc.systemd = true;
	bc.max_clients = (size_t)ms->conf->max_clients;
	bc.max_output = (size_t)ms->conf->client_buffer_limit;
	bc.policy.uids = ms->admin_uids;
	bc.policy.n_uids = ms->n_admin_uids;
	bc.policy.gids = ms->admin_gids;
	bc.policy.n_gids = ms->n_admin_gids;
	bc.log = bus_log;
	bc.log_cutoff = bus_log_cutoff;
	bc.now = bus_now;
	cw_store_provider_get(ms->provider, &bc.provider);
	ms->bus = cw_alertbus_new(ms->base, &bc, &err);
	if (!ms->bus) {
		cw_log(CW_LOG_ERR, "%s", err.msg);
		return false;
	}
	cw_store_provider_set_bus(ms->provider, ms->bus);
	cw_poller_set_sinks(ms->poller, ms->tlog, ms->bus);
	/* The pruner keeps what the socket's subscribers still have to read. */
	ms->prune = cw_prune_new(ms->base, ms->daemon, ms->tlog, ms->bus);
	if (!ms->prune) {
		cw_log(CW_LOG_ERR, "prune: out of memory");
		return false;
	}
	cw_store_provider_set_prune(ms->provider, ms->prune);
	cw_poller_set_teams(ms->poller, ms->teams);
	return true;
}

/* The Prometheus endpoint, when metrics_listen asks for one (not with --once). */
static bool setup_metrics(struct main_state *ms)
{
	struct cw_metrics_sources src = { ms->daemon, ms->poller, ms->bus, ms->prune };
	struct cw_error err;

	if (!*ms->conf->metrics_listen)
		return true;
	ms->metrics = cw_metrics_new(ms->base, ms->conf->metrics_listen, &src, &err);
	if (!ms->metrics)
		cw_log(CW_LOG_ERR, "%s", err.msg);
	return ms->metrics != NULL;
}

/* Frees what the loop used. */
static void teardown(struct main_state *ms)
{
	cw_alertbus_free(ms->bus);
	cw_store_provider_free(ms->provider);
	cw_daemon_free(ms->daemon);
	cw_prune_free(ms->prune); /* after the daemon: its queries' callbacks are dropped */
	cw_metrics_free(ms->metrics);
	cw_teams_free(ms->teams); /* after the database, which drops a read in flight */
	cw_translog_free(ms->tlog);
	free(ms->admin_uids);
	free(ms->admin_gids);
	cw_poller_free(ms->poller);
	if (ms->watchdog)
		event_free(ms->watchdog);
	event_free(ms->sighup);
	event_free(ms->sigterm);
	event_free(ms->sigint);
	event_base_free(ms->base);
	if (*ms->conf->pidfile)
		unlink(ms->conf->pidfile);
	cw_conf_free(ms->conf);
	cw_clock_set_test_file(NULL);
	cw_log_shutdown();
	libevent_global_shutdown();
}

/* casewatchd: options, settings, logging, loop, subsystems, ready, run. */
int main(int argc, char **argv)
{
	struct main_state ms = { 0 };
	struct cw_hooks hooks;
	char *errors = NULL;
	int status;

	/* Options and settings. */
	parse_options(argc, argv, &ms.opt);
	if (ms.opt.describe_config) {
		ms.conf = cw_conf_defaults();
		cw_conf_print(ms.conf, stdout, true);
		cw_conf_free(ms.conf);
		return 0;
	}
	if (ms.opt.check_config)
		return check_config(&ms.opt);
	ms.conf = cw_conf_load(ms.opt.conf_path, &errors);
	if (!ms.conf) {
		fputs(errors, stderr);
		free(errors);
		return 1;
	}
	if (ms.opt.print_config) {
		print_config(ms.conf, ms.opt.json);
		cw_conf_free(ms.conf);
		return 0;
	}

	/* Logging, the clock, the event base and signals. */
	configure_logging(ms.conf, ms.opt.foreground);
	cw_log_route_libevent();
	cw_clock_set_test_file(ms.conf->test_clock_file);
	ms.base = event_base_new();
	if (!ms.base) {
		cw_log(CW_LOG_ERR, "cannot create the event base");
		return 1;
	}
	setup_signals(&ms);
	log_versions(&ms);
	if (!write_pidfile(ms.conf->pidfile)) {
		ms.conf->pidfile[0] = '\0';
		teardown(&ms);
		return 1;
	}

	/* Subsystems, in order: the profile and calendar, the database cycle
	 * (migrations, passes), the poller on its hooks. */
	ms.poller = cw_poller_new(ms.conf);
	if (!ms.poller) {
		cw_log(CW_LOG_ERR, "cannot start: the profile or the calendar is invalid (see above)");
		teardown(&ms);
		return 1;
	}
	if (ms.opt.once && ms.opt.json)
		cw_poller_set_json_output(ms.poller, stdout);
	if (ms.opt.once)
		cw_poller_force_sweep(ms.poller);
	ms.daemon = cw_daemon_new(ms.base, ms.conf, ms.opt.once);
	cw_poller_hooks(ms.poller, &hooks);
	cw_daemon_set_hooks(ms.daemon, &hooks);
	if (!ms.opt.once && (!setup_alert_socket(&ms) || !setup_metrics(&ms))) {
		teardown(&ms);
		return 1;
	}
	cw_daemon_start(ms.daemon);

	/* Ready; the loop. */
	sd_notify(0, "READY=1\nSTATUS=Running: connecting to the database");
	event_base_dispatch(ms.base);

	status = cw_daemon_exit_status(ms.daemon);
	cw_log(status ? CW_LOG_ERR : CW_LOG_NOTICE, "casewatchd stopped%s",
	       status ? " after an error" : "");
	teardown(&ms);
	return status;
}
