package sim

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/nodeloop/nodeloop/fakepoller"
)

// Faults are the failures a simulated world injects: those of its network, options of
// the fake poller, those of its pool, options of the simulated Pool, those of its
// disk, options of a simulated Disk (which apply when Config.FS is one), and those of
// a World of several hosts, its crashes, partitions and clogs (which a run of one
// loop does not inject). Each is a
// probability from 0 (never, and no choice is drawn for it) to 1 (always) in steps of
// one in a million, some with a latency. The zero Faults inject none.
//
// ParseFaults reads them as the command line spells them and String writes them so;
// KnownFaults lists them, with what each does.
type Faults struct {
	// Network are the network's faults: refused connections, resets, short reads
	// and writes, latency spikes, late wake-ups.
	Network fakepoller.Faults
	// Pool are the pool's faults: slow and failed jobs.
	Pool PoolFaults
	// Disk are the simulated disk's faults: EIO, ENOSPC, short writes.
	Disk DiskFaults
	// World are the faults of a world of several hosts (sim.World): crashes.
	World WorldFaults

	_ struct{}
}

// WorldFaults are the faults of a world of several hosts, which a run of one loop
// does not inject.
type WorldFaults struct {
	// Crash is the probability that a host crashes once in a run (World.Crash),
	// at a time up to CrashLatency from the start, and restarts (World.Restart)
	// up to CrashLatency after.
	Crash        float64
	CrashLatency time.Duration
	// Partition is the probability that a host is partitioned from every other
	// host once in a run (World.Partition), both ways or one way, at a time up to
	// PartitionLatency from the start, healing up to PartitionLatency after.
	Partition        float64
	PartitionLatency time.Duration
	// Clog is the probability that the links from a host to every other host are
	// clogged (World.Clog) for the whole run, each message along them delayed by
	// a latency drawn up to ClogLatency.
	Clog        float64
	ClogLatency time.Duration

	_ struct{}
}

// Fault describes one fault a simulated world knows.
type Fault struct {
	// Name is how ParseFaults, String and a trace's header spell the fault.
	Name string
	// Doc says what the fault does.
	Doc string
	// Choice is the decision that draws whether the fault strikes.
	Choice string
	// Probability is the probability the name alone sets ("reset" or "all").
	Probability float64
	// Latency is the latency the name alone sets with it; 0 for a fault that
	// delays nothing.
	Latency time.Duration
}

// faultRow is one fault of the table: its description and where it is set on the
// fakes.
type faultRow struct {
	Fault
	prob func(*Faults) *float64
	lat  func(*Faults) *time.Duration // nil when the fault has no latency
}

// defaultProbability is what a fault named without "=P" gets.
const defaultProbability = 0.05

// faultTable is every fault, in the order ParseFaults, String, the header and swarm
// mode take them. Adding a fault is a row here and its mechanism in the fake that
// injects it, under Faults.Network, Faults.Pool or Faults.Disk.
var faultTable = [...]faultRow{
	{Fault{"refused", "a connection request reaching a listener is refused (ECONNREFUSED)", "fault.refused", defaultProbability, 0},
		func(f *Faults) *float64 { return &f.Network.Refused }, nil},
	{Fault{"reset", "a read or write on an established connection resets it (ECONNRESET)", "fault.reset", defaultProbability, 0},
		func(f *Faults) *float64 { return &f.Network.Reset }, nil},
	{Fault{"shortread", "a read returns fewer bytes than have arrived", "fault.read.short", defaultProbability, 0},
		func(f *Faults) *float64 { return &f.Network.ShortRead }, nil},
	{Fault{"shortwrite", "the network takes a smaller piece of a write than it has room for", "fault.write.short", defaultProbability, 0},
		func(f *Faults) *float64 { return &f.Network.ShortWrite }, nil},
	{Fault{"spike", "a network message is delayed by the latency on top of its own", "fault.spike", defaultProbability, 200 * time.Millisecond},
		func(f *Faults) *float64 { return &f.Network.Spike }, func(f *Faults) *time.Duration { return &f.Network.SpikeLatency }},
	{Fault{"latewake", "a wait whose timeout passed returns up to the latency late", "fault.wake.late", defaultProbability, 20 * time.Millisecond},
		func(f *Faults) *float64 { return &f.Network.LateWake }, func(f *Faults) *time.Duration { return &f.Network.LateWakeLatency }},
	{Fault{"slowjob", "a pool job takes up to the latency longer", "fault.job.slow", defaultProbability, 500 * time.Millisecond},
		func(f *Faults) *float64 { return &f.Pool.SlowJob }, func(f *Faults) *time.Duration { return &f.Pool.SlowJobLatency }},
	{Fault{"failjob", "a pool job fails: its work does not run, its callback gets ErrInjected (EIO)", "fault.job.fail", defaultProbability, 0},
		func(f *Faults) *float64 { return &f.Pool.FailJob }, nil},
	{Fault{"eio", "a read, write, append or sync of the simulated disk fails with EIO and changes nothing", "fault.disk.eio", defaultProbability, 0},
		func(f *Faults) *float64 { return &f.Disk.EIO }, nil},
	{Fault{"enospc", "a write or append to the simulated disk fails with ENOSPC and writes nothing", "fault.disk.nospc", defaultProbability, 0},
		func(f *Faults) *float64 { return &f.Disk.NoSpace }, nil},
	{Fault{"diskshort", "a write or append to the simulated disk writes only a first part of its data and fails (io.ErrShortWrite)", "fault.disk.short", defaultProbability, 0},
		func(f *Faults) *float64 { return &f.Disk.ShortWrite }, nil},
	{Fault{"crash", "a host of a world crashes once, at a time up to the latency, its peers seeing resets, and restarts up to the latency after", "fault.crash", defaultProbability, time.Second},
		func(f *Faults) *float64 { return &f.World.Crash }, func(f *Faults) *time.Duration { return &f.World.CrashLatency }},
	{Fault{"partition", "a host of a world is cut from every other, both ways or one way, at a time up to the latency, and heals up to the latency after", "fault.partition", defaultProbability, 2 * time.Second},
		func(f *Faults) *float64 { return &f.World.Partition }, func(f *Faults) *time.Duration { return &f.World.PartitionLatency }},
	{Fault{"clog", "the links from a host of a world to every other delay each message by up to the latency, for the whole run", "fault.clog", defaultProbability, 100 * time.Millisecond},
		func(f *Faults) *float64 { return &f.World.Clog }, func(f *Faults) *time.Duration { return &f.World.ClogLatency }},
}

// FaultNames are the names of the faults ParseFaults knows, in the order it lists
// them.
var FaultNames = faultNames()

func faultNames() []string {
	names := make([]string, len(faultTable))
	for i := range faultTable {
		names[i] = faultTable[i].Name
	}
	return names
}

// KnownFaults returns the faults ParseFaults knows, in the order of FaultNames.
func KnownFaults() []Fault {
	out := make([]Fault, len(faultTable))
	for i := range faultTable {
		out[i] = faultTable[i].Fault
	}
	return out
}

// lookupFault returns the index in faultTable of the fault called name, or -1.
func lookupFault(name string) int {
	for i := range faultTable {
		if faultTable[i].Name == name {
			return i
		}
	}
	return -1
}

// ParseFaults reads a comma-separated list of faults, each a name of FaultNames,
// optionally with "=P", its probability (default 0.05), and, for a fault with a
// latency, optionally ":LATENCY" after it (a time.ParseDuration string; the default
// is the fault's Latency in KnownFaults): "reset,spike=0.2:1s". "all" (or "all=P")
// is every fault at its default latency; "" and "none" are none. The list is read
// strictly: a probability that is not a number from 0 to 1 in steps of one in a
// million ("0.5xyz", "NaN", ""), an empty item, an unknown name, a fault set twice
// ("all" sets every fault) and a latency on a fault without one are errors that
// name the item.
func ParseFaults(list string) (Faults, error) {
	var f Faults
	if list == "" || list == "none" {
		return f, nil
	}
	var set [len(faultTable)]bool
	for i, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			return Faults{}, fmt.Errorf("sim: faults %q: item %d is empty", list, i+1)
		}
		name, val, hasVal := strings.Cut(item, "=")
		rows := []int{lookupFault(name)}
		switch {
		case name == "all":
			rows = rows[:0]
			for i := range faultTable {
				rows = append(rows, i)
			}
		case name == "none":
			return Faults{}, fmt.Errorf("sim: fault %q: none stands alone, it cannot be listed with other faults", item)
		case rows[0] < 0:
			return Faults{}, fmt.Errorf("sim: unknown fault %q (known: %s, all, none)", item, strings.Join(FaultNames, ", "))
		}
		p, pstr, lstr, hasLat := defaultProbability, "", "", false
		if hasVal {
			pstr, lstr, hasLat = strings.Cut(val, ":")
			var err error
			if p, err = strconv.ParseFloat(pstr, 64); err != nil {
				return Faults{}, fmt.Errorf("sim: fault %q: probability %q is not a number from 0 to 1", item, pstr)
			}
			if err := fakepoller.CheckProbability(p); err != nil {
				return Faults{}, fmt.Errorf("sim: fault %q: %w", item, err)
			}
		}
		var lat time.Duration
		if hasLat {
			if len(rows) != 1 || faultTable[rows[0]].lat == nil {
				return Faults{}, fmt.Errorf("sim: fault %q: only %s take a latency", item, latencyNames())
			}
			var err error
			if lat, err = time.ParseDuration(lstr); err != nil || lat < 0 {
				return Faults{}, fmt.Errorf("sim: fault %q: latency %q is not a duration >= 0 such as 200ms", item, lstr)
			}
		}
		for _, j := range rows {
			row := &faultTable[j]
			if set[j] {
				return Faults{}, fmt.Errorf("sim: fault %q: %s is already set in %q", item, row.Name, list)
			}
			set[j] = true
			*row.prob(&f) = p
			if row.lat != nil {
				*row.lat(&f) = row.Latency
				if hasLat {
					*row.lat(&f) = lat
				}
			}
		}
	}
	return f, nil
}

// latencyNames lists the faults that take a latency.
func latencyNames() string {
	var names []string
	for i := range faultTable {
		if faultTable[i].lat != nil {
			names = append(names, faultTable[i].Name)
		}
	}
	return strings.Join(names, ", ")
}

// String spells f as ParseFaults reads it, every fault it injects with its
// probability and, for a fault with one, its latency: "reset=0.05,spike=0.1:1s";
// "none" when it injects none. ParseFaults(f.String()) is f, but for the latency of
// a fault that is off, which matters to nothing.
func (f Faults) String() string {
	var b strings.Builder
	for i := range faultTable {
		row := &faultTable[i]
		p := *row.prob(&f)
		if p == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(row.Name)
		b.WriteByte('=')
		b.WriteString(strconv.FormatFloat(p, 'g', -1, 64))
		if row.lat != nil {
			b.WriteByte(':')
			b.WriteString(row.lat(&f).String())
		}
	}
	if b.Len() == 0 {
		return "none"
	}
	return b.String()
}

// validate reports the first fault of f that makes no sense: a probability outside
// 0..1 or finer than one in a million, a negative latency.
func (f Faults) validate() error {
	if f == (Faults{}) {
		return nil // no fault, and no copy of f on the heap for the table's accessors
	}
	return f.check()
}

// check is validate for faults that are not all zero.
func (f Faults) check() error {
	for i := range faultTable {
		row := &faultTable[i]
		if err := fakepoller.CheckProbability(*row.prob(&f)); err != nil {
			return fmt.Errorf("sim: fault %s: %w", row.Name, err)
		}
		if row.lat != nil {
			if d := *row.lat(&f); d < 0 {
				return fmt.Errorf("sim: fault %s: latency %v: want a duration >= 0", row.Name, d)
			}
		}
	}
	return nil
}

// none reports whether f injects no fault.
func (f Faults) none() bool {
	for i := range faultTable {
		if *faultTable[i].prob(&f) != 0 {
			return false
		}
	}
	return true
}

// Select returns the faults of f that keep keeps, each with its probability and
// latency. keep is asked once about each fault f injects, by name, in the order of
// FaultNames, and about no other: a swarm draw, say, that turns each fault on or
// off.
func (f Faults) Select(keep func(name string) bool) Faults {
	var out Faults
	for i := range faultTable {
		row := &faultTable[i]
		if p := *row.prob(&f); p == 0 || !keep(row.Name) {
			continue
		}
		*row.prob(&out) = *row.prob(&f)
		if row.lat != nil {
			*row.lat(&out) = *row.lat(&f)
		}
	}
	return out
}

// swarm draws the faults of one seed: each fault of base (or, when base injects
// none, every fault) is on or off and gets a probability from 0.1% to 20%, from a
// generator seeded by seed. A fault of base keeps its latency; one drawn from every
// fault gets its default latency.
func swarm(seed uint64, base Faults) Faults {
	rng := rand.New(rand.NewPCG(seed, seedStream^0xfa017))
	all := base.none()
	var f Faults
	for i := range faultTable {
		row := &faultTable[i]
		if !all && *row.prob(&base) == 0 {
			continue
		}
		if rng.IntN(2) == 0 {
			continue
		}
		*row.prob(&f) = float64(1+rng.IntN(200)) / 1000
		if row.lat != nil {
			*row.lat(&f) = row.Latency
			if !all {
				*row.lat(&f) = *row.lat(&base)
			}
		}
	}
	return f
}
