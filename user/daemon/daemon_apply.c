// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * daemon_apply.c - reconcile attachments with attach.d (daemon_apply.h).
 *
 * Attaching and detaching go through the same code as `bpfguard attach`
 * and `bpfguard detach` (bg_attach_policy, bg_detach_cgroup), so the
 * daemon's attachments are ordinary ones: `status` shows them, `detach`
 * removes them, and they stay in force when the daemon stops.  The one
 * case those cannot serve is an attachment whose cgroup was removed and
 * whose path a new cgroup already took (a restarted systemd service):
 * detach by path would find the new cgroup, so that record is removed by
 * id here (bg_detach_cgid), with the steps detach takes for a cgroup that
 * no longer exists.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include "crypto_fns.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attachment.h"
#include "cghooks.h"
#include "cgroup.h"
#include "daemon.h"
#include "daemon_apply.h"
#include "daemon_attachd.h"
#include "daemon_glob.h"
#include "exec_allow.h"
#include "loader.h"
#include "lsm.h"
#include "mechanism.h"
#include "policy.h"
#include "attach.h"
#include "util.h"
#include "vec.h"

/* ------------------------------------------------------------------ */
/* the ownership record */

static void owned_remove(struct bgd_apply *a, unsigned i)
{
	a->own[i] = a->own[--a->nown];
}

static struct bgd_owned *owned_find(struct bgd_apply *a, uint64_t cgid)
{
	for (unsigned i = 0; i < a->nown; i++)
		if (a->own[i].cgid == cgid)
			return &a->own[i];
	return NULL;
}

static struct bgd_owned *owned_add(struct bgd_apply *a)
{
	if (BG_VEC_RESERVE(a->own, a->capown, a->nown + 1))
		return NULL;
	memset(&a->own[a->nown], 0, sizeof(a->own[0]));
	return &a->own[a->nown++];
}

static const char *jstr(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string) ?
		       json_object_get_string(v) : NULL;
}

static bool jint(struct json_object *o, const char *k, uint64_t *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_int))
		return false;
	*out = json_object_get_uint64(v);
	return true;
}

static void record_load(struct bgd_apply *a)
{
	struct json_object *root, *arr;
	size_t len;
	char *buf;
	int r = bg_read_file(a->state_path, 4 << 20, &buf, &len);

	if (r == -ENOENT)
		return;
	if (r) {
		bgd_log(LOG_WARNING, "cannot read %s: %s; starting with no record of the daemon's attachments",
			a->state_path, strerror(-r));
		return;
	}
	root = json_tokener_parse(buf);
	free(buf);
	if (!root || !json_object_object_get_ex(root, "attachments", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		bgd_log(LOG_WARNING, "%s is not a daemon attachment record; ignoring it (it is rewritten on the next change)",
			a->state_path);
		json_object_put(root);
		return;
	}
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		const char *path = jstr(e, "cgroup"), *src = jstr(e, "source"), *mode = jstr(e, "mode");
		const char *fb = jstr(e, "fallback"), *sha = jstr(e, "sha256"), *file = jstr(e, "file");
		uint64_t cgid, ns, line = 0;
		struct bgd_owned *o;

		if (!path || !src || !mode || !fb || !file || !jint(e, "cgroup_id", &cgid) ||
		    !jint(e, "attached_ns", &ns) || bg_mode_parse(mode) < 0 || bg_fallback_parse(fb) < 0)
			continue;
		jint(e, "line", &line);
		o = owned_add(a);
		if (!o)
			break;
		o->cgid = cgid;
		o->attached_ns = ns;
		bg_strlcpy(o->path, path, sizeof(o->path));
		bg_strlcpy(o->source, src, sizeof(o->source));
		o->mode = bg_mode_parse(mode);
		o->fallback = bg_fallback_parse(fb);
		bg_strlcpy(o->sha256, sha ? sha : "", sizeof(o->sha256));
		bg_strlcpy(o->file, file, sizeof(o->file));
		o->line = (unsigned)line;
	}
	json_object_put(root);
}

static void mkdir_parent(const char *path)
{
	char dir[PATH_MAX], *slash;

	bg_strlcpy(dir, path, sizeof(dir));
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0755);
	}
}

static void record_save(struct bgd_apply *a)
{
	struct json_object *root = json_object_new_object(), *arr = json_object_new_array();
	char tmp[PATH_MAX + 8];
	const char *text;
	size_t len;
	int fd;

	json_object_object_add(root, "version", json_object_new_int(1));
	for (unsigned i = 0; i < a->nown; i++) {
		const struct bgd_owned *o = &a->own[i];
		struct json_object *e = json_object_new_object();

		json_object_object_add(e, "cgroup_id", json_object_new_uint64(o->cgid));
		json_object_object_add(e, "attached_ns", json_object_new_uint64(o->attached_ns));
		json_object_object_add(e, "cgroup", json_object_new_string(o->path));
		json_object_object_add(e, "source", json_object_new_string(o->source));
		json_object_object_add(e, "mode", json_object_new_string(bg_mode_name(o->mode)));
		json_object_object_add(e, "fallback", json_object_new_string(bg_fallback_name(o->fallback)));
		json_object_object_add(e, "sha256", json_object_new_string(o->sha256));
		json_object_object_add(e, "file", json_object_new_string(o->file));
		json_object_object_add(e, "line", json_object_new_int((int)o->line));
		json_object_array_add(arr, e);
	}
	json_object_object_add(root, "attachments", arr);
	text = json_object_to_json_string_length(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	mkdir_parent(a->state_path);
	snprintf(tmp, sizeof(tmp), "%s.tmp", a->state_path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || write(fd, "\n", 1) != 1 || fsync(fd) ||
	    rename(tmp, a->state_path)) {
		bgd_log(LOG_ERR, "cannot write %s: %s; after a restart the daemon will not know which "
			"attachments it made (fix the [attach] state path)", a->state_path, strerror(errno));
		unlink(tmp);
	}
	if (fd >= 0)
		close(fd);
	json_object_put(root);
}

void bgd_apply_init(struct bgd_apply *a, const char *state_path)
{
	memset(a, 0, sizeof(*a));
	bg_strlcpy(a->state_path, state_path, sizeof(a->state_path));
	record_load(a);
}

/* ------------------------------------------------------------------ */
/* cgroups whose attach or detach failed since the last full pass */

static void failed_clear(struct bgd_apply *a)
{
	free(a->failed);
	a->failed = NULL;
	a->nfailed = 0;
	a->capfailed = 0;
}

/* Out of memory: not remembered, so the next partial pass retries it. */
static void failed_add(struct bgd_apply *a, uint64_t cgid)
{
	if (BG_VEC_RESERVE(a->failed, a->capfailed, a->nfailed + 1) == 0)
		a->failed[a->nfailed++] = cgid;
}

static bool failed_before(const struct bgd_apply *a, uint64_t cgid)
{
	for (unsigned i = 0; i < a->nfailed; i++)
		if (a->failed[i] == cgid)
			return true;
	return false;
}

/* ------------------------------------------------------------------ */
/* policies, read once per configuration generation */

void bgd_apply_forget_policies(struct bgd_apply *a)
{
	for (unsigned i = 0; i < a->npc; i++)
		bg_policy_free(a->pc[i].policy);
	free(a->pc);
	a->pc = NULL;
	a->npc = 0;
	a->cappc = 0;
	failed_clear(a);
	a->reported = false;
}

static void sha256_hex(const char *buf, size_t len, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;

	if (!EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32) {
		hex[0] = '\0';
		return;
	}
	bg_sha256_hex(md, hex);
}

/* A policy with `exec signed-in DIR` admits what those directories hold
 * when it is attached: the same text is another attachment once a file
 * there is added, replaced, re-signed or removed.  So its hash, which
 * decides "already as declared", also covers each directory's entries
 * (name, inode, size, change time): a change makes the next pass attach
 * it again, and the daemon watches the directories for such changes
 * (daemon.c, signed_watch). */
static void signed_dirs_fold(struct bgd_policy_cache *pc, const char *text, size_t tlen)
{
	const struct bg_exec_policy *x = &pc->policy->exec;
	char *all = NULL, line[NAME_MAX + 128];
	size_t n = 0, cap = 0;

	if (!x->ndirs)
		return;
	if (BG_VEC_RESERVE(all, cap, tlen))
		return;
	memcpy(all, text, tlen);
	n = tlen;
	for (unsigned d = 0; d < x->ndirs; d++) {
		struct dirent **names = NULL;
		int k = scandir(x->signed_dirs[d], &names, NULL, alphasort);

		for (int i = 0; i < k; i++) {
			struct stat st;
			char p[PATH_MAX];
			int m = 0;

			snprintf(p, sizeof(p), "%s/%s", x->signed_dirs[d], names[i]->d_name);
			if (lstat(p, &st) == 0)
				m = snprintf(line, sizeof(line), "%u %s %llu %lld %lld.%09ld\n", d, names[i]->d_name,
					     (unsigned long long)st.st_ino, (long long)st.st_size,
					     (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
			if (m > 0 && (size_t)m < sizeof(line) && !BG_VEC_RESERVE(all, cap, n + (size_t)m)) {
				memcpy(all + n, line, (size_t)m);
				n += (size_t)m;
			}
			free(names[i]);
		}
		free(names);
	}
	sha256_hex(all, n, pc->sha256);
	free(all);
}

static struct bgd_policy_cache *policy_get(struct bgd_apply *a, const char *path)
{
	struct bgd_policy_cache *pc;
	struct bg_diag d = {};
	size_t len;
	char *buf;
	int r;

	for (unsigned i = 0; i < a->npc; i++)
		if (!strcmp(a->pc[i].path, path))
			return &a->pc[i];
	if (BG_VEC_RESERVE(a->pc, a->cappc, a->npc + 1))
		return NULL;
	pc = &a->pc[a->npc++];
	memset(pc, 0, sizeof(*pc));
	bg_strlcpy(pc->path, path, sizeof(pc->path));
	/* hash and parse the same bytes */
	r = bg_read_file(path, 16 << 20, &buf, &len);
	if (r) {
		snprintf(pc->err, sizeof(pc->err), "cannot read policy %s: %s", path, strerror(-r));
		return pc;
	}
	sha256_hex(buf, len, pc->sha256);
	if (bg_policy_parse(buf, len, path, &pc->policy, &d)) {
		bg_strlcpy(pc->err, d.msg, sizeof(pc->err));
		pc->policy = NULL;
	} else {
		snprintf(pc->policy->source, sizeof(pc->policy->source), "%s", path);
		signed_dirs_fold(pc, buf, len);
	}
	free(buf);
	return pc;
}

/* ------------------------------------------------------------------ */
/* what attach.d matches now */

struct match {
	uint64_t cgid;
	char rel[BG_PATH_MAX];  /* "/a/b" */
	unsigned line;          /* index into the set */
};

struct matches {
	struct match *v;
	unsigned n;
	size_t cap;
};

static struct match *match_find(struct matches *m, uint64_t cgid)
{
	for (unsigned i = 0; i < m->n; i++)
		if (m->v[i].cgid == cgid)
			return &m->v[i];
	return NULL;
}

struct walk {
	size_t mlen; /* strlen of the cgroup2 mount */
	const struct bgd_attachd *set;
	unsigned line;
	struct matches *m;
	bool report; /* log conflicts */
};

static void match_add(struct walk *w, uint64_t cgid, const char *rel)
{
	const struct bgd_line *l = &w->set->v[w->line];
	struct match *prev = match_find(w->m, cgid);

	if (prev) {
		const struct bgd_line *p = &w->set->v[prev->line];

		if (w->report && prev->line != w->line)
			bgd_log(LOG_WARNING, "%s:%u: cgroup /%s is also matched by %s:%u, which comes first and applies",
				l->file, l->line, rel, p->file, p->line);
		return;
	}
	if (BG_VEC_RESERVE(w->m->v, w->m->cap, w->m->n + 1))
		return;
	w->m->v[w->m->n].cgid = cgid;
	snprintf(w->m->v[w->m->n].rel, sizeof(w->m->v[0].rel), "/%s", rel);
	w->m->v[w->m->n].line = w->line;
	w->m->n++;
}

/* bg_cgroup_walk callback: a match is taken and not descended into (what
 * is below inherits from it); a directory no match can be under is not
 * descended into either. */
static int match_visit(const char *abs, uint64_t id, int depth, void *ctx)
{
	struct walk *w = ctx;
	const char *pat = w->set->v[w->line].pattern;
	const char *rel = abs[w->mlen] == '/' ? abs + w->mlen + 1 : abs + w->mlen; /* "" = root */

	(void)depth;
	if (!strcmp(rel, BG_RUN_CGROUP))
		return BG_WALK_PRUNE; /* bpfguard run's cgroups are its own */
	if (bgd_glob_match(pat, rel)) {
		match_add(w, id, rel);
		return BG_WALK_PRUNE;
	}
	return bgd_glob_could_descend(pat, rel) ? 0 : BG_WALK_PRUNE;
}

static void collect_matches(const char *mnt, const struct bgd_attachd *set, bool report, struct matches *m)
{
	for (unsigned i = 0; i < set->n; i++) {
		struct walk w = { .mlen = strlen(mnt), .set = set, .line = i, .m = m, .report = report };
		size_t lp = bgd_glob_literal_prefix(set->v[i].pattern);
		char start[PATH_MAX];

		if ((size_t)snprintf(start, sizeof(start), "%s%s%.*s", mnt, lp ? "/" : "", (int)lp,
				     set->v[i].pattern) >= sizeof(start))
			continue;
		/* A subtree deeper than the walk goes is said, not skipped silently:
		 * a cgroup down there that the line matches is not attached. */
		if (bg_cgroup_walk(start, match_visit, &w) == BG_WALK_TOO_DEEP && report)
			bgd_log(LOG_WARNING, "%s:%u: cgroups more than %d levels below %s were not searched "
				"(BG_CGROUP_MAX_DEPTH); a match down there is not attached",
				set->v[i].file, set->v[i].line, BG_CGROUP_MAX_DEPTH, start);
	}
}

/* ------------------------------------------------------------------ */
/* changes */

static const struct bg_attachment *live_find(const struct bg_attachment *v, unsigned n, uint64_t cgid)
{
	for (unsigned i = 0; i < n; i++)
		if (v[i].cgid == cgid)
			return &v[i];
	return NULL;
}

static int live_list(struct bg_attachment **v, unsigned *n)
{
	struct bg_state st;
	struct bg_diag diag = {};
	int r = bg_state_open(&st, false, &diag);

	*v = NULL;
	*n = 0;
	if (r == -ENOENT)
		return 0;
	if (r) {
		bgd_log(LOG_ERR, "cannot read the attachments: %s", diag.msg);
		return -1;
	}
	r = bg_att_list(&st, v, n);
	bg_state_close(&st);
	return r;
}

/* Is rel (relative to the cgroup2 mount) the daemon's own cgroup or one
 * of its ancestors?  A policy there would judge the daemon itself, and the
 * shipped ones kill bpf(2): the daemon would kill itself on its next map
 * read.  Read from /proc/self/cgroup ("0::/path"). */
static bool holds_daemon(const char *rel)
{
	char line[PATH_MAX + 8], *self = NULL;
	size_t n = strlen(rel);
	bool in = false;
	FILE *f = fopen("/proc/self/cgroup", "re");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = '\0';
			self = line + 3;
			break;
		}
	fclose(f);
	if (self) {
		while (n > 1 && rel[n - 1] == '/')
			n--;
		in = !strcmp(rel, "/") || (!strncmp(self, rel, n) && (self[n] == '\0' || self[n] == '/'));
	}
	return in;
}

/* Cgroups of one attach.d line that a capacity limit kept from being
 * attached in this pass: said once per line, not once per cgroup. */
struct line_limit {
	unsigned n;
	char msg[sizeof(((struct bg_attach_result *)0)->err)];
};

static void attach_one(struct bgd_apply *a, const char *mnt, const struct match *m, const struct bgd_line *l,
		       const struct bgd_policy_cache *pc, bool replacing, struct line_limit *ll)
{
	struct bg_attach_result res = { .err = "" };
	char abs[PATH_MAX * 2];
	struct bg_attach_req req = { .policy = pc->policy, .source = l->policy, .cgroup = abs,
				     .mode = l->mode, .fallback = l->fallback, .target = BG_TARGET_CGROUP };
	struct bg_attachment rec;
	struct bg_state st;
	struct bgd_owned *o;
	struct bg_diag diag = {};
	int rc;

	snprintf(abs, sizeof(abs), "%s%s", mnt, m->rel);
	if (holds_daemon(m->rel)) {
		bgd_log(LOG_ERR, "%s:%u: cgroup %s holds bpfguard daemon itself; not attached (narrow the pattern "
			"so it excludes the daemon's own cgroup)", l->file, l->line, m->rel);
		a->failures++;
		return;
	}
	bgd_log(LOG_INFO, "%s:%u: %s policy %s (%s) on cgroup %s, mode %s, fallback %s", l->file, l->line,
		replacing ? "replacing with" : "attaching", pc->policy->name, l->policy, m->rel,
		bg_mode_name(l->mode), bg_fallback_name(l->fallback));
	rc = bg_attach_policy_r(&req, NULL, &res);
	if (rc) {
		if (res.limit && ll) {
			if (!ll->n++)
				bg_strlcpy(ll->msg, res.err, sizeof(ll->msg));
			a->limit_failures++;
		} else {
			bgd_log(LOG_ERR, "%s:%u: attaching %s to cgroup %s failed (exit %d): %s; "
				"retried at the next rescan or SIGHUP", l->file, l->line, l->policy, m->rel, rc,
				res.err[0] ? res.err : "the reason is the line above");
		}
		a->failures++;
		failed_add(a, m->cgid);
		return;
	}
	a->attached++;
	memset(&rec, 0, sizeof(rec));
	if (bg_state_open(&st, false, &diag) == 0) {
		bg_att_get(&st, m->cgid, &rec);
		bg_state_close(&st);
	}
	o = owned_find(a, m->cgid);
	if (!o)
		o = owned_add(a);
	if (!o)
		return;
	o->cgid = m->cgid;
	o->attached_ns = rec.attached_realtime_ns;
	bg_strlcpy(o->path, m->rel, sizeof(o->path));
	bg_strlcpy(o->source, l->policy, sizeof(o->source));
	o->mode = l->mode;
	o->fallback = l->fallback;
	bg_strlcpy(o->sha256, pc->sha256, sizeof(o->sha256));
	bg_strlcpy(o->file, l->file, sizeof(o->file));
	o->line = l->line;
}

static int detach_one(struct bgd_apply *a, const char *mnt, const struct bgd_owned *o)
{
	char rel[PATH_MAX], abs[PATH_MAX * 2];
	struct stat st;
	bool exists = bg_cgroup_path_by_id(o->cgid, rel, sizeof(rel)) == 0;
	int rc;

	if (exists) {
		bgd_log(LOG_INFO, "detaching %s from cgroup %s: no line of attach.d declares it any more (it came from %s:%u)",
			o->source, rel, o->file, o->line);
		snprintf(abs, sizeof(abs), "%s%s", mnt, rel);
		rc = bg_detach_cgroup(abs, NULL);
	} else {
		bgd_log(LOG_INFO, "detaching %s from cgroup %s: the cgroup was removed", o->source, o->path);
		snprintf(abs, sizeof(abs), "%s%s", mnt, o->path);
		if (stat(abs, &st) == 0 && st.st_ino != o->cgid)
			rc = bg_detach_cgid(o->cgid); /* the path belongs to a new cgroup now */
		else
			rc = bg_detach_cgroup(abs, NULL);
	}
	if (rc) {
		bgd_log(LOG_ERR, "detaching %s from cgroup %s failed (exit %d; the reason is the line above); "
			"retried at the next pass", o->source, o->path, rc);
		return -1;
	}
	a->detached++;
	return 0;
}

int bgd_apply_pass(struct bgd_apply *a, const struct bgd_attachd *set, bool full)
{
	struct bg_attachment *live;
	struct line_limit *ll;
	struct matches m = {};
	unsigned nlive;
	char mnt[PATH_MAX];
	bool dirty = false;
	int changes = 0;

	if (bg_cgroup2_mount(mnt, sizeof(mnt))) {
		bgd_log(LOG_ERR, "cgroup v2 is not mounted; declarative attachments need it");
		return 0;
	}
	if (full)
		failed_clear(a);
	if (live_list(&live, &nlive))
		return 0;
	collect_matches(mnt, set, !a->reported, &m);
	ll = set->n ? calloc(set->n, sizeof(*ll)) : NULL;

	/* attachments the kernel no longer has as we made them are not ours */
	for (unsigned i = a->nown; i-- > 0;) {
		const struct bg_attachment *l = live_find(live, nlive, a->own[i].cgid);

		if (!l || l->attached_realtime_ns != a->own[i].attached_ns) {
			bgd_log(LOG_NOTICE, "cgroup %s: %s; the daemon no longer manages its attachment",
				a->own[i].path, l ? "re-attached by someone else" : "detached by someone else");
			owned_remove(a, i);
			dirty = true;
		}
	}

	for (unsigned i = 0; i < m.n; i++) {
		const struct match *mt = &m.v[i];
		const struct bgd_line *l = &set->v[mt->line];
		const struct bg_attachment *cur = live_find(live, nlive, mt->cgid);
		struct bgd_owned *own = owned_find(a, mt->cgid);
		struct bgd_policy_cache *pc;

		if (cur && (cur->flags & BG_ATT_F_SECCOMP)) {
			if (!a->reported)
				bgd_log(LOG_WARNING, "%s:%u: cgroup %s belongs to bpfguard run; left alone", l->file,
					l->line, mt->rel);
			continue;
		}
		pc = policy_get(a, l->policy);
		if (!pc)
			continue;
		if (!pc->policy) {
			if (!pc->reported)
				bgd_log(LOG_ERR, "%s:%u: %s; the cgroups this line matches are left as they are",
					l->file, l->line, pc->err);
			pc->reported = true;
			continue;
		}
		if (cur && !strcmp(cur->source, l->policy) && (int)cur->mode == l->mode &&
		    (int)cur->fallback == l->fallback && (!own || !own->sha256[0] || !strcmp(own->sha256, pc->sha256))) {
			if (own && (strcmp(own->file, l->file) || own->line != l->line)) {
				bg_strlcpy(own->file, l->file, sizeof(own->file));
				own->line = l->line;
				dirty = true;
			}
			continue; /* already as declared */
		}
		if (!full && failed_before(a, mt->cgid))
			continue;
		attach_one(a, mnt, mt, l, pc, cur != NULL, ll ? &ll[mt->line] : NULL);
		dirty = true;
		changes++;
	}

	for (unsigned i = a->nown; i-- > 0;) {
		const struct bgd_owned *o = &a->own[i];

		if (match_find(&m, o->cgid))
			continue;
		if (!set->read || bgd_attachd_file_bad(set, o->file))
			continue; /* its file was not read: keep what it declared */
		if (!full && failed_before(a, o->cgid))
			continue;
		if (detach_one(a, mnt, o)) {
			failed_add(a, o->cgid);
			continue;
		}
		owned_remove(a, i);
		dirty = true;
		changes++;
	}
	for (unsigned i = 0; ll && i < set->n; i++)
		if (ll[i].n)
			bgd_log(LOG_ERR, "%s:%u: %u matched cgroup%s not attached: %s; retried at the next rescan or SIGHUP",
				set->v[i].file, set->v[i].line, ll[i].n, ll[i].n == 1 ? "" : "s", ll[i].msg);
	free(ll);
	a->reported = true; /* conflicts: once per configuration */
	if (dirty)
		record_save(a);
	free(m.v);
	free(live);
	return changes;
}

void bgd_apply_free(struct bgd_apply *a)
{
	bgd_apply_forget_policies(a);
	free(a->own);
	memset(a, 0, sizeof(*a));
}
