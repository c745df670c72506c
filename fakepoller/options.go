package fakepoller

import (
	"fmt"
	"reflect"
	"time"
)

// Limits and defaults of the simulated network.
const (
	// DefaultBufferBytes is the capacity of each direction of a connection when
	// Options.BufferBytes is 0: bytes written and not yet read by the peer, in
	// flight and arrived together. A larger write is accepted in parts as the peer
	// reads, as a kernel's socket buffers make it.
	DefaultBufferBytes = 64 << 10
	// latencyStep is the granularity of drawn latencies: a latency between
	// MinLatency and MaxLatency is one of the multiples of it in that range.
	latencyStep = time.Microsecond
	// backlogConnsMax is how many connections a listener holds that nobody has
	// accepted yet; a connection beyond it is refused.
	backlogConnsMax = 4096
	// ephemeralPortFirst and ephemeralPortLast bound the ports that Listen picks
	// for port 0 and that connecting sockets get, counting up and wrapping.
	ephemeralPortFirst = 32768
	ephemeralPortLast  = 60999
)

// Options configure a Poller's simulated network. The zero Options are a network
// with no latency, DefaultBufferBytes per direction, choices that always take the
// first option, and no faults.
type Options struct {
	// Choices decides every nondeterministic thing: latencies, the order of
	// simultaneous completions, read and write sizes, faults. Nil means First{}.
	Choices Choices
	// MinLatency and MaxLatency bound the time a message takes from one end of a
	// connection to the other: a connection request, its answer, each piece of
	// data, the end of a stream or a reset. Each message draws its latency in
	// [MinLatency, MaxLatency] in steps of a microsecond ("net.latency"); messages
	// of one direction still arrive in the order they were sent. Both zero means
	// every message arrives within the same virtual instant, at the next Wait.
	MinLatency, MaxLatency time.Duration
	// BufferBytes is the capacity of each direction of a connection; 0 means
	// DefaultBufferBytes.
	BufferBytes int
	// Silent lists addresses where no host answers a connection request: the
	// request is lost, as a SYN sent to a host that is down or behind a firewall
	// that drops it, and the Connect stays in flight until it is canceled, its
	// socket is closed, or ConnectTimeout passes. Each entry is "host:port", as
	// net.Dial takes an address, or a host alone for every port of it; a host is
	// an IP literal or localhost (both loopback addresses). A listener bound
	// there is never reached. Empty means every request is answered or refused;
	// NewWith rejects a malformed entry.
	Silent []string
	// ConnectTimeout is how long a Connect whose request nobody answers waits
	// before the system gives up on it, as a kernel's retransmissions of the SYN
	// do (Linux's take about 127 s): the Connect then fails with ETIMEDOUT. 0
	// means it waits until it is canceled or its socket is closed.
	ConnectTimeout time.Duration
	// Faults are the failures the network injects; the zero Faults inject none.
	Faults Faults

	_ struct{}
}

// Faults are the failures a simulated network injects, each a probability from 0
// (never, and no choice is drawn for it) to 1 (always) in steps of one in a million
// (ChanceResolution), with the latency of the faults that delay. The zero Faults
// inject none. Every float64 field is such a probability and every time.Duration
// field such a latency; NewWith checks them all.
type Faults struct {
	// Refused is the probability that a connection request reaching a listener is
	// refused anyway: the Connect fails with ECONNREFUSED ("fault.refused").
	Refused float64
	// Reset is the probability that a Read or Write started on an established
	// connection resets it instead ("fault.reset"): the operation, and the other
	// one in flight on the socket, fail with ECONNRESET, unread data is lost, and
	// the peer receives a reset.
	Reset float64
	// ShortRead is the probability that a Read returns fewer bytes than it could
	// ("fault.read.short"); how many fewer is drawn from Choices ("net.read.size"),
	// a draw of 0 being one byte short.
	ShortRead float64
	// ShortWrite is the probability that the network takes a piece of a Write
	// smaller than it has room for ("fault.write.short"); how many bytes fewer is
	// drawn from Choices ("net.write.size"), a draw of 0 being one byte short. The
	// Write still finishes once, when all of its buffer is taken; the peer sees the
	// data arrive in more pieces.
	ShortWrite float64
	// Spike is the probability that a message is delayed by SpikeLatency on top
	// of its drawn latency ("fault.spike").
	Spike float64
	// SpikeLatency is the extra latency of a spike.
	SpikeLatency time.Duration
	// LateWake is the probability that a Wait whose timeout passed returns late
	// ("fault.wake.late"), by up to LateWakeLatency ("wake.late"), as an
	// overloaded machine wakes a sleeping thread late: timers then fire late.
	LateWake float64
	// LateWakeLatency bounds how late.
	LateWakeLatency time.Duration

	_ struct{}
}

// validate reports the first setting of o that makes no sense.
func (o *Options) validate() error {
	switch {
	case o.MinLatency < 0 || o.MaxLatency < 0:
		return fmt.Errorf("fakepoller: latency bounds %v..%v: want durations >= 0", o.MinLatency, o.MaxLatency)
	case o.MaxLatency < o.MinLatency:
		return fmt.Errorf("fakepoller: MaxLatency %v is below MinLatency %v", o.MaxLatency, o.MinLatency)
	case o.BufferBytes < 0:
		return fmt.Errorf("fakepoller: BufferBytes %d: want 0 (the default) or more", o.BufferBytes)
	case o.ConnectTimeout < 0:
		return fmt.Errorf("fakepoller: ConnectTimeout %v: want 0 (never) or more", o.ConnectTimeout)
	}
	if _, err := parseSilent(o.Silent); err != nil {
		return err
	}
	return o.Faults.validate()
}

// validate reports the first fault setting that makes no sense. Every float64 field
// of Faults is a probability and every time.Duration field a latency, so a fault is
// checked as soon as its field is declared, with no list to keep in step.
func (f *Faults) validate() error {
	if *f == (Faults{}) {
		return nil // no fault, every setting valid: a simulated run's usual case
	}
	v := reflect.ValueOf(f).Elem()
	for i := range v.NumField() {
		field := v.Type().Field(i)
		switch {
		case !field.IsExported():
		case field.Type == reflect.TypeFor[time.Duration]():
			if d := time.Duration(v.Field(i).Int()); d < 0 {
				return fmt.Errorf("fakepoller: Faults.%s = %v: want a duration >= 0", field.Name, d)
			}
		case field.Type.Kind() == reflect.Float64:
			if err := CheckProbability(v.Field(i).Float()); err != nil {
				return fmt.Errorf("fakepoller: Faults.%s: %w", field.Name, err)
			}
		default:
			panic("nodeloop: fakepoller.Faults." + field.Name + " is neither a probability (float64) nor a latency (time.Duration); give it one of those types")
		}
	}
	return nil
}
