package nodeloop

import (
	"context"
	"sync/atomic"
)

// RunContext is Run, ended when ctx is done: it runs main and the loop as Run does,
// and once ctx is done it stops the loop as Stop would, from a function it posts to
// the loop (so the stop lands in the poll phase, and Run's return follows the next
// timers phase), and returns ctx.Err(). A ctx already done returns ctx.Err() at once,
// without running main. A loop that ends by itself first, or whose callback panics,
// returns what Run returns. The loop's handles stay as they were: Close the loop, or
// run it again.
//
// A ctx that is never done (context.Background, or one never canceled) makes
// RunContext exactly Run: it starts no goroutine and posts nothing. That is the
// context for a loop on the simulator's fakes, which is deterministic only while
// nothing outside it (the real time at which a ctx ends, a goroutine's Post) reaches
// it; an already done ctx returns before anything runs, which is deterministic too.
func (l *Loop) RunContext(ctx context.Context, main func()) error {
	l.mustOpen("RunContext")
	if err := ctx.Err(); err != nil {
		return err
	}
	if ctx.Done() == nil {
		return l.Run(main)
	}
	if l.running {
		return ErrRunning
	}
	var over, ended atomic.Bool // Run has returned; the stop ended the run
	stop := context.AfterFunc(ctx, func() {
		l.Post(func() {
			// A stop posted as Run returned runs in a later run, and does nothing.
			if !over.Load() {
				ended.Store(true)
				l.Stop()
			}
		})
	})
	err := l.Run(main)
	over.Store(true)
	stop()
	if err == nil && ended.Load() {
		return ctx.Err()
	}
	return err
}
