# part-delayd.cmake: tvp-delayd (the standalone delay server, installed) and delayd-load (its load benchmark).
add_executable(tvp-delayd tools/tvp-delayd.c)
target_compile_definitions(tvp-delayd PRIVATE _GNU_SOURCE)
target_link_libraries(tvp-delayd PRIVATE tvp tvp_cli tvp_warnings)
install(TARGETS tvp-delayd)

add_executable(delayd-load tools/delayd-load.c)
target_compile_definitions(delayd-load PRIVATE _GNU_SOURCE)
target_link_libraries(delayd-load PRIVATE tvp tvp_cli tvp_warnings)
