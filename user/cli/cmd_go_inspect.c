// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_go_inspect.c - `bpfguard go inspect BINARY [--json]` and
 * `bpfguard go verify BINARY --gosum FILE [--json] [--allow-dir-replace]`.
 *
 * inspect prints what `go version -m` prints (byte for byte) plus the cgo
 * and static verdicts; verify checks every dependency recorded in the
 * binary against a go.sum.  The binary is mapped read-only and parsed by
 * go_elf.c/go_buildinfo.c, which trust nothing in it.  docs/go.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <json-c/json.h>

#include "commands.h"
#include "go_buildinfo.h"
#include "go_check.h"
#include "go_sbom.h"
#include "gosum.h"
#include "sig.h"
#include "textsafe.h"
#include "util.h"

/* ------------------------------------------------------------------------ */
/* JSON helpers: json-c passes bytes through, so make strings valid UTF-8 */

static struct json_object *jstr_len(const char *s, size_t len)
{
	struct json_object *o;
	char *fixed;
	size_t k;

	if (bg_utf8_valid(s, len))
		return json_object_new_string_len(s, (int)len);
	fixed = malloc(3 * len + 1); /* each invalid byte becomes U+FFFD (3 bytes) */
	if (!fixed)
		return NULL;
	k = bg_utf8_replace(s, len, fixed, 3 * len + 1, false, NULL);
	o = json_object_new_string_len(fixed, (int)k);
	free(fixed);
	return o;
}

static struct json_object *jstr(const char *s)
{
	return jstr_len(s, strlen(s));
}

static struct json_object *mod_json(const struct bg_go_mod *m)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "path", jstr(m->path));
	json_object_object_add(o, "version", jstr(m->version));
	json_object_object_add(o, "sum", jstr(m->sum));
	return o;
}

static struct json_object *dep_json(const struct bg_go_dep *d)
{
	struct json_object *o = mod_json(&d->mod);

	json_object_object_add(o, "replace", d->replaced ? mod_json(&d->rep) : NULL);
	return o;
}

static struct json_object *strv_json(char **v, size_t n, const char *prefix)
{
	struct json_object *a = json_object_new_array();
	char buf[512];

	for (size_t i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "%s%s", prefix, v[i]);
		json_object_array_add(a, jstr(buf));
	}
	return a;
}

/* ------------------------------------------------------------------------ */
/* go inspect */

static struct json_object *inspect_json(const char *file, const struct bg_go_file *g)
{
	const struct bg_go_buildinfo *bi = &g->bi;
	struct json_object *o = json_object_new_object(), *deps = json_object_new_array();
	struct json_object *set = json_object_new_object(), *ev, *info = json_object_new_object();
	char addr[32];

	json_object_object_add(o, "file", jstr(file));
	json_object_object_add(o, "go_version", jstr_len(bi->go_version.s, bi->go_version.len));
	json_object_object_add(o, "path", jstr(bi->path));
	json_object_object_add(o, "main", bi->has_main ? dep_json(&bi->main) : NULL);
	for (size_t i = 0; i < bi->ndeps; i++)
		json_object_array_add(deps, dep_json(&bi->deps[i]));
	json_object_object_add(o, "deps", deps);
	for (size_t i = 0; i < bi->nsettings; i++) {
		const struct bg_go_setting *s = &bi->settings[i];
		struct json_object *k = jstr_len(s->key.s, s->key.len);

		/* a JSON key is a C string here: keys with NULs keep their first part */
		json_object_object_add(set, json_object_get_string(k), jstr_len(s->value.s, s->value.len));
		json_object_put(k);
	}
	json_object_object_add(o, "settings", set);
	json_object_object_add(o, "cgo", json_object_new_boolean(g->v.cgo));
	json_object_object_add(o, "static", json_object_new_boolean(g->v.is_static));
	json_object_object_add(o, "cgo_enabled", g->v.cgo_enabled ? jstr(g->v.cgo_enabled) : NULL);
	ev = strv_json(g->v.cgo_evidence, g->v.ncgo, "cgo: ");
	for (size_t i = 0; i < g->v.nstatic; i++) {
		char buf[512];

		snprintf(buf, sizeof(buf), "static: %s", g->v.static_evidence[i]);
		json_object_array_add(ev, jstr(buf));
	}
	json_object_object_add(o, "evidence", ev);
	json_object_object_add(o, "cgo_evidence", strv_json(g->v.cgo_evidence, g->v.ncgo, ""));
	json_object_object_add(o, "static_evidence", strv_json(g->v.static_evidence, g->v.nstatic, ""));
	json_object_object_add(info, "source", jstr(bi->source));
	snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)bi->addr);
	json_object_object_add(info, "address", jstr(addr));
	json_object_object_add(info, "format", jstr(bi->inline_strings ? "inline" : "pointers"));
	json_object_object_add(info, "pointer_size", json_object_new_int((int)bi->ptr_size));
	json_object_object_add(o, "build_info", info);
	return o;
}

static void print_verdict(const char *what, bool yes, char **ev, size_t n)
{
	printf("\t%s\t%s\t(", what, yes ? "yes" : "no");
	for (size_t i = 0; i < n; i++)
		printf("%s%s", i ? "; " : "", ev[i]);
	printf(")\n");
}

static void inspect_usage(FILE *f)
{
	fprintf(f, "Usage: bpfguard go inspect BINARY [--json] [--format text|json|cyclonedx]\n"
		   "                         [--key KEY.pub --signature FILE.sig | --bundle B ...]\n"
		   "  prints what `go version -m BINARY` prints, then the cgo and static verdicts;\n"
		   "  with a signature, a third verdict: signed (by whom), checked offline over the\n"
		   "  very bytes inspected (docs/signatures.md; exit 5-10 when it does not hold);\n"
		   "  --format cyclonedx: a CycloneDX 1.6 SBOM (JSON) of the binary instead\n");
}

/* The signed verdict: the signature verified over the file, and the bytes
 * it verified are the bytes parsed (same SHA-256).  0, or the BG_EXIT_SIG_*
 * code with the reason in d. */
static int signed_verdict(const char *file, const struct bg_go_file *g, const struct bg_sig_request *rq,
			  struct bg_sig_result *res, struct bg_diag *d)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0) {
		bg_diag_set(d, "%s: cannot open it to verify: %s", file, strerror(errno));
		return BG_EXIT_SIG_MISMATCH;
	}
	ret = bg_sig_verify_request(rq, fd, file, res, d);
	close(fd);
	if (!ret && (!g->have_sha256 || memcmp(res->sha256, g->sha256, 32))) {
		bg_diag_set(d, "%s changed between inspecting and verifying it; inspect it again", file);
		ret = BG_EXIT_SIG_MISMATCH;
	}
	return ret;
}

const struct option bg_opts_go_inspect[] = {
	BG_SIG_LONGOPTS,
	{ "json", no_argument, NULL, 'j' },
	{ "format", required_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{}
};

int cmd_go_inspect(int argc, char **argv)
{
	const char *file = NULL, *format = NULL;
	struct bg_sig_request rq = {};
	struct bg_sig_result sres = {};
	struct bg_diag sd = {};
	struct bg_go_file g;
	int c, r, sig = 0;

	optind = 1;
	opterr = 0; /* our own one-line messages */
	/* getopt's `--` ends the options: the next word is the BINARY even if
	 * it starts with '-' */
	while ((c = getopt_long(argc, argv, "jhf:", bg_opts_go_inspect, NULL)) != -1) {
		switch (c) {
		case 'j': bg_json_want(); break;
		case 'f':
			if (strcmp(optarg, "cyclonedx") && strcmp(optarg, "text") && strcmp(optarg, "json")) {
				bg_go_err("inspect", NULL, "--format '%s': expected text, json or cyclonedx", optarg);
				return BG_GO_EXIT_USAGE;
			}
			format = optarg;
			if (!strcmp(format, "json"))
				bg_json_want();
			break;
		case 'h': inspect_usage(stdout); return BG_GO_EXIT_OK;
		default:
			if (bg_sig_option(c, optarg, &rq))
				break;
			return bg_cmd_bad_option(argv, c);
		}
	}
	if (bg_sig_requested(&rq) && bg_sig_request_check("go inspect", &rq))
		return BG_GO_EXIT_USAGE;
	if (optind < argc)
		file = argv[optind];
	if (optind + 1 < argc) {
		bg_go_err("inspect", NULL, "one BINARY at a time ('%s' and '%s' given)", file, argv[optind + 1]);
		return BG_GO_EXIT_USAGE;
	}
	if (!file) {
		bg_go_err("inspect", NULL, "missing BINARY; usage: bpfguard go inspect BINARY [--json]");
		return BG_GO_EXIT_USAGE;
	}
	r = (format && !strcmp(format, "cyclonedx")) || bg_sig_requested(&rq)
		    ? bg_go_file_open_hashed("inspect", file, &g)
		    : bg_go_file_open("inspect", file, &g);
	if (r)
		return r;
	if (bg_sig_requested(&rq))
		sig = signed_verdict(file, &g, &rq, &sres, &sd);
	if (format && !strcmp(format, "cyclonedx")) {
		/* an SBOM for pipelines: always JSON, -p indents it */
		struct json_object *o = bg_go_cyclonedx(&g, file);

		if (!bg_json_mode)
			bg_json_want();
		bg_json_print(o);
		json_object_put(o);
	} else if (bg_json_mode) {
		struct json_object *o = inspect_json(file, &g);

		if (bg_sig_requested(&rq)) {
			struct json_object *j = json_object_new_object();

			json_object_object_add(j, "verified", json_object_new_boolean(!sig));
			json_object_object_add(j, "signer", sig ? NULL : jstr(sres.signer));
			json_object_object_add(j, "key_id", sig ? NULL : jstr(sres.key_id));
			json_object_object_add(j, "error", sig ? jstr(sd.msg) : NULL);
			json_object_object_add(o, "signature", j);
		}
		bg_json_print(o);
		json_object_put(o);
	} else {
		/* exactly cmd/go's "FILE: goversion" and BuildInfo.String() lines */
		printf("%s: ", file);
		fwrite(g.bi.go_version.s, 1, g.bi.go_version.len, stdout);
		putchar('\n');
		bg_go_buildinfo_write(&g.bi, stdout);
		print_verdict("cgo", g.v.cgo, g.v.cgo_evidence, g.v.ncgo);
		print_verdict("static", g.v.is_static, g.v.static_evidence, g.v.nstatic);
		if (bg_sig_requested(&rq)) {
			char *ev[1] = { sig ? sd.msg : sres.signer };

			print_verdict("signed", !sig, ev, 1);
		}
	}
	bg_go_file_close(&g);
	if (fflush(stdout) || ferror(stdout)) {
		bg_go_err("inspect", NULL, "writing the output: %s", strerror(errno));
		return BG_GO_EXIT_IO;
	}
	if (sig) {
		bg_go_err("inspect", NULL, "not signed as asked: %s", sd.msg);
		return sig;
	}
	return BG_GO_EXIT_OK;
}

/* ------------------------------------------------------------------------ */
/* go verify */

static void verify_line(const struct bg_go_vresult *v)
{
	const struct bg_go_mod *m = v->m;
	char rep[300] = "";

	/* say which requirement a module replacement stands for */
	if (v->dep->replaced && m == &v->dep->rep)
		snprintf(rep, sizeof(rep), " (replaces %s %s)", v->dep->mod.path, v->dep->mod.version);
	switch (v->st) {
	case BG_GO_V_MISSING:
		printf("MISSING %s %s%s\n", m->path, m->version, rep);
		break;
	case BG_GO_V_MISMATCH:
		printf("MISMATCH %s %s: binary %s, go.sum %s%s\n", m->path, m->version, m->sum,
		       v->gs[0].hash, rep);
		break;
	case BG_GO_V_UNVERIFIABLE:
		printf("UNVERIFIABLE %s %s: %s%s\n", m->path, m->version, v->detail, rep);
		break;
	case BG_GO_V_SKIPPED:
		printf("SKIPPED %s %s: %s (--allow-dir-replace)\n", m->path, m->version, v->detail);
		break;
	default:
		break;
	}
}

static void verify_text(const struct bg_go_vresult *v, size_t n, const struct bg_go_vcount *c)
{
	for (size_t i = 0; i < n; i++)
		verify_line(&v[i]);
	printf("%zu module%s verified", c->ok, c->ok == 1 ? "" : "s");
	if (c->skipped)
		printf(", %zu directory replacement%s skipped", c->skipped, c->skipped == 1 ? "" : "s");
	if (c->failed)
		printf(", %zu failed", c->failed);
	printf("\n");
}

static struct json_object *verify_json(const char *file, const char *sumfile, const struct bg_go_vresult *v,
				       size_t n, const struct bg_go_vcount *c)
{
	struct json_object *o = json_object_new_object(), *mods = json_object_new_array();

	json_object_object_add(o, "file", jstr(file));
	json_object_object_add(o, "gosum", jstr(sumfile));
	json_object_object_add(o, "ok", json_object_new_boolean(c->failed == 0));
	json_object_object_add(o, "verified", json_object_new_int64((int64_t)c->ok));
	json_object_object_add(o, "failed", json_object_new_int64((int64_t)c->failed));
	json_object_object_add(o, "skipped", json_object_new_int64((int64_t)c->skipped));
	for (size_t i = 0; i < n; i++) {
		struct json_object *m = json_object_new_object(), *hashes = NULL;

		json_object_object_add(m, "path", jstr(v[i].m->path));
		json_object_object_add(m, "version", jstr(v[i].m->version));
		json_object_object_add(m, "sum", jstr(v[i].m->sum));
		json_object_object_add(m, "status", jstr(bg_go_vstatus_name[v[i].st]));
		if (v[i].ngs) {
			hashes = json_object_new_array();
			for (size_t k = 0; k < v[i].ngs; k++)
				json_object_array_add(hashes, jstr(v[i].gs[k].hash));
		}
		json_object_object_add(m, "gosum", hashes);
		json_object_object_add(m, "detail", v[i].detail[0] ? jstr(v[i].detail) : NULL);
		json_object_object_add(m, "replaces",
				       v[i].dep->replaced && v[i].m == &v[i].dep->rep ? mod_json(&v[i].dep->mod) : NULL);
		json_object_array_add(mods, m);
	}
	json_object_object_add(o, "modules", mods);
	return o;
}

static void verify_usage(FILE *f)
{
	fprintf(f, "Usage: bpfguard go verify BINARY --gosum FILE [--json] [--allow-dir-replace]\n"
		   "  checks every dependency in BINARY's build info against the h1: hashes in FILE\n");
}

const struct option bg_opts_go_verify[] = {
	{ "gosum", required_argument, NULL, 'g' },
	{ "allow-dir-replace", no_argument, NULL, 'D' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{}
};

int cmd_go_verify(int argc, char **argv)
{
	const char *file = NULL, *sumfile = NULL;
	bool allow_dir = false;
	struct bg_go_vcount c;
	struct bg_gosum gs;
	struct bg_go_vresult *res;
	struct bg_go_file g;
	struct bg_diag diag = {};
	int opt, r;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":jh", bg_opts_go_verify, NULL)) != -1) {
		switch (opt) {
		case 'j': bg_json_want(); break;
		case 'D': allow_dir = true; break;
		case 'g': sumfile = optarg; break;
		case 'h': verify_usage(stdout); return BG_GO_EXIT_OK;
		case ':':
			bg_go_err("verify", NULL, "--gosum needs a FILE (the go.sum to check against)");
			return BG_GO_EXIT_USAGE;
		default:
			return bg_cmd_bad_option(argv, opt);
		}
	}
	if (optind < argc)
		file = argv[optind];
	if (optind + 1 < argc) {
		bg_go_err("verify", NULL, "one BINARY at a time ('%s' and '%s' given)", file, argv[optind + 1]);
		return BG_GO_EXIT_USAGE;
	}
	if (!file || !sumfile || !sumfile[0]) {
		bg_go_err("verify", NULL, "missing %s; usage: bpfguard go verify BINARY --gosum FILE [--json]",
		       !file ? "BINARY" : "--gosum FILE");
		return BG_GO_EXIT_USAGE;
	}
	r = bg_gosum_load(sumfile, &gs, &diag);
	if (r) {
		/* diag.msg starts with the go.sum name (and line) */
		if (r == -EINVAL)
			bg_go_err("verify", NULL, "%s; fix or regenerate it (go mod tidy)", diag.msg);
		else
			bg_go_err("verify", NULL, "%s", diag.msg);
		return r == -EINVAL || r == -EFBIG ? BG_GO_EXIT_USAGE : BG_GO_EXIT_IO;
	}
	r = bg_go_file_open("verify", file, &g);
	if (r) {
		bg_gosum_free(&gs);
		return r;
	}
	res = calloc(g.bi.ndeps ? g.bi.ndeps : 1, sizeof(*res));
	if (!res) {
		bg_go_err("verify", file, "out of memory");
		bg_go_file_close(&g);
		bg_gosum_free(&gs);
		return BG_GO_EXIT_IO;
	}
	bg_go_verify_all(&g.bi, &gs, allow_dir, res, &c);
	if (bg_json_mode) {
		struct json_object *o = verify_json(file, sumfile, res, g.bi.ndeps, &c);

		bg_json_print(o);
		json_object_put(o);
	} else {
		verify_text(res, g.bi.ndeps, &c);
	}
	fflush(stdout);
	if (c.failed)
		bg_go_err("verify", file, "%zu of %zu modules not vouched for by %s; rebuild from verified sources or investigate the go.sum difference",
		       c.failed, g.bi.ndeps, sumfile);
	free(res);
	bg_go_file_close(&g);
	bg_gosum_free(&gs);
	return c.failed ? BG_GO_EXIT_MISMATCH : BG_GO_EXIT_OK;
}
