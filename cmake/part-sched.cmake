# part-sched.cmake: tvp-true, the tiny program the sched/spawn/posix_spawn benchmark spawns.
# Linked statically when the C library allows it, so the benchmark times the kernel's spawn and
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

# The tests spawn it too (from build/tests/, one directory below it).
cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL _tvp_sched_wire_tests)
function(_tvp_sched_wire_tests)
  if(TARGET test_sched)
    add_dependencies(test_sched tvp-true)
  endif()
endfunction()
