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
	{ "proxy", cmd_go_proxy, "a GOPROXY server that serves only modules whose h1: matches pinned go.sum lines (docs/go-proxy.md)",
	  "--listen HOST:PORT --upstream DIR|file:///DIR|http://HOST:PORT/PATH --gosum FILE... [--sign-key KEY.pem] [--max-conns N] [--timeout DURATION] [--quiet]",
	  .opts = bg_opts_go_proxy },
	{ "verify-download", cmd_go_verify_download, "fetch from a signing proxy; write the file only if hash and signature verify",
	  "--key KEY.pub URL [-o FILE]", .opts = bg_opts_go_verify_download },
	{}
};
