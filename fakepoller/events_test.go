package fakepoller

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop/fakeclock"
)

// TestEventQueueOrder pushes and pops events in a mixed order and checks that they
// come out as a sort by (at, seq) puts them, at their instants' wall clock readings:
// those a Duration from the origin names, and those further than it reaches, before
// and after, which share a saturated Duration.
func TestEventQueueOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	p := New(fakeclock.New())
	farPast := fakeclock.Epoch.AddDate(-400, 0, 0)
	farFuture := fakeclock.Epoch.AddDate(400, 0, 0)
	type pushed struct {
		at  time.Time
		seq uint64
	}
	q := newEventQueue()
	var pending, got []pushed
	seq := uint64(0)
	for range 5000 {
		if rng.IntN(3) != 0 || q.Len() == 0 {
			seq++
			var at time.Time
			switch d := time.Duration(rng.IntN(50)) * time.Millisecond; rng.IntN(4) {
			case 0:
				at = farPast.Add(d)
			case 1:
				at = farFuture.Add(d)
			default:
				at = fakeclock.Epoch.Add(d)
			}
			q.Push(p.instantOf(at), seq, event{})
			pending = append(pending, pushed{at, seq})
			continue
		}
		i, ok := q.Min()
		if !ok {
			t.Fatal("Min found nothing in a queue of", q.Len())
		}
		k, _ := q.minKey()
		e := pushed{p.timeOf(i), k.seq}
		q.DeleteMin()
		got = append(got, e)
		first := slices.MinFunc(pending, func(a, b pushed) int {
			if c := a.at.Compare(b.at); c != 0 {
				return c
			}
			return cmp.Compare(a.seq, b.seq)
		})
		pending = slices.DeleteFunc(pending, func(x pushed) bool { return x.seq == first.seq })
		if e.seq != first.seq || e.at != first.at {
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
