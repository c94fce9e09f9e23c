/* toolcli.c: the tools' shared command-line pieces: version line, edit-distance suggestions, strict numbers, usage errors. */
#include "toolcli.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tvp_build.h" /* generated at build time (cmake/part-cli.cmake): TVP_BUILD_VERSION, _COMMIT */

#define TOOLCLI_MAX_NAME 128

const char *toolcli_version(void) { return TVP_BUILD_VERSION; }

const char *toolcli_commit(void) { return TVP_BUILD_COMMIT; }

int toolcli_print_version(const char *tool)
{
    printf("%s %s (%s)\n", tool, toolcli_version(), toolcli_commit());
    return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}

size_t toolcli_distance(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen > TOOLCLI_MAX_NAME || blen > TOOLCLI_MAX_NAME)
        return SIZE_MAX;
    /* Three rows of the dynamic programme: i-2, i-1, i. */
    size_t rows[3][TOOLCLI_MAX_NAME + 1];
    for (size_t j = 0; j <= blen; j++)
        rows[0][j] = j;
    for (size_t i = 1; i <= alen; i++) {
        size_t *cur = rows[i % 3], *prev = rows[(i + 2) % 3], *prev2 = rows[(i + 1) % 3];
        cur[0] = i;
        for (size_t j = 1; j <= blen; j++) {
            int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
            size_t best = prev[j - 1] + (ca != cb);
            if (prev[j] + 1 < best)
                best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && prev2[j - 2] + 1 < best)
                best = prev2[j - 2] + 1;
            cur[j] = best;
        }
    }
    return rows[alen % 3][blen];
}

static const char *undashed(const char *s)
{
    while (*s == '-')
        s++;
    return s;
}

/* The part of a name after its first '_' ("repetitions" of "benchmark_repetitions"), or NULL. */
static const char *family_rest(const char *name, size_t len)
{
    const char *u = memchr(name, '_', len);
    return u ? u + 1 : NULL;
}

const char *toolcli_suggest(const char *arg, const char *const *known, size_t n)
{
    const char *name = undashed(arg);
    size_t len = strcspn(name, "=");
    const char *rest = family_rest(name, len);
    size_t rest_len = rest ? len - (size_t)(rest - name) : 0;
    const char *best = NULL, *prefix_of = NULL, *family = NULL;
    size_t best_d = SIZE_MAX, n_prefix = 0, n_family = 0;
    for (size_t i = 0; i < n; i++) {
        const char *k = undashed(known[i]);
        size_t klen = strlen(k);
        const char *krest = family_rest(k, klen);
        size_t own = krest ? strlen(krest) : klen; /* "hogs" of tvp_hogs: the prefix is no evidence */
        size_t allowed = own <= 2 ? 0 : own <= 5 ? 1 : own <= 10 ? 2 : 3;
        size_t d = toolcli_distance(name, len, k, klen);
        if (d <= allowed && d < best_d) {
            best = known[i];
            best_d = d;
        }
        if (len >= 3 && len < klen && strncasecmp(name, k, len) == 0) {
            prefix_of = known[i];
            n_prefix++;
        }
        if (rest && rest_len >= 4 && krest && strlen(krest) == rest_len && strncasecmp(rest, krest, rest_len) == 0) {
            family = known[i];
            n_family++;
        }
    }
    if (best)
        return best;
    if (n_prefix == 1)
        return prefix_of;
    return n_family == 1 ? family : NULL;
}

int toolcli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    if (!s || !*s)
        return -EINVAL;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9')
            return -EINVAL;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return -EINVAL;
    *out = (uint64_t)v;
    return 0;
}

__attribute__((format(printf, 2, 0))) static void toolcli_verror(const char *tool, const char *fmt, va_list ap)
{
    fprintf(stderr, "%s: ", tool);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void toolcli_error(const char *tool, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    toolcli_verror(tool, fmt, ap);
    va_end(ap);
}

void toolcli_die(const char *tool, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    toolcli_verror(tool, fmt, ap);
    va_end(ap);
    exit(TOOLCLI_EXIT_USAGE);
}

void toolcli_unknown(const char *tool, const char *arg, const char *const *known, size_t n, const char *hint)
{
    const char *what = arg[0] == '-' ? "unknown flag" : "unexpected argument";
    const char *close = toolcli_suggest(arg, known, n);
    if (close)
        toolcli_error(tool, "%s '%s'; did you mean %s? (see %s --help)", what, arg, close, tool);
    else if (hint)
        toolcli_error(tool, "%s '%s' (%s)", what, arg, hint);
    else
        toolcli_error(tool, "%s '%s' (see %s --help)", what, arg, tool);
}

uint64_t toolcli_number(const char *tool, const char *flag, const char *value, uint64_t lo, uint64_t hi,
                        const char *note)
{
    uint64_t v;
    if (toolcli_parse_u64(value, lo, hi, &v) < 0)
        toolcli_die(tool, "%s=%s: expected an integer in %llu..%llu%s%s%s", flag, value, (unsigned long long)lo,
                    (unsigned long long)hi, note ? " (" : "", note ? note : "", note ? ")" : "");
    return v;
}
