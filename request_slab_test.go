package nodeloop

import (
	"testing"
	"unsafe"
)

// Requests of one type come from one block until it is used up, requests of
// another type from a block of their own, and a finished request keeps neither its
// functions nor its results, which its block would keep alive with it.
func TestRequestSlab(t *testing.T) {
	l, err := New(WithWorkers(1))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var got []int
	done := func(v int, err error) {
		if err != nil {
			t.Errorf("done: %v", err)
		}
		got = append(got, v)
	}
	var ints []*workRequest[int]
	var strs []*workRequest[string]
	err = l.Run(func() {
		for range reqSinglesMax {
			Work(l, func() (bool, error) { return true, nil }, func(bool, error) {})
		}
		for i := range 50 {
			ints = append(ints, reqOf[int](Work(l, func() (int, error) { return i, nil }, done)))
			strs = append(strs, reqOf[string](Work(l, func() (string, error) { return "x", nil }, func(string, error) {})))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 50 {
		t.Fatalf("%d done callbacks ran, want 50", len(got))
	}
	perSlab := (reqSlabMinBytes - mallocHeaderBytes) / int(unsafe.Sizeof(workRequest[int]{}))
	for i := 1; i < perSlab; i++ {
		if ints[i] != &(*[2]workRequest[int])(unsafe.Pointer(ints[i-1]))[1] {
			t.Fatalf("request %d is not next to request %d in its block", i, i-1)
		}
	}
	for i, w := range ints {
		if w.work != nil || w.done != nil || w.v != 0 || w.job.Err != nil {
			t.Fatalf("finished request %d still holds its work %v, done %v, or results %v, %v", i, w.work != nil, w.done != nil, w.v, w.job.Err)
		}
	}
	for i, w := range strs {
		if w.work != nil || w.done != nil || w.v != "" {
			t.Fatalf("finished string request %d still holds its functions or result", i)
		}
	}
}

// reqOf returns the workRequest r is the Request of.
func reqOf[T any](r *Request) *workRequest[T] { return (*workRequest[T])(unsafe.Pointer(r)) }

// TestRequestSize pins the size of Work's request of a word-sized result, which sets
// how many fit in a block and the memory a burst of requests takes: a field added to
// Request or Job must pay for itself elsewhere.
func TestRequestSize(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("precondition: a 64-bit platform")
	}
	if got, want := unsafe.Sizeof(workRequest[int]{}), uintptr(120); got != want {
		t.Fatalf("Work's request of an int takes %d bytes, want %d", got, want)
	}
	if off := unsafe.Offsetof(Request{}.job); off != 0 {
		t.Fatalf("a Request's job is at offset %d, want 0: a job finds its request at its own address", off)
	}
	var c reqSlabs
	size := unsafe.Sizeof(workRequest[int]{})
	for i, want := range []int{34, 68, 136, 273, 546, 546} {
		if got := c.blockLen(size); got != want {
			t.Fatalf("block %d holds %d requests of an int, want %d", i, got, want)
		}
	}
}

// Handles lists every request in flight, those allocated alone and those of blocks,
// of every type, and none once their done callbacks ran.
func TestRequestHandles(t *testing.T) {
	l, err := New(WithWorkers(1))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	const n = 3 * reqSinglesMax
	var ids []uint64
	err = l.Run(func() {
		release := make(chan struct{})
		Work(l, func() (int, error) { <-release; return 0, nil }, func(int, error) {}) // holds the worker
		for i := range n {
			if i%2 == 0 {
				ids = append(ids, Work(l, func() (int, error) { return i, nil }, func(int, error) {}).ID())
			} else {
				ids = append(ids, Work(l, func() (string, error) { return "", nil }, func(string, error) {}).ID())
			}
		}
		var got []uint64
		for _, h := range l.Handles() {
			if h.Kind == "request" {
				got = append(got, h.ID)
			}
		}
		if len(got) != n+1 {
			t.Errorf("Handles lists %d requests, want %d", len(got), n+1)
		}
		for i, id := range ids {
			if i+1 >= len(got) || got[i+1] != id {
				t.Errorf("Handles' request %d: %v, want id %d", i+1, got, id)
				break
			}
		}
		close(release)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range l.Handles() {
		if h.Kind == "request" {
			t.Fatalf("Handles lists request %d after every done callback ran", h.ID)
		}
	}
	if len(l.reqSlabs.blocks) > reqSlabTypes {
		t.Fatalf("%d blocks kept with nothing in flight, want at most the %d open ones", len(l.reqSlabs.blocks), reqSlabTypes)
	}
}

// touchPages maps a block's pages and leaves the zeros it holds; populatePages, where
// the system has it, leaves any contents as they were, from a start inside a page,
// as a block's items start after the allocator's header.
func TestTouchPagesKeepsContents(t *testing.T) {
	for _, n := range []int{100, 3 * touchPagesBytes, reqSlabMaxBytes} {
		fresh := make([]byte, n)
		touchPages(unsafe.Pointer(&fresh[0]), uintptr(n))
		for i, b := range fresh {
			if b != 0 {
				t.Fatalf("%d fresh bytes: byte %d is %d after touchPages, want 0", n, i, b)
			}
		}
		buf := make([]byte, n+16)
		for i := range buf {
			buf[i] = byte(i%251 + 1)
		}
		populated := populatePages(unsafe.Pointer(&buf[8]), uintptr(n))
		for i := range buf {
			if want := byte(i%251 + 1); buf[i] != want {
				t.Fatalf("%d bytes: byte %d is %d after populatePages (%v), want %d", n, i, buf[i], populated, want)
			}
		}
		t.Logf("%d bytes: populated in one call: %v", n, populated)
	}
}
