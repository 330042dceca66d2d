/* metrics.c - the Prometheus text endpoint: counters noted where things happen, the rest read at scrape time. */
#include "config.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>
#include <libpq-fe.h>

#include "alertbus.h"
#include "clock.h"
#include "daemon.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "poller.h"
#include "prune.h"

/* How often the open-alert counts are looked at (refreshed only after deliveries). */
#define METRICS_COUNT_MS 5000
/* After finding the connection busy, look again this soon. */
#define METRICS_BUSY_MS 100
/* A scrape that has not finished within this is dropped (seconds). */
#define METRICS_HTTP_TIMEOUT 10
/* Open alerts by rule and state: at most this many series (rules x states). */
#define METRICS_MAX_SERIES 2000

/* Upper bounds of the histograms' buckets (seconds); +Inf follows. */
static const double pass_bounds[] = { 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300 };
static const double lag_bounds[] = { 1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 21600 };
#define NPASS (sizeof(pass_bounds) / sizeof(pass_bounds[0]))
#define NLAG (sizeof(lag_bounds) / sizeof(lag_bounds[0]))

/* The transition kinds, in docs/protocol.md's order. */
static const char *const kinds[] = { "raised", "escalated", "resolved", "withdrawn", "acknowledged", "snoozed" };
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

/* A histogram: counts per bucket (not cumulative here), sum, count. */
struct histogram {
	uint64_t bucket[NPASS > NLAG ? NPASS + 1 : NLAG + 1];
	double sum;
	uint64_t count;
};

/* What the cw_metrics_note_* calls add up, since start. */
static struct {
	struct histogram pass, lag;
	uint64_t passes_ok, passes_failed;
	uint64_t transitions[NKINDS];
	uint64_t connections;
} noted;

struct cw_metrics {
	struct event_base *base;
	struct evhttp *http;
	struct cw_metrics_sources src;
	struct event *count_timer;
	bool counting, counted;
	uint64_t counted_id; /* the last transition delivered when last counted */
	json_t *open;	     /* [[rule, state, count], ...] */
	json_t *fresh;	     /* the rows of the count in flight */
};

/* ---- noting ---- */

static void observe(struct histogram *h, const double *bounds, size_t n, double v)
{
	size_t i = 0;

	while (i < n && v > bounds[i])
		i++;
	h->bucket[i]++;
	h->sum += v;
	h->count++;
}

void cw_metrics_note_pass(int64_t ms, bool ok)
{
	observe(&noted.pass, pass_bounds, NPASS, (double)ms / 1000.0);
	if (ok)
		noted.passes_ok++;
	else
		noted.passes_failed++;
}

void cw_metrics_note_change_lag(double seconds)
{
	observe(&noted.lag, lag_bounds, NLAG, seconds < 0 ? 0 : seconds);
}

void cw_metrics_note_transition(const char *kind)
{
	for (size_t i = 0; i < NKINDS; i++)
		if (!strcmp(kinds[i], kind)) {
			noted.transitions[i]++;
			return;
		}
}

void cw_metrics_note_db_connected(void)
{
	noted.connections++;
}

/* ---- the listen address ---- */

bool cw_metrics_parse_listen(const char *text, char *addr, size_t size, uint16_t *port, char *why, size_t why_size)
{
	const char *colon, *p;
	char host[64];
	unsigned char buf[16];
	unsigned long n;
	char *end;

	if (text[0] == '[') { /* [IPv6]:PORT */
		const char *close = strchr(text, ']');

		if (!close || close[1] != ':' || (size_t)(close - text - 1) >= sizeof(host)) {
			snprintf(why, why_size, "\"%s\": write an IPv6 address as [ADDRESS]:PORT", text);
			return false;
		}
		memcpy(host, text + 1, (size_t)(close - text - 1));
		host[close - text - 1] = '\0';
		p = close + 2;
		if (inet_pton(AF_INET6, host, buf) != 1) {
			snprintf(why, why_size, "\"%s\" is not an IPv6 address", host);
			return false;
		}
	} else if ((colon = strrchr(text, ':'))) { /* IPv4:PORT */
		if ((size_t)(colon - text) >= sizeof(host)) {
			snprintf(why, why_size, "\"%s\": not ADDRESS:PORT", text);
			return false;
		}
		memcpy(host, text, (size_t)(colon - text));
		host[colon - text] = '\0';
		p = colon + 1;
		if (inet_pton(AF_INET, host, buf) != 1) {
			snprintf(why, why_size,
				 "\"%s\" is not an IPv4 address (a host name would need a blocking DNS look-up)", host);
			return false;
		}
	} else { /* PORT: loopback */
		snprintf(host, sizeof(host), "127.0.0.1");
		p = text;
	}
	n = strtoul(p, &end, 10);
	if (!*p || *end || n == 0 || n > 65535) {
		snprintf(why, why_size, "\"%s\" is not a port (1-65535)", p);
		return false;
	}
	snprintf(addr, size, "%s", host);
	*port = (uint16_t)n;
	return true;
}

/* ---- the open-alert counts ---- */

static void on_count_rows(const PGresult *res, void *arg)
{
	struct cw_metrics *m = arg;

	for (int r = 0; r < PQntuples(res) && json_array_size(m->fresh) < METRICS_MAX_SERIES; r++)
		json_array_append_new(m->fresh, json_pack("[s, s, I]", PQgetvalue(res, r, 0), PQgetvalue(res, r, 1),
							  (json_int_t)strtoll(PQgetvalue(res, r, 2), NULL, 10)));
}

static void on_counted(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct cw_metrics *m = arg;

	(void)db;
	m->counting = false;
	if (err) {
		if (!err->connection_lost)
			cw_log_ratelimited("metrics-count", CW_LOG_WARNING, "metrics: counting open alerts: %s",
					   err->message);
		json_decref(m->fresh);
		m->fresh = NULL;
		return;
	}
	json_decref(m->open);
	m->open = m->fresh;
	m->fresh = NULL;
	m->counted = true;
}

/* Looks again after ms. */
static void count_arm(struct cw_metrics *m, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	event_add(m->count_timer, &tv);
}

/* The counts change only with transitions: an idle daemon is not queried. */
static void on_count_timer(evutil_socket_t fd, short what, void *arg)
{
	struct cw_metrics *m = arg;
	struct cw_db *db = m->src.daemon ? cw_daemon_db(m->src.daemon) : NULL;
	struct cw_poller_stats ps = { 0 };
	struct cw_db_status st;
	struct cw_error e;

	(void)fd;
	(void)what;
	count_arm(m, METRICS_COUNT_MS);
	if (m->counting || !db || !cw_db_is_connected(db) || cw_daemon_schema_version(m->src.daemon) < 2)
		return;
	cw_db_get_status(db, &st);
	if (cw_daemon_in_pass(m->src.daemon) || st.queued > 0) {
		/* The daemon's own work goes first; soon again, so the look does
		 * not keep falling on a pass when poll_interval divides its period. */
		count_arm(m, METRICS_BUSY_MS);
		return;
	}
	if (m->src.poller)
		cw_poller_get_stats(m->src.poller, &ps);
	if (m->counted && ps.last_delivered_id == m->counted_id)
		return;
	m->fresh = json_array();
	m->counting = m->fresh && cw_db_query(db,
					      "SELECT rule_id, announced_state, count(*) FROM casewatch.alert"
					      " WHERE announced_state IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2",
					      0, NULL, 0, on_count_rows, on_counted, m, &e);
	if (m->counting)
		m->counted_id = ps.last_delivered_id;
	else {
		json_decref(m->fresh);
		m->fresh = NULL;
	}
}

/* ---- the page ---- */

/* A family's HELP and TYPE lines. */
static void family(struct evbuffer *b, const char *name, const char *type, const char *help)
{
	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value as the text format wants it (\\, \" and \n escaped). */
static void label_value(struct evbuffer *b, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			evbuffer_add_printf(b, "\\%c", *v);
		else if (*v == '\n')
			evbuffer_add(b, "\\n", 2);
		else
			evbuffer_add(b, v, 1);
	}
}

static void histogram(struct evbuffer *b, const char *name, const char *help, const struct histogram *h,
		      const double *bounds, size_t n)
{
	uint64_t cum = 0;

	family(b, name, "histogram", help);
	for (size_t i = 0; i < n; i++) {
		cum += h->bucket[i];
		evbuffer_add_printf(b, "%s_bucket{le=\"%g\"} %" PRIu64 "\n", name, bounds[i], cum);
	}
	evbuffer_add_printf(b, "%s_bucket{le=\"+Inf\"} %" PRIu64 "\n", name, h->count);
	evbuffer_add_printf(b, "%s_sum %.6f\n%s_count %" PRIu64 "\n", name, h->sum, name, h->count);
}

static void render_into(struct cw_metrics *m, struct evbuffer *b)
{
	struct cw_db *db = m->src.daemon ? cw_daemon_db(m->src.daemon) : NULL;
	int pq = PQlibVersion();
	size_t i;
	json_t *row;

	family(b, "casewatch_build_info", "gauge", "casewatchd's version and the libraries it runs with (always 1).");
	evbuffer_add_printf(b, "casewatch_build_info{version=\"%s\",libevent=\"%s\",libpq=\"%d.%d\"} 1\n",
			    PACKAGE_VERSION, event_get_version(), pq / 10000, pq % 100);

	histogram(b, "casewatch_pass_duration_seconds",
		  "How long each pass took (find changes, compute, reconcile, advance, deliver).",
		  &noted.pass, pass_bounds, NPASS);
	family(b, "casewatch_passes_total", "counter", "Passes ended, by result.");
	evbuffer_add_printf(b, "casewatch_passes_total{result=\"ok\"} %" PRIu64 "\n", noted.passes_ok);
	evbuffer_add_printf(b, "casewatch_passes_total{result=\"failed\"} %" PRIu64 "\n", noted.passes_failed);
	histogram(b, "casewatch_change_lag_seconds",
		  "From a person's first new change marker (records.changed_person) to its evaluation.", &noted.lag,
		  lag_bounds, NLAG);

	family(b, "casewatch_transitions_total", "counter", "Alert transitions delivered to the sinks since start, by kind.");
	for (i = 0; i < NKINDS; i++)
		evbuffer_add_printf(b, "casewatch_transitions_total{kind=\"%s\"} %" PRIu64 "\n", kinds[i],
				    noted.transitions[i]);

	family(b, "casewatch_open_alerts", "gauge",
	       "Open (announced) alerts by rule and state, as last counted (after deliveries, between passes).");
	json_array_foreach (m->open, i, row) {
		evbuffer_add_printf(b, "casewatch_open_alerts{rule=\"");
		label_value(b, json_string_value(json_array_get(row, 0)));
		evbuffer_add_printf(b, "\",state=\"");
		label_value(b, json_string_value(json_array_get(row, 1)));
		evbuffer_add_printf(b, "\"} %" JSON_INTEGER_FORMAT "\n", json_integer_value(json_array_get(row, 2)));
	}

	family(b, "casewatch_database_up", "gauge", "1 while the database connection is up.");
	evbuffer_add_printf(b, "casewatch_database_up %d\n", db && cw_db_is_connected(db) ? 1 : 0);
	family(b, "casewatch_database_reconnects_total", "counter", "Database connections made after the first.");
	evbuffer_add_printf(b, "casewatch_database_reconnects_total %" PRIu64 "\n",
			    noted.connections ? noted.connections - 1 : 0);
	family(b, "casewatch_leader", "gauge",
	       "1 while this casewatchd holds the writer lock (writes alerts); 0 on a standby.");
	evbuffer_add_printf(b, "casewatch_leader %d\n", m->src.daemon && cw_daemon_is_writer(m->src.daemon) ? 1 : 0);

	if (m->src.bus) {
		struct cw_alertbus_stats st;

		cw_alertbus_get_stats(m->src.bus, &st);
		family(b, "casewatch_socket_clients", "gauge", "Clients connected to the alert socket.");
		evbuffer_add_printf(b, "casewatch_socket_clients %zu\n", st.clients);
		family(b, "casewatch_subscribers", "gauge", "Clients subscribed to transitions.");
		evbuffer_add_printf(b, "casewatch_subscribers %zu\n", st.subscribers);
		family(b, "casewatch_subscriber_queue_bytes", "gauge",
		       "Output waiting for subscribers: all together, and the most for one.");
		evbuffer_add_printf(b, "casewatch_subscriber_queue_bytes{of=\"all\"} %zu\n", st.queued_bytes);
		evbuffer_add_printf(b, "casewatch_subscriber_queue_bytes{of=\"max\"} %zu\n", st.queued_bytes_max);
		family(b, "casewatch_subscriber_cutoffs_total", "counter", "Subscribers cut off for not reading (max_output).");
		evbuffer_add_printf(b, "casewatch_subscriber_cutoffs_total %" PRIu64 "\n", st.cutoffs);
		family(b, "casewatch_socket_connections_total", "counter", "Connections accepted on the alert socket.");
		evbuffer_add_printf(b, "casewatch_socket_connections_total %" PRIu64 "\n", st.accepted);
		family(b, "casewatch_socket_errors_total", "counter",
		       "Errors on the alert socket by code: the error replies (docs/protocol.md), io_error, accept_error.");
		for (i = 0; i < st.n_errors; i++) {
			evbuffer_add_printf(b, "casewatch_socket_errors_total{code=\"");
			label_value(b, st.errors[i].code);
			evbuffer_add_printf(b, "\"} %" PRIu64 "\n", st.errors[i].count);
		}
	}
	if (m->src.prune) {
		struct cw_prune_stats rs;

		cw_prune_get_stats(m->src.prune, &rs);
		family(b, "casewatch_transitions_pruned_total", "counter",
		       "Transitions pruned after transition_retention since start.");
		evbuffer_add_printf(b, "casewatch_transitions_pruned_total %" PRIu64 "\n", rs.transitions_pruned);
		family(b, "casewatch_audit_pruned_total", "counter", "Audit rows pruned after audit_retention since start.");
		evbuffer_add_printf(b, "casewatch_audit_pruned_total %" PRIu64 "\n", rs.audit_pruned);
	}
}

char *cw_metrics_render(struct cw_metrics *m)
{
	struct evbuffer *b = evbuffer_new();
	size_t n;
	char *text;

	if (!b)
		return NULL;
	render_into(m, b);
	n = evbuffer_get_length(b);
	text = malloc(n + 1);
	if (text) {
		evbuffer_remove(b, text, n);
		text[n] = '\0';
	}
	evbuffer_free(b);
	return text;
}

/* GET (or HEAD) /metrics; anything else 404 or 405. */
static void on_request(struct evhttp_request *req, void *arg)
{
	struct cw_metrics *m = arg;
	const char *uri = evhttp_request_get_uri(req);
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	struct evbuffer *b;

	if (strcmp(uri, "/metrics") != 0 && strncmp(uri, "/metrics?", 9) != 0) {
		evhttp_send_error(req, HTTP_NOTFOUND, "only /metrics is served here");
		return;
	}
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		evhttp_send_error(req, HTTP_BADMETHOD, "GET only");
		return;
	}
	b = evbuffer_new();
	if (!b) {
		evhttp_send_error(req, HTTP_INTERNAL, "out of memory");
		return;
	}
	render_into(m, b);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
			  "text/plain; version=0.0.4; charset=utf-8");
	evhttp_send_reply(req, HTTP_OK, "OK", b);
	evbuffer_free(b);
}

struct cw_metrics *cw_metrics_new(struct event_base *base, const char *listen, const struct cw_metrics_sources *src,
				  struct cw_error *err)
{
	struct cw_metrics *m;
	char addr[64], why[160];
	uint16_t port;

	if (!cw_metrics_parse_listen(listen, addr, sizeof(addr), &port, why, sizeof(why))) {
		cw_error_set(err, "metrics_listen: %s", why);
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (!m || !(m->open = json_array()) || !(m->http = evhttp_new(base)) ||
	    !(m->count_timer = event_new(base, -1, 0, on_count_timer, m))) {
		cw_error_set(err, "metrics: out of memory");
		cw_metrics_free(m);
		return NULL;
	}
	m->base = base;
	m->src = *src;
	evhttp_set_timeout(m->http, METRICS_HTTP_TIMEOUT);
	evhttp_set_max_headers_size(m->http, 8192);
	evhttp_set_max_body_size(m->http, 0);
	evhttp_set_allowed_methods(m->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_gencb(m->http, on_request, m);
	if (evhttp_bind_socket(m->http, addr, port) != 0) {
		cw_error_set(err, "metrics_listen: cannot listen on %s port %u: %s", addr, (unsigned)port,
			     evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		cw_metrics_free(m);
		return NULL;
	}
	count_arm(m, METRICS_BUSY_MS);
	cw_log(CW_LOG_INFO, "metrics: serving http://%s%s%s:%u/metrics", strchr(addr, ':') ? "[" : "", addr,
	       strchr(addr, ':') ? "]" : "", (unsigned)port);
	return m;
}

void cw_metrics_free(struct cw_metrics *m)
{
	if (!m)
		return;
	if (m->http)
		evhttp_free(m->http);
	if (m->count_timer)
		event_free(m->count_timer);
	json_decref(m->open);
	json_decref(m->fresh);
	free(m);
}
