# part-report.cmake: tvp-report, the charts and HTML report from tidy CSV (tools/tvp-report.c, scripts/gnuplot/).
add_executable(tvp-report tools/tvp-report.c)
target_compile_definitions(tvp-report PRIVATE _GNU_SOURCE
  TVP_GNUPLOT_DIR="${CMAKE_CURRENT_SOURCE_DIR}/scripts/gnuplot")
target_link_libraries(tvp-report PRIVATE tvp tvp_warnings m)
install(TARGETS tvp-report RUNTIME DESTINATION bin)
install(DIRECTORY scripts/gnuplot/ DESTINATION share/tvp/gnuplot FILES_MATCHING PATTERN "*.gp")


# `cmake --build build --target bench` ends by drawing the charts: build tvp-report with it. The
# bench target is defined after the parts are included, hence the deferred call.
cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL _tvp_report_wire_bench)
function(_tvp_report_wire_bench)
  if(TARGET bench)
    add_dependencies(bench tvp-report)
  endif()
endfunction()
