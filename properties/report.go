package properties

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/sim"
)

// The flags of a test binary that calls Test.
var (
	choicesFlag = flag.String("nodeloop.choices", "", "properties.Test: replay the choice log `FILE` once, without rapid, instead of searching for a failing case")
	keepFlag    = flag.Bool("nodeloop.keep", false, "properties.Test: write a failing case's trace and choice log under testdata/nodeloop/ instead of a temporary directory")
)

// modulePath is the import path of the module's packages, whose frames a trimmed
// stack leaves out.
const modulePath = "github.com/nodeloop/nodeloop"

// failure is a failing case: what went wrong, and every choice it made.
type failure struct {
	msg string
	log []sim.Choice
}

// nonDefault returns the choices of log that are not option 0, the calm one, as
// "label=value".
func nonDefault(log []sim.Choice) []string {
	var out []string
	for _, c := range log {
		if c.Value != 0 {
			out = append(out, fmt.Sprintf("%s=%d", c.What, c.Value))
		}
	}
	return out
}

// describeErr says how a run's error came about: a callback's panic is its value and
// the stack trimmed to the program's own frames.
func describeErr(err error, userPkg string) string {
	var cp *nodeloop.CallbackPanic
	if !errors.As(err, &cp) {
		return err.Error()
	}
	s := fmt.Sprintf("panic: %v\n(in a %s phase callback of tick %d, trace seq %d)", cp.Value, cp.Phase, cp.Tick, cp.Seq)
	if st := trimStack(cp.Stack, userPkg); st != "" {
		s += "\n" + st
	}
	return s
}

// trimStack keeps, of a goroutine's stack as debug.Stack writes it, the frames of
// the program: those of packages outside this module and of userPkg, the package
// that called Test, above the first frame of the harness (this package or sim),
// below which are the run and the test that started it. The runtime's, the loop's, the simulator's, this package's and
// rapid's frames are what every failure has in common, and they hide the one line
// that differs.
func trimStack(stack []byte, userPkg string) string {
	lines := strings.Split(strings.TrimRight(string(stack), "\n"), "\n")
	var out []string
	for i := 0; i < len(lines); i++ {
		fn := lines[i]
		if strings.HasPrefix(fn, "goroutine ") || strings.HasPrefix(fn, "\t") {
			continue
		}
		var where string
		if i+1 < len(lines) && strings.HasPrefix(lines[i+1], "\t") {
			where = lines[i+1]
			i++
		}
		name := strings.TrimPrefix(fn, "created by ")
		if j := strings.LastIndex(name, "("); j > 0 && strings.HasSuffix(name, ")") {
			name = name[:j]
		}
		pkg := funcPackage(name)
		if pkg == modulePath+"/properties" || pkg == modulePath+"/sim" {
			break // the harness that ran the program, and the test that called it
		}
		if !userFrame(pkg, userPkg) {
			continue
		}
		if j := strings.LastIndex(where, " +0x"); j > 0 {
			where = where[:j]
		}
		out = append(out, name+"\n"+where)
	}
	return strings.Join(out, "\n")
}

// userFrame reports whether a frame of package pkg is the program's.
func userFrame(pkg, userPkg string) bool {
	switch {
	case pkg == userPkg:
		return true
	case pkg == modulePath || strings.HasPrefix(pkg, modulePath+"/"):
		return false
	case pkg == "testing" || strings.HasPrefix(pkg, "pgregory.net/rapid"):
		return false
	case !strings.Contains(pkg, "."):
		return false // the standard library: runtime, runtime/debug, reflect, ...
	}
	return true
}

// funcPackageOf returns the package of the function skip frames above its caller,
// as its symbols name it: an external test package keeps its _test suffix.
func funcPackageOf(skip int) string {
	pc, _, _, ok := runtime.Caller(skip + 1)
	if !ok {
		return ""
	}
	f := runtime.FuncForPC(pc)
	if f == nil {
		return ""
	}
	return funcPackage(f.Name())
}

// artifacts are the files of a failing case: its run's trace, and its choice log.
type artifacts struct {
	dir, trace, choices string
}

// artifactDir returns the directory for the files of the failing case of the test
// named name: testdata/nodeloop/NAME under -nodeloop.keep, else a fresh temporary
// directory, which outlives the test (a test's own TempDir is removed when it ends,
// before anyone could open the trace).
func artifactDir(name string) (string, error) {
	safe := regexp.MustCompile(`[^A-Za-z0-9_.-]+`).ReplaceAllString(name, "_")
	if *keepFlag {
		dir, err := filepath.Abs(filepath.Join("testdata", "nodeloop", safe))
		if err != nil {
			return "", err
		}
		return dir, os.MkdirAll(dir, 0o755)
	}
	return os.MkdirTemp("", "nodeloop-"+safe+"-")
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`*?[]{}()<>|&;#~!^") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// report is the text of a failing Test: the message, the choices off their defaults,
// the trace file with the command that shows it, and the command that replays the
// case once.
func report(name, pkg, header string, f *failure, files *artifacts, filesErr error, rapidRepro string) string {
	var b strings.Builder
	b.WriteString(header)
	b.WriteString("\n")
	b.WriteString(strings.TrimRight(f.msg, "\n"))
	b.WriteString("\n")
	nd := nonDefault(f.log)
	fmt.Fprintf(&b, "\nchoices off their defaults (%d of %d):\n", len(nd), len(f.log))
	for _, c := range nd {
		b.WriteString("  " + c + "\n")
	}
	if len(nd) == 0 {
		b.WriteString("  (none: the calm schedule fails)\n")
	}
	if filesErr != nil {
		fmt.Fprintf(&b, "\nthe failing case's files could not be written: %v\n", filesErr)
	}
	if files != nil && files.trace != "" {
		fmt.Fprintf(&b, "\ntrace of the failing run: %s\n", files.trace)
		fmt.Fprintf(&b, "  open it: nodeloop view %s -o %s\n", shellQuote(files.trace), shellQuote(strings.TrimSuffix(files.trace, ".jsonl")+".html"))
		b.WriteString("  (nodeloop is go run " + modulePath + "/cmd/nodeloop)\n")
	}
	if files != nil && files.choices != "" {
		// The package comes before the flag, which go test does not know: it passes
		// everything from an unknown flag on to the test binary.
		fmt.Fprintf(&b, "\nreplay it once, without shrinking:\n  go test -run %s %s -nodeloop.choices=%s\n",
			shellQuote(runPattern(name)), pkg, shellQuote(files.choices))
	}
	if rapidRepro != "" {
		fmt.Fprintf(&b, "\nsearch and shrink again from rapid's seed: %s\n", rapidRepro)
	}
	return b.String()
}
