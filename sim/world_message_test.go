package sim_test

import (
	"bytes"
	"testing"

	"github.com/nodeloop/nodeloop/sim"
	"github.com/nodeloop/nodeloop/traces"
)

// A world's trace has a message event for every message between its hosts: the
// connection request and its answer, each byte of data in the direction it went,
// sent before it arrived, and numbered once each.
func TestWorldTraceHasItsMessages(t *testing.T) {
	for seed := range uint64(10) {
		res, trace, _ := twoHosts(t, sim.Config{Seed: seed})
		if res.Failed() {
			t.Fatalf("seed %d: %v", seed, res)
		}
		_, events, err := traces.Decode(bytes.NewReader(trace))
		if err != nil {
			t.Fatal(err)
		}
		bytesTo := map[string]int{}
		segs := map[string]int{}
		ids := map[uint64]bool{}
		for _, e := range events {
			if e.Kind != traces.KindMessage {
				continue
			}
			switch {
			case e.Host != "":
				t.Fatalf("seed %d: message %d names host %q; it is the world's own", seed, e.ID, e.Host)
			case e.From == e.To || (e.From != "server" && e.From != "client") || (e.To != "server" && e.To != "client"):
				t.Fatalf("seed %d: message %d went from %q to %q", seed, e.ID, e.From, e.To)
			case e.Sent > e.Time:
				t.Fatalf("seed %d: message %d arrived at %v, before it was sent at %v", seed, e.ID, e.Time, e.Sent)
			case e.ID == 0 || ids[e.ID]:
				t.Fatalf("seed %d: message id %d is 0 or seen twice", seed, e.ID)
			}
			ids[e.ID] = true
			bytesTo[e.To] += e.Bytes
			segs[e.From+">"+e.Segment]++
		}
		// ping1; ping2; ping3; and each answered by pong and the ping.
		if bytesTo["server"] != 18 || bytesTo["client"] != 33 {
			t.Fatalf("seed %d: %d bytes went to the server and %d to the client; want 18 and 33", seed, bytesTo["server"], bytesTo["client"])
		}
		if segs["client>connect"] != 1 || segs["server>accept"] != 1 || segs["client>fin"] != 1 {
			t.Fatalf("seed %d: the segments were %v; want one connect, accept and fin", seed, segs)
		}
	}
}
