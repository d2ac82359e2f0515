// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * go_sbom.c - a CycloneDX 1.6 SBOM of a Go binary, from its build info
 * alone (no Go toolchain, no module cache): the main module as the
 * described component, every dependency the linker recorded (after
 * replacement) and the standard library as components, one flat
 * dependency list (build info records no graph).  docs/go.md compares
 * the fields with cyclonedx-gomod's; tests/integration/test_go_inspect.sh
 * validates the output against the official CycloneDX JSON schema.
 */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "go_check.h"
#include "go_sbom.h"
#include "util.h"

/* purl's percent-encoding: everything but unreserved characters and the
 * '/' that separates namespace segments */
static void purl_enc(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 4 < cap; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		    c == '-' || c == '_' || c == '~' || c == '/')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, cap - o, "%%%02X", c);
	}
	out[o] = '\0';
}

/* pkg:golang/PATH@VERSION?type=module (the purl spec's golang type) */
static void purl(const char *path, const char *version, char *out, size_t cap)
{
	char p[1024], v[256];

	purl_enc(path, strlen(path), p, sizeof(p));
	purl_enc(version, strlen(version), v, sizeof(v));
	snprintf(out, cap, "pkg:golang/%s%s%s?type=module", p, v[0] ? "@" : "", v);
}

static struct json_object *prop(const char *name, const char *value, size_t vlen)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "value", json_object_new_string_len(value, (int)vlen));
	return o;
}

/* One module as a component; NULL-free strings ("" when absent). */
static struct json_object *module(const char *type, const struct bg_go_dep *d, char *ref, size_t refcap)
{
	const struct bg_go_mod *m = d->replaced && !bg_go_is_dir_replacement(&d->rep) ? &d->rep : &d->mod;
	struct json_object *c = json_object_new_object(), *props = json_object_new_array();

	purl(m->path, m->version, ref, refcap);
	json_object_object_add(c, "type", json_object_new_string(type));
	json_object_object_add(c, "bom-ref", json_object_new_string(ref));
	json_object_object_add(c, "name", json_object_new_string(m->path));
	if (m->version[0])
		json_object_object_add(c, "version", json_object_new_string(m->version));
	json_object_object_add(c, "purl", json_object_new_string(ref));
	/* the h1: dirhash is not a CycloneDX hash algorithm: a property */
	if (m->sum[0])
		json_object_array_add(props, prop("bpfguard:go:h1", m->sum, strlen(m->sum)));
	if (d->replaced) {
		char orig[1400];

		snprintf(orig, sizeof(orig), "%s%s%s", d->mod.path, d->mod.version[0] ? "@" : "", d->mod.version);
		json_object_array_add(props, prop("bpfguard:go:replaces", orig, strlen(orig)));
		if (bg_go_is_dir_replacement(&d->rep))
			json_object_array_add(props, prop("bpfguard:go:replaced-by-directory", d->rep.path,
							  strlen(d->rep.path)));
	}
	if (json_object_array_length(props))
		json_object_object_add(c, "properties", props);
	else
		json_object_put(props);
	return c;
}

static void uuid4(char out[37])
{
	unsigned char b[16] = { 0 };

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
		/* never seen; a fixed-version uuid is still well-formed */
		struct timespec t;

		clock_gettime(CLOCK_REALTIME, &t);
		memcpy(b, &t, sizeof(t) < sizeof(b) ? sizeof(t) : sizeof(b));
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
		 b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

struct json_object *bg_go_cyclonedx(const struct bg_go_file *g, const char *file)
{
	const struct bg_go_buildinfo *bi = &g->bi;
	struct json_object *bom = json_object_new_object(), *meta = json_object_new_object();
	struct json_object *tools = json_object_new_object(), *tl = json_object_new_array();
	struct json_object *tool = json_object_new_object(), *comps = json_object_new_array();
	struct json_object *deps = json_object_new_array(), *on = json_object_new_array(), *top, *mprops, *d0;
	char ref[1400], mainref[1400], serial[48], uuid[37], ts[32], hex[65], gover[64];
	const char *name = bi->path && bi->path[0] ? bi->path : file;
	time_t now = time(NULL);
	struct tm tm;

	uuid4(uuid);
	snprintf(serial, sizeof(serial), "urn:uuid:%s", uuid);
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_object_add(bom, "bomFormat", json_object_new_string("CycloneDX"));
	json_object_object_add(bom, "specVersion", json_object_new_string("1.6"));
	json_object_object_add(bom, "serialNumber", json_object_new_string(serial));
	json_object_object_add(bom, "version", json_object_new_int(1));
	json_object_object_add(meta, "timestamp", json_object_new_string(ts));
	json_object_object_add(tool, "type", json_object_new_string("application"));
	json_object_object_add(tool, "name", json_object_new_string("bpfguard"));
	json_object_object_add(tool, "version", json_object_new_string(BPFGUARD_VERSION));
	json_object_array_add(tl, tool);
	json_object_object_add(tools, "components", tl);
	json_object_object_add(meta, "tools", tools);

	/* the described component: the main module (or, for a binary built
	 * outside a module, its package path), with the binary's SHA-256 */
	if (bi->has_main) {
		top = module("application", &bi->main, mainref, sizeof(mainref));
		json_object_object_del(top, "name");
		json_object_object_add(top, "name", json_object_new_string(name));
	} else {
		top = json_object_new_object();
		purl(name, "", mainref, sizeof(mainref));
		json_object_object_add(top, "type", json_object_new_string("application"));
		json_object_object_add(top, "bom-ref", json_object_new_string(mainref));
		json_object_object_add(top, "name", json_object_new_string(name));
	}
	if (g->have_sha256) {
		struct json_object *hs = json_object_new_array(), *h = json_object_new_object();

		bg_sha256_hex(g->sha256, hex);
		json_object_object_add(h, "alg", json_object_new_string("SHA-256"));
		json_object_object_add(h, "content", json_object_new_string(hex));
		json_object_array_add(hs, h);
		json_object_object_add(top, "hashes", hs);
	}
	/* how it was built: the build settings, the verdicts */
	if (!json_object_object_get_ex(top, "properties", &mprops)) {
		mprops = json_object_new_array();
		json_object_object_add(top, "properties", mprops);
	}
	snprintf(gover, sizeof(gover), "%.*s", (int)bi->go_version.len, bi->go_version.s);
	json_object_array_add(mprops, prop("bpfguard:go:version", gover, strlen(gover)));
	for (size_t i = 0; i < bi->nsettings; i++) {
		char k[160];

		snprintf(k, sizeof(k), "bpfguard:go:build:%.*s", (int)bi->settings[i].key.len, bi->settings[i].key.s);
		json_object_array_add(mprops, prop(k, bi->settings[i].value.s, bi->settings[i].value.len));
	}
	json_object_array_add(mprops, prop("bpfguard:go:cgo", g->v.cgo ? "true" : "false", g->v.cgo ? 4 : 5));
	json_object_array_add(mprops, prop("bpfguard:go:static", g->v.is_static ? "true" : "false",
					   g->v.is_static ? 4 : 5));
	json_object_object_add(meta, "component", top);
	json_object_object_add(bom, "metadata", meta);

	/* the standard library it was linked with, then every module */
	{
		struct json_object *std = json_object_new_object();
		const char *v = strncmp(gover, "go", 2) ? gover : gover + 2;

		snprintf(ref, sizeof(ref), "pkg:golang/std@%s?type=module", v);
		json_object_object_add(std, "type", json_object_new_string("library"));
		json_object_object_add(std, "bom-ref", json_object_new_string(ref));
		json_object_object_add(std, "name", json_object_new_string("std"));
		json_object_object_add(std, "version", json_object_new_string(v));
		json_object_object_add(std, "purl", json_object_new_string(ref));
		json_object_array_add(comps, std);
		json_object_array_add(on, json_object_new_string(ref));
	}
	for (size_t i = 0; i < bi->ndeps; i++) {
		struct json_object *c = module("library", &bi->deps[i], ref, sizeof(ref));
		bool dup = false;

		/* one component per bom-ref (a binary never records a module
		 * twice, but a hostile one may) */
		for (size_t k = 0; k < json_object_array_length(on) && !dup; k++)
			dup = !strcmp(json_object_get_string(json_object_array_get_idx(on, k)), ref);
		if (dup || !strcmp(ref, mainref)) {
			json_object_put(c);
			continue;
		}
		json_object_object_add(c, "scope", json_object_new_string("required"));
		json_object_array_add(comps, c);
		json_object_array_add(on, json_object_new_string(ref));
	}
	json_object_object_add(bom, "components", comps);
	/* build info has no graph: the main module depends on each of them */
	d0 = json_object_new_object();
	json_object_object_add(d0, "ref", json_object_new_string(mainref));
	json_object_object_add(d0, "dependsOn", on);
	json_object_array_add(deps, d0);
	json_object_object_add(bom, "dependencies", deps);
	return bom;
}
