/*
 * client.h - casewatchctl's connection to casewatchd's alert socket.
 *
 * Connects, says hello (docs/protocol.md), sends requests and reads
 * replies and events one line at a time, each line bounded in size.
 * Errors say what to do about them.
 */
#ifndef CASEWATCH_CTL_CLIENT_H
#define CASEWATCH_CTL_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "casewatch/error.h"
#include "paths.h" /* CW_RUNSTATEDIR */

/* Where casewatchd listens unless told otherwise. */
#define CTL_CLIENT_DEFAULT_SOCKET CW_RUNSTATEDIR "/casewatch.sock"

/* The longest line read from the daemon (an alerts reply can be large). */
#define CTL_CLIENT_MAX_LINE (16 * 1024 * 1024)

struct ctl_client;

/* The socket to use: option (from --socket) if given, else $CASEWATCH_SOCKET
 * if set and not empty, else CTL_CLIENT_DEFAULT_SOCKET. */
const char *ctl_client_socket_path(const char *option);

/* Connects to path and exchanges hello. timeout_ms bounds each wait for the
 * daemon (0 waits forever). NULL with err set on failure; *exit_code (may
 * be NULL) is then CTL_EXIT_UNAVAILABLE, or CTL_EXIT_REFUSED when the daemon
 * answered hello with an error. */
struct ctl_client *ctl_client_connect(const char *path, int timeout_ms, int *exit_code, struct cw_error *err);

/* The daemon's hello reply (protocol, version, capabilities, limits, permissions). */
const json_t *ctl_client_hello(const struct ctl_client *c);

/* Sends request (an object; the reference is stolen) with a fresh "id" and
 * waits for its reply; events arriving first are skipped. Returns a ctl exit
 * code: CTL_EXIT_OK with *reply set (the caller decrefs),
 * CTL_EXIT_UNAVAILABLE when the connection failed, CTL_EXIT_REFUSED when the
 * daemon answered with an error (err holds its code and message; *reply is
 * set too, so callers can read the code). */
int ctl_client_call(struct ctl_client *c, json_t *request, json_t **reply, struct cw_error *err);

/* Sends request (stolen) with a fresh "id" without waiting; false and err on failure. */
bool ctl_client_send(struct ctl_client *c, json_t *request, struct cw_error *err);

/* Reads the next line (a reply or an event) as JSON. timeout_ms < 0 waits
 * forever. NULL with err set at end of stream, on timeout, on a line over
 * the limit or on invalid JSON. */
json_t *ctl_client_read(struct ctl_client *c, int timeout_ms, struct cw_error *err);

/* The connection's file descriptor, for callers that poll several things. */
int ctl_client_fd(const struct ctl_client *c);

/* Closes the connection. NULL is allowed. */
void ctl_client_close(struct ctl_client *c);

#endif /* CASEWATCH_CTL_CLIENT_H */
