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
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "syscalls.h"

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

struct abi_table {
	const char *by_nr[BG_MAX_SYSCALLS];
	struct name_entry by_name[BG_MAX_SYSCALLS];
	unsigned nnames;
};

static struct abi_table tables[BG_NR_TABLES];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static uint32_t abi_arch(int abi)
{
	return abi == BG_ABI_IA32 ? SCMP_ARCH_X86 : SCMP_ARCH_X86_64;
}

static int cmp_name_entry(const void *a, const void *b)
{
	return strcmp(((const struct name_entry *)a)->name,
		      ((const struct name_entry *)b)->name);
}

static void fill_from_libseccomp(struct abi_table *t, uint32_t arch)
{
	for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++) {
		/* Returns a malloc'd copy; we keep it for the process lifetime. */
		char *name = seccomp_syscall_resolve_num_arch(arch, nr);
		t->by_nr[nr] = name;
	}
}

static bool table_has_name(const struct abi_table *t, const char *name)
{
	for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++)
		if (t->by_nr[nr] && strcmp(t->by_nr[nr], name) == 0)
			return true;
	return false;
}

static void fill_extras(struct abi_table *t, int abi)
{
	for (size_t i = 0; i < sizeof(extra_syscalls) / sizeof(extra_syscalls[0]); i++) {
		const struct extra_syscall *e = &extra_syscalls[i];
		if (!(e->abis & (1u << abi)))
			continue;
		/* Never override libseccomp: a newer libseccomp wins. */
		if (t->by_nr[e->nr] || table_has_name(t, e->name))
			continue;
		t->by_nr[e->nr] = e->name;
	}
}

static void build_name_index(struct abi_table *t)
{
	t->nnames = 0;
	for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++) {
		if (!t->by_nr[nr])
			continue;
		t->by_name[t->nnames].name = t->by_nr[nr];
		t->by_name[t->nnames].nr = nr;
		t->nnames++;
	}
	qsort(t->by_name, t->nnames, sizeof(t->by_name[0]), cmp_name_entry);
}

static void build_tables(void)
{
	for (int abi = 0; abi < BG_NR_TABLES; abi++) {
		fill_from_libseccomp(&tables[abi], abi_arch(abi));
		fill_extras(&tables[abi], abi);
		build_name_index(&tables[abi]);
	}
}

static const struct abi_table *table_for(int abi)
{
	if (abi < 0 || abi >= BG_NR_TABLES)
		return NULL;
	pthread_once(&tables_once, build_tables);
	return &tables[abi];
}

int bg_syscall_nr(int abi, const char *name)
{
	const struct abi_table *t = table_for(abi);
	if (!t || !name)
		return -1;
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
