package js

import "github.com/dop251/goja"

// rejectionHandled tells lib/internal.js that p, which a checkpoint already
// reported as rejected with no handler, got one: Node then emits
// 'rejectionHandled'. It runs inside the engine's call that added the handler.
func (rt *Runtime) rejectionHandled(p *goja.Promise) {
	if rt.exiting {
		return
	}
	lib, ok := rt.internal.builtins.Get("internal/rejections").(*goja.Object)
	if !ok {
		return
	}
	if f, ok := goja.AssertFunction(lib.Get("handled")); ok {
		if _, err := f(goja.Undefined(), rt.vm.ToValue(p)); err != nil {
			rt.handleError(err)
		}
	}
}
