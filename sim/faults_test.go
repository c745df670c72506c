package sim_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/scenarios"
	"github.com/nodeloop/nodeloop/sim"
	"github.com/nodeloop/nodeloop/traces"
)

// field is where one fault lives on the fakes: its probability and, for a fault with
// one, its latency.
type field struct {
	prob, lat string // "Network.Reset", "" for no latency
}

// fieldsSet returns the probability and latency fields of f that are not zero, as
// "Network.Reset" or "Pool.SlowJobLatency", in declaration order.
func fieldsSet(f sim.Faults) (probs, lats []string) {
	v := reflect.ValueOf(f)
	for _, part := range []string{"Network", "Pool", "Disk", "World"} {
		pv := v.FieldByName(part)
		for i := range pv.NumField() {
			sf := pv.Type().Field(i)
			switch {
			case !sf.IsExported():
			case sf.Type == reflect.TypeFor[time.Duration]():
				if pv.Field(i).Int() != 0 {
					lats = append(lats, part+"."+sf.Name)
				}
			case sf.Type == reflect.TypeFor[float64]():
				if pv.Field(i).Float() != 0 {
					probs = append(probs, part+"."+sf.Name)
				}
			}
		}
	}
	return probs, lats
}

// faultFields returns, for each fault of the table, the field it sets, found by
// parsing its name.
func faultFields(t *testing.T) map[string]field {
	t.Helper()
	out := map[string]field{}
	for _, k := range sim.KnownFaults() {
		f, err := sim.ParseFaults(k.Name + "=1")
		if err != nil {
			t.Fatalf("ParseFaults(%s=1): %v", k.Name, err)
		}
		probs, lats := fieldsSet(f)
		if len(probs) != 1 || len(lats) > 1 || (len(lats) == 1) != (k.Latency != 0) {
			t.Fatalf("%s sets probabilities %v and latencies %v; want one probability, and one latency iff it has a default latency (%v)", k.Name, probs, lats, k.Latency)
		}
		fd := field{prob: probs[0]}
		if len(lats) == 1 {
			fd.lat = lats[0]
		}
		out[k.Name] = fd
	}
	return out
}

// setField returns f with the named field ("Network.Reset") set to v.
func setField(f sim.Faults, name string, v any) sim.Faults {
	part, fname, _ := strings.Cut(name, ".")
	fv := reflect.ValueOf(&f).Elem().FieldByName(part).FieldByName(fname)
	fv.Set(reflect.ValueOf(v).Convert(fv.Type()))
	return f
}

// The table covers every fault field of the fakes, each from exactly one fault, and
// FaultNames, KnownFaults, ParseFaults, String, validation and the header cover every
// fault of the table: a fault is added by one row and its mechanism, and a fault
// field with no row fails here.
func TestFaultTableCoversEveryFault(t *testing.T) {
	known := sim.KnownFaults()
	var names []string
	for _, k := range known {
		names = append(names, k.Name)
		if k.Doc == "" || !strings.HasPrefix(k.Choice, "fault.") || k.Probability <= 0 || k.Probability > 1 {
			t.Errorf("fault %+v: want a doc, a fault.* choice and a default probability in (0, 1]", k)
		}
	}
	if !slices.Equal(names, sim.FaultNames) {
		t.Fatalf("KnownFaults %v, FaultNames %v: want the same names in the same order", names, sim.FaultNames)
	}
	fields := faultFields(t)
	// Every probability and latency field of the fakes belongs to one fault.
	var all sim.Faults
	for _, part := range []any{&all.Network, &all.Pool, &all.Disk, &all.World} {
		v := reflect.ValueOf(part).Elem()
		for i := range v.NumField() {
			switch f := v.Field(i); f.Kind() {
			case reflect.Float64:
				f.SetFloat(1)
			case reflect.Int64:
				f.SetInt(1)
			}
		}
	}
	probs, lats := fieldsSet(all)
	owner := map[string]string{}
	for _, name := range names {
		fd := fields[name]
		for _, f := range []string{fd.prob, fd.lat} {
			if f == "" {
				continue
			}
			if o, ok := owner[f]; ok {
				t.Errorf("%s is set by both %s and %s", f, o, name)
			}
			owner[f] = name
		}
	}
	for _, f := range append(probs, lats...) {
		if owner[f] == "" {
			t.Errorf("%s is a fault of the fakes that no fault of sim's table sets", f)
		}
	}
	all, err := sim.ParseFaults("all")
	if err != nil {
		t.Fatal(err)
	}
	header := headerFaults(t, all)
	for _, k := range known {
		fd := fields[k.Name]
		// "all" and the name alone set the default probability and latency.
		alone, err := sim.ParseFaults(k.Name)
		if err != nil {
			t.Fatalf("ParseFaults(%q): %v", k.Name, err)
		}
		want := setField(sim.Faults{}, fd.prob, k.Probability)
		if fd.lat != "" {
			want = setField(want, fd.lat, k.Latency)
		}
		if alone != want || all.Select(func(n string) bool { return n == k.Name }) != want {
			t.Errorf("ParseFaults(%q) = %v, in all %v; want %v", k.Name, alone, all, want)
		}
		// The header and String name it.
		if !strings.Contains(header, k.Name+"=") {
			t.Errorf("the header's faults %q do not mention %s", header, k.Name)
		}
		// Validation covers it: Run refuses a probability finer than one in a
		// million, and a negative latency, naming the fault.
		bad := []sim.Faults{setField(sim.Faults{}, fd.prob, 0.0000005), setField(sim.Faults{}, fd.prob, 1.5)}
		if fd.lat != "" {
			bad = append(bad, setField(setField(sim.Faults{}, fd.prob, 0.5), fd.lat, time.Duration(-1)))
		}
		for _, f := range bad {
			_, err := sim.Run(sim.Config{Faults: f}, func(*nodeloop.Loop) {})
			if err == nil || !strings.Contains(err.Error(), "fault "+k.Name) {
				t.Errorf("Run with faults %#v: %v; want an error naming %s", f, err, k.Name)
			}
		}
	}
}

// headerFaults returns the faults a run's trace header records.
func headerFaults(t *testing.T, f sim.Faults) string {
	t.Helper()
	var buf bytes.Buffer
	if _, err := sim.Run(sim.Config{Faults: f, Trace: &buf}, func(*nodeloop.Loop) {}); err != nil {
		t.Fatalf("sim.Run: %v", err)
	}
	line, _, _ := bytes.Cut(buf.Bytes(), []byte("\n"))
	var h struct {
		Config struct {
			Faults string `json:"faults"`
		} `json:"config"`
	}
	if err := json.Unmarshal(line, &h); err != nil {
		t.Fatalf("the header %s: %v", line, err)
	}
	return h.Config.Faults
}

// Every fault, at the default or at a probability and latency of its own, round-trips
// through String, ParseFaults and the trace header.
func TestFaultsRoundTrip(t *testing.T) {
	fields := faultFields(t)
	cases := []sim.Faults{{}}
	for _, k := range sim.KnownFaults() {
		fd := fields[k.Name]
		for _, p := range []float64{0.000001, 0.25, 1} {
			f := setField(sim.Faults{}, fd.prob, p)
			if fd.lat != "" {
				f = setField(f, fd.lat, 1500*time.Microsecond)
			}
			cases = append(cases, f)
		}
		alone, _ := sim.ParseFaults(k.Name)
		cases = append(cases, alone)
	}
	all, _ := sim.ParseFaults("all=0.125")
	cases = append(cases, all)
	for _, f := range cases {
		s := f.String()
		back, err := sim.ParseFaults(s)
		if err != nil || back != f {
			t.Errorf("ParseFaults(%q) = %v, %v; want %#v", s, back, err, f)
		}
		h := headerFaults(t, f)
		if fromHeader, err := sim.ParseFaults(h); err != nil || fromHeader != f {
			t.Errorf("the header records %q, which parses to %v, %v; want %#v", h, fromHeader, err, f)
		}
	}
	if s := (sim.Faults{}).String(); s != "none" {
		t.Errorf("no faults spell %q; want none", s)
	}
	f, err := sim.ParseFaults("reset=0.2, spike=0.1:1s")
	want := sim.Faults{Network: fakepoller.Faults{Reset: 0.2, Spike: 0.1, SpikeLatency: time.Second}}
	if err != nil || f != want {
		t.Errorf("ParseFaults(reset=0.2, spike=0.1:1s) = %v, %v; want %v", f, err, want)
	}
}

// ParseFaults is strict: anything but a list of known faults, each set once with a
// probability Chance can draw and a latency where the fault has one, is an error
// that names the item.
func TestParseFaultsErrors(t *testing.T) {
	for _, tc := range []struct {
		list string
		want []string // what the error must say
	}{
		{"reset=0.5xyz", []string{`"reset=0.5xyz"`, `"0.5xyz"`}},
		{"reset=NaN", []string{`"reset=NaN"`, "NaN", "from 0 to 1"}},
		{"reset=", []string{`"reset="`}},
		{"reset=1.5", []string{`"reset=1.5"`, "from 0 to 1"}},
		{"reset=-0.1", []string{`"reset=-0.1"`, "from 0 to 1"}},
		{"reset=0.0000005", []string{`"reset=0.0000005"`, "5e-07", "one in a million"}},
		{"reset,,spike", []string{"item 2 is empty"}},
		{"reset,", []string{"item 2 is empty"}},
		{"reset,reset=0.1", []string{`"reset=0.1"`, "already set"}},
		{"all,failjob", []string{`"failjob"`, "already set"}},
		{"gremlins", []string{`"gremlins"`, "refused"}},
		{"none,reset", []string{`"none"`}},
		{"reset=0.1:1s", []string{`"reset=0.1:1s"`, "latency"}},
		{"all=0.1:1s", []string{`"all=0.1:1s"`, "latency"}},
		{"spike=0.1:fast", []string{`"spike=0.1:fast"`, `"fast"`}},
		{"spike=0.1:-1s", []string{`"spike=0.1:-1s"`, `"-1s"`}},
		{"spike=:1s", []string{`"spike=:1s"`}},
	} {
		f, err := sim.ParseFaults(tc.list)
		if err == nil {
			t.Errorf("ParseFaults(%q) = %v, nil; want an error", tc.list, f)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("ParseFaults(%q): %q does not say %s", tc.list, err, w)
			}
		}
	}
	for _, ok := range []string{"", "none", "all", "all=0.5", "reset=0", "reset=1", "reset=0.0005", "spike=0.5:0s", " reset , spike "} {
		if _, err := sim.ParseFaults(ok); err != nil {
			t.Errorf("ParseFaults(%q): %v; want it accepted", ok, err)
		}
	}
}

// Swarm mode draws, per seed, faults of the base set only, each with the base's
// latency; from no base, any fault with its default latency. Every fault of the base
// is on for some seeds and off for others.
func TestSwarmDrawsFromTheBase(t *testing.T) {
	base, err := sim.ParseFaults("reset=0.3,slowjob=0.3:3s")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for seed := range uint64(100) {
		res := run(t, sim.Config{Seed: seed, Faults: base, Swarm: true}, func(*nodeloop.Loop) {})
		f := res.Faults
		on := f.Select(func(string) bool { return true })
		if got := on.Select(func(n string) bool { return n != "reset" && n != "slowjob" }); got != (sim.Faults{}) {
			t.Fatalf("seed %d: swarm of %v drew %v", seed, base, f)
		}
		if f.Pool.SlowJob > 0 && f.Pool.SlowJobLatency != 3*time.Second {
			t.Fatalf("seed %d: swarm drew slowjob with latency %v; want the base's 3s", seed, f.Pool.SlowJobLatency)
		}
		if f.Network.Reset > 0 {
			seen["reset"]++
		}
		if f.Pool.SlowJob > 0 {
			seen["slowjob"]++
		}
	}
	for _, name := range []string{"reset", "slowjob"} {
		if seen[name] == 0 || seen[name] == 100 {
			t.Errorf("%s was on in %d of 100 seeds; want some but not all", name, seen[name])
		}
	}
	drawn := map[string]bool{}
	for seed := range uint64(100) {
		res := run(t, sim.Config{Seed: seed, Swarm: true}, func(*nodeloop.Loop) {})
		res.Faults.Select(func(n string) bool { drawn[n] = true; return true })
		if res.Faults.Network.Spike > 0 && res.Faults.Network.SpikeLatency != 200*time.Millisecond {
			t.Fatalf("seed %d: swarm from no base drew spike with latency %v; want the default", seed, res.Faults.Network.SpikeLatency)
		}
	}
	for _, name := range sim.FaultNames {
		if !drawn[name] {
			t.Errorf("100 seeds of swarm mode from no base never drew %s", name)
		}
	}
}

// printed keeps what a scenario prints.
type printed struct{ lines []string }

func (p *printed) Print(who, line string) { p.lines = append(p.lines, who+": "+line) }

// A fault draw of 0 is calm: with fakepoller.First, which draws 0 every time, and
// every fault on at a probability below 1 (the default, and the highest one there
// is), the echo and demo scenarios and a program of files on a simulated disk run
// exactly as with no faults at all. No fault strikes: every fault is drawn, and none
// draws what a strike draws next (a short read's or write's size, how late a
// wake-up, how slow a job, how much of a disk write), and apart from the fault draws
// the trace and the output are those of the calm run, so no connection is refused or
// reset, no message spikes, no job is slow or fails, no disk operation fails.
func TestFirstIsCalm(t *testing.T) {
	afterStrike := []string{"net.read.size", "net.write.size", "wake.late", "pool.slow", "disk.write.size"}
	drawn := map[string]bool{}
	disk, err := sim.NewDisk(sim.DiskOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"echo", "demo", "disk"} {
		main, fsys := diskProgram, fs.FS(disk)
		if name != "disk" {
			sc, ok := scenarios.Lookup(name)
			if !ok {
				t.Fatalf("no scenario %s", name)
			}
			main, fsys = func(l *nodeloop.Loop, out scenarios.Output) { sc.Main(l, out)() }, nil
		}
		trace := func(faults sim.Faults) (*sim.Result, []traces.Event, []string) {
			out := &printed{}
			res := run(t, sim.Config{Choices: fakepoller.First{}, Faults: faults, KeepTrace: true, Scenario: name, FS: fsys},
				func(l *nodeloop.Loop) { main(l, out) })
			if res.Failed() {
				t.Fatalf("%s with faults %v under First: %v", name, faults, res)
			}
			// A phase's event is written before the first event of the phase, a
			// fault draw included, so it is left out with the draws.
			var evs []traces.Event
			for _, e := range res.Events {
				if e.Kind != traces.KindChoice && e.Kind != traces.KindPhase {
					e.Seq = 0
					evs = append(evs, e)
				}
			}
			return res, evs, out.lines
		}
		_, calm, calmOut := trace(sim.Faults{})
		for _, list := range []string{"all", "all=0.999999"} {
			faults, err := sim.ParseFaults(list)
			if err != nil {
				t.Fatal(err)
			}
			res, evs, out := trace(faults)
			for _, c := range res.Choices {
				if strings.HasPrefix(c.What, "fault.") {
					drawn[c.What] = true
				}
				if slices.Contains(afterStrike, c.What) {
					t.Errorf("%s, faults %s: drew %v, which only a fault that struck draws", name, list, c)
				}
			}
			if !reflect.DeepEqual(evs, calm) || !slices.Equal(out, calmOut) {
				t.Errorf("%s, faults %s under First: %d events and output %q; the calm run has %d events and output %q",
					name, list, len(evs), out, len(calm), calmOut)
			}
		}
	}
	// The faults of a world of several hosts: crashes, partitions and clogs are
	// drawn, and under First no host crashes and no link is cut or clogged.
	w := sim.NewWorld(sim.Config{Choices: fakepoller.First{}, Faults: sim.Faults{World: sim.WorldFaults{
		Crash: 0.999999, CrashLatency: time.Second, Partition: 0.999999, PartitionLatency: time.Second, Clog: 0.999999, ClogLatency: time.Second}}, KeepTrace: true})
	w.Host("a", func(l *nodeloop.Loop) { l.SetTimeout(time.Millisecond, func() {}) })
	w.Host("b", func(l *nodeloop.Loop) {})
	res, err := w.Run()
	if err != nil {
		t.Fatalf("a world with crashes under First: %v", err)
	}
	for _, c := range res.Choices {
		if strings.HasPrefix(c.What, "fault.") {
			drawn[c.What] = true
		}
		if slices.Contains([]string{"fault.crash.at", "fault.partition.at", "fault.clog.latency"}, c.What) {
			t.Errorf("a world under First drew %v, which only a crash draws", c)
		}
	}
	for _, e := range res.Events {
		if e.Kind == traces.KindLog && e.Host == "" {
			t.Errorf("a world under First logged %q", e.Msg)
		}
	}
	for _, k := range sim.KnownFaults() {
		if !drawn[k.Choice] {
			t.Errorf("the scenarios never drew %s: the test does not show that %s stays calm", k.Choice, k.Name)
		}
	}
}

// diskProgram writes, appends, syncs and reads files of a simulated disk, printing
// each result.
func diskProgram(l *nodeloop.Loop, out scenarios.Output) {
	say := func(what string, err error) { out.Print("disk", fmt.Sprintf("%s: %v", what, err)) }
	l.Mkdir("db", func(err error) {
		say("mkdir", err)
		l.WriteFile("db/a", []byte("hello"), func(err error) {
			say("write", err)
			l.AppendFile("db/a", []byte(", world"), func(err error) {
				say("append", err)
				l.Fsync("db/a", func(err error) {
					say("sync", err)
					l.ReadFile("db/a", func(b []byte, err error) { say("read "+string(b), err) })
				})
			})
		})
	})
}
