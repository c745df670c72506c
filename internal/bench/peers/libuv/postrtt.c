/* N round trips (argv[1], default 200,000) of a message posted to the loop from
 * another thread: the thread appends a node to a mutex-protected queue, calls
 * uv_async_send, and waits on a semaphore that the loop's async callback posts once
 * it has taken the message; then it posts the next. The figure is the time from a
 * post to the poster knowing it ran.
 *
 * Prints: RESULT name=postrtt impl=libuv ops=N ns=WALL cpu_ns=CPU version=V */
#include "peer.h"

typedef struct msg_s {
  struct msg_s* next;
} msg_t;

static uv_async_t async_handle;
static uv_mutex_t lock;
static uv_sem_t ran;
static msg_t* head; /* the queue, under lock */
static msg_t** tailp = &head;
static long counted, want;

static void poster_main(void* arg) {
  msg_t* m = arg;
  long i;

  for (i = 0; i < want; i++) {
    m->next = NULL;
    uv_mutex_lock(&lock);
    *tailp = m;
    tailp = &m->next;
    uv_mutex_unlock(&lock);
    peer_check("uv_async_send", uv_async_send(&async_handle));
    uv_sem_wait(&ran);
  }
}

static void async_cb(uv_async_t* handle) {
  msg_t* m;
  msg_t* next;

  uv_mutex_lock(&lock);
  m = head;
  head = NULL;
  tailp = &head;
  uv_mutex_unlock(&lock);
  for (; m != NULL; m = next) {
    next = m->next;
    counted++;
    uv_sem_post(&ran);
  }
  if (counted == want)
    uv_close((uv_handle_t*) handle, NULL);
}

int main(int argc, char** argv) {
  uv_loop_t* loop;
  uv_thread_t tid;
  msg_t msg;
  int64_t wall, cpu;

  want = peer_ops(argc, argv, 200000);
  loop = uv_default_loop();
  peer_check("uv_mutex_init", uv_mutex_init(&lock));
  peer_check("uv_sem_init", uv_sem_init(&ran, 0));
  peer_check("uv_async_init", uv_async_init(loop, &async_handle, async_cb));

  wall = peer_wall_ns();
  cpu = peer_cpu_ns();
  peer_check("uv_thread_create", uv_thread_create(&tid, poster_main, &msg));
  peer_check("uv_run", uv_run(loop, UV_RUN_DEFAULT));
  wall = peer_wall_ns() - wall;
  cpu = peer_cpu_ns() - cpu;

  peer_check("uv_thread_join", uv_thread_join(&tid));
  if (counted != want) {
    fprintf(stderr, "postrtt: %ld round trips, want %ld\n", counted, want);
    return 1;
  }
  peer_result("postrtt", want, wall, cpu, "");
  return uv_loop_close(loop) == 0 ? 0 : 1;
}
