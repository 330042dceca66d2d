/* policy.c - loading profiles: files, `extends` chains, overrides, accessors. */
#include "config.h"
#include "paths.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casewatch/policy.h"
#include "policy_internal.h"

/* How deep an `extends` chain may go before we call it a cycle anyway. */
#define MAX_EXTENDS_DEPTH 16

/* The profile-level keys a file may carry. */
static const char *const profile_keys[] = {
	"name", "title", "description", "extends", "nation", "end_of_day", "rules", NULL,
};

/* State while one chain of files is read and merged. */
struct loader {
	struct cw_policy_errors *errs;
	char *stack[MAX_EXTENDS_DEPTH + 1]; /* real paths being loaded, base last */
	const char *names[MAX_EXTENDS_DEPTH + 1]; /* the same as named */
	int depth;
	json_t *rules;	 /* merged rule objects, in order */
	json_t *origins; /* per rule: {key: [file, index]} */
	json_t *defined; /* per rule: [file, index] of its last entry */
	json_t *index;	 /* rule id -> its position in rules, so loading is linear */
	json_t *files;	 /* file names, kept alive for messages and rules */
	const char *nation, *nation_file;
	const char *end_of_day, *end_of_day_file;
	json_t *docs;	 /* the parsed files, kept until the end */
};

/* An empty list, ready for cw_policy_load(). */
void cw_policy_errors_init(struct cw_policy_errors *errs)
{
	errs->count = 0;
	errs->cap = 0;
	errs->msg = NULL;
}

/* Frees the messages and leaves the list empty. */
void cw_policy_errors_free(struct cw_policy_errors *errs)
{
	for (size_t i = 0; i < errs->count; i++)
		free(errs->msg[i]);
	free(errs->msg);
	cw_policy_errors_init(errs);
}

/* Appends one message; on memory exhaustion the message is dropped but the
 * count still grows, so callers never mistake a bad profile for a good one. */
void cw_policy_errors_add(struct cw_policy_errors *errs, const char *fmt, ...)
{
	char buf[CW_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (errs->count == errs->cap) {
		size_t cap = errs->cap ? errs->cap * 2 : 8;
		char **msg = realloc(errs->msg, cap * sizeof(*msg));

		if (!msg) {
			fprintf(stderr, "casewatch: out of memory\n");
			abort();
		}
		errs->msg = msg;
		errs->cap = cap;
	}
	errs->msg[errs->count] = strdup(buf);
	if (!errs->msg[errs->count]) {
		fprintf(stderr, "casewatch: out of memory\n");
		abort();
	}
	errs->count++;
}

/* $CASEWATCH_PROFILEDIR, else the installed profiles. */
const char *cw_policy_default_dir(void)
{
	const char *dir = getenv("CASEWATCH_PROFILEDIR");

	return dir && *dir ? dir : CW_DATADIR "/profiles";
}

/* Zeroed memory freed with the policy, so rules can point into it. */
void *policy_alloc(struct cw_policy *policy, size_t size)
{
	void *p;

	if (policy->n_allocs == policy->cap_allocs) {
		size_t cap = policy->cap_allocs ? policy->cap_allocs * 2 : 64;
		void **a = realloc(policy->allocs, cap * sizeof(*a));

		if (!a)
			return NULL;
		policy->allocs = a;
		policy->cap_allocs = cap;
	}
	p = calloc(1, size ? size : 1);
	if (p)
		policy->allocs[policy->n_allocs++] = p;
	return p;
}

/* A name is looked up in a directory; anything with a slash or .json is a path. */
static bool is_path(const char *profile)
{
	size_t n = strlen(profile);

	return strchr(profile, '/') || (n > 5 && !strcmp(profile + n - 5, ".json"));
}

/* dir/NAME.json, freshly allocated. */
static char *profile_path(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 7;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s.json", dir, name);
	return p;
}

/* The directory part of a path ("." for a bare file name). */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

/* Keeps a file name alive for the policy's lifetime and returns it. */
static const char *keep_name(struct loader *L, const char *path)
{
	json_t *s = json_string(path);

	if (!s)
		return path;
	json_array_append_new(L->files, s);
	return json_string_value(s);
}

/* Finds the merged rule with this id, or -1: a hash lookup (a 20,000-rule
 * profile once took minutes with a scan per rule). */
static int find_rule(const struct loader *L, const char *id)
{
	const json_t *at = json_object_get(L->index, id);

	return at ? (int)json_integer_value(at) : -1;
}

/* The kept copy of a file name (L.defined holds copies that die with the
 * loader; a rule's `file` must live as long as the policy). */
static const char *kept_name(const struct loader *L, const char *name)
{
	size_t i;
	json_t *s;

	json_array_foreach(L->files, i, s)
		if (name && !strcmp(json_string_value(s), name))
			return json_string_value(s);
	return name;
}

/* True when an enabled, specific deadline rule anchors on the event type. */
static bool covered(const struct cw_policy *p, const char *type)
{
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct cw_rule *r = &p->rules[i];

		if (!r->enabled || r->anchor.general || r->anchor.kind != CW_ANCHOR_EVENT)
			continue;
		if (r->kind != CW_RULE_AFTER_EVENT && r->kind != CW_RULE_SAME_WORKING_DAY &&
		    r->kind != CW_RULE_BEFORE_EVENT)
			continue;
		if (cw_codes_has(&r->anchor.events, type))
			return true;
	}
	return false;
}

/* A general rule ("events": "all": Coventry's "Records should be completed
 * ... within 2 working days") covers every event type except its own
 * `except` and those a more specific deadline rule of the same effective
 * profile covers, so each event has the deadline the council meant. */
static void resolve_general(struct cw_policy *p)
{
	for (size_t i = 0; i < p->n_rules; i++) {
		struct cw_anchor *a = &p->rules[i].anchor;
		size_t n = 0;

		if (!a->general)
			continue;
		for (size_t k = 0; k < a->events.n; k++)
			if (!covered(p, a->events.v[k]))
				a->events.v[n++] = a->events.v[k];
		a->events.n = n;
	}
}

/* Applies one file's rules on top of what its base defined. */
static void apply_rules(struct loader *L, const char *file, const json_t *rules)
{
	size_t i;
	json_t *entry, *seen;

	if (!json_is_array(rules)) {
		cw_policy_errors_add(L->errs, "%s: rules: expected an array of rules", file);
		return;
	}
	seen = json_object(); /* this file's ids -> their index */
	json_array_foreach(rules, i, entry) {
		const char *id, *key;
		json_t *v, *origin, *merged, *origins;
		int at;

		if (!json_is_object(entry)) {
			cw_policy_errors_add(L->errs, "%s: rules[%zu]: a rule must be an object", file, i);
			continue;
		}
		id = json_string_value(json_object_get(entry, "id"));
		if (!id) {
			cw_policy_errors_add(L->errs, "%s: rules[%zu].id: %s", file, i,
					     json_object_get(entry, "id") ? "must be a string"
									  : "missing (every rule needs an id)");
			continue;
		}
		if ((v = json_object_get(seen, id))) {
			char e[CW_ERROR_ECHO_STRLEN];

			cw_policy_errors_add(L->errs, "%s: rules[%zu].id: duplicate id \"%s\" (also rules[%" JSON_INTEGER_FORMAT "])",
					     file, i, cw_error_echo(id, e), json_integer_value(v));
			continue;
		}
		json_object_set_new(seen, id, json_integer((json_int_t)i));
		at = find_rule(L, id);
		if (at < 0) {
			json_array_append_new(L->rules, json_object());
			json_array_append_new(L->origins, json_object());
			json_array_append_new(L->defined, json_null());
			at = (int)json_array_size(L->rules) - 1;
			json_object_set_new(L->index, id, json_integer(at));
		}
		merged = json_array_get(L->rules, (size_t)at);
		origins = json_array_get(L->origins, (size_t)at);
		origin = json_pack("[si]", file, (int)i);
		json_array_set_new(L->defined, (size_t)at, json_incref(origin));
		json_object_foreach(entry, key, v) {
			if (json_is_null(v)) {
				/* "key": null in an override removes the base's value. */
				json_object_del(merged, key);
				json_object_del(origins, key);
				continue;
			}
			json_object_set(merged, key, v);
			json_object_set(origins, key, origin);
		}
		json_decref(origin);
	}
	json_decref(seen);
}

/* Reads one file, then its base (recursively), then applies it on top. */
static void load_file(struct loader *L, const char *path)
{
	json_error_t jerr;
	json_t *doc, *v;
	const char *key, *file, *extends;

	char *real;

	file = keep_name(L, path);
	real = realpath(path, NULL);
	for (int i = 0; real && i < L->depth; i++)
		if (L->stack[i] && !strcmp(L->stack[i], real)) {
			cw_policy_errors_add(L->errs, "%s: extends: cycle (%s extends itself through the chain)",
					     L->names[L->depth - 1], file);
			free(real);
			return;
		}
	if (L->depth >= MAX_EXTENDS_DEPTH) {
		cw_policy_errors_add(L->errs, "%s: extends: chain longer than %d profiles", file,
				     MAX_EXTENDS_DEPTH);
		free(real);
		return;
	}
	doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc) {
		free(real);
		if (jerr.line < 1)
			cw_policy_errors_add(L->errs, "%s: %s", file, jerr.text);
		else
			cw_policy_errors_add(L->errs, "%s:%d:%d: JSON syntax error: %s", file, jerr.line, jerr.column,
					     jerr.text);
		return;
	}
	json_array_append_new(L->docs, doc);
	if (!json_is_object(doc)) {
		cw_policy_errors_add(L->errs, "%s: a profile must be a JSON object", file);
		free(real);
		return;
	}
	json_object_foreach(doc, key, v) {
		char e[CW_ERROR_ECHO_STRLEN];
		bool known = false;

		for (int k = 0; profile_keys[k]; k++)
			known = known || !strcmp(profile_keys[k], key);
		if (!known)
			cw_policy_errors_add(L->errs,
					     "%s: %s: unknown key (expected name, title, description, extends, nation, end_of_day, rules)",
					     file, cw_error_echo(key, e));
	}
	if (!json_is_string(json_object_get(doc, "name")))
		cw_policy_errors_add(L->errs, "%s: name: %s", file,
				     json_object_get(doc, "name") ? "must be a string" : "missing");
	v = json_object_get(doc, "extends");
	if (v && !json_is_string(v)) {
		cw_policy_errors_add(L->errs, "%s: extends: must be a profile name", file);
	} else if (v) {
		char *dir = dir_of(path);
		char *base = NULL;
		char e[CW_ERROR_ECHO_STRLEN], eb[CW_ERROR_ECHO_STRLEN];

		extends = json_string_value(v);
		if (is_path(extends) || !*extends)
			cw_policy_errors_add(L->errs, "%s: extends: \"%s\" is not a profile name", file,
					     cw_error_echo(extends, e));
		else if (dir && (base = profile_path(dir, extends))) {
			FILE *f = fopen(base, "r");

			if (!f) {
				cw_policy_errors_add(L->errs, "%s: extends: unknown profile \"%s\" (no %s: %s)",
						     file, cw_error_echo(extends, e), cw_error_echo(base, eb), strerror(errno));
			} else {
				fclose(f);
				L->stack[L->depth] = real;
				L->names[L->depth++] = file;
				load_file(L, base);
				L->depth--;
			}
		}
		free(base);
		free(dir);
	}
	free(real);
	v = json_object_get(doc, "nation");
	if (v) {
		L->nation = json_is_string(v) ? json_string_value(v) : "";
		L->nation_file = file;
	}
	v = json_object_get(doc, "end_of_day");
	if (v) {
		L->end_of_day = json_is_string(v) ? json_string_value(v) : "";
		L->end_of_day_file = file;
	}
	v = json_object_get(doc, "rules");
	if (v)
		apply_rules(L, file, v);
}

/* Frees everything a policy owns. */
void cw_policy_free(struct cw_policy *policy)
{
	if (!policy)
		return;
	for (size_t i = 0; i < policy->n_allocs; i++)
		free(policy->allocs[i]);
	free(policy->allocs);
	json_decref(policy->rule_json);
	json_decref(policy->files);
	free(policy->rules);
	free(policy->name);
	free(policy->title);
	free(policy->file);
	free(policy);
}

/* Loads, merges and validates; see policy.h. */
struct cw_policy *cw_policy_load(const char *profile, const char *dir, struct cw_policy_errors *errs)
{
	struct loader L = { .errs = errs };
	char e[CW_ERROR_ECHO_STRLEN];
	struct cw_policy *p;
	size_t before = errs->count;
	char *path;
	json_t *top;

	path = is_path(profile) ? strdup(profile) : profile_path(dir ? dir : cw_policy_default_dir(), profile);
	p = calloc(1, sizeof(*p));
	L.rules = json_array();
	L.origins = json_array();
	L.defined = json_array();
	L.files = json_array();
	L.docs = json_array();
	L.index = json_object();
	if (!path || !p || !L.rules || !L.origins || !L.defined || !L.files || !L.docs || !L.index) {
		cw_policy_errors_add(errs, "%s: out of memory", profile);
		goto fail;
	}
	{
		FILE *f = fopen(path, "r");

		if (!f && !is_path(profile))
			cw_policy_errors_add(errs, "%s: cannot open: %s (no profile \"%s\" in %s%s)",
					     path, strerror(errno), profile, dir ? dir : cw_policy_default_dir(),
					     dir ? "" : "; $CASEWATCH_PROFILEDIR sets the directory");
		else if (!f)
			cw_policy_errors_add(errs, "%s: cannot open: %s", path, strerror(errno));
		if (!f)
			goto fail;
		fclose(f);
	}
	load_file(&L, path);
	p->file = path;
	path = NULL;
	p->files = json_incref(L.files);
	p->rule_json = json_incref(L.rules);
	/* docs[0] is the file asked for: each file is kept before its base is read. */
	top = json_array_get(L.docs, 0);
	if (json_is_object(top)) {
		const char *s = json_string_value(json_object_get(top, "name"));

		p->name = strdup(s ? s : "");
		s = json_string_value(json_object_get(top, "title"));
		p->title = strdup(s ? s : (p->name ? p->name : ""));
	}
	p->nation = CW_NATION_ENGLAND_WALES;
	if (L.nation && !cw_nation_parse(L.nation, &p->nation))
		cw_policy_errors_add(errs,
				     "%s: nation: unknown nation \"%s\" (expected england-and-wales, scotland, northern-ireland)",
				     L.nation_file, cw_error_echo(L.nation, e));
	p->end_of_day = CW_END_OF_DAY_DEFAULT;
	if (L.end_of_day && !cw_period_parse_time_of_day(L.end_of_day, &p->end_of_day))
		cw_policy_errors_add(errs, "%s: end_of_day: invalid time \"%s\" (expected \"HH:MM\" or \"HH:MM:SS\")",
				     L.end_of_day_file, cw_error_echo(L.end_of_day, e));
	p->n_rules = json_array_size(L.rules);
	p->rules = calloc(p->n_rules ? p->n_rules : 1, sizeof(*p->rules));
	if (!p->rules) {
		cw_policy_errors_add(errs, "%s: out of memory", p->file);
		goto fail;
	}
	for (size_t i = 0; i < p->n_rules; i++) {
		const json_t *def = json_array_get(L.defined, i);
		struct policy_rule_src src = {
			.rule = json_array_get(L.rules, i),
			.origins = json_array_get(L.origins, i),
			.file = kept_name(&L, json_string_value(json_array_get(def, 0))),
			.index = (int)json_integer_value(json_array_get(def, 1)),
		};

		policy_rule_build(p, &src, &p->rules[i], errs);
	}
	if (errs->count > before)
		goto fail;
	resolve_general(p);
	json_decref(L.rules);
	json_decref(L.origins);
	json_decref(L.defined);
	json_decref(L.files);
	json_decref(L.docs);
	json_decref(L.index);
	return p;
fail:
	free(path);
	json_decref(L.rules);
	json_decref(L.origins);
	json_decref(L.defined);
	json_decref(L.files);
	json_decref(L.docs);
	json_decref(L.index);
	cw_policy_free(p);
	return NULL;
}

/* Load and throw away: the errors are the answer. */
size_t cw_policy_check(const char *profile, const char *dir, struct cw_policy_errors *errs)
{
	size_t before = errs->count;

	cw_policy_free(cw_policy_load(profile, dir, errs));
	return errs->count - before;
}

/* The profile's "name". */
const char *cw_policy_name(const struct cw_policy *policy)
{
	return policy->name;
}

/* The profile's "title" (its name when it has none). */
const char *cw_policy_title(const struct cw_policy *policy)
{
	return policy->title;
}

/* The path the profile was loaded from. */
const char *cw_policy_file(const struct cw_policy *policy)
{
	return policy->file;
}

/* Whose bank holidays working days skip. */
enum cw_nation cw_policy_nation(const struct cw_policy *policy)
{
	return policy->nation;
}

/* When day-based periods fall due, in seconds after London midnight. */
int cw_policy_end_of_day(const struct cw_policy *policy)
{
	return policy->end_of_day;
}

/* How many effective rules, disabled ones included. */
size_t cw_policy_rule_count(const struct cw_policy *policy)
{
	return policy->n_rules;
}

/* The i-th effective rule, or NULL past the end. */
const struct cw_rule *cw_policy_rule_at(const struct cw_policy *policy, size_t i)
{
	return i < policy->n_rules ? &policy->rules[i] : NULL;
}

/* Linear: profiles hold tens of rules and callers look up once per rule. */
const struct cw_rule *cw_policy_rule_find(const struct cw_policy *policy, const char *id)
{
	for (size_t i = 0; i < policy->n_rules; i++)
		if (!strcmp(policy->rules[i].id, id))
			return &policy->rules[i];
	return NULL;
}

/* Settings plus the merged rules, for `policy show --json`. */
json_t *cw_policy_to_json(const struct cw_policy *policy)
{
	char eod[16];
	int s = policy->end_of_day;

	snprintf(eod, sizeof(eod), "%02d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:O}", "name", policy->name, "title", policy->title,
			 "file", policy->file, "nation", cw_nation_name(policy->nation), "end_of_day", eod,
			 "rules", policy->rule_json);
}
