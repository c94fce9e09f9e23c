/* cmp_set.c: metric names and directions, and the keyed sample sets the readers fill. */
#include "cmp.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- metrics ---- */

typedef struct {
    const char *name;
    cmp_direction better;
} cmp__known_metric;

static const cmp__known_metric cmp__known[] = {
    {"wall_s", CMP_LOWER_IS_BETTER},       {"tasks_per_s", CMP_HIGHER_IS_BETTER},
    {"speedup", CMP_HIGHER_IS_BETTER},     {"efficiency", CMP_HIGHER_IS_BETTER},
    {"lat_p50_us", CMP_LOWER_IS_BETTER},   {"lat_p99_us", CMP_LOWER_IS_BETTER},
    {"cpu_s", CMP_LOWER_IS_BETTER},        {"ctx_vol", CMP_LOWER_IS_BETTER},
    {"ctx_invol", CMP_LOWER_IS_BETTER},    {"rss_kib", CMP_LOWER_IS_BETTER},
    {"real_time", CMP_LOWER_IS_BETTER},    {"cpu_time", CMP_LOWER_IS_BETTER},
    {"items_per_second", CMP_HIGHER_IS_BETTER}, {"bytes_per_second", CMP_HIGHER_IS_BETTER},
};

/* Suffixes that say what a cost or a rate column is; rates are checked first ("_per_s" ends in
 * "_s"). This covers spawn and switch costs such as spawn_us or switch_cost_ns. */
static const cmp__known_metric cmp__suffixes[] = {
    {"_per_s", CMP_HIGHER_IS_BETTER}, {"_per_second", CMP_HIGHER_IS_BETTER},
    {"_ns", CMP_LOWER_IS_BETTER},     {"_us", CMP_LOWER_IS_BETTER},
    {"_ms", CMP_LOWER_IS_BETTER},     {"_s", CMP_LOWER_IS_BETTER},
};

const char *cmp_metric_known_list(void)
{
    return "wall_s, lat_p50_us, lat_p99_us, cpu_s, ctx_vol, ctx_invol, rss_kib, real_time, "
           "cpu_time and names ending in _s/_ms/_us/_ns (lower is better); tasks_per_s, speedup, "
           "efficiency, items_per_second, bytes_per_second and names ending in _per_s/_per_second "
           "(higher is better)";
}

bool cmp_metric_positive(const char *name)
{
    static const char *const elapsed[] = {"wall_s", "real_time", "lat_p50_us", "lat_p90_us",
                                          "lat_p99_us"};
    for (size_t i = 0; name && i < sizeof elapsed / sizeof elapsed[0]; i++)
        if (strcmp(name, elapsed[i]) == 0)
            return true;
    return false;
}

void cmp_metric_default(cmp_metric *m)
{
    memset(m, 0, sizeof *m);
    strcpy(m->name, "wall_s");
    m->better = CMP_LOWER_IS_BETTER;
    m->is_default = true;
}

static bool cmp__valid_name(const char *s, size_t len)
{
    if (len == 0 || len >= CMP_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '.' || c == '-';
        if (!ok)
            return false;
    }
    return true;
}

static bool cmp__ends_with(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls > lx && strcmp(s + ls - lx, suffix) == 0;
}

static int cmp__known_direction(const char *name, cmp_direction *d)
{
    for (size_t i = 0; i < sizeof cmp__known / sizeof cmp__known[0]; i++)
        if (strcmp(name, cmp__known[i].name) == 0) {
            *d = cmp__known[i].better;
            return 0;
        }
    for (size_t i = 0; i < sizeof cmp__suffixes / sizeof cmp__suffixes[0]; i++)
        if (cmp__ends_with(name, cmp__suffixes[i].name)) {
            *d = cmp__suffixes[i].better;
            return 0;
        }
    return -ENOENT;
}

int cmp_metric_parse(const char *spec, cmp_metric *m)
{
    if (!spec || !m)
        return -EINVAL;
    const char *colon = strchr(spec, ':');
    size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
    if (!cmp__valid_name(spec, len))
        return -EINVAL;
    cmp_metric r;
    memset(&r, 0, sizeof r);
    memcpy(r.name, spec, len);
    if (colon) {
        if (strcmp(colon + 1, "lower") == 0)
            r.better = CMP_LOWER_IS_BETTER;
        else if (strcmp(colon + 1, "higher") == 0)
            r.better = CMP_HIGHER_IS_BETTER;
        else
            return -EINVAL;
    } else {
        int rc = cmp__known_direction(r.name, &r.better);
        if (rc < 0)
            return rc;
    }
    *m = r;
    return 0;
}

/* ---- sets ---- */

void cmp_set_init(cmp_set *s)
{
    memset(s, 0, sizeof *s);
}

void cmp_set_free(cmp_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->rows[i].key);
        free(s->rows[i].v);
    }
    free(s->rows);
    free(s->index);
    free(s->name);
    const regex_t *filter = s->filter;
    cmp_set_init(s);
    s->filter = filter;
}

static uint64_t cmp__hash(const char *key)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325); /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * UINT64_C(0x100000001b3);
    return h;
}

/* Slot of key in the index: where it is, or the empty slot where it would go. */
static size_t cmp__slot(const cmp_set *s, const char *key)
{
    size_t mask = s->index_cap - 1;
    size_t i = (size_t)cmp__hash(key) & mask;
    while (s->index[i] && strcmp(s->rows[s->index[i] - 1].key, key) != 0)
        i = (i + 1) & mask;
    return i;
}

static int cmp__grow_index(cmp_set *s)
{
    size_t cap = s->index_cap ? s->index_cap * 2 : 64;
    size_t *idx = calloc(cap, sizeof *idx);
    if (!idx)
        return -ENOMEM;
    free(s->index);
    s->index = idx;
    s->index_cap = cap;
    for (size_t r = 0; r < s->n; r++)
        s->index[cmp__slot(s, s->rows[r].key)] = r + 1;
    return 0;
}

const cmp_series *cmp_set_find(const cmp_set *s, const char *key)
{
    if (!s || !key || s->index_cap == 0)
        return NULL;
    size_t i = cmp__slot(s, key);
    return s->index[i] ? &s->rows[s->index[i] - 1] : NULL;
}

cmp_series *cmp_set_series(cmp_set *s, const char *key, size_t line)
{
    const cmp_series *found = cmp_set_find(s, key);
    if (found)
        return &s->rows[found - s->rows];
    if ((s->n + 1) * 2 > s->index_cap && cmp__grow_index(s) < 0)
        return NULL;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        cmp_series *rows = realloc(s->rows, cap * sizeof *rows);
        if (!rows)
            return NULL;
        s->rows = rows;
        s->cap = cap;
    }
    cmp_series *r = &s->rows[s->n];
    memset(r, 0, sizeof *r);
    r->key = strdup(key);
    if (!r->key)
        return NULL;
    r->line = line;
    size_t slot = cmp__slot(s, key);
    s->n++;
    s->index[slot] = s->n;
    return r;
}

int cmp_series_add(cmp_series *r, double value)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        double *v = realloc(r->v, cap * sizeof *v);
        if (!v)
            return -ENOMEM;
        r->v = v;
        r->cap = cap;
    }
    r->v[r->n++] = value;
    return 0;
}
