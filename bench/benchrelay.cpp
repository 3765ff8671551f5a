// bench_relay: the floor under any proxy on this machine. A byte relay with nothing above the kernel: each
// accepted connection gets its own connection to one upstream, and bytes are copied both ways as they arrive,
// one read and one write per arrival, unparsed. `make bench` sends the agent conversation and the paced streams
// through it, so its CPU per request and per event is what the machine's sockets cost a program that both
// receives and sends, next to what droid2api costs doing the same and its HTTP, JSON and edits on top.
//
// Platform-specific (Linux: epoll); the benchmark runs on Linux.
// Usage: bench_relay UPSTREAM_PORT   (upstream on 127.0.0.1; prints "listening on http://127.0.0.1:PORT")
#include <arpa/inet.h>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace {

struct End
{
    int fd = -1;
    End *peer = nullptr;
    std::string out; // bytes for this end the kernel did not take yet
    bool dead = false;
};

int g_epoll = -1;

void fail(const char *what)
{
    std::perror(what);
    std::exit(1);
}

/// What this end waits for: reads unless its peer has bytes waiting (back-pressure), writes while it has some.
void watch(End *e, int op)
{
    epoll_event ev {};
    ev.events = (e->peer->out.empty() ? EPOLLIN : 0u) | (e->out.empty() ? 0u : EPOLLOUT);
    ev.data.ptr = e;
    if (epoll_ctl(g_epoll, op, e->fd, &ev) != 0)
        fail("epoll_ctl");
}

void closePair(End *e, std::vector<End *> *graveyard)
{
    for (End *x : { e, e->peer }) {
        if (x->dead)
            continue;
        x->dead = true;
        epoll_ctl(g_epoll, EPOLL_CTL_DEL, x->fd, nullptr);
        close(x->fd);
        graveyard->push_back(x);
    }
}

int connectUpstream(int port)
{
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a {};
    a.sin_family = AF_INET;
    a.sin_port = htons(uint16_t(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0) // loopback: done at once
        fail("connect to the upstream");
    return fd;
}

void tune(int fd)
{
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (fcntl(fd, F_SETFL, O_NONBLOCK) != 0)
        fail("fcntl");
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 2)
        return std::fprintf(stderr, "usage: bench_relay UPSTREAM_PORT\n"), 2;
    const int upstreamPort = std::atoi(argv[1]);
    const int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    const int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a {};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (bind(listener, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0 || listen(listener, 512) != 0
        || getsockname(listener, reinterpret_cast<sockaddr *>(&a), &len) != 0)
        fail("listen");
    g_epoll = epoll_create1(0);
    epoll_event lev {};
    lev.events = EPOLLIN;
    lev.data.ptr = nullptr; // the listener
    epoll_ctl(g_epoll, EPOLL_CTL_ADD, listener, &lev);
    std::printf("bench_relay listening on http://127.0.0.1:%d\n", ntohs(a.sin_port));
    std::fflush(stdout);

    std::vector<char> buf(256 * 1024);
    std::vector<End *> graveyard;
    epoll_event events[64];
    for (;;) {
        const int n = epoll_wait(g_epoll, events, 64, -1);
        if (n < 0 && errno != EINTR)
            fail("epoll_wait");
        for (int i = 0; i < n; ++i) {
            End *e = static_cast<End *>(events[i].data.ptr);
            if (!e) {
                for (int fd; (fd = accept(listener, nullptr, nullptr)) >= 0;) {
                    End *client = new End, *upstream = new End;
                    client->fd = fd;
                    upstream->fd = connectUpstream(upstreamPort);
                    client->peer = upstream;
                    upstream->peer = client;
                    tune(client->fd);
                    tune(upstream->fd);
                    watch(client, EPOLL_CTL_ADD);
                    watch(upstream, EPOLL_CTL_ADD);
                }
                continue;
            }
            if (e->dead)
                continue;
            if ((events[i].events & EPOLLOUT) && !e->out.empty()) {
                const ssize_t w = send(e->fd, e->out.data(), e->out.size(), MSG_NOSIGNAL);
                if (w < 0 && errno != EAGAIN) {
                    closePair(e, &graveyard);
                    continue;
                }
                e->out.erase(0, size_t(w > 0 ? w : 0));
                if (e->out.empty()) {
                    watch(e, EPOLL_CTL_MOD);
                    watch(e->peer, EPOLL_CTL_MOD); // reads again
                }
            }
            if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                const ssize_t r = read(e->fd, buf.data(), buf.size());
                if (r == 0 || (r < 0 && errno != EAGAIN)) {
                    closePair(e, &graveyard);
                    continue;
                }
                if (r < 0)
                    continue;
                End *to = e->peer;
                const ssize_t w = send(to->fd, buf.data(), size_t(r), MSG_NOSIGNAL);
                if (w < 0 && errno != EAGAIN) {
                    closePair(e, &graveyard);
                    continue;
                }
                if (w < r) { // the rest waits; this end stops reading until it is out
                    to->out.append(buf.data() + (w > 0 ? w : 0), size_t(r - (w > 0 ? w : 0)));
                    watch(to, EPOLL_CTL_MOD);
                    watch(e, EPOLL_CTL_MOD);
                }
            }
        }
        for (End *x : graveyard)
            delete x;
        graveyard.clear();
    }
}
