package nodeloop

import "testing"

// The pool's queue is a FIFO across its segments, however pushes and pops
// interleave, and keeps no more than one emptied segment.
func TestJobQueue(t *testing.T) {
	jobs := make([]Job, 3*jobSegJobs+7)
	tests := []struct {
		name string
		// pattern is the number of pushes, then of pops, done in turn until
		// every job was pushed, the queue then emptied.
		push, pop int
	}{
		{"one at a time", 1, 1},
		{"all then none", len(jobs), 0},
		{"a segment each way", jobSegJobs, jobSegJobs},
		{"grows slowly", 5, 3},
		{"across a segment's end", jobSegJobs + 1, jobSegJobs - 1},
	}
	for _, tt := range tests {
		var q jobQueue
		var want []*Job
		next := 0
		check := func() {
			if q.len() != len(want) {
				t.Fatalf("%s: len %d, want %d", tt.name, q.len(), len(want))
			}
			j := q.pop()
			if j != want[0] {
				t.Fatalf("%s: popped job %d, want job %d", tt.name, index(jobs, j), index(jobs, want[0]))
			}
			want = want[1:]
		}
		for next < len(jobs) {
			for range tt.push {
				if next == len(jobs) {
					break
				}
				q.push(&jobs[next])
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
		if q.len() != 0 || q.head != q.tail {
			t.Fatalf("%s: emptied queue holds %d jobs in more than one segment (%v)", tt.name, q.len(), q.head != q.tail)
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
