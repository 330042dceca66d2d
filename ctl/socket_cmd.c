/* socket_cmd.c - shared by the socket commands: filter options, connecting, asking, printing replies. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "socket_cmd.h"

/* How long casewatchctl waits for each answer from the daemon. */
#define CTL_TIMEOUT_MS 30000

/* The filter member of each option, from CTL_OPT_TEAM on. */
static const char *const filter_members[] = { "team", "rule", "audience", "state", "person", "severity", "kind" };

/* Starts with no filter and the default socket. */
void ctl_filter_init(struct ctl_filter *f)
{
	f->filter = json_object();
	f->socket = NULL;
}

/* Frees what the options gathered. */
void ctl_filter_free(struct ctl_filter *f)
{
	json_decref(f->filter);
	f->filter = NULL;
}

/* Appends each comma-separated value of arg to the option's filter member. */
bool ctl_filter_option(struct ctl_filter *f, int c, const char *arg)
{
	const char *member;
	json_t *arr;

	if (c == CTL_OPT_SOCKET) {
		f->socket = arg;
		return true;
	}
	if (c < CTL_OPT_TEAM || c > CTL_OPT_KIND)
		return false;
	member = filter_members[c - CTL_OPT_TEAM];
	arr = json_object_get(f->filter, member);
	if (!arr) {
		arr = json_array();
		json_object_set_new(f->filter, member, arr);
	}
	while (*arg) {
		size_t n = strcspn(arg, ",");

		if (n)
			json_array_append_new(arr, json_stringn(arg, n));
		arg += n;
		if (*arg == ',')
			arg++;
	}
	return true;
}

/* The option loop every socket command shares. */
int ctl_parse(int argc, char **argv, const struct ctl_opts *o, struct ctl_filter *f)
{
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", o->table, NULL)) != -1) {
		if (ctl_filter_option(f, c, optarg))
			continue;
		if (c == 'h') {
			o->usage(stdout, o->ctx);
			return CTL_EXIT_OK;
		}
		if (c == '?' || c == ':' || !o->take || !o->take(c, optarg, o->ctx)) {
			if (c == '?' || c == ':')
				o->usage(stderr, o->ctx);
			return CTL_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		ctl_error("%s: unexpected argument '%s' (see casewatchctl %s --help)", o->what, argv[optind], o->what);
		return CTL_EXIT_USAGE;
	}
	return -1;
}

/* Connects and says hello; the error (with what to do) is printed here. */
struct ctl_client *ctl_connect(const char *what, const char *socket, int *exit_code)
{
	struct cw_error err;
	struct ctl_client *c = ctl_client_connect(ctl_client_socket_path(socket), CTL_TIMEOUT_MS, exit_code, &err);

	if (!c)
		ctl_error("%s: %s", what, err.msg);
	return c;
}

/* One request and its reply; an error reply is printed with advice. */
int ctl_ask(struct ctl_client *c, const char *what, json_t *request, json_t **reply)
{
	struct cw_error err;
	json_t *r = NULL;
	const char *code;
	int rc = ctl_client_call(c, request, &r, &err);

	*reply = NULL;
	if (rc == CTL_EXIT_OK) {
		*reply = r;
		return rc;
	}
	code = json_string_value(json_object_get(json_object_get(r, "error"), "code"));
	ctl_error("%s: %s", what, err.msg);
	if (code && !strcmp(code, "db_unavailable")) {
		ctl_error("casewatchd cannot reach its database; check it (casewatchctl status; "
			  "journalctl -u casewatchd) and try again");
		rc = CTL_EXIT_UNAVAILABLE;
	} else if (code && !strcmp(code, "permission_denied")) {
		ctl_error("ask an administrator to add your user (admin_users) or a group of yours "
			  "(admin_groups) to casewatch.conf's [socket] section");
	}
	json_decref(r);
	return rc;
}

/* One request on a connection of its own. */
int ctl_request(const char *what, const char *socket, json_t *request, json_t **reply)
{
	struct ctl_client *c;
	int rc;

	*reply = NULL;
	if (!(c = ctl_connect(what, socket, &rc))) {
		json_decref(request);
		return rc;
	}
	rc = ctl_ask(c, what, request, reply);
	ctl_client_close(c);
	return rc;
}

/* Due times are UTC text of one width, so they sort as text. */
int ctl_alert_oldest_cmp(const json_t *a, const json_t *b)
{
	int c = strcmp(ctl_member(a, "due", ""), ctl_member(b, "due", ""));

	return c ? c : ctl_id_cmp(ctl_member(a, "alert_id", ""), ctl_member(b, "alert_id", ""));
}

/* A string member, or dflt. */
const char *ctl_member(const json_t *obj, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : dflt;
}

/* Decimal ids compare by length first, then digit by digit. */
int ctl_id_cmp(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a, b);
}

/* The reply as JSON for scripts: what the daemon said, less the envelope. */
void ctl_print_reply(json_t *v, bool pretty)
{
	json_object_del(v, "ok");
	json_object_del(v, "id");
	json_dumpf(v, stdout, (pretty ? JSON_INDENT(2) : JSON_COMPACT) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
}
