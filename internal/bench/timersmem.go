package bench

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"

	"github.com/nodeloop/nodeloop"
)

// TimersMem is the memory of timers: N one-shot timers with the delays of [Timers],
// started up front and run to completion, each implementation in a process of its
// own, reporting its peak resident set size (VmHWM on Linux, getrusage's ru_maxrss
// elsewhere) in the Extra
// fields rss_kib, the peak before the first timer started in base_kib, and the bytes
// of peak each timer added, (rss_kib-base_kib)*1024/N, in bytes_per_timer.
const TimersMem = "timers_mem"

// childEnv names the environment variable that makes a process that links this
// package run one in-process workload as a child and exit, for a workload that
// measures a whole process: "NAME IMPL N". [nodeloopTimersMem] and [goTimersMem] start
// their own executable so.
const childEnv = "NODELOOP_BENCH_CHILD"

func init() {
	if spec := os.Getenv(childEnv); spec != "" {
		os.Exit(runChild(spec))
	}
}

// runChild runs the workload spec names (see childEnv), prints its RESULT line on
// stdout and returns the exit status: 0, or 1 with the error on stderr.
func runChild(spec string) int {
	fields := strings.Fields(spec)
	var (
		r   Result
		err error
	)
	if len(fields) != 3 {
		err = fmt.Errorf("%s=%q: want NAME IMPL N", childEnv, spec)
	} else if n, perr := strconv.Atoi(fields[2]); perr != nil || n <= 0 {
		err = fmt.Errorf("%s=%q: operation count %q is not a positive integer", childEnv, spec, fields[2])
	} else {
		switch fields[0] + " " + fields[1] {
		case TimersMem + " " + ImplNodeloop:
			r, err = nodeloopTimersMemChild(n)
		case TimersMem + " " + ImplGo:
			r, err = goTimersMemChild(n)
		default:
			err = fmt.Errorf("%s=%q: no child workload %s of %s", childEnv, spec, fields[1], fields[0])
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(r)
	return 0
}

// runAsChild runs implementation impl of benchmark name with n operations in a new
// process of this executable (see childEnv) and returns the Result it prints.
func runAsChild(name, impl string, n int) (Result, error) {
	if n <= 0 {
		return Result{}, fmt.Errorf("operation count %d is not positive", n)
	}
	exe, err := os.Executable()
	if err != nil {
		return Result{}, fmt.Errorf("finding this program to run as a child: %w", err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s %s %d", childEnv, name, impl, n))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return Result{}, fmt.Errorf("child %s: %w%s", cmd.Env[len(cmd.Env)-1], err, tail(stderr.Bytes()))
	}
	r, err := onlyResult(stdout.Bytes())
	if err != nil {
		return Result{}, fmt.Errorf("child %s: %w%s", cmd.Env[len(cmd.Env)-1], err, tail(stderr.Bytes()))
	}
	if r.Name != name || r.Impl != impl || r.Ops != n {
		return Result{}, fmt.Errorf("child reported name=%s impl=%s ops=%d, want name=%s impl=%s ops=%d",
			r.Name, r.Impl, r.Ops, name, impl, n)
	}
	return r, nil
}

// memExtra returns the Extra fields of a [TimersMem] run of n timers: the peak
// resident set size before the first timer and at the end, in KiB, and the bytes of
// peak per timer.
func memExtra(baseKiB, rssKiB int64, n int) map[string]string {
	return map[string]string{
		"base_kib":        fmt.Sprint(baseKiB),
		"rss_kib":         fmt.Sprint(rssKiB),
		"bytes_per_timer": fmt.Sprint(max(0, rssKiB-baseKiB) * 1024 / int64(n)),
	}
}

// nodeloopTimersMem runs [TimersMem] on nodeloop in a child process.
func nodeloopTimersMem(n int) (Result, error) { return runAsChild(TimersMem, ImplNodeloop, n) }

// nodeloopTimersMemChild is the child's side of nodeloopTimersMem: the [Timers]
// workload, its peak resident set size read before the first timer and at the end.
func nodeloopTimersMemChild(n int) (Result, error) {
	l, err := nodeloop.New()
	if err != nil {
		return Result{}, err
	}
	defer l.Close()
	base, err := peakRSSKiB()
	if err != nil {
		return Result{}, err
	}
	fired := 0
	cb := func() { fired++ }
	span := StartSpan()
	err = l.Run(func() {
		for i := 0; i < n; i++ {
			l.SetTimeout(timerDelay(i), cb)
		}
	})
	r := span.Result(TimersMem, ImplNodeloop, n)
	if err == nil && fired != n {
		err = fmt.Errorf("%d of %d timers fired", fired, n)
	}
	if err != nil {
		return r, err
	}
	rss, err := peakRSSKiB()
	r.Version = version()
	r.Extra = memExtra(base, rss, n)
	return r, err
}

// goTimersMem runs [TimersMem] on Go's runtime timers in a child process.
func goTimersMem(n int) (Result, error) { return runAsChild(TimersMem, ImplGo, n) }

// goTimersMemChild is the child's side of goTimersMem: the [Timers] workload of
// time.AfterFunc, as goTimers, its peak resident set size read before the first
// timer and at the end.
func goTimersMemChild(n int) (Result, error) {
	base, err := peakRSSKiB()
	if err != nil {
		return Result{}, err
	}
	span, _ := goRunTimers(n)
	r := span.Result(TimersMem, ImplGo, n)
	rss, err := peakRSSKiB()
	r.Version = runtime.Version()
	r.Extra = memExtra(base, rss, n)
	return r, err
}
