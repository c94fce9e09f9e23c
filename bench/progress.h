/* progress.h: tvp-bench's progress on stderr while it runs: runs done / planned, elapsed time and
 * an estimate of the time left; one line rewritten in place on a terminal, a plain line at the
 * first run and every 10 s otherwise; --tvp_quiet turns it off.
 *
 * The clock that ticks while a run lasts (a run can take a minute) is a small process, not a
 * thread: a live thread makes every fork of the harness glibc's multi-threaded fork (child_fork
 * uses _Fork only while the harness has one thread), which costs per-task process workers a
 * third more here. It is tvp-bench itself exec'd under the name PROGRESS_TICKER_ARGV0 (so it
 * shares no memory with the harness but one page), started as the harness's sibling (the
 * harness's children are its workers to everything that looks), with the stop signals blocked:
 * the harness stops it, and it leaves on its own when the harness is gone. It reads the page
 * and writes whole lines with write(2) only while a benchmark body runs: the harness takes the
 * page's lock at the end of each body, erasing the terminal line, so Google Benchmark's lines
 * (stdout, printed between bodies) never meet a progress line half-way. */
#ifndef TVP_PROGRESS_H
#define TVP_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jobs.h"

#define PROGRESS_TICKER_ARGV0 "tvp-bench-progress"
#define PROGRESS_LINE_PERIOD_S 10 /* plain lines: one at the first run, then one every 10 s */
#define PROGRESS_MIN_DONE 3       /* runs finished before any estimate of the time left */

/* ---- the run (the harness's main thread) ---- */

/* Starts the display for `plan` (kept until progress_stop) unless `quiet` or stderr is closed;
 * "elapsed" counts from started_ns (metrics_now_ns's clock: the program's start). Waits until
 * the ticker runs, so it does not share the CPUs with the calibration. Prints a note and goes on
 * without progress when the ticker cannot start. */
void progress_start(const job_plan *plan, bool quiet, uint64_t started_ns);
/* Around every Google Benchmark body call of job j (there are several per job). */
void progress_body_begin(const job *j);
void progress_body_end(void);
/* A job reported (report_on_run): counted when it ran (ok or failed, not interrupted), and its
 * time feeds the estimate; stdout is flushed so that Google Benchmark's line is out whole before
 * the next progress line. */
void progress_job_done(const job *j, bool ran);

typedef enum { PROGRESS_END_SILENT = 0, PROGRESS_END_DONE, PROGRESS_END_STOPPED } progress_end;
/* Stops the ticker (at most ~2 s), erases its terminal line and, unless SILENT, prints the last
 * line ("..., done" or "..., stopped"). Idempotent; a no-op when the display is off. */
void progress_stop(progress_end how);

/* tvp-bench's main() calls this first: true when this process is the ticker, whose whole life
 * is then progress_ticker_main's (it returns the exit code). */
bool progress_is_ticker(int argc, char **argv);
int progress_ticker_main(int argc, char **argv);

/* ---- pure parts (exposed for the tests) ---- */

/* Elapsed time: "7s", "1m12s", "1h02m". */
void progress_fmt_elapsed(char *buf, size_t len, int64_t ns);
/* An estimate, rounded as coarsely as it deserves: "under 10s", "40s", "4m", "1h10m"; a range
 * "4m-9m" when hi is more than 20% above lo and they print differently. */
void progress_fmt_left(char *buf, size_t len, int64_t lo_ns, int64_t hi_ns);

typedef struct progress_view {
    uint64_t done, total;
    uint32_t reps;          /* repetitions per configuration: names the unit counted */
    int64_t elapsed_ns;
    bool have_left;
    int64_t left_lo_ns, left_hi_ns; /* for the runs to go but `unknown` of them */
    uint64_t unknown;       /* runs to go of a workload none of whose runs has finished */
    const char *running;    /* the job running (NULL: none), named when it has run 10 s */
    int64_t running_ns;
    const char *end;        /* the last line's word ("done", "stopped"), else NULL */
} progress_view;
/* "tvp-bench: progress 37/243 configurations x repetitions, 1m12s elapsed, about 4m left" (then
 * " + 12 runs not estimated yet" for `unknown`, "; running NAME for 25s"), no newline. Returns
 * the length (snprintf's, truncated to len). */
size_t progress_fmt_line(char *buf, size_t len, const progress_view *v);

/* The estimate of the time left. A run's expected time is the mean of its configuration's
 * finished repetitions; failing those, of its kind's (the name's first three parts: workload,
 * executor, spawn; or sched, group, ...); failing those, a range from the fastest to the slowest
 * kind seen of its workload; failing that (no run of its workload finished), none: such runs are
 * counted, never guessed from other workloads. No estimate before PROGRESS_MIN_DONE runs
 * finished. */
typedef struct progress_est progress_est;
/* One configuration per name; reps runs of each planned. NULL without memory. */
progress_est *progress_est_new(const char *const *names, size_t n_configs, uint32_t reps);
void progress_est_free(progress_est *e);
/* A run of configuration c started: its expected time in lo and hi; false (and 0) when none. */
bool progress_est_start(progress_est *e, size_t c, int64_t *lo, int64_t *hi);
/* A run of configuration c finished after ns (ns < 0: unknown, counted only). */
void progress_est_done(progress_est *e, size_t c, int64_t ns);
/* The runs not started yet: false while too few finished; else the total of those with an
 * estimate in lo and hi, and how many have none in unknown. */
bool progress_est_left(const progress_est *e, int64_t *lo, int64_t *hi, uint64_t *unknown);

#endif /* TVP_PROGRESS_H */
