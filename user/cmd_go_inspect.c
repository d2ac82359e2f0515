/* placeholder until the go readers land */
#include <stdio.h>
#include "commands.h"
int cmd_go_inspect(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "bpfguard go inspect: not built\n"); return 1; }
int cmd_go_verify(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "bpfguard go verify: not built\n"); return 1; }
