/*
 * digest_render.h - a digest (the daemon's "digest" reply, docs/protocol.md)
 * written for people: as text for a terminal, or as an HTML email body for
 * the mail clients councils use (tables, inline styles, no scripts, no
 * images). Times in London time with the zone; ids, codes, rule titles and
 * counts only.
 */
#ifndef CASEWATCH_CTL_DIGEST_RENDER_H
#define CASEWATCH_CTL_DIGEST_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

/* Writes digest d (the reply's "digest" object) to out; html for the body of
 * an HTML email (a whole document). */
void ctl_digest_render(FILE *out, const json_t *d, bool html);

/* "team T005", "teams T005, T006", "worker 1203", "every team": whose digest. */
void ctl_digest_scope(const json_t *d, char *buf, size_t size);

#endif /* CASEWATCH_CTL_DIGEST_RENDER_H */
