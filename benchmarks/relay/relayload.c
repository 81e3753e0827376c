/* relayload: the relay benchmark's load client (see README.md). One process, one thread, epoll,
 * non-blocking sockets: publishers (a Tandem visitor, or an rrweb-relay tracker over socket.io)
 * and receivers (Tandem agents, or rrweb-relay watchers) for a range of sessions. A minimal
 * RFC 6455 client (no compression; client frames masked with key 0, which the RFC allows) and,
 * for rrweb-relay, Engine.IO v4 / Socket.IO v5 text packets over that WebSocket.
 *
 * Protocol with bench.py on stdin/stdout: connects everything, prints "ready", waits for "go"
 * on stdin, publishes (timed sends: the loop sleeps in epoll_wait between them; never spins),
 * waits for the receivers to get everything (or --drain seconds of silence), writes every
 * delivery's latency (microseconds, uint32) to --latency-file and prints one JSON line.
 *
 * Each event carries "t":<CLOCK_MONOTONIC ns at send>; a receiver counts every "t": in a content
 * message and takes now - t as that delivery's latency (same host: one clock for all processes).
 *
 *   cc -O2 -o relayload relayload.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { TANDEM, SOCKETIO };
enum { PUB, RECV };
enum {
    S_IDLE, S_CONNECTING, S_HTTP, S_EIO_OPEN, S_SIO_CONNECT, S_WAIT_SESSION, S_WAIT_PAGE, S_WAIT_INIT,
    S_READY, S_CLOSED
};

typedef struct {
    int fd, role, session, index, state;
    char *rbuf; size_t rlen, rcap;
    char *wbuf; size_t wlen, woff, wcap;
    char *msg; size_t mlen, mcap; int mop;
    long sent_events, sent_frames;
    int64_t next_send;
    long recv_events, recv_frames, pages, first_seq;
    int want_out;
} Conn;

static int proto = TANDEM, port = 0, sessions = 1, offset = 0, agents = 1, per_frame = 1, event_size = 1024;
static int do_pub = 1, do_recv = 1, parallel = 64, group = 1, agent_offset = 0;
static long events = 1000;            /* events each publisher sends */
static double rate = 0;               /* events/s per publisher; 0 = as fast as the socket takes them */
static double drain = 10;             /* seconds of silence after the last send before giving up */
static const char *prefix = "s", *latency_file = NULL, *pub_token = "", *host = "127.0.0.1";
static char **tokens; static int ntokens;
static int ep;
static Conn *conns; static int nconns;
static uint32_t *lat; static size_t nlat, lcap;
static char *pad;
static int errors; static char last_error[256];
static long resyncs;

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *m) { fprintf(stderr, "relayload: %s (%s)\n", m, strerror(errno)); exit(2); }

static void grow(char **buf, size_t *cap, size_t need) {
    if (need <= *cap) return;
    size_t c = *cap ? *cap : 4096;
    while (c < need) c *= 2;
    *buf = realloc(*buf, c);
    if (!*buf) die("out of memory");
    *cap = c;
}

static void set_events(Conn *c, int out) {
    struct epoll_event e = {.events = EPOLLIN | (out ? EPOLLOUT : 0), .data.ptr = c};
    if (c->want_out != out) {
        c->want_out = out;
        epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e);
    }
}

static void fail(Conn *c, const char *why) {
    errors++;
    snprintf(last_error, sizeof last_error, "%s %d/%d: %s", c->role == PUB ? "publisher" : "receiver", c->session, c->index, why);
    if (c->fd >= 0) { epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL); close(c->fd); }
    c->fd = -1;
    c->state = S_CLOSED;
}

static void flush_out(Conn *c) {
    while (c->woff < c->wlen) {
        ssize_t n = write(c->fd, c->wbuf + c->woff, c->wlen - c->woff);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            if (errno == EINTR) continue;
            fail(c, "write failed");
            return;
        }
        c->woff += (size_t)n;
    }
    if (c->woff == c->wlen) c->woff = c->wlen = 0;
    set_events(c, c->wlen > 0 || c->state == S_CONNECTING);
}

static void queue_raw(Conn *c, const char *data, size_t n) {
    if (c->state == S_CLOSED) return;
    grow(&c->wbuf, &c->wcap, c->wlen + n);
    memcpy(c->wbuf + c->wlen, data, n);
    c->wlen += n;
}

/* One client frame, masked with key 0 (payload unchanged). */
static void queue_frame(Conn *c, int opcode, const char *data, size_t n) {
    unsigned char h[14];
    size_t hl = 0;
    h[hl++] = 0x80 | opcode;
    if (n < 126) h[hl++] = 0x80 | n;
    else if (n <= 0xFFFF) { h[hl++] = 0x80 | 126; h[hl++] = n >> 8; h[hl++] = n & 0xFF; }
    else { h[hl++] = 0x80 | 127; for (int i = 7; i >= 0; i--) h[hl++] = (n >> (8 * i)) & 0xFF; }
    h[hl++] = 0; h[hl++] = 0; h[hl++] = 0; h[hl++] = 0;
    queue_raw(c, (char *)h, hl);
    queue_raw(c, data, n);
}

static void send_text(Conn *c, const char *s) { queue_frame(c, 0x1, s, strlen(s)); flush_out(c); }

static void session_key(int s, char *out, size_t n) { snprintf(out, n, "%s%d", prefix, s); }

static void start_connect(Conn *c) {
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (c->fd < 0) die("socket");
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, host, &a.sin_addr);
    c->state = S_CONNECTING;
    c->want_out = -1;
    struct epoll_event e = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &e);
    c->want_out = 1;
    if (connect(c->fd, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS) fail(c, "connect failed");
}

static void send_upgrade(Conn *c) {
    char key[64], path[512], req[1024];
    session_key(c->session, key, sizeof key);
    if (proto == SOCKETIO) snprintf(path, sizeof path, "/socket.io/?EIO=4&transport=websocket&key=%s", key);
    else if (c->role == PUB) snprintf(path, sizeof path, "/ws/visitor?key=%s", key);
    else snprintf(path, sizeof path, "/ws/agent?key=%s&v=1&token=%s", key, tokens[c->index % ntokens]);
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
                     path, host, port);
    c->state = S_HTTP;
    queue_raw(c, req, (size_t)n);
    flush_out(c);
}

/* --- events --- */

static char *frame_buf; static size_t frame_cap;

/* Builds one content message holding per_frame events; returns its length. */
static size_t build_message(Conn *c, int64_t t) {
    size_t need = 64 + (size_t)per_frame * (event_size + 64);
    grow(&frame_buf, &frame_cap, need);
    char *p = frame_buf;
    char head[96];
    if (proto == TANDEM) { *p++ = 0x02; p += sprintf(p, "{\"ev\":["); }
    else p += sprintf(p, "42[\"tracker:events\",{\"events\":[");
    for (int i = 0; i < per_frame; i++) {
        long seq = c->sent_events + i;
        int hl;
        if (proto == TANDEM) hl = snprintf(head, sizeof head, "{\"s\":%ld,\"t\":%lld,\"p\":\"", seq, (long long)t);
        else hl = snprintf(head, sizeof head, "{\"event\":{\"type\":3,\"data\":{\"s\":%ld,\"t\":%lld,\"p\":\"", seq, (long long)t);
        int tail = proto == TANDEM ? 2 : 4; /* "} or "}}} */
        int padn = event_size - hl - tail;
        if (padn < 0) padn = 0;
        if (i) *p++ = ',';
        memcpy(p, head, hl); p += hl;
        memcpy(p, pad, padn); p += padn;
        if (proto == TANDEM) { memcpy(p, "\"}", 2); p += 2; }
        else { memcpy(p, "\"}}}", 4); p += 4; }
    }
    if (proto == TANDEM) p += sprintf(p, "]}");
    else p += sprintf(p, "]}]");
    return (size_t)(p - frame_buf);
}

static int publishing; static int64_t go_time, last_send, last_recv, first_recv;

static int pub_done(Conn *c) { return c->sent_events >= events; }

static void publish_one(Conn *c) {
    int64_t t = now_ns();
    size_t n = build_message(c, t);
    queue_frame(c, proto == TANDEM ? 0x2 : 0x1, frame_buf, n);
    c->sent_events += per_frame;
    c->sent_frames++;
    last_send = t;
    flush_out(c);
}

static void record_latency(int64_t ns) {
    if (nlat == lcap) {
        lcap = lcap ? lcap * 2 : 1 << 16;
        lat = realloc(lat, lcap * sizeof *lat);
        if (!lat) die("out of memory");
    }
    int64_t us = ns / 1000;
    lat[nlat++] = us < 0 ? 0 : (us > 0xFFFFFFFFLL ? 0xFFFFFFFFu : (uint32_t)us);
}

static void count_events(Conn *c, const char *m, size_t n) {
    int64_t now = now_ns();
    const char *end = m + n, *p = m;
    long found = 0;
    while (p < end) {
        const char *q = memmem(p, (size_t)(end - p), "\"t\":", 4);
        if (!q) break;
        q += 4;
        while (q < end && *q == ' ') q++;
        int64_t t = 0;
        while (q < end && *q >= '0' && *q <= '9') t = t * 10 + (*q++ - '0');
        record_latency(now - t);
        found++;
        p = q;
    }
    if (found && c->first_seq < 0) {
        const char *q = memmem(m, n, "\"s\":", 4);
        if (q) { q += 4; while (q < end && *q == ' ') q++; c->first_seq = 0; while (q < end && *q >= '0' && *q <= '9') c->first_seq = c->first_seq * 10 + (*q++ - '0'); }
    }
    if (found) {
        c->recv_events += found;
        c->recv_frames++;
        if (!first_recv) first_recv = now;
        last_recv = now;
    }
}

/* --- messages --- */

static void on_ready(Conn *c);

static void on_message(Conn *c, int op, char *m, size_t n) {
    if (proto == TANDEM) {
        if (op == 0x2) {
            if (n && m[0] == 0x02) count_events(c, m + 1, n - 1);
            else if (n && m[0] == 0x01) {
                c->pages++;
                if (c->state == S_WAIT_PAGE) on_ready(c);
            }
            return;
        }
        if (op != 0x1) return;
        static const char page[] = "\x01{\"url\":\"https://example.test/\",\"load\":\"L1\",\"vp\":[800,600],\"dpr\":1,\"sc\":[0,0],"
                                   "\"ua\":\"relayload\",\"vis\":\"visible\",\"doc\":{\"i\":1,\"c\":[{\"i\":2,\"d\":\"html\"},"
                                   "{\"i\":3,\"t\":\"html\",\"c\":[{\"i\":4,\"t\":\"body\"}]}]}}";
        if (c->state == S_WAIT_SESSION && memmem(m, n, "\"t\":\"session\"", 13)) {
            queue_frame(c, 0x2, page, sizeof page - 1);
            flush_out(c);
            on_ready(c);
        } else if (c->role == PUB && c->state == S_READY && memmem(m, n, "\"t\":\"resync\"", 12)) {
            /* As the visitor script does: the server wants a fresh page (its cache overflowed, or
             * an agent fell behind). */
            queue_frame(c, 0x2, page, sizeof page - 1);
            flush_out(c);
            resyncs++;
        } else if (memmem(m, n, "\"t\":\"ended\"", 11)) {
            char why[200];
            snprintf(why, sizeof why, "ended: %.*s", (int)(n < 150 ? n : 150), m);
            fail(c, why);
        }
        return;
    }
    /* Engine.IO / Socket.IO text packets */
    if (op != 0x1 || n == 0) return;
    if (m[0] == '2' && n == 1) { send_text(c, "3"); return; }
    if (c->state == S_EIO_OPEN && m[0] == '0') {
        char buf[1024];
        snprintf(buf, sizeof buf, "40{\"token\":\"%s\"}", c->role == PUB ? pub_token : tokens[c->index % ntokens]);
        c->state = S_SIO_CONNECT;
        send_text(c, buf);
        return;
    }
    if (c->state == S_SIO_CONNECT && n >= 2 && m[0] == '4' && m[1] == '0') {
        char key[64], buf[256];
        session_key(c->session, key, sizeof key);
        if (c->role == PUB) {
            snprintf(buf, sizeof buf, "42[\"tracker:start\",{\"sessionId\":\"%s\",\"site\":\"bench\",\"url\":\"https://example.test/\"}]", key);
            send_text(c, buf);
            on_ready(c);
        } else {
            snprintf(buf, sizeof buf, "42[\"admin:watch\",\"%s\"]", key);
            c->state = S_WAIT_INIT;
            send_text(c, buf);
        }
        return;
    }
    if (n >= 2 && m[0] == '4' && m[1] == '4') { fail(c, "socket.io connect refused"); return; }
    if (c->state == S_WAIT_INIT && n > 14 && !memcmp(m, "42[\"watch:init\"", 14)) { on_ready(c); return; }
    if (n > 17 && !memcmp(m, "42[\"live:events\"", 16)) count_events(c, m, n);
}

static void parse_frames(Conn *c) {
    size_t pos = 0;
    while (c->state != S_CLOSED) {
        unsigned char *b = (unsigned char *)c->rbuf + pos;
        size_t avail = c->rlen - pos;
        if (avail < 2) break;
        int fin = b[0] & 0x80, op = b[0] & 0x0F, masked = b[1] & 0x80;
        uint64_t len = b[1] & 0x7F;
        size_t hl = 2;
        if (len == 126) { if (avail < 4) break; len = (b[2] << 8) | b[3]; hl = 4; }
        else if (len == 127) {
            if (avail < 10) break;
            len = 0;
            for (int i = 0; i < 8; i++) len = (len << 8) | b[2 + i];
            hl = 10;
        }
        if (masked) hl += 4;
        if (avail < hl + len) break;
        char *payload = (char *)b + hl;
        if (masked) for (uint64_t i = 0; i < len; i++) payload[i] ^= b[hl - 4 + (i & 3)];
        pos += hl + len;
        if (op == 0x9) { queue_frame(c, 0xA, payload, len); flush_out(c); continue; }
        if (op == 0xA) continue;
        if (op == 0x8) {
            char why[200];
            int code = len >= 2 ? ((unsigned char)payload[0] << 8 | (unsigned char)payload[1]) : 0;
            snprintf(why, sizeof why, "closed by the server: %d %.*s", code, (int)(len > 2 ? (len - 2 < 100 ? len - 2 : 100) : 0), payload + 2);
            fail(c, why);
            return;
        }
        if (op == 0x0 || !fin) {
            if (op != 0x0) { c->mop = op; c->mlen = 0; }
            grow(&c->msg, &c->mcap, c->mlen + len);
            memcpy(c->msg + c->mlen, payload, len);
            c->mlen += len;
            if (fin) { on_message(c, c->mop, c->msg, c->mlen); c->mlen = 0; }
            continue;
        }
        on_message(c, op, payload, len);
    }
    if (c->state == S_CLOSED) return;
    memmove(c->rbuf, c->rbuf + pos, c->rlen - pos);
    c->rlen -= pos;
}

static void on_readable(Conn *c) {
    for (;;) {
        grow(&c->rbuf, &c->rcap, c->rlen + 65536);
        ssize_t n = read(c->fd, c->rbuf + c->rlen, c->rcap - c->rlen);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            if (errno == EINTR) continue;
            fail(c, "read failed");
            return;
        }
        if (n == 0) { fail(c, "connection closed"); return; }
        c->rlen += (size_t)n;
        if (c->state == S_HTTP) {
            char *e = memmem(c->rbuf, c->rlen, "\r\n\r\n", 4);
            if (!e) continue;
            if (c->rlen < 12 || memcmp(c->rbuf + 9, "101", 3)) {
                char why[200];
                snprintf(why, sizeof why, "handshake refused: %.*s", (int)(strcspn(c->rbuf, "\r") < 100 ? strcspn(c->rbuf, "\r") : 100), c->rbuf);
                fail(c, why);
                return;
            }
            size_t head = (size_t)(e + 4 - c->rbuf);
            memmove(c->rbuf, c->rbuf + head, c->rlen - head);
            c->rlen -= head;
            if (proto == SOCKETIO) c->state = S_EIO_OPEN;
            else if (c->role == PUB) {
                char key[64], buf[256];
                session_key(c->session, key, sizeof key);
                snprintf(buf, sizeof buf, "{\"t\":\"start\",\"v\":1,\"groupid\":%d,\"key\":\"%s\"}", group, key);
                c->state = S_WAIT_SESSION;
                send_text(c, buf);
            } else c->state = S_WAIT_PAGE;
        }
        if (c->state != S_HTTP) parse_frames(c);
        if (c->state == S_CLOSED) return;
        if ((size_t)n < 65536) break;
    }
}

/* --- connect phase --- */

static int inflight, ready_count, next_to_start;
static Conn **order; static int norder;

static void start_more(void) {
    while (inflight < parallel && next_to_start < norder) {
        Conn *c = order[next_to_start];
        if (c->role == RECV && do_pub) {
            /* an agent joins after its session's visitor is there */
            Conn *p = &conns[(c - conns) - 1 - (c->index - agent_offset)];
            if (p->state == S_CLOSED) { next_to_start++; fail(c, "its publisher failed"); continue; }
            if (p->state != S_READY) break;
        }
        next_to_start++;
        inflight++;
        start_connect(c);
    }
}

static void on_ready(Conn *c) {
    c->state = S_READY;
    inflight--;
    ready_count++;
    start_more();
}

static void handle(Conn *c, uint32_t ev) {
    if (c->state == S_CLOSED) return;
    int was_connecting = c->state != S_READY;
    if (ev & (EPOLLERR | EPOLLHUP) && c->state == S_CONNECTING) fail(c, "connect refused");
    if (c->state != S_CLOSED && ev & EPOLLOUT) {
        if (c->state == S_CONNECTING) send_upgrade(c);
        else flush_out(c);
    }
    if (c->state != S_CLOSED && ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(c);
    if (c->state == S_CLOSED && was_connecting) { inflight--; start_more(); }
}

static int64_t schedstat_wait(void) {
    FILE *f = fopen("/proc/self/schedstat", "r");
    long long run = 0, wait = 0;
    if (f) { if (fscanf(f, "%lld %lld", &run, &wait) != 2) wait = 0; fclose(f); }
    return wait;
}

static int64_t cpu_us(void) {
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return (int64_t)(r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1000000 + r.ru_utime.tv_usec + r.ru_stime.tv_usec;
}

static void usage(void) {
    fprintf(stderr, "usage: relayload --proto tandem|socketio --port P [--sessions N --offset O --agents A --events E "
                    "--per-frame F --rate R --size B --tokens FILE --pub-token T --prefix S --no-pub --no-recv "
                    "--drain S --latency-file F --parallel N --agent-offset K]\n");
    exit(2);
}

int main(int argc, char **argv) {
    const char *tokens_file = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define ARG(name) (!strcmp(a, name) && v && ++i)
        if (ARG("--proto")) proto = !strcmp(v, "socketio") ? SOCKETIO : TANDEM;
        else if (ARG("--port")) port = atoi(v);
        else if (ARG("--host")) host = v;
        else if (ARG("--sessions")) sessions = atoi(v);
        else if (ARG("--offset")) offset = atoi(v);
        else if (ARG("--agents")) agents = atoi(v);
        else if (ARG("--events")) events = atol(v);
        else if (ARG("--per-frame")) per_frame = atoi(v);
        else if (ARG("--rate")) rate = atof(v);
        else if (ARG("--size")) event_size = atoi(v);
        else if (ARG("--tokens")) tokens_file = v;
        else if (ARG("--pub-token")) pub_token = v;
        else if (ARG("--prefix")) prefix = v;
        else if (ARG("--drain")) drain = atof(v);
        else if (ARG("--latency-file")) latency_file = v;
        else if (ARG("--parallel")) parallel = atoi(v);
        else if (ARG("--group")) group = atoi(v);
        else if (ARG("--agent-offset")) agent_offset = atoi(v);
        else if (!strcmp(a, "--no-pub")) do_pub = 0;
        else if (!strcmp(a, "--no-recv")) do_recv = 0;
        else usage();
#undef ARG
    }
    if (!port) usage();
    if (tokens_file) {
        FILE *f = fopen(tokens_file, "r");
        if (!f) die("tokens file");
        char line[4096];
        while (fgets(line, sizeof line, f)) {
            line[strcspn(line, "\r\n")] = 0;
            if (!*line) continue;
            tokens = realloc(tokens, (ntokens + 1) * sizeof *tokens);
            tokens[ntokens++] = strdup(line);
        }
        fclose(f);
    }
    if (do_recv && !ntokens) { static char *none[] = {""}; tokens = none; ntokens = 1; }
    pad = malloc(event_size + 1);
    memset(pad, 'x', event_size);
    ep = epoll_create1(0);
    if (ep < 0) die("epoll");

    /* Per session: [publisher][receiver 0..agents-1], in that order (start_more relies on it). */
    int per = (do_pub ? 1 : 0) + (do_recv ? agents : 0);
    nconns = sessions * per;
    conns = calloc(nconns, sizeof *conns);
    order = calloc(nconns, sizeof *order);
    for (int s = 0; s < sessions; s++) {
        int k = 0;
        if (do_pub) { Conn *c = &conns[s * per + k++]; c->role = PUB; c->session = offset + s; c->index = -1; }
        if (do_recv) for (int a = 0; a < agents; a++) { Conn *c = &conns[s * per + k++]; c->role = RECV; c->session = offset + s; c->index = agent_offset + a; }
    }
    /* Start order: all publishers first (so every visitor is there before its agents), then receivers. */
    for (int i = 0; i < nconns; i++) if (conns[i].role == PUB) order[norder++] = &conns[i];
    for (int i = 0; i < nconns; i++) if (conns[i].role == RECV) order[norder++] = &conns[i];
    for (int i = 0; i < nconns; i++) { conns[i].fd = -1; conns[i].first_seq = -1; }

    struct epoll_event evs[512];
    int64_t t0 = now_ns();
    start_more();
    while (ready_count + errors < nconns) {
        int n = epoll_wait(ep, evs, 512, 1000);
        for (int i = 0; i < n; i++) handle(evs[i].data.ptr, evs[i].events);
        if (now_ns() - t0 > 180LL * 1000000000LL) { fprintf(stderr, "relayload: connect phase timed out\n"); break; }
    }
    double connect_s = (now_ns() - t0) / 1e9;
    printf("ready %d %d %.2f %s\n", ready_count, errors, connect_s, errors ? last_error : "");
    fflush(stdout);

    /* Wait for "go" (keep answering pings meanwhile). */
    {
        struct epoll_event e = {.events = EPOLLIN, .data.ptr = NULL};
        epoll_ctl(ep, EPOLL_CTL_ADD, 0, &e);
        int go = 0;
        while (!go) {
            int n = epoll_wait(ep, evs, 512, 1000);
            for (int i = 0; i < n; i++) {
                if (!evs[i].data.ptr) {
                    char line[64];
                    if (!fgets(line, sizeof line, stdin)) exit(1);
                    go = 1;
                } else handle(evs[i].data.ptr, evs[i].events);
            }
        }
        epoll_ctl(ep, EPOLL_CTL_DEL, 0, NULL);
    }
    int errors_before = errors;
    int64_t cpu0 = cpu_us(), wait0 = schedstat_wait();
    go_time = now_ns();
    /* Only the pages of the connect phase are forgotten: content that reached this process before
     * its own "go" (another process's publisher may have started first) is kept. */
    for (int i = 0; i < nconns; i++) conns[i].pages = 0;

    /* Publish. Paced: each publisher sends a frame every per_frame/rate seconds, the publishers
     * spread evenly over that interval; the loop sleeps in epoll_wait until the next one is due. */
    int64_t interval = rate > 0 ? (int64_t)(per_frame / rate * 1e9) : 0;
    int npub = 0;
    for (int i = 0; i < nconns; i++) if (conns[i].role == PUB && conns[i].state == S_READY) npub++;
    {
        int k = 0;
        for (int i = 0; i < nconns; i++)
            if (conns[i].role == PUB) conns[i].next_send = go_time + (npub ? interval * k++ / npub : 0);
    }
    long expected = 0;
    for (int i = 0; i < nconns; i++) if (conns[i].role == RECV && conns[i].state == S_READY) expected += events;
    publishing = npub > 0;
    int64_t quiet_since = 0;
    for (;;) {
        int64_t now = now_ns();
        int64_t next_due = INT64_MAX;
        int active = 0, busy = 0;
        for (int i = 0; i < nconns; i++) {
            Conn *c = &conns[i];
            if (c->role != PUB || c->state != S_READY) continue;
            if (pub_done(c)) { if (c->wlen) active++; continue; }
            active++;
            if (interval) {
                int burst = 0;
                while (!pub_done(c) && c->next_send <= now && burst++ < 100 && c->state == S_READY) {
                    publish_one(c);
                    c->next_send += interval;
                }
                if (!pub_done(c) && c->next_send < next_due) next_due = c->next_send;
            } else {
                /* As fast as the socket takes them: write while nothing is left pending. */
                int burst = 0;
                while (!pub_done(c) && c->wlen == 0 && burst++ < 16 && c->state == S_READY) publish_one(c);
                if (!pub_done(c) && c->wlen == 0 && c->state == S_READY) busy = 1;
            }
        }
        long received = 0;
        for (int i = 0; i < nconns; i++) received += conns[i].recv_events;
        if (!active) {
            if (!quiet_since) quiet_since = now;
            if (do_recv && received >= expected) break;
            int64_t ref = last_recv > quiet_since ? last_recv : quiet_since;
            if (!do_recv || now - ref > (int64_t)(drain * 1e9)) break;
        }
        int timeout_ms;
        if (busy) timeout_ms = 0;
        else if (next_due != INT64_MAX) { int64_t d = next_due - now_ns(); timeout_ms = d <= 0 ? 0 : (int)((d + 999999) / 1000000); }
        else timeout_ms = 100;
        int n = epoll_wait(ep, evs, 512, timeout_ms);
        for (int i = 0; i < n; i++) handle(evs[i].data.ptr, evs[i].events);
    }
    int64_t end = now_ns();
    int64_t cpu1 = cpu_us(), wait1 = schedstat_wait();

    long sent_events = 0, sent_frames = 0, recv_events = 0, recv_frames = 0, pages = 0, recv_min = -1, recv_max = 0, short_receivers = 0, late_start = 0;
    for (int i = 0; i < nconns; i++) {
        if (conns[i].role == RECV) {
            long r = conns[i].recv_events;
            if (recv_min < 0 || r < recv_min) recv_min = r;
            if (r > recv_max) recv_max = r;
            if (r < events) short_receivers++;
            if (conns[i].first_seq > 0) late_start++;
        }
        sent_events += conns[i].sent_events; sent_frames += conns[i].sent_frames;
        recv_events += conns[i].recv_events; recv_frames += conns[i].recv_frames; pages += conns[i].pages;
    }
    if (latency_file) {
        FILE *f = fopen(latency_file, "wb");
        if (!f) die("latency file");
        fwrite(lat, sizeof *lat, nlat, f);
        fclose(f);
    }
    printf("{\"connections\":%d,\"ready\":%d,\"connect_s\":%.3f,\"publishers\":%d,\"expected\":%ld,"
           "\"sent_events\":%ld,\"sent_frames\":%ld,\"recv_events\":%ld,\"recv_frames\":%ld,\"pages\":%ld,"
           "\"go_ns\":%lld,\"last_send_ns\":%lld,\"first_recv_ns\":%lld,\"last_recv_ns\":%lld,\"end_ns\":%lld,"
           "\"recv_min\":%ld,\"recv_max\":%ld,\"short_receivers\":%ld,\"late_start\":%ld,\"resyncs\":%ld,\"cpu_us\":%lld,\"runqueue_wait_us\":%lld,\"errors_connect\":%d,\"errors_run\":%d,\"last_error\":\"",
           nconns, ready_count, connect_s, npub, expected, sent_events, sent_frames, recv_events, recv_frames, pages,
           (long long)go_time, (long long)last_send, (long long)first_recv, (long long)last_recv, (long long)end,
           recv_min, recv_max, short_receivers, late_start, resyncs, (long long)(cpu1 - cpu0), (long long)((wait1 - wait0) / 1000), errors_before, errors - errors_before);
    for (char *p = last_error; *p; p++) if (*p != '"' && *p != '\\' && (unsigned char)*p >= 32) putchar(*p);
    printf("\"}\n");
    fflush(stdout);
    /* Keep the sockets open (answering pings) until bench.py closes stdin: a publisher that left
     * early would end its session before the other processes' receivers got everything. */
    {
        struct epoll_event e = {.events = EPOLLIN, .data.ptr = NULL};
        epoll_ctl(ep, EPOLL_CTL_ADD, 0, &e);
        for (;;) {
            int n = epoll_wait(ep, evs, 512, 1000);
            for (int i = 0; i < n; i++) {
                if (!evs[i].data.ptr) {
                    char line[64];
                    if (!fgets(line, sizeof line, stdin)) return 0;
                } else handle(evs[i].data.ptr, evs[i].events);
            }
        }
    }
}
