/* error.c - filling struct cw_error. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "casewatch/error.h"

bool cw_error_set(struct cw_error *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return false;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return false;
}

bool cw_error_prefix(struct cw_error *err, const char *fmt, ...)
{
	char prefix[CW_ERROR_MAX];
	size_t plen, olen;
	va_list ap;
	int n;

	if (!err)
		return false;
	va_start(ap, fmt);
	n = vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	if (n < 0)
		return false;
	plen = strlen(prefix);
	olen = strnlen(err->msg, sizeof(err->msg) - 1);
	/* Keep the prefix whole and truncate the older message to fit. */
	if (plen + olen > sizeof(err->msg) - 1)
		olen = sizeof(err->msg) - 1 - plen;
	memmove(err->msg + plen, err->msg, olen);
	memcpy(err->msg, prefix, plen);
	err->msg[plen + olen] = '\0';
	return false;
}

/* A short excerpt of input, for an error message to quote. */
const char *cw_error_echo(const char *text, char buf[CW_ERROR_ECHO_STRLEN])
{
	size_t i;

	if (!text)
		text = "";
	for (i = 0; text[i] && i < CW_ERROR_ECHO_MAX; i++)
		buf[i] = (unsigned char)text[i] < 0x20 || text[i] == 0x7f ? '?' : text[i];
	/* Never cut inside a UTF-8 sequence: back up to its first byte. */
	if (text[i])
		while (i > 0 && ((unsigned char)text[i] & 0xc0) == 0x80)
			i--;
	if (text[i])
		memcpy(buf + i, "...", 4);
	else
		buf[i] = '\0';
	return buf;
}
