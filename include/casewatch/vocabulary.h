/*
 * vocabulary.h - the codes profiles and the records interface share.
 *
 * The tables mirror docs/vocabulary.md: involvement categories, event types,
 * record types, audiences and involvement outcomes (youth justice, fostering). A profile naming a code
 * that is not here fails validation. The tables are constant.
 */
#ifndef CASEWATCH_VOCABULARY_H
#define CASEWATCH_VOCABULARY_H

#include <stdbool.h>
#include <stddef.h>

enum cw_vocab {
	CW_VOCAB_INVOLVEMENT, /* involvement.category */
	CW_VOCAB_EVENT,	      /* event.event_type */
	CW_VOCAB_RECORD,      /* record.record_type */
	CW_VOCAB_AUDIENCE,    /* who an alert is for */
	CW_VOCAB_OUTCOME,     /* involvement outcome: youth justice, fostering */
	CW_VOCAB_COUNT
};

/* True when code is one of the vocabulary's codes (exact, case-sensitive). */
bool cw_vocabulary_has(enum cw_vocab vocab, const char *code);
/* What the vocabulary is called in messages, e.g. "event type". */
const char *cw_vocabulary_name(enum cw_vocab vocab);
/* The codes in the order docs/vocabulary.md lists them; *n gets the count. */
const char *const *cw_vocabulary_codes(enum cw_vocab vocab, size_t *n);

#endif /* CASEWATCH_VOCABULARY_H */
