package sim

import (
	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/traces"
)

// message puts the arrival of m, a message between two hosts, into the trace as a
// message event of the world's own, for tools that draw it from its send on one
// host to its receipt on the other.
func (wr *worldRun) message(m fakepoller.Message) {
	wr.seq++
	e := traces.Event{Seq: wr.seq, Kind: traces.KindMessage, ID: m.ID, Time: wr.clock.Now().Sub(fakeclock.Epoch),
		Bytes: m.Bytes, From: m.From, To: m.To, Sent: m.Sent.Sub(fakeclock.Epoch), Segment: m.Segment}
	wr.emit(&e)
}

// tracing reports whether anything takes the world's events.
func (wr *worldRun) tracing() bool {
	return wr.out != nil || wr.cfg.Tracer != nil || wr.cfg.KeepTrace
}
