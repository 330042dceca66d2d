/* bench_fanout.c - many socket subscribers at once: each transition received once, and how fast. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/*
 * bench/bench_fanout SOCKET SUBSCRIBERS [SINCE]
 *
 * Opens SUBSCRIBERS connections to casewatchd's socket, each subscribing
 * live (or from SINCE, replaying first), and reads them all in one poll()
 * loop. Standard input drives it, one command a line:
 *   go            the producer starts now: times count from here (with
 *                 SINCE they count from the first connection instead)
 *   expect FILE   FILE lists the transition ids every subscriber must get
 *                 (ascending, one a line); the run ends once all have
 *                 them, or when nothing arrives for FANOUT_IDLE seconds
 *                 (default 300).
 * It prints "subscribed N" once every subscription has been answered, then
 * at the end one "sub" line per subscriber and "total" lines. A subscriber
 * cut off as too slow (uk.casewatch.overflow), whose replay failed, or whose
 * connection closed is resumed as a real client would: subscribe again
 * from the last id it received. Exit 0 when every subscriber got every
 * expected id exactly once, 1 otherwise, 2 on a usage or setup error.
 */

#define READ_CHUNK (256 * 1024)

/* One subscriber's connection and what it received. */
struct fan_sub {
	int fd;
	char *buf; /* received bytes not yet split into lines */
	size_t len, cap;
	bool subscribed;    /* its (latest) subscribe was answered */
	uint64_t last;	    /* the last transition id received: the cursor */
	uint64_t received;  /* events, doubles included */
	uint64_t disorder;  /* events whose id was not above the one before */
	uint8_t *count;	    /* times each id was received, by id */
	uint32_t *at_ms;    /* when each id was first received, ms after go (+1; 0: never) */
	size_t n;	    /* ids count and at_ms can hold */
	int64_t first_ms;   /* the first event, ms after go; -1 none yet */
	unsigned overflows; /* cut off as too slow, resumed */
	unsigned failures;  /* replay_failed, resumed */
	unsigned closes;    /* the connection closed without a word, resumed */
	unsigned resume_mismatch; /* overflow's resume_from was not the last id received */
};

static const char *fan_path;
static int64_t fan_go_ms = -1;
static uint64_t *fan_expect; /* expected ids, ascending */
static size_t fan_nexpect;

/* Monotonic milliseconds. */
static int64_t fan_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds since go (since the start until go is given). */
static int64_t fan_since_go(void)
{
	static int64_t start = -1;

	if (start < 0)
		start = fan_now_ms();
	return fan_now_ms() - (fan_go_ms >= 0 ? fan_go_ms : start);
}

/* Writes all of a buffer on a blocking socket. */
static bool fan_write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* Connects and subscribes: live, or after the subscriber's cursor when
 * it has one (or from since, the first time). */
static bool fan_connect(struct fan_sub *s, const char *since)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char req[256], cursor[32];
	int n;

	if (strlen(fan_path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "bench_fanout: socket path too long: %s\n", fan_path);
		return false;
	}
	strcpy(sa.sun_path, fan_path);
	s->fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s->fd < 0 || connect(s->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "bench_fanout: %s: %s\n", fan_path, strerror(errno));
		if (s->fd >= 0)
			close(s->fd);
		s->fd = -1;
		return false;
	}
	if (s->last > 0 || since) {
		if (s->last > 0 || !since)
			snprintf(cursor, sizeof(cursor), "%" PRIu64, s->last);
		else
			snprintf(cursor, sizeof(cursor), "%s", since);
		n = snprintf(req, sizeof(req),
			     "{\"cmd\":\"hello\",\"protocol\":\"1.0\"}\n{\"cmd\":\"subscribe\",\"since\":\"%s\"}\n", cursor);
	} else
		n = snprintf(req, sizeof(req), "{\"cmd\":\"hello\",\"protocol\":\"1.0\"}\n{\"cmd\":\"subscribe\"}\n");
	s->subscribed = false;
	s->len = 0;
	if (!fan_write_all(s->fd, req, (size_t)n)) {
		fprintf(stderr, "bench_fanout: writing to %s: %s\n", fan_path, strerror(errno));
		return false;
	}
	fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) | O_NONBLOCK);
	return true;
}

/* Closes and subscribes again from the last id received. */
static bool fan_resume(struct fan_sub *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	return fan_connect(s, NULL);
}

/* The digits after key ("\"id\":\"") in a line, as a number; 0 if absent. */
static uint64_t fan_member_id(const char *line, const char *key)
{
	const char *p = strstr(line, key);

	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

/* Makes room for id in a subscriber's tables. */
static void fan_grow(struct fan_sub *s, uint64_t id)
{
	size_t n = s->n ? s->n : 1024;

	if (id < s->n)
		return;
	while (n <= id)
		n *= 2;
	s->count = realloc(s->count, n);
	s->at_ms = realloc(s->at_ms, n * sizeof(*s->at_ms));
	if (!s->count || !s->at_ms)
		abort();
	memset(s->count + s->n, 0, n - s->n);
	memset(s->at_ms + s->n, 0, (n - s->n) * sizeof(*s->at_ms));
	s->n = n;
}

/* One line from the daemon; false when the subscriber must be resumed. */
static bool fan_line(struct fan_sub *s, char *line)
{
	if (!strncmp(line, "{\"specversion\"", 14)) {
		uint64_t id = fan_member_id(line, "\"id\":\"");
		int64_t t = fan_since_go();

		fan_grow(s, id);
		if (id <= s->last)
			s->disorder++;
		if (s->count[id] < UINT8_MAX)
			s->count[id]++;
		if (!s->at_ms[id])
			s->at_ms[id] = (uint32_t)(t < 0 ? 1 : t + 1);
		if (s->first_ms < 0)
			s->first_ms = t;
		if (id > s->last)
			s->last = id;
		s->received++;
		return true;
	}
	if (strstr(line, "\"uk.casewatch.overflow\"")) {
		s->overflows++;
		if (fan_member_id(line, "\"resume_from\":\"") != s->last)
			s->resume_mismatch++;
		return false;
	}
	if (strstr(line, "\"uk.casewatch.replay_failed\"")) {
		s->failures++;
		return false;
	}
	if (!strncmp(line, "{\"ok\":true", 10)) {
		if (strstr(line, "\"subscribed\":true")) {
			s->subscribed = true;
			if (s->last == 0 && !strstr(line, "\"replay\":true"))
				s->last = fan_member_id(line, "\"last_id\":\"");
		}
		return true;
	}
	fprintf(stderr, "bench_fanout: unexpected line: %.300s\n", line);
	exit(1);
}

/* Reads what is there; false when the subscriber must be resumed. */
static bool fan_read(struct fan_sub *s)
{
	for (;;) {
		ssize_t r;
		size_t start = 0;
		char *nl;

		if (s->cap - s->len < READ_CHUNK) {
			s->cap = s->len + READ_CHUNK * 2;
			s->buf = realloc(s->buf, s->cap);
			if (!s->buf)
				abort();
		}
		r = read(s->fd, s->buf + s->len, s->cap - s->len - 1);
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			s->closes++;
			return false;
		}
		s->len += (size_t)r;
		while ((nl = memchr(s->buf + start, '\n', s->len - start))) {
			*nl = '\0';
			if (!fan_line(s, s->buf + start)) {
				s->len = 0;
				return false;
			}
			start = (size_t)(nl - s->buf) + 1;
		}
		memmove(s->buf, s->buf + start, s->len - start);
		s->len -= start;
	}
}

/* Reads the expected ids from a file. */
static bool fan_load_expect(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t cap = 0;
	unsigned long long id;

	if (!f) {
		fprintf(stderr, "bench_fanout: %s: %s\n", path, strerror(errno));
		return false;
	}
	while (fscanf(f, "%llu", &id) == 1) {
		if (fan_nexpect == cap) {
			cap = cap ? cap * 2 : 4096;
			fan_expect = realloc(fan_expect, cap * sizeof(*fan_expect));
			if (!fan_expect)
				abort();
		}
		fan_expect[fan_nexpect++] = id;
	}
	fclose(f);
	return true;
}

/* Whether a subscriber has every expected id. */
static bool fan_complete(const struct fan_sub *s)
{
	return fan_nexpect == 0 || s->last >= fan_expect[fan_nexpect - 1];
}

/* One command from standard input. */
static void fan_command(char *line)
{
	line[strcspn(line, "\r\n")] = '\0';
	if (!strcmp(line, "go")) {
		if (fan_go_ms < 0)
			fan_go_ms = fan_now_ms();
	}
	else if (!strncmp(line, "expect ", 7)) {
		if (!fan_load_expect(line + 7) || fan_nexpect == 0) {
			fprintf(stderr, "bench_fanout: no expected ids in %s\n", line + 7);
			exit(2);
		}
	} else if (*line) {
		fprintf(stderr, "bench_fanout: unknown command: %s\n", line);
		exit(2);
	}
}

/* Orders two int64 values. */
static int fan_cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The per-subscriber lines and the totals; true when none lost or doubled. */
static bool fan_report(struct fan_sub *subs, int nsubs, bool finished)
{
	uint64_t lost = 0, doubled = 0, received = 0, disorder = 0, mismatch = 0;
	unsigned overflows = 0, failures = 0, closes = 0;
	int64_t *done = calloc((size_t)nsubs, sizeof(*done)), first = INT64_MAX;
	double rate_min = 1e18, rate_sum = 0;

	if (!done)
		abort();
	printf("# sub received lost doubled first_ms done_ms per_s overflows replay_failed closes\n");
	for (int i = 0; i < nsubs; i++) {
		struct fan_sub *s = &subs[i];
		uint64_t l = 0, d = 0;
		int64_t last_at = 0;
		double rate;

		for (size_t k = 0; k < fan_nexpect; k++) {
			uint64_t id = fan_expect[k];
			uint8_t c = id < s->n ? s->count[id] : 0;

			if (c == 0)
				l++;
			else if (c > 1)
				d += c - 1U;
			if (c && (int64_t)s->at_ms[id] - 1 > last_at)
				last_at = (int64_t)s->at_ms[id] - 1;
		}
		done[i] = last_at;
		rate = last_at > s->first_ms && s->first_ms >= 0 ?
			       (double)(fan_nexpect - l) * 1000.0 / (double)(last_at - s->first_ms) :
			       0;
		if (rate < rate_min)
			rate_min = rate;
		rate_sum += rate;
		if (s->first_ms >= 0 && s->first_ms < first)
			first = s->first_ms;
		printf("sub %d %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRId64 " %" PRId64 " %.0f %u %u %u\n", i + 1,
		       s->received, l, d, s->first_ms, last_at, rate, s->overflows, s->failures, s->closes);
		lost += l;
		doubled += d;
		received += s->received;
		disorder += s->disorder;
		mismatch += s->resume_mismatch;
		overflows += s->overflows;
		failures += s->failures;
		closes += s->closes;
	}
	qsort(done, (size_t)nsubs, sizeof(*done), fan_cmp64);
	printf("total subscribers %d expected %zu (ids %" PRIu64 "..%" PRIu64 ") received %" PRIu64 "\n", nsubs,
	       fan_nexpect, fan_nexpect ? fan_expect[0] : 0, fan_nexpect ? fan_expect[fan_nexpect - 1] : 0,
	       received);
	printf("total lost %" PRIu64 " doubled %" PRIu64 " out_of_order %" PRIu64 "\n", lost, doubled, disorder);
	printf("total resumed %u (cut off as slow %u, replay failed %u, closed %u; resume_from not the last id %" PRIu64
	       ")\n",
	       overflows + failures + closes, overflows, failures, closes, mismatch);
	printf("total first_event_ms %" PRId64 " all_done_ms %" PRId64 " done_ms min %" PRId64 " p50 %" PRId64
	       " max %" PRId64 "\n",
	       first == INT64_MAX ? -1 : first, done[nsubs - 1], done[0], done[nsubs / 2], done[nsubs - 1]);
	printf("total per_subscriber_per_s min %.0f mean %.0f; all subscribers together %.0f events/s\n", rate_min,
	       rate_sum / nsubs,
	       done[nsubs - 1] > first ? (double)received * 1000.0 / (double)(done[nsubs - 1] - first) : 0.0);
	printf("total %s\n", finished ? "complete" : "INCOMPLETE (timed out waiting)");
	free(done);
	return finished && lost == 0 && doubled == 0;
}

int main(int argc, char **argv)
{
	int nsubs, idle_s = getenv("FANOUT_IDLE") ? atoi(getenv("FANOUT_IDLE")) : 300;
	const char *since = argc > 3 ? argv[3] : NULL;
	struct fan_sub *subs;
	struct pollfd *pfd;
	bool announced = false, finished = false, in_open = true;
	int64_t last_progress;
	char cmd[4096];
	size_t cmdlen = 0;

	if (argc < 3 || (nsubs = atoi(argv[2])) < 1) {
		fprintf(stderr, "usage: bench_fanout SOCKET SUBSCRIBERS [SINCE]\n");
		return 2;
	}
	fan_path = argv[1];
	subs = calloc((size_t)nsubs, sizeof(*subs));
	pfd = calloc((size_t)nsubs + 1, sizeof(*pfd));
	if (!subs || !pfd)
		abort();
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* A replay starts as each subscription is answered: time it from here. */
	if (since)
		fan_go_ms = fan_now_ms();
	for (int i = 0; i < nsubs; i++) {
		subs[i].first_ms = -1;
		if (!fan_connect(&subs[i], since))
			return 2;
	}
	fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
	last_progress = fan_now_ms();
	while (!finished) {
		int all = 0, complete = 0;

		for (int i = 0; i < nsubs; i++) {
			pfd[i].fd = subs[i].fd;
			pfd[i].events = POLLIN;
		}
		pfd[nsubs].fd = in_open ? 0 : -1;
		pfd[nsubs].events = POLLIN;
		if (poll(pfd, (nfds_t)nsubs + 1, 1000) < 0 && errno != EINTR) {
			perror("bench_fanout: poll");
			return 2;
		}
		for (int i = 0; i < nsubs; i++) {
			uint64_t before = subs[i].received;

			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (!fan_read(&subs[i]) && !fan_resume(&subs[i]))
				return 2;
			if (subs[i].received != before)
				last_progress = fan_now_ms();
		}
		if (pfd[nsubs].revents & (POLLIN | POLLHUP)) {
			ssize_t r = read(0, cmd + cmdlen, sizeof(cmd) - 1 - cmdlen);
			char *nl;

			if (r <= 0)
				in_open = false;
			else
				cmdlen += (size_t)r;
			cmd[cmdlen] = '\0';
			while ((nl = strchr(cmd, '\n'))) {
				*nl = '\0';
				fan_command(cmd);
				memmove(cmd, nl + 1, cmdlen - (size_t)(nl + 1 - cmd) + 1);
				cmdlen = strlen(cmd);
				last_progress = fan_now_ms();
			}
		}
		for (int i = 0; i < nsubs; i++) {
			all += subs[i].subscribed;
			complete += fan_complete(&subs[i]);
		}
		if (!announced && all == nsubs) {
			printf("subscribed %d\n", nsubs);
			announced = true;
		}
		if (fan_nexpect && complete == nsubs)
			finished = true;
		else if (fan_now_ms() - last_progress > (int64_t)idle_s * 1000)
			break;
	}
	return fan_report(subs, nsubs, finished) ? 0 : 1;
}
