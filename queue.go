package nodeloop

// task is a queued callback with the id the trace names it by.
type task struct {
	fn func()
	id uint64
}

// queue is the loop's one FIFO: a ring that reuses its storage, so that once it has
// grown to the most it held, pushing and popping do not allocate, and a queue that
// never empties does not grow either. The zero value is an empty queue. It also pops
// from the back, for the close phase, which runs the most recently closed first.
// Every FIFO of the loop is one: the nextTick, microtask and pending queues, the
// timers found due, the handles waiting for their close callback and a connection's
// writes; the worker pool's jobs wait in segments of their own. (The work other
// goroutines hand the loop is no queue: it is a batch, appended to under the loop's
// lock and taken whole.)
type queue[T any] struct {
	buf  []T // its length is 0 or a power of two
	head int // index of the first element
	n    int // number of elements
}

// queueMinItems is the room a queue makes when it first grows.
const queueMinItems = 8

func (q *queue[T]) len() int { return q.n }

func (q *queue[T]) push(v T) {
	if q.n == len(q.buf) {
		q.grow()
	}
	q.buf[(q.head+q.n)&(len(q.buf)-1)] = v
	q.n++
}

// grow doubles the room of a full queue, its elements first in order.
func (q *queue[T]) grow() {
	buf := make([]T, max(2*len(q.buf), queueMinItems))
	k := copy(buf, q.buf[q.head:])
	copy(buf[k:], q.buf[:q.head])
	q.buf, q.head = buf, 0
}

// front returns the first element, which must exist, without removing it.
func (q *queue[T]) front() T { return q.buf[q.head] }

// at returns the element i places behind the first; i must be below len.
func (q *queue[T]) at(i int) T { return q.buf[(q.head+i)&(len(q.buf)-1)] }

// pop removes and returns the first element, which must exist.
func (q *queue[T]) pop() T {
	var zero T
	v := q.buf[q.head]
	q.buf[q.head] = zero // let the garbage collector have what it holds
	q.head = (q.head + 1) & (len(q.buf) - 1)
	q.n--
	return v
}

// popBack removes and returns the last element, which must exist.
func (q *queue[T]) popBack() T {
	var zero T
	q.n--
	i := (q.head + q.n) & (len(q.buf) - 1)
	v := q.buf[i]
	q.buf[i] = zero
	return v
}

// node is an element of the loop's one intrusive list: circular, doubly linked, with
// a sentinel, like libuv's queue. An element is removed without knowing which list
// holds it, and a whole list moves to another sentinel in constant time. The
// immediates, the watchers of each kind and the open sockets are such lists.
type node[T any] struct {
	prev, next *node[T]
	v          T
}

func (n *node[T]) init() { n.prev, n.next = n, n }

func (n *node[T]) empty() bool { return n.next == n }

// linked reports whether n is in a list.
func (n *node[T]) linked() bool { return n.next != nil && n.next != n }

func (h *node[T]) insertHead(n *node[T]) {
	n.next, n.prev = h.next, h
	h.next.prev = n
	h.next = n
}

func (h *node[T]) insertTail(n *node[T]) {
	n.prev, n.next = h.prev, h
	h.prev.next = n
	h.prev = n
}

func (n *node[T]) remove() {
	n.prev.next = n.next
	n.next.prev = n.prev
	n.prev, n.next = nil, nil
}

// moveTo moves every element of the list headed by h to the list headed by to, which
// must be empty, and leaves h empty.
func (h *node[T]) moveTo(to *node[T]) {
	if h.empty() {
		to.init()
		return
	}
	to.next, to.prev = h.next, h.prev
	to.next.prev = to
	to.prev.next = to
	h.init()
}
