// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* lazylib.c - see lazylib.h. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "exitcodes.h"
#include "lazylib.h"
#include "util.h"

/* Handles by soname; two libraries today, room for a few more.  The
 * lock makes the first use from two threads (go_dirhash hashes in
 * parallel) open the library once. */
#define MAX_LIBS 8
static struct {
	const char *soname;
	void *handle;
} libs[MAX_LIBS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void __attribute__((noreturn)) broken(const struct bg_lazylib *lib, const char *what)
{
	bg_err("cannot load %s, which %s need: %s; install %s", lib->soname, lib->purpose, what,
	       lib->package);
	exit(BG_EXIT_FAIL);
}

void *bg_lazy_sym(const struct bg_lazylib *lib, const char *sym)
{
	void *h = NULL, *p;
	const char *e;
	unsigned i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < MAX_LIBS && libs[i].soname; i++)
		if (!strcmp(libs[i].soname, lib->soname))
			break;
	if (i == MAX_LIBS) {
		pthread_mutex_unlock(&lock);
		broken(lib, "internal: too many lazily loaded libraries");
	}
	if (!libs[i].soname) {
		/* RTLD_NOW: a missing symbol fails here, not at a later call */
		libs[i].handle = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
		if (!libs[i].handle) {
			e = dlerror();
			pthread_mutex_unlock(&lock);
			broken(lib, e ? e : "dlopen failed");
		}
		libs[i].soname = lib->soname;
	}
	h = libs[i].handle;
	pthread_mutex_unlock(&lock);
	dlerror();
	p = dlsym(h, sym);
	if (!p)
		broken(lib, (e = dlerror()) ? e : sym);
	return p;
}
