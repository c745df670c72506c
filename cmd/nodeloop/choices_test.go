package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// failingRaceSeed returns a seed of the race scenario that fails with --cost 0-2ms,
// with its choice log and trace saved in dir.
func failingRaceSeed(t *testing.T, dir string) (seed, choices, trace string, out string) {
	t.Helper()
	choices, trace = filepath.Join(dir, "race.choices"), filepath.Join(dir, "race.jsonl")
	for s := 1; s <= 100; s++ {
		var o, e bytes.Buffer
		code := run([]string{"sim", "race", "--seed", strconv.Itoa(s), "--cost", "0-2ms", "--save-choices", choices, "--trace", trace}, &o, &e)
		switch code {
		case 0:
			continue
		case 1:
			want := "or from its choices: nodeloop sim race --choices " + choices
			if !strings.Contains(e.String(), want) {
				t.Fatalf("seed %d failed without saying %q:\n%s", s, want, e.String())
			}
			return strconv.Itoa(s), choices, trace, o.String()
		default:
			t.Fatalf("seed %d: exit %d: %s", s, code, e.String())
		}
	}
	t.Fatal("no seed of 1-100 fails the race")
	return
}

// finished is the verdict line of nodeloop sim's output, without its wall time.
func finished(t *testing.T, out string) string {
	t.Helper()
	_, after, ok := strings.Cut(out, "===== FINISHED =====\n")
	if !ok {
		t.Fatalf("no verdict in\n%s", out)
	}
	return regexp.MustCompile(` \([^()]* of wall time\)`).ReplaceAllString(after, "")
}

// --save-choices writes a run's choice log, and --choices replays the run from it:
// the same verdict and the same trace; a log with a choice the program no longer
// asks for still reproduces the failure and says where it left the log.
func TestSimChoicesFile(t *testing.T) {
	dir := t.TempDir()
	seed, choices, trace, out := failingRaceSeed(t, dir)
	b, err := os.ReadFile(choices)
	if err != nil || !bytes.HasPrefix(b, []byte(`{"format":"nodeloop-choices","version":1,"seed":`+seed+`,"scenario":"race","config":{"callback_cost":[0,2000000]`)) {
		t.Fatalf("choice log: %v\n%s", err, b)
	}
	var o, e bytes.Buffer
	again := filepath.Join(dir, "again.jsonl")
	if code := run([]string{"sim", "--choices", choices, "--trace", again}, &o, &e); code != 1 || finished(t, o.String()) != finished(t, out) {
		t.Fatalf("--choices: exit %d, want 1 and\n%s\ngot\n%s%s", code, finished(t, out), o.String(), e.String())
	}
	if !strings.Contains(e.String(), "reproduce: nodeloop sim race --choices "+choices) {
		t.Errorf("--choices: the reproduce command is not the replay's:\n%s", e.String())
	}
	o.Reset()
	if code := run([]string{"diff", trace, again}, &o, &e); code != 0 {
		t.Fatalf("the replay's trace differs from the run's:\n%s", o.String())
	}

	// A choice that the program does not ask for (any more) is skipped.
	head, rest, _ := bytes.Cut(b, []byte("\n"))
	edited := filepath.Join(dir, "edited.choices")
	os.WriteFile(edited, slices.Concat(head, []byte("\n"+`{"what":"user.gone","n":3,"value":2}`+"\n"), rest), 0o644)
	o.Reset()
	if code := run([]string{"sim", "race", "--choices", edited}, &o, &e); code != 1 || !strings.Contains(o.String(), "the immediate ran before the timeout") {
		t.Fatalf("--choices of an edited log: exit %d, want 1, the race's failure\n%s%s", code, o.String(), e.String())
	}
	if want := "replay diverged at choice 0: the run asked for cpu.cost at timer start among 2001, the log has user.gone among 3; went on: 0 drawn fresh, 1 of the log skipped"; !strings.Contains(o.String(), want) {
		t.Fatalf("--choices of an edited log does not say %q:\n%s", want, o.String())
	}
}

// --choices takes everything from its log: flags that would change the run, another
// scenario or a bad log are errors (2), naming what is wrong; --save-choices writes
// one run.
func TestSimChoicesErrors(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "demo.choices")
	if code := run([]string{"sim", "--seed", "4", "--save-choices", log}, new(bytes.Buffer), new(bytes.Buffer)); code != 0 {
		t.Fatalf("sim --save-choices: exit %d", code)
	}
	bad := filepath.Join(dir, "bad.choices")
	os.WriteFile(bad, []byte(`{"format":"nodeloop-choices","version":1}`+"\n"+`{"what":"a","n":2,"value":1}`+"\n"+`{"what":"a","n":2}`+"\n"), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--seed", "3"}, "--seed cannot change it"},
		{[]string{"--seeds", "1-3"}, "--seeds cannot change it"},
		{[]string{"--faults", "drop"}, "--faults cannot change it"},
		{[]string{"--swarm"}, "--swarm cannot change it"},
		{[]string{"--cost", "0-1ms"}, "--cost cannot change it"},
		{[]string{"race"}, `is the log of scenario "demo", not "race"`},
	} {
		var e bytes.Buffer
		args := append([]string{"sim", "--choices", log}, tc.args...)
		if code := run(args, new(bytes.Buffer), &e); code != 2 || !strings.Contains(e.String(), tc.want) {
			t.Errorf("run(%q) = %d: %s; want 2 saying %q", args, code, e.String(), tc.want)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"sim", "--choices", bad}, `bad.choices: choice log line 3: choice "a" has no "value"`},
		{[]string{"sim", "--choices", filepath.Join(dir, "nosuch")}, "nosuch"},
		{[]string{"sim", "--seeds", "1-3", "--save-choices", filepath.Join(dir, "x")}, "--save-choices writes one run's log"},
	} {
		var e bytes.Buffer
		if code := run(tc.args, new(bytes.Buffer), &e); code != 2 || !strings.Contains(e.String(), tc.want) {
			t.Errorf("run(%q) = %d: %s; want 2 saying %q", tc.args, code, e.String(), tc.want)
		}
	}
}

// nodeloop replay replays a simulated trace from the choices it holds: identical is
// exit 0; a trace whose header no longer describes its choices is a difference (1)
// that says where the replay left them; a bad header is bad input (2).
func TestReplaySimTrace(t *testing.T) {
	dir := t.TempDir()
	trace := filepath.Join(dir, "echo.jsonl")
	if code := run([]string{"sim", "echo", "--seed", "5", "--faults", "all", "--swarm", "--cost", "0-2ms", "--trace", trace}, new(bytes.Buffer), new(bytes.Buffer)); code != 0 {
		t.Fatalf("sim: exit %d", code)
	}
	var o, e bytes.Buffer
	if code := run([]string{"replay", trace}, &o, &e); code != 0 || !strings.Contains(o.String(), "events replayed identically") {
		t.Fatalf("replay: exit %d: %s%s", code, o.String(), e.String())
	}
	if strings.Contains(o.String(), "diverged") {
		t.Fatalf("the replay of an unchanged run left its choices:\n%s", o.String())
	}
	_, _, failing, _ := failingRaceSeed(t, dir)
	o.Reset()
	if code := run([]string{"replay", failing}, &o, &e); code != 0 || !strings.Contains(o.String(), "the immediate ran before the timeout") {
		t.Fatalf("replay of a failed run: exit %d, want 0 and its failure: %s%s", code, o.String(), e.String())
	}

	b, _ := os.ReadFile(trace)
	for _, tc := range []struct {
		name, old, new string
		code           int
		want           string
	}{
		{"no cost", `"callback_cost":[0,2000000]`, `"callback_cost":[0,0]`, 1, "replay diverged at choice "},
		{"bad config", `"callback_cost":[0,2000000]`, `"callback_cost":[3,2]`, 2, "callback_cost [3, 2]"},
		{"no scenario", `"scenario":"echo",`, ``, 2, "no named scenario"},
		{"unknown scenario", `"scenario":"echo"`, `"scenario":"nope"`, 2, `no scenario "nope"`},
	} {
		if !bytes.Contains(b, []byte(tc.old)) {
			t.Fatalf("%s: the trace has no %s", tc.name, tc.old)
		}
		path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".jsonl")
		os.WriteFile(path, bytes.Replace(b, []byte(tc.old), []byte(tc.new), 1), 0o644)
		o.Reset()
		e.Reset()
		if code := run([]string{"replay", path}, &o, &e); code != tc.code || !strings.Contains(o.String()+e.String(), tc.want) {
			t.Errorf("%s: exit %d: %s%s; want exit %d saying %q", tc.name, code, o.String(), e.String(), tc.code, tc.want)
		}
		if tc.code == 1 && !strings.Contains(e.String(), "differs") {
			t.Errorf("%s: no difference reported: %s", tc.name, e.String())
		}
	}
}
