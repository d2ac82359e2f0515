// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_go.c - the `bpfguard go VERB` object: what a Go binary is made of and
 * whether its modules are the ones go.sum vouches for.  No Go toolchain is
 * needed; docs/go.md describes the formats and verdicts.
 */
#include "commands.h"

const struct bg_cmd bg_go_cmds[] = {
	{ "inspect", cmd_go_inspect, "build info, modules, cgo and static verdicts; or a CycloneDX SBOM", "BINARY [--json] [--format text|json|cyclonedx]",
	  .opts = bg_opts_go_inspect },
	{ "verify", cmd_go_verify, "every dependency against go.sum",
	  "BINARY --gosum FILE [--json] [--allow-dir-replace]", .opts = bg_opts_go_verify },
	{ "hash", cmd_go_hash, "h1: hashes of a module zip, directory or go.mod",
	  "zip FILE [--prefix MOD@VER] | dir DIR --prefix MOD@VER | gomod FILE", .opts = bg_opts_go_hash,
	  .words = "zip dir gomod" },
	{ "verify-modcache", cmd_go_verify_modcache, "like `go mod verify` over a module cache",
	  "[GOMODCACHE] [--json]", .opts = bg_opts_go_modcache },
	{}
};
