package fakepoller

import "github.com/nodeloop/nodeloop/poller"

// TryWrite implements poller.TryWriter: it writes at once what the simulated send
// buffer has room for, as a system's socket takes what fits. It draws the faults a
// Write's start and its pieces draw (a reset, a short write), so a program that
// writes this way meets them as often; it writes nothing, and returns 0, on a reset,
// with no room, on a socket that is not a connected one, whose write side is shut
// or that has a Write in flight. A Write started next meets what stopped it.
func (p *Poller) TryWrite(id poller.Socket, b []byte) int {
	if p.closed || len(b) == 0 {
		return 0
	}
	s, err := p.lookup(id)
	if err != nil || s.listener || s.closed || s.reset || s.shut || s.peer == nil || !s.established || s.ops[poller.Write] != nil {
		return 0
	}
	if Chance(p.choices, "fault.reset", p.opts.Faults.Reset) {
		p.abort(s)
		return 0
	}
	n := min(p.opts.BufferBytes-s.tx.transit.len()-s.tx.arrived.len(), len(b))
	if n <= 0 {
		return 0
	}
	if n > 1 && Chance(p.choices, "fault.write.short", p.opts.Faults.ShortWrite) {
		n -= 1 + p.choices.Choose("net.write.size", n-1) // 0: one byte short, the mildest
	}
	s.tx.transit.push(b[:n])
	p.sendData(s.tx, s.peer, n)
	return n
}
