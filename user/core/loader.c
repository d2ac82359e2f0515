// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "bpfguard.h"
#include "guard.skel.h"
#include "exec_gate.h"
#include "loader.h"
#include "attachment.h"
#include "escape.h"
#include "util.h"

static const char *const map_names[BG_MAP__COUNT] = {
	[BG_MAP_CGFILTER] = "bg_cgfilter",   [BG_MAP_CGROUPS] = "bg_cgroups",
	[BG_MAP_POLICIES] = "bg_policies",   [BG_MAP_ARGRULES] = "bg_argrules",
	[BG_MAP_COUNTERS] = "bg_counters",   [BG_MAP_RATE] = "bg_rate",
	[BG_MAP_STATS] = "bg_stats",         [BG_MAP_EVENTS] = "bg_events",
	[BG_MAP_CONFIG] = "bg_config",       [BG_MAP_ATTACHMENTS] = "bg_attachments",
	[BG_MAP_TASKTAG] = "bg_tasktag",     [BG_MAP_SLOTREFS] = "bg_slotrefs",
};

/* Programs in the order their links go up: inheritance first, so no cgroup
 * created while we attach slips through; sys_enter last. */
static const char *const prog_names[] = { "bg_cgroup_mkdir", "bg_cgroup_rmdir", "bg_sys_enter" };

const char *bg_map_name(enum bg_map_id id)
{
	return map_names[id];
}

/* libbpf's own chatter is for developers: BPFGUARD_DEBUG=1 shows it. */
static char libbpf_last[512];
int bg_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (getenv("BPFGUARD_DEBUG"))
		return vfprintf(stderr, fmt, ap);
	if (level == LIBBPF_WARN) {
		vsnprintf(libbpf_last, sizeof(libbpf_last), fmt, ap);
		libbpf_last[strcspn(libbpf_last, "\n")] = '\0';
	}
	return 0;
}

const char *bg_libbpf_last(void)
{
	return libbpf_last;
}

void bg_libbpf_last_clear(void)
{
	libbpf_last[0] = '\0';
}

void bg_pin_path(char *buf, size_t len, const char *sub, const char *name)
{
	snprintf(buf, len, "%s/%s/%s/%s", BG_BPFFS, BG_PIN_ROOT, sub, name);
}

static int ensure_bpffs(bool mount_it, struct bg_diag *diag)
{
	struct statfs sfs;

	if (statfs(BG_BPFFS, &sfs) == 0 && sfs.f_type == BPF_FS_MAGIC)
		return 0;
	if (!mount_it)
		return -ENOENT;
	mkdir(BG_BPFFS, 0700);
	if (mount("bpf", BG_BPFFS, "bpf", 0, "mode=0700") < 0) {
		bg_diag_set(diag, "cannot mount bpffs at %s: %s; mount it (mount -t bpf bpf %s) and retry",
			    BG_BPFFS, strerror(errno), BG_BPFFS);
		return -1;
	}
	return 0;
}

int bg_run_dir(struct bg_diag *diag)
{
	struct stat st;
	int fd;

	if (mkdir(BG_RUN_DIR, 0700) && errno != EEXIST) {
		bg_diag_set(diag, "cannot create %s: %s; run as root", BG_RUN_DIR, strerror(errno));
		return -1;
	}
	/* O_NOFOLLOW: a symlink planted in /run before us is refused, never
	 * followed to a directory of someone else's choosing. */
	fd = open(BG_RUN_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		bg_diag_set(diag, e == ELOOP || e == ENOTDIR ?
			    "%s is not a directory (a symlink or a file someone left there: %s); remove it and retry" :
			    "cannot open %s: %s; run as root", BG_RUN_DIR, strerror(e));
		return -1;
	}
	if (fstat(fd, &st)) {
		bg_diag_set(diag, "cannot stat %s: %s", BG_RUN_DIR, strerror(errno));
		close(fd);
		return -1;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 022)) {
		/* Whoever owns or can write it could swap our files: refuse
		 * rather than use it, and do not repair what we did not make. */
		bg_diag_set(diag, "%s is owned by uid %u with mode %03o, not by uid %u and writable by it alone; "
			    "someone else made it: remove it (rm -r %s) and retry",
			    BG_RUN_DIR, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777), (unsigned)geteuid(), BG_RUN_DIR);
		close(fd);
		return -1;
	}
	/* Ours but readable by others (made by an older bpfguard, or as a
	 * hostPath by the kubelet): tighten. */
	if ((st.st_mode & 077) && fchmod(fd, 0700)) {
		bg_diag_set(diag, "cannot make %s mode 0700: %s", BG_RUN_DIR, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* The pid holding a flock on fd's file, from /proc/locks ("1: FLOCK
 * ADVISORY WRITE 1234 00:19:5678 0 EOF"), 0 if none is listed. */
static pid_t lock_holder(int fd)
{
	char line[256];
	struct stat st;
	pid_t pid = 0;
	FILE *f;

	if (fstat(fd, &st) || !(f = fopen("/proc/locks", "re")))
		return 0;
	while (!pid && fgets(line, sizeof(line), f)) {
		unsigned maj, min;
		unsigned long ino;
		int p;

		if (strstr(line, " FLOCK ") &&
		    sscanf(line, "%*s FLOCK %*s %*s %d %x:%x:%lu", &p, &maj, &min, &ino) == 4 &&
		    ino == st.st_ino && maj == major(st.st_dev) && min == minor(st.st_dev) && p != getpid())
			pid = p;
	}
	fclose(f);
	return pid;
}

/* The wait for a lock: BPFGUARD_LOCK_TIMEOUT (30s, 500ms, ...) or 10 s.
 * Holders keep it for one operation (an attach: a few seconds at most). */
static uint64_t lock_timeout_ms(void)
{
	const char *v = getenv("BPFGUARD_LOCK_TIMEOUT");
	uint64_t ms;

	if (v && *v && bg_parse_duration_ms(v, &ms) == 0)
		return ms;
	if (v && *v)
		bg_warn("BPFGUARD_LOCK_TIMEOUT='%s' is not a duration (10s, 500ms); waiting 10 s", v);
	return 10000;
}

/*
 * Opens (creating it, 0600) lock file name in bpfguard's directory and
 * flocks it (LOCK_EX or LOCK_SH), waiting a bounded time: a holder that
 * never lets go makes us fail with one line naming it, never hang.
 */
static int lock_file(const char *name, int how, struct bg_diag *diag)
{
	struct timespec t0, now;
	uint64_t limit, waited;
	char path[PATH_MAX];
	unsigned nap = 1;
	int dir, fd;

	dir = bg_run_dir(diag);
	if (dir < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", BG_RUN_DIR, name);
	fd = openat(dir, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0600);
	close(dir);
	if (fd < 0) {
		bg_diag_set(diag, "cannot open lock %s: %s; %s", path, strerror(errno),
			    errno == ELOOP ? "remove the symlink" : "run as root");
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	limit = 0;
	while (flock(fd, how | LOCK_NB)) {
		pid_t pid;
		char comm[64] = "";

		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			bg_diag_set(diag, "cannot lock %s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		if (!limit)
			limit = lock_timeout_ms();
		clock_gettime(CLOCK_MONOTONIC, &now);
		waited = (uint64_t)(now.tv_sec - t0.tv_sec) * 1000 + (uint64_t)((now.tv_nsec - t0.tv_nsec) / 1000000);
		if (waited < limit) {
			usleep(nap * 1000); /* 1, 2, 4 .. 64 ms: quick when the holder is */
			nap = nap < 64 ? nap * 2 : nap;
			continue;
		}
		pid = lock_holder(fd);
		if (pid > 0) {
			char p[64], *c = NULL;
			size_t n;

			snprintf(p, sizeof(p), "/proc/%d/comm", (int)pid);
			if (bg_read_file(p, 64, &c, &n) == 0) {
				c[strcspn(c, "\n")] = '\0';
				snprintf(comm, sizeof(comm), " (%.32s)", c);
				free(c);
			}
		}
		if (pid > 0)
			bg_diag_set(diag, "%s is held by pid %d%s for more than %.1f s; wait for it to finish or stop it "
				    "(BPFGUARD_LOCK_TIMEOUT sets the wait)", path, (int)pid, comm, limit / 1000.0);
		else
			bg_diag_set(diag, "%s is held by another process for more than %.1f s; wait for it to finish "
				    "or stop it (BPFGUARD_LOCK_TIMEOUT sets the wait)", path, limit / 1000.0);
		close(fd);
		return -1;
	}
	return fd;
}

static int take_lock(bool exclusive, struct bg_diag *diag)
{
	return lock_file(BG_LOCK_NAME, exclusive ? LOCK_EX : LOCK_SH, diag);
}

bool bg_link_pinned(const char *prog)
{
	char p[PATH_MAX];

	bg_pin_path(p, sizeof(p), BG_PIN_LINKS, prog);
	return access(p, F_OK) == 0;
}

bool bg_links_pinned(const char *const *progs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!bg_link_pinned(progs[i]))
			return false;
	return true;
}

bool bg_state_links_present(void)
{
	return bg_links_pinned(prog_names, ARRAY_SIZE(prog_names));
}

static int open_pinned_maps(struct bg_state *st, struct bg_diag *diag)
{
	char p[PATH_MAX];

	for (int i = 0; i < BG_MAP__COUNT; i++) {
		bg_pin_path(p, sizeof(p), BG_PIN_MAPS, map_names[i]);
		st->map[i] = bpf_obj_get(p);
		if (st->map[i] < 0) {
			int e = errno;

			if (e == ENOENT)
				return -ENOENT;
			bg_diag_set(diag, "cannot open pinned map %s: %s", p, strerror(e));
			return -1;
		}
	}
	return 0;
}

static int check_layout(struct bg_state *st, struct bg_diag *diag)
{
	struct bg_config cfg = {};
	__u32 zero = 0;

	if (bpf_map_lookup_elem(st->map[BG_MAP_CONFIG], &zero, &cfg)) {
		bg_diag_set(diag, "cannot read bg_config: %s", strerror(errno));
		return -1;
	}
	if (cfg.layout_version == 0 && st->writable) {
		cfg.layout_version = BG_LAYOUT_VERSION;
		cfg.rate_limit = BG_DEFAULT_RATE_LIMIT;
		if (bpf_map_update_elem(st->map[BG_MAP_CONFIG], &zero, &cfg, BPF_ANY)) {
			bg_diag_set(diag, "cannot write bg_config: %s", strerror(errno));
			return -1;
		}
		return 0;
	}
	if (cfg.layout_version != BG_LAYOUT_VERSION) {
		bg_diag_set(diag, "pinned state in %s/%s has layout %u, this bpfguard uses %u; "
			    "run `bpfguard reset` (drops all attachments) and attach again",
			    BG_BPFFS, BG_PIN_ROOT, cfg.layout_version, BG_LAYOUT_VERSION);
		return -1;
	}
	return 0;
}

/* 0 when there is no pinned bg_config or it has our layout (or none yet). */
static int pinned_layout_differs(struct bg_diag *diag)
{
	struct bg_config cfg = {};
	char p[PATH_MAX];
	__u32 zero = 0;
	int fd, ret = 0;

	bg_pin_path(p, sizeof(p), BG_PIN_MAPS, "bg_config");
	fd = bpf_obj_get(p);
	if (fd < 0)
		return 0;
	if (bpf_map_lookup_elem(fd, &zero, &cfg) == 0 && cfg.layout_version &&
	    cfg.layout_version != BG_LAYOUT_VERSION) {
		bg_diag_set(diag, "pinned state in %s/%s has layout %u, this bpfguard uses %u; "
			    "run `bpfguard reset` (drops all attachments) and attach again",
			    BG_BPFFS, BG_PIN_ROOT, cfg.layout_version, BG_LAYOUT_VERSION);
		ret = -1;
	}
	close(fd);
	return ret;
}

int bg_pin_object_maps(struct bpf_object *obj)
{
	struct bpf_map *map;
	char p[PATH_MAX];

	/* Every map, shared or not: a map only one family uses today may be
	 * shared tomorrow, and each object must find the others' pins. */
	bpf_object__for_each_map(map, obj) {
		if (bpf_map__is_internal(map))
			continue; /* .rodata/.bss belong to one object */
		bg_pin_path(p, sizeof(p), BG_PIN_MAPS, bpf_map__name(map));
		if (bpf_map__set_pin_path(map, p))
			return -1;
	}
	return 0;
}

/*
 * Maps only, without libbpf's load: guard.bpf.o carries CO-RE relocations,
 * and bpf_object__load() parses the kernel's BTF for them even when no
 * program is loaded (reading and parsing /sys/kernel/btf/vmlinux was most
 * of bpfguard run's start-up).  Each map is reused from its pin or created
 * from the object's own definition and BTF (the task-storage map needs
 * the key and value types) and pinned, so a later full load finds and
 * reuses exactly what libbpf would have made.
 */
static int pin_maps_only(struct bg_state *st, struct bg_diag *diag)
{
	struct btf *btf = bpf_object__btf(st->skel->obj);
	struct bpf_map *map;
	char p[PATH_MAX];
	int btf_fd = -1;

	bpf_object__for_each_map(map, st->skel->obj) {
		LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = bpf_map__map_flags(map));
		const char *name = bpf_map__name(map);
		int fd, slot = -1;

		if (bpf_map__is_internal(map))
			continue;
		for (int i = 0; i < BG_MAP__COUNT; i++)
			if (!strcmp(name, map_names[i]))
				slot = i;
		bg_pin_path(p, sizeof(p), BG_PIN_MAPS, name);
		fd = bpf_obj_get(p);
		if (fd < 0 && errno == ENOENT) {
			if (btf_fd < 0) {
				if (!btf || btf__load_into_kernel(btf)) {
					bg_diag_set(diag, "cannot load guard.bpf.o's BTF: %s", strerror(errno));
					return -1;
				}
				btf_fd = btf__fd(btf);
			}
			o.btf_fd = btf_fd;
			o.btf_key_type_id = bpf_map__btf_key_type_id(map);
			o.btf_value_type_id = bpf_map__btf_value_type_id(map);
			fd = bpf_map_create(bpf_map__type(map), name, bpf_map__key_size(map),
					    bpf_map__value_size(map), bpf_map__max_entries(map), &o);
			if (fd < 0 || bpf_obj_pin(fd, p)) {
				bg_diag_set(diag, "cannot create map %s: %s", p, strerror(errno));
				if (fd >= 0)
					close(fd);
				return -1;
			}
		}
		if (fd < 0) {
			bg_diag_set(diag, "cannot open pinned map %s: %s", p, strerror(errno));
			return -1;
		}
		if (slot >= 0)
			st->map[slot] = fd;
		else
			close(fd); /* shared with the other families; pinned is enough */
	}
	for (int i = 0; i < BG_MAP__COUNT; i++) {
		if (st->map[i] < 0) {
			bg_diag_set(diag, "internal: map %s missing from guard.bpf.o", map_names[i]);
			return -1;
		}
	}
	st->own_map_fds = true;
	return 0;
}

/* Maps only, and every map of guard.bpf.o pinned already: bg_config's
 * layout is written after all of them were made (state_open), so a
 * layout of ours means the set is complete.  Then the pins are opened by
 * name without parsing guard.bpf.o (0.1-0.2 ms, twice in every `bpfguard
 * run`).  False: nothing kept open, take the object's path. */
static bool open_complete_pins(struct bg_state *st)
{
	struct bg_config cfg = {};
	struct bg_diag ignored = {};
	__u32 zero = 0;

	if (open_pinned_maps(st, &ignored) == 0 &&
	    bpf_map_lookup_elem(st->map[BG_MAP_CONFIG], &zero, &cfg) == 0 &&
	    cfg.layout_version == BG_LAYOUT_VERSION)
		return true;
	for (int i = 0; i < BG_MAP__COUNT; i++) {
		if (st->map[i] >= 0)
			close(st->map[i]);
		st->map[i] = -1;
	}
	return false;
}

static int load_skeleton(struct bg_state *st, bool want_progs, struct bg_diag *diag)
{
	bool need_progs = want_progs && !bg_state_links_present();
	struct bpf_program *prog;
	int ret;

	if (!want_progs && open_complete_pins(st)) {
		st->progs = false;
		return 0;
	}

	st->skel = guard_bpf__open();
	if (!st->skel) {
		bg_diag_set(diag, "cannot open the BPF object: %s", strerror(errno));
		return -1;
	}
	if (bg_pin_object_maps(st->skel->obj)) {
		bg_diag_set(diag, "internal: cannot set pin paths for guard.bpf.o");
		return -1;
	}
	for (int i = 0; i < BG_MAP__COUNT; i++) {
		if (!bpf_object__find_map_by_name(st->skel->obj, map_names[i])) {
			bg_diag_set(diag, "internal: map %s missing from guard.bpf.o", map_names[i]);
			return -1;
		}
	}
	if (!need_progs) {
		st->progs = false;
		return pin_maps_only(st, diag);
	}
	/* When the links are pinned the kernel already runs our programs; we
	 * only need the maps, so skip verifying programs again. */
	bpf_object__for_each_program(prog, st->skel->obj)
		bpf_program__set_autoload(prog, need_progs);
	st->skel->rodata->bg_late_kills = !bg_kernel_can_signal_task(); /* escape.h */
	libbpf_last[0] = '\0';
	ret = guard_bpf__load(st->skel);
	if (ret) {
		if (strstr(libbpf_last, "reuse"))
			bg_diag_set(diag, "pinned maps in %s/%s do not match this bpfguard (%s); "
				    "run `bpfguard reset` and attach again", BG_BPFFS, BG_PIN_ROOT, libbpf_last);
		else
			bg_diag_set(diag, "cannot load guard.bpf.o: %s%s%s; rerun with BPFGUARD_DEBUG=1 for the verifier log",
				    strerror(-ret), libbpf_last[0] ? ": " : "", libbpf_last);
		return -1;
	}
	for (int i = 0; i < BG_MAP__COUNT; i++)
		st->map[i] = bpf_map__fd(bpf_object__find_map_by_name(st->skel->obj, map_names[i]));
	st->progs = need_progs;
	return 0;
}

static int state_open(struct bg_state *st, bool writable, bool progs, struct bg_diag *diag)
{
	static const char *const subdirs[] = { "", "/" BG_PIN_MAPS, "/" BG_PIN_PROGS, "/" BG_PIN_LINKS };
	int ret;

	memset(st, 0, sizeof(*st));
	for (int i = 0; i < BG_MAP__COUNT; i++)
		st->map[i] = -1;
	st->writable = writable;
	snprintf(st->dir, sizeof(st->dir), "%s/%s", BG_BPFFS, BG_PIN_ROOT);
	libbpf_set_print(bg_libbpf_print);

	ret = ensure_bpffs(writable, diag);
	if (ret)
		return ret;
	st->lock_fd = take_lock(writable, diag);
	if (st->lock_fd < 0)
		return -1;
	if (!writable) {
		ret = open_pinned_maps(st, diag);
		if (ret)
			goto fail;
		ret = check_layout(st, diag);
		if (ret)
			goto fail;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(subdirs); i++) {
		char d[PATH_MAX];

		snprintf(d, sizeof(d), "%s%s", st->dir, subdirs[i]);
		if (mkdir(d, 0700) && errno != EEXIST) {
			bg_diag_set(diag, "cannot create %s: %s", d, strerror(errno));
			ret = -1;
			goto fail;
		}
	}
	/* BPF memory is memcg-accounted on current kernels; raising the
	 * memlock limit may fail without CAP_SYS_RESOURCE and that is fine. */
	setrlimit(RLIMIT_MEMLOCK, &(struct rlimit){ RLIM_INFINITY, RLIM_INFINITY });
	/* Pins of another layout would make the skeleton's map reuse fail
	 * with a bare EINVAL: say what it is first. */
	ret = pinned_layout_differs(diag);
	if (!ret)
		ret = load_skeleton(st, progs, diag);
	if (!ret)
		ret = check_layout(st, diag);
	if (ret)
		goto fail;
	st->filter = mmap(NULL, BG_FILTER_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, st->map[BG_MAP_CGFILTER], 0);
	if (st->filter == MAP_FAILED) {
		st->filter = NULL;
		bg_diag_set(diag, "cannot map bpfguard's sys_enter filter (%s): %s; run `bpfguard reset` if the pins "
			    "are from an older bpfguard", st->dir, strerror(errno));
		ret = -1;
		goto fail;
	}
	return 0;
fail:
	bg_state_close(st);
	return ret;
}

int bg_state_open(struct bg_state *st, bool writable, struct bg_diag *diag)
{
	return state_open(st, writable, true, diag);
}

int bg_state_open_maps(struct bg_state *st, struct bg_diag *diag)
{
	return state_open(st, true, false, diag);
}

void bg_state_close(struct bg_state *st)
{
	if (st->filter)
		munmap(st->filter, BG_FILTER_BYTES);
	st->filter = NULL;
	if (st->skel && !st->own_map_fds) {
		guard_bpf__destroy(st->skel); /* closes the map fds too */
		st->skel = NULL;
	} else {
		if (st->skel)
			guard_bpf__destroy(st->skel);
		st->skel = NULL;
		for (int i = 0; i < BG_MAP__COUNT; i++)
			if (st->map[i] >= 0)
				close(st->map[i]);
	}
	for (int i = 0; i < BG_MAP__COUNT; i++)
		st->map[i] = -1;
	if (st->lock_fd > 0)
		close(st->lock_fd);
	st->lock_fd = -1;
}

void bg_state_close_lock(struct bg_state *st)
{
	if (st->lock_fd > 0)
		close(st->lock_fd);
	st->lock_fd = -1;
}

int bg_state_links_up(struct bg_state *st, struct bg_diag *diag)
{
	char p[PATH_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(prog_names); i++) {
		struct bpf_program *prog;
		struct bpf_link *link;
		int ret;

		bg_pin_path(p, sizeof(p), BG_PIN_LINKS, prog_names[i]);
		if (access(p, F_OK) == 0)
			continue;
		prog = st->progs ? bpf_object__find_program_by_name(st->skel->obj, prog_names[i]) : NULL;
		if (!prog || bpf_program__fd(prog) < 0) {
			bg_diag_set(diag, "internal: program %s not loaded", prog_names[i]);
			return -1;
		}
		link = bpf_program__attach(prog);
		if (!link) {
			bg_diag_set(diag, "cannot attach %s: %s", prog_names[i], strerror(errno));
			return -1;
		}
		ret = bpf_link__pin(link, p);
		bpf_link__destroy(link); /* the pin holds the attachment now */
		if (ret) {
			bg_diag_set(diag, "cannot pin %s: %s", p, strerror(-ret));
			return -1;
		}
		bg_pin_path(p, sizeof(p), BG_PIN_PROGS, prog_names[i]);
		unlink(p);
		bpf_program__pin(prog, p); /* for bpftool users; the link keeps it alive anyway */
	}
	return 0;
}

static void unlink_dir(const char *dir);

void bg_state_links_down(struct bg_state *st)
{
	char p[PATH_MAX];

	(void)st;
	/* sys_enter first (reverse of links_up): from here on no task pays for
	 * bpfguard.  Only guard's own pins: the LSM family's are dropped by
	 * bg_lsm_sync(), and the cgroup hooks of bpfguard run's seccomp
	 * attachments stay with their cgroups. */
	for (size_t i = ARRAY_SIZE(prog_names); i-- > 0;) {
		bg_pin_path(p, sizeof(p), BG_PIN_LINKS, prog_names[i]);
		unlink(p);
		bg_pin_path(p, sizeof(p), BG_PIN_PROGS, prog_names[i]);
		unlink(p);
	}
}

static void unlink_dir(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		char p[PATH_MAX];

		if (de->d_name[0] == '.')
			continue;
		/* a pin path longer than PATH_MAX cannot exist: skip, never
		 * unlink a truncated name */
		if (snprintf(p, sizeof(p), "%s/%s", dir, de->d_name) >= (int)sizeof(p))
			continue;
		if (de->d_type == DT_DIR) {
			unlink_dir(p);
			rmdir(p);
		} else {
			unlink(p);
		}
	}
	closedir(d);
}

int bg_state_reset(struct bg_diag *diag)
{
	char dir[PATH_MAX], links[PATH_MAX];
	struct statfs sfs;
	int lock;

	if (statfs(BG_BPFFS, &sfs) || sfs.f_type != BPF_FS_MAGIC)
		return 0; /* no bpffs, nothing of ours can be pinned */
	lock = take_lock(true, diag);
	if (lock < 0)
		return -1;
	bg_exec_gate_stop(); /* the fanotify gate first: the kill at exec stays until the links go */
	snprintf(dir, sizeof(dir), "%s/%s", BG_BPFFS, BG_PIN_ROOT);
	snprintf(links, sizeof(links), "%s/%s/%s", BG_BPFFS, BG_PIN_ROOT, BG_PIN_LINKS);
	unlink_dir(links); /* detach first, then the rest */
	unlink_dir(dir);
	rmdir(dir);
	close(lock);
	if (access(dir, F_OK) == 0) {
		bg_diag_set(diag, "could not remove everything under %s", dir);
		return -1;
	}
	return 0;
}

unsigned long long bg_state_stat(const struct bg_state *st, unsigned idx)
{
	int ncpu = libbpf_num_possible_cpus();
	unsigned long long sum = 0;
	__u64 *vals;

	if (ncpu <= 0)
		return 0;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return 0;
	if (bpf_map_lookup_elem(st->map[BG_MAP_STATS], &idx, vals) == 0)
		for (int i = 0; i < ncpu; i++)
			sum += vals[i];
	free(vals);
	return sum;
}

int bg_state_follow_begin(void)
{
	struct bg_diag diag = {};
	int fd = lock_file(BG_FOLLOW_LOCK_NAME, LOCK_SH, &diag);

	if (fd < 0)
		bg_warn("%s; following without keeping bpfguard's maps pinned", diag.msg);
	return fd;
}

static bool followed(void)
{
	bool busy = false;
	int dir, fd;

	dir = bg_run_dir(NULL);
	if (dir < 0)
		return false;
	fd = openat(dir, BG_FOLLOW_LOCK_NAME, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	close(dir);
	if (fd < 0)
		return false;
	busy = flock(fd, LOCK_EX | LOCK_NB) != 0;
	close(fd); /* drops our lock if we got it */
	return busy;
}

void bg_state_release_if_unused(void)
{
	struct bg_attachment *list;
	struct bg_state st;
	unsigned n = 1;
	struct bg_diag diag = {};

	if (bg_state_open(&st, false, &diag))
		return;
	if (bg_att_list(&st, &list, &n) == 0)
		free(list);
	bg_state_close(&st);
	if (n == 0 && !followed())
		bg_state_reset(NULL);
}

int bg_state_relock(struct bg_state *st, struct bg_diag *diag)
{
	char p[PATH_MAX];
	int fd;
	bool same;

	st->lock_fd = take_lock(st->writable, diag);
	if (st->lock_fd < 0) {
		bg_state_close(st);
		return -1;
	}
	bg_pin_path(p, sizeof(p), BG_PIN_MAPS, map_names[BG_MAP_ATTACHMENTS]);
	fd = bpf_obj_get(p);
	same = fd >= 0 && bg_map_id(fd) == bg_map_id(st->map[BG_MAP_ATTACHMENTS]);
	if (fd >= 0)
		close(fd);
	if (!same) {
		bg_state_close(st);
		return -1;
	}
	return 0;
}

int bg_state_lock_exclusive(struct bg_diag *diag)
{
	return take_lock(true, diag);
}

uint32_t bg_map_id(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

uint32_t bg_pinned_events_id(void)
{
	char p[PATH_MAX];
	uint32_t id;
	int fd;

	bg_pin_path(p, sizeof(p), BG_PIN_MAPS, bg_map_name(BG_MAP_EVENTS));
	fd = bpf_obj_get(p);
	if (fd < 0)
		return 0;
	id = bg_map_id(fd);
	close(fd);
	return id;
}
