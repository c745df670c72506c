package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	pathpkg "path"
	"path/filepath"
	"strings"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/js"
	"github.com/nodeloop/nodeloop/scenarios"
	"github.com/nodeloop/nodeloop/sim"
)

// readCostDefault is the virtual CPU time a simulated JavaScript program's clock
// reading costs by default: enough for a busy-wait on performance.now() to end
// after a number of readings that stays cheap to simulate.
const readCostDefault = time.Microsecond

// syncLimitDefault is nodeloop sim's default --sync-limit: the real time a
// callback of a simulated script may run for before the run fails, which ends an
// endless synchronous loop that reads no clock.
const syncLimitDefault = 10 * time.Second

// scriptOptions are how nodeloop sim runs a script: the virtual CPU time a clock
// reading costs and the real time a callback may run for (js.Config.SyncLimit, 0
// for none).
type scriptOptions struct {
	readCost, syncLimit time.Duration
}

// isScript reports whether the scenario argument of nodeloop sim names a
// JavaScript file rather than a built-in scenario.
func isScript(name string) bool {
	return strings.HasSuffix(name, ".js") || strings.HasSuffix(name, ".cjs")
}

// jsScenario is the script at path as a scenario of the simulator. The script's
// standard output and error go to stdout and stderr, unless the scenario is given
// discardOutput (a sweep's runs). Its clock readings (Date, performance.now,
// process.hrtime) read the run's virtual time, each charging readCost to the
// running callback; Math.random and crypto's random bytes draw the choice
// "js.random"; its files are the run's disk; 'beforeExit' runs the loop again. A
// script that ends with an exit code other than 0 fails the run, and so does one
// of whose callbacks runs longer than the sync limit of real time.
func jsScenario(path string, so scriptOptions, stdout, stderr io.Writer) scenarios.Scenario {
	return scenarios.Scenario{
		Name: path,
		Doc:  "the Node.js script " + path,
		Main: func(l *nodeloop.Loop, out scenarios.Output) func() {
			o, e := stdout, stderr
			if _, ok := out.(discardOutput); ok {
				o, e = io.Discard, io.Discard
			}
			return jsProgram(l, path, so, o, e)
		},
	}
}

// jsProgram makes the runtime of the script at path on l, a simulated run's loop,
// and returns the loop's main callback, which runs it.
func jsProgram(l *nodeloop.Loop, path string, so scriptOptions, stdout, stderr io.Writer) func() {
	rt, err := js.New(l, js.Config{
		Stdout:    stdout,
		Stderr:    stderr,
		Clock:     virtualClock{l: l, cost: so.readCost},
		SyncLimit: so.syncLimit,
		Random:    func() float64 { return float64(sim.Choose(l, "js.random", 1<<53)) / (1 << 53) },
	})
	if err != nil {
		panic(err) // the run fails with it
	}
	main, err := rt.Main(path)
	if err != nil {
		panic(err)
	}
	sim.OnIdle(l, func() (bool, error) {
		done, err := rt.OnIdle()
		if exit := (*js.ExitError)(nil); errors.As(err, &exit) {
			return false, scriptExit{exit.Code}
		}
		return done, err
	})
	return main
}

// readCostSetting is the name of --read-cost among a script run's settings
// (sim.Config.Program), which the run's trace and choice log record.
const readCostSetting = "read_cost"

// configureScript makes cfg the configuration of a run of the script at path whose
// clock readings cost readCost: it starts on the script's disk (scriptDisk), and its
// headers record readCost, which scriptReadCost reads back for a replay.
func configureScript(cfg *sim.Config, path string, readCost time.Duration) error {
	d, err := scriptDisk(path)
	if err != nil {
		return err
	}
	cfg.FS = d
	cfg.Program = map[string]string{readCostSetting: readCost.String()}
	return nil
}

// scriptReadCost is the cost of a clock reading that cfg, read from a trace's or a
// choice log's header, records: readCostDefault when it records none (a header
// written before it did), an error naming the setting when it is not a duration
// of zero or more.
func scriptReadCost(cfg sim.Config) (time.Duration, error) {
	v, ok := cfg.Program[readCostSetting]
	if !ok {
		return readCostDefault, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("the header's program setting %s %q is not a duration of zero or more", readCostSetting, v)
	}
	return d, nil
}

// scriptDisk is the disk a simulated run of the script at path starts with, its
// Config.FS: the script itself, and the directories on the way to it and to the
// working directory, all synced and nothing else, so that a script writes, reads and
// removes its files where it would on the operating system (js.FSName), and never
// touches the operating system's. A script that cannot be read is left out: the
// run reports it as node does.
func scriptDisk(path string) (*sim.Disk, error) {
	d, err := sim.NewDisk(sim.DiskOptions{})
	if err != nil {
		return nil, err
	}
	dirs := []string{js.FSName(filepath.Dir(path)), js.FSName(".")}
	for _, dir := range dirs {
		if dir == "." {
			continue
		}
		parts := strings.Split(dir, "/")
		for i := range parts {
			name := strings.Join(parts[:i+1], "/")
			if err := d.Mkdir(name, 0o777); err != nil && !errors.Is(err, fs.ErrExist) {
				return nil, err
			}
			if err := d.Sync(pathpkg.Dir(name)); err != nil {
				return nil, err
			}
		}
	}
	if src, err := os.ReadFile(path); err == nil {
		name := js.FSName(path)
		if err := d.WriteFile(name, src, 0o666); err != nil {
			return nil, err
		}
		if err := d.Sync(name); err != nil {
			return nil, err
		}
		if err := d.Sync(pathpkg.Dir(name)); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// virtualClock is a simulated JavaScript program's clock: the run's virtual time,
// each reading charging cost of CPU time to the running callback, as reading a
// clock takes time, so that a loop waiting on the clock ends.
type virtualClock struct {
	l    *nodeloop.Loop
	cost time.Duration
}

func (c virtualClock) Now() time.Time {
	sim.Busy(c.l, c.cost)
	return sim.Now(c.l)
}

// simScriptRun runs one seed of a script and prints the verdict after the script's
// output.
func simScriptRun(sc scenarios.Scenario, cfg sim.Config, choicesFile string, opts simOptions, stdout io.Writer) error {
	res, err := runChecked(cfg, func(l *nodeloop.Loop) { sc.Main(l, nil)() })
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "===== FINISHED =====\n%v\n", res)
	if choicesFile != "" {
		h := sim.NewChoicesHeader(cfg, res)
		if err := writeToFile(choicesFile, func(w io.Writer) error { return sim.WriteChoices(w, h, res.Choices) }); err != nil {
			return err
		}
	}
	if res.Failed() {
		return findingError{fmt.Sprintf("seed %d failed: %s\nreproduce: %s", cfg.Seed, res.Verdict, opts.command(cfg.Seed))}
	}
	return nil
}
