/* N messages (argv[1], default 2,000,000) posted to the loop from P threads at once
 * (argv[2], default 1), the way a libuv program hands work to its loop from other
 * threads: each message is a node appended to a mutex-protected queue, then
 * uv_async_send; the async callback takes the whole queue under the lock and counts
 * it. The nodes are allocated before the measured part, so the figure is the queue's
 * and the wake-up's own cost per message. The time runs from the threads' start to the
 * last message counted.
 *
 * Prints: RESULT name=postP impl=libuv ops=N ns=WALL cpu_ns=CPU version=V posters=P */
#include "peer.h"

typedef struct msg_s {
  struct msg_s* next;
} msg_t;

typedef struct {
  msg_t* msgs;
  long n;
  uv_thread_t tid;
} poster_t;

static uv_async_t async_handle;
static uv_mutex_t lock;
static msg_t* head; /* the queue, under lock */
static msg_t** tailp = &head;
static long counted, want;

static void poster_main(void* arg) {
  poster_t* p = arg;
  long i;

  for (i = 0; i < p->n; i++) {
    msg_t* m = &p->msgs[i];
    m->next = NULL;
    uv_mutex_lock(&lock);
    *tailp = m;
    tailp = &m->next;
    uv_mutex_unlock(&lock);
    peer_check("uv_async_send", uv_async_send(&async_handle));
  }
}

static void async_cb(uv_async_t* handle) {
  msg_t* m;

  uv_mutex_lock(&lock);
  m = head;
  head = NULL;
  tailp = &head;
  uv_mutex_unlock(&lock);
  for (; m != NULL; m = m->next)
    counted++;
  if (counted == want)
    uv_close((uv_handle_t*) handle, NULL);
}

int main(int argc, char** argv) {
  uv_loop_t* loop;
  poster_t* posters;
  msg_t* msgs;
  int64_t wall, cpu;
  long n, posters_n, i, at;
  char name[32], extra[32];

  n = peer_ops(argc, argv, 2000000);
  posters_n = argc > 2 ? atol(argv[2]) : 1;
  if (posters_n < 1 || posters_n > 1024) {
    fprintf(stderr, "post: poster count must be 1 to 1024, got %s\n", argv[2]);
    return 2;
  }
  want = n;
  msgs = calloc((size_t) n, sizeof(msgs[0]));
  posters = calloc((size_t) posters_n, sizeof(posters[0]));
  if (msgs == NULL || posters == NULL) {
    fprintf(stderr, "post: out of memory for %ld messages\n", n);
    return 1;
  }
  loop = uv_default_loop();
  peer_check("uv_mutex_init", uv_mutex_init(&lock));
  peer_check("uv_async_init", uv_async_init(loop, &async_handle, async_cb));
  for (i = 0, at = 0; i < posters_n; i++) {
    posters[i].n = n / posters_n + (i < n % posters_n ? 1 : 0);
    posters[i].msgs = &msgs[at];
    at += posters[i].n;
  }

  wall = peer_wall_ns();
  cpu = peer_cpu_ns();
  for (i = 0; i < posters_n; i++)
    peer_check("uv_thread_create",
               uv_thread_create(&posters[i].tid, poster_main, &posters[i]));
  peer_check("uv_run", uv_run(loop, UV_RUN_DEFAULT));
  wall = peer_wall_ns() - wall;
  cpu = peer_cpu_ns() - cpu;

  for (i = 0; i < posters_n; i++)
    peer_check("uv_thread_join", uv_thread_join(&posters[i].tid));
  if (counted != n) {
    fprintf(stderr, "post: %ld messages counted, want %ld\n", counted, n);
    return 1;
  }
  snprintf(name, sizeof name, "post%ld", posters_n);
  snprintf(extra, sizeof extra, "posters=%ld", posters_n);
  peer_result(name, n, wall, cpu, extra);
  free(posters);
  free(msgs);
  return uv_loop_close(loop) == 0 ? 0 : 1;
}
