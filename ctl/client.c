/* client.c - casewatchctl's transport: a Unix socket, hello, and newline-delimited JSON. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "ctl.h"

#define CLIENT_PROTOCOL "1.0"

struct ctl_client {
	int fd;
	int timeout_ms;
	char *path;
	json_t *hello;
	long next_id;
	/* Bytes read but not yet returned: buf[start..len). */
	char *buf;
	size_t start, len, cap;
};

const char *ctl_client_socket_path(const char *option)
{
	const char *env = getenv("CASEWATCH_SOCKET");

	if (option && *option)
		return option;
	if (env && *env)
		return env;
	return CTL_CLIENT_DEFAULT_SOCKET;
}

/* What to try when connecting failed with errno e. */
static const char *connect_hint(int e)
{
	switch (e) {
	case ENOENT:
	case ECONNREFUSED:
		return "is casewatchd running? (systemctl status casewatchd)";
	case EACCES:
	case EPERM:
		return "is your user in the group that may use the socket? (ls -l the socket; id)";
	case EAGAIN:
		return "casewatchd is too busy to accept connections; try again";
	default:
		return "check the path (--socket or $CASEWATCH_SOCKET)";
	}
}

/* Milliseconds on the monotonic clock. */
static long long client_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Writes all of data, waiting at most the client's timeout each time the socket is full. */
static bool client_write_all(struct ctl_client *c, const char *data, size_t len, struct cw_error *err)
{
	while (len) {
		ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd p = { .fd = c->fd, .events = POLLOUT };
			int r = poll(&p, 1, c->timeout_ms > 0 ? c->timeout_ms : -1);

			if (r == 0)
				return cw_error_set(err, "%s: casewatchd is not reading requests (timed out)", c->path);
			continue;
		}
		if (n < 0)
			return cw_error_set(err, "%s: cannot send to casewatchd: %s", c->path, strerror(errno));
		data += n;
		len -= (size_t)n;
	}
	return true;
}

json_t *ctl_client_read(struct ctl_client *c, int timeout_ms, struct cw_error *err)
{
	long long deadline = timeout_ms >= 0 ? client_now_ms() + timeout_ms : 0;

	for (;;) {
		char *nl = c->len > c->start ? memchr(c->buf + c->start, '\n', c->len - c->start) : NULL;
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		json_error_t jerr;
		json_t *v;
		ssize_t n;
		int wait;

		if (nl) {
			size_t linelen = (size_t)(nl - (c->buf + c->start));

			v = json_loadb(c->buf + c->start, linelen, 0, &jerr);
			c->start += linelen + 1;
			if (!v)
				cw_error_set(err, "%s: casewatchd sent invalid JSON (column %d: %s)", c->path, jerr.column,
					     jerr.text);
			return v;
		}
		if (c->len - c->start > CTL_CLIENT_MAX_LINE)
			return cw_error_set(err, "%s: casewatchd sent a line over %d bytes", c->path, CTL_CLIENT_MAX_LINE),
			       NULL;
		/* Room for more: move what is left to the front, grow if full. */
		if (c->start) {
			memmove(c->buf, c->buf + c->start, c->len - c->start);
			c->len -= c->start;
			c->start = 0;
		}
		if (c->cap - c->len < 4096) {
			size_t cap = c->cap ? c->cap * 2 : 65536;
			char *b = realloc(c->buf, cap);

			if (!b)
				return cw_error_set(err, "out of memory"), NULL;
			c->buf = b;
			c->cap = cap;
		}
		wait = -1;
		if (timeout_ms >= 0) {
			long long left = deadline - client_now_ms();

			wait = left > 0 ? (int)left : 0;
		}
		n = poll(&p, 1, wait);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			return cw_error_set(err, "%s: no answer from casewatchd within %d ms", c->path, timeout_ms), NULL;
		n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return cw_error_set(err, "%s: cannot read from casewatchd: %s", c->path, strerror(errno)), NULL;
		if (n == 0)
			return cw_error_set(err, "%s: casewatchd closed the connection", c->path), NULL;
		c->len += (size_t)n;
	}
}

bool ctl_client_send(struct ctl_client *c, json_t *request, struct cw_error *err)
{
	char *text;
	bool ok;

	if (!json_is_object(request)) {
		json_decref(request);
		return cw_error_set(err, "a request must be a JSON object");
	}
	json_object_set_new(request, "id", json_integer(++c->next_id));
	text = json_dumps(request, JSON_COMPACT);
	json_decref(request);
	if (!text)
		return cw_error_set(err, "out of memory");
	ok = client_write_all(c, text, strlen(text), err) && client_write_all(c, "\n", 1, err);
	free(text);
	return ok;
}

int ctl_client_call(struct ctl_client *c, json_t *request, json_t **reply, struct cw_error *err)
{
	long id;

	*reply = NULL;
	if (!ctl_client_send(c, request, err)) {
		/* The daemon may have said why it closed (too many clients). */
		struct cw_error why;
		json_t *v = ctl_client_read(c, 0, &why);
		const json_t *e = json_object_get(v, "error");

		if (e)
			cw_error_set(err, "casewatchd refused: %s (%s)", json_string_value(json_object_get(e, "message")),
				     json_string_value(json_object_get(e, "code")));
		json_decref(v);
		return e ? CTL_EXIT_REFUSED : CTL_EXIT_UNAVAILABLE;
	}
	id = c->next_id;
	for (;;) {
		json_t *v = ctl_client_read(c, c->timeout_ms > 0 ? c->timeout_ms : -1, err);
		const json_t *ok, *e;

		if (!v)
			return CTL_EXIT_UNAVAILABLE;
		ok = json_object_get(v, "ok");
		/* A reply to nothing (an idle timeout, a cut-off) ends the exchange too. */
		if (json_is_boolean(ok) && (json_integer_value(json_object_get(v, "id")) == id ||
					    !json_object_get(v, "id"))) {
			*reply = v;
			if (json_is_true(ok))
				return CTL_EXIT_OK;
			e = json_object_get(v, "error");
			cw_error_set(err, "casewatchd refused: %s (%s)", json_string_value(json_object_get(e, "message")),
				     json_string_value(json_object_get(e, "code")));
			/* A team no one has is invalid input, like an unknown alert id. */
			if (json_is_string(json_object_get(e, "code")) &&
			    !strcmp(json_string_value(json_object_get(e, "code")), "unknown_team"))
				return CTL_EXIT_NO;
			return CTL_EXIT_REFUSED;
		}
		json_decref(v);
	}
}

struct ctl_client *ctl_client_connect(const char *path, int timeout_ms, int *exit_code, struct cw_error *err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct ctl_client *c;
	json_t *reply;
	int code;

	if (exit_code)
		*exit_code = CTL_EXIT_UNAVAILABLE;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		cw_error_set(err, "cannot connect to %s: the path is too long (at most %zu bytes)", path,
			     sizeof(sun.sun_path) - 1);
		return NULL;
	}
	strcpy(sun.sun_path, path);
	c = calloc(1, sizeof(*c));
	if (!c || !(c->path = strdup(path))) {
		free(c);
		cw_error_set(err, "out of memory");
		return NULL;
	}
	c->timeout_ms = timeout_ms;
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int e = errno;

		cw_error_set(err, "cannot connect to %s: %s: %s", path, strerror(e), connect_hint(e));
		ctl_client_close(c);
		return NULL;
	}
	fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
	code = ctl_client_call(c, json_pack("{s:s, s:s, s:s}", "cmd", "hello", "protocol", CLIENT_PROTOCOL, "client",
					    "casewatchctl/" PACKAGE_VERSION),
			       &reply, err);
	if (code != CTL_EXIT_OK) {
		json_decref(reply);
		if (exit_code)
			*exit_code = code;
		ctl_client_close(c);
		return NULL;
	}
	c->hello = reply;
	if (exit_code)
		*exit_code = CTL_EXIT_OK;
	return c;
}

const json_t *ctl_client_hello(const struct ctl_client *c)
{
	return c->hello;
}

int ctl_client_fd(const struct ctl_client *c)
{
	return c->fd;
}

void ctl_client_close(struct ctl_client *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	json_decref(c->hello);
	free(c->path);
	free(c->buf);
	free(c);
}
