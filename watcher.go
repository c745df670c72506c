package nodeloop

import "github.com/nodeloop/nodeloop/traces"

// Watcher is one of libuv's loop watchers: an idle watcher runs every tick and keeps
// the poll phase from waiting; a prepare watcher runs right before the poll phase; a
// check watcher right after it, before the immediates. Watchers of one kind run most
// recently started first, as libuv's do. A watcher started during its own phase first
// runs in the next tick.
type Watcher struct {
	handle  // active: started
	src     traces.Source
	list    *node[*Watcher]
	cb      func()
	n       node[*Watcher]
	closeCb func()
}

// Idle starts an idle watcher that runs cb in the idle phase of every tick.
func (l *Loop) Idle(cb func()) *Watcher { return l.watch("Idle", traces.SourceIdle, &l.idleQ, cb) }

// Prepare starts a prepare watcher that runs cb right before every poll phase.
func (l *Loop) Prepare(cb func()) *Watcher {
	return l.watch("Prepare", traces.SourcePrepare, &l.prepareQ, cb)
}

// Check starts a check watcher that runs cb right after every poll phase.
func (l *Loop) Check(cb func()) *Watcher { return l.watch("Check", traces.SourceCheck, &l.check, cb) }

func (l *Loop) watch(method string, src traces.Source, list *node[*Watcher], cb func()) *Watcher {
	l.mustOpen(method)
	if cb == nil {
		nilCallback(method)
	}
	w := &Watcher{handle: l.newHandle(), src: src, list: list, cb: cb}
	l.site(w.id)
	w.n.v = w
	w.Start()
	return w
}

// Start starts w again after Stop. Starting an active watcher does nothing; starting
// a closed one panics.
func (w *Watcher) Start() {
	w.useOpen("Watcher.Start", "watcher")
	if w.active {
		return
	}
	w.list.insertHead(&w.n)
	w.setActive(true)
	w.trace(true)
}

// Stop stops w: its callback does not run again until Start. Stopping a stopped
// watcher does nothing.
func (w *Watcher) Stop() {
	w.use("Watcher.Stop")
	if !w.active {
		return
	}
	w.n.remove()
	w.setActive(false)
	w.trace(false)
}

func (w *Watcher) trace(active bool) {
	if w.l.tracer != nil {
		w.l.emit(traces.Event{Kind: traces.KindWatcher, ID: w.id, Source: w.src, Active: active})
	}
}

// Active reports whether w is started.
func (w *Watcher) Active() bool { return w.active }

// Ref makes w keep the loop alive while it is active (the default).
func (w *Watcher) Ref() { w.setRef("Watcher.Ref", true) }

// Unref makes w stop keeping the loop alive.
func (w *Watcher) Unref() { w.setRef("Watcher.Unref", false) }

// HasRef reports whether w keeps the loop alive while active.
func (w *Watcher) HasRef() bool { return w.hasRef() }

// Close stops w and runs cb, which may be nil, in the close phase of this tick (of the
// next tick when called during the close phase). Closing twice panics.
func (w *Watcher) Close(cb func()) {
	w.startClose("Watcher.Close", "watcher")
	w.Stop()
	w.closeCb = cb
	w.queueClose(w)
}

func (w *Watcher) finishClose() (uint64, func()) {
	cb := w.closeCb
	w.closeCb = nil
	return w.id, cb
}

// runWatchers runs the watchers of list that were active when the phase began.
func (l *Loop) runWatchers(p traces.Phase, list *node[*Watcher], src traces.Source) {
	if list.empty() {
		return
	}
	if l.phase != p {
		l.enterPhase(p)
	}
	run := &l.watcherRun
	list.moveTo(run)
	for !run.empty() {
		n := run.next
		n.remove()
		list.insertTail(n)
		l.call(src, n.v.id, n.v.cb)
	}
}
