/* preflight.c - the profile, calendar, migrations and names a daemon would load, checked. */
#include "config.h"

#include <dirent.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casewatch/calendar.h"
#include "casewatch/policy.h"
#include "migrate.h"
#include "preflight.h"

/* A list of lines being written. */
struct preflight_text {
	const char *prefix; /* the settings file, so each line names it */
	char *text;
	size_t size;
	FILE *f;
	int lines;
};

static void text_open(struct preflight_text *t, const char *prefix)
{
	memset(t, 0, sizeof(*t));
	t->prefix = prefix;
	t->f = open_memstream(&t->text, &t->size);
	if (!t->f)
		abort();
}

static void text_line(struct preflight_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void text_line(struct preflight_text *t, const char *fmt, ...)
{
	va_list ap;

	fprintf(t->f, "%s: ", t->prefix);
	va_start(ap, fmt);
	vfprintf(t->f, fmt, ap);
	va_end(ap);
	fputc('\n', t->f);
	t->lines++;
}

/* Closes the stream; the text, or NULL when no line was written. */
static char *text_close(struct preflight_text *t)
{
	fclose(t->f);
	if (t->lines == 0) {
		free(t->text);
		return NULL;
	}
	return t->text;
}

/* Whether the profile setting is a file rather than a name (as policy.c decides). */
static bool profile_is_path(const char *profile)
{
	size_t n = strlen(profile);

	return strchr(profile, '/') || (n > 5 && !strcmp(profile + n - 5, ".json"));
}

/* Orders names for qsort. */
static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A profile name that names no file: which names the directory has, sorted. */
static void list_profiles(const char *profile, const char *dir, struct preflight_text *errs)
{
	char *list[256], *names = NULL;
	size_t n = 0, size = 0;
	struct dirent *de;
	FILE *f;
	DIR *d;

	if (!(d = opendir(dir)))
		return;
	while ((de = readdir(d)) && n < sizeof(list) / sizeof(list[0])) {
		size_t len = strlen(de->d_name);

		if (len > 5 && de->d_name[0] != '.' && !strcmp(de->d_name + len - 5, ".json") &&
		    !(list[n++] = strndup(de->d_name, len - 5)))
			abort();
	}
	closedir(d);
	qsort(list, n, sizeof(list[0]), name_cmp);
	f = open_memstream(&names, &size);
	if (!f)
		abort();
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s%s", i ? ", " : "", list[i]);
		free(list[i]);
	}
	fclose(f);
	text_line(errs, "profile %s: the profiles in %s are: %s", profile, dir, n ? names : "(none)");
	free(names);
}

/* The profile and every profile it extends, validated as the poller loads them. */
static void check_profile(const struct cw_conf *conf, struct preflight_text *errs)
{
	const char *dir = *conf->profile_dir ? conf->profile_dir : cw_policy_default_dir();
	struct cw_policy_errors pe;
	struct cw_policy *policy;
	char path[4096];

	cw_policy_errors_init(&pe);
	policy = cw_policy_load(conf->profile, dir, &pe);
	snprintf(path, sizeof(path), "%s/%s.json", dir, conf->profile);
	for (size_t i = 0; i < pe.count; i++)
		text_line(errs, "profile %s: %s", conf->profile, pe.msg[i]);
	if (!policy && pe.count == 0)
		text_line(errs, "profile %s: cannot be loaded", conf->profile);
	if (!policy && !profile_is_path(conf->profile) && access(path, F_OK) != 0)
		list_profiles(conf->profile, dir, errs);
	cw_policy_free(policy);
	cw_policy_errors_free(&pe);
}

/* The bank-holiday rules and the one-off holidays file. */
static void check_calendar(struct preflight_text *errs)
{
	struct cw_calendar *cal;
	struct cw_error err;

	cal = cw_calendar_new(NULL, &err);
	if (!cal)
		text_line(errs, "calendar: %s", err.msg);
	cw_calendar_free(cal);
}

/* Every migration file, read and checked as the runner would before applying it. */
static void check_migrations(const struct cw_conf *conf, struct preflight_text *errs)
{
	struct cw_migrate_file *files;
	struct cw_error err;
	size_t n;

	if (!cw_migrate_scan(conf->migrations_dir, &files, &n, &err)) {
		text_line(errs, "migrations_dir: %s", err.msg);
		return;
	}
	cw_migrate_files_free(files, n);
}

/* The socket's group: the daemon refuses to start when it does not exist
 * (unless systemd passes the socket, which casewatchd.socket's own
 * SocketGroup= then decides). */
static void check_socket_group(const struct cw_conf *conf, struct preflight_text *errs)
{
	if (*conf->socket_group && !getgrnam(conf->socket_group))
		text_line(errs,
			  "socket_group: no group \"%s\" on this system (systemd-sysusers creates "
			  "casewatch's groups; or set socket_group = \"\" for the daemon's own group)",
			  conf->socket_group);
}

/* Warns about each name of a settings list (commas and/or blanks) that
 * does not exist: the daemon ignores those. */
static void each_name(const char *list, const char *setting, struct preflight_text *warns,
		      bool (*exists)(const char *))
{
	char name[256];

	while (*list) {
		size_t n = strcspn(list, ", \t");

		if (n > 0 && n < sizeof(name)) {
			memcpy(name, list, n);
			name[n] = '\0';
			if (!exists(name))
				text_line(warns, "%s: no %s \"%s\"; the daemon will ignore it", setting,
					  !strcmp(setting, "admin_users") ? "user" : "group", name);
		}
		list += n;
		list += strspn(list, ", \t");
	}
}

static bool user_exists(const char *name)
{
	return getpwnam(name) != NULL;
}

static bool group_exists(const char *name)
{
	return getgrnam(name) != NULL;
}

bool cw_preflight_check(const struct cw_conf *conf, const char *conf_path, char **errors,
			char **warnings)
{
	struct preflight_text errs, warns;

	text_open(&errs, conf_path);
	text_open(&warns, conf_path);
	check_profile(conf, &errs);
	check_calendar(&errs);
	check_migrations(conf, &errs);
	check_socket_group(conf, &errs);
	each_name(conf->admin_users, "admin_users", &warns, user_exists);
	each_name(conf->admin_groups, "admin_groups", &warns, group_exists);
	*warnings = text_close(&warns);
	*errors = text_close(&errs);
	return *errors == NULL;
}
