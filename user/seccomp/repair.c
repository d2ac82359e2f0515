// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * repair.c - the cBPF program libseccomp 2.5.4 generates, read back,
 * checked by a data-flow pass over the accumulator, repaired where
 * libseccomp compares a word it did not load, and laid out again.
 *
 * Separate from the compiler because it works on the generated program,
 * not on the policy: it knows cBPF and one libseccomp bug, and would stay
 * (or go) with the libseccomp version, whatever the compiler does.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vec.h"
#include "repair.h"

#define CS_MAX_INSNS 4096  /* BPF_MAXINSNS: the kernel refuses longer filters */

/* ------------------------------------------------------------------ */
/* The generated program: checked, and repaired where libseccomp 2.5.4
 * gets the accumulator wrong.
 *
 * libseccomp skips the load of an argument word when the previous node on
 * the same tree level already loaded it ("acc_start" of the block).  That
 * block is also the fall-through target of the previous node's subtree,
 * which may have loaded other words; libseccomp re-checks the accumulator
 * only for the first jump it lays out into the block.  The result compares
 * the wrong word (seen here: the low word of arg3 tested as if it were the
 * low word of arg0).  So every program goes through a data-flow pass that
 * tracks what A holds on every path; where paths with different contents
 * meet before A is read, the load libseccomp meant (the earliest word in
 * its chain order: deeper nodes only test later words) is inserted, and
 * the program is re-laid out.  The result is checked again; anything the
 * pass does not understand is refused rather than loaded. */

#define ACC_UNDEF (-1)

struct acc {
	int32_t off; /* offset loaded into A, or ACC_UNDEF */
	uint32_t mask;
};

/* Order of words in libseccomp's chains: arch, nr, then per argument the
 * high word before the low one. */
static int acc_order(int32_t off)
{
	if (off == (int32_t)offsetof(struct seccomp_data, arch))
		return 0;
	if (off == (int32_t)offsetof(struct seccomp_data, nr))
		return 1;
	int rel = off - (int32_t)offsetof(struct seccomp_data, args);

	return 2 + (rel / 8) * 2 + (rel % 8 == 4 ? 0 : 1);
}

struct flow {
	bool seen, overflow;
	unsigned n;        /* distinct states A may hold on entry */
	struct acc alt[8];
};

static void flow_add(struct flow *fl, struct acc in)
{
	for (unsigned i = 0; i < fl->n; i++)
		if (fl->alt[i].off == in.off && fl->alt[i].mask == in.mask)
			return;
	if (fl->n < sizeof(fl->alt) / sizeof(fl->alt[0]))
		fl->alt[fl->n++] = in;
	else
		fl->overflow = true;
}

static void flow_merge(struct flow *to, const struct flow *from)
{
	to->seen = true;
	to->overflow |= from->overflow;
	for (unsigned i = 0; i < from->n; i++)
		flow_add(to, from->alt[i]);
}

static bool reads_a(const struct sock_filter *f)
{
	switch (BPF_CLASS(f->code)) {
	case BPF_ALU:
		return true;
	case BPF_JMP:
		return BPF_OP(f->code) != BPF_JA;
	case BPF_RET:
		return BPF_RVAL(f->code) == BPF_A;
	}
	return false;
}

/* Runs the data-flow pass.  For every instruction where paths with
 * different accumulator contents meet and A is read before being
 * reloaded, fix[pc] gets the state to reload (off >= 0).  Returns the
 * number of such places, or -1 (with why) for a program it does not
 * understand. */
static int acc_flow(const struct sock_filter *f, size_t n, struct acc *fix, const char **why)
{
	struct flow *fl = calloc(n, sizeof(*fl));
	int nfix = 0;

	if (!fl) {
		*why = "out of memory";
		return -1;
	}
	for (size_t pc = 0; pc < n; pc++)
		fix[pc].off = ACC_UNDEF;
	fl[0].seen = true;
	flow_add(&fl[0], (struct acc){ .off = ACC_UNDEF });
	for (size_t pc = 0; pc < n; pc++) {
		const struct sock_filter *i = &f[pc];
		struct flow cur;

		if (!fl[pc].seen)
			continue;
		cur = fl[pc];
		/* Too many states to track is fine where A is not read (the
		 * shared return blocks). */
		if (cur.overflow && reads_a(i))
			goto bad;
		if (cur.n > 1 && reads_a(i)) {
			/* the load libseccomp meant: the earliest word */
			const struct acc *best = NULL;

			for (unsigned a = 0; a < cur.n; a++) {
				const struct acc *st = &cur.alt[a];

				if (st->off < 0)
					goto bad;
				if (!best || acc_order(st->off) < acc_order(best->off))
					best = st;
			}
			for (unsigned a = 0; a < cur.n; a++)
				if (cur.alt[a].off == best->off && cur.alt[a].mask != best->mask)
					goto bad;
			fix[pc] = *best;
			cur.n = 1;
			cur.alt[0] = fix[pc];
			nfix++;
		}
		switch (BPF_CLASS(i->code)) {
		case BPF_LD:
			if (i->code != (BPF_LD | BPF_W | BPF_ABS) || i->k % 4 ||
			    i->k + 4 > sizeof(struct seccomp_data))
				goto bad;
			cur.n = 1;
			cur.alt[0] = (struct acc){ .off = (int32_t)i->k, .mask = UINT32_MAX };
			break;
		case BPF_ALU:
			if (i->code != (BPF_ALU | BPF_AND | BPF_K) || cur.alt[0].off < 0)
				goto bad;
			cur.alt[0].mask &= i->k;
			break;
		case BPF_JMP:
			if (BPF_OP(i->code) == BPF_JA) {
				if (pc + 1 + i->k >= n)
					goto bad;
				flow_merge(&fl[pc + 1 + i->k], &cur);
				continue;
			}
			if (BPF_SRC(i->code) != BPF_K || cur.alt[0].off < 0 ||
			    pc + 1 + i->jt >= n || pc + 1 + i->jf >= n)
				goto bad;
			flow_merge(&fl[pc + 1 + i->jt], &cur);
			flow_merge(&fl[pc + 1 + i->jf], &cur);
			continue;
		case BPF_RET:
			if (BPF_RVAL(i->code) != BPF_K)
				goto bad;
			continue;
		default:
			goto bad;
		}
		if (pc + 1 >= n)
			goto bad;
		flow_merge(&fl[pc + 1], &cur);
	}
	free(fl);
	return nfix;
bad:
	free(fl);
	*why = "unexpected instruction or accumulator state";
	return -1;
}

/* One instruction while re-laying out: jump targets are instruction ids. */
struct rins {
	struct sock_filter f;
	int t, e; /* ids: true/else targets of a conditional jump, t for JA */
};

struct rprog {
	struct rins *ins; /* by id */
	int *order;       /* ids in program order */
	size_t n, cap;
};

static int rp_add(struct rprog *rp, struct rins in)
{
	if (rp->n == rp->cap) {
		/* two arrays indexed alike: grow both to one new capacity */
		size_t cap_ins = rp->cap, cap_order = rp->cap;

		if (BG_VEC_RESERVE(rp->ins, cap_ins, rp->n + 1) || BG_VEC_RESERVE(rp->order, cap_order, rp->n + 1))
			return -1;
		rp->cap = cap_ins < cap_order ? cap_ins : cap_order;
	}
	rp->ins[rp->n] = in;
	rp->order[rp->n] = (int)rp->n;
	return (int)rp->n++;
}

static bool is_cond_jump(const struct sock_filter *f)
{
	return BPF_CLASS(f->code) == BPF_JMP && BPF_OP(f->code) != BPF_JA;
}

/* Inserts the reloads, then lays the program out again, adding a JA
 * trampoline after any conditional jump whose target moved beyond 255. */
static int relayout(const struct sock_filter *f, size_t n, const struct acc *fix,
		    struct sock_filter **out, size_t *outn)
{
	struct rprog rp = { 0 };
	int *first = malloc(n * sizeof(*first)); /* old pc -> id jumps to it land on */
	int *orig = malloc(n * sizeof(*orig));   /* old pc -> id of the instruction */
	int *pos = NULL;
	int ret = -1;

	if (!first || !orig)
		goto out;
	for (size_t pc = 0; pc < n; pc++) {
		first[pc] = -1;
		if (fix[pc].off >= 0) {
			struct rins ld = { .f = BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)fix[pc].off),
					   .t = -1, .e = -1 };

			first[pc] = rp_add(&rp, ld);
			if (first[pc] < 0)
				goto out;
			if (fix[pc].mask != UINT32_MAX) {
				struct rins and = { .f = BPF_STMT(BPF_ALU | BPF_AND | BPF_K, fix[pc].mask),
						    .t = -1, .e = -1 };

				if (rp_add(&rp, and) < 0)
					goto out;
			}
		}
		orig[pc] = rp_add(&rp, (struct rins){ .f = f[pc], .t = -1, .e = -1 });
		if (orig[pc] < 0)
			goto out;
		if (first[pc] < 0)
			first[pc] = orig[pc];
	}
	for (size_t pc = 0; pc < n; pc++) {
		struct rins *ri = &rp.ins[orig[pc]];

		if (BPF_CLASS(f[pc].code) != BPF_JMP)
			continue;
		if (BPF_OP(f[pc].code) == BPF_JA) {
			ri->t = first[pc + 1 + f[pc].k];
		} else {
			ri->t = first[pc + 1 + f[pc].jt];
			ri->e = first[pc + 1 + f[pc].jf];
		}
	}

	for (;;) {
		bool grew = false;

		free(pos);
		pos = malloc(rp.n * sizeof(*pos));
		if (!pos)
			goto out;
		for (size_t i = 0; i < rp.n; i++)
			pos[rp.order[i]] = (int)i;
		for (size_t i = 0; i < rp.n && !grew; i++) {
			int id = rp.order[i];

			if (!is_cond_jump(&rp.ins[id].f))
				continue;
			for (int which = 0; which < 2 && !grew; which++) {
				int tgt = which ? rp.ins[id].e : rp.ins[id].t;

				if (pos[tgt] - (int)i - 1 <= 255)
					continue;
				struct rins ja = { .f = BPF_STMT(BPF_JMP | BPF_JA, 0), .t = tgt, .e = -1 };
				int tid = rp_add(&rp, ja);

				if (tid < 0)
					goto out;
				/* move it right after the jump */
				memmove(&rp.order[i + 2], &rp.order[i + 1], (rp.n - 1 - (i + 1)) * sizeof(int));
				rp.order[i + 1] = tid;
				if (which)
					rp.ins[id].e = tid;
				else
					rp.ins[id].t = tid;
				grew = true;
			}
		}
		if (!grew)
			break;
	}

	struct sock_filter *p = malloc(rp.n * sizeof(*p));

	if (!p)
		goto out;
	for (size_t i = 0; i < rp.n; i++) {
		const struct rins *ri = &rp.ins[rp.order[i]];

		p[i] = ri->f;
		if (BPF_CLASS(ri->f.code) != BPF_JMP)
			continue;
		if (BPF_OP(ri->f.code) == BPF_JA) {
			p[i].k = (uint32_t)(pos[ri->t] - (int)i - 1);
		} else {
			p[i].jt = (uint8_t)(pos[ri->t] - (int)i - 1);
			p[i].jf = (uint8_t)(pos[ri->e] - (int)i - 1);
		}
	}
	*out = p;
	*outn = rp.n;
	ret = 0;
out:
	free(pos);
	free(first);
	free(orig);
	free(rp.ins);
	free(rp.order);
	return ret;
}

/* The program to load or export: libseccomp's, checked and repaired.
 * 0, or -errno with a message in d. */
int cs_build_program(scmp_filter_ctx ctx, struct sock_filter **out, size_t *outn,
			 unsigned *nfixed, struct bg_diag *d)
{
	int fd = memfd_create("bpfguard-seccomp", MFD_CLOEXEC);
	struct sock_filter *f = NULL, *g = NULL;
	struct acc *fix = NULL;
	const char *why = NULL;
	struct stat sb;
	size_t n = 0, gn = 0;
	int r;

	*out = NULL;
	*outn = 0;
	if (nfixed)
		*nfixed = 0;
	if (fd < 0) {
		r = -errno;
		bg_diag_set(d, "memfd_create: %s", strerror(-r));
		return r;
	}
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0) {
		bg_diag_set(d, "libseccomp cannot generate the filter: %s", strerror(-r));
		goto out;
	}
	if (fstat(fd, &sb)) {
		r = -errno;
		bg_diag_set(d, "fstat: %s", strerror(-r));
		goto out;
	}
	n = (size_t)sb.st_size / sizeof(*f);
	if (n == 0 || (size_t)sb.st_size % sizeof(*f) || n > 65536) {
		r = -EINVAL;
		bg_diag_set(d, "libseccomp generated a program of %lld bytes", (long long)sb.st_size);
		goto out;
	}
	f = malloc(n * sizeof(*f));
	fix = malloc(n * sizeof(*fix));
	if (!f || !fix) {
		r = -ENOMEM;
		bg_diag_set(d, "out of memory");
		goto out;
	}
	if (pread(fd, f, n * sizeof(*f), 0) != (ssize_t)(n * sizeof(*f))) {
		r = -EIO;
		bg_diag_set(d, "cannot read back the generated program");
		goto out;
	}
	int nfix = acc_flow(f, n, fix, &why);

	if (nfix < 0) {
		r = -EINVAL;
		bg_diag_set(d, "cannot verify the program libseccomp generated: %s", why);
		goto out;
	}
	if (nfix > 0) {
		if (relayout(f, n, fix, &g, &gn)) {
			r = -ENOMEM;
			bg_diag_set(d, "out of memory");
			goto out;
		}
		struct acc *fix2 = realloc(fix, gn * sizeof(*fix2));

		if (!fix2) {
			r = -ENOMEM;
			bg_diag_set(d, "out of memory");
			goto out;
		}
		fix = fix2;
		if (acc_flow(g, gn, fix, &why) != 0) {
			r = -EINVAL;
			bg_diag_set(d, "cannot repair the program libseccomp generated");
			goto out;
		}
		free(f);
		f = g;
		g = NULL;
		n = gn;
		if (nfixed)
			*nfixed = (unsigned)nfix;
	}
	if (n > CS_MAX_INSNS) {
		r = -E2BIG;
		bg_diag_set(d, "the seccomp filter has %zu instructions; the kernel takes at most %d",
			    n, CS_MAX_INSNS);
		goto out;
	}
	*out = f;
	*outn = n;
	f = NULL;
	r = 0;
out:
	close(fd);
	free(f);
	free(g);
	free(fix);
	return r;
}
