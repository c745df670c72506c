/* N one-shot timers (argv[1], default 1,000,000) started up front and run to
 * completion, in the manner of libuv's million-timers benchmark: the timeout grows by
 * one millisecond every 1,000 timers, so deadlines spread over N/1000 ms and many
 * timers share each one. The wall time therefore cannot fall below the last deadline;
 * the CPU time is the cost of starting, ordering and firing the timers.
 *
 * Prints: RESULT name=timers impl=libuv ops=N ns=WALL cpu_ns=CPU version=V
 *         start_ns=WALL_TO_START_ALL */
#include "peer.h"

static long fired;

static void timer_cb(uv_timer_t* handle) {
  (void) handle;
  fired++;
}

int main(int argc, char** argv) {
  uv_loop_t* loop;
  uv_timer_t* timers;
  int64_t wall, cpu, start;
  long n, i;
  uint64_t timeout;
  char extra[64];

  n = peer_ops(argc, argv, 1000000);
  timers = malloc((size_t) n * sizeof(timers[0]));
  if (timers == NULL) {
    fprintf(stderr, "timers: out of memory for %ld timers\n", n);
    return 1;
  }
  loop = uv_default_loop();

  wall = peer_wall_ns();
  cpu = peer_cpu_ns();
  for (i = 0; i < n; i++) {
    timeout = 1 + (uint64_t) i / 1000;
    peer_check("uv_timer_init", uv_timer_init(loop, &timers[i]));
    peer_check("uv_timer_start", uv_timer_start(&timers[i], timer_cb, timeout, 0));
  }
  start = peer_wall_ns() - wall;
  peer_check("uv_run", uv_run(loop, UV_RUN_DEFAULT));
  wall = peer_wall_ns() - wall;
  cpu = peer_cpu_ns() - cpu;

  if (fired != n) {
    fprintf(stderr, "timers: %ld fired, want %ld\n", fired, n);
    return 1;
  }
  snprintf(extra, sizeof extra, "start_ns=%lld", (long long) start);
  peer_result("timers", n, wall, cpu, extra);
  for (i = 0; i < n; i++)
    uv_close((uv_handle_t*) &timers[i], NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  free(timers);
  return uv_loop_close(loop) == 0 ? 0 : 1;
}
