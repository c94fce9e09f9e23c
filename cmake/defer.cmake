# defer.cmake: tvp_depend_later(), for the parts (cmake/part-*.cmake) whose targets others need that are defined after them.
include_guard(GLOBAL)

# Once the whole top directory is processed, makes `target` depend on `dependency`, if `target`
# exists then: tests/ and the bench target are added after the parts, and tests may be off.
function(tvp_depend_later target dependency)
  # A deferred call's arguments are evaluated when it runs: EVAL writes the values in now.
  cmake_language(EVAL CODE "cmake_language(DEFER DIRECTORY [[${CMAKE_SOURCE_DIR}]] CALL _tvp_depend_if_target [[${target}]] [[${dependency}]])")
endfunction()

function(_tvp_depend_if_target target dependency)
  if(TARGET ${target})
    add_dependencies(${target} ${dependency})
  endif()
endfunction()
