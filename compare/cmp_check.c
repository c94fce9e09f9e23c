/* cmp_check.c: what both readers share: error messages, values, names without run settings, repeated rows. */
#include "cmp_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int cmp_errorf(cmp_error *err, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

int cmp_parse_value(const char *s, double *out)
{
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == '\0')
        return -EINVAL;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    int range = errno;
    if (end == s)
        return -EINVAL;
    while (*end == ' ' || *end == '\t')
        end++;
    if (*end != '\0')
        return -EINVAL;
    if (!isfinite(v) && range == 0) /* nan, inf, infinity, any sign or case */
        return -EDOM;
    if (range == ERANGE) /* beyond a double either way: 1e999, 1e-999 */
        return -ERANGE;
    *out = v;
    return 0;
}

const char *cmp_value_error(int rc)
{
    switch (rc) {
    case -EDOM: return "is not a finite number";
    case -ERANGE: return "is out of the range of a double";
    default: return "is not a number";
    }
}

int cmp_check_value(const char *metric, double *v, char *why, size_t cap)
{
    if (!isfinite(*v)) {
        snprintf(why, cap, "%s is not a finite number", metric);
        return -EDOM;
    }
    if (*v < 0.0) {
        snprintf(why, cap, "negative value %.9g (%s cannot be negative: the gate compares ratios "
                 "of medians)", *v, metric);
        return -EDOM;
    }
    if (*v == 0.0 && cmp_metric_positive(metric)) {
        snprintf(why, cap, "zero value (%s is an elapsed time and must be > 0)", metric);
        return -EDOM;
    }
    *v += 0.0; /* -0 is 0 */
    return 0;
}

/* ---- names ---- */

static bool cmp__digits(const char *s)
{
    size_t n = strspn(s, "0123456789");
    return n > 0 && s[n] == '\0';
}

/* The value of a "key:value" component when comp starts with key and the value is not empty. */
static const char *cmp__setting(const char *comp, const char *key)
{
    size_t n = strlen(key);
    return strncmp(comp, key, n) == 0 && comp[n] != '\0' ? comp + n : NULL;
}

/* True when the path component comp is one of Google Benchmark's run settings; *threads is set
 * from "threads:N". */
static bool cmp__run_setting(const char *comp, unsigned long *threads)
{
    static const char *const flags[] = {"manual_time", "real_time", "process_time"};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (strcmp(comp, flags[i]) == 0)
            return true;
    const char *v;
    if (cmp__setting(comp, "min_time:") || cmp__setting(comp, "min_warmup_time:"))
        return true;
    if (((v = cmp__setting(comp, "repeats:")) || (v = cmp__setting(comp, "iterations:"))) &&
        cmp__digits(v))
        return true;
    if ((v = cmp__setting(comp, "threads:")) && cmp__digits(v) && strlen(v) <= 9) {
        *threads = strtoul(v, NULL, 10);
        return true;
    }
    return false;
}

char *cmp_canonical_name(const char *name, unsigned long threads)
{
    size_t len = strlen(name);
    char *s = malloc(len + 32);
    if (!s)
        return NULL;
    memcpy(s, name, len + 1);
    unsigned long from_name = 0;
    for (;;) {
        char *slash = strrchr(s, '/');
        if (!slash || slash == s || !cmp__run_setting(slash + 1, &from_name))
            break;
        *slash = '\0';
    }
    if (threads == 0)
        threads = from_name;
    if (threads > 1)
        snprintf(s + strlen(s), 32, "/threads:%lu", threads);
    return s;
}

/* ---- repeated repetitions ---- */

int cmp_seen_add(cmp_set *seen, const char *run_id, const char *key, unsigned long rep,
                 size_t where, size_t *first)
{
    /* Lengths make the composite unambiguous whatever the strings hold. */
    size_t lr = strlen(run_id), lk = strlen(key), cap = lr + lk + 3 * 24;
    char *composite = malloc(cap);
    if (!composite)
        return -ENOMEM;
    snprintf(composite, cap, "%zu:%s%zu:%s%lu", lr, run_id, lk, key, rep);
    size_t before = seen->n;
    cmp_series *s = cmp_set_series(seen, composite, where);
    free(composite);
    if (!s)
        return -ENOMEM;
    if (seen->n != before)
        return 0;
    *first = s->line;
    return 1;
}

bool cmp_selected(const cmp_set *s, const char *key)
{
    return !s->filter || regexec(s->filter, key, 0, NULL, 0) == 0;
}
