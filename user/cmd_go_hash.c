/* placeholder until the go readers land */
#include <stdio.h>
#include "commands.h"
int cmd_go_hash(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "bpfguard go hash: not built\n"); return 1; }
int cmd_go_verify_modcache(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "bpfguard go verify-modcache: not built\n"); return 1; }
