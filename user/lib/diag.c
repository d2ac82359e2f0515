// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* diag.c - struct bg_diag: fill it where the problem is found, render it
 * (text or JSON) where the command decides (diag.h). */
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "util.h"

/* One line, always: a newline from a quoted token would break it. */
static void one_line(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\r')
			*s = ' ';
}

static void vset(struct bg_diag *d, const char *origin, unsigned line, const char *fmt, va_list ap)
{
	int n = 0;

	d->severity = BG_DIAG_ERROR;
	d->err_no = 0;
	d->line = 0;
	d->origin[0] = '\0';
	if (origin) {
		bg_strlcpy(d->origin, origin, sizeof(d->origin));
		d->line = line;
		n = line ? snprintf(d->msg, sizeof(d->msg), "%s:%u: ", origin, line)
			 : snprintf(d->msg, sizeof(d->msg), "%s: ", origin);
		if (n < 0 || (size_t)n >= sizeof(d->msg))
			n = (int)strlen(d->msg);
	}
	d->what = (unsigned)n;
	vsnprintf(d->msg + n, sizeof(d->msg) - (size_t)n, fmt, ap);
	one_line(d->msg);
	one_line(d->origin);
}

void bg_diag_set(struct bg_diag *d, const char *fmt, ...)
{
	if (!d)
		return;
	va_list ap;
	va_start(ap, fmt);
	vset(d, NULL, 0, fmt, ap);
	va_end(ap);
}

void bg_diag_vat(struct bg_diag *d, const char *origin, unsigned line, const char *fmt, va_list ap)
{
	if (d)
		vset(d, origin, line, fmt, ap);
}

void bg_diag_at(struct bg_diag *d, const char *origin, unsigned line, const char *fmt, ...)
{
	if (!d)
		return;
	va_list ap;
	va_start(ap, fmt);
	vset(d, origin, line, fmt, ap);
	va_end(ap);
}

void bg_diag_warn(struct bg_diag *d, const char *fmt, ...)
{
	char msg[512]; /* warnings were always cut here */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (d) {
		d->nwarn++;
		if (d->warn) {
			d->warn(d->warn_ctx, msg);
			return;
		}
	}
	bg_warn("%s", msg); /* capped with every other warning */
}

void bg_diag_print(const struct bg_diag *d)
{
	bg_err("%s", d->msg);
}

struct json_object *bg_diag_json(const struct bg_diag *d)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "origin", d->origin[0] ? json_object_new_string(d->origin) : NULL);
	json_object_object_add(o, "line", json_object_new_int64(d->line));
	json_object_object_add(o, "message", json_object_new_string(bg_diag_message(d)));
	json_object_object_add(o, "severity",
			       json_object_new_string(d->severity == BG_DIAG_WARNING ? "warning" : "error"));
	return o;
}
