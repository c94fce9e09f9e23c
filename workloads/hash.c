/* hash.c: CPU-bound hashing with OpenSSL EVP; every task's digest is checked against a reference. */
#include "workload.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { P_BYTES, P_ALGO, P_CHUNK };

/* hashlib releases the GIL around an update() of at least this many bytes (HASHLIB_GIL_MINSIZE in
 * CPython's Modules/hashlib.h); smaller updates hash holding it. */
#define HASHLIB_GIL_MINSIZE 2048

static const char *const hash_algos[] = {"sha256", "blake2b512", NULL};

/* The digest of an algorithm name (a choice above), found by name, not by its position. */
static const EVP_MD *hash_md(const char *name)
{
    static const struct {
        const char *name;
        const EVP_MD *(*md)(void);
    } mds[] = {{"sha256", EVP_sha256}, {"blake2b512", EVP_blake2b512}};
    for (size_t i = 0; i < sizeof mds / sizeof mds[0]; i++)
        if (strcmp(mds[i].name, name) == 0)
            return mds[i].md();
    return NULL;
}

static const wl_param hash_params[] = {
    [P_BYTES] = {.name = "bytes", .type = WL_PARAM_INT, .def = 1 << 20, .min = 1,
                 .max = 1 << 30, .help = "bytes hashed by each task"},
    [P_ALGO] = {.name = "algo", .type = WL_PARAM_ENUM, .def = 0, .choices = hash_algos,
                .help = "digest algorithm"},
    [P_CHUNK] = {.name = "chunk", .type = WL_PARAM_INT, .def = 1 << 20, .min = 1, .max = 1 << 30,
                 .help = "bytes per update() call; like hashlib, >= 2048 releases the global lock"},
};

typedef struct hash_shared {
    const EVP_MD *md;
    size_t bytes;
    size_t chunk;
    uint32_t tasks;
    unsigned digest_len;
    uint8_t *buf;      /* deterministic input, shared read-only by every worker */
    uint8_t *expected; /* [tasks][digest_len], computed in setup */
} hash_shared;

/* Digest of prefix || buf with `md`; exported (not in a header) so the tests can check it
 * against published test vectors. */
int wl_hash_digest(const EVP_MD *md, const void *prefix, size_t plen, const void *buf, size_t len,
                   uint8_t *out, unsigned *out_len);
int wl_hash_digest(const EVP_MD *md, const void *prefix, size_t plen, const void *buf, size_t len,
                   uint8_t *out, unsigned *out_len)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, md, NULL) && EVP_DigestUpdate(ctx, prefix, plen) &&
             EVP_DigestUpdate(ctx, buf, len) && EVP_DigestFinal_ex(ctx, out, out_len);
    EVP_MD_CTX_free(ctx);
    return ok ? 0 : -EIO;
}

/* A task's digest covers its index (4 bytes little-endian) and then the buffer: each task's
 * answer is distinct and depends only on its index, never on who ran it. */
static int hash_digest(const EVP_MD *md, uint32_t index, const uint8_t *buf, size_t len, uint8_t *out,
                       unsigned *out_len)
{
    uint8_t prefix[4] = {(uint8_t)index, (uint8_t)(index >> 8), (uint8_t)(index >> 16), (uint8_t)(index >> 24)};
    return wl_hash_digest(md, prefix, sizeof prefix, buf, len, out, out_len);
}

static void hash_teardown(void *p)
{
    hash_shared *h = p;
    if (!h)
        return;
    free(h->buf);
    free(h->expected);
    free(h);
}

static int hash_setup(const wl_args *a, uint32_t tasks, void **shared)
{
    hash_shared *h = calloc(1, sizeof *h);
    if (!h)
        return -ENOMEM;
    h->md = hash_md(hash_algos[a->v[P_ALGO]]);
    h->bytes = (size_t)a->v[P_BYTES];
    h->chunk = a->v[P_CHUNK] > 0 ? (size_t)a->v[P_CHUNK] : h->bytes;
    h->tasks = tasks;
    h->digest_len = h->md ? (unsigned)EVP_MD_get_size(h->md) : 0;
    h->buf = malloc(h->bytes);
    h->expected = malloc((size_t)tasks * h->digest_len);
    if (!h->md || !h->buf || !h->expected) {
        hash_teardown(h);
        return -ENOMEM;
    }
    uint64_t x = 0x9E3779B97F4A7C15ull; /* xorshift64: the same bytes on every machine */
    for (size_t i = 0; i < h->bytes; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        h->buf[i] = (uint8_t)x;
    }
    for (uint32_t i = 0; i < tasks; i++) {
        unsigned len;
        if (hash_digest(h->md, i, h->buf, h->bytes, h->expected + (size_t)i * h->digest_len, &len) < 0) {
            hash_teardown(h);
            return -EIO;
        }
    }
    *shared = h;
    return 0;
}

/* `h.update(chunk)` in a Python loop: each update of at least HASHLIB_GIL_MINSIZE bytes runs
 * with the lock released (native code that releases the GIL); smaller ones hash holding it, and
 * the loop itself is interpreted code with a safe point after each call. */
static int hash_run(wl_task *t)
{
    const hash_shared *h = t->shared;
    uint8_t prefix[4] = {(uint8_t)t->index, (uint8_t)(t->index >> 8), (uint8_t)(t->index >> 16),
                         (uint8_t)(t->index >> 24)};
    bool releases = h->chunk >= HASHLIB_GIL_MINSIZE;
    unsigned len = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, h->md, NULL) && EVP_DigestUpdate(ctx, prefix, sizeof prefix);
    for (size_t off = 0; ok && off < h->bytes; off += h->chunk) {
        size_t n = h->bytes - off < h->chunk ? h->bytes - off : h->chunk;
        if (releases)
            wl_block_begin(t);
        ok = EVP_DigestUpdate(ctx, h->buf + off, n);
        if (releases)
            wl_block_end(t);
        wl_poll(t);
    }
    ok = ok && EVP_DigestFinal_ex(ctx, t->out->digest, &len);
    EVP_MD_CTX_free(ctx);
    if (!ok) {
        snprintf(t->out->detail, sizeof t->out->detail, "EVP digest failed");
        return -EIO;
    }
    t->out->digest_len = len;
    return 0;
}

static int hash_check(const void *shared, uint32_t index, const wl_out *out, char *detail, size_t len)
{
    const hash_shared *h = shared;
    if (index < h->tasks && out->digest_len == h->digest_len &&
        memcmp(out->digest, h->expected + (size_t)index * h->digest_len, h->digest_len) == 0)
        return 0;
    snprintf(detail, len, "task %u: digest differs from the reference", index);
    return -EBADMSG;
}

static const workload hash_workload = {
    .name = "hash",
    .description = "CPU-bound: OpenSSL EVP digest (sha256|blake2b512) of `bytes` per task, in `chunk` updates",
    .default_tasks = 32,
    .n_params = sizeof hash_params / sizeof hash_params[0],
    .params = hash_params,
    .setup = hash_setup,
    .teardown = hash_teardown,
    .run = hash_run,
    .check = hash_check,
};
TVP_WORKLOAD(hash_workload);
