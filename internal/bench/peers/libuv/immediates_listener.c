/* immediates.c's chain of N immediates with one TCP listener open on 127.0.0.1 and
 * idle the whole time, as a server's loop between requests: every turn's zero-timeout
 * poll then has a descriptor to ask the kernel about. The count is argv[1] (default
 * 10,000,000).
 *
 * Prints: RESULT name=immediates_listener impl=libuv ops=N ns=WALL cpu_ns=CPU version=V */
#include "peer.h"

typedef void (*immediate_fn)(void);

static uv_check_t check_handle;
static uv_idle_t idle_handle;
static uv_tcp_t listener;
static immediate_fn queued; /* the immediate queue: at most one entry here */
static long turns;
static long want;

static void idle_cb(uv_idle_t* handle) {
  (void) handle; /* only there to make poll return at once */
}

static void on_connection(uv_stream_t* server, int status) {
  (void) server;
  (void) status; /* nobody connects */
}

static void set_immediate(immediate_fn fn) {
  if (queued == NULL)
    peer_check("uv_idle_start", uv_idle_start(&idle_handle, idle_cb));
  queued = fn;
}

static void chain(void) {
  if (++turns < want)
    set_immediate(chain);
}

static void check_cb(uv_check_t* handle) {
  immediate_fn fn;

  (void) handle;
  fn = queued;
  queued = NULL;
  if (fn != NULL)
    fn();
  if (queued == NULL) {
    /* Queue drained for good: stop both handles and close the listener so uv_run
     * returns. */
    uv_idle_stop(&idle_handle);
    uv_check_stop(&check_handle);
    uv_close((uv_handle_t*) &listener, NULL);
  }
}

int main(int argc, char** argv) {
  uv_loop_t* loop;
  struct sockaddr_in addr;
  int64_t wall, cpu;

  want = peer_ops(argc, argv, 10000000);
  loop = uv_default_loop();
  peer_check("uv_check_init", uv_check_init(loop, &check_handle));
  peer_check("uv_idle_init", uv_idle_init(loop, &idle_handle));
  peer_check("uv_check_start", uv_check_start(&check_handle, check_cb));
  peer_check("uv_tcp_init", uv_tcp_init(loop, &listener));
  peer_check("uv_ip4_addr", uv_ip4_addr("127.0.0.1", 0, &addr));
  peer_check("uv_tcp_bind", uv_tcp_bind(&listener, (const struct sockaddr*) &addr, 0));
  peer_check("uv_listen", uv_listen((uv_stream_t*) &listener, 128, on_connection));

  wall = peer_wall_ns();
  cpu = peer_cpu_ns();
  set_immediate(chain);
  peer_check("uv_run", uv_run(loop, UV_RUN_DEFAULT));
  wall = peer_wall_ns() - wall;
  cpu = peer_cpu_ns() - cpu;

  if (turns != want) {
    fprintf(stderr, "immediates_listener: ran %ld turns, want %ld\n", turns, want);
    return 1;
  }
  peer_result("immediates_listener", want, wall, cpu, "");
  uv_close((uv_handle_t*) &check_handle, NULL);
  uv_close((uv_handle_t*) &idle_handle, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  return uv_loop_close(loop) == 0 ? 0 : 1;
}
