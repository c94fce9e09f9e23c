# part-compare.cmake: tvp-compare, the regression gate (compare/), its core library and fuzz target.

# The core (readers, comparison, reports) as a library the tests can link; main and the fuzz
# harness stay out of it.
file(GLOB TVP_COMPARE_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/compare/*.c)
list(FILTER TVP_COMPARE_SOURCES EXCLUDE REGEX ".*/(tvp_compare|fuzz_[^/]*)\\.c$")
add_library(tvp_compare_core STATIC ${TVP_COMPARE_SOURCES})
target_include_directories(tvp_compare_core PUBLIC compare)
target_compile_definitions(tvp_compare_core PRIVATE _GNU_SOURCE)
target_link_libraries(tvp_compare_core PUBLIC tvp tvp_libcsv PkgConfig::JANSSON m
  PRIVATE tvp_warnings)

add_executable(tvp-compare compare/tvp_compare.c)
target_compile_definitions(tvp-compare PRIVATE _GNU_SOURCE)
target_link_libraries(tvp-compare PRIVATE tvp_compare_core tvp tvp_libcsv tvp_cli tvp_warnings)
install(TARGETS tvp-compare RUNTIME DESTINATION bin)

# tests/ is added after the parts are included: once the whole top directory is processed, let
# test_compare (which runs the binary) depend on it and link the core, when tests are built.
cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL _tvp_compare_wire_tests)
function(_tvp_compare_wire_tests)
  if(TARGET test_compare)
    add_dependencies(test_compare tvp-compare)
    target_link_libraries(test_compare PRIVATE tvp_compare_core)
  endif()
endfunction()

# libFuzzer harness for the readers: clang only, opt-in (-DTVP_FUZZ=ON); run it as
#   build/fuzz_compare -max_total_time=60 tests/data/compare
option(TVP_FUZZ "Build the libFuzzer harness of tvp-compare's readers (clang)" OFF)
if(TVP_FUZZ AND CMAKE_C_COMPILER_ID MATCHES "Clang")
  add_executable(fuzz_compare compare/fuzz_compare.c ${TVP_COMPARE_SOURCES}
    ${CMAKE_CURRENT_SOURCE_DIR}/lib/stats/stats.c ${CMAKE_CURRENT_SOURCE_DIR}/lib/io/results.c
    ${CMAKE_CURRENT_SOURCE_DIR}/lib/io/results_read.c ${CMAKE_CURRENT_SOURCE_DIR}/lib/io/columns.c)
  target_include_directories(fuzz_compare PRIVATE compare lib/core lib/stats lib/io)
  target_compile_definitions(fuzz_compare PRIVATE _GNU_SOURCE)
  target_compile_options(fuzz_compare PRIVATE -fsanitize=fuzzer,address,undefined
    -fno-sanitize-recover=undefined)
  target_link_options(fuzz_compare PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(fuzz_compare PRIVATE tvp_libcsv PkgConfig::JANSSON m tvp_warnings)
endif()
