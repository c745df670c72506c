package sim

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/netip"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/internal/loopstate"
)

// ClockSkew is how a host's wall clock disagrees with the world's time, as a real
// machine's does: an offset, a drift, and steps (an NTP correction, an operator
// setting the date). It bends only what WallClock reads; the host's timers and its
// loop's Now keep the world's monotonic time. Its zero value is a wall clock that
// agrees with the world's.
type ClockSkew struct {
	// Offset is how far ahead of the world's time (behind, if negative) the wall
	// clock reads at the start.
	Offset time.Duration
	// MaxOffset, if not zero, adds to Offset one drawn from -MaxOffset to
	// MaxOffset in whole milliseconds at the host's first reading ("clock.offset";
	// 0, the calm option, adds nothing, and then 1 ms, -1 ms, 2 ms, … in turn).
	MaxOffset time.Duration
	// DriftPPM is how many parts per million of the elapsed time the wall clock
	// gains (loses, if negative); above -1,000,000, so that it still goes forward.
	DriftPPM float64
	// MaxDriftPPM, if not zero, adds to DriftPPM one drawn from -MaxDriftPPM to
	// MaxDriftPPM in whole parts per million at the host's first reading
	// ("clock.drift", in the order MaxOffset's draw takes).
	MaxDriftPPM int
	// Jumps is the probability that a reading finds the clock stepped
	// ("fault.clock.jump"), by a step drawn from -MaxJump to MaxJump in whole
	// milliseconds ("clock.jump", in the order MaxOffset's draw takes); the steps
	// add up.
	Jumps   float64
	MaxJump time.Duration

	_ struct{}
}

// validate says what is wrong with s, naming its host.
func (s ClockSkew) validate(host string) error {
	switch {
	case s.MaxOffset < 0 || s.MaxJump < 0 || s.MaxDriftPPM < 0:
		return fmt.Errorf("sim: host %s: clock skew bounds must not be negative", host)
	case !(s.DriftPPM > -1e6) || math.IsInf(s.DriftPPM, 0):
		return fmt.Errorf("sim: host %s: clock drift %v ppm: want a number above -1000000", host, s.DriftPPM)
	case s.DriftPPM-float64(s.MaxDriftPPM) <= -1e6:
		return fmt.Errorf("sim: host %s: clock drift %v ± %d ppm can reach -1000000; the clock must go forward", host, s.DriftPPM, s.MaxDriftPPM)
	case s.Jumps > 0 && s.MaxJump == 0:
		return fmt.Errorf("sim: host %s: clock jumps with a MaxJump of 0; give the largest step", host)
	}
	if err := fakepoller.CheckProbability(s.Jumps); err != nil {
		return fmt.Errorf("sim: host %s: clock jumps: %w", host, err)
	}
	return nil
}

// HostOptions configure one host of a World.
type HostOptions struct {
	// Clock is how the host's wall clock disagrees with the world's time.
	Clock ClockSkew
	// Disk, if not nil, is the host's disk as the world starts, what its loop's
	// file operations see: the host works on a copy, drawing from the world's
	// choices and injecting Config.Faults.Disk, and leaves it in HostResult.Disk,
	// as Run does with Config.FS. Nil means the OS's files, which a deterministic
	// program should not touch.
	Disk *Disk

	_ struct{}
}

// hostState is what a host of a World keeps on its loop: its name, the network, its
// wall clock.
type hostState struct {
	name  string
	net   *fakepoller.Network
	skew  ClockSkew
	drawn bool          // the offset and drift were drawn
	shift time.Duration // the offset, drawn part included, and every step so far
	drift float64       // ppm, drawn part included
	// calm is shared by the hosts of a world: set when its faults stopped
	// (Liveness), after which Buggify fires nowhere and no clock jumps.
	calm *bool
}

// calmNow reports whether the faults of h's world have stopped; h may be nil.
func (h *hostState) calmNow() bool { return h != nil && *h.calm }

// WallClock returns the wall-clock time of the machine l runs on: what Date.now
// reads in JavaScript, time.Now without its monotonic reading in Go. In a simulated
// run it starts at fakeclock.Epoch and follows the virtual time; on a host of a
// World it is bent as the host's ClockSkew says (an offset, a drift, steps drawn as
// choices of the run), while the host's timers and Loop.Now keep the world's
// monotonic time. So a program that orders events by wall clock across hosts meets
// the disagreements of real machines. On a loop that is not simulated it is the
// operating system's time.Now, stripped of its monotonic reading. Call it on the
// loop's goroutine; a nil loop panics.
func WallClock(l *nodeloop.Loop) time.Time {
	if l == nil {
		panic("nodeloop: sim.WallClock(nil); pass the loop the program runs on")
	}
	w, ok := loopstate.Get(l).(*world)
	if !ok {
		return time.Now().Round(0)
	}
	h := w.host
	if h == nil {
		return w.clock.Now()
	}
	elapsed := w.clock.Now().Sub(fakeclock.Epoch)
	if !h.drawn {
		h.drawn = true
		h.shift = h.skew.Offset + zigzag(w.choices, "clock.offset", int64(h.skew.MaxOffset/time.Millisecond))*time.Millisecond
		h.drift = h.skew.DriftPPM + float64(zigzag(w.choices, "clock.drift", int64(h.skew.MaxDriftPPM)))
	}
	if !h.calmNow() && fakepoller.Chance(w.choices, "fault.clock.jump", h.skew.Jumps) {
		h.shift += zigzag(w.choices, "clock.jump", int64(h.skew.MaxJump/time.Millisecond)) * time.Millisecond
	}
	gained := time.Duration(math.Round(float64(elapsed) * h.drift / 1e6))
	return fakeclock.Epoch.Add(elapsed + gained + h.shift)
}

// zigzag draws a whole number from -max to max named what, option 0 meaning 0 and
// then 1, -1, 2, -2, … so that the calm draw is no change and shrinking approaches
// it from both sides. A max of 0 draws nothing.
func zigzag(c fakepoller.Choices, what string, max int64) time.Duration {
	if max <= 0 {
		return 0
	}
	n := 2*max + 1
	if n > math.MaxInt32 {
		n = math.MaxInt32 // a bound of more than 34 years of milliseconds is cut there
	}
	k := int64(c.Choose(what, int(n)))
	if k%2 == 1 {
		return time.Duration((k + 1) / 2)
	}
	return time.Duration(-k / 2)
}

// HostOf returns the name of the host of a World whose address addr is (a
// connection's RemoteAddr, say: the hosts' addresses are 10.0.x.y, in the order
// they were added), and false when addr is no host's or l is not a host of a World.
func HostOf(l *nodeloop.Loop, addr net.Addr) (string, bool) {
	if l == nil {
		panic("nodeloop: sim.HostOf(nil, addr); pass the loop the program runs on")
	}
	w, ok := loopstate.Get(l).(*world)
	if !ok || w.host == nil || addr == nil {
		return "", false
	}
	var ip netip.Addr
	switch a := addr.(type) {
	case *net.TCPAddr:
		ip, _ = netip.AddrFromSlice(a.IP)
	default:
		ap, err := netip.ParseAddrPort(addr.String())
		if err != nil {
			return "", false
		}
		ip = ap.Addr()
	}
	if ip.IsLoopback() {
		return w.host.name, true
	}
	return w.host.net.HostAt(ip)
}

// errNoHosts is Run's error for a world with no host.
var errNoHosts = errors.New("sim: a world needs at least one host; add them with World.Host")
