// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * run_audit.c - the kernel's audit records of the seccomp decisions of one
 * `bpfguard run`: which syscall was denied or killed (for the summary), and
 * each decision into bpfguard's counters and event stream.  run.c's header
 * says why the denials come from audit records.
 *
 * Separate from run.c because it is a reader of one netlink protocol and
 * its record format, independent of how the run is set up.
 */
#include <ctype.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vec.h"
#include "record.h"
#include "run_internal.h"
#include "util.h"

/* ------------------------------------------------------------------ */
/* audit records of seccomp decisions */

void run_audit_open(struct run *r)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 << (AUDIT_NLGRP_READLOG - 1) };
	int sz = 8 << 20;
	char buf[32];
	FILE *f;

	r->audit_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_AUDIT);
	if (r->audit_fd < 0)
		return;
	setsockopt(r->audit_fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	if (bind(r->audit_fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(r->audit_fd);
		r->audit_fd = -1;
		return;
	}
	/* A fresh audit session for this run, inherited by the payload and
	 * not changeable by it: records are matched by ses=, even for a
	 * process already gone.  Writing the current login uid back keeps
	 * who is logged in and only renews the session id. */
	f = fopen("/proc/self/loginuid", "re");
	if (f && fgets(buf, sizeof(buf), f)) {
		unsigned long uid = strtoul(buf, NULL, 10);

		if (uid == 4294967295UL)
			snprintf(buf, sizeof(buf), "%u", (unsigned)getuid());
		if (run_write_str("/proc/self/loginuid", buf) == 0) {
			FILE *s = fopen("/proc/self/sessionid", "re");

			if (s && fscanf(s, "%u", &r->ses) != 1)
				r->ses = 0;
			if (s)
				fclose(s);
			if (r->ses == 4294967295U)
				r->ses = 0;
		}
	}
	if (f)
		fclose(f);
}

static bool pid_in_run(const struct run *r, long pid)
{
	char path[64], line[PATH_MAX];
	bool in = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/cgroup", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!in && fgets(line, sizeof(line), f))
		in = !strncmp(line, "0::", 3) && strstr(line, r->id);
	fclose(f);
	return in;
}

static void add_denial(struct run *r, int abi, int nr, bool kill)
{
	for (unsigned i = 0; i < r->nden; i++)
		if (r->den[i].abi == abi && r->den[i].nr == nr && r->den[i].kill == kill) {
			r->den[i].n++;
			return;
		}
	if (BG_VEC_RESERVE(r->den, r->capden, (size_t)r->nden + 1))
		return;
	r->den[r->nden++] = (struct denial){ .abi = abi, .nr = nr, .kill = kill, .n = 1 };
}

static bool field(const char *rec, const char *key, unsigned long long *v, int base)
{
	const char *p = rec;
	size_t kl = strlen(key);

	while ((p = strstr(p, key))) {
		if ((p == rec || p[-1] == ' ') && p[kl] == '=') {
			*v = strtoull(p + kl + 1, NULL, base);
			return true;
		}
		p += kl;
	}
	return false;
}

/* comm="name" or comm=HEX (audit hex-encodes names with odd bytes) */
static void audit_comm(const char *rec, char out[BG_COMM_LEN])
{
	const char *p = strstr(rec, " comm=");
	size_t n = 0;

	memset(out, 0, BG_COMM_LEN);
	if (!p)
		return;
	p += 6;
	if (*p == '"') {
		for (p++; *p && *p != '"' && n < BG_COMM_LEN - 1; p++)
			out[n++] = *p;
		return;
	}
	for (; isxdigit((unsigned char)p[0]) && isxdigit((unsigned char)p[1]) && n < BG_COMM_LEN - 1; p += 2) {
		char hx[3] = { p[0], p[1], 0 };

		out[n++] = (char)strtoul(hx, NULL, 16);
	}
}

/* What the policy says about nr when the record does not (a LOG record in
 * audit mode): its unconditional action if it has no argument rules. */
static struct bg_action logged_action(const struct run *r, int abi, int nr)
{
	struct bg_action log = { .verdict = BG_VERDICT_LOG };
	const struct bg_sysrules *sr;

	if (abi >= BG_NR_TABLES || nr < 0 || nr >= BG_MAX_SYSCALLS)
		return log;
	sr = &r->policy->sys[abi][nr];
	if (sr->nargrules)
		return log;
	if (sr->has_base)
		return sr->base.verdict == BG_VERDICT_ALLOW ? log : sr->base;
	return abi == BG_ABI_IA32 ? r->policy->ia32_dflt : r->policy->dflt;
}

/* The errno the filter returned for nr: the record names only the action,
 * so take it from the policy when its ERRNO rules for nr agree (0 if not). */
static uint16_t policy_errno(const struct run *r, int abi, int nr)
{
	const struct bg_sysrules *sr;
	uint16_t err = 0;

	if (abi >= BG_NR_TABLES || nr < 0 || nr >= BG_MAX_SYSCALLS)
		return 0;
	sr = &r->policy->sys[abi][nr];
	if (sr->has_base && sr->base.verdict == BG_VERDICT_ERRNO)
		err = sr->base.err;
	else if (!sr->has_base) {
		const struct bg_action *d = abi == BG_ABI_IA32 ? &r->policy->ia32_dflt : &r->policy->dflt;

		if (d->verdict == BG_VERDICT_ERRNO)
			err = d->err;
	}
	for (unsigned i = 0; i < sr->nargrules; i++) {
		const struct bg_action *a = &sr->argrules[i].action;

		if (a->verdict != BG_VERDICT_ERRNO)
			continue;
		if (err && a->err != err)
			return 0; /* two errnos: cannot tell which */
		err = a->err;
	}
	return err;
}

/* One seccomp decision into bpfguard's counters and event stream, as the
 * sys_enter judge records its own. */
static void record_event(struct run *r, const char *rec, int abi, int nr, unsigned action,
			 bool kill)
{
	unsigned long long pid = 0, uid = 0, secs = 0, ms = 0;
	struct bg_record_in in = {};
	const char *stamp;

	if (!r->recording)
		return;
	stamp = strstr(rec, "audit(");
	if (stamp && sscanf(stamp, "audit(%llu.%llu:", &secs, &ms) == 2)
		in.ts_ns = (uint64_t)((int64_t)(secs * 1000000000ULL + ms * 1000000ULL) + r->realtime_to_boot);
	field(rec, "pid", &pid, 10);
	field(rec, "uid", &uid, 10);
	in.cgid = r->payload_cgid;
	in.owner = r->payload_cgid;
	in.pid = (uint32_t)pid;
	in.tid = (uint32_t)pid; /* the record names the process only */
	in.uid = (uint32_t)uid;
	in.nr = (uint32_t)nr;
	in.abi = (uint16_t)abi;
	if (kill) {
		in.verdict = BG_VERDICT_KILL;
		in.effect = BG_EFFECT_KILL;
		in.mech = BG_MECH_SECCOMP;
	} else if (action == 0x00050000U /* ERRNO */) {
		in.verdict = BG_VERDICT_ERRNO;
		in.err = policy_errno(r, abi, nr);
		in.effect = BG_EFFECT_SECCOMP_DENY;
		in.mech = BG_MECH_SECCOMP;
	} else { /* LOG: the call ran */
		struct bg_action a = logged_action(r, abi, nr);

		in.verdict = a.verdict;
		in.err = a.err;
		in.effect = BG_EFFECT_RECORD;
		in.mech = BG_MECH_AUDIT;
	}
	audit_comm(rec, in.comm);
	bg_recorder_put(&r->rec, &in);
}

/* "audit(...): auid=0 uid=0 gid=0 ses=7 pid=123 comm="x" exe="/x" sig=31
 *  arch=c000003e syscall=101 compat=0 ip=0x... code=0x80000000" */
static void audit_record(struct run *r, const char *rec)
{
	unsigned long long ses, pid, sig = 0, arch = 0, nr, code;
	unsigned action;
	int abi;

	if (!field(rec, "pid", &pid, 10) || !field(rec, "syscall", &nr, 10) || !field(rec, "code", &code, 16))
		return;
	field(rec, "sig", &sig, 10);
	field(rec, "arch", &arch, 16);
	if (r->ses ? !field(rec, "ses", &ses, 10) || ses != r->ses : !pid_in_run(r, (long)pid))
		return;
	action = (unsigned)code & 0xffff0000U;
	if (action == 0x7fff0000U /* ALLOW */)
		return;
	abi = arch == 0x40000003ULL ? BG_ABI_IA32 : (nr & BG_X32_SYSCALL_BIT) ? BG_ABI_X32 : BG_ABI_X86_64;
	record_event(r, rec, abi, (int)(nr & ~(unsigned long long)BG_X32_SYSCALL_BIT), action,
		     sig == 31 || action == 0x80000000U || action == 0);
	/* In enforce mode a LOG record is the policy's `log` action: an
	 * event, not a denial. */
	if (action == 0x7ffc0000U /* LOG */ && r->o->mode != BG_MODE_AUDIT)
		return;
	add_denial(r, abi, (int)(nr & ~(unsigned long long)BG_X32_SYSCALL_BIT),
		   sig == 31 || action == 0x80000000U || action == 0);
	if (sig == 31 || action == 0x80000000U || action == 0) {
		r->kill_abi = abi;
		r->kill_nr = (int)nr;
	}
}

void run_audit_drain(struct run *r)
{
	char buf[16384];
	ssize_t n;

	if (r->audit_fd < 0)
		return;
	while ((n = recv(r->audit_fd, buf, sizeof(buf) - 1, 0)) > 0 || (n < 0 && errno == ENOBUFS)) {
		if (n < 0) {
			r->audit_lost++;
			continue;
		}
		/* one record per datagram; the kernel's nlmsg_len of audit
		 * records is not reliable (userspace audit ignores it too) */
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		if ((size_t)n <= NLMSG_HDRLEN)
			continue;
		buf[n] = '\0';
		if (h->nlmsg_type == AUDIT_SECCOMP)
			audit_record(r, (char *)NLMSG_DATA(h));
		else if (h->nlmsg_type == AUDIT_USER_AVC && strstr((char *)NLMSG_DATA(h), r->id) &&
			 strstr((char *)NLMSG_DATA(h), "bpfguard-run-end"))
			r->marker_seen = true;
	}
}

/*
 * kauditd delivers records asynchronously, in order.  To know that every
 * seccomp record of the run has arrived, send a record of our own through
 * the same queue after the payload ended (AUDIT_USER_AVC: accepted even
 * while auditing is disabled; needs CAP_AUDIT_WRITE) and read until it
 * comes back.  Without it, wait for a short quiet period.
 */
void run_audit_sync(struct run *r)
{
	struct {
		struct nlmsghdr h;
		char text[128];
	} m = {};
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	int fd, len;
	bool sent = false;

	if (r->audit_fd < 0)
		return;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (fd >= 0) {
		len = snprintf(m.text, sizeof(m.text), "bpfguard-run-end %s", r->id) + 1;
		m.h.nlmsg_len = NLMSG_LENGTH(len);
		m.h.nlmsg_type = AUDIT_USER_AVC;
		m.h.nlmsg_flags = NLM_F_REQUEST;
		sent = sendto(fd, &m, m.h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) > 0;
		close(fd);
	}
	for (int waited = 0; waited < (sent ? 500 : 20) && !r->marker_seen;) {
		struct pollfd p = { .fd = r->audit_fd, .events = POLLIN };
		int step = sent ? 50 : 5;

		if (poll(&p, 1, step) > 0)
			run_audit_drain(r);
		else if (!sent)
			break; /* quiet */
		else
			waited += step;
	}
}
