package js

import (
	"math"
	"slices"
	"time"
	"unsafe"

	"github.com/dop251/goja"

	"github.com/nodeloop/nodeloop"
)

// A Timeout or an Immediate is a goja dynamic object backed by its Go entry, made by
// the binding's setTimeout, setInterval and setImmediate in one step: no JavaScript
// constructor runs, no property map is built, and the properties a script seldom
// reads (the arguments array, the numeric id) are made when first read. The object's
// prototype is the class of lib/internal.js, whose methods pass the object back to
// the binding.

// handleState is what the timer functions keep across calls.
type handleState struct {
	timeoutProto   *goja.Object // Timeout.prototype
	immediateProto *goja.Object // Immediate.prototype
	validate       goja.Callable
	coerceDelay    goja.Callable

	// The last function a timer function or nextTick was given, and its Callable:
	// a chain of callbacks usually passes the same function again, whose Callable
	// need not be made again.
	lastFn       *goja.Object
	lastCallable goja.Callable

	// The last function a Timeout ran, and the engine's own function of it
	// (direct).
	lastDirectFn *goja.Object
	lastDirect   func(goja.FunctionCall) goja.Value

	// queued are the Immediates the program queued and that have not run, in the
	// order it queued them, which is the order the loop runs them in; fireNext, the
	// callback the loop gets for each of them, runs the first not cleared. One
	// callback for all spares a closure per Immediate.
	queued   immediateQueue
	fireNext func()

	// timeouts is the rest of the slab the next Timeouts' entries come from.
	timeouts []timerEntry
	// fireTimeout is the loop's callback for every Timeout started in its entry
	// (fireTimeout): one callback for all spares a closure per Timeout.
	fireTimeout func()
}

// timeoutSlabEntries is how many Timeout entries the runtime allocates at once: as
// many 112-byte entries, each with its loop timer in it, as fit in the allocator's
// 4096-byte size class beside the 8-byte header of an object of pointers larger
// than 512 bytes. A million timers made up front then take 28,000 allocations for
// their entries and timers, not a million. A slab stays in memory while any of its
// entries is referenced, as the loop's timers do.
const timeoutSlabEntries = 36

// newTimeout returns a zero entry from the runtime's slab.
func (rt *Runtime) newTimeout() *timerEntry {
	h := &rt.handles
	if len(h.timeouts) == 0 {
		h.timeouts = make([]timerEntry, timeoutSlabEntries)
	}
	e := &h.timeouts[0]
	h.timeouts = h.timeouts[1:]
	return e
}

// immediateQueue is a FIFO of Immediates that reuses its storage.
type immediateQueue struct {
	items []*immediateEntry
	head  int
}

func (q *immediateQueue) push(e *immediateEntry) { q.items = append(q.items, e) }

// trim drops the cleared Immediates at the tail, so that a program that queues
// and clears Immediates while none runs does not grow the queue.
func (q *immediateQueue) trim() {
	for len(q.items) > q.head && q.items[len(q.items)-1].done {
		q.items[len(q.items)-1] = nil
		q.items = q.items[:len(q.items)-1]
	}
	if q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
	}
}

func (q *immediateQueue) pop() *immediateEntry {
	if q.head == len(q.items) {
		return nil
	}
	e := q.items[q.head]
	q.items[q.head] = nil
	q.head++
	if q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
	}
	return e
}

// fireNextImmediate is the loop's callback for every Immediate: the loop runs the
// Immediates it was given in the order it was given them and never runs a cleared
// one, so the Immediate running is the first of handles.queued not cleared.
func (rt *Runtime) fireNextImmediate() {
	for {
		e := rt.handles.queued.pop()
		if e == nil {
			panic("nodeloop: the loop ran an Immediate the runtime did not queue")
		}
		if !e.done {
			e.fire()
			return
		}
	}
}

// timeoutMax is the longest delay in milliseconds, 2**31-1; a longer one is 1.
const timeoutMax = 1<<31 - 1

// handleProps is what few handles have: the callback's extra arguments, and the own
// properties of the Timeout or Immediate: the built-in ones, in a fixed order, made
// when first read unless a script set them, and any the script added. A handle
// whose callback takes no extra arguments and whose properties nobody touches has
// none (its entry holds nil), which keeps a live timer small.
type handleProps struct {
	args  []goja.Value // the callback's extra arguments
	vals  []goja.Value // the built-in properties' values, when one was read or set; nil: not made yet
	gone  uint8        // bit i: built-in property i was deleted
	extra *extraProps
	// moved is a Timeout's loop timer when it is not the entry's own: the
	// interval a _repeat set in its callback made of it (reschedule).
	moved *nodeloop.Timer
}

// extraProps are the properties a script added to a handle, in the order it added
// them.
type extraProps struct {
	keys []string
	vals []goja.Value
}

// handleKind is what handleProps needs of its entry: the built-in properties'
// names, and each one's value when first read.
type handleKind interface {
	names() []string
	build(i int) goja.Value
}

// slot returns where built-in property i is kept, making the slots first.
func (p *handleProps) slot(k handleKind, i int) *goja.Value {
	if p.vals == nil {
		p.vals = make([]goja.Value, len(k.names()))
	}
	return &p.vals[i]
}

// made is built-in property i's value if it was made or set, else nil. p may be
// nil, as touched's, has's and keys's.
func (p *handleProps) made(i int) goja.Value {
	if p == nil || p.vals == nil {
		return nil
	}
	return p.vals[i]
}

// touched reports whether the program read, set or deleted built-in property i.
func (p *handleProps) touched(i int) bool {
	return p != nil && (p.made(i) != nil || p.gone&(1<<i) != 0)
}

// argv is the callback's extra arguments; p may be nil.
func (p *handleProps) argv() []goja.Value {
	if p == nil {
		return nil
	}
	return p.args
}

// propsOf returns *pp, making it first.
func propsOf(pp **handleProps) *handleProps {
	if *pp == nil {
		*pp = &handleProps{}
	}
	return *pp
}

// getProp is the own property key of a handle whose props *pp holds: a read makes
// them only to keep a built-in property's value, so that looking up a method of
// the prototype makes nothing.
func getProp(pp **handleProps, k handleKind, key string) goja.Value {
	if *pp == nil && !slices.Contains(k.names(), key) {
		return nil
	}
	return propsOf(pp).get(k, key)
}

func (p *handleProps) get(k handleKind, key string) goja.Value {
	if i := slices.Index(k.names(), key); i >= 0 {
		if p.gone&(1<<i) != 0 {
			return nil
		}
		v := p.slot(k, i)
		if *v == nil {
			*v = k.build(i)
		}
		return *v
	}
	if x := p.extra; x != nil {
		if i := slices.Index(x.keys, key); i >= 0 {
			return x.vals[i]
		}
	}
	return nil
}

func (p *handleProps) set(k handleKind, key string, v goja.Value) bool {
	if i := slices.Index(k.names(), key); i >= 0 {
		*p.slot(k, i) = v
		p.gone &^= 1 << i
		return true
	}
	if p.extra == nil {
		p.extra = &extraProps{}
	}
	x := p.extra
	if i := slices.Index(x.keys, key); i >= 0 {
		x.vals[i] = v
		return true
	}
	x.keys = append(x.keys, key)
	x.vals = append(x.vals, v)
	return true
}

func (p *handleProps) has(k handleKind, key string) bool {
	if i := slices.Index(k.names(), key); i >= 0 {
		return p == nil || p.gone&(1<<i) == 0
	}
	return p != nil && p.extra != nil && slices.Contains(p.extra.keys, key)
}

func (p *handleProps) delete(k handleKind, key string) bool {
	if i := slices.Index(k.names(), key); i >= 0 {
		p.gone |= 1 << i
		if p.vals != nil {
			p.vals[i] = nil
		}
		return true
	}
	if x := p.extra; x != nil {
		if i := slices.Index(x.keys, key); i >= 0 {
			x.keys = slices.Delete(x.keys, i, i+1)
			x.vals = slices.Delete(x.vals, i, i+1)
		}
	}
	return true
}

func (p *handleProps) keys(k handleKind) []string {
	var out []string
	for i, name := range k.names() {
		if p == nil || p.gone&(1<<i) == 0 {
			out = append(out, name)
		}
	}
	if p != nil && p.extra != nil {
		out = append(out, p.extra.keys...)
	}
	return out
}

// timerEntry is a Timeout: the loop's timer, the callback that runs with the
// Timeout as this, and the object's properties. A million of them may be live at
// once, so it keeps only what every timer needs (112 bytes, its loop timer
// included); the rest is in props. The Timeout's id is its timer's, and its
// callback is called through fnv (direct, or a goja.Callable of it).
type timerEntry struct {
	// own is the loop timer the Timeout starts with, kept in the entry
	// (Loop.StartTimer) and first in it, so that fireTimeout finds the entry from
	// the running timer by its address rather than by a closure per timer.
	own    nodeloop.Timer
	rt     *Runtime
	obj    *goja.Object
	fnv    *goja.Object // the callback, as the program passed it
	delay  float64      // in milliseconds, as coerced
	props  *handleProps // nil with no extra arguments, until the program touches a property
	repeat bool
	known  bool // the id was read: clearTimeout(id) may name it, through rt.timers
	// destroyed is what _destroyed is until the program reads or sets it.
	destroyed bool
	// cleared: clearTimeout (or close, or unenroll) stopped it, which makes its
	// _idleTimeout -1, as Node's.
	cleared bool
}

// timer returns the Timeout's loop timer: its own, unless a _repeat set in its
// callback moved it to an interval (reschedule).
func (e *timerEntry) timer() *nodeloop.Timer {
	if e.props != nil && e.props.moved != nil {
		return e.props.moved
	}
	return &e.own
}

var timeoutNames = []string{"_idleTimeout", "_onTimeout", "_timerArgs", "_repeat", "_destroyed", "_id"}

func (e *timerEntry) names() []string { return timeoutNames }

func (e *timerEntry) build(i int) goja.Value {
	vm := e.rt.vm
	switch i {
	case 0:
		if e.cleared {
			return vm.ToValue(-1)
		}
		return vm.ToValue(e.delay)
	case 1:
		return e.fnv
	case 2:
		return vm.NewArray(anys(e.props.argv())...)
	case 3:
		if e.repeat {
			return vm.ToValue(e.delay)
		}
		return goja.Null()
	case 4:
		return vm.ToValue(e.destroyed)
	}
	e.makeKnown()
	return vm.ToValue(e.timer().ID())
}

// makeKnown lets clearTimeout find the timer by its id, once a script could know it.
func (e *timerEntry) makeKnown() {
	if !e.known {
		e.known = true
		if e.timer().Active() {
			e.rt.timers[e.timer().ID()] = e
		}
	}
}

// Get, Set, Has, Delete and Keys make a timerEntry the goja.DynamicObject behind
// its Timeout.
func (e *timerEntry) Get(key string) goja.Value         { return getProp(&e.props, e, key) }
func (e *timerEntry) Set(key string, v goja.Value) bool { return propsOf(&e.props).set(e, key, v) }
func (e *timerEntry) Has(key string) bool               { return e.props.has(e, key) }
func (e *timerEntry) Delete(key string) bool            { return propsOf(&e.props).delete(e, key) }
func (e *timerEntry) Keys() []string                    { return e.props.keys(e) }

// immediateEntry is an Immediate.
type immediateEntry struct {
	rt    *Runtime
	im    nodeloop.Immediate
	obj   *goja.Object
	fn    goja.Callable
	fnv   *goja.Object
	props *handleProps // as a timerEntry's
	done  bool
}

var immediateNames = []string{"_onImmediate", "_argv", "_destroyed"}

func (e *immediateEntry) names() []string { return immediateNames }

func (e *immediateEntry) build(i int) goja.Value {
	switch i {
	case 0:
		return e.fnv
	case 1:
		return e.rt.vm.NewArray(anys(e.props.argv())...)
	}
	return e.rt.vm.ToValue(e.done)
}

// Get, Set, Has, Delete and Keys make an immediateEntry the goja.DynamicObject
// behind its Immediate.
func (e *immediateEntry) Get(key string) goja.Value         { return getProp(&e.props, e, key) }
func (e *immediateEntry) Set(key string, v goja.Value) bool { return propsOf(&e.props).set(e, key, v) }
func (e *immediateEntry) Has(key string) bool               { return e.props.has(e, key) }
func (e *immediateEntry) Delete(key string) bool            { return propsOf(&e.props).delete(e, key) }
func (e *immediateEntry) Keys() []string                    { return e.props.keys(e) }

func anys(vs []goja.Value) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

// delayDuration converts a delay already coerced by Node's rules (1 to 2**31-1 ms,
// fractions allowed) to a Duration; the loop drops the fraction.
func delayDuration(ms float64) time.Duration {
	if math.IsNaN(ms) || ms < 1 {
		ms = 1
	}
	return time.Duration(ms * float64(time.Millisecond))
}

func (e *immediateEntry) fire() {
	e.done = true
	// An unread _destroyed is made from done; one read or set becomes true, as
	// Node sets it.
	if e.props.touched(2) {
		e.props.set(e, "_destroyed", e.rt.vm.ToValue(true))
	}
	e.rt.callbackOf(e)
	e.rt.forget(e.im.ID())
}

// run calls the Immediate's callback, through the function the engine exports for
// it where it has one (see Runtime.direct).
func (e *immediateEntry) run() {
	if d := e.rt.direct(e.fnv); d != nil {
		e.rt.callDirect(d, e.obj, e.props.argv())
		return
	}
	e.rt.call(e.fn, e.obj, e.props.argv()...)
}

// run calls the Timeout's callback, then has the loop do the bookkeeping that
// follows it (re-arming an interval, looking at the next timer of the list) and
// ends the Timeout (ended) before the trampoline drains the ticks the callback
// queued: that is where the loop runs its own nextTicks, so the timer lists run in
// Node's order.
//
// As Node's timers do, it calls what _onTimeout holds when the program set it,
// dropping the Timeout when that is not a function, and after the call it reads
// _repeat and _idleTimeout when the program touched them: a Timeout whose _repeat
// is set repeats with that delay (a timeout becomes an interval), one whose
// _repeat is cleared or whose _idleTimeout is -1 stops.
func (e *timerEntry) run() {
	if e.props.touched(1) {
		fn := e.rt.callable(e.props.get(e, "_onTimeout"))
		if fn == nil {
			e.rt.loop.ClearTimeout(e.timer())
			e.rt.loop.SettleTimer()
			e.ended()
			return
		}
		e.rt.call(fn, e.obj, e.props.argv()...)
	} else if d := e.rt.direct(e.fnv); d != nil {
		e.rt.callDirect(d, e.obj, e.props.argv())
	} else {
		e.rt.call(e.rt.callable(e.fnv), e.obj, e.props.argv()...)
	}
	if !e.cleared && (e.props.touched(0) || e.props.touched(3)) {
		e.reschedule()
	}
	e.rt.loop.SettleTimer()
	e.ended()
}

// reschedule follows the _repeat and _idleTimeout the program set in the
// Timeout's callback.
func (e *timerEntry) reschedule() {
	rt := e.rt
	repeat, idle := e.props.get(e, "_repeat"), e.props.get(e, "_idleTimeout")
	if repeat == nil || !repeat.ToBoolean() || (idle != nil && idle.ToFloat() == -1) {
		rt.loop.ClearTimeout(e.timer())
		return
	}
	ms := repeat.ToFloat()
	if !(ms >= 1 && ms <= timeoutMax) {
		ms = 1
	}
	if e.repeat && ms == e.delay {
		return // the loop re-arms the interval as it is
	}
	e.props.set(e, "_idleTimeout", rt.vm.ToValue(ms))
	rt.loop.ClearTimeout(e.timer())
	old := e.timer().ID()
	rt.making = making{call: "setInterval", fn: e.fnv}
	e.props.moved = rt.loop.SetInterval(delayDuration(ms), e.fire).AllowNested()
	rt.making = making{}
	e.delay, e.repeat = ms, true
	if e.known {
		delete(rt.timers, old)
		rt.timers[e.timer().ID()] = e
	}
	rt.forget(old)
}

func (e *timerEntry) fire() {
	rt := e.rt
	if !e.repeat && e.known {
		delete(rt.timers, e.timer().ID())
	}
	if rt.batching {
		e.runBatched()
		return
	}
	rt.callbackOf(e)
}

// runBatched is fire for a timer that runTimers has the loop run inside the
// trampoline of the timer before it in its list: the callback and its ticks run
// there, as they would in a trampoline of their own.
func (e *timerEntry) runBatched() {
	rt := e.rt
	defer rt.recoverPanic()
	rt.batching = false
	e.run()
	rt.runTicks()
}

// ended follows a Timeout's callback and the loop's bookkeeping, as the finally of
// Node's listOnTimeout: a timeout that ran, and was not refreshed, is destroyed.
func (e *timerEntry) ended() {
	if !e.timer().Active() {
		e.rt.forget(e.timer().ID())
		e.destroy()
	}
}

// clear marks the Timeout stopped by the program: destroyed, its _idleTimeout -1.
func (e *timerEntry) clear() {
	e.cleared = true
	if e.props.touched(0) {
		e.props.set(e, "_idleTimeout", e.rt.vm.ToValue(-1))
	}
	e.destroy()
}

// destroy makes the Timeout's _destroyed true: an unread one is made from
// destroyed, one read or set becomes true.
func (e *timerEntry) destroy() { e.setDestroyed(true) }

func (e *timerEntry) setDestroyed(v bool) {
	e.destroyed = v
	if e.props.touched(4) {
		e.props.set(e, "_destroyed", e.rt.vm.ToValue(v))
	}
}

// callable returns v as a function to call, or nil when it is not one.
func (rt *Runtime) callable(v goja.Value) goja.Callable {
	o, ok := v.(*goja.Object)
	if !ok {
		return nil
	}
	if o == rt.handles.lastFn {
		return rt.handles.lastCallable
	}
	f, ok := goja.AssertFunction(o)
	if !ok {
		return nil
	}
	rt.handles.lastFn, rt.handles.lastCallable = o, f
	return f
}

// mustCallable returns v as a function to call, or throws Node's
// ERR_INVALID_ARG_TYPE for the argument called name.
func (rt *Runtime) mustCallable(v goja.Value, name string) goja.Callable {
	if f := rt.callable(v); f != nil {
		return f
	}
	_, err := rt.handles.validate(goja.Undefined(), v, rt.vm.ToValue(name))
	if err != nil {
		panic(err)
	}
	panic(rt.vm.NewTypeError("The %q argument must be of type function", name))
}

// restArgs copies the arguments from the first'th on: the call's own slice is the
// engine's stack.
func restArgs(call goja.FunctionCall, first int) []goja.Value {
	if len(call.Arguments) <= first {
		return nil
	}
	return slices.Clone(call.Arguments[first:])
}

// handleArgs is the props of a new handle whose callback takes the arguments from
// the first'th on: nil when there are none.
func handleArgs(call goja.FunctionCall, first int) *handleProps {
	if len(call.Arguments) <= first {
		return nil
	}
	return &handleProps{args: restArgs(call, first)}
}

// startTimer is setTimeout, or setInterval when repeat is set.
func (rt *Runtime) startTimer(call goja.FunctionCall, repeat bool) goja.Value {
	fnv := call.Argument(0)
	rt.mustCallable(fnv, "callback")
	after := call.Argument(1).ToFloat()
	if !(after >= 1 && after <= timeoutMax) {
		if after > timeoutMax {
			v, err := rt.handles.coerceDelay(goja.Undefined(), rt.vm.ToValue(after))
			if err != nil {
				panic(err)
			}
			after = v.ToFloat()
		} else {
			after = 1
		}
	}
	e := rt.newTimeout()
	e.rt, e.fnv, e.props, e.delay, e.repeat = rt, fnv.(*goja.Object), handleArgs(call, 2), after, repeat
	e.obj = rt.vm.NewDynamicObject(e)
	e.obj.SetPrototype(rt.handles.timeoutProto)
	rt.making = making{call: "setTimeout", fn: fnv}
	if repeat {
		rt.making.call = "setInterval"
	}
	if rt.handles.fireTimeout == nil {
		rt.handles.fireTimeout = rt.fireTimeout
	}
	// Its callback can run inside the trampoline of the timer before it (runTimers).
	rt.loop.StartTimer(&e.own, delayDuration(after), repeat, rt.handles.fireTimeout).AllowNested()
	rt.making = making{}
	return e.obj
}

// fireTimeout is the loop's callback for the timers the Timeouts start in their
// entries: the running timer is the own timer of an entry, its first field, which
// makes its address the entry's.
func (rt *Runtime) fireTimeout() {
	(*timerEntry)(unsafe.Pointer(rt.loop.RunningTimer())).fire()
}

// timerOf returns the Timeout v is, or nil.
func timerOf(v goja.Value) *timerEntry {
	if o, ok := v.(*goja.Object); ok {
		if e, ok := o.Export().(*timerEntry); ok {
			return e
		}
	}
	return nil
}

// immediateOf returns the Immediate v is, or nil.
func immediateOf(v goja.Value) *immediateEntry {
	if o, ok := v.(*goja.Object); ok {
		if e, ok := o.Export().(*immediateEntry); ok {
			return e
		}
	}
	return nil
}

// timerBinding adds the timer functions of the binding.
func (rt *Runtime) timerBinding(set func(string, any)) {
	set("timerSetup", func(timeoutProto, immediateProto *goja.Object, validate, coerceDelay goja.Callable) {
		rt.handles.timeoutProto, rt.handles.immediateProto = timeoutProto, immediateProto
		rt.handles.validate, rt.handles.coerceDelay = validate, coerceDelay
	})
	set("setTimeout", func(call goja.FunctionCall) goja.Value { return rt.startTimer(call, false) })
	set("setInterval", func(call goja.FunctionCall) goja.Value { return rt.startTimer(call, true) })
	// Each method of a Timeout or an Immediate passes its this; called on another
	// object (unref.bind({})), a method does nothing, as Node's do.
	set("timerRef", func(v goja.Value, ref bool) {
		switch e := timerOf(v); {
		case e == nil:
		case ref:
			e.timer().Ref()
		default:
			e.timer().Unref()
		}
	})
	set("timerHasRef", func(v goja.Value) goja.Value {
		if e := timerOf(v); e != nil {
			return rt.vm.ToValue(e.timer().HasRef())
		}
		return goja.Undefined()
	})
	set("timerRefresh", func(v goja.Value) {
		e := timerOf(v)
		if e == nil {
			return
		}
		// A timeout that ran and is refreshed is named where it was refreshed.
		rt.making = making{call: "setTimeout", fn: e.fnv}
		if e.repeat {
			rt.making.call = "setInterval"
		}
		e.timer().Refresh()
		rt.making = making{}
		if e.timer().Active() {
			// A timeout that ran is alive again, as Node's insertGuarded makes it.
			if e.destroyed {
				e.setDestroyed(false)
			}
			if e.known {
				rt.timers[e.timer().ID()] = e
			}
		}
	})
	set("timerClear", func(v goja.Value) bool {
		e := timerOf(v)
		if e == nil {
			return false
		}
		rt.loop.ClearTimeout(e.timer())
		delete(rt.timers, e.timer().ID())
		rt.forget(e.timer().ID())
		e.clear()
		return true
	})
	set("timerClearID", func(id float64) {
		if id < 0 || id != math.Trunc(id) {
			return
		}
		if e, ok := rt.timers[uint64(id)]; ok {
			rt.loop.ClearTimeout(e.timer())
			delete(rt.timers, e.timer().ID())
			rt.forget(e.timer().ID())
			e.clear()
		}
	})
	set("setImmediate", func(call goja.FunctionCall) goja.Value {
		fnv := call.Argument(0)
		f := rt.mustCallable(fnv, "callback")
		e := &immediateEntry{rt: rt, fn: f, fnv: fnv.(*goja.Object), props: handleArgs(call, 1)}
		e.obj = rt.vm.NewDynamicObject(e)
		e.obj.SetPrototype(rt.handles.immediateProto)
		rt.making = making{call: "setImmediate", fn: fnv}
		if rt.handles.fireNext == nil {
			rt.handles.fireNext = rt.fireNextImmediate
		}
		e.im = rt.loop.SetImmediate(rt.handles.fireNext)
		rt.handles.queued.push(e)
		rt.making = making{}
		return e.obj
	})
	set("immediateClear", func(v goja.Value) {
		if e := immediateOf(v); e != nil && !e.done {
			rt.loop.ClearImmediate(e.im)
			e.done = true
			rt.handles.queued.trim()
			rt.forget(e.im.ID())
		}
	})
	set("immediateRef", func(v goja.Value, ref bool) {
		switch e := immediateOf(v); {
		case e == nil || e.done:
		case ref:
			e.im.Ref()
		default:
			e.im.Unref()
		}
	})
	set("immediateHasRef", func(v goja.Value) bool {
		e := immediateOf(v)
		return e != nil && !e.done && e.im.HasRef()
	})
}

// activeResources is process.getActiveResourcesInfo: the kinds of the handles that
// keep the loop alive, in Node's order: the requests, the other handles, then the
// Timeouts and the Immediates.
func (rt *Runtime) activeResources() []string {
	var requests, handles []string
	timeouts, immediates := 0, 0
	for _, h := range rt.loop.Handles() {
		switch h.Kind {
		case "timer", "interval":
			timeouts++
		case "immediate":
			immediates++
		case "request":
			requests = append(requests, "FSReqCallback")
		case "listener":
			handles = append(handles, "TCPServerWrap")
		case "conn", "dial":
			handles = append(handles, "TCPSocketWrap")
		}
	}
	out := append(requests, handles...)
	for ; timeouts > 0; timeouts-- {
		out = append(out, "Timeout")
	}
	for ; immediates > 0; immediates-- {
		out = append(out, "Immediate")
	}
	return out
}
