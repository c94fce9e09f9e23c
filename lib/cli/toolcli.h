/* toolcli.h: what every tool's command line shares: the version line, "did you mean", strict numbers, usage errors (exit 2). */
#ifndef TVP_TOOLCLI_H
#define TVP_TOOLCLI_H

#include <stddef.h>
#include <stdint.h>

/* The tools' front ends only: unlike the harness (lib/core, net, io, stats), this module prints to
 * stderr and may exit, so a tool's usage errors all read "<tool>: ..." and exit 2. */

#define TOOLCLI_EXIT_USAGE 2

/* project(VERSION) of the build, e.g. "0.1.0". */
const char *toolcli_version(void);
/* The source tree's commit when the binary was built: 12 hex digits, "-dirty" after them when
 * tracked files had changes; "unknown" when built outside a git checkout (a tarball). */
const char *toolcli_commit(void);
/* Prints "<tool> <version> (<commit>)" on stdout. 0, or 1 when stdout could not be written
 * (the exit status to use). */
int toolcli_print_version(const char *tool);

/* Edit distance between a[0..alen) and b[0..blen), case-insensitive: insertions, deletions,
 * substitutions and swaps of two neighbours each cost 1 (optimal string alignment). Lengths
 * beyond 128 bytes give SIZE_MAX. */
size_t toolcli_distance(const char *a, size_t alen, const char *b, size_t blen);
/* The known flag (e.g. "--port") arg was most likely meant as, or NULL when none is close. Only
 * arg's name counts (up to '='); leading dashes are ignored on both sides. In order: the nearest
 * name within an edit distance of 1 when the name (after its first '_', if any: tvp_hogs counts
 * as hogs) has up to 5 characters, 2 up to 10, 3 beyond (the first of equals); else the one name
 * arg is the start of (3 characters or more); else the one name that is arg under another
 * prefix: the same text after the first '_' (4 characters or more: --tvp_repetitions gives
 * --benchmark_repetitions). */
const char *toolcli_suggest(const char *arg, const char *const *known, size_t n);

/* A decimal integer in [min, max]: digits only (no sign, space, base prefix or exponent).
 * 0, or -EINVAL. */
int toolcli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* "<tool>: <message>" and a newline on stderr. */
__attribute__((format(printf, 2, 3))) void toolcli_error(const char *tool, const char *fmt, ...);
/* toolcli_error, then exit(TOOLCLI_EXIT_USAGE). */
__attribute__((format(printf, 2, 3))) _Noreturn void toolcli_die(const char *tool, const char *fmt, ...);
/* An argument no flag of the tool takes: "<tool>: unknown flag '--prot=8'; did you mean --port?
 * (see --help)" (or "unexpected argument 'x'" when it does not start with '-'); `hint` replaces
 * "see --help" when given. Prints only: the caller exits 2. */
void toolcli_unknown(const char *tool, const char *arg, const char *const *known, size_t n, const char *hint);
/* The integer of --flag=value in [lo, hi], or exit 2 after "<tool>: --flag=value: expected an
 * integer in lo..hi (note)" (without the parenthesis when note is NULL). */
uint64_t toolcli_number(const char *tool, const char *flag, const char *value, uint64_t lo, uint64_t hi,
                        const char *note);

#endif /* TVP_TOOLCLI_H */
