package nodeloop

// task is a queued callback with the id the trace names it by.
type task struct {
	fn func()
	id uint64
}

// taskQueue is a FIFO of tasks that reuses its storage: in steady state, pushing and
// popping do not allocate.
type taskQueue struct {
	buf  []task
	head int
}

func (q *taskQueue) len() int { return len(q.buf) - q.head }

func (q *taskQueue) push(t task) { q.buf = append(q.buf, t) }

func (q *taskQueue) pop() task {
	t := q.buf[q.head]
	q.buf[q.head] = task{}
	q.head++
	if q.head == len(q.buf) {
		q.buf, q.head = q.buf[:0], 0
	}
	return t
}

// node is an element of an intrusive, circular, doubly linked list with a sentinel,
// like libuv's queue: an element is removed without knowing which list holds it, and
// a whole list moves to another sentinel in constant time.
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
