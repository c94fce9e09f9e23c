/* tvp-true.c: the smallest program to posix_spawn (statically linked: no dynamic loader to time). */
int main(void)
{
    return 0;
}
