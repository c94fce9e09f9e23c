/* replay_main.c: runs a libFuzzer target's LLVMFuzzerTestOneInput on given files, without libFuzzer (any compiler). */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array.h"

/*
 * usage: fuzz-replay-<target> FILE|DIR...
 * Every regular file (directories: every regular file in them, not recursively) is read and
 * passed to the target once. A crash or sanitizer report ends the process like the fuzzer's;
 * otherwise it prints "replayed N inputs" and exits 0 (1 when a file cannot be read, 2 on usage).
 * LLVMFuzzerInitialize runs first when the target defines it, as libFuzzer does.
 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static FILE *out; /* the real stdout: a target may silence the C streams */

static int replay_file(const char *path, size_t *count)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(out, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        char *nb = array_grow(buf, len, &cap, 1, 4096);
        if (!nb) {
            free(buf);
            fclose(f);
            fprintf(out, "replay: %s: out of memory\n", path);
            return -1;
        }
        buf = nb;
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        fprintf(out, "replay: %s: read error\n", path);
        return -1;
    }
    /* Exactly `len` bytes, as libFuzzer passes them (a heap copy: overreads are caught). */
    uint8_t *exact = malloc(len ? len : 1);
    if (!exact) {
        free(buf);
        return -1;
    }
    memcpy(exact, buf, len);
    free(buf);
    fprintf(out, "replay: %s (%zu bytes)\n", path, len);
    fflush(out);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    (*count)++;
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_dir(const char *dir, size_t *count)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(out, "replay: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char **nn = array_grow(names, n, &cap, sizeof *nn, 64);
        if (!nn) {
            rc = -1;
            break;
        }
        names = nn;
        size_t l = strlen(dir) + strlen(e->d_name) + 2;
        if (!(names[n] = malloc(l))) {
            rc = -1;
            break;
        }
        snprintf(names[n++], l, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (rc == 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode) && replay_file(names[i], count) < 0)
            rc = -1;
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    out = stdout;
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 2;
    }
    FILE *saved = fdopen(dup(1), "w");
    if (saved)
        out = saved;
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    size_t count = 0;
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(out, "replay: %s: %s\n", argv[i], strerror(errno));
            rc = 1;
        } else if (S_ISDIR(st.st_mode) ? replay_dir(argv[i], &count) < 0 : replay_file(argv[i], &count) < 0) {
            rc = 1;
        }
    }
    fprintf(out, "replayed %zu inputs\n", count);
    fclose(out);
    return rc;
}
