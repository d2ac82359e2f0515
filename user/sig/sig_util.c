// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * sig_util.c - the strict readers under every signature check: base64,
 * PEM armor, DER elements and the ECDSA signature's one encoding, the
 * cosign .sig file; and the byte strings that get signed or hashed
 * (RFC 6962 Merkle paths, DSSE's PAE, Rekor's SET payload).
 *
 * Strict because a signature scheme is only as good as the uniqueness of
 * what it reads: a second encoding of the same signature (BER lengths, a
 * leading zero, trailing bytes) is refused as malformed, so "verifies"
 * always means the bytes on disk are the ones the signer produced.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>

#include "sig_int.h"
#include "util.h"

void bg_sig_sha256(const void *p, size_t n, uint8_t out[32])
{
	/* EVP_Digest of SHA-256 fails only without memory for its context */
	if (!EVP_Digest(p, n, out, NULL, EVP_sha256(), NULL))
		memset(out, 0, 32);
}

int bg_sig_read_input(const char *path, size_t max, const char *what, char **buf, size_t *len, struct bg_diag *d)
{
	int rc = bg_read_file(path, max, buf, len);

	if (!rc)
		return 0;
	if (rc == -EFBIG) {
		bg_diag_at(d, path, 0, "cannot read the %s: larger than %zu KiB, more than a %s can be; check the path",
			   what, max >> 10, what);
		return BG_EXIT_SIG_MALFORMED;
	}
	bg_diag_at(d, path, 0, "cannot read the %s: %s; check the path", what, strerror(-rc));
	return BG_EXIT_USAGE;
}

struct json_object *bg_sig_json_parse(const void *buf, size_t len, const char **why)
{
	struct json_tokener *tok;
	struct json_object *o;
	enum json_tokener_error jerr;
	size_t end;

	*why = "out of memory";
	if (len > INT32_MAX) {
		*why = "too large";
		return NULL;
	}
	tok = json_tokener_new();
	if (!tok)
		return NULL;
	/* strict: no comments, single quotes or trailing commas: the JSON
	 * every other reader of the same bytes sees */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	end = o && jerr == json_tokener_success ? (size_t)json_tokener_get_parse_end(tok) : len;
	json_tokener_free(tok);
	/* only white space may follow the value */
	for (; end < len; end++) {
		char c = ((const char *)buf)[end];

		if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
			jerr = json_tokener_error_parse_unexpected;
	}
	if (!o || jerr != json_tokener_success) {
		json_object_put(o);
		*why = jerr == json_tokener_continue || (!o && jerr == json_tokener_success) ? "truncated"
											: json_tokener_error_desc(jerr);
		return NULL;
	}
	return o;
}

/* ------------------------------------------------------------------------ */
/* base64 */

static int b64_val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int bg_sig_b64_decode(const char *s, size_t n, uint8_t **out, size_t *outlen)
{
	size_t pad = 0, k = 0;
	uint8_t *o;

	*out = NULL;
	*outlen = 0;
	if (n % 4)
		return -EINVAL;
	if (n && s[n - 1] == '=')
		pad = (n >= 2 && s[n - 2] == '=') ? 2 : 1;
	o = malloc(n / 4 * 3 + 1);
	if (!o)
		return -ENOMEM;
	for (size_t i = 0; i < n; i += 4) {
		int v[4];
		bool last = i + 4 == n;

		for (int j = 0; j < 4; j++) {
			v[j] = b64_val((unsigned char)s[i + j]);
			/* '=' only as the padding of the last group */
			if (v[j] < 0 && !(last && s[i + j] == '=' && j >= 4 - (int)pad)) {
				free(o);
				return -EINVAL;
			}
		}
		o[k++] = (uint8_t)(v[0] << 2 | v[1] >> 4);
		if (last && pad == 2) {
			if (v[1] & 0xf) /* unused bits set: a second spelling of the same bytes */
				goto bad;
			break;
		}
		o[k++] = (uint8_t)((v[1] & 0xf) << 4 | v[2] >> 2);
		if (last && pad == 1) {
			if (v[2] & 0x3)
				goto bad;
			break;
		}
		o[k++] = (uint8_t)((v[2] & 0x3) << 6 | v[3]);
	}
	o[k] = 0;
	*out = o;
	*outlen = k;
	return 0;
bad:
	free(o);
	return -EINVAL;
}

/* ------------------------------------------------------------------------ */
/* PEM */

/* The next line of buf from *pos: [*ls, *le) without its "\n" or "\r\n". */
static bool next_line(const char *buf, size_t len, size_t *pos, size_t *ls, size_t *le)
{
	size_t i = *pos;

	if (i >= len)
		return false;
	*ls = i;
	while (i < len && buf[i] != '\n')
		i++;
	*le = i;
	if (*le > *ls && buf[*le - 1] == '\r')
		(*le)--;
	*pos = i < len ? i + 1 : i;
	return true;
}

static bool blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

#define PEM_DASH "-----"
#define PEM_LINE_MAX 76
#define PEM_MAX (1u << 20)

/* "-----BEGIN X-----" / "-----END X-----": the label X (at most 63
 * characters of A-Z, 0-9 and single spaces), or false. */
static bool pem_armor(const char *s, size_t n, const char *word, char label[64])
{
	size_t wl = strlen(word), ll;

	if (n < 10 + wl || memcmp(s, PEM_DASH, 5) || memcmp(s + 5, word, wl) || s[5 + wl] != ' ' ||
	    memcmp(s + n - 5, PEM_DASH, 5))
		return false;
	ll = n - 10 - wl - 1;
	if (!ll || ll > 63)
		return false;
	memcpy(label, s + 5 + wl + 1, ll);
	label[ll] = 0;
	for (size_t i = 0; i < ll; i++) {
		char c = label[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c == ' ' && i && label[i - 1] != ' ')))
			return false;
	}
	return label[ll - 1] != ' ';
}

int bg_sig_pem_decode(const char *buf, size_t len, const char *origin, char **label, uint8_t **der,
		      size_t *derlen, struct bg_diag *d)
{
	size_t pos = 0, ls, le, b64len = 0, nline = 0;
	char begin[64] = "", end[64];
	char *b64 = NULL;
	int state = 0, rc; /* 0: before BEGIN, 1: inside, 2: after END */
	bool short_line = false;

	*label = NULL;
	*der = NULL;
	*derlen = 0;
	if (len > PEM_MAX) {
		bg_diag_at(d, origin, 0, "PEM file larger than %u bytes; give the key or certificate file itself",
			   PEM_MAX);
		return BG_EXIT_SIG_MALFORMED;
	}
	b64 = malloc(len + 1);
	if (!b64) {
		bg_diag_at(d, origin, 0, "out of memory reading PEM");
		return BG_EXIT_FAIL;
	}
	while (next_line(buf, len, &pos, &ls, &le)) {
		const char *s = buf + ls;
		size_t n = le - ls;

		nline++;
		if (memchr(s, '\0', n))
			goto bad_line;
		if (state == 0) {
			if (blank(s, n))
				continue;
			if (!pem_armor(s, n, "BEGIN", begin))
				goto bad_line;
			state = 1;
		} else if (state == 1) {
			if (n >= 5 && !memcmp(s, PEM_DASH, 5)) {
				if (!pem_armor(s, n, "END", end)) {
					bg_diag_at(d, origin, (unsigned)nline,
						   "not an END line of PEM armor; the file must hold one PEM block");
					goto fail;
				}
				if (strcmp(begin, end)) {
					bg_diag_at(d, origin, (unsigned)nline,
						   "PEM block BEGIN %s ends with END %s; the labels must match (damaged file?)",
						   begin, end);
					goto fail;
				}
				state = 2;
				continue;
			}
			/* headers ("Proc-Type: ...": an encrypted key) are not ours */
			if (n > PEM_LINE_MAX || !n || short_line) {
				bg_diag_at(d, origin, (unsigned)nline,
					   "PEM body line %s; expected base64 lines of at most %d characters, only the last shorter (an encrypted or damaged key?)",
					   !n ? "empty" : n > PEM_LINE_MAX ? "too long" : "after a short line", PEM_LINE_MAX);
				goto fail;
			}
			if (n % 4)
				short_line = true;
			memcpy(b64 + b64len, s, n);
			b64len += n;
		} else {
			if (!blank(s, n)) {
				bg_diag_at(d, origin, (unsigned)nline,
					   "text after the PEM block; the file must hold exactly one block (split a bundle of keys or certificates into files)");
				goto fail;
			}
		}
	}
	if (state != 2) {
		bg_diag_at(d, origin, 0, state ? "PEM block %s has no END line; the file is truncated"
					       : "no PEM block (no -----BEGIN line)%s; give a PEM file (cosign.pub, a .pem)",
			   state ? begin : "");
		goto fail;
	}
	rc = bg_sig_b64_decode(b64, b64len, der, derlen);
	if (rc == -ENOMEM) {
		bg_diag_at(d, origin, 0, "out of memory reading PEM");
		free(b64);
		return BG_EXIT_FAIL;
	}
	if (rc || !*derlen) {
		free(*der);
		*der = NULL;
		bg_diag_at(d, origin, 0, "PEM block %s: body is not valid base64; the file is damaged, copy it again",
			   begin);
		goto fail;
	}
	free(b64);
	*label = strdup(begin);
	if (!*label) {
		free(*der);
		*der = NULL;
		bg_diag_at(d, origin, 0, "out of memory reading PEM");
		return BG_EXIT_FAIL;
	}
	return 0;
bad_line:
	bg_diag_at(d, origin, (unsigned)nline,
		   "not PEM: expected -----BEGIN LABEL-----; give a PEM file (cosign.pub, a .pem)");
fail:
	free(b64);
	return BG_EXIT_SIG_MALFORMED;
}

/* ------------------------------------------------------------------------ */
/* cosign .sig */

int bg_sig_parse_sigfile(const char *buf, size_t len, const char *origin, uint8_t **sig, size_t *siglen,
			 struct bg_diag *d)
{
	size_t n = len;
	int rc;

	*sig = NULL;
	*siglen = 0;
	/* what `cosign sign-blob --output-signature` writes, and `base64 -w0`
	 * plus echo: one optional trailing newline */
	if (n && buf[n - 1] == '\n')
		n--;
	if (n && buf[n - 1] == '\r')
		n--;
	if (!n) {
		bg_diag_at(d, origin, 0, "empty signature file; give the .sig that cosign sign-blob wrote");
		return BG_EXIT_SIG_MALFORMED;
	}
	if (n > 8192) {
		bg_diag_at(d, origin, 0, "signature file of %zu bytes is not a signature; give the .sig that cosign sign-blob wrote",
			   len);
		return BG_EXIT_SIG_MALFORMED;
	}
	rc = bg_sig_b64_decode(buf, n, sig, siglen);
	if (rc == -ENOMEM) {
		bg_diag_at(d, origin, 0, "out of memory");
		return BG_EXIT_FAIL;
	}
	if (rc || !*siglen) {
		free(*sig);
		*sig = NULL;
		bg_diag_at(d, origin, 0, "signature file is not one line of standard base64; give the .sig that cosign sign-blob wrote (base64 of the DER signature)");
		return BG_EXIT_SIG_MALFORMED;
	}
	return 0;
}

int bg_sig_read_sigfile(const char *path, uint8_t **sig, size_t *len, struct bg_diag *d)
{
	char *buf;
	size_t n;
	int rc;

	*sig = NULL;
	*len = 0;
	rc = bg_sig_read_input(path, 16384, "signature", &buf, &n, d);
	if (rc)
		return rc;
	rc = bg_sig_parse_sigfile(buf, n, path, sig, len, d);
	free(buf);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* DER */

bool bg_der_next(struct bg_der *in, uint8_t *tag, struct bg_der *val)
{
	size_t len, hl;

	if (in->n < 2)
		return false;
	*tag = in->p[0];
	if ((*tag & 0x1f) == 0x1f) /* high tag numbers: none of ours */
		return false;
	if (in->p[1] < 0x80) {
		len = in->p[1];
		hl = 2;
	} else {
		size_t nb = in->p[1] & 0x7f;

		/* indefinite (0x80), more than 4 length bytes, a leading zero
		 * byte, or a long form for what fits the short one: not DER */
		if (!nb || nb > 4 || in->n < 2 + nb || !in->p[2])
			return false;
		len = 0;
		for (size_t i = 0; i < nb; i++)
			len = len << 8 | in->p[2 + i];
		if (len < 0x80)
			return false;
		hl = 2 + nb;
	}
	if (len > in->n - hl)
		return false;
	val->p = in->p + hl;
	val->n = len;
	in->p += hl + len;
	in->n -= hl + len;
	return true;
}

/* A DER INTEGER's content that is positive, minimally encoded and at most
 * max bytes without its sign byte. */
static bool der_uint(const struct bg_der *v, size_t max)
{
	size_t n = v->n;
	const uint8_t *p = v->p;

	if (!n || p[0] & 0x80) /* empty, or negative */
		return false;
	if (p[0] == 0) {
		if (n == 1) /* zero: no valid signature value */
			return false;
		if (!(p[1] & 0x80)) /* a leading zero not needed for the sign */
			return false;
		p++;
		n--;
	}
	return n <= max;
}

int bg_sig_der_ecdsa_check(const uint8_t *sig, size_t len, size_t order_bytes, const char **why)
{
	struct bg_der in = { sig, len }, seq, r, s;
	uint8_t tag;

	if (!bg_der_next(&in, &tag, &seq) || tag != 0x30) {
		*why = "not a DER SEQUENCE (truncated, or not an ECDSA signature)";
		return BG_EXIT_SIG_MALFORMED;
	}
	if (in.n) {
		*why = "bytes after the DER signature";
		return BG_EXIT_SIG_MALFORMED;
	}
	if (!bg_der_next(&seq, &tag, &r) || tag != 0x02 || !bg_der_next(&seq, &tag, &s) || tag != 0x02 || seq.n) {
		*why = "not two DER INTEGERs (r, s) in the SEQUENCE";
		return BG_EXIT_SIG_MALFORMED;
	}
	if (!der_uint(&r, order_bytes) || !der_uint(&s, order_bytes)) {
		*why = "r or s is not a minimally encoded positive integer of the curve's size";
		return BG_EXIT_SIG_MALFORMED;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Merkle trees (RFC 6962 2.1, RFC 9162 2.1.3.2) */

void bg_sig_merkle_leaf(const uint8_t *data, size_t len, uint8_t out[32])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	uint8_t zero = 0;

	if (!c || !EVP_DigestInit_ex(c, EVP_sha256(), NULL) || !EVP_DigestUpdate(c, &zero, 1) ||
	    !EVP_DigestUpdate(c, data, len) || !EVP_DigestFinal_ex(c, out, NULL))
		memset(out, 0, 32);
	EVP_MD_CTX_free(c);
}

static bool node_hash(const uint8_t l[32], const uint8_t r[32], uint8_t out[32])
{
	uint8_t buf[65];

	buf[0] = 1;
	memcpy(buf + 1, l, 32);
	memcpy(buf + 33, r, 32);
	return EVP_Digest(buf, sizeof(buf), out, NULL, EVP_sha256(), NULL) == 1;
}

bool bg_sig_merkle_verify(uint64_t index, uint64_t size, const uint8_t leaf[32], const uint8_t (*path)[32],
			  size_t npath, const uint8_t root[32])
{
	uint64_t fn = index, sn;
	uint8_t r[32];

	if (index >= size)
		return false;
	sn = size - 1;
	memcpy(r, leaf, 32);
	for (size_t i = 0; i < npath; i++) {
		if (sn == 0)
			return false; /* more hashes than the tree is high */
		if ((fn & 1) || fn == sn) {
			if (!node_hash(path[i], r, r))
				return false;
			while (!(fn & 1) && fn) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			if (!node_hash(r, path[i], r))
				return false;
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && !memcmp(r, root, 32);
}

/* ------------------------------------------------------------------------ */
/* what is signed */

uint8_t *bg_sig_dsse_pae(const char *type, const uint8_t *body, size_t bodylen, size_t *len)
{
	size_t tl = strlen(type);
	char head[80];
	int hn = snprintf(head, sizeof(head), "DSSEv1 %zu ", tl);
	char mid[32];
	int mn = snprintf(mid, sizeof(mid), " %zu ", bodylen);
	uint8_t *o;

	if (tl > SIZE_MAX / 2 || bodylen > SIZE_MAX / 2)
		return NULL;
	o = malloc((size_t)hn + tl + (size_t)mn + bodylen + 1);
	if (!o)
		return NULL;
	memcpy(o, head, (size_t)hn);
	memcpy(o + hn, type, tl);
	memcpy(o + hn + tl, mid, (size_t)mn);
	if (bodylen)
		memcpy(o + hn + tl + mn, body, bodylen);
	*len = (size_t)hn + tl + (size_t)mn + bodylen;
	o[*len] = 0;
	return o;
}

char *bg_sig_set_payload(const char *body_b64, int64_t integrated_time, const char *log_id_hex,
			 int64_t log_index)
{
	char *o = NULL;

	/* the keys in sorted order; body is base64 and the id hex (checked
	 * by the bundle reader), so neither needs JSON escaping */
	if (asprintf(&o, "{\"body\":\"%s\",\"integratedTime\":%lld,\"logID\":\"%s\",\"logIndex\":%lld}", body_b64,
		     (long long)integrated_time, log_id_hex, (long long)log_index) < 0)
		return NULL;
	return o;
}

/* ------------------------------------------------------------------------ */
/* time */

bool bg_sig_parse_time(const char *s, int64_t *t)
{
	struct tm tm = { 0 };
	const char *p;
	time_t v;

	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return false;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (strcmp(p, "Z"))
		return false;
	v = timegm(&tm);
	if (v == (time_t)-1)
		return false;
	*t = (int64_t)v;
	return true;
}
