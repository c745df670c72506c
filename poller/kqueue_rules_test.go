package poller

import (
	"math"
	"testing"
	"time"
)

func TestKeventTimeout(t *testing.T) {
	const maxNsec = int64(keventWaitSecMax) * 1e9
	tests := []struct {
		name    string
		timeout time.Duration
		nsec    int64
		timed   bool
	}{
		{"forever", -1, 0, false},
		{"most negative", math.MinInt64, 0, false},
		{"poll", 0, 0, true},
		{"one nanosecond", 1, 1, true},
		{"1.5 ms, kept to the nanosecond", 1500 * time.Microsecond, 1_500_000, true},
		{"one hour", time.Hour, int64(time.Hour), true},
		{"just under the cap", keventWaitSecMax*time.Second - 1, maxNsec - 1, true},
		{"the cap", keventWaitSecMax * time.Second, maxNsec, true},
		{"just over the cap", keventWaitSecMax*time.Second + 1, maxNsec, true},
		{"a 20-day timer", 20 * 24 * time.Hour, maxNsec, true},
		{"the longest duration", math.MaxInt64, maxNsec, true},
	}
	for _, tt := range tests {
		nsec, timed := keventTimeout(tt.timeout)
		if nsec != tt.nsec || timed != tt.timed {
			t.Errorf("%s: keventTimeout(%d) = (%d, %v), want (%d, %v)",
				tt.name, int64(tt.timeout), nsec, timed, tt.nsec, tt.timed)
		}
		if timed && nsec/1e9 > keventWaitSecMax {
			t.Errorf("%s: keventTimeout(%d) waits %d s, more than the %d s Darwin accepts",
				tt.name, int64(tt.timeout), nsec/1e9, keventWaitSecMax)
		}
	}
}

func TestKeventWakes(t *testing.T) {
	tests := []struct {
		name                       string
		filter                     keventFilter
		eof, failed                bool
		readable, writable, hangup bool
	}{
		{"readable", filterRead, false, false, true, false, false},
		{"writable", filterWrite, false, false, false, true, false},
		{"peer's end on the read filter retries a waiting write", filterRead, true, false, true, true, true},
		{"end on the write filter", filterWrite, true, false, false, true, true},
		{"error on the read filter", filterRead, false, true, true, false, true},
		{"error on the write filter", filterWrite, false, true, false, true, true},
		{"end and error on the read filter", filterRead, true, true, true, true, true},
		{"another filter", filterOther, false, false, false, false, false},
		{"another filter's end", filterOther, true, false, false, false, true},
	}
	for _, tt := range tests {
		r, w, h := keventWakes(tt.filter, tt.eof, tt.failed)
		if r != tt.readable || w != tt.writable || h != tt.hangup {
			t.Errorf("%s: keventWakes(%d, eof=%v, error=%v) = (readable %v, writable %v, hangup %v), want (%v, %v, %v)",
				tt.name, tt.filter, tt.eof, tt.failed, r, w, h, tt.readable, tt.writable, tt.hangup)
		}
	}
}
