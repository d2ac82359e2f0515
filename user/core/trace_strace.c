/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * trace_strace.c - the strace reader of `bpfguard policy test`
 * (policy_test.h): strace's text back into calls, each argument a value
 * and the bits of it that are known.  The line is untrusted and not
 * NUL-terminated; nothing here reads past line + len.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "policy_test.h"
#include "syscalls.h"
/* ------------------------------------------------------------------ */
/* strace: arguments */

static bool is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident(char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static void trim(const char **s, const char **e)
{
	while (*s < *e && (**s == ' ' || **s == '\t'))
		(*s)++;
	while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
		(*e)--;
}

/* "0x1" followed by a comment (-X verbose) and "3</etc/passwd>" (-y): the
 * value is what comes before. */
static void strip_annotations(const char *s, const char **e)
{
	const char *p = s;

	if (p < *e && *p == '-')
		p++;
	while (p < *e && (is_ident(*p)))
		p++;
	if (p > s && p < *e && (*p == '<' || *p == ' ')) {
		const char *q = p;

		while (q < *e && *q == ' ')
			q++;
		if (q < *e && (*q == '<' || (q + 1 < *e && q[0] == '/' && q[1] == '*')))
			*e = p;
	}
}

void bg_strace_arg(const char *s, size_t len, int abi, uint64_t *val, uint64_t *known)
{
	const char *e = s + len;
	char tmp[96];
	uint64_t v;

	*val = 0;
	*known = 0;
	trim(&s, &e);
	strip_annotations(s, &e);
	trim(&s, &e);
	if (s >= e)
		return;
	if ((size_t)(e - s) == 4 && !memcmp(s, "NULL", 4)) {
		*known = ~0ULL;
		return;
	}
	if (*s == '-' && e - s > 1 && is_digit(s[1])) {
		/* strace prints an int argument from the register's low 32 bits:
		 * a negative one says nothing about the upper half on x86_64
		 * (an ia32 register has none). */
		size_t n = (size_t)(e - s - 1);

		if (n >= sizeof(tmp))
			return;
		memcpy(tmp, s + 1, n);
		tmp[n] = '\0';
		for (size_t i = 0; i < n; i++)
			if (!is_digit(tmp[i]))
				return;
		errno = 0;
		unsigned long long m = strtoull(tmp, NULL, 10);
		if (errno)
			return;
		v = (uint64_t)0 - (uint64_t)m;
		if (abi == BG_ABI_IA32) {
			if (m > 0x80000000ULL)
				return;
			*val = v & 0xffffffffULL;
			*known = ~0ULL;
		} else if (m <= 0x80000000ULL) {
			*val = v & 0xffffffffULL;
			*known = 0xffffffffULL;
		} else {
			*val = v;
			*known = ~0ULL;
		}
		return;
	}
	if (!is_ident(*s))
		return; /* a string, a struct, an array, "...": not a register value */
	for (const char *p = s; p < e; p++)
		if (!is_ident(*p) && *p != '|')
			return;
	if (bg_policy_parse_value(s, (size_t)(e - s), &v) == 0) {
		*val = v;
		*known = ~0ULL;
	}
}

/* Which kernel argument a named strace argument of clone is (strace
 * prints clone's arguments by name, in its own order). */
static int clone_arg_index(const char *s, size_t n, int abi)
{
	static const struct { const char *name; int x64, ia32; } map[] = {
		{ "flags", 0, 0 }, { "child_stack", 1, 1 }, { "stack", 1, 1 },
		{ "parent_tid", 2, 2 }, { "parent_tidptr", 2, 2 }, { "child_tidptr", 3, 4 },
		{ "child_tid", 3, 4 }, { "tls", 4, 3 },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strlen(map[i].name) == n && !memcmp(map[i].name, s, n))
			return abi == BG_ABI_IA32 ? map[i].ia32 : map[i].x64;
	return -1;
}

/* Calls whose printed arguments are not the registers one for one from
 * some position on: strace joins a 64-bit value the kernel takes in two
 * registers (ia32), or prints the whole offset where the kernel has a low
 * and a high half (preadv2's flags come one later).  From that position
 * the arguments are unknown; ia32's old mmap takes one pointer to a
 * struct strace decodes. */
static int shifted_from(const char *name, int abi)
{
	static const struct { const char *name; signed char x64, ia32; } t[] = {
		{ "preadv2", 4, 3 }, { "pwritev2", 4, 3 }, { "pread64", -1, 3 },
		{ "pwrite64", -1, 3 }, { "_llseek", -1, 1 }, { "truncate64", -1, 1 },
		{ "ftruncate64", -1, 1 }, { "fadvise64_64", -1, 1 }, { "fadvise64", -1, 1 },
		{ "fallocate", -1, 2 }, { "sync_file_range", -1, 1 }, { "readahead", -1, 1 },
		{ "preadv", -1, 3 }, { "pwritev", -1, 3 }, { "fanotify_mark", -1, 2 },
		{ "lookup_dcookie", -1, 0 }, { "mmap", -1, 0 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(t[i].name, name))
			return abi == BG_ABI_IA32 ? t[i].ia32 : t[i].x64;
	return -1;
}

/* The end of the argument starting at p: the next comma or closing
 * bracket at depth 0, skipping strings and comments.  *closed: a ')'
 * at depth 0 ended the argument list. */
static const char *arg_end(const char *p, const char *e, bool *closed)
{
	int depth = 0;

	*closed = false;
	while (p < e) {
		char c = *p;

		if (c == '"') {
			for (p++; p < e && *p != '"'; p++)
				if (*p == '\\' && p + 1 < e)
					p++;
			if (p < e)
				p++;
			continue;
		}
		if (c == '/' && p + 1 < e && p[1] == '*') {
			const char *q = p + 2;

			while (q + 1 < e && !(q[0] == '*' && q[1] == '/'))
				q++;
			p = q + 1 < e ? q + 2 : e;
			continue;
		}
		if (c == '(' || c == '[' || c == '{') {
			depth++;
		} else if (c == ')' || c == ']' || c == '}') {
			if (depth == 0) {
				*closed = c == ')';
				return p;
			}
			depth--;
		} else if (c == ',' && depth == 0) {
			return p;
		}
		p++;
	}
	return e;
}

/* Splits the text after "name(" into the call's arguments.  Returns 1
 * when the closing parenthesis was found, 0 when the text ran out first
 * (the arguments seen so far are kept; the one cut is unknown unless
 * `boundary`: the text ends where an argument does, as before strace's
 * <unfinished ...>). */
static int decode_args(struct bg_trace_call *c, const char *p, const char *e, bool boundary)
{
	bool is_clone = !strcmp(c->name, "clone");
	int shift = shifted_from(c->name, c->abi);
	unsigned pos = 0;

	for (;;) {
		bool closed;
		const char *end = arg_end(p, e, &closed);
		const char *s = p, *t = end;
		int idx = (int)pos;

		if (end >= e && !boundary)
			return 0; /* cut: this argument is incomplete */
		trim(&s, &t);
		if (s < t || pos > 0 || !closed) {
			/* name=value: clone's names say where the value goes */
			const char *q = s;

			while (q < t && is_ident(*q))
				q++;
			if (q > s && q < t && *q == '=' && (q + 1 >= t || q[1] != '=')) {
				if (is_clone)
					idx = clone_arg_index(s, (size_t)(q - s), c->abi);
				s = q + 1;
			}
			if (idx >= 0 && idx < BG_NR_ARGS && (shift < 0 || idx < shift))
				bg_strace_arg(s, (size_t)(t - s), c->abi, &c->args[idx], &c->known[idx]);
			pos++;
		}
		if (closed)
			return 1;
		if (end >= e || *end != ',')
			return 0; /* the end, or a stray ']' or '}': the rest means nothing */
		p = end + 1;
	}
}

/* ------------------------------------------------------------------ */
/* strace: lines */

struct pending {
	long pid;
	unsigned line;
	int abi;
	char name[BG_TRACE_NAME_MAX];
	char *text; /* the arguments printed before <unfinished ...> */
	size_t len;
	uint64_t seq;
};

struct pid_abi {
	long pid;
	int abi;
};

struct bg_strace {
	bg_trace_call_fn call;
	bg_trace_warn_fn warn;
	void *ctx;
	struct pending pend[BG_TRACE_MAX_PENDING];
	unsigned npend;
	uint64_t seq;
	struct pid_abi pids[BG_TRACE_MAX_PIDS];
	unsigned npids;
	int noprefix_abi; /* the last personality announced: for lines without a pid */
	bool pids_full_said;
};

struct bg_strace *bg_strace_new(bg_trace_call_fn call, bg_trace_warn_fn warn, void *ctx)
{
	struct bg_strace *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->call = call;
	s->warn = warn;
	s->ctx = ctx;
	s->noprefix_abi = BG_ABI_X86_64;
	return s;
}

static void warnf(struct bg_strace *s, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void warnf(struct bg_strace *s, unsigned line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s->warn)
		s->warn(s->ctx, line, msg);
}

static int abi_of(struct bg_strace *s, long pid)
{
	if (pid < 0)
		return s->noprefix_abi;
	for (unsigned i = 0; i < s->npids; i++)
		if (s->pids[i].pid == pid)
			return s->pids[i].abi;
	return BG_ABI_X86_64;
}

static void set_abi(struct bg_strace *s, long pid, int abi, unsigned line)
{
	s->noprefix_abi = abi;
	for (unsigned i = 0; i < s->npids; i++) {
		if (s->pids[i].pid != pid)
			continue;
		if (abi == BG_ABI_X86_64)
			s->pids[i] = s->pids[--s->npids];
		else
			s->pids[i].abi = abi;
		return;
	}
	if (abi == BG_ABI_X86_64)
		return;
	if (s->npids < BG_TRACE_MAX_PIDS) {
		s->pids[s->npids++] = (struct pid_abi){ pid, abi };
	} else if (!s->pids_full_said) {
		s->pids_full_said = true;
		warnf(s, line, "more than %d processes changed personality; the calls of the rest are "
		      "read as x86_64", BG_TRACE_MAX_PIDS);
	}
}

static void call_init(struct bg_trace_call *c, const char *name, size_t n, int abi, unsigned line)
{
	memset(c, 0, sizeof(*c));
	if (n >= sizeof(c->name))
		n = sizeof(c->name) - 1;
	memcpy(c->name, name, n);
	c->name[n] = '\0';
	c->abi = abi;
	c->count = 1;
	c->line = line;
	c->entry = -1;
	c->nr = -1;
	if (abi == BG_ABI_X32)
		return;
	/* strace names a number it has no name for syscall_0x1c9 (or decimal) */
	if (!strncmp(c->name, "syscall_", 8) && is_digit(c->name[8])) {
		char *end;
		unsigned long v = strtoul(c->name + 8, &end, 0);

		if (!*end && v < 0x7fffffffUL)
			c->nr = (int)v;
		return;
	}
	c->nr = bg_syscall_nr(abi, c->name);
}

static void emit(struct bg_strace *s, const struct bg_trace_call *c)
{
	if (s->call)
		s->call(s->ctx, c);
}

/* A call whose text is `p..e` (after the '(' ) */
static void emit_text(struct bg_strace *s, const char *name, size_t n, int abi, unsigned line,
		      const char *p, const char *e, bool truncated, bool unfinished)
{
	struct bg_trace_call c;

	call_init(&c, name, n, abi, line);
	if (!decode_args(&c, p, e, unfinished && !truncated) && !truncated && !unfinished)
		warnf(s, line, "no ')' after the arguments of %s; the line looks cut, arguments "
		      "past the cut are read as unknown", c.name);
	emit(s, &c);
}

static void pending_flush(struct bg_strace *s, unsigned i)
{
	struct pending *pd = &s->pend[i];

	emit_text(s, pd->name, strlen(pd->name), pd->abi, pd->line, pd->text, pd->text + pd->len,
		  false, true);
	free(pd->text);
	s->pend[i] = s->pend[--s->npend];
}

static int pending_find(struct bg_strace *s, long pid)
{
	for (unsigned i = 0; i < s->npend; i++)
		if (s->pend[i].pid == pid)
			return (int)i;
	return -1;
}

static void pending_add(struct bg_strace *s, long pid, const char *name, size_t n, int abi,
			unsigned line, const char *p, const char *e)
{
	struct pending *pd;
	int old = pending_find(s, pid);

	if (old >= 0)
		pending_flush(s, (unsigned)old); /* it never resumed: count what it showed */
	if (s->npend == BG_TRACE_MAX_PENDING) {
		unsigned oldest = 0;

		for (unsigned i = 1; i < s->npend; i++)
			if (s->pend[i].seq < s->pend[oldest].seq)
				oldest = i;
		pending_flush(s, oldest);
	}
	pd = &s->pend[s->npend];
	memset(pd, 0, sizeof(*pd));
	pd->text = malloc((size_t)(e - p) + 1);
	if (!pd->text) {
		emit_text(s, name, n, abi, line, p, e, false, true);
		return;
	}
	memcpy(pd->text, p, (size_t)(e - p));
	pd->len = (size_t)(e - p);
	pd->pid = pid;
	pd->line = line;
	pd->abi = abi;
	pd->seq = s->seq++;
	if (n >= sizeof(pd->name))
		n = sizeof(pd->name) - 1;
	memcpy(pd->name, name, n);
	s->npend++;
}

/* "<... read resumed>" REST: the call pid left unfinished, completed */
static void resumed(struct bg_strace *s, long pid, const char *name, size_t n, unsigned line,
		    const char *p, const char *e, bool truncated)
{
	int i = pending_find(s, pid);
	struct bg_trace_call c;

	bool again = false;

	/* "<... futex resumed> <unfinished ...>) = ?": the process died in it;
	 * what it showed is all there is */
	for (const char *q = p; q + 16 <= e; q++) {
		if (*q == '<' && !memcmp(q, "<unfinished ...>", 16)) {
			e = q;
			again = true;
			break;
		}
	}
	if (i >= 0 && strlen(s->pend[i].name) == n && !memcmp(s->pend[i].name, name, n)) {
		struct pending *pd = &s->pend[i];
		size_t rest = (size_t)(e - p);
		char *all = malloc(pd->len + rest + 1);

		if (all) {
			memcpy(all, pd->text, pd->len);
			memcpy(all + pd->len, p, rest);
			emit_text(s, pd->name, strlen(pd->name), pd->abi, pd->line, all, all + pd->len + rest,
				  truncated, again);
			free(all);
			free(pd->text);
			s->pend[i] = s->pend[--s->npend];
			return;
		}
	}
	if (i >= 0)
		pending_flush(s, (unsigned)i);
	/* the trace began inside this call: its entering arguments are not in it */
	call_init(&c, name, n, abi_of(s, pid), line);
	emit(s, &c);
}

static bool starts(const char *p, const char *e, const char *lit)
{
	size_t n = strlen(lit);

	return (size_t)(e - p) >= n && !memcmp(p, lit, n);
}

static const char *skip_sp(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* "[ Process PID=1234 runs in 32 bit mode. ]" */
static bool personality(struct bg_strace *s, const char *p, const char *e, unsigned line)
{
	long pid = 0;
	int abi;

	if (!starts(p, e, "[ Process PID="))
		return false;
	p += 14;
	if (p >= e || !is_digit(*p))
		return false;
	while (p < e && is_digit(*p) && pid < 100000000)
		pid = pid * 10 + (*p++ - '0');
	if (starts(p, e, " runs in 64 bit mode"))
		abi = BG_ABI_X86_64;
	else if (starts(p, e, " runs in 32 bit mode"))
		abi = BG_ABI_IA32;
	else if (starts(p, e, " runs in x32 mode"))
		abi = BG_ABI_X32;
	else
		return false;
	set_abi(s, pid, abi, line);
	return true;
}

void bg_strace_line(struct bg_strace *s, const char *line, size_t len, bool truncated, unsigned lineno)
{
	const char *p = line, *e = line + len, *name, *q;
	long pid = -1;
	size_t n;

	while (e > p && (e[-1] == '\n' || e[-1] == '\r'))
		e--;
	p = skip_sp(p, e);
	if (p == e)
		return;
	/* -f: "1234  call(" or "[pid  1234] call(" */
	if (starts(p, e, "[pid")) {
		q = skip_sp(p + 4, e);
		pid = 0;
		while (q < e && is_digit(*q) && pid < 100000000)
			pid = pid * 10 + (*q++ - '0');
		if (q >= e || *q != ']') {
			warnf(s, lineno, "malformed '[pid N]' prefix; expected strace -f output");
			return;
		}
		p = skip_sp(q + 1, e);
	} else if (is_digit(*p)) {
		q = p;
		while (q < e && is_digit(*q))
			q++;
		if (q < e && (*q == ' ' || *q == '\t') && q - p <= 10) {
			pid = strtol(p, NULL, 10);
			p = skip_sp(q, e);
		}
	}
	/* -t/-tt/-ttt/-r timestamps, -i "[00007f..]" and -n "[ 59]" brackets */
	for (;;) {
		q = p;
		while (q < e && (is_digit(*q) || *q == ':' || *q == '.'))
			q++;
		if (q > p && q < e && *q == ' ' && (memchr(p, ':', (size_t)(q - p)) ||
						    memchr(p, '.', (size_t)(q - p)))) {
			p = skip_sp(q, e);
			continue;
		}
		if (p < e && *p == '[' && !starts(p, e, "[ Process")) {
			q = memchr(p, ']', (size_t)(e - p));
			if (q && q + 1 < e && q[1] == ' ' && q - p < 40) {
				p = skip_sp(q + 1, e);
				continue;
			}
		}
		break;
	}
	if (p == e || starts(p, e, "+++") || starts(p, e, "---") || starts(p, e, "strace: ") ||
	    starts(p, e, "> ") || starts(p, e, "(unknown"))
		return; /* exits, signals, strace's own messages, -k stack frames */
	if (personality(s, p, e, lineno))
		return;
	if (starts(p, e, "<... ")) {
		name = p + 5;
		q = name;
		while (q < e && is_ident(*q))
			q++;
		n = (size_t)(q - name);
		if (!n || !starts(q, e, " resumed>")) {
			warnf(s, lineno, "malformed '<... NAME resumed>' line; expected strace output");
			return;
		}
		resumed(s, pid, name, n, lineno, q + 9, e, truncated);
		return;
	}
	name = p;
	q = p;
	while (q < e && is_ident(*q))
		q++;
	n = (size_t)(q - name);
	if (!n || !is_ident_start(*name) || q >= e || *q != '(' || n >= BG_TRACE_NAME_MAX) {
		warnf(s, lineno, "not a call, an exit, a signal or a personality line; expected strace "
		      "output (strace -f -o FILE)");
		return;
	}
	p = q + 1;
	/* "read(3,  <unfinished ...>": the rest comes on a resumed> line */
	q = e;
	while (q > p && q[-1] == ' ')
		q--;
	if (!truncated && (size_t)(q - p) >= 16 && !memcmp(q - 16, "<unfinished ...>", 16)) {
		q -= 16;
		while (q > p && q[-1] == ' ')
			q--;
		pending_add(s, pid, name, n, abi_of(s, pid), lineno, p, q);
		return;
	}
	emit_text(s, name, n, abi_of(s, pid), lineno, p, e, truncated, false);
}

void bg_strace_finish(struct bg_strace *s)
{
	/* calls that never resumed (the process was killed inside them) were
	 * still made: counted in the order they began */
	while (s->npend) {
		unsigned first = 0;

		for (unsigned i = 1; i < s->npend; i++)
			if (s->pend[i].seq < s->pend[first].seq)
				first = i;
		pending_flush(s, first);
	}
}

void bg_strace_free(struct bg_strace *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < s->npend; i++)
		free(s->pend[i].text);
	free(s);
}
