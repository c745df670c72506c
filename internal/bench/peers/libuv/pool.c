/* N small jobs (argv[1], default 200,000) submitted to libuv's threadpool with
 * uv_queue_work all at once, before the loop runs, then run to completion. Each job's
 * work is trivial (it stores its own index), so the figure is the pool's own cost per
 * job: queueing, a worker's pick-up, the hand-back through the loop's async handle and
 * the after-work callback. The pool has libuv's default four threads unless
 * UV_THREADPOOL_SIZE says otherwise.
 *
 * Prints: RESULT name=pool impl=libuv ops=N ns=WALL cpu_ns=CPU version=V
 *         threads=T */
#include "peer.h"

typedef struct {
  uv_work_t req;
  long index;
  long seen;
} job_t;

static long done;

static void work_cb(uv_work_t* req) {
  job_t* job = (job_t*) req->data;

  job->seen = job->index;
}

static void after_work_cb(uv_work_t* req, int status) {
  job_t* job = (job_t*) req->data;

  peer_check("after_work", status);
  if (job->seen != job->index) {
    fprintf(stderr, "pool: job %ld did not run\n", job->index);
    exit(1);
  }
  done++;
}

int main(int argc, char** argv) {
  uv_loop_t* loop;
  job_t* jobs;
  int64_t wall, cpu;
  long n, i;
  const char* size;
  char extra[32];

  n = peer_ops(argc, argv, 200000);
  jobs = calloc((size_t) n, sizeof(jobs[0]));
  if (jobs == NULL) {
    fprintf(stderr, "pool: out of memory for %ld jobs\n", n);
    return 1;
  }
  loop = uv_default_loop();

  wall = peer_wall_ns();
  cpu = peer_cpu_ns();
  for (i = 0; i < n; i++) {
    jobs[i].index = i;
    jobs[i].seen = -1;
    jobs[i].req.data = &jobs[i];
    peer_check("uv_queue_work",
               uv_queue_work(loop, &jobs[i].req, work_cb, after_work_cb));
  }
  peer_check("uv_run", uv_run(loop, UV_RUN_DEFAULT));
  wall = peer_wall_ns() - wall;
  cpu = peer_cpu_ns() - cpu;

  if (done != n) {
    fprintf(stderr, "pool: %ld jobs done, want %ld\n", done, n);
    return 1;
  }
  size = getenv("UV_THREADPOOL_SIZE");
  snprintf(extra, sizeof extra, "threads=%d", size != NULL ? atoi(size) : 4);
  peer_result("pool", n, wall, cpu, extra);
  free(jobs);
  return uv_loop_close(loop) == 0 ? 0 : 1;
}
