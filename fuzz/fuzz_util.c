/* fuzz_util.c - the source tree and a private scratch directory for the harnesses. */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

static char scratch[256];

/* $CASEWATCH_SRCDIR, else the source tree the harness was configured in. */
const char *fuzz_srcdir(void)
{
	const char *s = getenv("CASEWATCH_SRCDIR");

	return s && *s ? s : FUZZ_SRCDIR;
}

const char *fuzz_srcpath(const char *rel)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s/%s", fuzz_srcdir(), rel);
	return buf;
}

/* Empties the scratch directory and removes it. */
static void fuzz_cleanup(void)
{
	char path[512];
	struct dirent *e;
	DIR *d = opendir(scratch);

	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", scratch, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(scratch);
}

const char *fuzz_dir(void)
{
	const char *tmp = getenv("TMPDIR");

	if (!scratch[0]) {
		snprintf(scratch, sizeof(scratch), "%s/cw-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(scratch)) {
			perror("fuzz: mkdtemp");
			abort();
		}
		atexit(fuzz_cleanup);
	}
	return scratch;
}

const char *fuzz_write(const char *name, const uint8_t *data, size_t size)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fuzz_dir(), name);
	f = fopen(path, "wb");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
		perror(path);
		abort();
	}
	return path;
}
