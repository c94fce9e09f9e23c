/* delay_sock.c: socket helpers of the delay server: listen, tune and reset connections, refuse one with a reason, the spare descriptor. */
#include "delay_sock.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "delay_server.h"

int ds_sock_listen(const char *host, uint16_t port, int *fd_out, uint16_t *port_out)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICHOST | AI_PASSIVE};
    struct addrinfo *ai = NULL;
    if (getaddrinfo(host, NULL, &hints, &ai) != 0 || !ai)
        return -EINVAL;
    struct sockaddr_storage ss;
    socklen_t sl = (socklen_t)ai->ai_addrlen;
    memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
    int family = ai->ai_family;
    freeaddrinfo(ai);
    if (family == AF_INET)
        ((struct sockaddr_in *)&ss)->sin_port = htons(port);
    else
        ((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);

    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 4096) < 0 ||
        getsockname(fd, (struct sockaddr *)&ss, &sl) < 0) {
        int err = -errno;
        close(fd);
        return err;
    }
    *port_out = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                        : ((struct sockaddr_in6 *)&ss)->sin6_port);
    *fd_out = fd;
    return 0;
}

void ds_sock_tune(int fd)
{
    int one = 1, lowat = DELAY_SERVER_NOTSENT_LOWAT;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat, sizeof lowat);
}

void ds_sock_reset_on_close(int fd)
{
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
}

/* A connection the server cannot take: an error reply saying why (tag 0), then close. A request
 * that already arrived is read first, so the close is a FIN (the reply stays readable), not a
 * reset. */
void ds_sock_refuse(int fd, delay_proto_status status)
{
    uint8_t buf[2 * DELAY_PROTO_REQUEST_SIZE];
    delay_proto_reply rep = {.status = (uint8_t)status};
    ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (delay_proto_encode_reply(&rep, buf) == 0)
        n = send(fd, buf, DELAY_PROTO_REPLY_SIZE, MSG_NOSIGNAL | MSG_DONTWAIT);
    (void)n;
    close(fd);
}

int ds_sock_spare(void)
{
    int spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int room = spare >= 0 ? open("/dev/null", O_RDONLY | O_CLOEXEC) : -1;
    if (room < 0) {
        if (spare >= 0)
            close(spare);
        return -1;
    }
    close(room);
    return spare;
}
