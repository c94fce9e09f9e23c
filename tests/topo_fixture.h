/* topo_fixture.h: the cmocka group fixture of the tests that need the machine's topology: loaded once into `topo`. */
#ifndef TVP_TEST_TOPO_FIXTURE_H
#define TVP_TEST_TOPO_FIXTURE_H

#include "pin.h"

static pin_topo *topo;

/* cmocka_run_group_tests(tests, topo_setup, topo_teardown) */
static int topo_setup(void **state)
{
    (void)state;
    return pin_topo_load(&topo) == 0 ? 0 : -1;
}

static int topo_teardown(void **state)
{
    (void)state;
    pin_topo_free(topo);
    topo = NULL;
    return 0;
}

#endif /* TVP_TEST_TOPO_FIXTURE_H */
