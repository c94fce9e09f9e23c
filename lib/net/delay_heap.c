/* delay_heap.c: binary min-heap of intrusive deadline nodes for the delay server's timers. */
#include "delay_heap.h"

#include <errno.h>
#include <stdlib.h>

#include "array.h"

static void heap_swap(ds_heap *h, size_t a, size_t b)
{
    ds_heap_node *t = h->a[a];
    h->a[a] = h->a[b];
    h->a[b] = t;
    h->a[a]->idx = a;
    h->a[b]->idx = b;
}

static void heap_up(ds_heap *h, size_t i)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (h->a[p]->key <= h->a[i]->key)
            break;
        heap_swap(h, i, p);
        i = p;
    }
}

static void heap_down(ds_heap *h, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->len && h->a[l]->key < h->a[m]->key)
            m = l;
        if (r < h->len && h->a[r]->key < h->a[m]->key)
            m = r;
        if (m == i)
            return;
        heap_swap(h, i, m);
        i = m;
    }
}

int ds_heap_push(ds_heap *h, ds_heap_node *n, int64_t key)
{
    ds_heap_node **a = array_grow(h->a, h->len, &h->cap, sizeof *a, 256);
    if (!a)
        return -ENOMEM;
    h->a = a;
    n->key = key;
    n->idx = h->len;
    h->a[h->len++] = n;
    heap_up(h, n->idx);
    return 0;
}

void ds_heap_remove(ds_heap *h, ds_heap_node *n)
{
    size_t i = n->idx;
    if (i == DS_HEAP_NONE)
        return;
    n->idx = DS_HEAP_NONE;
    size_t last = --h->len;
    if (i == last)
        return;
    h->a[i] = h->a[last];
    h->a[i]->idx = i;
    heap_down(h, i);
    heap_up(h, i);
}

void ds_heap_set_key(ds_heap *h, ds_heap_node *n, int64_t key)
{
    int64_t old = n->key;
    n->key = key;
    if (key < old)
        heap_up(h, n->idx);
    else
        heap_down(h, n->idx);
}

void ds_heap_free(ds_heap *h)
{
    free(h->a);
    h->a = NULL;
    h->len = h->cap = 0;
}
