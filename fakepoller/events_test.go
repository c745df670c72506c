package fakepoller

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestEventQueueOrder pushes and pops events in a mixed order and checks that they
// come out as a sort by (at, seq) puts them.
func TestEventQueueOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	base := time.Unix(0, 0)
	q := newEventQueue()
	var pending, got []event
	seq := uint64(0)
	for range 5000 {
		if rng.IntN(3) != 0 || q.Len() == 0 {
			seq++
			e := event{at: base.Add(time.Duration(rng.IntN(50)) * time.Millisecond), seq: seq}
			q.Push(e)
			pending = append(pending, e)
			continue
		}
		e, ok := q.Min()
		if !ok {
			t.Fatal("Min found nothing in a queue of", q.Len())
		}
		q.DeleteMin()
		got = append(got, e)
		first := slices.MinFunc(pending, func(a, b event) int {
			if c := a.at.Compare(b.at); c != 0 {
				return c
			}
			return cmp.Compare(a.seq, b.seq)
		})
		pending = slices.DeleteFunc(pending, func(x event) bool { return x.seq == first.seq })
		if e.seq != first.seq {
			t.Fatalf("pop %d: got event %d at %v, want %d at %v", len(got), e.seq, e.at, first.seq, first.at)
		}
	}
	if q.Len() != len(pending) {
		t.Fatalf("Len = %d, want %d", q.Len(), len(pending))
	}
	q.Clear()
	if _, ok := q.Min(); ok || q.Len() != 0 {
		t.Fatalf("after Clear: Len %d", q.Len())
	}
}
