/*
 * preflight.h - what casewatchd loads before it runs, checked without
 * running it (casewatchd --check-config).
 *
 * A settings file can be well formed and still not start: a misspelt
 * profile, a profile whose `extends` is missing, an unreadable one-off
 * holidays file, an empty migrations directory, a socket group that does
 * not exist. The preflight loads each of them with the same functions the
 * daemon uses, so "OK" means the daemon gets past its own loading.
 *
 * Errors stop the daemon from starting; warnings name what it would
 * ignore (an admin user or group that does not exist).
 */
#ifndef CASEWATCH_DAEMON_PREFLIGHT_H
#define CASEWATCH_DAEMON_PREFLIGHT_H

#include <stdbool.h>

#include "conf.h"

/* Checks what conf (read from conf_path) names. Returns true when nothing
 * would stop the daemon. *errors and *warnings get one problem per line
 * ("conf_path: profile enfeld: ..."), or NULL when there are none; free()
 * them. */
bool cw_preflight_check(const struct cw_conf *conf, const char *conf_path, char **errors,
			char **warnings);

#endif /* CASEWATCH_DAEMON_PREFLIGHT_H */
