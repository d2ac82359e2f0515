// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * derive.c - syscall numbers from a Go binary's machine code (derive.h).
 *
 * Decoder: Capstone 4 (Debian's libcapstone-dev), not Zydis: Debian ships
 * Capstone as a static library too (libcapstone.a, with a pkg-config file),
 * which the -static build for the VM guest needs; libzydis-dev has neither.
 * Capstone's per-instruction register access lists (cs_regs_access) give
 * the implicit writes (CPUID, MUL, CDQ, ...) that a hand-made table would
 * miss.
 *
 * The analysis is a linear sweep per function with a tiny constant
 * propagation: for each of the 16 general registers, the constant it holds
 * (set by MOV reg, imm / XOR reg, reg / MOV reg, reg) and the address of
 * the instruction that set it; and the same for the stack slot 0(SP) (the
 * first argument before the register ABI).  Any other write forgets the
 * register; a CALL forgets everything (Go's ABI has no callee-saved
 * registers); a JMP or RET ends the straight line.  A branch target is
 * where a new basic block starts: once the function is decoded, a
 * constant whose definition is separated from its use by a branch target
 * (some other path reaches the use) is not trusted and the site is
 * unresolved.  Indirect jump targets (jump tables) are not known here: see
 * docs/derive.md.
 */
#include "capstone_fns.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "derive.h"
#include "vec.h"

#define NGPR 16
#define NSLOT 7       /* 0(SP) .. 48(SP): the trap and six arguments of the stack ABI */
#define SLOT NGPR     /* slot k (k(SP) * 8) is tracked as register 16 + k */
#define SLOTS (((1u << NSLOT) - 1) << SLOT)
#define NREG (NGPR + NSLOT)
#define DROP 0xff /* a site's kind while it is being removed */

struct cstate {
	uint64_t val[NREG];
	uint64_t def[NREG]; /* address of the first instruction of its chain */
	uint32_t known;     /* bit i: val[i] is a constant */
	uint32_t global;    /* bit i: ... read from a writable global's initial value */
};

/* Where the six syscall arguments are at a site (register numbers of
 * gpr_w's order, or SLOT + k): the kernel's convention at a SYSCALL; the
 * register ABI's integer argument order after the trap (RAX) at a call
 * of a wrapper; the stack slots after 0(SP) with ABI0.  Every wrapper
 * takes (trap, a1, a2, a3, ...) in that order, so a1 is always the
 * syscall's first argument; a wrapper with fewer than six passes zeros
 * for the rest, which is why only the first ones are used for conditions
 * (derive_policy.c). */
static const uint8_t args_syscall[BG_DERIVE_NARGS] = { 7, 6, 2, 10, 8, 9 }; /* RDI RSI RDX R10 R8 R9 */
static const uint8_t args_regabi[BG_DERIVE_NARGS] = { 3, 1, 7, 6, 8, 9 };   /* RBX RCX RDI RSI R8 R9 */
static const uint8_t args_stack[BG_DERIVE_NARGS] = { SLOT + 1, SLOT + 2, SLOT + 3,
						     SLOT + 4, SLOT + 5, SLOT + 6 };

/* Capstone register -> general register index, and whether a write to it
 * sets the whole register (64- and 32-bit writes do; 8/16-bit ones merge). */
static int gpr_w(x86_reg r, bool *full, bool *w32)
{
	static const x86_reg r64[NGPR] = { X86_REG_RAX, X86_REG_RCX, X86_REG_RDX, X86_REG_RBX,
					   X86_REG_RSP, X86_REG_RBP, X86_REG_RSI, X86_REG_RDI,
					   X86_REG_R8,  X86_REG_R9,  X86_REG_R10, X86_REG_R11,
					   X86_REG_R12, X86_REG_R13, X86_REG_R14, X86_REG_R15 };
	static const x86_reg r32[NGPR] = { X86_REG_EAX, X86_REG_ECX, X86_REG_EDX, X86_REG_EBX,
					   X86_REG_ESP, X86_REG_EBP, X86_REG_ESI, X86_REG_EDI,
					   X86_REG_R8D, X86_REG_R9D, X86_REG_R10D, X86_REG_R11D,
					   X86_REG_R12D, X86_REG_R13D, X86_REG_R14D, X86_REG_R15D };
	static const x86_reg r16[NGPR] = { X86_REG_AX,  X86_REG_CX,  X86_REG_DX,  X86_REG_BX,
					   X86_REG_SP,  X86_REG_BP,  X86_REG_SI,  X86_REG_DI,
					   X86_REG_R8W, X86_REG_R9W, X86_REG_R10W, X86_REG_R11W,
					   X86_REG_R12W, X86_REG_R13W, X86_REG_R14W, X86_REG_R15W };
	static const x86_reg r8[NGPR] = { X86_REG_AL,  X86_REG_CL,  X86_REG_DL,  X86_REG_BL,
					  X86_REG_SPL, X86_REG_BPL, X86_REG_SIL, X86_REG_DIL,
					  X86_REG_R8B, X86_REG_R9B, X86_REG_R10B, X86_REG_R11B,
					  X86_REG_R12B, X86_REG_R13B, X86_REG_R14B, X86_REG_R15B };

	*w32 = false;
	for (int i = 0; i < NGPR; i++) {
		if (r == r64[i] || r == r32[i]) {
			*full = true;
			*w32 = r == r32[i];
			return i;
		}
		if (r == r16[i] || r == r8[i]) {
			*full = false;
			return i;
		}
	}
	switch (r) {
	case X86_REG_AH: *full = false; return 0;
	case X86_REG_CH: *full = false; return 1;
	case X86_REG_DH: *full = false; return 2;
	case X86_REG_BH: *full = false; return 3;
	default: return -1;
	}
}

static int gpr(x86_reg r, bool *full)
{
	bool w32;

	return gpr_w(r, full, &w32);
}

static bool is32(x86_reg r)
{
	bool full, w32;

	return gpr_w(r, &full, &w32) >= 0 && w32;
}

/* Code at a virtual address, only in an executable PT_LOAD segment. */
static bool code_at(const struct bg_elf *e, uint64_t addr, const uint8_t **data, size_t *avail)
{
	for (size_t i = 0; i < e->phnum; i++) {
		struct bg_elf_phdr ph;
		uint64_t rel, off, n;

		if (!bg_elf_phdr(e, i, &ph) || ph.type != BG_PT_LOAD || !(ph.flags & BG_PF_X) || addr < ph.vaddr)
			continue;
		rel = addr - ph.vaddr;
		if (rel >= ph.filesz || __builtin_add_overflow(ph.offset, rel, &off) || off >= e->len)
			continue;
		n = ph.filesz - rel;
		if (n > e->len - off)
			n = e->len - off;
		*data = e->buf + off;
		*avail = (size_t)n;
		return true;
	}
	return false;
}

static void set_const(struct cstate *s, int i, uint64_t v, uint64_t def)
{
	s->val[i] = v;
	s->def[i] = def;
	s->known |= 1u << i;
	s->global &= ~(1u << i);
}

/* The value a RIP-relative load reads from the file: true for read-only
 * data (a constant) and for a writable segment (the variable's initial
 * value: Go 1.19's internal/syscall/unix.FcntlSyscall is such a variable;
 * *writable tells the caller). */
static bool load_global(const struct bg_elf *e, uint64_t addr, unsigned width, uint64_t *v, bool *writable)
{
	for (size_t i = 0; i < e->phnum; i++) {
		struct bg_elf_phdr ph;
		const uint8_t *p;
		size_t avail;

		if (!bg_elf_phdr(e, i, &ph) || ph.type != BG_PT_LOAD || (ph.flags & BG_PF_X) || addr < ph.vaddr ||
		    addr - ph.vaddr >= ph.filesz)
			continue;
		if (!bg_elf_vaddr(e, addr, &p, &avail) || avail < width)
			return false;
		*v = bg_elf_rd(e, p, width);
		*writable = ph.flags & BG_PF_W;
		return true;
	}
	return false;
}

/* Which tracked stack slot this memory operand is exactly (k(SP) * 8),
 * -1 if none. */
static int sp_slot(const cs_x86_op *o)
{
	if (o->type != X86_OP_MEM || o->mem.base != X86_REG_RSP || o->mem.index != X86_REG_INVALID ||
	    o->mem.segment != X86_REG_INVALID || o->mem.disp < 0 || o->mem.disp % 8 || o->mem.disp / 8 >= NSLOT)
		return -1;
	return (int)(o->mem.disp / 8);
}

/* The tracked slots a write through this memory operand may overlap: the
 * ones its bytes cover when it is SP-relative without an index, all of
 * them for any other base but RIP (a pointer may point into the frame). */
static uint32_t slots_hit(const cs_x86_op *o)
{
	uint32_t m = 0;

	if (o->type != X86_OP_MEM || !(o->access & CS_AC_WRITE) || o->mem.base == X86_REG_RIP)
		return 0;
	if (o->mem.base != X86_REG_RSP || o->mem.index != X86_REG_INVALID)
		return SLOTS;
	for (int k = 0; k < NSLOT; k++) {
		int64_t lo = 8 * k, size = o->size ? o->size : 8;

		if (o->mem.disp < lo + 8 && o->mem.disp + size > lo)
			m |= 1u << (SLOT + k);
	}
	return m;
}

/* Updates the constants for one instruction that is not a branch. */
static void step(csh h, const struct bg_elf *e, const cs_insn *in, struct cstate *s)
{
	const cs_x86 *x = &in->detail->x86;
	cs_regs rr, rw;
	uint8_t nr = 0, nw = 0;
	bool full;
	int d, src;

	/* Recognised constant moves first. */
	if (x->op_count == 2 && x->operands[0].type == X86_OP_REG) {
		d = gpr(x->operands[0].reg, &full);
		if (d >= 0 && full && d != 4) {
			const cs_x86_op *o1 = &x->operands[1];
			uint64_t mask = is32(x->operands[0].reg) ? 0xffffffffull : ~0ull;

			if (in->id == X86_INS_MOV && o1->type == X86_OP_IMM) {
				set_const(s, d, (uint64_t)o1->imm & mask, in->address);
				return;
			}
			if (in->id == X86_INS_MOV && o1->type == X86_OP_REG) {
				bool f2;

				src = gpr(o1->reg, &f2);
				if (src >= 0 && f2 && (s->known & (1u << src))) {
					bool g = s->global & (1u << src);

					set_const(s, d, s->val[src] & mask, s->def[src]);
					s->global |= (uint32_t)g << d;
					return;
				}
			}
			if (in->id == X86_INS_MOV && o1->type == X86_OP_MEM && o1->mem.base == X86_REG_RIP &&
			    o1->mem.index == X86_REG_INVALID && o1->mem.segment == X86_REG_INVALID &&
			    (o1->size == 4 || o1->size == 8)) {
				uint64_t v, at = in->address + in->size + (uint64_t)o1->mem.disp;
				bool w;

				if (load_global(e, at, o1->size, &v, &w)) {
					set_const(s, d, v & mask, in->address);
					if (w)
						s->global |= 1u << d;
					return;
				}
			}
			if ((in->id == X86_INS_XOR || in->id == X86_INS_SUB) && o1->type == X86_OP_REG &&
			    o1->reg == x->operands[0].reg) {
				set_const(s, d, 0, in->address);
				return;
			}
		}
	}
	/* The argument slots of the stack ABI.  0(SP) (the trap: its low 32
	 * bits are the number) may be set by a 4-byte store; an argument slot
	 * only by an 8-byte one, or its high half is unknown. */
	if (in->id == X86_INS_MOV && x->op_count == 2 && (d = sp_slot(&x->operands[0])) >= 0 &&
	    x->operands[0].size >= (d == 0 ? 4 : 8)) {
		const cs_x86_op *o1 = &x->operands[1];
		bool f2;

		if (o1->type == X86_OP_IMM) {
			set_const(s, SLOT + d, (uint64_t)o1->imm, in->address);
			return;
		}
		if (o1->type == X86_OP_REG && (src = gpr(o1->reg, &f2)) >= 0 && f2 && (s->known & (1u << src))) {
			bool g = s->global & (1u << src);

			set_const(s, SLOT + d, s->val[src], s->def[src]);
			s->global |= (uint32_t)g << (SLOT + d);
			return;
		}
		s->known &= ~(1u << (SLOT + d));
		return;
	}
	/* Anything else: forget what it writes. */
	if (cs_regs_access(h, in, rr, &nr, rw, &nw) == CS_ERR_OK) {
		for (uint8_t i = 0; i < nw; i++) {
			d = gpr((x86_reg)rw[i], &full);
			if (d >= 0)
				s->known &= ~(1u << d);
			if (d == 4)
				s->known &= ~SLOTS; /* SP moved: k(SP) are other slots */
		}
	} else {
		s->known = 0;
	}
	for (uint8_t i = 0; i < x->op_count; i++)
		s->known &= ~slots_hit(&x->operands[i]);
}

static const char *const wrappers[] = {
	"syscall.Syscall", "syscall.Syscall6", "syscall.RawSyscall", "syscall.RawSyscall6",
	"syscall.rawVforkSyscall", "syscall.rawSyscallNoError",
	"syscall.AllThreadsSyscall", "syscall.AllThreadsSyscall6",
	"syscall.runtime_doAllThreadsSyscall", "runtime.syscall_runtime_doAllThreadsSyscall",
	"runtime/internal/syscall.Syscall6", "internal/runtime/syscall.Syscall6",
	"internal/runtime/syscall/linux.Syscall6",
	NULL
};
/* Functions that replay a number another site passed (the AllThreadsSyscall
 * machinery: the number was taken at the syscall.AllThreadsSyscall call
 * site): their own SYSCALLs and wrapper calls are not sites. */
static const char *const replayers[] = {
	"runtime.runPerThreadSyscall", "runtime.doAllThreadsSyscall", NULL
};

static const char *const xsys[] = {
	"Syscall", "Syscall6", "RawSyscall", "RawSyscall6", "SyscallNoError", "RawSyscallNoError", NULL
};

/* How many syscall arguments wrapper `name` passes on: the arguments after
 * them at a call are leftovers, not the call's.  rawVforkSyscall took one
 * before Go 1.21 and three since: one is what every version passes. */
static uint8_t wrapper_nargs(const char *name)
{
	size_t n = strlen(name);

	if (n > 5 && !strcmp(name + n - 5, ".abi0"))
		n -= 5;
	if (n > 0 && name[n - 1] == '6')
		return 6;
	if (n >= 15 && !strncmp(name + n - 15, "rawVforkSyscall", 15))
		return 1;
	return 3;
}

bool bg_derive_is_wrapper(const char *name)
{
	static const char xpkg[] = "golang.org/x/sys/unix.";
	size_t n = strlen(name);
	const char *p;

	/* an ABI0 function is sometimes named with its ABI */
	if (n > 5 && !strcmp(name + n - 5, ".abi0"))
		n -= 5;
	for (int i = 0; wrappers[i]; i++)
		if (strlen(wrappers[i]) == n && !strncmp(name, wrappers[i], n))
			return true;
	/* golang.org/x/sys/unix, also vendored (vendor/golang.org/...) */
	p = strstr(name, xpkg);
	if (!p || (p != name && p[-1] != '/'))
		return false;
	p += sizeof(xpkg) - 1;
	for (int i = 0; xsys[i]; i++)
		if ((size_t)(name + n - p) == strlen(xsys[i]) && !strncmp(p, xsys[i], strlen(xsys[i])))
			return true;
	return false;
}

const char *bg_derive_func_name(const struct bg_derive *dv, uint32_t i)
{
	struct bg_pcln_func f;

	if (i >= dv->tab.nfunc)
		return "?";
	bg_pcln_func(&dv->tab, i, &f);
	return f.name;
}

/* Where a site's constants were set: a branch target in between makes
 * them untrusted (decode_func). */
struct sdefs {
	uint64_t nr;
	uint64_t arg[BG_DERIVE_NARGS];
};

struct ctx {
	csh h;
	cs_insn *in;
	struct bg_derive *dv;
	size_t cap;
	uint64_t *targets; /* branch targets of the current function */
	size_t ntargets, tcap;
	struct sdefs *defs; /* per site of the current function */
	size_t dcap;
	bool *is_wrapper;  /* per function */
	uint8_t *nargs;    /* per wrapper: how many syscall arguments it passes */
	bool *is_replayer; /* per function: no sites in it (replayers[]) */
};

/* Adds site st with its number's definition at def and its arguments
 * taken from the registers or slots at[] of state s. */
static int add_site(struct ctx *c, struct bg_derive_site *st, uint64_t def, const uint8_t at[BG_DERIVE_NARGS],
		    const uint8_t *also, const struct cstate *s, size_t first)
{
	struct bg_derive *dv = c->dv;
	int nargs = st->kind == BG_DERIVE_WRAPPER ? c->nargs[st->callee] : BG_DERIVE_NARGS;
	struct sdefs *sd;

	if (BG_VEC_RESERVE(dv->sites, c->cap, dv->nsites + 1) ||
	    BG_VEC_RESERVE(c->defs, c->dcap, dv->nsites + 1 - first))
		return -1;
	sd = &c->defs[dv->nsites - first];
	memset(sd, 0, sizeof(*sd));
	sd->nr = def;
	st->argknown = 0;
	memset(st->arg, 0, sizeof(st->arg));
	for (int k = 0; at && k < nargs; k++) {
		/* an argument read from a variable's initial value is not a
		 * constant of the call: the variable may change */
		if (!(s->known & (1u << at[k])) || (s->global & (1u << at[k])))
			continue;
		/* the trap was in both RAX and 0(SP): either ABI may be the
		 * call's, so an argument is known only if both agree */
		if (also && (!(s->known & (1u << also[k])) || (s->global & (1u << also[k])) ||
			     s->val[also[k]] != s->val[at[k]]))
			continue;
		st->argknown |= (uint8_t)(1u << k);
		st->arg[k] = s->val[at[k]];
		sd->arg[k] = s->def[at[k]];
	}
	dv->sites[dv->nsites++] = *st;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Is there a branch target in (lo, hi]? */
static bool target_between(const struct ctx *c, uint64_t lo, uint64_t hi)
{
	size_t a = 0, b = c->ntargets;

	while (a < b) { /* first target > lo */
		size_t m = a + (b - a) / 2;

		if (c->targets[m] <= lo)
			a = m + 1;
		else
			b = m;
	}
	return a < c->ntargets && c->targets[a] <= hi;
}

/*
 * The trap number of a wrapper call: the first integer argument, RAX with
 * the register ABI, 0(SP) with the stack ABI.  Which one a call uses is
 * not a property of the binary's Go version alone: from Go 1.17 a Go
 * function calls an assembly function of its own package with ABI0
 * directly (Go 1.19's syscall.forkAndExecInChild1 stores the number of
 * rawSyscallNoError/rawVforkSyscall at 0(SP)), everything else with the
 * register ABI.  So both are looked at: the one that holds a constant;
 * both constants and different: both numbers (a superset, never a miss).
 * Returns how many numbers it put in nr[] (0: unresolved).
 */
static int trap_args(const struct cstate *s, int64_t nr[2], bool glob[2], uint64_t def[2], const uint8_t *at[2])
{
	bool rax = s->known & 1u, slot = s->known & (1u << SLOT);
	int n = 0;

	if (rax) {
		nr[n] = (int64_t)(s->val[0] & 0xffffffff);
		glob[n] = s->global & 1u;
		at[n] = args_regabi;
		def[n++] = s->def[0];
	}
	if (slot && (!rax || (s->val[SLOT] & 0xffffffff) != (s->val[0] & 0xffffffff))) {
		nr[n] = (int64_t)(s->val[SLOT] & 0xffffffff);
		glob[n] = s->global & (1u << SLOT);
		at[n] = args_stack;
		def[n++] = s->def[SLOT];
	}
	return n;
}

static int decode_func(struct ctx *c, uint32_t fi)
{
	struct bg_derive *dv = c->dv;
	struct bg_pcln_func f;
	const uint8_t *code, *p;
	size_t avail, size, first = dv->nsites;
	uint64_t addr;
	struct cstate s = {};

	bg_pcln_func(&dv->tab, fi, &f);
	if (!code_at(&dv->elf, f.entry, &code, &avail) || avail == 0) {
		dv->funcs_unmapped++;
		return 0;
	}
	size = f.end - f.entry < avail ? (size_t)(f.end - f.entry) : avail;
	dv->funcs_decoded++;
	dv->code_bytes += size;
	c->ntargets = 0;
	p = code;
	addr = f.entry;
	while (size > 0) {
		const cs_x86 *x;

		if (!cs_disasm_iter(c->h, &p, &size, &addr, c->in)) {
			/* undecodable byte (data, padding): skip it and forget */
			p++, size--, addr++;
			dv->bad_bytes++;
			s.known = 0;
			continue;
		}
		dv->instructions++;
		x = &c->in->detail->x86;
		if (cs_insn_group(c->h, c->in, X86_GRP_JUMP)) {
			if (x->op_count == 1 && x->operands[0].type == X86_OP_IMM) {
				if (BG_VEC_RESERVE(c->targets, c->tcap, c->ntargets + 1))
					return -1;
				c->targets[c->ntargets++] = (uint64_t)x->operands[0].imm;
			}
			if (c->in->id == X86_INS_JMP || c->in->id == X86_INS_LJMP)
				s.known = 0; /* what follows is reached from elsewhere */
			continue;
		}
		if (cs_insn_group(c->h, c->in, X86_GRP_RET) || c->in->id == X86_INS_UD2 ||
		    c->in->id == X86_INS_INT3 || c->in->id == X86_INS_HLT) {
			s.known = 0;
			continue;
		}
		if (c->in->id == X86_INS_SYSCALL) {
			if (!c->is_wrapper[fi] && !c->is_replayer[fi]) {
				struct bg_derive_site st = { .pc = c->in->address, .func = fi, .callee = fi,
							     .kind = BG_DERIVE_SYSCALL,
							     .nr = (s.known & 1u) ? (int64_t)(s.val[0] & 0xffffffff) : -1,
							     .from_global = (s.known & s.global & 1u) != 0 };

				if (add_site(c, &st, s.def[0], args_syscall, NULL, &s, first))
					return -1;
			}
			s.known &= ~((1u << 0) | (1u << 1) | (1u << 11)); /* RAX, RCX, R11 */
			continue;
		}
		if (cs_insn_group(c->h, c->in, X86_GRP_CALL)) {
			if (x->op_count == 1 && x->operands[0].type == X86_OP_IMM && !c->is_wrapper[fi] &&
			    !c->is_replayer[fi]) {
				long callee = bg_pcln_lookup(&dv->tab, (uint64_t)x->operands[0].imm);

				if (callee >= 0 && c->is_wrapper[callee]) {
					int64_t nrs[2];
					bool glob[2];
					uint64_t defs[2];
					const uint8_t *at[2];
					int k = trap_args(&s, nrs, glob, defs, at);
					bool both = k == 1 && (s.known & 1u) && (s.known & (1u << SLOT));
					struct bg_derive_site st = { .pc = c->in->address, .func = fi,
								     .callee = (uint32_t)callee,
								     .kind = BG_DERIVE_WRAPPER, .nr = -1 };

					if (!k && add_site(c, &st, 0, NULL, NULL, &s, first))
						return -1;
					for (int i = 0; i < k; i++) {
						st.nr = nrs[i];
						st.from_global = glob[i];
						if (add_site(c, &st, defs[i], at[i], both ? args_stack : NULL, &s, first))
							return -1;
					}
				}
			}
			s.known = 0; /* no callee-saved registers in Go's ABIs */
			continue;
		}
		step(c->h, &dv->elf, c->in, &s);
	}
	/* A constant set before a branch target reaches the site only on the
	 * straight path; another path may bring another number. */
	if (c->ntargets)
		qsort(c->targets, c->ntargets, sizeof(*c->targets), cmp_u64);
	for (size_t i = first; i < dv->nsites; i++) {
		struct bg_derive_site *t = &dv->sites[i];
		const struct sdefs *sd = &c->defs[i - first];

		if (t->nr >= 0 && target_between(c, sd->nr, t->pc))
			t->nr = -1;
		for (int k = 0; k < BG_DERIVE_NARGS; k++)
			if ((t->argknown & (1u << k)) && target_between(c, sd->arg[k], t->pc))
				t->argknown &= (uint8_t)~(1u << k);
	}
	/* A wrapper call with a constant in both RAX and 0(SP) is two sites.
	 * One of them valid and the other not (set before a join point): the
	 * valid one is the argument -- a compiler sets up a call's arguments
	 * right before it, after any join; the other register holds a leftover
	 * (Go 1.20's forkAndExecInChild1: XOR EAX,EAX, a join, then
	 * MOV [rsp], SYS_getpid; CALL rawSyscallNoError).  Drop the leftover. */
	for (size_t i = first; i < dv->nsites; i++) {
		struct bg_derive_site *t = &dv->sites[i];

		/* the sites of one call are added next to each other */
		if (t->nr < 0 && t->kind == BG_DERIVE_WRAPPER &&
		    ((i > first && t[-1].pc == t->pc && t[-1].nr >= 0) ||
		     (i + 1 < dv->nsites && t[1].pc == t->pc && t[1].nr >= 0)))
			t->kind = DROP;
	}
	{
		size_t o = first;

		for (size_t i = first; i < dv->nsites; i++)
			if (dv->sites[i].kind != DROP)
				dv->sites[o++] = dv->sites[i];
		dv->nsites = o;
	}
	return 0;
}

static int cmp_site(const void *a, const void *b)
{
	const struct bg_derive_site *x = a, *y = b;

	if (x->nr != y->nr)
		return x->nr < y->nr ? -1 : 1;
	return x->pc < y->pc ? -1 : x->pc > y->pc;
}

/* "go1.19.8" -> 19; -1 if it does not say */
static int go_minor(const char *v)
{
	const char *p = strstr(v, "go1.");

	if (!p || p[4] < '0' || p[4] > '9')
		return -1;
	return atoi(p + 4);
}

static void read_buildinfo(const uint8_t *buf, size_t len, struct bg_derive *dv)
{
	struct bg_go_buildinfo bi = {};
	struct bg_go_verdict v = {};
	struct bg_diag d = {};
	struct bg_elf e;
	int minor;

	if (bg_go_read(buf, len, &e, &bi, &d) == BG_GO_OK) {
		dv->have_buildinfo = true;
		snprintf(dv->go_version, sizeof(dv->go_version), "%.*s", (int)bi.go_version.len, bi.go_version.s);
		if (bg_go_verdicts(&e, &bi, &v)) {
			dv->cgo = v.cgo;
			dv->is_static = v.is_static;
			if (v.ncgo)
				snprintf(dv->cgo_why, sizeof(dv->cgo_why), "%s", v.cgo_evidence[0]);
			bg_go_verdict_free(&v);
		}
	} else if (bg_elf_open(&e, buf, len) == BG_ELF_OK && bg_go_verdicts(&e, NULL, &v)) {
		dv->cgo = v.cgo;
		dv->is_static = v.is_static;
		if (v.ncgo)
			snprintf(dv->cgo_why, sizeof(dv->cgo_why), "%s", v.cgo_evidence[0]);
		bg_go_verdict_free(&v);
	}
	bg_go_buildinfo_free(&bi);
	minor = go_minor(dv->go_version);
	if (minor >= 0)
		dv->regabi = minor >= 17;
	else
		dv->regabi = dv->tab.version >= BG_PCLN_118;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

bool bg_derive_binary(const uint8_t *buf, size_t len, struct bg_derive *dv, struct bg_diag *d)
{
	struct ctx c = { .dv = dv };
	uint64_t t0 = now_us();
	bool ok = false;

	memset(dv, 0, sizeof(*dv));
	switch (bg_elf_open(&dv->elf, buf, len)) {
	case BG_ELF_OK: break;
	case BG_ELF_NOT_ELF:
		bg_diag_set(d, "not an ELF file; derive reads Linux x86-64 Go binaries");
		return false;
	default:
		bg_diag_set(d, "malformed ELF file: %s", dv->elf.err);
		return false;
	}
	if (!bg_pcln_find(&dv->elf, &dv->tab, d))
		return false;
	read_buildinfo(buf, len, dv);

	if (cs_open(CS_ARCH_X86, CS_MODE_64, &c.h) != CS_ERR_OK) {
		bg_diag_set(d, "cannot start the x86-64 decoder (Capstone)");
		return false;
	}
	cs_option(c.h, CS_OPT_DETAIL, CS_OPT_ON);
	c.in = cs_malloc(c.h);
	c.is_wrapper = calloc(dv->tab.nfunc, sizeof(*c.is_wrapper));
	c.is_replayer = calloc(dv->tab.nfunc, sizeof(*c.is_replayer));
	c.nargs = calloc(dv->tab.nfunc, sizeof(*c.nargs));
	if (!c.in || !c.is_wrapper || !c.is_replayer || !c.nargs) {
		bg_diag_set(d, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < dv->tab.nfunc; i++) {
		const char *name = bg_derive_func_name(dv, (uint32_t)i);

		c.is_wrapper[i] = bg_derive_is_wrapper(name);
		if (c.is_wrapper[i])
			c.nargs[i] = wrapper_nargs(name);
		c.is_replayer[i] = false;
		for (int k = 0; replayers[k]; k++)
			c.is_replayer[i] |= !strcmp(name, replayers[k]);
	}
	for (size_t i = 0; i < dv->tab.nfunc; i++) {
		if (decode_func(&c, (uint32_t)i)) {
			bg_diag_set(d, "out of memory");
			goto out;
		}
	}
	if (dv->nsites)
		qsort(dv->sites, dv->nsites, sizeof(*dv->sites), cmp_site);
	if (!dv->funcs_decoded) {
		bg_diag_set(d, "none of the %zu functions of the Go function table has its code in the file; "
			    "the table does not belong to this binary", dv->tab.nfunc);
		goto out;
	}
	ok = true;
out:
	if (c.in)
		cs_free(c.in, 1);
	cs_close(&c.h);
	free(c.is_wrapper);
	free(c.is_replayer);
	free(c.nargs);
	free(c.targets);
	free(c.defs);
	dv->elapsed_us = now_us() - t0;
	if (!ok)
		bg_derive_free(dv);
	return ok;
}

void bg_derive_free(struct bg_derive *dv)
{
	free(dv->sites);
	dv->sites = NULL;
	dv->nsites = 0;
}
