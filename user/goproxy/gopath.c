// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * gopath.c - the GOPROXY protocol's paths and versions: the request
 * target parser, module-path case encoding, and Go's semver order.
 * Separate from proxy.c because these are pure functions of bytes from
 * the network: the fuzz target (tests/fuzz/fuzz_goproxy_req.c) drives
 * them without a server.
 *
 * The rules are those of golang.org/x/mod/module (EscapePath, CheckPath)
 * and golang.org/x/mod/semver, written from their documentation; a path
 * that passes here is also safe as a relative path under the upstream
 * tree: no element is empty, "." or "..", nothing is absolute.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "proxy.h"
#include "http.h"
#include "textsafe.h"

int bg_gp_escape(const char *s, char *out, size_t outlen)
{
	size_t o = 0;

	for (; *s; s++) {
		if (o + 3 > outlen)
			return -1;
		if (*s >= 'A' && *s <= 'Z') {
			out[o++] = '!';
			out[o++] = (char)(*s - 'A' + 'a');
		} else {
			out[o++] = *s;
		}
	}
	if (o + 1 > outlen)
		return -1;
	out[o] = '\0';
	return (int)o;
}

int bg_gp_canonical(const struct bg_gp_path *p, char *out, size_t outlen)
{
	static const char *const ext[] = { [BG_GP_INFO] = ".info", [BG_GP_MOD] = ".mod", [BG_GP_ZIP] = ".zip" };
	char em[BG_GP_MAX_MODPATH * 2 + 1], ev[BG_GP_MAX_VERSION * 2 + 1];
	int n;

	if (bg_gp_escape(p->module, em, sizeof(em)) < 0 || bg_gp_escape(p->version, ev, sizeof(ev)) < 0)
		return -1;
	if (p->kind == BG_GP_LIST)
		n = snprintf(out, outlen, "/%s/@v/list", em);
	else if (p->kind == BG_GP_LATEST)
		n = snprintf(out, outlen, "/%s/@latest", em);
	else
		n = snprintf(out, outlen, "/%s/@v/%s%s", em, ev, ext[p->kind]);
	return n < 0 || (size_t)n >= outlen ? -1 : n;
}

/* module.UnescapePath / UnescapeVersion: s[0..n) into out (max bytes and
 * a NUL).  -1 with why set. */
static int unescape(const char *s, size_t n, char *out, size_t max, const char *what, char *why,
		    size_t whylen)
{
	size_t o = 0;

	if (!n) {
		bg_http_whyf(why, whylen, "empty %s", what);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c >= 'A' && c <= 'Z') {
			bg_http_whyf(why, whylen, "bad escape in the %s: uppercase '%c' must be written '!%c'", what, c,
			     c - 'A' + 'a');
			return -1;
		}
		if (c == '!') {
			if (i + 1 >= n || s[i + 1] < 'a' || s[i + 1] > 'z') {
				bg_http_whyf(why, whylen, "bad escape in the %s: '!' must be followed by a lowercase letter",
				     what);
				return -1;
			}
			c = (char)(s[++i] - 'a' + 'A');
		}
		if (o >= max) {
			bg_http_whyf(why, whylen, "%s over %zu bytes", what, max);
			return -1;
		}
		out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}

/* module.CheckPath's rules, on the decoded path. */
static int check_module(const char *m, char *why, size_t whylen)
{
	const char *e = m;
	bool first = true;

	if (m[0] == '/' || m[strlen(m) - 1] == '/') {
		bg_http_whyf(why, whylen, "module path has a leading or trailing slash");
		return -1;
	}
	while (*e) {
		size_t n = strcspn(e, "/");

		if (!n) {
			bg_http_whyf(why, whylen, "module path has an empty element (\"//\")");
			return -1;
		}
		if (e[0] == '.' || e[n - 1] == '.') {
			bg_http_whyf(why, whylen, "module path element \"%.*s\" begins or ends with a dot (\".\" and \"..\" are refused)",
			     (int)(n > 64 ? 64 : n), e);
			return -1;
		}
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)e[i];
			bool ok = isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';

			if (first && isupper(c))
				ok = false; /* the host part is lowercase */
			if (!ok || c >= 0x80) {
				bg_http_whyf(why, whylen, "module path has a byte a module path may not hold (0x%02x)", c);
				return -1;
			}
		}
		if (first && e[0] == '-') {
			bg_http_whyf(why, whylen, "module path's first element begins with '-'");
			return -1;
		}
		first = false;
		e += n;
		if (*e == '/')
			e++;
	}
	return 0;
}

static int check_version(const char *v, char *why, size_t whylen)
{
	if (v[0] != 'v') {
		bg_http_whyf(why, whylen, "version must begin with 'v'");
		return -1;
	}
	for (const char *p = v; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-' && *p != '+') {
			bg_http_whyf(why, whylen, "version has a byte a version may not hold (0x%02x)",
			     (unsigned char)*p);
			return -1;
		}
	return 0;
}

int bg_gp_parse_path(const char *target, struct bg_gp_path *p, char *why, size_t whylen)
{
	char dec[BG_HTTP_MAX_TARGET + 1];
	size_t n = 0, tl = strcspn(target, "?#");
	const char *s, *at, *rest, *ver = NULL;
	size_t vlen = 0;

	memset(p, 0, sizeof(*p));
	if (tl > BG_HTTP_MAX_TARGET) {
		bg_http_whyf(why, whylen, "path over %d bytes", BG_HTTP_MAX_TARGET);
		return -1;
	}
	/* percent-decoding: Go's client does not escape module paths (their
	 * bytes need none), but any client may; %00 and %2F are refused so
	 * an escape cannot hide a separator or end a string early */
	for (size_t i = 0; i < tl; i++) {
		if (target[i] == '%') {
			int hi = i + 2 < tl ? bg_unhex((char)target[i + 1]) : -1;
			int lo = hi >= 0 ? bg_unhex((char)target[i + 2]) : -1;

			if (hi < 0 || lo < 0) {
				bg_http_whyf(why, whylen, "bad percent-escape in the path");
				return -1;
			}
			if ((hi << 4 | lo) == 0 || (hi << 4 | lo) == '/' || (hi << 4 | lo) >= 0x80) {
				bg_http_whyf(why, whylen, "percent-escape of NUL, '/' or a non-ASCII byte in the path");
				return -1;
			}
			dec[n++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			dec[n++] = target[i];
		}
	}
	dec[n] = '\0';
	if (dec[0] != '/') {
		bg_http_whyf(why, whylen, "path must begin with '/'");
		return -1;
	}
	s = dec + 1;
	at = strchr(s, '@');
	if (!at || at == s || at[-1] != '/') {
		bg_http_whyf(why, whylen, "not a GOPROXY path: want MODULE/@v/list, MODULE/@v/VERSION.info|.mod|.zip or MODULE/@latest");
		return -1;
	}
	rest = at;
	if (!strcmp(rest, "@latest")) {
		p->kind = BG_GP_LATEST;
	} else if (!strncmp(rest, "@v/", 3)) {
		const char *tail = rest + 3, *dot = strrchr(tail, '.');

		if (!strcmp(tail, "list")) {
			p->kind = BG_GP_LIST;
		} else if (dot && !strchr(tail, '/')) {
			if (!strcmp(dot, ".info"))
				p->kind = BG_GP_INFO;
			else if (!strcmp(dot, ".mod"))
				p->kind = BG_GP_MOD;
			else if (!strcmp(dot, ".zip"))
				p->kind = BG_GP_ZIP;
			else
				goto bad_file;
			ver = tail;
			vlen = (size_t)(dot - tail);
		} else {
		bad_file:
			bg_http_whyf(why, whylen, "not a GOPROXY file: want @v/list or @v/VERSION.info, .mod or .zip");
			return -1;
		}
	} else {
		bg_http_whyf(why, whylen, "not a GOPROXY path: want MODULE/@v/... or MODULE/@latest");
		return -1;
	}
	if (unescape(s, (size_t)(at - 1 - s), p->module, BG_GP_MAX_MODPATH, "module path", why, whylen) ||
	    check_module(p->module, why, whylen))
		return -1;
	if (ver && (unescape(ver, vlen, p->version, BG_GP_MAX_VERSION, "version", why, whylen) ||
		    check_version(p->version, why, whylen)))
		return -1;
	return 0;
}

/* ------------------------------------------------------------------------
 * semver (golang.org/x/mod/semver): vMAJOR[.MINOR[.PATCH[-PRE][+BUILD]]].
 */

struct sv {
	const char *maj, *min, *pat, *pre; /* pre: without '-', NULL if none */
	size_t majn, minn, patn, pren;
};

/* A decimal without a leading zero (except "0"). */
static size_t num(const char *s)
{
	size_t n = 0;

	while (isdigit((unsigned char)s[n]))
		n++;
	if (n > 1 && s[0] == '0')
		return 0;
	return n;
}

/* Dot-separated identifiers of [0-9A-Za-z-]; numeric ones without a
 * leading zero when numeric_rule. */
static size_t idents(const char *s, bool numeric_rule)
{
	size_t i = 0;

	for (;;) {
		size_t st = i;
		bool alldig = true;

		while (isalnum((unsigned char)s[i]) || s[i] == '-') {
			alldig &= isdigit((unsigned char)s[i]) != 0;
			i++;
		}
		if (i == st)
			return 0;
		if (numeric_rule && alldig && i - st > 1 && s[st] == '0')
			return 0;
		if (s[i] != '.')
			return i;
		i++;
	}
}

static bool sv_parse(const char *v, struct sv *o)
{
	static const char zero[] = "0";
	const char *p;
	size_t n;

	memset(o, 0, sizeof(*o));
	if (!v || v[0] != 'v')
		return false;
	p = v + 1;
	if (!(n = num(p)))
		return false;
	o->maj = p;
	o->majn = n;
	p += n;
	o->min = o->pat = zero;
	o->minn = o->patn = 1;
	if (!*p)
		return true; /* shorthand v1 */
	if (*p != '.' || !(n = num(p + 1)))
		return false;
	o->min = p + 1;
	o->minn = n;
	p += 1 + n;
	if (!*p)
		return true; /* shorthand v1.2 */
	if (*p != '.' || !(n = num(p + 1)))
		return false;
	o->pat = p + 1;
	o->patn = n;
	p += 1 + n;
	if (*p == '-') {
		if (!(n = idents(p + 1, true)))
			return false;
		o->pre = p + 1;
		o->pren = n;
		p += 1 + n;
	}
	if (*p == '+') {
		if (!(n = idents(p + 1, false)))
			return false;
		p += 1 + n;
	}
	return *p == '\0';
}

bool bg_gp_semver_valid(const char *v)
{
	struct sv s;

	return sv_parse(v, &s);
}

static int numcmp(const char *a, size_t an, const char *b, size_t bn)
{
	if (an != bn)
		return an < bn ? -1 : 1;
	int c = memcmp(a, b, an);

	return c < 0 ? -1 : c > 0;
}

static int precmp(const char *a, size_t an, const char *b, size_t bn)
{
	if (!a || !b)
		return !a && !b ? 0 : !a ? 1 : -1; /* a release is above its prereleases */
	size_t i = 0, j = 0;

	while (i < an && j < bn) {
		size_t ie = i, je = j;
		bool ad = true, bd = true;
		int c;

		while (ie < an && a[ie] != '.')
			ad &= isdigit((unsigned char)a[ie++]) != 0;
		while (je < bn && b[je] != '.')
			bd &= isdigit((unsigned char)b[je++]) != 0;
		if (ad && bd)
			c = numcmp(a + i, ie - i, b + j, je - j);
		else if (ad != bd)
			c = ad ? -1 : 1; /* numeric identifiers sort first */
		else {
			size_t m = ie - i < je - j ? ie - i : je - j;

			c = memcmp(a + i, b + j, m);
			c = c ? (c < 0 ? -1 : 1) : (ie - i == je - j ? 0 : ie - i < je - j ? -1 : 1);
		}
		if (c)
			return c;
		i = ie + (ie < an);
		j = je + (je < bn);
	}
	return i < an ? 1 : j < bn ? -1 : 0;
}

int bg_gp_semver_cmp(const char *a, const char *b)
{
	struct sv x, y;
	bool xv = sv_parse(a, &x), yv = sv_parse(b, &y);
	int c;

	if (!xv || !yv)
		return xv == yv ? 0 : xv ? 1 : -1;
	if ((c = numcmp(x.maj, x.majn, y.maj, y.majn)) || (c = numcmp(x.min, x.minn, y.min, y.minn)) ||
	    (c = numcmp(x.pat, x.patn, y.pat, y.patn)))
		return c;
	return precmp(x.pre, x.pren, y.pre, y.pren);
}

bool bg_gp_is_pseudo(const char *v)
{
	struct sv s;
	size_t n;
	const char *p;

	/* ...-[0.]yyyymmddhhmmss-abcdefabcdef: the prerelease's last two
	 * identifiers-with-dashes are a 14-digit time and a revision */
	if (!sv_parse(v, &s) || !s.pre)
		return false;
	n = s.pren;
	p = s.pre;
	const char *dash = NULL;
	for (size_t i = n; i > 0; i--)
		if (p[i - 1] == '-') {
			dash = p + i - 1;
			break;
		}
	if (!dash || (size_t)(p + n - dash - 1) < 12)
		return false;
	for (const char *q = dash + 1; q < p + n; q++)
		if (!isalnum((unsigned char)*q))
			return false;
	if (dash - p < 14)
		return false;
	for (const char *q = dash - 14; q < dash; q++)
		if (!isdigit((unsigned char)*q))
			return false;
	return dash - 14 == p || dash[-15] == '.' || dash[-15] == '-';
}
