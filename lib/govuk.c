/* govuk.c - reading and validating GOV.UK bank-holidays.json documents. */
#include "config.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "calendar_int.h"

/* Frees every event of a parsed document. */
void cw_govuk_doc_free(struct cw_govuk_doc *doc)
{
	for (int n = 0; n < CW_NATION_COUNT; n++) {
		for (size_t i = 0; i < doc->nev[n]; i++)
			free(doc->ev[n][i].title);
		free(doc->ev[n]);
	}
	memset(doc, 0, sizeof(*doc));
}

/* Reads a date member ("date" or "replaces") of an event, in range. */
static bool read_date(const char *path, const char *division, size_t i, const char *key,
		      json_t *value, cw_day *out, struct cw_error *err)
{
	const char *text;

	if (!json_is_string(value))
		return cw_error_set(err, "%s: %s.events[%zu].%s: expected a string \"YYYY-MM-DD\"", path,
				    division, i, key);
	text = json_string_value(value);
	if (!cw_day_parse(text, out))
		return cw_error_set(err, "%s: %s.events[%zu].%s: \"%s\" is not a valid date", path,
				    division, i, key, text);
	if (*out < cw_calendar_first_day() || *out > cw_calendar_last_day())
		return cw_error_set(err, "%s: %s.events[%zu].%s: %s is outside %d-%d", path, division, i,
				    key, text, CW_CALENDAR_FIRST_YEAR, CW_CALENDAR_LAST_YEAR);
	return true;
}

/* Validates one event and appends it to the division's list. */
static bool read_event(const char *path, const char *division, size_t i, json_t *event,
		       bool allow_replaces, struct cw_govuk_event *out, struct cw_error *err)
{
	json_t *title = json_object_get(event, "title");
	json_t *notes = json_object_get(event, "notes");
	json_t *replaces = json_object_get(event, "replaces");
	json_t *bunting = json_object_get(event, "bunting");
	const char *t;
	size_t len;
	bool sub;

	if (!json_is_object(event))
		return cw_error_set(err, "%s: %s.events[%zu]: expected an object", path, division, i);
	if (!title)
		return cw_error_set(err, "%s: %s.events[%zu].title: missing", path, division, i);
	if (!json_is_string(title) || json_string_length(title) == 0)
		return cw_error_set(err, "%s: %s.events[%zu].title: expected a non-empty string", path,
				    division, i);
	if (!json_object_get(event, "date"))
		return cw_error_set(err, "%s: %s.events[%zu].date: missing", path, division, i);
	if (!read_date(path, division, i, "date", json_object_get(event, "date"), &out->day, err))
		return false;
	if (notes && !json_is_string(notes))
		return cw_error_set(err, "%s: %s.events[%zu].notes: expected a string", path, division, i);
	if (bunting && !json_is_boolean(bunting))
		return cw_error_set(err, "%s: %s.events[%zu].bunting: expected true or false", path,
				    division, i);
	out->replaces = CW_GOVUK_NO_REPLACES;
	if (replaces) {
		if (!allow_replaces)
			return cw_error_set(err, "%s: %s.events[%zu].replaces: only the one-off file may move days",
					    path, division, i);
		if (!read_date(path, division, i, "replaces", replaces, &out->replaces, err))
			return false;
	}
	/* A substitute day keeps its holiday's title in GOV.UK's data and says
	 * so in the notes; the calendar folds that into the title. */
	t = json_string_value(title);
	sub = notes && !strcasecmp(json_string_value(notes), "Substitute day");
	len = strlen(t) + (sub ? strlen(" (substitute day)") : 0) + 1;
	out->title = malloc(len);
	if (!out->title)
		return cw_error_set(err, "%s: out of memory", path);
	strcpy(out->title, t);
	if (sub)
		strcat(out->title, " (substitute day)");
	return true;
}

/* Validates one division object ({"division", "events": [...]}). */
static bool read_division(const char *path, const char *key, json_t *div, bool allow_replaces,
			  struct cw_govuk_doc *doc, enum cw_nation nation, struct cw_error *err)
{
	json_t *name = json_object_get(div, "division");
	json_t *events = json_object_get(div, "events");
	size_t n;

	if (!json_is_object(div))
		return cw_error_set(err, "%s: %s: expected an object", path, key);
	if (name && (!json_is_string(name) || strcmp(json_string_value(name), key)))
		return cw_error_set(err, "%s: %s.division: expected \"%s\"", path, key, key);
	if (!events)
		return cw_error_set(err, "%s: %s.events: missing", path, key);
	if (!json_is_array(events))
		return cw_error_set(err, "%s: %s.events: expected an array", path, key);
	n = json_array_size(events);
	doc->present[nation] = true;
	doc->ev[nation] = calloc(n ? n : 1, sizeof(*doc->ev[nation]));
	if (!doc->ev[nation])
		return cw_error_set(err, "%s: out of memory", path);
	for (size_t i = 0; i < n; i++) {
		struct cw_govuk_event *ev = &doc->ev[nation][i];

		if (!read_event(path, key, i, json_array_get(events, i), allow_replaces, ev, err))
			return false;
		doc->nev[nation]++;
		for (size_t j = 0; j < i; j++) {
			if (doc->ev[nation][j].day == ev->day) {
				char ds[CW_DAY_STRLEN];

				cw_day_format(ev->day, ds);
				return cw_error_set(err, "%s: %s.events[%zu].date: %s is listed twice (also events[%zu])",
						    path, key, i, ds, j);
			}
		}
	}
	return true;
}

/* Loads and validates the whole document; on failure doc is empty. */
bool cw_govuk_read(const char *path, bool allow_replaces, struct cw_govuk_doc *doc,
		   struct cw_error *err)
{
	json_error_t jerr;
	json_t *root, *div;
	const char *key;

	memset(doc, 0, sizeof(*doc));
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		if (jerr.line <= 0)
			return cw_error_set(err, "%s: %s", path, jerr.text);
		return cw_error_set(err, "%s: line %d, column %d: %s", path, jerr.line, jerr.column,
				    jerr.text);
	}
	if (!json_is_object(root)) {
		json_decref(root);
		return cw_error_set(err, "%s: expected an object of divisions at the top level", path);
	}
	json_object_foreach(root, key, div) {
		enum cw_nation nation;

		if (!cw_nation_parse(key, &nation)) {
			cw_error_set(err,
				     "%s: %s: unknown division (expected england-and-wales, scotland or northern-ireland)",
				     path, key);
			goto fail;
		}
		if (!read_division(path, key, div, allow_replaces, doc, nation, err))
			goto fail;
	}
	json_decref(root);
	return true;
fail:
	json_decref(root);
	cw_govuk_doc_free(doc);
	return false;
}
