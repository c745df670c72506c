package js

import (
	"fmt"

	"github.com/dop251/goja"
)

// nativeModule is a built-in module made of JavaScript in lib/ and the Go functions
// its source reaches through a binding object of its own.
type nativeModule struct {
	// name is the module's name for require, without "node:".
	name string
	// file names the source in stacks, as node:NAME.
	file string
	// source is a function expression (binding, builtins, global) returning the
	// module's exports; it may also set globals.
	source string
	// binding adds the module's Go functions to its binding object; nil for none.
	binding func(rt *Runtime, set func(name string, v any))
}

// nativeModules are the modules installed before the main script runs, in
// registration order (init order: the files' names), so that a module finds in
// builtins those registered before it.
var nativeModules []nativeModule

// registerModule adds m to the modules every runtime installs.
func registerModule(m nativeModule) { nativeModules = append(nativeModules, m) }

// installModules runs every registered module's source once, making its exports
// builtins[name]. It runs in the main script's callback, before the script.
func (rt *Runtime) installModules() {
	for _, m := range nativeModules {
		b := rt.vm.NewObject()
		if m.binding != nil {
			m.binding(rt, func(name string, v any) {
				if err := b.Set(name, v); err != nil {
					panic("nodeloop: binding " + m.name + "." + name + ": " + err.Error())
				}
			})
		}
		prg, err := goja.Compile("node:"+m.file, m.source, true)
		if err != nil {
			panic(fmt.Sprintf("nodeloop: module %s does not compile: %v", m.name, err))
		}
		fnv, err := rt.vm.RunProgram(prg)
		if err != nil {
			panic(fmt.Sprintf("nodeloop: module %s: %v", m.name, err))
		}
		fn, ok := goja.AssertFunction(fnv)
		if !ok {
			panic("nodeloop: module " + m.name + " is not a function")
		}
		exports, err := fn(goja.Undefined(), b, rt.internal.builtins, rt.vm.GlobalObject())
		if err != nil {
			panic(fmt.Sprintf("nodeloop: module %s failed to start: %v", m.name, err))
		}
		_ = rt.internal.builtins.Set(m.name, exports)
	}
}

// bytesOf are the bytes a Uint8Array (a Buffer) views; nil for anything else.
func bytesOf(v goja.Value) []byte {
	if v == nil {
		return nil
	}
	if b, ok := v.Export().([]byte); ok {
		return b
	}
	return nil
}

// newBuffer makes a Buffer of data, which it keeps.
func (rt *Runtime) newBuffer(data []byte) goja.Value {
	ctor := rt.internal.builtins.Get("buffer").ToObject(rt.vm).Get("Buffer").ToObject(rt.vm)
	from, _ := goja.AssertFunction(ctor.Get("_fromArrayBuffer"))
	v, err := from(ctor, rt.vm.ToValue(rt.vm.NewArrayBuffer(data)))
	if err != nil {
		panic(err)
	}
	return v
}
