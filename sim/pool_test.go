package sim_test

import (
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
