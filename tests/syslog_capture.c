/* syslog_capture.c - a syslog socket of our own: each datagram becomes one line.
 *
 *   syslog_capture SOCKET FILE
 *
 * Binds a Unix datagram socket (mode 0666) at SOCKET, as /dev/log is, and
 * appends every datagram received to FILE followed by a newline, flushing
 * each, until SIGTERM or SIGINT. The demo and the end-to-end tests point
 * casewatchd's syslog_socket here to see exactly what it sent. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct sigaction act = { .sa_handler = on_signal };
	static char buf[65536];
	FILE *out;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: syslog_capture SOCKET FILE\n");
		return 2;
	}
	if (strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "syslog_capture: %s: path too long\n", argv[1]);
		return 2;
	}
	strcpy(sa.sun_path, argv[1]);
	out = fopen(argv[2], "a");
	if (!out) {
		fprintf(stderr, "syslog_capture: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	unlink(argv[1]);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(argv[1], 0666) < 0) {
		fprintf(stderr, "syslog_capture: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	/* No SA_RESTART: a signal interrupts recv() so the loop ends. */
	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGINT, &act, NULL);
	while (!stop) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "syslog_capture: recv: %s\n", strerror(errno));
			return 1;
		}
		fwrite(buf, 1, (size_t)n, out);
		fputc('\n', out);
		fflush(out);
	}
	close(fd);
	unlink(argv[1]);
	fclose(out);
	return 0;
}
