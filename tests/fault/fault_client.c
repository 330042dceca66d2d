/*
 * fault_client.c - hostile clients of the alert socket, for tests/fault/:
 *   fault_client hold SOCKET N SECONDS     N connections held open, silent
 *   fault_client unread SOCKET N SECONDS   N clients each sending `alerts`
 *                                          until the daemon stops reading,
 *                                          reading nothing back
 *   fault_client subscribe SOCKET N SECONDS N subscribers that never read
 *   fault_client garbage SOCKET BYTES      random bytes, then every reply
 *   fault_client line SOCKET BYTES         hello, one line of BYTES, status
 * Each prints one line of figures ("key=value ...") on stdout. SECONDS
 * ends early when stdin reaches end of file, so a test can stop it.
 */
#define _GNU_SOURCE 1
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char *path;

/* A connected socket, or -1. */
static int dial(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Sends all of it (blocking); false if the daemon closed. */
static bool send_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = send(fd, data, len, MSG_NOSIGNAL);

		if (n <= 0)
			return false;
		data += n;
		len -= (size_t)n;
	}
	return true;
}

/* Reads until the daemon closes or timeout_ms of silence; counts lines and
 * remembers whether needle was seen. */
static size_t read_lines(int fd, int timeout_ms, const char *needle, bool *seen)
{
	char buf[65536];
	size_t lines = 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (poll(&p, 1, timeout_ms) == 1) {
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

		if (n <= 0)
			break;
		buf[n] = '\0';
		for (ssize_t i = 0; i < n; i++)
			lines += buf[i] == '\n';
		if (needle && strstr(buf, needle))
			*seen = true;
	}
	return lines;
}

/* Reads byte by byte until `want` lines have come (or timeout_ms of
 * silence); true if needle was in them. */
static bool read_replies(int fd, int want, int timeout_ms, const char *needle)
{
	char line[4096];
	size_t len = 0;
	bool seen = false;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (want > 0 && poll(&p, 1, timeout_ms) == 1) {
		char c;

		if (recv(fd, &c, 1, 0) != 1)
			break;
		if (len < sizeof(line) - 1)
			line[len++] = c;
		if (c == '\n') {
			line[len] = '\0';
			seen = seen || strstr(line, needle);
			len = 0;
			want--;
		}
	}
	return seen;
}

/* Waits SECONDS, or until stdin ends. */
static void hold(int seconds)
{
	struct pollfd p = { .fd = 0, .events = POLLIN };
	time_t end = time(NULL) + seconds;
	char c;

	while (time(NULL) < end) {
		if (poll(&p, 1, 200) == 1 && read(0, &c, 1) <= 0)
			return;
	}
}

static const char hello[] = "{\"cmd\":\"hello\",\"protocol\":\"1.0\"}\n";

int main(int argc, char **argv)
{
	const char *mode;
	long n;
	int *fds;

	if (argc < 4) {
		fprintf(stderr, "usage: fault_client MODE SOCKET N [SECONDS]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	mode = argv[1];
	path = argv[2];
	n = atol(argv[3]);
	if (!strcmp(mode, "garbage")) {
		char *junk = malloc((size_t)n), buf[65536];
		int fd = dial();
		size_t sent = 0, lines = 0;
		bool seen = false, closed = false;

		srand((unsigned)getpid());
		for (long i = 0; i < n; i++)
			junk[i] = (char)(rand() & 0xff);
		if (fd < 0)
			return 1;
		/* Send and read at once: the daemon stops reading a client that
		 * leaves its replies unread. */
		while (sent < (size_t)n && !closed) {
			struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };
			ssize_t k;

			if (poll(&p, 1, 10000) != 1)
				break;
			if (p.revents & POLLIN) {
				k = recv(fd, buf, sizeof(buf) - 1, 0);
				if (k <= 0) {
					closed = true;
					break;
				}
				buf[k] = '\0';
				for (ssize_t i = 0; i < k; i++)
					lines += buf[i] == '\n';
				seen = seen || strstr(buf, "\"ok\":false");
			}
			if (p.revents & POLLOUT) {
				k = send(fd, junk + sent, (size_t)n - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
				if (k < 0 && errno != EAGAIN)
					closed = true;
				else if (k > 0)
					sent += (size_t)k;
			}
		}
		shutdown(fd, SHUT_WR);
		if (!closed)
			lines += read_lines(fd, 10000, "\"ok\":false", &seen);
		printf("garbage: bytes=%ld sent=%zu replies=%zu errors_seen=%d\n", n, sent, lines, seen);
		free(junk);
		return 0;
	}
	if (!strcmp(mode, "line")) {
		int fd = dial();
		bool too_long = false, status = false;
		char *big = malloc((size_t)n + 1);
		const char st[] = "{\"cmd\":\"status\"}\n";
		size_t lines;

		memset(big, 'a', (size_t)n);
		big[n] = '\n';
		if (fd < 0 || !send_all(fd, hello, sizeof(hello) - 1) || !send_all(fd, big, (size_t)n + 1) ||
		    !send_all(fd, st, sizeof(st) - 1)) {
			printf("line: bytes=%ld refused\n", n);
			return 1;
		}
		shutdown(fd, SHUT_WR);
		/* hello, line_too_long, status */
		lines = read_lines(fd, 10000, "line_too_long", &too_long);
		(void)status;
		printf("line: bytes=%ld replies=%zu line_too_long=%d\n", n, lines, too_long);
		free(big);
		return lines == 3 && too_long ? 0 : 1;
	}
	if (argc < 5) {
		fprintf(stderr, "usage: fault_client %s SOCKET N SECONDS\n", mode);
		return 2;
	}
	fds = calloc((size_t)n, sizeof(*fds));
	if (!fds) {
		fprintf(stderr, "fault_client: out of memory\n");
		return 2;
	}
	if (!strcmp(mode, "hold")) {
		long open = 0, refused = 0;

		for (long i = 0; i < n; i++) {
			bool full = false;
			struct pollfd p;

			fds[i] = dial();
			if (fds[i] < 0) {
				refused++;
				continue;
			}
			/* A refused one is told too_many_clients and closed at once. */
			p = (struct pollfd){ .fd = fds[i], .events = POLLIN };
			if (poll(&p, 1, 20) == 1) {
				read_lines(fds[i], 50, "too_many_clients", &full);
				if (full) {
					close(fds[i]);
					fds[i] = -1;
					refused++;
					continue;
				}
			}
			open++;
		}
		printf("hold: tried=%ld held=%ld refused=%ld\n", n, open, refused);
		fflush(stdout);
		hold(atoi(argv[4]));
		free(fds);
		return 0;
	}
	if (!strcmp(mode, "unread") || !strcmp(mode, "subscribe")) {
		const char *req = !strcmp(mode, "unread") ? "{\"cmd\":\"alerts\"}\n" : "{\"cmd\":\"subscribe\"}\n";
		long sent = 0, ok = 0;

		for (long i = 0; i < n; i++) {
			fds[i] = dial();
			if (fds[i] < 0 || !send_all(fds[i], hello, sizeof(hello) - 1))
				continue;
			ok++;
			fcntl(fds[i], F_SETFL, O_NONBLOCK);
			/* unread: requests until the daemon stops taking them. */
			for (long k = 0; k < (!strcmp(mode, "unread") ? 100000 : 1); k++) {
				if (send(fds[i], req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req))
					break;
				sent++;
			}
		}
		if (!strcmp(mode, "subscribe")) {
			long subscribed = 0, refused = 0;

			/* A client told too_many_subscribers goes away, as casewatchctl
			 * watch does; the others stay, silent. */
			for (long i = 0; i < n; i++) {
				if (fds[i] < 0)
					continue;
				if (read_replies(fds[i], 2, 5000, "too_many_subscribers")) {
					close(fds[i]);
					fds[i] = -1;
					refused++;
				} else
					subscribed++;
			}
			printf("subscribe: clients=%ld subscribed=%ld refused=%ld\n", ok, subscribed, refused);
		} else
			printf("%s: clients=%ld requests=%ld\n", mode, ok, sent);
		fflush(stdout);
		hold(atoi(argv[4]));
		free(fds);
		return 0;
	}
	fprintf(stderr, "fault_client: unknown mode %s\n", mode);
	free(fds);
	return 2;
}
