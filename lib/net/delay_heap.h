/* delay_heap.h: the delay server's deadline heap: a binary min-heap of nodes keyed by a CLOCK_MONOTONIC time in ns. */
#ifndef TVP_DELAY_HEAP_H
#define TVP_DELAY_HEAP_H

/*
 * Intrusive: a node lives inside its owner (a connection) and knows its own index, so removal
 * and key changes are O(log n) with no search. A node is in at most one heap. Internal to the
 * delay server.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DS_HEAP_NONE SIZE_MAX

typedef struct ds_heap_node {
    int64_t key;  /* deadline, ns */
    size_t idx;   /* position in the heap, DS_HEAP_NONE when not in it */
} ds_heap_node;

typedef struct ds_heap {
    ds_heap_node **a;
    size_t len, cap;
} ds_heap;

static inline void ds_heap_node_init(ds_heap_node *n) { n->idx = DS_HEAP_NONE; }
static inline bool ds_heap_contains(const ds_heap_node *n) { return n->idx != DS_HEAP_NONE; }
/* The earliest node, NULL when empty. */
static inline ds_heap_node *ds_heap_top(const ds_heap *h) { return h->len ? h->a[0] : NULL; }

/* Adds n (not in a heap) with key. 0 or -ENOMEM (n is then left out). */
int ds_heap_push(ds_heap *h, ds_heap_node *n, int64_t key);
/* Takes n out; a node that is not in the heap is ignored. */
void ds_heap_remove(ds_heap *h, ds_heap_node *n);
/* Changes the key of n, which is in the heap. */
void ds_heap_set_key(ds_heap *h, ds_heap_node *n, int64_t key);
/* Frees the array (the nodes belong to their owners). */
void ds_heap_free(ds_heap *h);

#endif
