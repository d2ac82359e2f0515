// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_trust.c - `bpfguard trust add|list|remove`: bpfguard's trust store,
 * the executables a policy admits with `exec trusted`.  Each entry is a
 * file's SHA-256 and its path; changes reach the kernel at once (the
 * bg_exec_trusted map, if anything attached uses it).  docs/exec.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "exec_allow.h"
#include "loader.h"
#include "util.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: bpfguard trust add FILE...        hash FILE and trust that content at that path\n"
		   "       bpfguard trust remove FILE|sha256:HEX...\n"
		   "       bpfguard trust list [--verify] [--json]\n"
		   "The store is %s (BPFGUARD_TRUST_STORE overrides).\n", bg_trust_path());
}

/* Saves the store and pushes it to the kernel, under bpfguard's lock so
 * an attach reading the store at the same time sees one or the other. */
static int commit(struct bg_trust *t)
{
	struct bg_diag diag = {};

	if (bg_trust_save(t, &diag) || bg_exec_sync_trusted(t, &diag)) {
		bg_err("trust: %s", diag.msg);
		return BG_EXIT_FAIL;
	}
	return BG_EXIT_OK;
}

/* Opens FILE once, names it by what was opened and vouches for that same
 * descriptor: the path, the hash and the identity all belong to one inode,
 * whatever a symlink along FILE's path does meanwhile. */
static int vouch_arg(const char *arg, char abs[PATH_MAX], struct bg_file_vouch *v, struct bg_diag *diag)
{
	int fd = open(arg, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	char link[64];
	struct stat st, at;
	ssize_t n;
	int ret;

	if (fd < 0) {
		bg_diag_set(diag, "%s", strerror(errno));
		return -1;
	}
	/* The kernel's name for the open file (symlinks resolved); without
	 * /proc, realpath, accepted only if it names the inode we hold. */
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, abs, PATH_MAX - 1);
	if (n > 0 && abs[0] == '/') {
		abs[n] = '\0';
	} else if (!realpath(arg, abs) || stat(abs, &at) || fstat(fd, &st) || at.st_dev != st.st_dev ||
		   at.st_ino != st.st_ino) {
		bg_diag_set(diag, "cannot tell which path names the file opened (it moved meanwhile?)");
		close(fd);
		return -1;
	}
	if (strchr(abs, '\n') || strstr(abs, " (deleted)")) {
		bg_diag_set(diag, "its path %s cannot be stored (a newline, or deleted)", abs);
		close(fd);
		return -1;
	}
	ret = bg_file_vouch_fd(fd, abs, v, diag);
	close(fd);
	return ret;
}

static int trust_add(struct bg_trust *t, int argc, char **argv)
{
	struct bg_diag diag = {};
	char hex[65];
	struct bg_file_vouch *v = calloc((size_t)argc, sizeof(*v));
	char (*abs)[PATH_MAX] = calloc((size_t)argc, PATH_MAX);
	int ret = BG_EXIT_FAIL;

	if (!v || !abs)
		goto oom;
	/* all or nothing: every file opened and hashed before the store changes */
	for (int i = 0; i < argc; i++) {
		if (vouch_arg(argv[i], abs[i], &v[i], &diag)) {
			bg_err("trust add: %s: %s; nothing was added", argv[i], diag.msg);
			ret = BG_EXIT_USAGE;
			goto out;
		}
	}
	for (int i = 0; i < argc; i++) {
		unsigned k;

		for (k = 0; k < t->n && strcmp(t->e[k].path, abs[i]); k++)
			;
		if (k == t->n) {
			struct bg_trust_entry *e = realloc(t->e, (t->n + 1) * sizeof(*e));

			if (!e)
				goto oom;
			t->e = e; /* stored at once: the old block is gone */
			if (!(e[t->n].path = strdup(abs[i])))
				goto oom;
			t->n++;
		}
		memcpy(t->e[k].sha256, v[i].sha256, 32);
		bg_sha256_hex(v[i].sha256, hex);
		printf("trusted sha256:%s %s\n", hex, abs[i]);
	}
	ret = commit(t);
	goto out;
oom:
	bg_err("trust add: out of memory; nothing was added");
out:
	free(v);
	free(abs);
	return ret;
}

static int trust_remove(struct bg_trust *t, int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		uint8_t h[32];
		char abs[PATH_MAX];
		bool by_hash = !strncmp(argv[i], "sha256:", 7) && bg_sha256_parse(argv[i], h);
		unsigned kept = 0, before = t->n;

		if (!by_hash && !realpath(argv[i], abs))
			bg_strlcpy(abs, argv[i], sizeof(abs)); /* a file already gone */
		for (unsigned k = 0; k < t->n; k++) {
			bool match = by_hash ? !memcmp(t->e[k].sha256, h, 32) : !strcmp(t->e[k].path, abs);

			if (match) {
				printf("removed %s\n", t->e[k].path);
				free(t->e[k].path);
			} else {
				t->e[kept++] = t->e[k];
			}
		}
		t->n = kept;
		if (kept == before) {
			bg_err("trust remove: %s is not in %s; see bpfguard trust list", argv[i], t->file);
			return BG_EXIT_USAGE;
		}
	}
	return commit(t);
}

static int trust_list(const struct bg_trust *t, bool verify, bool json)
{
	struct json_object *arr = json ? json_object_new_array() : NULL;
	int bad = 0;

	for (unsigned k = 0; k < t->n; k++) {
		char hex[65];
		struct bg_diag diag = {};
		const char *state = "unchecked";
		struct bg_file_vouch v;

		bg_sha256_hex(t->e[k].sha256, hex);
		if (verify) {
			if (bg_file_vouch(t->e[k].path, &v, &diag)) {
				/* gone, or there but not vouchable now (open for
				 * writing, on tmpfs...): either way it does not run */
				state = access(t->e[k].path, F_OK) ? "missing" : "refused";
				if (state[0] == 'r')
					bg_warn("trust list: %s", diag.msg);
			} else
				state = memcmp(v.sha256, t->e[k].sha256, 32) ? "changed" : "ok";
			bad += strcmp(state, "ok") != 0;
		}
		if (json) {
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "sha256", json_object_new_string(hex));
			json_object_object_add(o, "path", json_object_new_string(t->e[k].path));
			if (verify)
				json_object_object_add(o, "state", json_object_new_string(state));
			json_object_array_add(arr, o);
		} else {
			printf("sha256:%s %s%s%s\n", hex, t->e[k].path, verify ? "  " : "", verify ? state : "");
		}
	}
	if (json) {
		printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(arr);
	} else if (!t->n) {
		printf("the trust store %s is empty\n", t->file);
	}
	return bad ? BG_EXIT_FAIL : BG_EXIT_OK;
}

int cmd_trust(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "verify", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct bg_diag diag = {};
	bool json = false, verify = false;
	struct bg_trust t;
	const char *verb;
	int c, ret, lock = -1;
	struct bg_state st;

	if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? BG_EXIT_USAGE : BG_EXIT_OK;
	}
	verb = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "jvh", lo, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'v': verify = true; break;
		case 'h': usage(stdout); return BG_EXIT_OK;
		default: return BG_EXIT_USAGE;
		}
	}
	if (strcmp(verb, "add") && strcmp(verb, "remove") && strcmp(verb, "list")) {
		bg_err("trust: unknown verb '%s'; use add, remove or list", verb);
		return BG_EXIT_USAGE;
	}
	if (strcmp(verb, "list") && optind >= argc) {
		bg_err("trust %s: name at least one file%s", verb, verb[0] == 'r' ? " or sha256:HEX" : "");
		return BG_EXIT_USAGE;
	}
	/* writers serialize with attach (which reads the store) */
	if (strcmp(verb, "list") && bg_state_open(&st, false, &diag) == 0) {
		bg_state_close(&st);
		lock = bg_state_lock_exclusive(&diag);
	}
	if (bg_trust_load(&t, &diag)) {
		bg_err("trust: %s", diag.msg);
		if (lock >= 0)
			close(lock);
		return BG_EXIT_USAGE;
	}
	if (!strcmp(verb, "add"))
		ret = trust_add(&t, argc - optind, argv + optind);
	else if (!strcmp(verb, "remove"))
		ret = trust_remove(&t, argc - optind, argv + optind);
	else
		ret = trust_list(&t, verify, json);
	bg_trust_free(&t);
	if (lock >= 0)
		close(lock);
	return ret;
}
