/* sched_group.h: the scheduler microbenchmark groups, on their own so that cli.h can size its
 * flags by SCHED_GROUP_COUNT: sched_bench.h includes cli.h, so cli.h cannot include it. */
#ifndef TVP_SCHED_GROUP_H
#define TVP_SCHED_GROUP_H

typedef enum {
    SCHED_GROUP_SPAWN = 0,
    SCHED_GROUP_PINGPONG,
    SCHED_GROUP_WAKEUP,
    SCHED_GROUP_DISPATCH,
    SCHED_GROUP_COUNT
} sched_group;

#endif /* TVP_SCHED_GROUP_H */
