package properties_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/properties"
	"github.com/nodeloop/nodeloop/scenarios"
)

// captureTB is a rapid.TB that keeps what a test reports instead of failing, and
// ends the test's goroutine's work by a panic that run recovers.
type captureTB struct {
	name   string
	failed bool
	out    strings.Builder
}

type captureStop struct{}

func (c *captureTB) Helper()                   {}
func (c *captureTB) Name() string              { return c.name }
func (c *captureTB) Logf(f string, a ...any)   { fmt.Fprintf(&c.out, f+"\n", a...) }
func (c *captureTB) Log(a ...any)              { fmt.Fprintln(&c.out, a...) }
func (c *captureTB) Skipf(string, ...any)      { panic(captureStop{}) }
func (c *captureTB) Skip(...any)               { panic(captureStop{}) }
func (c *captureTB) SkipNow()                  { panic(captureStop{}) }
func (c *captureTB) Errorf(f string, a ...any) { c.failed = true; c.Logf(f, a...) }
func (c *captureTB) Error(a ...any)            { c.failed = true; c.Log(a...) }
func (c *captureTB) Fatalf(f string, a ...any) { c.Errorf(f, a...); panic(captureStop{}) }
func (c *captureTB) Fatal(a ...any)            { c.Error(a...); panic(captureStop{}) }
func (c *captureTB) FailNow()                  { c.failed = true; panic(captureStop{}) }
func (c *captureTB) Fail()                     { c.failed = true }
func (c *captureTB) Failed() bool              { return c.failed }

// capture runs properties.Test on program with a captureTB named name, with no
// rapid fail file read or written, and returns the TB.
func capture(name string, program func(*nodeloop.Loop), opts ...properties.TestOption) *captureTB {
	prev := flag.Lookup("rapid.nofailfile").Value.String()
	flag.Set("rapid.nofailfile", "true")
	defer flag.Set("rapid.nofailfile", prev)
	c := &captureTB{name: name}
	func() {
		defer func() {
			if p := recover(); p != nil {
				if _, ok := p.(captureStop); !ok {
					panic(p)
				}
			}
		}()
		properties.Test(c, program, opts...)
	}()
	return c
}

// searchesMax bounds the properties.Test calls of one BenchmarkShrink iteration.
const searchesMax = 20

var offDefaults = regexp.MustCompile(`choices off their defaults \((\d+) of (\d+)\)`)

// failingRunFiles finds the directory of a failing case's files in a report.
var failingRunFiles = regexp.MustCompile(`trace of the failing run: (\S+)`)

// removeFiles removes the directory of the failing case's files that the report out
// names, if it is a temporary one.
func removeFiles(out string) {
	if m := failingRunFiles.FindStringSubmatch(out); m != nil {
		if dir := filepath.Dir(m[1]); strings.HasPrefix(filepath.Base(dir), "nodeloop-") {
			os.RemoveAll(dir)
		}
	}
}

// BenchmarkShrink finds and shrinks the bug planted in each program of planted,
// under the options the table gives it (Test's defaults, every fault and a callback
// cost, unless it says otherwise), within rapid's shrink time
// (-rapid.shrinktime, 30 s by default). Each iteration runs properties.Test from a
// fresh rapid seed until it fails (a bug that rapid's 100 cases miss is searched for
// again, up to searchesMax times): ns/op is the time to fail and shrink, "choices"
// the choices left off their defaults in the shrunk case (the goal is at most 5),
// "max-choices" the most of any iteration, "of" all the choices the case makes,
// "searches" the properties.Test calls it took. Run it with
//
//	go test -run NONE -bench Shrink -benchtime 5x ./properties
func BenchmarkShrink(b *testing.B) {
	for _, p := range planted {
		b.Run(p.name, func(b *testing.B) {
			var off, all, most, searches float64
			for i := range b.N {
				start := time.Now()
				var c *captureTB
				for search := 1; ; search++ {
					c = capture(fmt.Sprintf("BenchmarkShrink_%s_%d", p.name, i), p.program, p.opts...)
					if c.failed || search == searchesMax {
						searches += float64(search)
						break
					}
				}
				elapsed := time.Since(start)
				out := c.out.String()
				removeFiles(out)
				if !c.failed || !strings.Contains(out, p.cause) {
					b.Fatalf("the planted bug was not found in %d searches (%v):\n%s", searchesMax, elapsed, out)
				}
				m := offDefaults.FindStringSubmatch(out)
				if m == nil {
					b.Fatalf("no count of the choices off their defaults in:\n%s", out)
				}
				n, _ := strconv.Atoi(m[1])
				total, _ := strconv.Atoi(m[2])
				off += float64(n)
				all += float64(total)
				most = max(most, float64(n))
				if testing.Verbose() {
					b.Logf("%s: %d of %d choices off their defaults after %v:\n%s", p.name, n, total, elapsed.Round(time.Millisecond), out)
				}
			}
			b.ReportMetric(off/float64(b.N), "choices")
			b.ReportMetric(most, "max-choices")
			b.ReportMetric(all/float64(b.N), "of")
			b.ReportMetric(searches/float64(b.N), "searches")
		})
	}
}

// BenchmarkTestPasses is the cost of passing cases: one op is a properties.Test of
// the echo scenario, 100 cases under every fault and the default callback cost,
// each run twice (the second time from its choice log, to check that it repeats).
func BenchmarkTestPasses(b *testing.B) {
	for range b.N {
		properties.Test(b, func(l *nodeloop.Loop) { scenarios.Echo(l, quiet{})() })
	}
}
