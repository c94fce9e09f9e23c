/* fuzz_compare.c: libFuzzer harness for tvp-compare's readers, comparison and output formats. */
#include "cmp.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PROMISE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_compare: broken promise: %s (%s:%d)\n", #cond, __FILE__,         \
                    __LINE__);                                                                     \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What a successful read promises: every value finite, >= 0, > 0 for elapsed times. */
static void check_set(const cmp_set *s)
{
    bool positive = cmp_metric_positive(s->metric);
    for (size_t i = 0; i < s->n; i++) {
        PROMISE(s->rows[i].key && s->rows[i].key[0]);
        for (size_t k = 0; k < s->rows[i].n; k++) {
            double v = s->rows[i].v[k];
            PROMISE(isfinite(v) && v >= 0.0);
            PROMISE(!positive || v > 0.0);
        }
    }
}

/* A candidate unlike the baseline: every other series halved, so ratios other than 1 occur. */
static int halved_copy(const cmp_set *s, cmp_set *out)
{
    cmp_set_init(out);
    for (size_t i = 0; i < s->n; i++) {
        cmp_series *r = cmp_set_series(out, s->rows[i].key, s->rows[i].line);
        if (!r)
            return -1;
        for (size_t k = 0; k < s->rows[i].n; k++)
            if (cmp_series_add(r, i % 2 ? s->rows[i].v[k] / 2.0 : s->rows[i].v[k]) < 0)
                return -1;
    }
    return 0;
}

static bool mentions_non_finite(const char *s)
{
    return strcasestr(s, "inf") || strcasestr(s, "nan");
}

/* What a report promises: verdicts rest on finite numbers, and no format prints inf or NaN (when
 * no benchmark name spells them); the JSON is strict. */
static void check_report(const cmp_report *r, const cmp_options *o)
{
    bool names_spell_it = false;
    for (size_t i = 0; i < r->n; i++) {
        const cmp_row *w = &r->rows[i];
        names_spell_it |= mentions_non_finite(w->key);
        PROMISE(!w->has_ratio || (w->has_medians && isfinite(w->ci.ratio)));
        PROMISE(!w->has_test || (w->has_ratio && isfinite(w->mwu.p)));
        if (w->verdict == CMP_REGRESSED || w->verdict == CMP_IMPROVED)
            PROMISE(w->has_test);
        PROMISE(!mentions_non_finite(w->reason));
    }
    cmp_print_ctx ctx = {"base", "new", o->metric.name, o};
    for (int fmt = CMP_OUT_TABLE; fmt <= CMP_OUT_JSON; fmt++) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        if (!f)
            return;
        int rc = cmp_print(f, f, (cmp_output)fmt, r, &ctx);
        fclose(f);
        PROMISE(rc == 0);
        if (!names_spell_it)
            PROMISE(!mentions_non_finite(text));
        if (fmt == CMP_OUT_JSON) {
            /* the summary follows the JSON document: decode only the document */
            json_error_t jerr;
            json_t *doc = json_loadb(text, len, JSON_DISABLE_EOF_CHECK, &jerr);
            PROMISE(doc != NULL);
            json_decref(doc);
        }
        free(text);
    }
}

/* Reads the input for the metric, compares it with itself and with a changed copy. */
static void one_metric(const uint8_t *data, size_t size, const cmp_options *o)
{
    cmp_set s;
    cmp_set_init(&s);
    cmp_error err = {{0}};
    int rc = cmp_read_buffer("fuzz", (const char *)data, size, &o->metric, &s, &err);
    if (rc == 0) {
        check_set(&s);
        cmp_set cand;
        if (halved_copy(&s, &cand) == 0) {
            cmp_report r;
            if (cmp_compare(&s, &s, o, &r) == 0) {
                check_report(&r, o);
                cmp_report_free(&r);
            }
            if (cmp_compare(&s, &cand, o, &r) == 0) {
                check_report(&r, o);
                cmp_report_free(&r);
            }
        }
        cmp_set_free(&cand);
    } else {
        PROMISE(rc == -ENOMEM || err.msg[0] != '\0'); /* every refusal says why */
    }
    cmp_set_free(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cmp_options o;
    cmp_options_default(&o);
    one_metric(data, size, &o); /* wall_s or real_time: elapsed times, > 0 */
    /* and a metric that may be 0, so zero baseline medians are reached */
    size_t i = 0;
    while (i < size && (data[i] == ' ' || data[i] == '\n' || data[i] == '\t' || data[i] == '\r'))
        i++;
    int rc = cmp_metric_parse(i < size && data[i] == '{' ? "cpu_time" : "ctx_invol", &o.metric);
    PROMISE(rc == 0);
    one_metric(data, size, &o);
    return 0;
}
