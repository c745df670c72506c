//go:build linux || windows || darwin || dragonfly || freebsd || netbsd || openbsd

package poller_test

import (
	"sync"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop/poller"
)

// loop is a small driver for back-end tests: it waits until given ops come back.
type loop struct {
	t    *testing.T
	p    *poller.System
	done []*poller.Op
	got  map[*poller.Op]bool
}

func newLoop(t *testing.T) *loop {
	t.Helper()
	p, err := poller.New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	l := &loop{t: t, p: p, got: map[*poller.Op]bool{}}
	t.Cleanup(func() { p.Close() })
	return l
}

func (l *loop) start(op *poller.Op) {
	l.t.Helper()
	if err := l.p.Start(op); err != nil {
		l.t.Fatalf("Start(%v): %v", op.Kind, err)
	}
}

func (l *loop) await(ops ...*poller.Op) {
	l.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		all := true
		for _, op := range ops {
			all = all && l.got[op]
		}
		if all {
			for _, op := range ops {
				delete(l.got, op)
			}
			return
		}
		var err error
		l.done, err = l.p.Wait(l.done[:0], 100*time.Millisecond)
		if err != nil {
			l.t.Fatalf("Wait: %v", err)
		}
		for _, op := range l.done {
			l.got[op] = true
		}
	}
	l.t.Fatalf("ops did not finish in time")
}

func (l *loop) pair() (ln, a, b poller.Socket, addr string) {
	l.t.Helper()
	ln, la, err := l.p.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		l.t.Fatalf("Listen: %v", err)
	}
	acc := &poller.Op{Kind: poller.Accept, Socket: ln}
	con := &poller.Op{Kind: poller.Connect, Network: "tcp", Address: la.String()}
	l.start(acc)
	l.start(con)
	l.await(acc, con)
	if acc.Err != nil || con.Err != nil {
		l.t.Fatalf("accept: %v, connect: %v", acc.Err, con.Err)
	}
	return ln, acc.Conn, con.Conn, la.String()
}

func TestWaitDoesNotAllocate(t *testing.T) {
	l := newLoop(t)
	_, a, b, _ := l.pair()
	rd := &poller.Op{Kind: poller.Read, Socket: a, Buf: make([]byte, 64)}
	wr := &poller.Op{Kind: poller.Write, Socket: b, Buf: []byte("tick")}
	done := make([]*poller.Op, 0, 16)
	round := func() {
		if err := l.p.Start(rd); err != nil {
			t.Fatal(err)
		}
		if err := l.p.Start(wr); err != nil {
			t.Fatal(err)
		}
		if err := l.p.Wake(); err != nil {
			t.Fatal(err)
		}
		woke, readDone, writeDone := false, false, false
		for range 1000 {
			var err error
			done, err = l.p.Wait(done[:0], -1)
			if err != nil {
				t.Fatal(err)
			}
			if len(done) == 0 {
				woke = true
			}
			for _, op := range done {
				switch op {
				case rd:
					readDone = true
				case wr:
					writeDone = true
				}
			}
			if readDone && writeDone {
				break
			}
		}
		if !readDone || !writeDone || rd.Err != nil || wr.Err != nil {
			t.Fatalf("read %v %v, write %v %v", readDone, rd.Err, writeDone, wr.Err)
		}
		if !woke {
			// The wake-up may have come with completions; drain it so the
			// next round starts clean.
			done, _ = l.p.Wait(done[:0], 0)
		}
	}
	round() // warm up: grow internal slices
	if n := testing.AllocsPerRun(200, round); n != 0 {
		t.Fatalf("a round of Start, Wake and Wait allocated %v times; want 0", n)
	}
}

func TestWakeDuringClose(t *testing.T) {
	for range 20 {
		p, err := poller.New()
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 100 {
					if err := p.Wake(); err != nil {
						t.Errorf("Wake: %v", err)
						return
					}
				}
			}()
		}
		if _, err := p.Wait(nil, 0); err != nil {
			t.Fatalf("Wait: %v", err)
		}
		if err := p.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		wg.Wait()
	}
}
