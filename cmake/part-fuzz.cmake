# part-fuzz.cmake: libFuzzer targets for every parser of outside input (fuzz/fuzz_*.c, with clang) and their replay programs (any compiler).
#
# Each fuzz/fuzz_<name>.c defines LLVMFuzzerTestOneInput. Two builds of it:
#   fuzz-replay-<name>  always: fuzz/replay_main.c calls the target on files and directories, so the
#                       committed corpus (tests/data/fuzz/<name>/) is a regression test with gcc;
#   fuzz_<name>         with -DTVP_FUZZ=ON and clang only: the libFuzzer binary (address,
#                       undefined). Configure the whole build with
#                       -DCMAKE_C_FLAGS/-DCMAKE_CXX_FLAGS='-fsanitize=fuzzer-no-link,address,undefined'
#                       so the libraries are instrumented too; scripts/fuzz.sh does all of it.
# compare/fuzz_compare.c (tvp-compare's readers) is built as a fuzzer by part-compare.cmake under
# the same option; its replay program, fuzz-replay-compare, is built here.

option(TVP_FUZZ "Build the libFuzzer harnesses (clang)" OFF)

file(GLOB TVP_FUZZ_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_*.c)
set(_tvp_fuzz_all ${TVP_FUZZ_SOURCES} ${CMAKE_CURRENT_SOURCE_DIR}/compare/fuzz_compare.c)

set(_tvp_fuzz_replays "")
foreach(src ${_tvp_fuzz_all})
  get_filename_component(stem ${src} NAME_WE) # fuzz_<name>
  string(REGEX REPLACE "^fuzz_" "" name ${stem})
  add_executable(fuzz-replay-${name} fuzz/replay_main.c ${src} $<TARGET_OBJECTS:tvp_workloads>)
  target_compile_definitions(fuzz-replay-${name} PRIVATE _GNU_SOURCE)
  target_link_libraries(fuzz-replay-${name} PRIVATE tvp_bench_core tvp_compare_core tvp tvp_warnings)
  list(APPEND _tvp_fuzz_replays fuzz-replay-${name})
endforeach()
add_custom_target(fuzz-replay DEPENDS ${_tvp_fuzz_replays})

if(TVP_FUZZ AND CMAKE_C_COMPILER_ID MATCHES "Clang")
  if(NOT CMAKE_C_FLAGS MATCHES "fuzzer-no-link")
    message(WARNING "TVP_FUZZ: CMAKE_C_FLAGS lack -fsanitize=fuzzer-no-link,address,undefined: "
      "the libraries are not instrumented, the fuzzers see coverage of their own file only "
      "(scripts/fuzz.sh configures it right)")
  endif()
  foreach(src ${TVP_FUZZ_SOURCES})
    get_filename_component(stem ${src} NAME_WE)
    add_executable(${stem} ${src} $<TARGET_OBJECTS:tvp_workloads>)
    target_compile_definitions(${stem} PRIVATE _GNU_SOURCE)
    target_compile_options(${stem} PRIVATE -fsanitize=fuzzer,address,undefined
      -fno-sanitize-recover=undefined)
    target_link_options(${stem} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(${stem} PRIVATE tvp_bench_core tvp_compare_core tvp tvp_warnings)
  endforeach()
elseif(TVP_FUZZ)
  message(WARNING "TVP_FUZZ needs clang (CC=clang CXX=clang++): no fuzz targets built")
endif()
