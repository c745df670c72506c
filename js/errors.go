package js

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/dop251/goja"
)

// frameRE matches a frame of the engine's stack strings: "\tat NAME (FILE:L:C(PC))"
// or "\tat FILE:L:C(PC)".
var frameRE = regexp.MustCompile(`^\s*at (?:(.*) \()?(.*?):(\d+):(\d+)(?:\(\d+\))?\)?$`)

// frame is one frame of a stack, in the script's coordinates.
type frame struct {
	fn        string
	file      string
	line, col int
}

func (f frame) String() string {
	loc := f.file + ":" + strconv.Itoa(f.line) + ":" + strconv.Itoa(f.col)
	if f.fn == "" {
		return "    at " + loc
	}
	return "    at " + f.fn + " (" + loc + ")"
}

// internalFile reports whether a frame's file is the runtime's own code.
func internalFile(file string) bool {
	return file == internalName || strings.HasPrefix(file, "node:") || file == "<native>" || file == ""
}

// column maps a column of the compiled source to the script's: the module wrapper
// shares the first line.
func (rt *Runtime) column(file string, line, col int) int {
	if line == 1 && !internalFile(file) && rt.sources[file] != "" {
		col -= rt.wrapperOffset
		if col < 1 {
			col = 1
		}
	}
	return col
}

// parseStack splits a stack string of the engine into its message and the
// script's frames.
func (rt *Runtime) parseStack(stack string) (msg string, frames []frame) {
	lines := strings.Split(stack, "\n")
	var head []string
	for _, ln := range lines {
		if !strings.HasPrefix(ln, "\tat ") {
			if len(frames) == 0 {
				head = append(head, ln)
			}
			continue
		}
		m := frameRE.FindStringSubmatch(ln)
		if m == nil || internalFile(m[2]) {
			continue
		}
		l, _ := strconv.Atoi(m[3])
		c, _ := strconv.Atoi(m[4])
		fn := m[1]
		if fn == "" {
			fn = "Object.<anonymous>"
		}
		frames = append(frames, frame{fn: fn, file: m[2], line: l, col: rt.column(m[2], l, c)})
	}
	return strings.TrimRight(strings.Join(head, "\n"), "\n"), frames
}

// nodeStackString rewrites a stack string of the engine in Node's shape, without
// the runtime's frames.
func (rt *Runtime) nodeStackString(stack string) string {
	msg, frames := rt.parseStack(stack)
	var b strings.Builder
	b.WriteString(msg)
	for _, f := range frames {
		b.WriteString("\n")
		b.WriteString(f.String())
	}
	return b.String()
}

// exceptionFrames are the script's frames of where an exception was thrown.
func (rt *Runtime) exceptionFrames(ex *goja.Exception) []frame {
	var frames []frame
	for _, sf := range ex.Stack() {
		p := sf.Position()
		if internalFile(p.Filename) {
			continue
		}
		frames = append(frames, frame{fn: sf.FuncName(), file: p.Filename, line: p.Line, col: rt.column(p.Filename, p.Line, p.Column)})
	}
	return frames
}

// throwSite moves a frame where an Error was made to the throw statement that
// starts on the same line before it, where Node's report points.
func (rt *Runtime) throwSite(f frame) frame {
	lines := strings.Split(rt.sources[f.file], "\n")
	if f.line < 1 || f.line > len(lines) {
		return f
	}
	text := lines[f.line-1]
	if f.col-1 <= len(text) {
		if i := strings.LastIndex(text[:f.col-1], "throw"); i >= 0 {
			f.col = i + 1
		}
	}
	return f
}

// sourceHeader is Node's first lines of a fatal exception's report: the file and
// line, the line of source and a caret under the column.
func (rt *Runtime) sourceHeader(f frame) string {
	src, ok := rt.sources[f.file]
	if !ok {
		return ""
	}
	lines := strings.Split(src, "\n")
	if f.line < 1 || f.line > len(lines) {
		return ""
	}
	text := strings.TrimRight(lines[f.line-1], "\r")
	col := f.col
	if col < 1 {
		col = 1
	}
	pad := strings.Repeat(" ", min(col-1, len(text)))
	return fmt.Sprintf("%s:%d\n%s\n%s^\n", f.file, f.line, text, pad)
}

// printUncaught prints a fatal exception on stderr as Node does.
func (rt *Runtime) printUncaught(v goja.Value, ex *goja.Exception, origin string) {
	var where []frame
	if ex != nil {
		where = rt.exceptionFrames(ex)
	}
	if !rt.isError(v) {
		// Node reports a thrown value that is not an Error by its inspection, after
		// a blank line, with a hint when it is a primitive.
		_, isObject := v.(*goja.Object)
		var b strings.Builder
		b.WriteString("\n")
		if len(where) > 0 {
			b.WriteString(rt.sourceHeader(where[0]))
		}
		if _, ok := v.(goja.String); ok {
			b.WriteString(v.String())
		} else {
			b.WriteString(rt.inspect(v))
		}
		b.WriteString("\n")
		if !isObject {
			b.WriteString("(Use `node --trace-uncaught ...` to show where the exception was thrown)\n")
		}
		fmt.Fprintf(&b, "\nNode.js %s\n", NodeVersion)
		io.WriteString(rt.stderr, b.String())
		return
	}
	for _, s := range rt.syntaxAt {
		if o, ok := v.(*goja.Object); ok && s.err == o {
			where = []frame{{file: s.loc.file, line: s.loc.line, col: s.loc.col}}
			ex = nil
		}
	}
	if ex != nil && len(where) > 0 && ex.Value() != nil {
		where[0] = rt.throwSite(where[0])
	}
	if len(where) == 0 {
		stack := v.ToObject(rt.vm).Get("stack")
		if stack != nil && !goja.IsUndefined(stack) {
			_, where = rt.parseStack(stack.String())
		}
	}
	var b strings.Builder
	if len(where) > 0 {
		if h := rt.sourceHeader(where[0]); h != "" {
			b.WriteString(h)
			b.WriteString("\n")
		}
	} else if origin == "unhandledRejection" {
		b.WriteString("node:internal/process/promises:389\n      new UnhandledPromiseRejection(reason);\n      ^\n\n")
	}
	b.WriteString(rt.inspect(v))
	fmt.Fprintf(&b, "\n\nNode.js %s\n", NodeVersion)
	io.WriteString(rt.stderr, b.String())
}

// printMissingMain is Node's report of a main script that does not exist.
func (rt *Runtime) printMissingMain(abs string) {
	fmt.Fprintf(rt.stderr, "node:internal/modules/cjs/loader:1210\n  throw err;\n  ^\n\n"+
		"Error: Cannot find module '%s' {\n  code: 'MODULE_NOT_FOUND',\n  requireStack: []\n}\n\nNode.js %s\n", abs, NodeVersion)
}
