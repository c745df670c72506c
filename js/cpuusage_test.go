package js_test

import (
	"testing"
	"time"

	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/js"
)

// process.cpuUsage reads the process's CPU time on the operating system's clock, and
// the clock's time on another one; given an earlier reading, it returns the
// difference.
func TestCPUUsage(t *testing.T) {
	const src = `const a = process.cpuUsage();
let x = 0;
for (let i = 0; i < 2e6; i++) x += i;
const d = process.cpuUsage(a);
console.log(typeof a.user, typeof a.system, Number.isInteger(d.user), d.user + d.system > 0, d.user >= 0 && d.system >= 0);`
	code, stdout, stderr := runSource(t, src, js.Config{})
	if code != 0 || stdout != "number number true true true\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q; want 0 and %q", code, stdout, stderr, "number number true true true\n")
	}

	clock := fakeclock.New()
	clock.Advance(5 * time.Second) // before the runtime starts: not counted
	code, stdout, stderr = runSource(t, "console.log(process.cpuUsage());", js.Config{Clock: clock})
	if want := "{ user: 0, system: 0 }\n"; code != 0 || stdout != want {
		t.Fatalf("on a fake clock: exit %d, stdout %q, stderr %q; want 0 and %q", code, stdout, stderr, want)
	}
}
