package fakepoller

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/nodeloop/nodeloop/poller"
)

// The socket table finds every open socket by its handle and no closed or unknown
// one, whichever place in near the handles fall in, and holds none of those closed.
func TestSockTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var tab sockTable
	open := map[poller.Socket]*sock{} // the model
	var last poller.Socket
	for step := range 20000 {
		switch {
		case len(open) == 0 || rng.IntN(2) == 0 && len(open) < 500:
			last++
			s := &sock{}
			s.id = last
			tab.put(s)
			open[s.id] = s
		default:
			ids := make([]poller.Socket, 0, len(open))
			for id := range open {
				ids = append(ids, id)
			}
			slices.Sort(ids)
			s := open[ids[rng.IntN(len(ids))]]
			tab.remove(s)
			tab.remove(s) // twice: it stays absent
			delete(open, s.id)
		}
		probe := poller.Socket(rng.IntN(int(last) + 2))
		if got, want := tab.get(probe), open[probe]; got != want {
			t.Fatalf("step %d: get(%d) = %p, want %p", step, probe, got, want)
		}
	}
	all := tab.all(nil)
	slices.SortFunc(all, func(a, b *sock) int { return cmp.Compare(a.id, b.id) })
	if len(all) != len(open) {
		t.Fatalf("all() has %d sockets, want the %d open", len(all), len(open))
	}
	for _, s := range all {
		if open[s.id] != s {
			t.Fatalf("all() has socket %d, which is not open", s.id)
		}
	}
	for _, s := range all {
		tab.remove(s)
	}
	if n := len(tab.rest); n != 0 {
		t.Fatalf("with every socket closed, rest holds %d", n)
	}
	if got := tab.all(nil); len(got) != 0 {
		t.Fatalf("with every socket closed, all() = %d sockets", len(got))
	}
	for id := range last + 2 {
		if s := tab.get(id); s != nil {
			t.Fatalf("with every socket closed, get(%d) found one", id)
		}
	}
	tab.put(&sock{})
	tab.clear()
	if s := tab.get(0); s != nil {
		t.Fatal("after clear, get(0) found a socket")
	}
}
