/* records_out.c - the rows of the records officers' commands as an aligned table or CSV. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
