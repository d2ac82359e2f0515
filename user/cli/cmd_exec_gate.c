// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * exec-gate (hidden): the fanotify exec gate's supervisor, started by
 * attach (core/exec_gate.c spawns it detached) and stopped by the last
 * detach or reset; not for people to run.  Parses its one option and
 * hands over.
 */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "exec_gate.h"
#include "util.h"

int cmd_exec_gate(int argc, char **argv)
{
	int ready_fd = -1;

	if (argc == 3 && !strcmp(argv[1], "--ready-fd")) {
		ready_fd = atoi(argv[2]);
	} else if (argc != 1) {
		bg_err("exec-gate: usage: bpfguard exec-gate [--ready-fd N] (started by attach; not for people to run)");
		return BG_EXIT_USAGE;
	}
	return bg_exec_gate_main(ready_fd);
}
