/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* commands.h - the CLI's command handlers (argv[0] is the verb). */
#ifndef BG_COMMANDS_H
#define BG_COMMANDS_H

#include "exitcodes.h"

int cmd_attach(int argc, char **argv);
int cmd_detach(int argc, char **argv);
int cmd_reset(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_run(int argc, char **argv); /* exit codes: run.h, docs/run.md */
int cmd_go(int argc, char **argv);  /* go inspect|verify|hash|verify-modcache */
int cmd_trust(int argc, char **argv); /* trust add|list|remove */
int cmd_learn(int argc, char **argv); /* user/cmd_learn.c, docs/learn.md */
int cmd_daemon(int argc, char **argv); /* user/daemon.c, docs/daemon.md */

/* The `go` object's verbs (argv[0] is the verb). */
int cmd_go_inspect(int argc, char **argv);        /* user/cmd_go_inspect.c */
int cmd_go_verify(int argc, char **argv);         /* user/cmd_go_inspect.c */
int cmd_go_hash(int argc, char **argv);           /* user/cmd_go_hash.c */
int cmd_go_verify_modcache(int argc, char **argv); /* user/cmd_go_hash.c */

#endif
