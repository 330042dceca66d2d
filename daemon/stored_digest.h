/*
 * stored_digest.h - the obligation digests casewatch.person_digest holds
 * for a page's persons, read with the page.
 *
 * A person whose computed obligations digest to the stored value has the
 * obligations of their last reconcile: the page is sent without them
 * (obligation_batch.h), and the store checks the claim. Read in the
 * page's own transaction, after its facts (daemon/facts_reader.h).
 */
#ifndef CASEWATCH_DAEMON_STORED_DIGEST_H
#define CASEWATCH_DAEMON_STORED_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "facts_reader.h"

struct cw_stored_digests;

struct cw_stored_digests *cw_stored_digests_new(void);
void cw_stored_digests_free(struct cw_stored_digests *d);

/* Forgets the digests held, and sets *also to read those of a page, in
 * the page's own transaction: a page read by its list of ids, or (not
 * by_list) the page a sweep reads after an id. */
void cw_stored_digests_also(struct cw_stored_digests *d, bool by_list, struct cw_facts_reader_also *also);
/* The stored digest of person id, if read; asked in ascending order of id
 * it is one step per person. */
bool cw_stored_digests_find(struct cw_stored_digests *d, int64_t id, int64_t *digest);
/* Forgets the digests held (nothing is left out until the next read). */
void cw_stored_digests_clear(struct cw_stored_digests *d);

#endif /* CASEWATCH_DAEMON_STORED_DIGEST_H */
