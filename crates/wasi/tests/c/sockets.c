// Sockets the host hands in: fd 3 is a listening TCP socket. The host
// connects, sends "ping" and expects "pong" back, then end of stream.
#include "wasi.h"

typedef struct {
    uint64_t userdata;
    uint8_t tag;
    uint8_t pad[7];
    union {
        struct { uint32_t id; uint32_t pad; uint64_t timeout; uint64_t precision; uint16_t flags; } clock;
        struct { uint32_t fd; } fd;
    } u;
} sub_t;
typedef struct { uint64_t userdata; uint16_t error; uint8_t type; uint8_t pad[5]; uint64_t nbytes; uint16_t flags; uint8_t pad2[6]; } event_t;

int main(void) {
    uint8_t st[24];
    SHOW("fdstat listener", w_fd_fdstat_get(3, P(st)));
    printf("  filetype=%d\n", st[0]);
    int32_t conn = -1;
    SHOW("sock_accept", w_sock_accept(3, 0, P(&conn)));
    w_fd_fdstat_get(conn, P(st));
    printf("  filetype=%d\n", st[0]);
    SHOW("sock_accept bad flags", w_sock_accept(3, 2, P(&conn)));

    // Wait until the peer's data is there.
    static sub_t subs[2];
    static event_t evs[2];
    subs[0].userdata = 1; subs[0].tag = 1; subs[0].u.fd.fd = conn;
    subs[1].userdata = 2; subs[1].tag = 0; subs[1].u.clock.id = 1; subs[1].u.clock.timeout = 10000000000ull;
    uint32_t n = 0;
    SHOW("poll_oneoff socket", w_poll_oneoff(P(subs), P(evs), 2, P(&n)));
    printf("  n=%u userdata=%llu type=%u nbytes=%llu\n", n, (unsigned long long)evs[0].userdata, evs[0].type,
           (unsigned long long)evs[0].nbytes);

    char buf[16] = {0};
    iov_t iov = {P(buf), 4};
    uint32_t got = 0;
    uint16_t roflags = 0;
    SHOW("sock_recv peek", w_sock_recv(conn, P(&iov), 1, 1, P(&got), P(&roflags)));
    printf("  n=%u data=%.4s\n", got, buf);
    memset(buf, 0, sizeof buf);
    SHOW("sock_recv", w_sock_recv(conn, P(&iov), 1, 0, P(&got), P(&roflags)));
    printf("  n=%u data=%.4s flags=%u\n", got, buf, roflags);
    SHOW("sock_recv bad flags", w_sock_recv(conn, P(&iov), 1, 8, P(&got), P(&roflags)));
    iov_t out = {P("pong"), 4};
    SHOW("sock_send", w_sock_send(conn, P(&out), 1, 0, P(&got)));
    printf("  n=%u\n", got);
    SHOW("sock_send bad flags", w_sock_send(conn, P(&out), 1, 1, P(&got)));
    SHOW("sock_send listener", w_sock_send(3, P(&out), 1, 0, P(&got)));
    SHOW("sock_recv listener", w_sock_recv(3, P(&iov), 1, 0, P(&got), P(&roflags)));
    SHOW("sock_shutdown bad how", w_sock_shutdown(conn, 9));
    SHOW("sock_shutdown listener", w_sock_shutdown(3, 3));
    SHOW("sock_shutdown", w_sock_shutdown(conn, 2));
    SHOW("sock_send after shutdown", w_sock_send(conn, P(&out), 1, 0, P(&got)));
    SHOW("fd_close", w_fd_close(conn));
    return 0;
}
