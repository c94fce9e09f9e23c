/* array.h: array_grow, the one growth step of a dynamic array (capacity doubled, size checked for overflow). */
#ifndef TVP_ARRAY_H
#define TVP_ARRAY_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* Room for one more element of `size` bytes in `items`, which holds `n` of `*cap`: when it is
 * full, reallocates it to twice the capacity (`first` elements when it has none) and updates
 * *cap. Returns the array to use from now on (`items` itself when there was room), or NULL when
 * memory ran out or the size would overflow; `items` and *cap are then unchanged and still valid.
 *     bench_case *c = array_grow(m->cases, m->n, &m->cap, sizeof *c, 64);
 *     if (!c)
 *         return -ENOMEM;
 *     m->cases = c;
 */
static inline void *array_grow(void *items, size_t n, size_t *cap, size_t size, size_t first)
{
    if (n < *cap)
        return items;
    size_t ncap = *cap ? *cap * 2 : first;
    if (ncap <= *cap || (size && ncap > SIZE_MAX / size))
        return NULL;
    void *grown = realloc(items, ncap * size);
    if (grown)
        *cap = ncap;
    return grown;
}

#endif /* TVP_ARRAY_H */
