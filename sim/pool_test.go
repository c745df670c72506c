package sim_test

import (
	"strings"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/sim"
)

type record struct {
	id     uint64
	worker int
	at     time.Duration
}

// The simulated pool runs N jobs at a time, FIFO, each for its duration, on the
// caller's goroutine inside the poller's wait; a queued job can be canceled, a
// started one cannot.
func TestPoolFIFOInVirtualTime(t *testing.T) {
	c := fakeclock.New()
	fp := fakepoller.New(c)
	pool := sim.NewPool(fp, 2, func(j *nodeloop.Job, worker int) time.Duration {
		return time.Duration(j.ID) * time.Millisecond
	})
	var got []record
	jobs := make([]*nodeloop.Job, 5)
	for i := range jobs {
		j := &nodeloop.Job{ID: uint64(i + 1)}
		j.Work = func() { got = append(got, record{j.ID, j.Worker, c.Now().Sub(fakeclock.Epoch)}) }
		j.Complete = func(*nodeloop.Job) { fp.Wake() }
		jobs[i] = j
		pool.Submit(j)
	}
	if !pool.Cancel(jobs[4]) {
		t.Fatal("Cancel of a queued job returned false")
	}
	if pool.Cancel(jobs[0]) {
		t.Fatal("Cancel of a started job returned true")
	}
	for i := 0; i < 10 && fp.Scheduled() > 0; i++ {
		if _, err := fp.Wait(nil, -1); err != nil {
			t.Fatal(err)
		}
	}
	// Job 1 (1 ms) and job 2 (2 ms) start at 0 on workers 1 and 2; job 3 takes worker
	// 1 at 1 ms and ends at 4 ms; job 4 takes worker 2 at 2 ms and ends at 6 ms.
	want := []record{{1, 1, 1 * time.Millisecond}, {2, 2, 2 * time.Millisecond}, {3, 1, 4 * time.Millisecond}, {4, 2, 6 * time.Millisecond}}
	if len(got) != len(want) {
		t.Fatalf("ran %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("ran %v, want %v", got, want)
		}
	}
}

// The pool's faults are its options: a job fails with ErrInjected, its work never
// run, or takes longer, as PoolFaults say; the zero PoolFaults draw no fault choice.
func TestPoolFaults(t *testing.T) {
	for _, tc := range []struct {
		name     string
		faults   sim.PoolFaults
		wantErr  error
		wantTime time.Duration
	}{
		{"calm", sim.PoolFaults{}, nil, 2 * time.Millisecond},
		{"fail", sim.PoolFaults{FailJob: 1}, sim.ErrInjected, 2 * time.Millisecond},
		// fixed choices take the highest option: the whole extra latency
		{"slow", sim.PoolFaults{SlowJob: 1, SlowJobLatency: time.Second}, nil, time.Second + 2*time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := fakeclock.New()
			fp := fakepoller.New(c)
			var drawn []string
			pool, err := sim.NewPoolWith(fp, sim.PoolOptions{
				Workers: 1,
				Choices: highest{&drawn},
				JobTime: sim.Range{Min: time.Millisecond, Max: 2 * time.Millisecond},
				Faults:  tc.faults,
			})
			if err != nil {
				t.Fatal(err)
			}
			ran := false
			var end time.Duration
			j := &nodeloop.Job{ID: 1, Work: func() { ran = true }}
			j.Complete = func(*nodeloop.Job) { end = c.Now().Sub(fakeclock.Epoch); fp.Wake() }
			pool.Submit(j)
			if _, err := fp.Wait(nil, -1); err != nil {
				t.Fatal(err)
			}
			if j.Err != tc.wantErr || ran != (tc.wantErr == nil) || end != tc.wantTime {
				t.Fatalf("job: Err %v, work ran %v, done at %v; want %v, %v, %v (choices %v)", j.Err, ran, end, tc.wantErr, tc.wantErr == nil, tc.wantTime, drawn)
			}
			if tc.faults == (sim.PoolFaults{}) && strings.Contains(strings.Join(drawn, " "), "fault.") {
				t.Fatalf("a pool without faults drew %v", drawn)
			}
		})
	}
}

// highest is the Choices that always takes the last option, and notes what it was
// asked.
type highest struct{ asked *[]string }

func (h highest) Choose(what string, n int) int { *h.asked = append(*h.asked, what); return n - 1 }

// NewPoolWith rejects options that make no sense, naming the fault of a bad fault.
func TestPoolOptionsValidation(t *testing.T) {
	for _, tc := range []struct {
		opts sim.PoolOptions
		want string
	}{
		{sim.PoolOptions{Workers: -1}, "workers"},
		{sim.PoolOptions{JobTime: sim.Range{Min: -1}}, "job time"},
		{sim.PoolOptions{JobTime: sim.Range{Min: 2, Max: 1}}, "job time"},
		{sim.PoolOptions{Faults: sim.PoolFaults{FailJob: 2}}, "failjob"},
		{sim.PoolOptions{Faults: sim.PoolFaults{FailJob: 0.0000005}}, "one in a million"},
		{sim.PoolOptions{Faults: sim.PoolFaults{SlowJob: 0.5, SlowJobLatency: -1}}, "slowjob"},
	} {
		if _, err := sim.NewPoolWith(fakepoller.New(fakeclock.New()), tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewPoolWith(%+v): %v; want an error saying %q", tc.opts, err, tc.want)
		}
	}
}
