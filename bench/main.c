/* main.c: tvp-bench entry point (being written). */
int main(void) { return 0; }
