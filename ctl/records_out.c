/* records_out.c - what the records officers' commands share: asking casewatchd for an action, its rows as a table or CSV. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "records_out.h"

/* A member as text ("" for null). */
static const char *cell(const json_t *row, const char *col)
{
	const char *s = json_string_value(json_object_get(row, col));

	return s ? s : "";
}

/* RFC 4180: quoted when it holds a comma, a quote or a line break. */
static void csv_field(const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

void ctl_rows_print(const json_t *rows, const char *const *cols, bool csv)
{
	size_t n = 0, i, width[32];
	json_t *row;

	while (cols[n] && n < 32)
		n++;
	if (csv) {
		for (size_t c = 0; c < n; c++) {
			fputs(c ? "," : "", stdout);
			csv_field(cols[c]);
		}
		putchar('\n');
		json_array_foreach ((json_t *)rows, i, row) {
			for (size_t c = 0; c < n; c++) {
				fputs(c ? "," : "", stdout);
				csv_field(cell(row, cols[c]));
			}
			putchar('\n');
		}
		return;
	}
	for (size_t c = 0; c < n; c++)
		width[c] = strlen(cols[c]);
	json_array_foreach ((json_t *)rows, i, row)
		for (size_t c = 0; c < n; c++) {
			size_t w = *cell(row, cols[c]) ? strlen(cell(row, cols[c])) : 1;

			if (w > width[c])
				width[c] = w;
		}
	for (size_t c = 0; c < n; c++)
		printf("%-*s%s", c + 1 < n ? (int)width[c] : 0, cols[c], c + 1 < n ? "  " : "\n");
	json_array_foreach ((json_t *)rows, i, row)
		for (size_t c = 0; c < n; c++) {
			const char *v = *cell(row, cols[c]) ? cell(row, cols[c]) : "-";

			printf("%-*s%s", c + 1 < n ? (int)width[c] : 0, v, c + 1 < n ? "  " : "\n");
		}
}

bool ctl_parse_days(const char *text, long *days)
{
	char *end;

	*days = strtol(text, &end, 10);
	if (end == text || *days < 0 || *days > 36500)
		return false;
	return !*end || !strcmp(end, "d");
}

/* "a, b or c" of the actions, for the error naming them. */
static void actions_text(const char *const *actions, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; actions[i] && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i == 0 ? "" : actions[i + 1] ? ", " : " or ",
					actions[i]);
}

int ctl_records_request(int argc, char **argv, const struct ctl_opts *po, const char *const *actions, json_t **req,
			json_t **reply)
{
	const char *action = argc > 1 ? argv[1] : NULL;
	struct ctl_filter f;
	char expected[256];
	size_t i;
	int rc;

	*reply = NULL;
	if (!action || !strcmp(action, "--help") || !strcmp(action, "-h")) {
		po->usage(action ? stdout : stderr, NULL);
		return action ? CTL_EXIT_OK : CTL_EXIT_USAGE;
	}
	for (i = 0; actions[i] && strcmp(action, actions[i]); i++)
		;
	if (!actions[i]) {
		actions_text(actions, expected, sizeof(expected));
		ctl_error("%s: unknown action '%s' (expected %s)", po->what, action, expected);
		return CTL_EXIT_USAGE;
	}
	*req = json_pack("{s:s,s:s}", "cmd", po->what, "action", action);
	ctl_filter_init(&f);
	rc = ctl_parse(argc - 1, argv + 1, po, &f);
	if (rc < 0) {
		rc = ctl_request(po->what, f.socket, *req, reply);
		*req = NULL;
	}
	json_decref(*req);
	*req = NULL;
	ctl_filter_free(&f);
	return rc;
}
