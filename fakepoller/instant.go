package fakepoller

import "time"

// instant is a virtual instant as the poller computes with it: d, the time since the
// origin of its clock (fakeclock.Clock.Origin), which every Poller of one timeline
// shares, so that the path every simulated packet takes adds and compares integers
// rather than time.Time's.
//
// far holds the instant itself when it is not the origin's Add(d): when it is
// further from the origin than a Duration reaches (d is then saturated, and the
// instants of one saturated d order by far), or in another location or with
// another monotonic reading than the origin's. Instants order by their wall clock
// readings, as their seconds and nanoseconds since the Unix epoch do.
type instant struct {
	d   time.Duration
	far *time.Time
}

// saturated reports whether d is one of the two Durations time.Time.Sub saturates to,
// which name no instant alone.
func saturated(d time.Duration) bool { return d^(d>>63) == 1<<63-1 }

// before reports whether a is earlier than b.
func (a instant) before(b instant) bool {
	if a.d == b.d && saturated(a.d) {
		return farBefore(a.far, b.far)
	}
	return a.d < b.d
}

// farBefore is before for two instants of the same saturated Duration.
//
//go:noinline
func farBefore(a, b *time.Time) bool { return wallBefore(*a, *b) }

// wallBefore reports whether a's wall clock reading is earlier than b's, monotonic
// readings and locations aside.
func wallBefore(a, b time.Time) bool {
	if as, bs := a.Unix(), b.Unix(); as != bs {
		return as < bs
	}
	return a.Nanosecond() < b.Nanosecond()
}

// instantOf returns t as an instant of p's timeline.
func (p *Poller) instantOf(t time.Time) instant {
	o := p.clock.Origin()
	d := t.Round(0).Sub(o.Round(0)) // the wall clocks' difference, saturated
	if !saturated(d) && o.Add(d) == t {
		return instant{d: d}
	}
	far := t // only this branch's copy escapes
	return instant{d: d, far: &far}
}

// timeOf returns the instant i as a time.Time.
func (p *Poller) timeOf(i instant) time.Time {
	if i.far != nil {
		return *i.far
	}
	return p.clock.Origin().Add(i.d)
}

// now returns the clock's reading.
func (p *Poller) now() instant {
	d, exact := p.clock.Elapsed()
	if !exact {
		return p.farNow()
	}
	return instant{d: d}
}

// farNow is now for a clock whose reading is not its origin's Add(d).
//
//go:noinline
func (p *Poller) farNow() instant { return p.instantOf(p.clock.Now()) }

// later returns the clock's reading plus d, as time.Time.Add computes it: add(now(),
// d) with one call fewer on the path of every message.
func (p *Poller) later(d time.Duration) instant {
	if now, exact := p.clock.Elapsed(); exact {
		if s := now + d; (s >= now) == (d >= 0) && !saturated(s) {
			return instant{d: s}
		}
	}
	return p.add(p.now(), d)
}

// add returns i+d, as time.Time.Add computes it.
func (p *Poller) add(i instant, d time.Duration) instant {
	if i.far == nil {
		if s := i.d + d; (s >= i.d) == (d >= 0) && !saturated(s) {
			return instant{d: s}
		}
	}
	return p.instantOf(p.timeOf(i).Add(d))
}

// setClock moves the clock to i, which is not before its reading.
func (p *Poller) setClock(i instant) {
	if i.far != nil {
		p.clock.Set(*i.far)
		return
	}
	p.clock.SetElapsed(i.d)
}
