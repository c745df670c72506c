/* The memory of N one-shot timers (argv[1], default 1,000,000): the timers workload
 * (timers.c), in a process of its own, reporting its peak resident set size
 * (VmHWM on Linux, getrusage's ru_maxrss elsewhere) before the first timer is started and at the end. Each
 * uv_timer_t lives in one array, allocated before the first reading and touched only
 * as each timer is started.
 *
 * Prints: RESULT name=timers_mem impl=libuv ops=N ns=WALL cpu_ns=CPU version=V
 *         base_kib=PEAK_BEFORE rss_kib=PEAK bytes_per_timer=(PEAK-PEAK_BEFORE)*1024/N */
#include "peer.h"

static long fired;

static void timer_cb(uv_timer_t* handle) {
  (void) handle;
  fired++;
}

/* peak_rss_kib returns the peak resident set size in KiB: on Linux VmHWM of
 * /proc/self/status, since ru_maxrss there starts at the size the parent had when it
 * forked; elsewhere ru_maxrss (which macOS counts in bytes). */
static long long peak_rss_kib(void) {
  struct rusage ru;
#ifdef __linux__
  char line[256];
  long long kib = -1;
  FILE* f = fopen("/proc/self/status", "r");

  if (f != NULL) {
    while (fgets(line, sizeof line, f) != NULL)
      if (sscanf(line, "VmHWM: %lld kB", &kib) == 1)
        break;
    fclose(f);
  }
  if (kib >= 0)
    return kib;
#endif
  getrusage(RUSAGE_SELF, &ru);
#ifdef __APPLE__
  return (long long) ru.ru_maxrss / 1024;
#else
  return (long long) ru.ru_maxrss;
#endif
}

int main(int argc, char** argv) {
  uv_loop_t* loop;
  uv_timer_t* timers;
  int64_t wall, cpu;
  long long base, rss;
  long n, i;
  uint64_t timeout;
  char extra[128];

  n = peer_ops(argc, argv, 1000000);
  timers = malloc((size_t) n * sizeof(timers[0]));
  if (timers == NULL) {
    fprintf(stderr, "timers_mem: out of memory for %ld timers\n", n);
    return 1;
  }
  loop = uv_default_loop();
  base = peak_rss_kib();

  wall = peer_wall_ns();
  cpu = peer_cpu_ns();
  for (i = 0; i < n; i++) {
    timeout = 1 + (uint64_t) i / 1000;
    peer_check("uv_timer_init", uv_timer_init(loop, &timers[i]));
    peer_check("uv_timer_start", uv_timer_start(&timers[i], timer_cb, timeout, 0));
  }
  peer_check("uv_run", uv_run(loop, UV_RUN_DEFAULT));
  wall = peer_wall_ns() - wall;
  cpu = peer_cpu_ns() - cpu;
  rss = peak_rss_kib();

  if (fired != n) {
    fprintf(stderr, "timers_mem: %ld fired, want %ld\n", fired, n);
    return 1;
  }
  snprintf(extra, sizeof extra, "base_kib=%lld bytes_per_timer=%lld rss_kib=%lld", base,
           (rss > base ? rss - base : 0) * 1024 / n, rss);
  peer_result("timers_mem", n, wall, cpu, extra);
  for (i = 0; i < n; i++)
    uv_close((uv_handle_t*) &timers[i], NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  free(timers);
  return uv_loop_close(loop) == 0 ? 0 : 1;
}
