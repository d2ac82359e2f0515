/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * syscalls.c - syscall name <-> number tables per ABI, and errno names.
 *
 * The numbers come from libseccomp rather than a table of our own: it is
 * the table Docker, runc and systemd already trust, it is maintained
 * upstream, and it knows both x86 ABIs.  Debian 12 ships 2.5.4 (with
 * patches up to futex_requeue, 456), so the handful of newer syscalls the
 * running kernel may have are topped up from a small table below.
 *
 * libseccomp resolves names with a linear scan, so instead of asking it on
 * every lookup we ask once per number, lazily, and keep two indexes per
 * ABI: by number (an array) and by name (sorted, for bsearch).
 */
#include <errno.h>
#include <pthread.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "syscalls.h"
#include "util.h"

/* Syscalls newer than Debian's libseccomp.  451..469 have the same number
 * in syscall_64.tbl and syscall_32.tbl (checked against the 6.18 tables;
 * on the running 6.18 kernel none of them returns ENOSYS for x86_64 except
 * map_shadow_stack without CONFIG_X86_USER_SHADOW_STACK).  uretprobe and
 * uprobe exist only in the x86_64 table.  Only used where libseccomp has
 * no name for the number, so a newer libseccomp takes over. */
#define ABI_64 (1u << BG_ABI_X86_64)
#define ABI_32 (1u << BG_ABI_IA32)
struct extra_syscall {
	const char *name;
	int nr;
	unsigned abis;
};
static const struct extra_syscall extra_syscalls[] = {
	{ "uretprobe", 335, ABI_64 },		 { "uprobe", 336, ABI_64 },
	{ "cachestat", 451, ABI_64 | ABI_32 },	 { "fchmodat2", 452, ABI_64 | ABI_32 },
	{ "map_shadow_stack", 453, ABI_64 | ABI_32 },
	{ "futex_wake", 454, ABI_64 | ABI_32 },	 { "futex_wait", 455, ABI_64 | ABI_32 },
	{ "futex_requeue", 456, ABI_64 | ABI_32 }, { "statmount", 457, ABI_64 | ABI_32 },
	{ "listmount", 458, ABI_64 | ABI_32 },	 { "lsm_get_self_attr", 459, ABI_64 | ABI_32 },
	{ "lsm_set_self_attr", 460, ABI_64 | ABI_32 },
	{ "lsm_list_modules", 461, ABI_64 | ABI_32 },
	{ "mseal", 462, ABI_64 | ABI_32 },	 { "setxattrat", 463, ABI_64 | ABI_32 },
	{ "getxattrat", 464, ABI_64 | ABI_32 },	 { "listxattrat", 465, ABI_64 | ABI_32 },
	{ "removexattrat", 466, ABI_64 | ABI_32 }, { "open_tree_attr", 467, ABI_64 | ABI_32 },
	{ "file_getattr", 468, ABI_64 | ABI_32 }, { "file_setattr", 469, ABI_64 | ABI_32 },
};

struct name_entry {
	const char *name;
	int nr;
};

/* One ABI's indexes: by number, by name (sorted, for bsearch) and, for
 * the tables made at build time, a hash of the names (nr + 1 per cell, 0
 * empty; linear probing): a policy's parse looks names up thousands of
 * times (groups, both ABIs, the hatch analysis), one strcmp each instead
 * of nine. */
#define BG_NAME_HASH_SIZE 2048 /* a power of two, under a quarter full */
struct abi_table {
	const char *const *by_nr;
	const struct name_entry *by_name;
	unsigned nnames;
	const unsigned short *hash; /* NULL: bsearch by_name */
};

static unsigned name_hash(const char *name)
{
	return (unsigned)bg_fnv1a64(name, strlen(name)) & (BG_NAME_HASH_SIZE - 1);
}

static struct abi_table tables[BG_NR_TABLES];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

/* The tables built at run time from the libseccomp loaded (only when it
 * is not the one the generated tables were made from, below). */
static const char *dyn_by_nr[BG_NR_TABLES][BG_MAX_SYSCALLS];
static struct name_entry dyn_by_name[BG_NR_TABLES][BG_MAX_SYSCALLS];

static uint32_t abi_arch(int abi)
{
	return abi == BG_ABI_IA32 ? SCMP_ARCH_X86 : SCMP_ARCH_X86_64;
}

static int cmp_name_entry(const void *a, const void *b)
{
	return strcmp(((const struct name_entry *)a)->name,
		      ((const struct name_entry *)b)->name);
}

static void fill_from_libseccomp(const char **by_nr, uint32_t arch)
{
	for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++) {
		/* Returns a malloc'd copy; we keep it for the process lifetime. */
		char *name = seccomp_syscall_resolve_num_arch(arch, nr);
		by_nr[nr] = name;
	}
}

static bool table_has_name(const char *const *by_nr, const char *name)
{
	for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++)
		if (by_nr[nr] && strcmp(by_nr[nr], name) == 0)
			return true;
	return false;
}

static void fill_extras(const char **by_nr, int abi)
{
	for (size_t i = 0; i < sizeof(extra_syscalls) / sizeof(extra_syscalls[0]); i++) {
		const struct extra_syscall *e = &extra_syscalls[i];
		if (!(e->abis & (1u << abi)))
			continue;
		/* Never override libseccomp: a newer libseccomp wins. */
		if (by_nr[e->nr] || table_has_name(by_nr, e->name))
			continue;
		by_nr[e->nr] = e->name;
	}
}

static unsigned build_name_index(const char *const *by_nr, struct name_entry *by_name)
{
	unsigned n = 0;

	for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++) {
		if (!by_nr[nr])
			continue;
		by_name[n].name = by_nr[nr];
		by_name[n].nr = nr;
		n++;
	}
	qsort(by_name, n, sizeof(by_name[0]), cmp_name_entry);
	return n;
}

/* Asking libseccomp for every number of both ABIs, and sorting the names,
 * is ~0.2 ms of every bpfguard process that reads a policy: a tenth of
 * `bpfguard run`'s start-up (docs/performance.md).  So the build asks it
 * once (gen/gen_syscall_tables.c writes syscall_tables.h with both
 * indexes) and a process uses that answer when the libseccomp it loaded
 * is the one the build asked: the same version, and (distributions patch
 * tables without changing the version: Debian's 2.5.4 knows syscalls 2.5.4
 * does not) the same name for the highest number it knows in each ABI and
 * nothing above it.  Four lookups instead of a thousand.  Any other
 * libseccomp gets tables built from itself, as before. */
#ifndef BG_SYSCALLS_GENERATOR
#include "syscall_tables.h"

static bool generated_tables_match(void)
{
	const struct scmp_version *v = seccomp_version();

	if (!v || v->major != BG_GEN_SCMP_MAJOR || v->minor != BG_GEN_SCMP_MINOR ||
	    v->micro != BG_GEN_SCMP_MICRO)
		return false;
	for (int abi = 0; abi < BG_NR_TABLES; abi++) {
		uint32_t arch = abi_arch(abi);
		int top = bg_gen_scmp_top[abi];
		char *at = top >= 0 ? seccomp_syscall_resolve_num_arch(arch, top) : NULL;
		char *above = seccomp_syscall_resolve_num_arch(arch, top + 1);
		bool same = (top < 0 || (at && strcmp(at, bg_gen_by_nr[abi][top]) == 0)) && !above;

		free(at);
		free(above);
		if (!same)
			return false;
	}
	return true;
}
#endif

static const char *tables_source = "libseccomp";

static void build_tables(void)
{
#ifndef BG_SYSCALLS_GENERATOR
	if (generated_tables_match()) {
		tables_source = "build";
		for (int abi = 0; abi < BG_NR_TABLES; abi++) {
			tables[abi].by_nr = bg_gen_by_nr[abi];
			tables[abi].by_name = bg_gen_by_name[abi];
			tables[abi].nnames = bg_gen_nnames[abi];
			tables[abi].hash = bg_gen_hash[abi];
		}
		return;
	}
#endif
	for (int abi = 0; abi < BG_NR_TABLES; abi++) {
		fill_from_libseccomp(dyn_by_nr[abi], abi_arch(abi));
		fill_extras(dyn_by_nr[abi], abi);
		tables[abi].by_nr = dyn_by_nr[abi];
		tables[abi].by_name = dyn_by_name[abi];
		tables[abi].nnames = build_name_index(dyn_by_nr[abi], dyn_by_name[abi]);
	}
}

static const struct abi_table *table_for(int abi)
{
	if (abi < 0 || abi >= BG_NR_TABLES)
		return NULL;
	pthread_once(&tables_once, build_tables);
	return &tables[abi];
}

const char *bg_syscall_tables_source(void)
{
	pthread_once(&tables_once, build_tables);
	return tables_source;
}

#ifdef BG_SYSCALLS_GENERATOR
/* The highest number named in by_nr (-1: none). */
static int top_named(const char *const *by_nr)
{
	int top = -1;

	for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++)
		if (by_nr[nr])
			top = nr;
	return top;
}

/* gen/gen_syscall_tables.c: the tables above as C, for syscall_tables.h. */
void bg_syscall_tables_emit(FILE *f)
{
	const struct scmp_version *v = seccomp_version();

	fprintf(f, "/* generated by gen_syscall_tables from libseccomp %u.%u.%u: do not edit */\n",
		v->major, v->minor, v->micro);
	fprintf(f, "#define BG_GEN_SCMP_MAJOR %uu\n#define BG_GEN_SCMP_MINOR %uu\n#define BG_GEN_SCMP_MICRO %uu\n",
		v->major, v->minor, v->micro);
	fprintf(f, "static const int bg_gen_scmp_top[BG_NR_TABLES] = {");
	for (int abi = 0; abi < BG_NR_TABLES; abi++) {
		const char *only[BG_MAX_SYSCALLS];

		/* libseccomp's own top, not the extras' */
		fill_from_libseccomp(only, abi_arch(abi));
		fprintf(f, " %d,", top_named(only));
		for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++)
			free((char *)only[nr]);
	}
	fprintf(f, " };\n");
	fprintf(f, "static const char *const bg_gen_by_nr[BG_NR_TABLES][BG_MAX_SYSCALLS] = {\n");
	for (int abi = 0; abi < BG_NR_TABLES; abi++) {
		const struct abi_table *t = table_for(abi);

		fprintf(f, "\t{\n");
		for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++)
			if (t->by_nr[nr])
				fprintf(f, "\t\t[%d] = \"%s\",\n", nr, t->by_nr[nr]);
		fprintf(f, "\t},\n");
	}
	fprintf(f, "};\n");
	fprintf(f, "static const struct name_entry bg_gen_by_name[BG_NR_TABLES][BG_MAX_SYSCALLS] = {\n");
	for (int abi = 0; abi < BG_NR_TABLES; abi++) {
		const struct abi_table *t = table_for(abi);

		fprintf(f, "\t{\n");
		for (unsigned i = 0; i < t->nnames; i++)
			fprintf(f, "\t\t{ \"%s\", %d },\n", t->by_name[i].name, t->by_name[i].nr);
		fprintf(f, "\t},\n");
	}
	fprintf(f, "};\n");
	fprintf(f, "static const unsigned bg_gen_nnames[BG_NR_TABLES] = {");
	for (int abi = 0; abi < BG_NR_TABLES; abi++)
		fprintf(f, " %u,", table_for(abi)->nnames);
	fprintf(f, " };\n");
	fprintf(f, "static const unsigned short bg_gen_hash[BG_NR_TABLES][%d] = {\n", BG_NAME_HASH_SIZE);
	for (int abi = 0; abi < BG_NR_TABLES; abi++) {
		const struct abi_table *t = table_for(abi);
		static unsigned short cell[BG_NAME_HASH_SIZE];

		memset(cell, 0, sizeof(cell));
		for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++) {
			unsigned h;

			if (!t->by_nr[nr])
				continue;
			for (h = name_hash(t->by_nr[nr]); cell[h]; h = (h + 1) & (BG_NAME_HASH_SIZE - 1))
				;
			cell[h] = (unsigned short)(nr + 1);
		}
		fprintf(f, "\t{");
		for (int h = 0; h < BG_NAME_HASH_SIZE; h++)
			if (cell[h])
				fprintf(f, " [%d] = %u,", h, cell[h]);
		fprintf(f, " },\n");
	}
	fprintf(f, "};\n");
}
#endif

int bg_syscall_nr(int abi, const char *name)
{
	const struct abi_table *t = table_for(abi);
	if (!t || !name)
		return -1;
	if (t->hash) {
		for (unsigned h = name_hash(name); t->hash[h]; h = (h + 1) & (BG_NAME_HASH_SIZE - 1))
			if (strcmp(t->by_nr[t->hash[h] - 1], name) == 0)
				return t->hash[h] - 1;
		return -1;
	}
	struct name_entry key = { .name = name };
	const struct name_entry *e =
		bsearch(&key, t->by_name, t->nnames, sizeof(key), cmp_name_entry);
	return e ? e->nr : -1;
}

const char *bg_syscall_name(int abi, int nr)
{
	const struct abi_table *t = table_for(abi);
	if (!t || nr < 0 || nr >= BG_MAX_SYSCALLS)
		return NULL;
	return t->by_nr[nr];
}

/* ------------------------------------------------------------------ */
/* errno names: glibc knows them (strerrorname_np, glibc >= 2.32). */

#define BG_ERRNO_MAX 4095

/* Names glibc does not return because they alias another number. */
static const struct {
	const char *name;
	int err;
} errno_aliases[] = {
	{ "EWOULDBLOCK", EAGAIN },
	{ "EDEADLOCK", EDEADLK },
	{ "ENOTSUP", EOPNOTSUPP },
};

int bg_errno_from_name(const char *name)
{
	if (!name)
		return -1;
	for (size_t i = 0; i < sizeof(errno_aliases) / sizeof(errno_aliases[0]); i++)
		if (strcmp(errno_aliases[i].name, name) == 0)
			return errno_aliases[i].err;
	/* Only ~135 numbers have names; a scan is cheap and parse-time only. */
	for (int err = 1; err < 200; err++) {
		const char *n = strerrorname_np(err);
		if (n && strcmp(n, name) == 0)
			return err;
	}
	return -1;
}

const char *bg_errno_name(int err)
{
	if (err <= 0 || err > BG_ERRNO_MAX)
		return NULL;
	return strerrorname_np(err);
}
