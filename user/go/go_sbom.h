/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* go_sbom.h - a Go binary's SBOM from its build info (go_sbom.c). */
#ifndef BG_GO_SBOM_H
#define BG_GO_SBOM_H

#include <json-c/json.h>

struct bg_go_file;

/* A CycloneDX 1.6 JSON document (a new json-c tree) for the binary read
 * into g; file names it when the build info has no package path. */
struct json_object *bg_go_cyclonedx(const struct bg_go_file *g, const char *file);

#endif
