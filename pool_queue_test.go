package nodeloop

import "testing"

// queueOnly returns a pool whose workers never start, so that a test takes its jobs.
func queueOnly() *WorkerPool {
	p := NewPool(1)
	p.once.Do(func() {})
	return p
}

// takeOne takes the next queued job of p, as a worker does.
func takeOne(p *WorkerPool) *Job {
	p.mu.Lock()
	defer p.mu.Unlock()
	var batch [1]*Job
	return p.take(batch[:0], 1)[0]
}

// The pool's queue is a FIFO across its segments, however submissions and takes
// interleave, and counts what it holds.
func TestJobQueue(t *testing.T) {
	jobs := make([]Job, 3*jobSegJobs+7)
	tests := []struct {
		name string
		// pattern is the number of submissions, then of takes, done in turn until
		// every job was submitted, the queue then emptied.
		push, pop int
	}{
		{"one at a time", 1, 1},
		{"all then none", len(jobs), 0},
		{"a segment each way", jobSegJobs, jobSegJobs},
		{"grows slowly", 5, 3},
		{"across a segment's end", jobSegJobs + 1, jobSegJobs - 1},
	}
	for _, tt := range tests {
		p := queueOnly()
		var want []*Job
		next := 0
		check := func() {
			if n := int(p.submitted.Load() - p.taken); n != len(want) {
				t.Fatalf("%s: %d jobs queued, want %d", tt.name, n, len(want))
			}
			j := takeOne(p)
			if j != want[0] {
				t.Fatalf("%s: took job %d, want job %d", tt.name, index(jobs, j), index(jobs, want[0]))
			}
			want = want[1:]
		}
		for next < len(jobs) {
			for range tt.push {
				if next == len(jobs) {
					break
				}
				p.Submit(&jobs[next])
				want = append(want, &jobs[next])
				next++
			}
			for range tt.pop {
				if len(want) == 0 {
					break
				}
				check()
			}
		}
		for len(want) > 0 {
			check()
		}
		if p.submitted.Load() != p.taken || p.head != p.tail {
			t.Fatalf("%s: emptied queue holds %d jobs in more than one segment (%v)", tt.name, p.submitted.Load()-p.taken, p.head != p.tail)
		}
	}
}

// A queue that goes up and down by a segment's worth of jobs reuses the segment its
// workers emptied, and lets go of the jobs in it.
func TestJobQueueReusesSegments(t *testing.T) {
	p := queueOnly()
	jobs := make([]Job, jobSegJobs)
	round := func() {
		for i := range jobs {
			p.Submit(&jobs[i])
		}
		for range jobs {
			takeOne(p)
		}
	}
	round()
	round()
	if n := testing.AllocsPerRun(10, round); n != 0 {
		t.Fatalf("a segment's worth of jobs through the queue: %v allocations, want 0", n)
	}
	if s := p.spare.Load(); s != nil {
		for i, j := range s.jobs {
			if j != nil {
				t.Fatalf("the emptied segment still holds job %d in place %d", index(jobs, j), i)
			}
		}
	}
}

func index(jobs []Job, j *Job) int {
	for i := range jobs {
		if &jobs[i] == j {
			return i
		}
	}
	return -1
}
