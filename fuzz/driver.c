/*
 * driver.c - replays saved inputs through a harness without libFuzzer, so
 * `make check` (gcc, and the sanitizer build) runs every seed and every
 * input that once crashed: fuzz_NAME FILE-OR-DIRECTORY...
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

static unsigned long runs;

/* Seconds one input may take ($FUZZ_INPUT_TIMEOUT): the harnesses take
 * milliseconds, so a saved hang fails again instead of only slowing down. */
static unsigned input_timeout = 5;

/* Runs one file through the harness. */
static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		perror(path);
		return 1;
	}
	do {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	alarm(input_timeout); /* SIGALRM ends the run: a hang is a failure */
	LLVMFuzzerTestOneInput(buf, len);
	alarm(0);
	free(buf);
	runs++;
	return 0;
}

/* A file, or every file of a directory (not recursing further). */
static int run_path(const char *path)
{
	struct stat st;
	struct dirent **names;
	char sub[4096];
	int n, rc = 0;

	if (stat(path, &st) != 0) {
		perror(path);
		return 1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path);
	n = scandir(path, &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		snprintf(sub, sizeof(sub), "%s/%s", path, names[i]->d_name);
		if (names[i]->d_name[0] != '.' && stat(sub, &st) == 0 && S_ISREG(st.st_mode))
			rc |= run_file(sub);
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	const char *t = getenv("FUZZ_INPUT_TIMEOUT");
	int rc = 0;

	if (t && atoi(t) > 0)
		input_timeout = (unsigned)atoi(t);
	for (int i = 1; i < argc; i++)
		rc |= run_path(argv[i]);
	printf("%lu inputs\n", runs);
	return rc;
}
