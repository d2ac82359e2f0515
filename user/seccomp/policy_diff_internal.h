/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * policy_diff_internal.h - private to policy_diff.c and policy_merge.c:
 * what the diff and the merge share.  Not an API.
 */
#ifndef BG_POLICY_DIFF_INTERNAL_H
#define BG_POLICY_DIFF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy_diff.h"

bool pd_same_action(const struct bg_action *a, const struct bg_action *b);
bool pd_permits(const struct bg_action *a); /* allow or log */
bool pd_names_it(const struct bg_policy *p, int abi, int nr);
const char *pd_origin(const struct bg_policy *p); /* its file, else its name */

/* read, ia32:read, #463 (no name in the table) */
void pd_sys_label(int abi, int nr, char *buf, size_t len);

/* A bounded string that is appended to (truncation is harmless). */
struct sbuf {
	char *s;
	size_t len, used;
};

__attribute__((format(printf, 2, 3)))
void pd_sb_add(struct sbuf *b, const char *fmt, ...);
int pd_max_arg(const struct bg_rule_list *l, unsigned n);
void pd_sb_args(struct sbuf *b, const uint64_t ex[6], int maxarg);

/* Sections, compared as the native lines bg_policy_print() writes. */
enum { SEC_NET, SEC_DEV, SEC_SYSCTL, SEC_EXEC, SEC_N };
extern const char *const pd_sec_name[SEC_N];

struct sec_lines {
	char *buf;
	size_t n;
	char **line;
	int *sec; /* SEC_* of each line */
};

bool pd_sec_present(const struct bg_policy *p, int s);
void pd_sec_free(struct sec_lines *l);
int pd_sec_lines(const struct bg_policy *p, struct sec_lines *l);
bool pd_sec_same(const struct bg_policy *pa, const struct sec_lines *a,
		 const struct bg_policy *pb, const struct sec_lines *b, int sec);

#endif
