# part-report.cmake: tvp-report, the charts and HTML report from tidy CSV (tools/report/*.c, scripts/gnuplot/).
# Every tools/report/*.c is part of it (a new chart is a new chart_<name>.c plus its line in
# charts.c). The workloads are linked in so the report knows their result columns (lib/columns.h).
file(GLOB TVP_REPORT_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/tools/report/*.c)
add_executable(tvp-report ${TVP_REPORT_SOURCES} $<TARGET_OBJECTS:tvp_workloads>)
target_compile_definitions(tvp-report PRIVATE _GNU_SOURCE
  TVP_GNUPLOT_DIR="${CMAKE_CURRENT_SOURCE_DIR}/scripts/gnuplot")
target_link_libraries(tvp-report PRIVATE tvp tvp_cli tvp_warnings m)
install(TARGETS tvp-report RUNTIME DESTINATION bin)
install(DIRECTORY scripts/gnuplot/ DESTINATION share/tvp/gnuplot FILES_MATCHING PATTERN "*.gp")


# `cmake --build build --target bench` ends by drawing the charts: build tvp-report with it. The
# bench target is defined after the parts are included, hence the deferred dependency.
include(${CMAKE_CURRENT_LIST_DIR}/defer.cmake)
tvp_depend_later(bench tvp-report)
