/* Shared helpers of the libuv peers: the operation count from argv[1], wall and CPU
 * clocks, and the one RESULT line each peer prints on stdout. */
#ifndef NODELOOP_BENCH_PEER_H
#define NODELOOP_BENCH_PEER_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <uv.h>

/* peer_ops returns argv[1] as a positive count, or def when it is absent; it exits
 * with status 2 on anything else. */
static long peer_ops(int argc, char** argv, long def) {
  char* end;
  long n;

  if (argc < 2)
    return def;
  errno = 0;
  n = strtol(argv[1], &end, 10);
  if (errno != 0 || *end != '\0' || end == argv[1] || n <= 0) {
    fprintf(stderr, "%s: operation count must be a positive integer, got %s\n",
            argv[0], argv[1]);
    exit(2);
  }
  return n;
}

/* peer_wall_ns reads CLOCK_MONOTONIC in nanoseconds. */
static int64_t peer_wall_ns(void) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* peer_cpu_ns reads the process's user plus system CPU time in nanoseconds, every
 * thread included (the threadpool's too). */
static int64_t peer_cpu_ns(void) {
  struct rusage ru;

  getrusage(RUSAGE_SELF, &ru);
  return ((int64_t) ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000 +
         ((int64_t) ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
}

/* peer_check exits with status 1 and libuv's message when r is an error. */
static void peer_check(const char* what, int r) {
  if (r < 0) {
    fprintf(stderr, "%s: %s\n", what, uv_strerror(r));
    exit(1);
  }
}

/* peer_result prints the RESULT line. extra is appended as is: more key=value
 * fields separated by spaces, or "". */
static void peer_result(const char* name, long ops, int64_t ns, int64_t cpu_ns,
                        const char* extra) {
  printf("RESULT name=%s impl=libuv ops=%ld ns=%lld cpu_ns=%lld version=%s%s%s\n",
         name, ops, (long long) ns, (long long) cpu_ns, uv_version_string(),
         extra[0] != '\0' ? " " : "", extra);
  fflush(stdout);
}

#endif
