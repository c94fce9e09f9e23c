/* util.c: tvp-report's small helpers: memory that never fails quietly, numbers for people, HTML escaping. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

void rpt_oom(void)
{
    fprintf(stderr, "tvp-report: out of memory\n");
    exit(1);
}

void *rpt_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        rpt_oom();
    return p;
}

void *rpt_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        rpt_oom();
    return q;
}

char *rpt_strdup(const char *s)
{
    size_t n = strlen(s ? s : "") + 1;
    char *d = rpt_xmalloc(n);
    memcpy(d, s ? s : "", n);
    return d;
}

char *rpt_asprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        rpt_oom();
    return s;
}

FILE *rpt_memstream(char **buf, size_t *len)
{
    FILE *f = open_memstream(buf, len);
    if (!f)
        rpt_oom();
    return f;
}

bool rpt_eq(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

double rpt_num(const char *s)
{
    if (!s || !*s)
        return NAN;
    char *end;
    double v = strtod(s, &end);
    return end != s && *end == '\0' && isfinite(v) ? v : NAN;
}

long rpt_long(const char *s, long dflt)
{
    double v = rpt_num(s);
    return isnan(v) ? dflt : (long)v;
}

uint64_t rpt_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

int rpt_rank(const char *s, const char *const *order, int n)
{
    for (int i = 0; i < n; i++)
        if (rpt_eq(s, order[i]))
            return i;
    return n;
}

void rpt_fmt_rate(double v, char *buf, size_t len)
{
    if (!isfinite(v))
        snprintf(buf, len, "n/a");
    else if (v >= 1e6)
        snprintf(buf, len, "%.3gM", v / 1e6);
    else if (v >= 1e4)
        snprintf(buf, len, "%.3gk", v / 1e3);
    else if (v >= 100)
        snprintf(buf, len, "%.0f", v);
    else
        snprintf(buf, len, "%.3g", v);
}

void rpt_fmt_x(double v, char *buf, size_t len)
{
    if (!isfinite(v))
        snprintf(buf, len, "n/a");
    else if (v < 0.095)
        snprintf(buf, len, "%.3fx", v);
    else
        snprintf(buf, len, "%.2fx", v);
}

void rpt_fmt_us(double us, char *buf, size_t len)
{
    if (!isfinite(us))
        snprintf(buf, len, "n/a");
    else if (us >= 1e6)
        snprintf(buf, len, "%.3g s", us / 1e6);
    else if (us >= 1e3)
        snprintf(buf, len, "%.3g ms", us / 1e3);
    else
        snprintf(buf, len, "%.3g \xc2\xb5s", us);
}

void rpt_fmt_switch(long us, char *buf, size_t len)
{
    if (us >= 1000 && us % 1000 == 0)
        snprintf(buf, len, "%ld ms", us / 1000);
    else
        snprintf(buf, len, "%ld \xc2\xb5s", us);
}

void rpt_html_esc(FILE *f, const char *s)
{
    for (const char *p = s ? s : ""; *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*p, f);
        }
    }
}
