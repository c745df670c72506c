package bench

import (
	"runtime"
	"strconv"
	"testing"
)

// TestTimersMemChild runs both in-process implementations of TimersMem, each in its
// child process, and checks the memory fields they report.
func TestTimersMemChild(t *testing.T) {
	if _, err := peakRSSKiB(); err != nil {
		t.Skipf("precondition: %v", err)
	}
	for _, f := range []struct {
		impl string
		run  Func
	}{{ImplNodeloop, nodeloopTimersMem}, {ImplGo, goTimersMem}} {
		t.Run(f.impl, func(t *testing.T) {
			r, err := f.run(smallOps)
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, r, TimersMem, f.impl, smallOps)
			field := func(k string) int64 {
				v, err := strconv.ParseInt(r.Extra[k], 10, 64)
				if err != nil || v < 0 {
					t.Fatalf("%s: %s=%q, want a count", r, k, r.Extra[k])
				}
				return v
			}
			base, rss, per := field("base_kib"), field("rss_kib"), field("bytes_per_timer")
			if base == 0 || rss < base {
				t.Fatalf("%s: base_kib=%d rss_kib=%d, want 0 < base_kib <= rss_kib", r, base, rss)
			}
			if want := (rss - base) * 1024 / smallOps; per != want {
				t.Fatalf("%s: bytes_per_timer=%d, want (rss_kib-base_kib)*1024/ops = %d", r, per, want)
			}
		})
	}
}

// TestPeakRSS checks that the peak resident set size never falls and holds what the
// process touched: a peak earlier in the process (a test run before this one) may
// already be above it, so the test asks no rise.
func TestPeakRSS(t *testing.T) {
	before, err := peakRSSKiB()
	if err != nil {
		t.Skipf("precondition: %v", err)
	}
	const size = 64 << 20
	b := make([]byte, size)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	after, err := peakRSSKiB()
	runtime.KeepAlive(b)
	if err != nil {
		t.Fatal(err)
	}
	if after < before || after<<10 < size {
		t.Fatalf("after touching %d MiB the peak is %d KiB (before, %d KiB), want no less than before and at least %d KiB", size>>20, after, before, size>>10)
	}
}
