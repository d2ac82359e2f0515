// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cghooks.c - network, device and sysctl sections: compiling them into
 * bg_netpol, loading cgroup_hooks.bpf.c per attached cgroup, linking and
 * pinning its programs, and taking them down again.
 *
 * Why one loaded instance per attached cgroup: cgroup links are always
 * BPF_F_ALLOW_MULTI, so a task in a nested attachment runs the programs of
 * every attached ancestor as well as its own.  Each instance knows its
 * cgroup (a read-only constant) and judges only tasks whose bg_cgroups
 * entry that cgroup owns; the ancestors' instances step aside after one
 * lookup.  So the nearest attachment decides and every denial is counted
 * once.  (BPF_F_ALLOW_OVERRIDE would give the same semantics without the
 * extra lookups but cannot be pinned as a link, and it refuses to share a
 * cgroup with systemd's multi programs.)
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "attachment.h"
#include "cghooks.h"
#include "cgroup_hooks.skel.h"
#include "loader.h"
#include "testhooks.h"
#include "util.h"

#include "hook_match.h"

_Static_assert(BG_DEV_ACC_MKNOD == BPF_DEVCG_ACC_MKNOD && BG_DEV_ACC_READ == BPF_DEVCG_ACC_READ &&
	       BG_DEV_ACC_WRITE == BPF_DEVCG_ACC_WRITE, "device access bits");
_Static_assert(BG_DEV_CHAR == BPF_DEVCG_DEV_CHAR && BG_DEV_BLOCK == BPF_DEVCG_DEV_BLOCK,
	       "device types");

/* Hooks below this are cgroup_hooks.bpf.c's, linked per cgroup here, and
 * BG_HOOK_SETSOCKOPT (added later, numbered after the others); the exec
 * and escape hooks belong to exec.bpf.c and escape.bpf.c. */
#define BG_HOOK_CGROUP__END (BG_HOOK_SETSOCKOPT + 1)
static bool cg_hook(unsigned h)
{
	return (h > 0 && h < BG_HOOK_EXEC) || h == BG_HOOK_SETSOCKOPT;
}

_Static_assert(BG_X86_64_NR_SOCKET == __NR_socket && BG_X86_64_NR_SETSOCKOPT == __NR_setsockopt,
	       "the syscall numbers cgroup_hooks.bpf.c serves");

/* Program of each hook, in the order the links go up. */
static const char *const hook_prog[BG_HOOK__COUNT] = {
	[BG_HOOK_SOCK_CREATE] = "bg_sock_create",
	[BG_HOOK_CONNECT4] = "bg_connect4", [BG_HOOK_CONNECT6] = "bg_connect6",
	[BG_HOOK_BIND4] = "bg_bind4",       [BG_HOOK_BIND6] = "bg_bind6",
	[BG_HOOK_SENDMSG4] = "bg_sendmsg4", [BG_HOOK_SENDMSG6] = "bg_sendmsg6",
	[BG_HOOK_DEV] = "bg_dev",           [BG_HOOK_SYSCTL] = "bg_sysctl",
	/* exec.bpf.c's (exec_allow.c attaches them; named here for events) */
	[BG_HOOK_EXEC] = "bg_exec_kill",    [BG_HOOK_BPRM] = "bg_exec_bprm",
	[BG_HOOK_MMAP_EXEC] = "bg_exec_mmap",  [BG_HOOK_MPROT_EXEC] = "bg_exec_mprotect",
	/* escape.bpf.c's and guard's late kill (escape.c) */
	[BG_HOOK_ESC_MOVE] = "bg_esc_move", [BG_HOOK_ESC_CLONE] = "bg_esc_fork",
	[BG_HOOK_ESC_LATE] = "bg_esc_late",
	[BG_HOOK_SETSOCKOPT] = "bg_setsockopt",
	/* the exec gate's refusals, recorded by record.bpf.c */
	[BG_HOOK_FAN_EXEC] = "bg_fan_exec",
};

const char *bg_hook_name(unsigned hook)
{
	return hook > 0 && hook < BG_HOOK__COUNT ? hook_prog[hook] + 3 : "?";
}

/* ------------------------------------------------------------------ */
/* Back end */

static uint32_t prefix_mask(int bits)
{
	if (bits <= 0)
		return 0;
	if (bits >= 32)
		return 0xffffffffu;
	return htonl(0xffffffffu << (32 - bits));
}

static int compile_rule(const struct bg_netrule *in, struct bg_net_rule *out)
{
	unsigned max = in->family == 4 ? 32 : 128;

	if ((in->family != 0 && in->family != 4 && in->family != 6) || in->prefix > max ||
	    in->action > BG_NET_ALLOW || in->port_lo > in->port_hi || in->err > 4095 ||
	    (in->proto != 0 && in->proto != IPPROTO_TCP && in->proto != IPPROTO_UDP))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->family = in->family;
	out->proto = in->proto;
	out->action = in->action;
	out->err = in->action == BG_NET_DENY ? (in->err ? in->err : EPERM) : 0;
	out->port_lo = in->port_lo;
	out->port_hi = in->port_hi;
	if (in->family == 0)
		return 0; /* any address: mask 0 matches everything */
	for (unsigned w = 0; w < (in->family == 4 ? 1u : 4u); w++) {
		uint32_t word;

		memcpy(&word, in->addr + 4 * w, 4);
		out->mask[w] = prefix_mask((int)in->prefix - 32 * (int)w);
		out->addr[w] = word & out->mask[w];
	}
	return 0;
}

int bg_cghooks_compile(const struct bg_policy *p, struct bg_netpol *out)
{
	memset(out, 0, sizeof(*out));
	if (p->net.present) {
		const struct bg_net_policy *n = &p->net;

		out->flags |= BG_HP_NET;
		/* Only inet and inet6 reach the hook; everything else stays allowed. */
		out->families = ~0ULL;
		if (!(n->families & (1ULL << AF_INET)))
			out->families &= ~(1ULL << AF_INET);
		if (!(n->families & (1ULL << AF_INET6)))
			out->families &= ~(1ULL << AF_INET6);
		out->types = (n->types & BG_SOCK_TYPES_ALL) == BG_SOCK_TYPES_ALL ? ~0u
			     : n->types & BG_SOCK_TYPES_ALL;
		for (int d = 0; d < BG_NET_NDIRS; d++) {
			const struct bg_netdir *nd = &n->dir[d];

			if (nd->nrules > BG_NET_MAX_RULES || (nd->has_default && nd->dflt > BG_NET_ALLOW))
				return -EINVAL;
			out->dir[d].nrules = nd->nrules;
			out->dir[d].dflt = (uint16_t)bg_net_dir_default(nd);
			out->dir[d].dflt_err = out->dir[d].dflt == BG_NET_DENY
					       ? (nd->has_default && nd->dflt_err ? nd->dflt_err : EPERM) : 0;
			for (unsigned i = 0; i < nd->nrules; i++)
				if (compile_rule(&nd->rule[i], &out->dir[d].rule[i]))
					return -EINVAL;
		}
	}
	if (p->dev.present) {
		if (p->dev.nrules > BG_DEV_MAX_RULES)
			return -EINVAL;
		out->flags |= BG_HP_DEV;
		out->ndev = p->dev.nrules;
		for (unsigned i = 0; i < p->dev.nrules; i++) {
			const struct bg_devrule *r = &p->dev.rule[i];

			if ((r->type != 'c' && r->type != 'b' && r->type != 'a') ||
			    r->access & ~(BG_DEV_ACC_MKNOD | BG_DEV_ACC_READ | BG_DEV_ACC_WRITE))
				return -EINVAL;
			out->dev[i].type = r->type == 'c' ? BG_DEV_CHAR : r->type == 'b' ? BG_DEV_BLOCK : 0;
			out->dev[i].access = r->access;
			out->dev[i].major = r->major;
			out->dev[i].minor = r->minor;
		}
	}
	if (p->sysctl.present) {
		if (p->sysctl.mode != BG_SYSCTL_READ_ONLY && p->sysctl.mode != BG_SYSCTL_NONE)
			return -EINVAL;
		out->flags |= BG_HP_SYSCTL;
		out->sysctl = BG_SYSCTL_DENY_WRITE;
		if (p->sysctl.mode == BG_SYSCTL_NONE)
			out->sysctl |= BG_SYSCTL_DENY_READ;
	}
	return 0;
}

static bool dir_restricts(const struct bg_net_dirpol *d)
{
	return d->nrules || d->dflt != BG_NET_ALLOW;
}

unsigned bg_cghooks_needed(const struct bg_netpol *v)
{
	const uint64_t inet = (1ULL << AF_INET) | (1ULL << AF_INET6);
	unsigned need = 0;

	if (v->flags & BG_HP_NET) {
		if ((v->families & inet) != inet || v->types != ~0u)
			need |= 1u << BG_HOOK_SOCK_CREATE;
		if (dir_restricts(&v->dir[BG_NET_CONNECT]))
			need |= (1u << BG_HOOK_CONNECT4) | (1u << BG_HOOK_CONNECT6);
		if (dir_restricts(&v->dir[BG_NET_BIND]))
			need |= (1u << BG_HOOK_BIND4) | (1u << BG_HOOK_BIND6);
		if (dir_restricts(&v->dir[BG_NET_SENDMSG]))
			need |= (1u << BG_HOOK_SENDMSG4) | (1u << BG_HOOK_SENDMSG6);
	}
	if (v->flags & BG_HP_DEV)
		need |= 1u << BG_HOOK_DEV;
	if ((v->flags & BG_HP_SYSCTL) && v->sysctl)
		need |= 1u << BG_HOOK_SYSCTL;
	if (v->flags & BG_HP_MARK_SOCKET)
		need |= 1u << BG_HOOK_SOCK_CREATE;
	if (v->flags & BG_HP_MARK_SETSOCKOPT)
		need |= 1u << BG_HOOK_SETSOCKOPT;
	return need;
}

bool bg_cghooks_wanted(const struct bg_policy *p)
{
	return p->net.present || p->dev.present || p->sysctl.present;
}

bool bg_cghooks_has_errnos(const struct bg_policy *p)
{
	if (!p->net.present)
		return false;
	for (int d = 0; d < BG_NET_NDIRS; d++) {
		const struct bg_netdir *nd = &p->net.dir[d];

		if (nd->has_default && nd->dflt == BG_NET_DENY && nd->dflt_err && nd->dflt_err != EPERM)
			return true;
		for (unsigned i = 0; i < nd->nrules; i++)
			if (nd->rule[i].action == BG_NET_DENY && nd->rule[i].err && nd->rule[i].err != EPERM)
				return true;
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* The kernel's matchers over a compiled value (tests) */

int bg_cghooks_eval_socket(const struct bg_netpol *v, int family, int type)
{
	if (!(v->flags & BG_HP_NET) || (family != AF_INET && family != AF_INET6))
		return BG_NET_ALLOW;
	return (int)bg_hm_socket(v, (uint32_t)family, (uint32_t)type);
}

int bg_cghooks_eval_addr(const struct bg_netpol *v, int dir, int family, const uint8_t *addr,
			 uint16_t port, int proto)
{
	uint32_t ip[4] = { 0 }, fam = 4;

	if (!(v->flags & BG_HP_NET) || dir < 0 || dir >= BG_NET_NDIRS)
		return BG_NET_ALLOW;
	if (family == AF_INET6) {
		memcpy(ip, addr, 16);
		fam = bg_hm_unmap(ip);
	} else {
		memcpy(ip, addr, 4);
	}
	uint32_t err;

	return (int)bg_hm_net(&v->dir[dir], fam, ip, port, (uint32_t)proto, &err);
}

int bg_cghooks_eval_dev(const struct bg_netpol *v, char type, uint32_t major, uint32_t minor,
			unsigned access)
{
	if (!(v->flags & BG_HP_DEV))
		return BG_NET_ALLOW;
	return (int)bg_hm_dev(v, type == 'b' ? BG_DEV_BLOCK : BG_DEV_CHAR, major, minor, access);
}

/* ------------------------------------------------------------------ */
/* Summary */

static int open_pinned_map(const char *name)
{
	char p[PATH_MAX];

	bg_pin_path(p, sizeof(p), BG_PIN_MAPS, name);
	return bpf_obj_get(p);
}

/* From the compiled value, so attach (which has the IR) and status (which
 * has only the pinned slot) describe a policy in the same words. */
static void summarize(const struct bg_netpol *v, char *buf, size_t len)
{
	size_t used = 0;

#define ADD(...)                                                                  \
	do {                                                                      \
		if (used < len)                                                   \
			used += (size_t)snprintf(buf + used, len - used, __VA_ARGS__); \
	} while (0)
	if (len)
		buf[0] = '\0';
	if (v->flags & BG_HP_NET) {
		bool v4 = v->families & (1ULL << AF_INET), v6 = v->families & (1ULL << AF_INET6);

		if (!v4 && !v6)
			ADD("net: no inet/inet6 sockets");
		else
			ADD("net: families%s%s", v4 ? " inet" : "", v6 ? " inet6" : "");
		if (v->types != ~0u && (v4 || v6))
			ADD(" (some socket types)");
		for (int d = 0; d < BG_NET_NDIRS; d++) {
			const struct bg_net_dirpol *nd = &v->dir[d];

			if (!dir_restricts(nd))
				continue;
			if (!nd->nrules)
				ADD("; %s: none", bg_net_dir_name(d));
			else
				ADD("; %s: %u rule%s, default %s", bg_net_dir_name(d), nd->nrules,
				    nd->nrules == 1 ? "" : "s", nd->dflt == BG_NET_ALLOW ? "allow" : "deny");
		}
	}
	if (v->flags & BG_HP_DEV)
		ADD("%sdev: %u allow rule%s, default deny", used ? "; " : "", v->ndev, v->ndev == 1 ? "" : "s");
	if (v->flags & (BG_HP_MARK_SOCKET | BG_HP_MARK_SETSOCKOPT))
		ADD("%ssyscall rules refused at the hooks: %s%s%s", used ? "; " : "",
		    v->flags & BG_HP_MARK_SOCKET ? "socket (cgroup/sock_create)" : "",
		    (v->flags & BG_HP_MARK_SOCKET) && (v->flags & BG_HP_MARK_SETSOCKOPT) ? ", " : "",
		    v->flags & BG_HP_MARK_SETSOCKOPT ? "setsockopt (cgroup/setsockopt)" : "");
	if (v->flags & BG_HP_SYSCTL)
		ADD("%ssysctl: %s", used ? "; " : "",
		    v->sysctl & BG_SYSCTL_DENY_READ ? "no access" : "read-only");
#undef ADD
}

void bg_cghooks_summary(const struct bg_policy *p, char *buf, size_t len)
{
	struct bg_netpol v;

	if (bg_cghooks_compile(p, &v))
		snprintf(buf, len, "invalid net/dev/sysctl section");
	else
		summarize(&v, buf, len);
}

void bg_cghooks_summary_slot(uint32_t slot, char *buf, size_t len)
{
	struct bg_netpol v = { 0 };
	int fd = open_pinned_map("bg_netpol");

	if (fd >= 0) {
		if (bpf_map_lookup_elem(fd, &slot, &v))
			memset(&v, 0, sizeof(v));
		close(fd);
	}
	summarize(&v, buf, len);
}

/* ------------------------------------------------------------------ */
/* Pins */

static void link_pin(char *buf, size_t len, uint64_t cgid, unsigned hook)
{
	char name[96];

	snprintf(name, sizeof(name), "cg-%llu-%s", (unsigned long long)cgid, hook_prog[hook]);
	bg_pin_path(buf, len, BG_PIN_LINKS, name);
}

static void unpin_links(uint64_t cgid, unsigned mask)
{
	char p[PATH_MAX];

	for (unsigned h = 1; h < BG_HOOK_CGROUP__END; h++) {
		if (!cg_hook(h) || !(mask & (1u << h)))
			continue;
		link_pin(p, sizeof(p), cgid, h);
		unlink(p);
	}
}

static int write_slot(int fd, uint32_t slot, const struct bg_netpol *v, const char *step)
{
	static const struct bg_netpol zero;

	return bg_map_write(fd, &slot, v ? v : &zero, step);
}

int bg_cghooks_value(const struct bg_policy *p, int mode, unsigned marks, struct bg_netpol *out)
{
	if (bg_cghooks_compile(p, out) || (marks & ~(BG_HP_MARK_SOCKET | BG_HP_MARK_SETSOCKOPT)))
		return -EINVAL;
	if (out->flags && mode == BG_MODE_AUDIT)
		out->flags |= BG_HP_AUDIT;
	/* Audit mode plans no denial, so it never has marks to serve. */
	out->flags |= marks;
	return 0;
}

bool bg_cghooks_slot_holds(uint32_t slot, const struct bg_policy *p, int mode, unsigned marks)
{
	struct bg_netpol want, cur;
	int fd;
	bool same;

	if (bg_cghooks_value(p, mode, marks, &want))
		return false;
	fd = open_pinned_map("bg_netpol");
	if (fd < 0)
		return !want.flags; /* never pinned: every slot is "no sections" */
	same = bpf_map_lookup_elem(fd, &slot, &cur) == 0 && !memcmp(&cur, &want, sizeof(cur));
	close(fd);
	return same;
}

/* A policy with nothing for the hooks on a fresh slot.  Programs read a
 * slot only through entries that point at it; still, a fresh slot must
 * not keep a value an earlier policy left. */
static int empty_slot(uint32_t slot, struct bg_diag *diag)
{
	int mapfd = open_pinned_map("bg_netpol"), ret;

	if (mapfd < 0)
		return 0; /* never pinned: nothing left over */
	ret = write_slot(mapfd, slot, NULL, "netpol");
	close(mapfd);
	if (ret) {
		bg_diag_set(diag, "cannot write bg_netpol[%u]: %s", slot, strerror(-ret));
		return -1;
	}
	return 0;
}

/* Attaches and pins every program loaded (those whose link was missing);
 * the hooks pinned are added to *created so a failure can unpin them. */
static int attach_links(struct cgroup_hooks_bpf *skel, int cgfd, uint64_t cgid, const char *cg_abs_path,
			unsigned *created, struct bg_diag *diag)
{
	char path[PATH_MAX];

	for (unsigned h = 1; h < BG_HOOK_CGROUP__END; h++) {
		struct bpf_program *prog = cg_hook(h) ? bpf_object__find_program_by_name(skel->obj, hook_prog[h]) : NULL;
		struct bpf_link *link;
		int ret;

		if (!prog || !bpf_program__autoload(prog))
			continue;
		/* A cgroup link: BPF_F_ALLOW_MULTI, see the top of this file. */
		link = bpf_program__attach_cgroup(prog, cgfd);
		if (!link) {
			bg_diag_set(diag, "cannot attach %s to cgroup %.300s: %s", hook_prog[h],
				    cg_abs_path, strerror(errno));
			return -1;
		}
		link_pin(path, sizeof(path), cgid, h);
		ret = bpf_link__pin(link, path);
		bpf_link__destroy(link); /* the pin keeps it attached */
		if (ret) {
			bg_diag_set(diag, "cannot pin %s: %s", path, strerror(-ret));
			return -1;
		}
		*created |= 1u << h;
		/* test builds: BPFGUARD_FAIL_AT=cghooks fails after the first pin */
		if (bg_fault("cghooks")) {
			bg_diag_set(diag, "cannot attach cgroup hooks (injected)");
			return -1;
		}
	}
	return 0;
}

/* Is a link of a needed hook missing on cgroup cgid? */
static bool links_missing(uint64_t cgid, unsigned need)
{
	char path[PATH_MAX];

	for (unsigned h = 1; h < BG_HOOK_CGROUP__END; h++) {
		if (!cg_hook(h) || !(need & (1u << h)))
			continue;
		link_pin(path, sizeof(path), cgid, h);
		if (access(path, F_OK))
			return true;
	}
	return false;
}

int bg_cghooks_apply(struct bg_state *st, uint64_t cgid, const char *cg_abs_path, uint32_t slot,
		     bool shared, const struct bg_policy *p, int mode, const struct bg_hook_caps *caps,
		     struct bg_diag *diag)
{
	struct cgroup_hooks_bpf *skel = NULL;
	struct bg_netpol val;
	unsigned need, created = 0;
	struct bpf_program *prog;
	char path[PATH_MAX];
	struct stat sb;
	int cgfd = -1, ret;

	if (!st || !st->writable || slot >= BG_MAX_POLICIES) {
		bg_diag_set(diag, "internal: cgroup hooks need the state open for writing and a valid slot");
		return -1;
	}
	if (bg_cghooks_value(p, mode, caps->marks, &val)) {
		bg_diag_set(diag, "internal: policy '%s' has a malformed net/dev/sysctl section", p->name);
		return -1;
	}
	if (!val.flags)
		return shared ? 0 : empty_slot(slot, diag);
	need = bg_cghooks_needed(&val);

	cgfd = open(cg_abs_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd < 0 || fstat(cgfd, &sb) || (uint64_t)sb.st_ino != cgid) {
		bg_diag_set(diag, "cgroup %.300s %s; check the path", cg_abs_path,
			    cgfd < 0 ? strerror(errno) : "changed while attaching");
		goto fail;
	}
	/* Every link the policy needs is there already (a re-attach, a
	 * replace): nothing to load, so no object at all -- its load would
	 * parse the kernel's BTF for CO-RE even with no program in it. */
	if (!links_missing(cgid, need)) {
		int fd = shared ? -1 : open_pinned_map("bg_netpol");

		ret = shared ? 0 : fd < 0 ? -errno : write_slot(fd, slot, &val, "netpol");
		if (fd >= 0)
			close(fd);
		if (ret) {
			bg_diag_set(diag, "cannot write bg_netpol[%u]: %s", slot, strerror(-ret));
			goto fail;
		}
		close(cgfd);
		return 0;
	}
	skel = cgroup_hooks_bpf__open();
	if (!skel) {
		bg_diag_set(diag, "cannot open cgroup_hooks.bpf.o: %s", strerror(errno));
		goto fail;
	}
	skel->rodata->bg_attached_cgid = cgid;
	skel->rodata->bg_has_set_retval = caps->set_retval;
	skel->rodata->bg_has_marks = caps->task_marks;
	/* The pins guard.bpf.c created (bg_cgroups, bg_events, ...) and ours. */
	if (bg_pin_object_maps(skel->obj)) {
		bg_diag_set(diag, "internal: cannot set pin paths for cgroup_hooks.bpf.o");
		goto fail;
	}
	/* Load only programs whose link is missing: a replace keeps the links
	 * the cgroup has, they judge whatever slot its entries point at. */
	for (unsigned h = 1; h < BG_HOOK_CGROUP__END; h++) {
		bool on = false;

		if (!cg_hook(h))
			continue;
		prog = bpf_object__find_program_by_name(skel->obj, hook_prog[h]);
		if (!prog) {
			bg_diag_set(diag, "internal: program %s missing from cgroup_hooks.bpf.o", hook_prog[h]);
			goto fail;
		}
		if (need & (1u << h)) {
			link_pin(path, sizeof(path), cgid, h);
			on = access(path, F_OK) != 0;
		}
		bpf_program__set_autoload(prog, on);
	}
	ret = cgroup_hooks_bpf__load(skel);
	if (ret) {
		bg_diag_set(diag, "cannot load the cgroup hook programs: %s; run `bpfguard reset` if the "
			    "pinned maps are from another version, or rerun with BPFGUARD_DEBUG=1", strerror(-ret));
		goto fail;
	}
	/* The value before the links.  No cgroup entry points at a fresh
	 * slot yet (attach switches them later), so no program reads it now;
	 * a shared slot already holds this value and is in use: untouched. */
	if (!shared) {
		ret = write_slot(bpf_map__fd(skel->maps.bg_netpol), slot, &val, "netpol");
		if (ret) {
			bg_diag_set(diag, "cannot write bg_netpol[%u]: %s", slot, strerror(-ret));
			goto fail;
		}
	}
	if (attach_links(skel, cgfd, cgid, cg_abs_path, &created, diag))
		goto fail;
	cgroup_hooks_bpf__destroy(skel);
	close(cgfd);
	return 0;
fail:
	unpin_links(cgid, created);
	/* A fresh slot was unused before: the caller clears it (and says so
	 * if that fails); a shared one was never written. */
	cgroup_hooks_bpf__destroy(skel);
	if (cgfd >= 0)
		close(cgfd);
	return -1;
}

void bg_cghooks_sync(struct bg_state *st, uint64_t cgid, uint32_t slot)
{
	struct bg_netpol val = { 0 };
	int fd = open_pinned_map("bg_netpol");

	(void)st;
	if (fd >= 0) {
		if (bpf_map_lookup_elem(fd, &slot, &val))
			memset(&val, 0, sizeof(val));
		close(fd);
	}
	unpin_links(cgid, ~bg_cghooks_needed(&val));
}

static bool hook_counter_of_owner(const void *key, const void *ctx)
{
	return ((const struct bg_hook_counter_key *)key)->owner == *(const uint64_t *)ctx;
}

void bg_cghooks_remove(uint64_t cgid)
{
	int fd;

	unpin_links(cgid, ~0u);
	fd = open_pinned_map("bg_hook_counters");
	if (fd < 0)
		return;
	/* best effort, as for the syscall counters (bg_counters_drop) */
	bg_map_delete_matching(fd, sizeof(struct bg_hook_counter_key), hook_counter_of_owner, &cgid, NULL);
	close(fd);
}

int bg_cghooks_clear_slot(struct bg_state *st, uint32_t slot)
{
	int fd = open_pinned_map("bg_netpol"), ret;

	(void)st;
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno; /* never pinned: nothing to clear */
	ret = slot < BG_MAX_POLICIES ? write_slot(fd, slot, NULL, "clear-netpol") : -EINVAL;
	close(fd);
	return ret;
}

struct hook_sums {
	uint64_t owner;
	unsigned long long *denied, *recorded;
};

static void hook_sum(const void *k, const void *v, void *ctx)
{
	const struct bg_hook_counter_key *key = k;
	struct hook_sums *s = ctx;

	if (key->owner != s->owner || key->hook >= BG_HOOK__COUNT)
		return;
	if (key->effect == BG_EFFECT_RECORD)
		s->recorded[key->hook] += *(const __u64 *)v;
	else
		s->denied[key->hook] += *(const __u64 *)v;
}

int bg_cghooks_counts(uint64_t owner, unsigned long long denied[BG_HOOK__COUNT],
		      unsigned long long recorded[BG_HOOK__COUNT])
{
	struct hook_sums s = { .owner = owner, .denied = denied, .recorded = recorded };
	int fd = open_pinned_map("bg_hook_counters");

	memset(denied, 0, BG_HOOK__COUNT * sizeof(denied[0]));
	memset(recorded, 0, BG_HOOK__COUNT * sizeof(recorded[0]));
	if (fd < 0)
		return -ENOENT;
	bg_map_for_each(fd, sizeof(struct bg_hook_counter_key), sizeof(__u64), hook_sum, &s);
	close(fd);
	return 0;
}
