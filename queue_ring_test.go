package nodeloop

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// The ring keeps its elements in order through growth and wrap-around: a random walk
// of pushes, pops from either end and reads, checked at every step against a slice.
func TestQueueAgainstSlice(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 10))
	var q queue[int]
	var want []int
	next := 0
	for step := range 20_000 {
		switch op := r.IntN(10); {
		case op < 5 || len(want) == 0:
			q.push(next)
			want = append(want, next)
			next++
		case op < 8:
			if got := q.front(); got != want[0] {
				t.Fatalf("step %d: front() = %d, want %d", step, got, want[0])
			}
			if got := q.pop(); got != want[0] {
				t.Fatalf("step %d: pop() = %d, want %d", step, got, want[0])
			}
			want = want[1:]
		default:
			if got := q.popBack(); got != want[len(want)-1] {
				t.Fatalf("step %d: popBack() = %d, want %d", step, got, want[len(want)-1])
			}
			want = want[:len(want)-1]
		}
		if q.len() != len(want) {
			t.Fatalf("step %d: len() = %d, want %d", step, q.len(), len(want))
		}
		var got []int
		for i := range q.len() {
			got = append(got, q.at(i))
		}
		if !slices.Equal(got, want) {
			t.Fatalf("step %d: holds %v, want %v", step, got, want)
		}
	}
}

// A queue that never empties does not grow beyond what it holds at most, and pushing
// and popping in steady state allocate nothing.
func TestQueueSteadyState(t *testing.T) {
	var q queue[*int]
	v := new(int)
	for range 100 {
		q.push(v)
	}
	room := len(q.buf)
	allocs := testing.AllocsPerRun(1000, func() {
		q.push(v)
		q.pop()
	})
	if allocs != 0 || len(q.buf) != room {
		t.Fatalf("a push and a pop on a queue of 100: %v allocations and room %d, want 0 and %d", allocs, len(q.buf), room)
	}
	for q.len() > 0 {
		q.pop()
	}
	for i, p := range q.buf {
		if p != nil {
			t.Fatalf("slot %d still holds a popped element", i)
		}
	}
}
