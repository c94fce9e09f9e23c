# part-sched.cmake: tvp-true (what sched/spawn/posix_spawn spawns) and tvp-spawner (what every sched/spawn benchmark spawns from).
# tvp-true is linked statically when the C library allows it, so the benchmark times the kernel's spawn and
# exec, not the dynamic loader. tvp-bench finds it next to its own executable.
include(CheckCSourceCompiles)
set(CMAKE_REQUIRED_LINK_OPTIONS -static)
check_c_source_compiles("int main(void) { return 0; }" TVP_CAN_LINK_STATIC)
unset(CMAKE_REQUIRED_LINK_OPTIONS)
add_executable(tvp-true tools/tvp-true.c)
target_link_libraries(tvp-true PRIVATE tvp_warnings)
if(TVP_CAN_LINK_STATIC)
  target_link_options(tvp-true PRIVATE -static)
endif()
install(TARGETS tvp-true)
add_dependencies(tvp-bench tvp-true)

# tvp-spawner: linked against the C library alone (no tvp library, no hwloc, no OpenSSL), so a
# fork from it is a fork from a minimal process; found next to tvp-bench like tvp-true.
add_executable(tvp-spawner tools/tvp-spawner.c)
target_link_libraries(tvp-spawner PRIVATE Threads::Threads tvp_warnings)
install(TARGETS tvp-spawner)
add_dependencies(tvp-bench tvp-spawner)

# The tests spawn them too (from build/tests/, one directory below them).
include(${CMAKE_CURRENT_LIST_DIR}/defer.cmake)
tvp_depend_later(test_sched tvp-true)
tvp_depend_later(test_sched tvp-spawner)
tvp_depend_later(test_spawner tvp-true)
tvp_depend_later(test_spawner tvp-spawner)
