package sim_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/scenarios"
	"github.com/nodeloop/nodeloop/sim"
	"github.com/nodeloop/nodeloop/traces"
)

// A choice log written to a file reads back as it was, header and choices, and
// repeats the run.
func TestChoicesFileRoundTrip(t *testing.T) {
	faults, _ := sim.ParseFaults("all")
	cfg := sim.Config{Seed: 5, Faults: faults, Swarm: true, Scenario: "demo", CallbackCost: sim.Range{Max: time.Millisecond}}
	first := run(t, cfg, demo)
	var b bytes.Buffer
	h := sim.NewChoicesHeader(cfg, first)
	if err := sim.WriteChoices(&b, h, first.Choices); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(b.String(), "\n"); lines != 1+len(first.Choices) {
		t.Fatalf("%d lines for %d choices, want one header line and one a choice", lines, len(first.Choices))
	}
	h2, log, err := sim.ReadChoices(&b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(h, h2); diff != "" {
		t.Fatalf("header (-written +read):\n%s", diff)
	}
	if diff := cmp.Diff(first.Choices, log); diff != "" {
		t.Fatalf("choices (-written +read):\n%s", diff)
	}
	again, err := sim.HeaderConfig(h2.Config)
	if err != nil {
		t.Fatal(err)
	}
	if again.Swarm || again.Faults != first.Faults || again.CallbackCost != cfg.CallbackCost {
		t.Fatalf("HeaderConfig gave swarm %v, faults %v, cost %v; want no swarm, the faults in force %v and cost %v",
			again.Swarm, again.Faults, again.CallbackCost, first.Faults, cfg.CallbackCost)
	}
	again.Seed, again.Choices = h2.Seed, sim.Replay(log)
	res := run(t, again, demo)
	if res.Verdict != first.Verdict || res.End != first.End || res.Callbacks != first.Callbacks {
		t.Fatalf("the run from the file: %v; want %v", res, first)
	}
}

// The configuration a trace's header records reads back as the Config of the run.
func TestHeaderConfigOfATrace(t *testing.T) {
	faults, _ := sim.ParseFaults("drop=0.1,spike=0.2:1s")
	cfg := sim.Config{Seed: 2, Faults: faults, Workers: 3, Latency: sim.Range{Min: time.Millisecond, Max: 3 * time.Millisecond},
		JobTime: sim.Range{Min: 2 * time.Millisecond, Max: 9 * time.Millisecond}, CallbackCost: sim.Range{Max: 50 * time.Microsecond},
		TimeLimit: time.Hour, StepLimit: 12345, Program: map[string]string{"read_cost": "2µs"}}
	var b bytes.Buffer
	cfg.Trace = &b
	run(t, cfg, demo)
	h, _, err := traces.Decode(&b)
	if err != nil {
		t.Fatal(err)
	}
	got, err := sim.HeaderConfig(h.Config)
	if err != nil {
		t.Fatal(err)
	}
	want := cfg
	want.Seed, want.Trace = 0, nil
	if got.Faults != want.Faults || got.Workers != want.Workers || got.Latency != want.Latency || got.JobTime != want.JobTime ||
		got.CallbackCost != want.CallbackCost || got.TimeLimit != want.TimeLimit || got.StepLimit != want.StepLimit ||
		len(got.Program) != 1 || got.Program["read_cost"] != "2µs" {
		t.Fatalf("HeaderConfig(%s) = %+v, want %+v", h.Config, got, want)
	}
}

// A bad config in a header is an error naming the field.
func TestHeaderConfigBad(t *testing.T) {
	for _, tc := range []struct{ config, want string }{
		{`{"latency":[1]}`, "latency has 1 values"},
		{`{"job_time":[5,2]}`, "job_time [5, 2]"},
		{`{"faults":"nosuch"}`, "unknown fault"},
		{`{"workers":"four"}`, "workers"},
		{`[1,2]`, "config"},
	} {
		_, err := sim.HeaderConfig([]byte(tc.config))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("HeaderConfig(%s): %v, want an error saying %q", tc.config, err, tc.want)
		}
	}
}

// A file that is not a choice log is an error that names its line.
func TestReadChoicesBad(t *testing.T) {
	const head = `{"format":"nodeloop-choices","version":1}` + "\n"
	for _, tc := range []struct {
		name, file string
		line       int
		want       string
	}{
		{"empty", "", 1, "empty"},
		{"a trace", `{"format":"nodeloop-trace","version":1,"mode":"sim"}` + "\n", 1, "not a choice log"},
		{"not json", "hello\n", 1, "not a choice log header"},
		{"newer", `{"format":"nodeloop-choices","version":2}` + "\n", 1, "version 2"},
		{"bad line", head + `{"what":"a","n":2,"value":1}` + "\n" + "{oops\n", 3, "not a choice"},
		{"blank line", head + "\n", 2, "not a choice"},
		{"no what", head + `{"n":2,"value":1}` + "\n", 2, `no "what"`},
		{"no n", head + `{"what":"a","value":1}` + "\n", 2, `no "n"`},
		{"no value", head + `{"what":"a","n":3}` + "\n", 2, `no "value"`},
		{"value too big", head + `{"what":"a","n":3,"value":3}` + "\n", 2, "option 3 of 3"},
		{"negative", head + `{"what":"a","n":3,"value":-1}` + "\n", 2, "option -1 of 3"},
		{"no options", head + `{"what":"a","n":0,"value":0}` + "\n", 2, "0 options"},
		{"unknown field", head + `{"what":"a","n":3,"value":1,"pick":2}` + "\n", 2, "pick"},
		{"a number", head + "12\n", 2, "a JSON number, want an object"},
		{"a label of the wrong type", head + `{"what":3,"n":3,"value":1}` + "\n", 2, `"what" is a JSON number, want string`},
		{"two values", head + `{"what":"a","n":3,"value":1}{"what":"a","n":3,"value":1}` + "\n", 2, "more than one"},
		{"too long", head + strings.Repeat("x", 2<<20) + "\n", 2, "longer than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := sim.ReadChoices(strings.NewReader(tc.file))
			var ce *sim.ChoicesError
			if !errors.As(err, &ce) || ce.Line != tc.line || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ReadChoices: %v; want a *ChoicesError at line %d saying %q", err, tc.line, tc.want)
			}
		})
	}
}

// A header alone is a log of no choices; a missing final newline is no matter.
func TestReadChoicesShort(t *testing.T) {
	h, log, err := sim.ReadChoices(strings.NewReader(`{"format":"nodeloop-choices","version":1,"seed":3}` + "\n" + `{"what":"user.a","n":2,"value":1}`))
	if err != nil || h.Seed != 3 || len(log) != 1 || log[0] != (sim.Choice{What: "user.a", N: 2, Value: 1}) {
		t.Fatalf("ReadChoices: %+v %v %v", h, log, err)
	}
}

// A simulated trace holds every choice of its run, so that the trace alone repeats it.
func TestTraceHoldsEveryChoice(t *testing.T) {
	faults, _ := sim.ParseFaults("all")
	for _, tc := range []struct {
		name    string
		program func(*nodeloop.Loop)
	}{{"demo", demo}, {"echo", func(l *nodeloop.Loop) { scenarios.Echo(l, discard{})() }}} {
		for seed := uint64(1); seed <= 5; seed++ {
			var b bytes.Buffer
			res := run(t, sim.Config{Seed: seed, Faults: faults, Swarm: true, CallbackCost: sim.Range{Max: 2 * time.Millisecond}, Trace: &b}, tc.program)
			_, events, err := traces.Decode(&b)
			if err != nil {
				t.Fatal(err)
			}
			var traced []sim.Choice
			for _, e := range events {
				if e.Kind == traces.KindChoice {
					traced = append(traced, sim.Choice{What: e.Choice, N: e.Options, Value: e.Pick})
				}
			}
			if diff := cmp.Diff(res.Choices, traced); diff != "" {
				t.Fatalf("%s seed %d: the trace's choices (-run +trace):\n%s", tc.name, seed, diff)
			}
		}
	}
}
