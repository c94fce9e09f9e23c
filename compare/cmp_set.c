/* cmp_set.c: metric names and directions, and the keyed sample sets the readers fill. */
#include "cmp.h"
#include "array.h"
#include "columns.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- metrics ---- */

/* Google Benchmark's own fields; tvp's columns take their direction from the column registry. */
typedef struct {
    const char *name;
    cmp_direction better;
} cmp__known_metric;

static const cmp__known_metric cmp__gbench[] = {
    {"real_time", CMP_LOWER_IS_BETTER},
    {"cpu_time", CMP_LOWER_IS_BETTER},
    {"items_per_second", CMP_HIGHER_IS_BETTER},
    {"bytes_per_second", CMP_HIGHER_IS_BETTER},
};

const char *cmp_metric_known_list(void)
{
    return "every measure of tvp's column registry with a direction (wall_s, cpu_s, ctx_vol, "
           "ctx_invol, lat_p50_us, lat_p90_us, lat_p99_us, rss_kib, respawns, gil_waited_s, ... lower "
           "is better; tasks_per_s, speedup, efficiency higher), Google Benchmark's real_time and "
           "cpu_time (lower) and items_per_second, bytes_per_second (higher), and names ending in "
           "_s/_ms/_us/_ns/_kib (lower) or _per_s/_per_second (higher)";
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
    for (size_t i = 0; i < sizeof cmp__gbench / sizeof cmp__gbench[0]; i++)
        if (strcmp(name, cmp__gbench[i].name) == 0) {
            *d = cmp__gbench[i].better;
            return 0;
        }
    /* The registry's direction (or its suffix rule: _per_s higher, _s/_ms/_us/_ns/_kib lower);
     * Google Benchmark's rate counters end in _per_second. */
    col_better b = columns_better(name);
    if (b == COL_NEUTRAL && cmp__ends_with(name, "_per_second"))
        b = COL_HIGHER_BETTER;
    if (b == COL_NEUTRAL)
        return -ENOENT;
    *d = b == COL_HIGHER_BETTER ? CMP_HIGHER_IS_BETTER : CMP_LOWER_IS_BETTER;
    return 0;
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
    cmp_series *rows = array_grow(s->rows, s->n, &s->cap, sizeof *rows, 16);
    if (!rows)
        return NULL;
    s->rows = rows;
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
    double *v = array_grow(r->v, r->n, &r->cap, sizeof *v, 8);
    if (!v)
        return -ENOMEM;
    r->v = v;
    r->v[r->n++] = value;
    return 0;
}
