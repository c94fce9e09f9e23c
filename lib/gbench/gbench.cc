// gbench.cc: the C API of gbench.h over Google Benchmark 1.7.1 (the project's only C++ file).
//
// Two rules shape this file. No C++ exception may reach C: every extern "C" entry point catches
// everything (configuration calls do it in configure()). And Google Benchmark's BM_CHECK aborts
// the process on API misuse, so every argument and every combination GB would reject is checked
// here first; for that, each registered benchmark has an Entry mirroring the state GB checks
// (whether it has a min time or a fixed iteration count, which exclude each other). The body
// functions keep a per-thread Frame so that misuse from C (looping again after the end, a batch
// of n <= 0, returning from the body early) is absorbed instead of tripping a check.

#include "gbench.h"

#include <benchmark/benchmark.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <new>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace {

using benchmark::State;
using benchmark::internal::Benchmark;

// ---- registry ----

// What we know about one registered benchmark: its C body and what GB would check.
struct Entry {
    gb_fn fn = nullptr;
    void *ctx = nullptr;
    Benchmark *bench = nullptr;
    bool has_min_time = false;
    bool has_iterations = false;
};

// Registration is single-threaded, as in Google Benchmark itself. std::map nodes never move, so
// the Entry pointers captured by the bodies stay valid.
struct Registry {
    std::map<std::string, Entry> by_name;
    std::map<const Benchmark *, Entry *> by_bench;
};

Registry &registry() {
    static Registry r;
    return r;
}

Entry *entry_of(gb_bench *b) {
    if (!b) return nullptr;
    auto &m = registry().by_bench;
    auto it = m.find(reinterpret_cast<const Benchmark *>(b));
    return it == m.end() ? nullptr : it->second;
}

gb_bench *as_c(Benchmark *b) { return reinterpret_cast<gb_bench *>(b); }
gb_state *as_c(State *st) { return reinterpret_cast<gb_state *>(st); }

// Runs `apply(entry)` for a known bench: returns the bench when it returns true, else NULL.
// Each configuration entry point is a single call to this, which holds its try/catch.
template <class F>
gb_bench *configure(gb_bench *b, F &&apply) {
    try {
        Entry *e = entry_of(b);
        if (!e || !apply(*e)) return nullptr;
        return b;
    } catch (...) {
        return nullptr;
    }
}

// ---- the body ----

// Per-thread record of the body being run, and of the loop state GB checks but hides.
struct Frame {
    State *st;
    bool finished = false;  // gb_keep_running* returned false
};

thread_local Frame *t_frame = nullptr;

// The frame of `st` when called from inside its body on this thread, else NULL.
Frame *frame_of(gb_state *st) {
    Frame *f = t_frame;
    return (st && f && as_c(f->st) == st) ? f : nullptr;
}

bool keep_running(Frame &f, int64_t n) {
    if (f.finished) return false;  // GB would check-fail on a second end of the loop
    if (n <= 0) {
        f.st->SkipWithError("gb_keep_running_batch: n <= 0");
        n = 1;  // let GB end the loop cleanly
    }
    bool more = f.st->KeepRunningBatch(n);  // with n == 1 exactly KeepRunning()
    if (!more) f.finished = true;
    return more;
}

void run_body(const Entry &e, State &st) {
    Frame f{&st};
    Frame *outer = t_frame;
    t_frame = &f;
    e.fn(as_c(&st), e.ctx);
    // GB aborts ("Benchmark returned before State::KeepRunning() returned false!") when a body
    // returns early without an error; make that an error run instead, and let GB end the loop
    // as usual so that its start/stop barrier stays balanced.
    if (!f.finished && !st.error_occurred()) {
        st.SkipWithError("the body returned before gb_keep_running returned false");
        keep_running(f, 1);
    }
    t_frame = outer;
}

// ---- counters ----

static_assert(GB_COUNTER_IS_RATE == benchmark::Counter::kIsRate, "flag mismatch");
static_assert(GB_COUNTER_AVG_THREADS == benchmark::Counter::kAvgThreads, "flag mismatch");
static_assert(GB_COUNTER_ITERATION_INVARIANT == benchmark::Counter::kIsIterationInvariant,
              "flag mismatch");
static_assert(GB_COUNTER_AVG_ITERATIONS == benchmark::Counter::kAvgIterations, "flag mismatch");

// The C bits are GB's bits. They are mapped one by one into an int (kInvert is INT_MIN there)
// because casting 0x80000000u straight to the enum is outside its range of values.
benchmark::Counter::Flags counter_flags(unsigned flags) {
    int v = 0;
    if (flags & GB_COUNTER_IS_RATE) v |= benchmark::Counter::kIsRate;
    if (flags & GB_COUNTER_AVG_THREADS) v |= benchmark::Counter::kAvgThreads;
    if (flags & GB_COUNTER_ITERATION_INVARIANT) v |= benchmark::Counter::kIsIterationInvariant;
    if (flags & GB_COUNTER_AVG_ITERATIONS) v |= benchmark::Counter::kAvgIterations;
    if (flags & GB_COUNTER_INVERT) v |= benchmark::Counter::kInvert;
    return static_cast<benchmark::Counter::Flags>(v);
}

// ---- reporting ----

using Run = benchmark::BenchmarkReporter::Run;

void *ctx_of_family(const std::string &family) {
    auto &m = registry().by_name;
    auto it = m.find(family);
    return it == m.end() ? nullptr : it->second.ctx;
}

// What the JSON reporter wrote of the context, closed into a whole document.
std::string &context_json() {
    static std::string s;
    return s;
}

// Per-iteration seconds from an accumulated time, as GetAdjusted*Time does before it scales to
// the display unit. A percentage aggregate holds the raw ratio, not a time.
double per_iteration_s(const Run &r, double accumulated) {
    if (r.run_type == Run::RT_Aggregate && r.aggregate_unit == benchmark::kPercentage)
        return accumulated;
    return r.iterations != 0 ? accumulated / static_cast<double>(r.iterations) : accumulated;
}

// The display reporter GB would have built (it honours --benchmark_format and _color), wrapped
// so that the C callback sees each run after it is displayed.
class CallbackReporter : public benchmark::BenchmarkReporter {
  public:
    CallbackReporter(std::unique_ptr<BenchmarkReporter> display, gb_report_fn cb, void *user)
        : display_(std::move(display)), cb_(cb), user_(user) {}

    bool ReportContext(const Context &context) override {
        // The context as Google Benchmark's JSON reporter writes it (machine, caches, load,
        // custom keys), kept for gb_context_json: tvp writes the JSON file itself.
        std::ostringstream out, err;
        benchmark::JSONReporter json;
        json.SetOutputStream(&out);
        json.SetErrorStream(&err);
        if (json.ReportContext(context)) context_json() = out.str() + "\n  ]\n}\n";
        return display_->ReportContext(context);
    }

    void ReportRuns(const std::vector<Run> &runs) override {
        display_->ReportRuns(runs);
        if (!cb_) return;
        for (const Run &r : runs) {
            try {
                deliver(r);
            } catch (...) {
                failed_ = true;  // never unwind through GB; gb_run_specified reports it
            }
        }
    }

    void Finalize() override { display_->Finalize(); }

    bool failed() const { return failed_; }

  private:
    void deliver(const Run &r) {
        const std::string name = r.benchmark_name();
        std::vector<const char *> counter_names;
        std::vector<double> counter_values;
        counter_names.reserve(r.counters.size());
        counter_values.reserve(r.counters.size());
        for (const auto &kv : r.counters) {  // a std::map: already sorted by name
            counter_names.push_back(kv.first.c_str());
            counter_values.push_back(kv.second.value);
        }

        gb_run run{};
        run.name = name.c_str();
        run.family = r.run_name.function_name.c_str();
        run.ctx = ctx_of_family(r.run_name.function_name);
        run.aggregate = r.run_type == Run::RT_Aggregate ? r.aggregate_name.c_str() : "";
        run.aggregate_is_percentage =
            r.run_type == Run::RT_Aggregate && r.aggregate_unit == benchmark::kPercentage;
        run.repetition_index = r.repetition_index;
        run.repetitions = r.repetitions;
        run.iterations = r.iterations;
        run.real_time_s = per_iteration_s(r, r.real_accumulated_time);
        run.cpu_time_s = per_iteration_s(r, r.cpu_accumulated_time);
        run.error = r.error_occurred;
        run.error_message = r.error_occurred ? r.error_message.c_str() : "";
        run.label = r.report_label.c_str();
        run.n_counters = counter_names.size();
        run.counter_names = counter_names.data();
        run.counter_values = counter_values.data();
        cb_(&run, user_);  // the strings and arrays live until cb returns
    }

    std::unique_ptr<BenchmarkReporter> display_;
    gb_report_fn cb_;
    void *user_;
    bool failed_ = false;
};

std::atomic<bool> g_ran{false};

// C may pass any int as a gb_time_unit, but in C++ loading an enum outside its range of values
// is undefined (UBSan flags it): read the raw bits instead. False for an unknown unit.
bool to_gb_unit(const gb_time_unit *unit, benchmark::TimeUnit *out) {
    static_assert(sizeof(gb_time_unit) == sizeof(int), "gb_time_unit is an int in C");
    int raw;
    std::memcpy(&raw, unit, sizeof raw);
    switch (raw) {
    case GB_NS: *out = benchmark::kNanosecond; return true;
    case GB_US: *out = benchmark::kMicrosecond; return true;
    case GB_MS: *out = benchmark::kMillisecond; return true;
    case GB_S: *out = benchmark::kSecond; return true;
    default: return false;
    }
}

}  // namespace

extern "C" {

// ---- process-wide ----

int gb_initialize(int *argc, char **argv) {
    try {
        if (!argc || !argv || *argc < 1) return -EINVAL;
        for (int i = 0; i < *argc; ++i)
            if (!argv[i]) return -EINVAL;
        benchmark::Initialize(argc, argv);
        // GB keeps argv[0] itself as the executable name of the report context; keep a copy so
        // that the caller's argv need not outlive the run.
        static std::string executable_name;
        executable_name = argv[0];
        benchmark::BenchmarkReporter::Context::executable_name = executable_name.c_str();
        // Not ReportUnrecognizedArguments: we report in our own words and let the caller decide.
        for (int i = 1; i < *argc; ++i) std::fprintf(stderr, "unrecognized argument: %s\n", argv[i]);
        return *argc > 1 ? -EINVAL : 0;
    } catch (const std::bad_alloc &) {
        return -ENOMEM;
    } catch (...) {
        return -EIO;
    }
}

int gb_add_custom_context(const char *key, const char *value) {
    try {
        if (!key || !value) return -EINVAL;
        // AddCustomContext only prints a warning on a duplicate; look first.
        const auto *context = benchmark::internal::GetGlobalContext();
        if (context && context->count(key)) return -EINVAL;
        benchmark::AddCustomContext(key, value);
        return 0;
    } catch (const std::bad_alloc &) {
        return -ENOMEM;
    } catch (...) {
        return -EIO;
    }
}

double gb_run_counter(const gb_run *run, const char *name, double fallback) {
    try {
        if (!run || !name || !run->counter_names || !run->counter_values) return fallback;
        for (size_t i = 0; i < run->n_counters; ++i)
            if (run->counter_names[i] && std::string(run->counter_names[i]) == name)
                return run->counter_values[i];
        return fallback;
    } catch (...) {
        return fallback;
    }
}

int gb_run_specified(gb_report_fn cb, void *user, size_t *n_run) {
    try {
        if (g_ran.exchange(true)) return -EALREADY;
        // CreateDefaultDisplayReporter hands out its object; we own it from here.
        std::unique_ptr<benchmark::BenchmarkReporter> display(
            benchmark::CreateDefaultDisplayReporter());
        CallbackReporter reporter(std::move(display), cb, user);
        // No file reporter: with --benchmark_out GB builds its own (JSON by default), and a
        // custom one without --benchmark_out would make GB exit.
        size_t n = benchmark::RunSpecifiedBenchmarks(&reporter, nullptr);
        if (n_run) *n_run = n;
        return reporter.failed() ? -ENOMEM : 0;
    } catch (const std::bad_alloc &) {
        return -ENOMEM;
    } catch (...) {
        return -EIO;
    }
}

const char *gb_context_json(void) {
    const std::string &s = context_json();
    return s.empty() ? nullptr : s.c_str();
}

void gb_shutdown(void) {
    try {
        benchmark::Shutdown();
        // Shutdown deletes the custom context map but leaves the pointer: clear it so that a
        // later gb_add_custom_context or a second Shutdown does not touch freed memory.
        benchmark::internal::GetGlobalContext() = nullptr;
    } catch (...) {
    }
}

// ---- registration ----

gb_bench *gb_register(const char *name, gb_fn fn, void *ctx) {
    try {
        if (!name || !*name || !fn) return nullptr;
        Registry &reg = registry();
        auto ins = reg.by_name.emplace(name, Entry{});
        if (!ins.second) return nullptr;
        Entry *e = &ins.first->second;
        e->fn = fn;
        e->ctx = ctx;
        try {
            e->bench = benchmark::RegisterBenchmark(
                name, [e](State &st) { run_body(*e, st); });
        } catch (...) {
            reg.by_name.erase(ins.first);
            throw;
        }
        // Should this throw, GB keeps a family bound to *e, so *e must stay; the bench runs
        // with its defaults but cannot be configured.
        reg.by_bench.emplace(e->bench, e);
        return as_c(e->bench);
    } catch (...) {
        return nullptr;
    }
}

gb_bench *gb_unit(gb_bench *b, gb_time_unit unit) {
    return configure(b, [&](Entry &e) {
        benchmark::TimeUnit gb_unit_value;
        if (!to_gb_unit(&unit, &gb_unit_value)) return false;
        e.bench->Unit(gb_unit_value);
        return true;
    });
}

gb_bench *gb_use_manual_time(gb_bench *b) {
    return configure(b, [&](Entry &e) {
        e.bench->UseManualTime();
        return true;
    });
}

gb_bench *gb_min_time(gb_bench *b, double seconds) {
    return configure(b, [&](Entry &e) {
        if (!(seconds > 0) || !std::isfinite(seconds) || e.has_iterations) return false;
        e.bench->MinTime(seconds);
        e.has_min_time = true;
        return true;
    });
}

gb_bench *gb_iterations(gb_bench *b, int64_t n) {
    return configure(b, [&](Entry &e) {
        // GB: fixed iterations exclude a min time.
        if (n <= 0 || e.has_min_time) return false;
        e.bench->Iterations(n);
        e.has_iterations = true;
        return true;
    });
}

gb_bench *gb_repetitions(gb_bench *b, int n) {
    return configure(b, [&](Entry &e) {
        if (n <= 0) return false;
        e.bench->Repetitions(n);
        return true;
    });
}

// ---- inside the body ----
// Called outside a body (or with a state that is not the current body's), these do nothing
// and return 0/false: the frame check comes before any use of the State.

bool gb_keep_running(gb_state *st) {
    try {
        Frame *f = frame_of(st);
        return f ? keep_running(*f, 1) : false;
    } catch (...) {
        return false;
    }
}

bool gb_keep_running_batch(gb_state *st, int64_t n) {
    try {
        Frame *f = frame_of(st);
        return f ? keep_running(*f, n) : false;
    } catch (...) {
        return false;
    }
}

int64_t gb_max_iterations(gb_state *st) {
    try {
        Frame *f = frame_of(st);
        return f ? static_cast<int64_t>(f->st->max_iterations) : 0;
    } catch (...) {
        return 0;
    }
}

void gb_set_iteration_time(gb_state *st, double seconds) {
    try {
        Frame *f = frame_of(st);
        if (!f) return;
        // A negative or non-finite time would poison GB's iteration estimate.
        if (!(seconds >= 0) || !std::isfinite(seconds)) {
            f->st->SkipWithError("gb_set_iteration_time: invalid time");
            return;
        }
        f->st->SetIterationTime(seconds);
    } catch (...) {
    }
}

void gb_set_items_processed(gb_state *st, int64_t items) {
    try {
        if (Frame *f = frame_of(st)) f->st->SetItemsProcessed(items);
    } catch (...) {
    }
}

void gb_counter_set(gb_state *st, const char *name, double value, unsigned flags) {
    try {
        Frame *f = frame_of(st);
        if (!f || !name) return;
        f->st->counters[name] = benchmark::Counter(value, counter_flags(flags));
    } catch (...) {
    }
}

void gb_set_label(gb_state *st, const char *label) {
    try {
        Frame *f = frame_of(st);
        if (f && label) f->st->SetLabel(label);
    } catch (...) {
    }
}

void gb_skip_with_error(gb_state *st, const char *msg) {
    try {
        Frame *f = frame_of(st);
        if (f) f->st->SkipWithError(msg ? msg : "unspecified error");
    } catch (...) {
    }
}

bool gb_error_occurred(gb_state *st) {
    try {
        Frame *f = frame_of(st);
        return f ? f->st->error_occurred() : false;
    } catch (...) {
        return false;
    }
}

}  // extern "C"
