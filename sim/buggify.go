package sim

import (
	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/internal/loopstate"
)

// The probabilities of Buggify, FoundationDB's: a site is enabled in one run of four,
// and an enabled site fires at one reach of four.
const (
	BuggifyEnabled = 0.25
	BuggifyFires   = 0.25
)

// Buggify reports whether the program should misbehave at the place it names site,
// so that a program can inject the faults only it knows how to make (a slow path
// taken, a cache dropped, a message sent twice), FoundationDB's way. The first time a
// simulated run reaches site it decides once whether the site is enabled for the
// whole run, with probability BuggifyEnabled, as the choice "buggify.<site>.on"; then
// every reach of an enabled site fires with probability BuggifyFires, as the choice
// "buggify.<site>". Both are labelled choices of the run, seeded, logged, replayed
// and shrunk as every other; option 0 of each is the calm one (the site disabled, the
// reach not firing), so a failure shrinks towards the fewest sites and firings that
// still make it. A site of a host of a World is that host's own: each host decides
// its sites for itself. Once a world in liveness mode stopped its faults, Buggify
// is false and draws nothing.
//
// On a loop that is not simulated, Buggify returns false, always, and draws nothing:
// a real run misbehaves only where the world makes it. Call it on the loop's
// goroutine, as every method of the loop; a nil loop panics.
func Buggify(l *nodeloop.Loop, site string) bool {
	if l == nil {
		panic("nodeloop: sim.Buggify(nil, …); pass the loop the program runs on")
	}
	w, ok := loopstate.Get(l).(*world)
	if !ok || w.host.calmNow() {
		return false
	}
	on, seen := w.buggify[site]
	if !seen {
		on = fakepoller.Chance(w.choices, "buggify."+site+".on", BuggifyEnabled)
		if w.buggify == nil {
			w.buggify = map[string]bool{} // looked up, never iterated
		}
		w.buggify[site] = on
	}
	return on && fakepoller.Chance(w.choices, "buggify."+site, BuggifyFires)
}
