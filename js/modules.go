package js

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"
)

// wrapperHead and wrapperTail make a module's source a function of CommonJS's
// arguments. The head shares the source's first line, so lines keep their numbers.
const (
	wrapperHead = "(function (exports, require, module, __filename, __dirname) { "
	wrapperTail = "\n})"
)

// builtinModules are the modules require gives from the runtime itself.
var builtinModules = map[string]string{
	"timers":          "timers",
	"events":          "events",
	"util":            "util",
	"assert":          "assert",
	"assert/strict":   "assert",
	"process":         "process",
	"perf_hooks":      "perf_hooks",
	"buffer":          "buffer",
	"fs":              "fs",
	"fs/promises":     "fs/promises",
	"path":            "path",
	"crypto":          "crypto",
	"net":             "net",
	"timers/promises": "timers/promises",
}

// unsupportedModules are Node's own modules that the runtime does not provide:
// requiring one fails naming it.
var unsupportedModules = map[string]bool{
	"os":   true,
	"http": true, "https": true, "http2": true, "dns": true, "dgram": true, "tls": true,
	"child_process": true, "cluster": true, "worker_threads": true, "stream": true,
	"stream/promises": true, "zlib": true, "readline": true, "url": true,
	"querystring": true, "string_decoder": true, "vm": true, "v8": true, "async_hooks": true,
	"tty": true, "module": true, "inspector": true, "diagnostics_channel": true,
	"test": true, "punycode": true, "repl": true, "trace_events": true, "wasi": true, "sys": true,
	"console": true, "constants": true, "domain": true,
}

// loadMain loads the main module, inside a callback.
func (rt *Runtime) loadMain(abs string) {
	rt.installModules()
	if _, err := rt.loadModule(abs, nil); err != nil {
		rt.handleError(err)
	}
}

// syntaxLocation is where a SyntaxError of a module's source points, for the
// fatal report's header.
type syntaxLocation struct {
	file      string
	line, col int
}

// loadModule loads the module at abs (cached after its first load) and returns its
// exports; an exception of its code is returned as the engine's error.
func (rt *Runtime) loadModule(abs string, parent *goja.Object) (goja.Value, error) {
	if m, ok := rt.modules[abs]; ok {
		return m.Get("exports"), nil
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		return nil, rt.throwValue(rt.moduleNotFound(abs, parent))
	}
	src := string(data)
	module := rt.vm.NewObject()
	exports := rt.vm.NewObject()
	_ = module.Set("id", abs)
	_ = module.Set("filename", abs)
	_ = module.Set("path", filepath.Dir(abs))
	_ = module.Set("exports", exports)
	_ = module.Set("loaded", false)
	_ = module.Set("children", rt.vm.NewArray())
	if parent != nil {
		_ = module.Set("parent", parent)
	} else {
		_ = module.Set("parent", goja.Null())
	}
	if rt.mainModule == nil {
		rt.mainModule = module
		_ = module.Set("id", ".")
	}
	rt.modules[abs] = module
	if strings.HasSuffix(abs, ".json") {
		var probe any
		if jerr := json.Unmarshal(data, &probe); jerr != nil {
			delete(rt.modules, abs)
			e := rt.newError("SyntaxError", abs+": "+jerr.Error())
			return nil, rt.throwValue(e)
		}
		v, perr := rt.vm.RunString("(" + src + ")")
		if perr != nil {
			delete(rt.modules, abs)
			return nil, perr
		}
		_ = module.Set("exports", v)
		_ = module.Set("loaded", true)
		return v, nil
	}
	if strings.HasPrefix(src, "#!") {
		if i := strings.IndexByte(src, '\n'); i >= 0 {
			src = "//" + src[2:]
		} else {
			src = ""
		}
	}
	rt.sources[abs] = src
	rt.wrapperOffset = len(wrapperHead)
	prg, cerr := goja.Compile(abs, wrapperHead+src+wrapperTail, false)
	if cerr != nil {
		delete(rt.modules, abs)
		return nil, rt.throwValue(rt.syntaxError(abs, cerr))
	}
	fnv, rerr := rt.vm.RunProgram(prg)
	if rerr != nil {
		delete(rt.modules, abs)
		return nil, rerr
	}
	fn, _ := goja.AssertFunction(fnv)
	req := rt.makeRequire(abs, module)
	_ = module.Set("require", req)
	if _, err := fn(exports, exports, req, module, rt.vm.ToValue(abs), rt.vm.ToValue(filepath.Dir(abs))); err != nil {
		delete(rt.modules, abs)
		return nil, err
	}
	_ = module.Set("loaded", true)
	return module.Get("exports"), nil
}

// throwValue makes v the error of a call that threw it.
func (rt *Runtime) throwValue(v goja.Value) error {
	return &thrown{v: v}
}

// thrown is a JavaScript value thrown by the runtime's Go code.
type thrown struct{ v goja.Value }

func (t *thrown) Error() string { return t.v.String() }

// newError makes an Error of the constructor called name.
func (rt *Runtime) newError(name, msg string) *goja.Object {
	ctor, _ := goja.AssertConstructor(rt.vm.GlobalObject().Get(name))
	o, err := ctor(nil, rt.vm.ToValue(msg))
	if err != nil {
		return rt.vm.NewGoError(errors.New(msg))
	}
	return o
}

// syntaxError is the SyntaxError of a module whose source does not compile, with
// where it points.
func (rt *Runtime) syntaxError(file string, err error) goja.Value {
	msg := err.Error()
	loc := syntaxLocation{file: file}
	var (
		ce *goja.CompilerSyntaxError
		pl parser.ErrorList
		pe *parser.Error
	)
	switch {
	case errors.As(err, &ce):
		msg = ce.Message
		if ce.File != nil {
			p := ce.File.Position(ce.Offset)
			loc.line, loc.col = p.Line, p.Column
		} else if m := syntaxMessageRE.FindStringSubmatch(msg); m != nil {
			loc.line, _ = strconv.Atoi(m[1])
			loc.col, _ = strconv.Atoi(m[2])
			msg = m[3]
		}
	case errors.As(err, &pl) && len(pl) > 0:
		msg = pl[0].Message
		loc.line, loc.col = pl[0].Position.Line, pl[0].Position.Column
	case errors.As(err, &pe):
		msg = pe.Message
		loc.line, loc.col = pe.Position.Line, pe.Position.Column
	}
	loc.col = rt.column(file, loc.line, loc.col)
	if m := unexpectedTokenRE.FindStringSubmatch(msg); m != nil {
		msg = "Unexpected token '" + m[1] + "'"
	}
	if msg == "Unexpected token 'await'" && strings.Contains(rt.sourceLine(file, loc.line), "for await") {
		msg = "for await...of is not supported by nodeloop's engine: call the iterator's next() instead"
	}
	e := rt.newError("SyntaxError", msg)
	_ = e.Set("stack", "SyntaxError: "+msg)
	rt.syntaxAt = append(rt.syntaxAt, syntaxErrorAt{e, loc})
	return e
}

// sourceLine is line n of a module's source, or "".
func (rt *Runtime) sourceLine(file string, n int) string {
	lines := strings.Split(rt.sources[file], "\n")
	if n < 1 || n > len(lines) {
		return ""
	}
	return lines[n-1]
}

// syntaxMessageRE matches the engine's message of a source that does not parse.
var syntaxMessageRE = regexp.MustCompile(`Line (\d+):(\d+) (.*?)(?: \(and \d+ more errors\))?$`)

// unexpectedTokenRE matches the engine's "Unexpected token X", which Node writes
// with the token quoted.
var unexpectedTokenRE = regexp.MustCompile(`^Unexpected token ([^'\s]+)$`)

// syntaxErrorAt is a SyntaxError the runtime made and where its source points.
type syntaxErrorAt struct {
	err *goja.Object
	loc syntaxLocation
}

// moduleNotFound is Node's error for a module that cannot be found.
func (rt *Runtime) moduleNotFound(request string, parent *goja.Object) goja.Value {
	msg := "Cannot find module '" + request + "'"
	stack := rt.vm.NewArray()
	if parent != nil {
		msg += "\nRequire stack:"
		i := 0
		for p := parent; p != nil; {
			f := p.Get("filename").String()
			msg += "\n- " + f
			_ = stack.Set(itoa(i), f)
			i++
			next, ok := p.Get("parent").(*goja.Object)
			if !ok {
				break
			}
			p = next
		}
	}
	e := rt.newError("Error", msg)
	_ = e.Set("code", "MODULE_NOT_FOUND")
	_ = e.Set("requireStack", stack)
	return e
}

// makeRequire is the require function of the module at file.
func (rt *Runtime) makeRequire(file string, module *goja.Object) *goja.Object {
	dir := filepath.Dir(file)
	req := rt.vm.ToValue(func(call goja.FunctionCall) goja.Value {
		arg := call.Argument(0)
		if _, ok := arg.(goja.String); !ok || arg.String() == "" {
			e := rt.newError("TypeError", "The \"id\" argument must be of type string. Received "+rt.inspect(arg))
			_ = e.Set("code", "ERR_INVALID_ARG_TYPE")
			panic(e)
		}
		v, err := rt.require(arg.String(), dir, module)
		if err != nil {
			rt.rethrow(err)
		}
		return v
	}).ToObject(rt.vm)
	_ = req.Set("main", rt.mainModule)
	_ = req.Set("resolve", func(call goja.FunctionCall) goja.Value {
		name := call.Argument(0).String()
		if _, ok := builtinName(name); ok {
			return rt.vm.ToValue(name)
		}
		abs, ok := resolveFile(name, dir)
		if !ok {
			panic(rt.moduleNotFound(name, module))
		}
		return rt.vm.ToValue(abs)
	})
	return req
}

// rethrow throws err's JavaScript value again from a native function.
func (rt *Runtime) rethrow(err error) {
	var t *thrown
	if errors.As(err, &t) {
		panic(t.v)
	}
	var ex *goja.Exception
	if errors.As(err, &ex) {
		panic(ex)
	}
	panic(err)
}

// builtinName returns the runtime's name of a built-in module.
func builtinName(name string) (string, bool) {
	n, ok := builtinModules[strings.TrimPrefix(name, "node:")]
	return n, ok
}

// require is require(name) in the module at dir.
func (rt *Runtime) require(name, dir string, parent *goja.Object) (goja.Value, error) {
	if b, ok := builtinName(name); ok {
		return rt.internal.builtins.Get(b), nil
	}
	bare := strings.TrimPrefix(name, "node:")
	if unsupportedModules[bare] || strings.HasPrefix(name, "node:") {
		e := rt.newError("Error", "nodeloop: module '"+bare+"' is not supported")
		_ = e.Set("code", "ERR_NODELOOP_UNSUPPORTED_MODULE")
		return nil, rt.throwValue(e)
	}
	if !strings.HasPrefix(name, "./") && !strings.HasPrefix(name, "../") && !strings.HasPrefix(name, "/") && name != "." && name != ".." {
		return nil, rt.throwValue(rt.moduleNotFound(name, parent))
	}
	abs, ok := resolveFile(name, dir)
	if !ok {
		return nil, rt.throwValue(rt.moduleNotFound(name, parent))
	}
	return rt.loadModule(abs, parent)
}

// resolveFile resolves a relative or absolute request as Node's LOAD_AS_FILE and
// LOAD_AS_DIRECTORY: the file, with .js or .json, or the directory's package.json
// main or index.js or index.json.
func resolveFile(name, dir string) (string, bool) {
	p := name
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, name)
	}
	isFile := func(f string) bool {
		st, err := os.Stat(f)
		return err == nil && !st.IsDir()
	}
	for _, f := range []string{p, p + ".js", p + ".json"} {
		if isFile(f) {
			return f, true
		}
	}
	if data, err := os.ReadFile(filepath.Join(p, "package.json")); err == nil {
		var pkg struct {
			Main string `json:"main"`
		}
		if json.Unmarshal(data, &pkg) == nil && pkg.Main != "" {
			m := filepath.Join(p, pkg.Main)
			for _, f := range []string{m, m + ".js", m + ".json", filepath.Join(m, "index.js")} {
				if isFile(f) {
					return f, true
				}
			}
		}
	}
	for _, f := range []string{filepath.Join(p, "index.js"), filepath.Join(p, "index.json")} {
		if isFile(f) {
			return f, true
		}
	}
	return "", false
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}
