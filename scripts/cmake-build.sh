# cmake-build.sh: sourced by tsan.sh and valgrind.sh (not run): configures and builds one CMake build directory, logs kept.
#
# cmake_build DIR JOBS [CONFIGURE-ARGS...]   from the source root: cmake -S . -B DIR CONFIGURE-ARGS,
# then a build with JOBS jobs. Logs: DIR.configure.log and DIR/build.log. On failure it prints the
# configure log or the build's error lines and a "FAIL: ..." line, and returns 2.
cmake_build() {
    _cb_dir=$1
    _cb_jobs=$2
    shift 2
    if ! cmake -S . -B "$_cb_dir" "$@" >"$_cb_dir.configure.log" 2>&1; then
        cat "$_cb_dir.configure.log"
        echo "FAIL: cannot configure $_cb_dir"
        return 2
    fi
    if ! cmake --build "$_cb_dir" -j "$_cb_jobs" >"$_cb_dir/build.log" 2>&1; then
        grep -E "error" "$_cb_dir/build.log" | head -20
        echo "FAIL: cannot build $_cb_dir (log: $_cb_dir/build.log)"
        return 2
    fi
}
