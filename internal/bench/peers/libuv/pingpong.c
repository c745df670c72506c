/* TCP ping-pong over 127.0.0.1 with the client and the server on one libuv loop: the
 * client writes a 4-byte message, the server answers each whole 4-byte message it
 * has gathered with one of its own, and the client sends its next message when the
 * whole answer is back. N round trips (argv[1], default 200,000). Both sockets have
 * TCP_NODELAY, as in the Node.js and Go peers.
 *
 * Prints: RESULT name=pingpong impl=libuv ops=N ns=WALL cpu_ns=CPU version=V */
#include <string.h>

#include "peer.h"

#define MSG_LEN 4

typedef struct {
  uv_tcp_t tcp;
  char buf[64 * 1024];
  size_t have; /* bytes of the current message gathered so far */
  char msg[MSG_LEN];
  uv_write_t write_reqs[2]; /* a request is reused only after its callback ran */
  int busy[2];
} end_t;

static uv_loop_t* loop;
static uv_tcp_t listener;
static end_t server; /* the accepted side */
static end_t client;
static uv_connect_t connect_req;
static long want;
static long round_trips;
static int64_t wall, cpu;
static int closed;

static void alloc_cb(uv_handle_t* handle, size_t suggested, uv_buf_t* buf) {
  end_t* end = (end_t*) handle->data;

  (void) suggested;
  *buf = uv_buf_init(end->buf, sizeof end->buf);
}

static void write_cb(uv_write_t* req, int status) {
  end_t* end = (end_t*) req->handle->data;

  end->busy[req == &end->write_reqs[1]] = 0;
  if (status == UV_ECANCELED)
    return;
  peer_check("write", status);
}

static void send_msg(end_t* end) {
  uv_buf_t buf = uv_buf_init(end->msg, MSG_LEN);
  int i;

  i = end->busy[0] ? 1 : 0;
  if (end->busy[i]) {
    fprintf(stderr, "pingpong: more than two writes in flight\n");
    exit(1);
  }
  end->busy[i] = 1;
  peer_check("uv_write", uv_write(&end->write_reqs[i], (uv_stream_t*) &end->tcp,
                                  &buf, 1, write_cb));
}

static void close_cb(uv_handle_t* handle) {
  (void) handle;
  closed++;
}

static void finish(void) {
  wall = peer_wall_ns() - wall;
  cpu = peer_cpu_ns() - cpu;
  uv_close((uv_handle_t*) &client.tcp, close_cb);
  uv_close((uv_handle_t*) &server.tcp, close_cb);
  uv_close((uv_handle_t*) &listener, close_cb);
}

/* read_cb gathers whole messages: the server answers each one, the client counts it
 * and sends the next. */
static void read_cb(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  end_t* end = (end_t*) stream->data;
  ssize_t i;

  (void) buf;
  if (nread == UV_EOF) {
    fprintf(stderr, "pingpong: unexpected end of stream\n");
    exit(1);
  }
  peer_check("read", (int) nread);
  for (i = 0; i < nread; i++) {
    if (++end->have < MSG_LEN)
      continue;
    end->have = 0;
    if (end == &server) {
      send_msg(end);
      continue;
    }
    if (++round_trips == want) {
      finish();
      return;
    }
    send_msg(end);
  }
}

static void connect_cb(uv_connect_t* req, int status) {
  (void) req;
  peer_check("connect", status);
  peer_check("uv_tcp_nodelay", uv_tcp_nodelay(&client.tcp, 1));
  peer_check("uv_read_start",
             uv_read_start((uv_stream_t*) &client.tcp, alloc_cb, read_cb));
  wall = peer_wall_ns();
  cpu = peer_cpu_ns();
  send_msg(&client);
}

static void connection_cb(uv_stream_t* ln, int status) {
  peer_check("listen", status);
  peer_check("uv_tcp_init", uv_tcp_init(loop, &server.tcp));
  server.tcp.data = &server;
  peer_check("uv_accept", uv_accept(ln, (uv_stream_t*) &server.tcp));
  peer_check("uv_tcp_nodelay", uv_tcp_nodelay(&server.tcp, 1));
  peer_check("uv_read_start",
             uv_read_start((uv_stream_t*) &server.tcp, alloc_cb, read_cb));
}

int main(int argc, char** argv) {
  struct sockaddr_in addr;
  struct sockaddr_storage bound;
  int len;

  want = peer_ops(argc, argv, 200000);
  loop = uv_default_loop();
  memcpy(client.msg, "PING", MSG_LEN);
  memcpy(server.msg, "PONG", MSG_LEN);

  peer_check("uv_ip4_addr", uv_ip4_addr("127.0.0.1", 0, &addr));
  peer_check("uv_tcp_init", uv_tcp_init(loop, &listener));
  peer_check("uv_tcp_bind", uv_tcp_bind(&listener, (const struct sockaddr*) &addr, 0));
  peer_check("uv_listen", uv_listen((uv_stream_t*) &listener, 16, connection_cb));
  len = sizeof bound;
  peer_check("uv_tcp_getsockname",
             uv_tcp_getsockname(&listener, (struct sockaddr*) &bound, &len));

  peer_check("uv_tcp_init", uv_tcp_init(loop, &client.tcp));
  client.tcp.data = &client;
  peer_check("uv_tcp_connect", uv_tcp_connect(&connect_req, &client.tcp,
                                              (const struct sockaddr*) &bound,
                                              connect_cb));
  peer_check("uv_run", uv_run(loop, UV_RUN_DEFAULT));

  if (round_trips != want || closed != 3) {
    fprintf(stderr, "pingpong: %ld round trips, want %ld\n", round_trips, want);
    return 1;
  }
  peer_result("pingpong", want, wall, cpu, "");
  return uv_loop_close(loop) == 0 ? 0 : 1;
}
