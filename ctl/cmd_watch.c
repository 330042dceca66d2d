/* cmd_watch.c - `casewatchctl watch`: alert transitions as they happen, as NDJSON, resumable. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "socket_cmd.h"

/* The help text. */
static void usage(FILE *out, void *ctx)
{
	(void)ctx;
	fprintf(out, "usage: casewatchctl watch [--since ID] [--count N] [FILTERS] [--socket PATH]\n"
		     "\n"
		     "Follows alert transitions: each one is printed to stdout as it happens, one\n"
		     "CloudEvents JSON object per line (docs/protocol.md). With --since, the\n"
		     "transitions after that id come first, then the live ones, with no gap and no\n"
		     "repeat. Keep the \"id\" of the last line you processed: it is your cursor.\n"
		     "\n"
		     "When casewatchd cuts the stream (the reader was too slow, the daemon\n"
		     "stopped), the id to resume from is printed to stderr as\n"
		     "  casewatchctl: watch: resume with: casewatchctl watch --since ID\n"
		     "and the exit status is 3. Ctrl-C stops (the last line printed has the cursor).\n"
		     "\n"
		     "options:\n"
		     "  --since ID         replay the transitions after ID first (0: all)\n"
		     "  --count N          exit (status 0) after N transitions\n" CTL_SOCKET_HELP
		     "  --help             this text\n"
		     "\n"
		     "filters (all given must match; each may be repeated):\n" CTL_FILTER_HELP);
}

/* The resume advice on stderr; the watch's exit status. */
static int cut_off(const char *why, const char *resume)
{
	ctl_error("watch: %s", why);
	ctl_error("watch: resume with: casewatchctl watch --since %s", resume);
	return CTL_EXIT_UNAVAILABLE;
}

/* --since and --count. */
struct watch_opts {
	const char *since;
	long long count;
};

/* A cursor of digits, a positive count. */
static bool take(int c, const char *arg, void *ctx)
{
	struct watch_opts *wo = ctx;
	char *end;

	if (c == 'S') {
		if (!*arg || strspn(arg, "0123456789") != strlen(arg) || strlen(arg) > 19) {
			ctl_error("watch: --since: expected a transition id (digits), got '%s'", arg);
			return false;
		}
		wo->since = arg;
		return true;
	}
	if (c == 'n') {
		wo->count = strtoll(arg, &end, 10);
		if (*end || wo->count < 1) {
			ctl_error("watch: --count: expected a positive number, got '%s'", arg);
			return false;
		}
		return true;
	}
	return false;
}

/* Subscribes (from the cursor); NULL with *rc set when that failed. */
static struct ctl_client *subscribe(const struct ctl_filter *f, const char *since, char last[32], int *rc)
{
	struct ctl_client *cl = ctl_connect("watch", f->socket, rc);
	json_t *req, *reply;

	if (!cl)
		return NULL;
	req = json_pack("{s:s}", "cmd", "subscribe");
	if (json_object_size(f->filter))
		json_object_set(req, "filter", f->filter);
	if (since)
		json_object_set_new(req, "since", json_string(since));
	*rc = ctl_ask(cl, "watch", req, &reply);
	if (*rc != CTL_EXIT_OK) {
		ctl_client_close(cl);
		return NULL;
	}
	snprintf(last, 32, "%s", since ? since : ctl_member(reply, "last_id", "0"));
	json_decref(reply);
	return cl;
}

/* Subscribes and prints events until cut off, or --count is reached. */
int cmd_watch(int argc, char **argv)
{
	static const struct option opts[] = {
		CTL_FILTER_OPTIONS,
		{ "since", required_argument, NULL, 'S' },
		{ "count", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct watch_opts wo = { NULL, -1 };
	const struct ctl_opts o = { "watch", opts, usage, take, &wo };
	char last[32] = "";
	long long seen = 0;
	struct ctl_filter f;
	struct ctl_client *cl;
	struct cw_error err;
	json_t *ev;
	int rc;

	ctl_filter_init(&f);
	rc = ctl_parse(argc, argv, &o, &f);
	if (rc < 0 && json_object_get(f.filter, "state")) {
		ctl_error("watch: --state is not a watch filter (a transition has no state to select by)");
		rc = CTL_EXIT_USAGE;
	}
	cl = rc < 0 ? subscribe(&f, wo.since, last, &rc) : NULL;
	ctl_filter_free(&f);
	if (!cl)
		return rc;
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (wo.count < 0 || seen < wo.count) {
		const char *type, *id;

		ev = ctl_client_read(cl, -1, &err);
		if (!ev) {
			rc = cut_off(err.msg, last);
			break;
		}
		type = ctl_member(ev, "type", "");
		id = json_string_value(json_object_get(ev, "id"));
		if (!strcmp(type, "uk.casewatch.overflow")) {
			rc = cut_off("casewatchd cut this watch off: it was not read fast enough", last);
			json_decref(ev);
			break;
		}
		if (!strcmp(type, "uk.casewatch.replay_failed")) {
			const json_t *e = json_object_get(ev, "error");
			char why[600];

			snprintf(why, sizeof(why), "the replay failed: %s (%s)", ctl_member(e, "message", "no message"),
				 ctl_member(e, "code", "no code"));
			rc = cut_off(why, last);
			json_decref(ev);
			break;
		}
		if (json_object_get(ev, "ok")) { /* a reply to nothing: the daemon is closing this connection */
			rc = cut_off(ctl_member(json_object_get(ev, "error"), "message", "casewatchd ended the stream"),
				     last);
			json_decref(ev);
			break;
		}
		json_dumpf(ev, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		if (fflush(stdout) != 0) {
			json_decref(ev);
			rc = cut_off("cannot write to stdout", last);
			break;
		}
		if (id)
			snprintf(last, sizeof(last), "%s", id);
		seen++;
		json_decref(ev);
	}
	ctl_client_close(cl);
	return rc;
}
