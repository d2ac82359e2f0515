// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * policy derive: the pclntab reader on crafted tables (the four layouts,
 * and hostile variants: every truncation, bad magic/padding/pointer size,
 * counts and offsets out of range, unsorted entries, names without NUL),
 * the wrapper names, and the code analysis on a crafted ELF with no
 * section headers (table found by its magic): constants in EAX before
 * SYSCALL and before a call to syscall.Syscall, a constant from another
 * basic block refused, a non-constant site kept as unresolved.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "derive.h"
#include "derive_policy.h"
#include "pclntab.h"

static void put(uint8_t *p, uint64_t v, unsigned w)
{
	for (unsigned i = 0; i < w; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A table: version, functions (names, entries relative to text), into buf.
 * Returns its length.  Layout: header, names, functab, _func records. */
struct fn {
	const char *name;
	uint64_t off; /* from text */
};

#define TEXT 0x401000u

static size_t make_table(uint8_t *buf, size_t cap, enum bg_pcln_version v, const struct fn *fns, size_t n,
			 uint64_t end_off, uint64_t text_field)
{
	unsigned ps = 8, hdr, fs = v >= BG_PCLN_118 ? 4 : 8, entw = v >= BG_PCLN_118 ? 4 : 8;
	size_t names = 0, nameoff[16], functab, funcrec, total;

	memset(buf, 0, cap);
	switch (v) {
	case BG_PCLN_12: put(buf, 0xfffffffbu, 4); hdr = 8 + ps; break;
	case BG_PCLN_116: put(buf, 0xfffffffau, 4); hdr = 8 + 7 * ps; break;
	case BG_PCLN_118: put(buf, 0xfffffff0u, 4); hdr = 8 + 8 * ps; break;
	default: put(buf, 0xfffffff1u, 4); hdr = 8 + 8 * ps; break;
	}
	buf[6] = 1;
	buf[7] = (uint8_t)ps;
	put(buf + 8, n, ps);
	if (v == BG_PCLN_12) {
		/* functab right after the header; names and records after it,
		 * all offsets from the table's start */
		functab = hdr;
		funcrec = functab + (2 * n + 1) * fs;
		names = funcrec + n * (entw + 4);
		for (size_t i = 0, o = names; i < n; i++) {
			nameoff[i] = o;
			strcpy((char *)buf + o, fns[i].name);
			o += strlen(fns[i].name) + 1;
			total = o;
		}
		for (size_t i = 0; i < n; i++) {
			put(buf + functab + 2 * i * fs, TEXT + fns[i].off, fs);
			put(buf + functab + (2 * i + 1) * fs, funcrec + i * (entw + 4), fs);
			put(buf + funcrec + i * (entw + 4), TEXT + fns[i].off, entw);
			put(buf + funcrec + i * (entw + 4) + entw, nameoff[i], 4);
		}
		put(buf + functab + 2 * n * fs, TEXT + end_off, fs);
		return total;
	}
	names = hdr;
	{
		size_t o = 0;

		for (size_t i = 0; i < n; i++) {
			nameoff[i] = o;
			strcpy((char *)buf + names + o, fns[i].name);
			o += strlen(fns[i].name) + 1;
		}
		functab = (names + o + 7) & ~(size_t)7;
	}
	funcrec = (2 * n + 1) * fs; /* from functab */
	total = functab + funcrec + n * (entw + 4);
	assert_true(total <= cap);
	{
		unsigned k = v == BG_PCLN_116 ? 2 : 3;

		if (v != BG_PCLN_116)
			put(buf + 8 + 2 * ps, text_field, ps);
		put(buf + 8 + k * ps, names, ps);       /* funcnameOffset */
		put(buf + 8 + (k + 1) * ps, names, ps); /* cu (unused) */
		put(buf + 8 + (k + 2) * ps, names, ps); /* filetab (unused) */
		put(buf + 8 + (k + 3) * ps, names, ps); /* pctab (unused) */
		put(buf + 8 + (k + 4) * ps, functab, ps);
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t e = v >= BG_PCLN_118 ? fns[i].off : TEXT + fns[i].off;

		put(buf + functab + 2 * i * fs, e, fs);
		put(buf + functab + (2 * i + 1) * fs, funcrec + i * (entw + 4), fs);
		put(buf + functab + funcrec + i * (entw + 4), e, entw);
		put(buf + functab + funcrec + i * (entw + 4) + entw, nameoff[i], 4);
	}
	put(buf + functab + 2 * n * fs, v >= BG_PCLN_118 ? end_off : TEXT + end_off, fs);
	return total;
}

static const struct fn three[] = { { "runtime.a", 0 }, { "main.main", 0x20 }, { "syscall.Syscall", 0x40 } };

/* parse a copy of exactly len bytes, so ASan sees any read past it */
static bool parse_exact(const uint8_t *p, size_t len, uint64_t hint, struct bg_pclntab *t, char *err)
{
	uint8_t *c = malloc(len ? len : 1);
	bool ok;

	memcpy(c, p, len);
	ok = bg_pcln_parse(c, len, 0x500000, hint, t, err, 200);
	free(c);
	return ok;
}

static void check_three(enum bg_pcln_version v)
{
	uint8_t buf[1024];
	size_t len = make_table(buf, sizeof(buf), v, three, 3, 0x60, TEXT);
	struct bg_pclntab t;
	struct bg_pcln_func f;
	char err[200];

	assert_true(bg_pcln_parse(buf, len, 0x500000, 0, &t, err, sizeof(err)));
	assert_int_equal(t.version, v);
	assert_int_equal(t.nfunc, 3);
	bg_pcln_func(&t, 1, &f);
	assert_string_equal(f.name, "main.main");
	assert_int_equal(f.entry, TEXT + 0x20);
	assert_int_equal(f.end, TEXT + 0x40);
	bg_pcln_func(&t, 2, &f);
	assert_string_equal(f.name, "syscall.Syscall");
	assert_int_equal(f.end, TEXT + 0x60);
	assert_int_equal(bg_pcln_lookup(&t, TEXT), 0);
	assert_int_equal(bg_pcln_lookup(&t, TEXT + 0x3f), 1);
	assert_int_equal(bg_pcln_lookup(&t, TEXT + 0x5f), 2);
	assert_int_equal(bg_pcln_lookup(&t, TEXT + 0x60), -1);
	assert_int_equal(bg_pcln_lookup(&t, TEXT - 1), -1);

	/* every truncation fails cleanly (or, for 1.2 whose names come last,
	 * only once the last name is whole) */
	for (size_t l = 0; l < len; l++) {
		struct bg_pclntab t2;

		assert_false(parse_exact(buf, l, 0, &t2, err));
		assert_true(err[0] != '\0');
	}
	assert_true(parse_exact(buf, len, 0, &t, err));
}

static void test_layouts(void **state)
{
	(void)state;
	check_three(BG_PCLN_12);
	check_three(BG_PCLN_116);
	check_three(BG_PCLN_118);
	check_three(BG_PCLN_120);
}

static void test_malformed(void **state)
{
	uint8_t buf[1024], b2[1024];
	size_t len = make_table(buf, sizeof(buf), BG_PCLN_118, three, 3, 0x60, TEXT);
	struct bg_pclntab t;
	char err[200];

	(void)state;
#define MUT(stmt, what)                                                       \
	do {                                                                  \
		memcpy(b2, buf, len);                                         \
		stmt;                                                         \
		err[0] = 0;                                                   \
		assert_false(bg_pcln_parse(b2, len, 0, 0, &t, err, sizeof(err))); \
		assert_non_null(strstr(err, what));                           \
	} while (0)
	MUT(put(b2, 0xfffffff2u, 4), "unknown pclntab magic");
	MUT(put(b2, 0xf0ffffffu, 4), "unknown pclntab magic"); /* big endian */
	MUT(b2[4] = 1, "padding");
	MUT(b2[7] = 2, "pointer size");
	MUT(b2[6] = 3, "quantum");
	MUT(put(b2 + 8, 0, 8), "function count");
	MUT(put(b2 + 8, 1ull << 40, 8), "function count");
	MUT(put(b2 + 8, 1000, 8), "truncated");                    /* functab needs more */
	MUT(put(b2 + 8 + 3 * 8, 1ull << 62, 8), "out of the table"); /* funcnameOffset */
	MUT(put(b2 + 8 + 7 * 8, len, 8), "out of the table");        /* pclnOffset = end */
	MUT(put(b2 + 8 + 7 * 8, ~0ull, 8), "out of the table");
	{
		uint64_t functab = buf[8 + 7 * 8] | (uint64_t)buf[8 + 7 * 8 + 1] << 8;

		/* function 1 before function 0 */
		MUT(put(b2 + functab + 8, 0x100, 4), "starts before");
		/* the record offset of function 0 far away */
		MUT(put(b2 + functab + 4, 0x7fffffff, 4), "out of the table");
		/* the end PC equals the last entry: an empty last function */
		MUT(put(b2 + functab + 6 * 4, 0x40, 4), "empty");
		/* a name offset past the names */
		MUT(put(b2 + functab + 7 * 4 + 4, (uint32_t)len, 4), "out of the table");
	}
	/* a name without its NUL: the whole table after it is non-zero */
	memcpy(b2, buf, len);
	memset(b2 + 72, 'x', len - 72);
	assert_false(bg_pcln_parse(b2, len, 0, 0, &t, err, sizeof(err)));
	/* textStart 0: taken from the hint, refused without one */
	len = make_table(buf, sizeof(buf), BG_PCLN_118, three, 3, 0x60, 0);
	assert_false(bg_pcln_parse(buf, len, 0, 0, &t, err, sizeof(err)));
	assert_non_null(strstr(err, "textStart"));
	assert_true(bg_pcln_parse(buf, len, 0, TEXT, &t, err, sizeof(err)));
	assert_int_equal(bg_pcln_lookup(&t, TEXT + 0x21), 1);
	/* a NULL or short error buffer is fine */
	assert_false(bg_pcln_parse(buf, 3, 0, 0, &t, NULL, 0));
	assert_false(bg_pcln_parse(buf, 3, 0, 0, &t, err, 1));
}

static void test_wrappers(void **state)
{
	(void)state;
	assert_true(bg_derive_is_wrapper("syscall.Syscall"));
	assert_true(bg_derive_is_wrapper("syscall.RawSyscall6"));
	assert_true(bg_derive_is_wrapper("syscall.rawVforkSyscall.abi0"));
	assert_true(bg_derive_is_wrapper("runtime/internal/syscall.Syscall6"));
	assert_true(bg_derive_is_wrapper("internal/runtime/syscall.Syscall6"));
	assert_true(bg_derive_is_wrapper("golang.org/x/sys/unix.Syscall"));
	assert_true(bg_derive_is_wrapper("vendor/golang.org/x/sys/unix.RawSyscallNoError"));
	assert_true(bg_derive_is_wrapper("example.com/m/vendor/golang.org/x/sys/unix.Syscall6"));
	assert_false(bg_derive_is_wrapper("syscall.Syscallx"));
	assert_false(bg_derive_is_wrapper("syscall.Syscall6.func1"));
	assert_false(bg_derive_is_wrapper("evilgolang.org/x/sys/unix.Syscall"));
	assert_false(bg_derive_is_wrapper("golang.org/x/sys/unix.SyscallX"));
	assert_false(bg_derive_is_wrapper("main.Syscall"));
	assert_false(bg_derive_is_wrapper(".abi0"));
	assert_false(bg_derive_is_wrapper(""));
}

/* ------------------------------------------------------------------------ */
/* A crafted ELF: no section headers, code at TEXT (R+X), the table at
 * 0x402000 (R).  Functions:
 *   f0 "runtime.a"       mov eax,39 ; syscall ; ret          -> getpid (39)
 *   f1 "main.main"       mov eax,1 ; xor edi,edi ; call f2    -> write (1) via syscall.Syscall
 *                        mov ecx,60 ; mov eax,ecx ; call f2   -> exit (60), copied through ECX
 *                        mov rax,[rsp+8] ; call f2            -> unresolved
 *                        mov eax,2 ; L: syscall ; ... jmp L    -> unresolved (L is a branch target)
 *                        xor eax,eax ; syscall                -> read (0)
 *                        mov eax,0x3e ; call f2 (other func)  -> kill (62)
 *   f2 "syscall.Syscall" mov rax,[rsp+8] ; syscall ; ret      -> not a site (a wrapper)
 *   f3 "main.abi0"       mov [rsp],56 ; call f2               -> clone (56): an ABI0 call
 *                        mov eax,1 ; mov [rsp],2 ; call f2    -> both 1 and 2 (which ABI is unknown)
 *   f4 "main.join"       xor eax,eax ; L: mov [rsp],39 ; call f2 -> getpid (39) only: RAX's 0
 *                        is a leftover from before the join point L
 *   f5 "main.args"       argument constants:
 *                        mov eax,157 ; mov ebx,8 ; call f2    -> prctl, arg0 8 (RBX, register ABI)
 *                        mov edi,1 ; mov esi,2 ; mov eax,41 ; syscall -> socket, arg0 1, arg1 2
 *                        mov [rsp],16 ; mov [rsp+16],0x5410 ; call f2 -> ioctl, arg1 0x5410 (ABI0)
 *                        mov ebx,3 ; L: mov eax,157 ; call f2 -> prctl, arg0 unknown (join L)
 *                        mov dword [rsp+8],5 ; mov [rsp],72 ; call f2 -> fcntl, arg0 unknown
 *                                                 (a 4-byte store: the high half is not known)
 */
static const uint8_t code[] = {
	/* f0 @0x00 */
	0xb8, 39, 0, 0, 0,       /* mov eax, 39 */
	0x0f, 0x05,              /* syscall */
	0xc3,                    /* ret */
	0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc,
	0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc,
	0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc,
	/* f1 @0x20 */
	0xb8, 1, 0, 0, 0,        /* 0x20 mov eax, 1 */
	0x31, 0xff,              /* 0x25 xor edi, edi */
	0xe8, 0x54, 0, 0, 0,     /* 0x27 call 0x80 (next 0x2c + 0x54) */
	0xb9, 60, 0, 0, 0,       /* 0x2c mov ecx, 60 */
	0x89, 0xc8,              /* 0x31 mov eax, ecx */
	0xe8, 0x48, 0, 0, 0,     /* 0x33 call 0x80 (0x38 + 0x48) */
	0x48, 0x8b, 0x44, 0x24, 0x08, /* 0x38 mov rax, [rsp+8] */
	0xe8, 0x3e, 0, 0, 0,     /* 0x3d call 0x80 (0x42 + 0x3e) */
	0xb8, 2, 0, 0, 0,        /* 0x42 mov eax, 2 */
	0x0f, 0x05,              /* 0x47 L: syscall */
	0x31, 0xc0,              /* 0x49 xor eax, eax */
	0x0f, 0x05,              /* 0x4b syscall */
	0xb8, 0x3e, 0, 0, 0,     /* 0x4d mov eax, 62 */
	0xe8, 0x29, 0, 0, 0,     /* 0x52 call 0x80 (0x57 + 0x29) */
	0xeb, 0xee,              /* 0x57 jmp 0x47 (0x59 - 0x12) */
	0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc,
	0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc,
	0xcc, 0xcc, 0xcc,
	/* f2 @0x80 */
	0x48, 0x8b, 0x44, 0x24, 0x08, /* mov rax, [rsp+8] */
	0x0f, 0x05,              /* syscall */
	0xc3,                    /* ret */
	/* f3 @0x88 "main.abi0" */
	0x48, 0xc7, 0x04, 0x24, 0x38, 0, 0, 0, /* 0x88 mov qword [rsp], 56 */
	0xe8, 0xeb, 0xff, 0xff, 0xff,          /* 0x90 call 0x80 (0x95 - 0x15) */
	0xb8, 1, 0, 0, 0,                      /* 0x95 mov eax, 1 */
	0x48, 0xc7, 0x04, 0x24, 2, 0, 0, 0,    /* 0x9a mov qword [rsp], 2 */
	0xe8, 0xd9, 0xff, 0xff, 0xff,          /* 0xa2 call 0x80 (0xa7 - 0x27) */
	0xc3,                                  /* 0xa7 ret */
	/* f4 @0xa8 "main.join" */
	0x31, 0xc0,                            /* 0xa8 xor eax, eax */
	0x74, 0x00,                            /* 0xaa je 0xac: a join point */
	0x48, 0xc7, 0x04, 0x24, 39, 0, 0, 0,   /* 0xac mov qword [rsp], 39 */
	0xe8, 0xc7, 0xff, 0xff, 0xff,          /* 0xb4 call 0x80 (0xb9 - 0x39) */
	0xc3,                                  /* 0xb9 ret */
	/* f5 @0xba "main.args" */
	0xb8, 157, 0, 0, 0,                    /* 0xba mov eax, 157 */
	0xbb, 8, 0, 0, 0,                      /* 0xbf mov ebx, 8 */
	0xe8, 0xb7, 0xff, 0xff, 0xff,          /* 0xc4 call 0x80 (0xc9 - 0x49) */
	0xbf, 1, 0, 0, 0,                      /* 0xc9 mov edi, 1 */
	0xbe, 2, 0, 0, 0,                      /* 0xce mov esi, 2 */
	0xb8, 41, 0, 0, 0,                     /* 0xd3 mov eax, 41 */
	0x0f, 0x05,                            /* 0xd8 syscall */
	0x48, 0xc7, 0x04, 0x24, 16, 0, 0, 0,   /* 0xda mov qword [rsp], 16 */
	0x48, 0xc7, 0x44, 0x24, 0x10, 0x10, 0x54, 0, 0, /* 0xe2 mov qword [rsp+16], 0x5410 */
	0xe8, 0x90, 0xff, 0xff, 0xff,          /* 0xeb call 0x80 (0xf0 - 0x70) */
	0xbb, 3, 0, 0, 0,                      /* 0xf0 mov ebx, 3 */
	0x74, 0x00,                            /* 0xf5 je 0xf7: a join point */
	0xb8, 157, 0, 0, 0,                    /* 0xf7 mov eax, 157 */
	0xe8, 0x7f, 0xff, 0xff, 0xff,          /* 0xfc call 0x80 (0x101 - 0x81) */
	0xc7, 0x44, 0x24, 0x08, 5, 0, 0, 0,    /* 0x101 mov dword [rsp+8], 5 */
	0x48, 0xc7, 0x04, 0x24, 72, 0, 0, 0,   /* 0x109 mov qword [rsp], 72 */
	0xe8, 0x6a, 0xff, 0xff, 0xff,          /* 0x111 call 0x80 (0x116 - 0x96) */
	0xc3,                                  /* 0x116 ret */
};

static size_t make_elf(uint8_t *buf, size_t cap)
{
	static const struct fn fns[] = { { "runtime.a", 0 }, { "main.main", 0x20 }, { "syscall.Syscall", 0x80 },
					 { "main.abi0", 0x88 }, { "main.join", 0xa8 }, { "main.args", 0xba } };
	size_t tlen;

	assert_true(cap >= 0x3000);
	memset(buf, 0, cap);
	memcpy(buf, "\x7f" "ELF", 4);
	buf[4] = 2; /* 64-bit */
	buf[5] = 1; /* little endian */
	buf[6] = 1;
	put(buf + 16, 2, 2);  /* ET_EXEC */
	put(buf + 18, 62, 2); /* x86-64 */
	put(buf + 20, 1, 4);
	put(buf + 32, 64, 8); /* phoff */
	put(buf + 52, 64, 2);
	put(buf + 54, 56, 2); /* phentsize */
	put(buf + 56, 2, 2);  /* phnum */
	/* PT_LOAD R+X: file 0x1000 -> TEXT */
	put(buf + 64, 1, 4);
	put(buf + 68, 5, 4);
	put(buf + 72, 0x1000, 8);
	put(buf + 80, TEXT, 8);
	put(buf + 96, 0x1000, 8);
	put(buf + 104, 0x1000, 8);
	/* PT_LOAD R: file 0x2000 -> 0x402000 */
	put(buf + 120, 1, 4);
	put(buf + 124, 4, 4);
	put(buf + 128, 0x2000, 8);
	put(buf + 136, 0x402000, 8);
	memcpy(buf + 0x1000, code, sizeof(code));
	tlen = make_table(buf + 0x2000, 0x1000, BG_PCLN_118, fns, 6, 0x117, TEXT);
	put(buf + 152, tlen, 8);
	put(buf + 160, tlen, 8);
	return 0x2000 + tlen;
}

static const struct bg_derive_site *site_at(const struct bg_derive *dv, uint64_t pc)
{
	for (size_t i = 0; i < dv->nsites; i++)
		if (dv->sites[i].pc == pc)
			return &dv->sites[i];
	return NULL;
}

static int64_t nr_at(const struct bg_derive *dv, uint64_t pc)
{
	const struct bg_derive_site *s = site_at(dv, pc);

	return s ? s->nr : -2; /* -2: no site */
}

static void test_analysis(void **state)
{
	static uint8_t buf[0x3000];
	size_t len = make_elf(buf, sizeof(buf));
	struct bg_derive dv;
	struct bg_diag d = {};

	(void)state;
	assert_true(bg_derive_binary(buf, len, &dv, &d));
	assert_string_equal(dv.tab.source, "magic in a PT_LOAD segment");
	assert_int_equal(dv.funcs_decoded, 6);
	assert_true(dv.regabi); /* no build info: a 1.18 table means the register ABI */
	assert_int_equal(nr_at(&dv, TEXT + 0x05), 39);
	assert_int_equal(nr_at(&dv, TEXT + 0x27), 1);
	assert_int_equal(nr_at(&dv, TEXT + 0x33), 60);
	assert_int_equal(nr_at(&dv, TEXT + 0x3d), -1);
	assert_int_equal(nr_at(&dv, TEXT + 0x47), -1); /* 2 is set before the branch target L */
	assert_int_equal(nr_at(&dv, TEXT + 0x4b), 0);
	assert_int_equal(nr_at(&dv, TEXT + 0x52), 62);
	assert_int_equal(nr_at(&dv, TEXT + 0x85), -2); /* inside the wrapper: not a site */
	assert_int_equal(nr_at(&dv, TEXT + 0x90), 56);
	{
		int both = 0;

		for (size_t i = 0; i < dv.nsites; i++)
			if (dv.sites[i].pc == TEXT + 0xa2)
				both |= dv.sites[i].nr == 1 ? 1 : dv.sites[i].nr == 2 ? 2 : 4;
		assert_int_equal(both, 3);
	}
	assert_int_equal(nr_at(&dv, TEXT + 0xb4), 39);
	/* argument constants (f5) */
	assert_int_equal(nr_at(&dv, TEXT + 0xc4), 157);
	assert_int_equal(site_at(&dv, TEXT + 0xc4)->argknown & 1, 1);
	assert_int_equal(site_at(&dv, TEXT + 0xc4)->arg[0], 8);
	assert_int_equal(nr_at(&dv, TEXT + 0xd8), 41);
	assert_int_equal(site_at(&dv, TEXT + 0xd8)->argknown & 3, 3);
	assert_int_equal(site_at(&dv, TEXT + 0xd8)->arg[0], 1);
	assert_int_equal(site_at(&dv, TEXT + 0xd8)->arg[1], 2);
	assert_int_equal(nr_at(&dv, TEXT + 0xeb), 16);
	assert_int_equal(site_at(&dv, TEXT + 0xeb)->argknown & 2, 2);
	assert_int_equal(site_at(&dv, TEXT + 0xeb)->arg[1], 0x5410);
	assert_int_equal(nr_at(&dv, TEXT + 0xfc), 157);
	assert_int_equal(site_at(&dv, TEXT + 0xfc)->argknown & 1, 0); /* set before the join */
	assert_int_equal(nr_at(&dv, TEXT + 0x111), 72);
	assert_int_equal(site_at(&dv, TEXT + 0x111)->argknown & 1, 0); /* 4-byte store */
	/* f0's getpid: a SYSCALL with nothing in RDI/RSI: no argument known */
	assert_int_equal(site_at(&dv, TEXT + 0x05)->argknown, 0);
	assert_int_equal(dv.nsites, 16); /* f4's call is one site */

	/* the policy: conditions only where every site has the constant */
	{
		struct bg_derive_opts o = { .binary = "crafted" };
		char *text = NULL;
		size_t tlen = 0;

		assert_int_equal(bg_derive_policy(&dv, &o, &text, &tlen, &d), 0);
		assert_non_null(strstr(text, "\nallow socket if arg0 == 1 and arg1 == 2 "));
		assert_non_null(strstr(text, "\nallow ioctl if arg1 == 0x5410 "));
		assert_non_null(strstr(text, "\nallow prctl "));       /* one site without a constant */
		assert_null(strstr(text, "allow prctl if"));
		assert_non_null(strstr(text, "# prctl: any option (not a constant at main.args)"));
		assert_non_null(strstr(text, "\nallow fcntl "));
		free(text);
	}
	bg_derive_free(&dv);

	/* every truncation of the file: an error or a smaller result, never a crash */
	for (size_t l = 0; l < len; l += 7) {
		uint8_t *c = malloc(l ? l : 1);

		memcpy(c, buf, l);
		memset(&d, 0, sizeof(d));
		if (bg_derive_binary(c, l, &dv, &d))
			bg_derive_free(&dv);
		else
			assert_true(d.msg[0] != '\0');
		free(c);
	}
	/* not ELF, and ELF for another machine */
	assert_false(bg_derive_binary((const uint8_t *)"hello", 5, &dv, &d));
	assert_non_null(strstr(d.msg, "not an ELF"));
	put(buf + 18, 183, 2);
	assert_false(bg_derive_binary(buf, len, &dv, &d));
	assert_non_null(strstr(d.msg, "x86-64"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layouts),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_wrappers),
		cmocka_unit_test(test_analysis),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
