// Package pollertest is the conformance suite of [poller.Poller]: one set of tests
// that every implementation runs, the operating system's back ends and the
// in-memory fake network alike. A fake is trusted only when it passes the suite the
// real back ends pass.
//
// The suite talks to the poller under test only through the Poller interface: both
// ends of every connection are made with it, never with package net, so an
// in-memory implementation can run it unchanged.
//
// # Time
//
// The suite never sleeps. It waits for completions by calling Wait in a loop until
// they arrive or a deadline passes, and it reads time only through the clock that
// [WithClock] sets (time.Now by default), so a fake whose Wait advances a virtual
// clock runs the suite in virtual time. Timing assertions are bounds with generous
// slack, never exact durations.
package pollertest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop/poller"
)

// Bounds of the suite. They are deliberately generous: a slow machine must not fail
// the suite, and a fake's virtual clock makes them cost nothing.
const (
	// awaitDeadline is how long the suite waits for expected completions.
	awaitDeadline = 30 * time.Second
	// awaitSliceTimeout is the timeout of each Wait while awaiting completions.
	awaitSliceTimeout = 100 * time.Millisecond
	// awaitWaitsMax bounds the Waits of one await, in case a clock never moves.
	awaitWaitsMax = 1_000_000
	// timeoutSlack is how much earlier than asked a timed Wait may be seen to
	// return, for clocks coarser than the poller's.
	timeoutSlack = 5 * time.Millisecond
	// timeoutBound is the upper bound a 50 ms Wait must return within.
	timeoutBound = 5 * time.Second
	// largeWriteBytes is the size of the write that must complete in parts.
	largeWriteBytes = 4 << 20
	// slowReadBytes is the buffer of the slow reader of the large write.
	slowReadBytes = 64 << 10
	// manyPairs is the number of connected pairs open at once in ManySockets.
	manyPairs = 250
)

// An Option changes how Run tests a Poller.
type Option func(*config)

type config struct {
	now           func() time.Time
	noGoroutines  bool
	networks      []string
	skipSubtests  map[string]bool
	unixDir       func(t *testing.T) string
	refusedErrors []error
}

// WithClock makes the suite read time from now instead of time.Now. A fake whose
// Wait advances a virtual clock passes that clock's Now, so that timeouts and
// deadlines are measured in virtual time.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// WithoutGoroutines skips the subtests that call the poller from a second
// goroutine (Wake while another goroutine is blocked in Wait forever). A
// single-goroutine simulator that cannot block uses it.
func WithoutGoroutines() Option {
	return func(c *config) { c.noGoroutines = true }
}

// WithNetworks sets the networks the per-network subtests use; the default is
// "tcp", "tcp4", "tcp6" and "unix". A network whose Listen fails with an error
// matching errors.ErrUnsupported is skipped anyway, and so is tcp6 when ::1 cannot
// be bound.
func WithNetworks(networks ...string) Option {
	return func(c *config) { c.networks = networks }
}

// WithSkip skips the named top-level subtests (for example "ResetByPeer"), for an
// implementation that documents why it cannot pass them.
func WithSkip(names ...string) Option {
	return func(c *config) {
		for _, n := range names {
			c.skipSubtests[n] = true
		}
	}
}

// Run runs the conformance suite against the Poller that open returns. open is
// called once per subtest and must return a fresh Poller; Run closes it when the
// subtest ends.
func Run(t *testing.T, open func(t *testing.T) poller.Poller, opts ...Option) {
	cfg := &config{
		now:          time.Now,
		networks:     []string{"tcp", "tcp4", "tcp6", "unix"},
		skipSubtests: map[string]bool{},
	}
	for _, o := range opts {
		o(cfg)
	}
	tests := []struct {
		name       string
		goroutines bool
		fn         func(h *harness)
	}{
		{"Accept", false, testAccept},
		{"Connect", false, testConnect},
		{"ReadWrite", false, testReadWrite},
		{"ReadBeforeWrite", false, testReadBeforeWrite},
		{"LargeWrite", false, testLargeWrite},
		{"TryWrite", false, testTryWrite},
		{"SharedRead", false, testSharedRead},
		{"EOF", false, testEOF},
		{"Shutdown", false, testShutdown},
		{"ShutdownErrors", false, testShutdownErrors},
		{"CloseWriteCount", false, testCloseWriteCount},
		{"SetOption", false, testSetOption},
		{"ResetByPeer", false, testResetByPeer},
		{"ConnectionRefused", false, testRefused},
		{"CancelRead", false, testCancelRead},
		{"CancelAccept", false, testCancelAccept},
		{"CancelConnect", false, testCancelConnect},
		{"CancelFinished", false, testCancelFinished},
		{"CloseInFlight", false, testCloseInFlight},
		{"CloseListenerInFlight", false, testCloseListenerInFlight},
		{"CloseWhileReadable", false, testCloseWhileReadable},
		{"ArrivalsWithoutRead", false, testArrivalsWithoutRead},
		{"CloseWithReadPending", false, testCloseWithReadPending},
		{"StartErrors", false, testStartErrors},
		{"ListenErrors", false, testListenErrors},
		{"WakeBeforeWait", false, testWakeBeforeWait},
		{"WakeFromGoroutine", true, testWakeFromGoroutine},
		{"WaitTimeout", false, testWaitTimeout},
		{"ManySockets", false, testManySockets},
		{"Networks", false, testNetworks},
		{"Close", false, testClose},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if cfg.skipSubtests[tc.name] {
				t.Skip("skipped by pollertest.WithSkip")
			}
			if tc.goroutines && cfg.noGoroutines {
				t.Skip("needs a second goroutine; skipped by pollertest.WithoutGoroutines")
			}
			p := open(t)
			h := &harness{t: t, p: p, cfg: cfg, inflight: map[*poller.Op]bool{}, finished: map[*poller.Op]bool{}}
			t.Cleanup(func() {
				if !h.closed {
					if err := p.Close(); err != nil {
						t.Errorf("Close: %v", err)
					}
				}
			})
			tc.fn(h)
		})
	}
}

// harness drives one Poller: it starts operations and waits for them, checking
// that each started operation comes back exactly once.
type harness struct {
	t        *testing.T
	p        poller.Poller
	cfg      *config
	done     []*poller.Op
	inflight map[*poller.Op]bool // started, not yet returned by Wait
	finished map[*poller.Op]bool // returned by Wait, not yet claimed by await
	nextID   uint64
	closed   bool
}

// start starts op and fails the test if Start refuses it.
func (h *harness) start(op *poller.Op) {
	h.t.Helper()
	if h.inflight[op] {
		h.t.Fatalf("test bug: op %d started twice", op.ID)
	}
	delete(h.finished, op)
	h.nextID++
	op.ID = h.nextID
	if err := h.p.Start(op); err != nil {
		h.t.Fatalf("Start(%v): %v", op.Kind, err)
	}
	h.inflight[op] = true
}

// wait calls Wait once and records what it returned.
func (h *harness) wait(timeout time.Duration) int {
	h.t.Helper()
	var err error
	h.done, err = h.p.Wait(h.done[:0], timeout)
	if err != nil {
		h.t.Fatalf("Wait(%v): %v", timeout, err)
	}
	for _, op := range h.done {
		if !h.inflight[op] {
			h.t.Fatalf("Wait returned %v op %d, which is not in flight (returned twice?)", op.Kind, op.ID)
		}
		delete(h.inflight, op)
		h.finished[op] = true
	}
	return len(h.done)
}

// await waits until every op in ops has been returned by Wait.
func (h *harness) await(ops ...*poller.Op) {
	h.t.Helper()
	deadline := h.cfg.now().Add(awaitDeadline)
	for range awaitWaitsMax {
		missing := 0
		for _, op := range ops {
			if !h.finished[op] {
				missing++
			}
		}
		if missing == 0 {
			for _, op := range ops {
				delete(h.finished, op)
			}
			return
		}
		if h.cfg.now().After(deadline) {
			break
		}
		h.wait(awaitSliceTimeout)
	}
	for _, op := range ops {
		if !h.finished[op] {
			h.t.Fatalf("%v op %d did not finish within %v", op.Kind, op.ID, awaitDeadline)
		}
	}
}

// awaitAny waits until at least one op of ops has been returned and returns it.
func (h *harness) awaitAny(ops ...*poller.Op) *poller.Op {
	h.t.Helper()
	deadline := h.cfg.now().Add(awaitDeadline)
	for range awaitWaitsMax {
		for _, op := range ops {
			if h.finished[op] {
				delete(h.finished, op)
				return op
			}
		}
		if h.cfg.now().After(deadline) {
			break
		}
		h.wait(awaitSliceTimeout)
	}
	h.t.Fatalf("none of %d ops finished within %v", len(ops), awaitDeadline)
	return nil
}

// run starts op, waits for it and returns it.
func (h *harness) run(op *poller.Op) *poller.Op {
	h.t.Helper()
	h.start(op)
	h.await(op)
	return op
}

func (h *harness) listen(network string) (poller.Socket, string) {
	h.t.Helper()
	ln, addr, err := h.p.Listen(network, h.localAddress(network))
	if err != nil {
		h.t.Fatalf("Listen(%q): %v", network, err)
	}
	if ln == 0 {
		h.t.Fatalf("Listen(%q) returned the zero Socket", network)
	}
	if addr == nil {
		h.t.Fatalf("Listen(%q) returned a nil address", network)
	}
	return ln, addr.String()
}

// localAddress is an address on this machine to listen on, with a free port.
func (h *harness) localAddress(network string) string {
	switch network {
	case "tcp6":
		return "[::1]:0"
	case "unix":
		dir, err := os.MkdirTemp("", "pollertest")
		if err != nil {
			h.t.Fatal(err)
		}
		h.t.Cleanup(func() { os.RemoveAll(dir) })
		return filepath.Join(dir, "s")
	}
	return "127.0.0.1:0"
}

// pair is a connected pair: a was accepted, b connected.
type pair struct {
	ln, a, b poller.Socket
	acc, con *poller.Op
}

// connect makes a connected pair over network, both ends made with the poller.
func (h *harness) connect(network string) pair {
	h.t.Helper()
	ln, addr := h.listen(network)
	return h.connectTo(network, ln, addr)
}

func (h *harness) connectTo(network string, ln poller.Socket, addr string) pair {
	h.t.Helper()
	acc := &poller.Op{Kind: poller.Accept, Socket: ln}
	con := &poller.Op{Kind: poller.Connect, Network: network, Address: addr}
	h.start(acc)
	h.start(con)
	h.await(acc, con)
	if acc.Err != nil {
		h.t.Fatalf("accept on %s: %v", network, acc.Err)
	}
	if con.Err != nil {
		h.t.Fatalf("connect to %s %s: %v", network, addr, con.Err)
	}
	if acc.Conn == 0 || con.Conn == 0 {
		h.t.Fatalf("accept.Conn = %#x, connect.Conn = %#x; want non-zero sockets", acc.Conn, con.Conn)
	}
	if acc.Conn == con.Conn || acc.Conn == ln || con.Conn == ln {
		h.t.Fatalf("sockets not distinct: listener %#x, accepted %#x, connected %#x", ln, acc.Conn, con.Conn)
	}
	return pair{ln: ln, a: acc.Conn, b: con.Conn, acc: acc, con: con}
}

// send writes data on s and waits for the write to finish completely.
func (h *harness) send(s poller.Socket, data []byte) {
	h.t.Helper()
	op := h.run(&poller.Op{Kind: poller.Write, Socket: s, Buf: data})
	if op.Err != nil || op.N != len(data) {
		h.t.Fatalf("write of %d bytes: N = %d, Err = %v; want %d, nil", len(data), op.N, op.Err, len(data))
	}
}

// recv reads from s until it has n bytes.
func (h *harness) recv(s poller.Socket, n int) []byte {
	h.t.Helper()
	got := make([]byte, 0, n)
	buf := make([]byte, n)
	for len(got) < n {
		op := h.run(&poller.Op{Kind: poller.Read, Socket: s, Buf: buf[:n-len(got)]})
		if op.Err != nil {
			h.t.Fatalf("read after %d of %d bytes: %v", len(got), n, op.Err)
		}
		if op.N < 1 || op.N > n-len(got) {
			h.t.Fatalf("read: N = %d with nil Err; want 1..%d", op.N, n-len(got))
		}
		got = append(got, buf[:op.N]...)
	}
	return got
}

// expectEOF reads from s and expects the end of the stream.
func (h *harness) expectEOF(s poller.Socket) {
	h.t.Helper()
	op := h.run(&poller.Op{Kind: poller.Read, Socket: s, Buf: make([]byte, 16)})
	if op.Err != io.EOF || op.N != 0 {
		h.t.Fatalf("read at end of stream: N = %d, Err = %v; want 0, io.EOF", op.N, op.Err)
	}
}

func (h *harness) closeSocket(s poller.Socket) {
	h.t.Helper()
	if err := h.p.CloseSocket(s); err != nil {
		h.t.Fatalf("CloseSocket(%#x): %v", s, err)
	}
}

// quiet polls and fails if any operation finishes.
func (h *harness) quiet(what string) {
	h.t.Helper()
	if n := h.wait(0); n != 0 {
		h.t.Fatalf("%s: Wait(0) returned %d ops (%v op %d first); want none", what, n, h.done[0].Kind, h.done[0].ID)
	}
}

func pattern(n, seed int) []byte {
	b := make([]byte, n)
	x := uint32(seed)*2654435761 + 1
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

func testAccept(h *harness) {
	ln, addr := h.listen("tcp")
	pr := h.connectTo("tcp", ln, addr)
	if pr.acc.Local == nil || pr.acc.Remote == nil {
		h.t.Fatalf("accept: Local = %v, Remote = %v; want both set", pr.acc.Local, pr.acc.Remote)
	}
	if got := pr.acc.Local.String(); got != addr {
		h.t.Errorf("accept: Local = %s; want the listener's address %s", got, addr)
	}
	if pr.con.Local != nil && pr.acc.Remote.String() != pr.con.Local.String() {
		h.t.Errorf("accept: Remote = %s; want the connecting side's Local %s", pr.acc.Remote, pr.con.Local)
	}
	// A second connection on the same listener.
	pr2 := h.connectTo("tcp", ln, addr)
	if pr2.a == pr.a || pr2.b == pr.b {
		h.t.Errorf("second connection reused a live socket handle")
	}
}

func testConnect(h *harness) {
	ln, addr := h.listen("tcp")
	pr := h.connectTo("tcp", ln, addr)
	if pr.con.Local == nil || pr.con.Remote == nil {
		h.t.Fatalf("connect: Local = %v, Remote = %v; want both set", pr.con.Local, pr.con.Remote)
	}
	if got := pr.con.Remote.String(); got != addr {
		h.t.Errorf("connect: Remote = %s; want %s", got, addr)
	}
}

func testReadWrite(h *harness) {
	pr := h.connect("tcp")
	msg := []byte("hello, loop")
	h.send(pr.b, msg)
	if got := h.recv(pr.a, len(msg)); !bytes.Equal(got, msg) {
		h.t.Fatalf("a read %q; want %q", got, msg)
	}
	reply := []byte("hello back")
	h.send(pr.a, reply)
	if got := h.recv(pr.b, len(reply)); !bytes.Equal(got, reply) {
		h.t.Fatalf("b read %q; want %q", got, reply)
	}
	// A read and a write in flight on the same socket at once.
	rd := &poller.Op{Kind: poller.Read, Socket: pr.a, Buf: make([]byte, 8)}
	wr := &poller.Op{Kind: poller.Write, Socket: pr.a, Buf: []byte("ping")}
	h.start(rd)
	h.start(wr)
	h.await(wr)
	if wr.Err != nil || wr.N != 4 {
		h.t.Fatalf("write: N = %d, Err = %v", wr.N, wr.Err)
	}
	if got := h.recv(pr.b, 4); string(got) != "ping" {
		h.t.Fatalf("b read %q; want ping", got)
	}
	h.send(pr.b, []byte("pong"))
	h.await(rd)
	if rd.Err != nil || string(rd.Buf[:rd.N]) != "pong" {
		h.t.Fatalf("read: %q, %v; want pong", rd.Buf[:rd.N], rd.Err)
	}
}

func testReadBeforeWrite(h *harness) {
	pr := h.connect("tcp")
	rd := &poller.Op{Kind: poller.Read, Socket: pr.a, Buf: make([]byte, 32)}
	h.start(rd)
	h.quiet("read with nothing sent")
	h.send(pr.b, []byte("late"))
	h.await(rd)
	if rd.Err != nil || string(rd.Buf[:rd.N]) != "late" {
		h.t.Fatalf("read: %q, %v; want late", rd.Buf[:rd.N], rd.Err)
	}
}

func testLargeWrite(h *harness) {
	pr := h.connect("tcp")
	data := pattern(largeWriteBytes, 1)
	wr := &poller.Op{Kind: poller.Write, Socket: pr.a, Buf: data}
	h.start(wr)
	got := make([]byte, 0, len(data))
	buf := make([]byte, slowReadBytes)
	rd := &poller.Op{Kind: poller.Read, Socket: pr.b}
	writeDone := false
	for len(got) < len(data) {
		rd.Buf = buf
		h.start(rd)
		// One read at a time: the writer must wait for the reader.
		for {
			op := h.awaitAny(rd, wr)
			if op == wr {
				if writeDone {
					h.t.Fatalf("write returned twice")
				}
				writeDone = true
				if wr.Err != nil || wr.N != len(data) {
					h.t.Fatalf("large write: N = %d, Err = %v; want %d, nil", wr.N, wr.Err, len(data))
				}
				continue
			}
			break
		}
		if rd.Err != nil {
			h.t.Fatalf("read after %d bytes: %v", len(got), rd.Err)
		}
		got = append(got, buf[:rd.N]...)
	}
	if !writeDone {
		h.await(wr)
		if wr.Err != nil || wr.N != len(data) {
			h.t.Fatalf("large write: N = %d, Err = %v; want %d, nil", wr.N, wr.Err, len(data))
		}
	}
	if !bytes.Equal(got, data) {
		i := 0
		for i < len(got) && got[i] == data[i] {
			i++
		}
		h.t.Fatalf("received data differs from sent at byte %d of %d", i, len(data))
	}
	h.quiet("after the large write")
}

// testSharedRead reads with nil Bufs, into the poller's shared buffer, on several
// connections at once, each receiving more than one shared read holds; then the end
// of a stream, and a canceled shared read, on such reads.
func testSharedRead(h *harness) {
	const pairs, perPair = 6, 3*poller.SharedReadBytes + 100
	type end struct {
		pr        pair
		rd        *poller.Op
		want, got []byte
	}
	ends := make([]*end, pairs)
	for i := range ends {
		e := &end{pr: h.connect("tcp"), want: pattern(perPair, i+1)}
		e.rd = &poller.Op{Kind: poller.Read, Socket: e.pr.a}
		h.start(e.rd)
		ends[i] = e
	}
	h.quiet("shared reads with nothing sent")
	writes := make([]*poller.Op, pairs)
	for i, e := range ends {
		writes[i] = &poller.Op{Kind: poller.Write, Socket: e.pr.b, Buf: e.want}
		h.start(writes[i])
	}
	remaining := pairs
	for i := 0; remaining > 0; i++ {
		if i == awaitWaitsMax {
			h.t.Fatalf("shared reads: %d of %d connections still short of %d bytes after %d waits", remaining, pairs, perPair, i)
		}
		h.wait(awaitSliceTimeout)
		// The bytes of every read this Wait returned are valid together, until
		// the next Wait.
		for _, e := range ends {
			rd := e.rd
			if !h.finished[rd] {
				continue
			}
			delete(h.finished, rd)
			if rd.Err != nil || rd.N < 1 || rd.N > poller.SharedReadBytes || len(rd.Buf) != rd.N {
				h.t.Fatalf("shared read after %d bytes: N = %d, len(Buf) = %d, Err = %v; want 1..%d bytes, all in Buf, nil",
					len(e.got), rd.N, len(rd.Buf), rd.Err, poller.SharedReadBytes)
			}
			e.got = append(e.got, rd.Buf...)
			if len(e.got) >= len(e.want) {
				remaining--
				continue
			}
			rd.Buf = nil
			h.start(rd)
		}
	}
	for i, e := range ends {
		if !bytes.Equal(e.got, e.want) {
			h.t.Fatalf("connection %d read %d bytes through shared reads, not the %d written (first difference at %d)",
				i, len(e.got), len(e.want), firstDiff(e.got, e.want))
		}
	}
	h.await(writes...)
	for i, wr := range writes {
		if wr.Err != nil || wr.N != perPair {
			h.t.Fatalf("write %d: N = %d, Err = %v; want %d, nil", i, wr.N, wr.Err, perPair)
		}
	}

	// The end of the stream.
	h.closeSocket(ends[0].pr.b)
	eof := h.run(&poller.Op{Kind: poller.Read, Socket: ends[0].pr.a})
	if eof.Err != io.EOF || eof.N != 0 {
		h.t.Fatalf("shared read at end of stream: N = %d, Err = %v; want 0, io.EOF", eof.N, eof.Err)
	}

	// A canceled shared read loses nothing.
	rd := &poller.Op{Kind: poller.Read, Socket: ends[1].pr.a}
	h.start(rd)
	h.quiet("pending shared read")
	h.p.Cancel(rd)
	h.await(rd)
	if rd.Err != poller.ErrCanceled || rd.N != 0 {
		h.t.Fatalf("canceled shared read: N = %d, Err = %v; want 0, ErrCanceled", rd.N, rd.Err)
	}
	h.send(ends[1].pr.b, []byte("after cancel"))
	rd.Buf = nil
	h.run(rd)
	if rd.Err != nil || string(rd.Buf[:rd.N]) != "after cancel" {
		h.t.Fatalf("shared read after cancel: %q, %v; want \"after cancel\"", rd.Buf[:rd.N], rd.Err)
	}
}

// firstDiff returns the index of the first byte where a and b differ.
func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func testEOF(h *harness) {
	pr := h.connect("tcp")
	h.send(pr.b, []byte("last words"))
	h.closeSocket(pr.b)
	if got := h.recv(pr.a, 10); string(got) != "last words" {
		h.t.Fatalf("read %q; want the data sent before close", got)
	}
	h.expectEOF(pr.a)
	// EOF again: the end of the stream stays the end.
	h.expectEOF(pr.a)
}

// A Shutdown half-closes: the peer reads every byte written before it, then the end
// of the stream, and can still write back, which the shut side reads.
func testShutdown(h *harness) {
	pr := h.connect("tcp")
	data := pattern(largeWriteBytes, 3)
	wr := &poller.Op{Kind: poller.Write, Socket: pr.b, Buf: data}
	h.start(wr)
	// The peer reads while the write is in flight; the shutdown follows it.
	got := make([]byte, 0, len(data))
	buf := make([]byte, slowReadBytes)
	rd := &poller.Op{Kind: poller.Read, Socket: pr.a}
	var sh *poller.Op
	for len(got) < len(data) {
		rd.Buf = buf
		h.start(rd)
		for {
			op := h.awaitAny(rd, wr)
			if op == rd {
				break
			}
			if wr.Err != nil || wr.N != len(data) {
				h.t.Fatalf("write before shutdown: N = %d, Err = %v; want %d, nil", wr.N, wr.Err, len(data))
			}
			sh = h.run(&poller.Op{Kind: poller.Shutdown, Socket: pr.b})
			if sh.Err != nil {
				h.t.Fatalf("shutdown: %v", sh.Err)
			}
		}
		if rd.Err != nil {
			h.t.Fatalf("peer read after %d of %d bytes: %v", len(got), len(data), rd.Err)
		}
		got = append(got, buf[:rd.N]...)
	}
	if sh == nil {
		h.await(wr)
		if wr.Err != nil || wr.N != len(data) {
			h.t.Fatalf("write before shutdown: N = %d, Err = %v; want %d, nil", wr.N, wr.Err, len(data))
		}
		if sh = h.run(&poller.Op{Kind: poller.Shutdown, Socket: pr.b}); sh.Err != nil {
			h.t.Fatalf("shutdown: %v", sh.Err)
		}
	}
	if !bytes.Equal(got, data) {
		h.t.Fatalf("the peer read %d bytes that differ from the %d written before the shutdown", len(got), len(data))
	}
	h.expectEOF(pr.a)
	h.expectEOF(pr.a)
	// The other direction still works, both ways of reading it.
	h.send(pr.a, []byte("reply after the end"))
	if got := h.recv(pr.b, 19); string(got) != "reply after the end" {
		h.t.Fatalf("the shut side read %q; want the peer's reply", got)
	}
	rd2 := &poller.Op{Kind: poller.Read, Socket: pr.b, Buf: make([]byte, 16)}
	h.start(rd2)
	h.quiet("a read on the shut side with nothing sent")
	h.send(pr.a, []byte("more"))
	h.await(rd2)
	if rd2.Err != nil || string(rd2.Buf[:rd2.N]) != "more" {
		h.t.Fatalf("the shut side read %q, %v; want more", rd2.Buf[:rd2.N], rd2.Err)
	}
	// A second shutdown does nothing more.
	if again := h.run(&poller.Op{Kind: poller.Shutdown, Socket: pr.b}); again.Err != nil {
		h.t.Fatalf("second shutdown: %v; want nil", again.Err)
	}
	// The peer closes: the shut side reads the end of the stream too.
	h.closeSocket(pr.a)
	h.expectEOF(pr.b)
	h.quiet("after both ends ended")
}

// A Write after a Shutdown fails with EPIPE; a Shutdown with a Write in flight, or
// on a listener, is refused.
func testShutdownErrors(h *harness) {
	pr := h.connect("tcp")
	big := &poller.Op{Kind: poller.Write, Socket: pr.b, Buf: make([]byte, 4*largeWriteBytes)}
	h.start(big)
	h.wait(0)
	if h.inflight[big] {
		if err := h.p.Start(&poller.Op{Kind: poller.Shutdown, Socket: pr.b}); err == nil {
			h.t.Fatalf("Start(shutdown) with a write in flight = nil; want an error")
		}
	}
	if err := h.p.Start(&poller.Op{Kind: poller.Shutdown, Socket: pr.ln}); err == nil {
		h.t.Fatalf("Start(shutdown) on a listener = nil; want an error")
	}
	pr2 := h.connectTo("tcp", pr.ln, mustAddr(h, pr))
	if sh := h.run(&poller.Op{Kind: poller.Shutdown, Socket: pr2.b}); sh.Err != nil {
		h.t.Fatalf("shutdown: %v", sh.Err)
	}
	wr := h.run(&poller.Op{Kind: poller.Write, Socket: pr2.b, Buf: []byte("late")})
	if !errors.Is(wr.Err, syscall.EPIPE) {
		h.t.Fatalf("write after shutdown: N = %d, Err = %v; want EPIPE", wr.N, wr.Err)
	}
	h.expectEOF(pr2.a)
}

func mustAddr(h *harness, pr pair) string {
	h.t.Helper()
	if pr.con.Remote == nil {
		h.t.Fatalf("connect: Remote = nil")
	}
	return pr.con.Remote.String()
}

// When CloseSocket returns, a Write in flight has its final count: the bytes it
// handed to the system, which the peer reads, and no more, before the end of the
// stream.
func testCloseWriteCount(h *harness) {
	pr := h.connect("tcp")
	small := h.run(&poller.Op{Kind: poller.Write, Socket: pr.b, Buf: []byte("first")})
	if small.Err != nil {
		h.t.Fatalf("write: %v", small.Err)
	}
	// A write the peer's buffers cannot hold while it does not read, and a small
	// one finished at Start but not yet returned by Wait.
	big := &poller.Op{Kind: poller.Write, Socket: pr.b, Buf: pattern(4*largeWriteBytes, 4)}
	h.start(big)
	h.wait(0)
	bigDone := !h.inflight[big]
	h.closeSocket(pr.b)
	n := big.N
	if n < 0 || n > len(big.Buf) {
		h.t.Fatalf("write cut short by CloseSocket: N = %d; want 0..%d", n, len(big.Buf))
	}
	if !bigDone {
		h.await(big)
		if big.N != n {
			h.t.Fatalf("write cut short by CloseSocket: N = %d at CloseSocket, %d from Wait; want it final at CloseSocket", n, big.N)
		}
		if big.Err != poller.ErrClosed && (big.Err != nil || big.N != len(big.Buf)) {
			h.t.Fatalf("write cut short by CloseSocket: N = %d, Err = %v; want ErrClosed, or all written", big.N, big.Err)
		}
	}
	want := append([]byte("first"), big.Buf[:n]...)
	got := make([]byte, 0, len(want))
	buf := make([]byte, slowReadBytes)
	for {
		op := h.run(&poller.Op{Kind: poller.Read, Socket: pr.a, Buf: buf})
		if op.Err == io.EOF {
			break
		}
		if op.Err != nil {
			h.t.Fatalf("peer read after %d bytes: %v", len(got), op.Err)
		}
		got = append(got, buf[:op.N]...)
	}
	if !bytes.Equal(got, want) {
		h.t.Fatalf("the peer read %d bytes before the end of the stream; want the %d the writes counted", len(got), len(want))
	}
}

// SetOption sets NoDelay and KeepAlive on both ends of a connection, which goes on
// working; it refuses a listener, an unknown kind, a negative delay and a closed
// socket.
func testSetOption(h *harness) {
	pr := h.connect("tcp")
	for _, s := range []poller.Socket{pr.a, pr.b} {
		for _, o := range []poller.Option{
			{Kind: poller.NoDelay, On: false},
			{Kind: poller.NoDelay, On: true},
			{Kind: poller.KeepAlive, On: true},
			{Kind: poller.KeepAlive, On: true, Delay: 30 * time.Second},
			{Kind: poller.KeepAlive, On: true, Delay: 1500 * time.Millisecond},
			{Kind: poller.KeepAlive, On: false},
		} {
			if err := h.p.SetOption(s, o); err != nil {
				h.t.Fatalf("SetOption(%#x, %v on=%v delay=%v): %v", s, o.Kind, o.On, o.Delay, err)
			}
		}
	}
	h.send(pr.b, []byte("still"))
	if got := h.recv(pr.a, 5); string(got) != "still" {
		h.t.Fatalf("read after SetOption: %q", got)
	}
	for _, tc := range []struct {
		what string
		s    poller.Socket
		o    poller.Option
	}{
		{"on a listener", pr.ln, poller.Option{Kind: poller.NoDelay, On: true}},
		{"of an unknown kind", pr.a, poller.Option{Kind: 99, On: true}},
		{"of the zero kind", pr.a, poller.Option{}},
		{"with a negative delay", pr.a, poller.Option{Kind: poller.KeepAlive, On: true, Delay: -time.Second}},
		{"on the zero Socket", 0, poller.Option{Kind: poller.NoDelay, On: true}},
	} {
		if err := h.p.SetOption(tc.s, tc.o); err == nil {
			h.t.Errorf("SetOption %s = nil; want an error", tc.what)
		}
	}
	h.closeSocket(pr.a)
	if err := h.p.SetOption(pr.a, poller.Option{Kind: poller.NoDelay, On: true}); !errors.Is(err, poller.ErrClosed) {
		h.t.Errorf("SetOption on a closed socket: %v; want an error wrapping ErrClosed", err)
	}
	h.quiet("after SetOption")
}

// isReset reports whether err is what a peer's reset looks like.
func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ECONNABORTED)
}

func testResetByPeer(h *harness) {
	pr := h.connect("tcp")
	h.send(pr.a, []byte("never read"))
	// b has unread data: closing it makes the system reset the connection.
	h.closeSocket(pr.b)
	var lastErr error
	for range 8 {
		rd := h.run(&poller.Op{Kind: poller.Read, Socket: pr.a, Buf: make([]byte, 16)})
		if isReset(rd.Err) {
			return
		}
		lastErr = rd.Err
		if rd.Err != nil && rd.Err != io.EOF {
			break
		}
		// Some systems report the end of the stream first; a write then fails.
		wr := h.run(&poller.Op{Kind: poller.Write, Socket: pr.a, Buf: []byte("x")})
		if isReset(wr.Err) {
			return
		}
		if wr.Err != nil {
			lastErr = wr.Err
			break
		}
	}
	h.t.Fatalf("after the peer reset: last error %v; want ECONNRESET or EPIPE", lastErr)
}

func testRefused(h *harness) {
	ln, addr := h.listen("tcp")
	h.closeSocket(ln)
	con := h.run(&poller.Op{Kind: poller.Connect, Network: "tcp", Address: addr})
	if !errors.Is(con.Err, syscall.ECONNREFUSED) {
		h.t.Fatalf("connect to closed listener %s: Err = %v; want ECONNREFUSED", addr, con.Err)
	}
	if con.Conn != 0 {
		h.t.Errorf("failed connect: Conn = %#x; want 0", con.Conn)
	}
}

func testCancelRead(h *harness) {
	pr := h.connect("tcp")
	rd := &poller.Op{Kind: poller.Read, Socket: pr.a, Buf: make([]byte, 16)}
	h.start(rd)
	h.quiet("pending read")
	h.p.Cancel(rd)
	h.await(rd)
	if rd.Err != poller.ErrCanceled {
		h.t.Fatalf("canceled read: N = %d, Err = %v; want ErrCanceled", rd.N, rd.Err)
	}
	// The socket still works, and cancel lost no data.
	h.send(pr.b, []byte("after cancel"))
	if got := h.recv(pr.a, 12); string(got) != "after cancel" {
		h.t.Fatalf("read after cancel: %q", got)
	}
}

func testCancelAccept(h *harness) {
	ln, addr := h.listen("tcp")
	acc := &poller.Op{Kind: poller.Accept, Socket: ln}
	h.start(acc)
	h.quiet("pending accept")
	h.p.Cancel(acc)
	h.await(acc)
	if acc.Err != poller.ErrCanceled {
		h.t.Fatalf("canceled accept: Err = %v; want ErrCanceled", acc.Err)
	}
	// The listener still accepts.
	h.connectTo("tcp", ln, addr)
}

func testCancelConnect(h *harness) {
	ln, addr := h.listen("tcp")
	con := &poller.Op{Kind: poller.Connect, Network: "tcp", Address: addr}
	h.start(con)
	h.p.Cancel(con)
	h.await(con)
	// The connection may have been made before Cancel ran; then it is an
	// ordinary connection.
	switch {
	case con.Err == poller.ErrCanceled:
		if con.Conn != 0 {
			h.t.Errorf("canceled connect: Conn = %#x; want 0", con.Conn)
		}
	case con.Err == nil:
		h.closeSocket(con.Conn)
	default:
		h.t.Fatalf("canceled connect: Err = %v; want ErrCanceled or nil", con.Err)
	}
	h.connectTo("tcp", ln, addr)
}

func testCancelFinished(h *harness) {
	pr := h.connect("tcp")
	wr := h.run(&poller.Op{Kind: poller.Write, Socket: pr.a, Buf: []byte("x")})
	// Finished and returned, never started, and empty: all no-ops.
	h.p.Cancel(wr)
	h.p.Cancel(&poller.Op{Kind: poller.Read, Socket: pr.a, Buf: make([]byte, 1)})
	h.p.Cancel(&poller.Op{})
	h.quiet("after canceling ops not in flight")
	if wr.Err != nil || wr.N != 1 {
		h.t.Fatalf("Cancel changed a finished op: N = %d, Err = %v", wr.N, wr.Err)
	}
	// Finished at Start but not yet returned: Cancel may cancel it or leave it; it
	// still comes back exactly once.
	h.send(pr.b, []byte("y"))
	rd := &poller.Op{Kind: poller.Read, Socket: pr.a, Buf: make([]byte, 4)}
	h.start(rd)
	h.p.Cancel(rd)
	h.await(rd)
	if rd.Err != nil && rd.Err != poller.ErrCanceled {
		h.t.Fatalf("read canceled after data arrived: Err = %v", rd.Err)
	}
	h.quiet("after the canceled read")
}

func testCloseInFlight(h *harness) {
	pr := h.connect("tcp")
	rd := &poller.Op{Kind: poller.Read, Socket: pr.a, Buf: make([]byte, 16)}
	// A write too big for the kernel's buffers while the peer does not read.
	wr := &poller.Op{Kind: poller.Write, Socket: pr.a, Buf: make([]byte, 4*largeWriteBytes)}
	h.start(rd)
	h.start(wr)
	h.wait(0)
	h.closeSocket(pr.a)
	h.await(rd)
	if rd.Err != poller.ErrClosed {
		h.t.Fatalf("read in flight at CloseSocket: N = %d, Err = %v; want ErrClosed", rd.N, rd.Err)
	}
	if h.inflight[wr] || h.finished[wr] {
		h.await(wr)
	}
	if wr.Err != poller.ErrClosed && (wr.Err != nil || wr.N != len(wr.Buf)) {
		h.t.Fatalf("write in flight at CloseSocket: N = %d, Err = %v; want ErrClosed", wr.N, wr.Err)
	}
	// The socket is gone.
	err := h.p.Start(&poller.Op{Kind: poller.Read, Socket: pr.a, Buf: make([]byte, 1)})
	if !errors.Is(err, poller.ErrClosed) {
		h.t.Errorf("Start on a closed socket: %v; want an error wrapping ErrClosed", err)
	}
	if err := h.p.CloseSocket(pr.a); !errors.Is(err, poller.ErrClosed) {
		h.t.Errorf("second CloseSocket: %v; want an error wrapping ErrClosed", err)
	}
	// The peer sees the connection end.
	for {
		op := h.run(&poller.Op{Kind: poller.Read, Socket: pr.b, Buf: make([]byte, 64<<10)})
		if op.Err == io.EOF || isReset(op.Err) {
			break
		}
		if op.Err != nil {
			h.t.Fatalf("peer read after close: %v; want io.EOF or a reset", op.Err)
		}
	}
	h.quiet("after close")
}

// A socket closed while the kernel is reporting it readable, before a Wait has
// seen that, is closed all the same: its peer sees the connection end. (A back end
// whose registration holds the socket open, as an io_uring poll does, must undo it
// even then.)
func testCloseWhileReadable(h *harness) {
	pr := h.connect("tcp")
	for round := range 3 {
		// The bytes reach a while the Write is in flight, and no Wait runs
		// before a is closed.
		wr := &poller.Op{Kind: poller.Write, Socket: pr.b, Buf: []byte("unread")}
		h.start(wr)
		if round == 2 {
			h.closeSocket(pr.a)
		}
		h.await(wr)
		if wr.Err != nil {
			h.t.Fatalf("write %d: %v", round, wr.Err)
		}
	}
	rd := h.run(&poller.Op{Kind: poller.Read, Socket: pr.b, Buf: make([]byte, 8)})
	if rd.Err != io.EOF && !isReset(rd.Err) {
		h.t.Fatalf("read after the peer closed: N %d, Err %v; want io.EOF or a reset", rd.N, rd.Err)
	}
}

// Bytes that arrive while no Read is pending, more than one Read returns and in
// several pieces, all reach the next Reads, in order, whether they read into a
// buffer of their own or the shared one, and the end of the stream comes after
// them. (A back end whose receive stays armed between Reads, as io_uring's
// multishot receive does, holds such bytes until a Read takes them.)
func testArrivalsWithoutRead(h *harness) {
	pr := h.connect("tcp")
	// A first Read, so that the connection has read before.
	h.send(pr.b, []byte("first"))
	if got := h.recv(pr.a, 5); string(got) != "first" {
		h.t.Fatalf("first read: %q", got)
	}
	want := pattern(3*poller.SharedReadBytes+7, 9)
	wr := &poller.Op{Kind: poller.Write, Socket: pr.b, Buf: want}
	h.start(wr)
	for range 4 {
		h.wait(awaitSliceTimeout / 20)
	}
	got := make([]byte, 0, len(want))
	own := make([]byte, 5000)
	rd := &poller.Op{Kind: poller.Read, Socket: pr.a}
	for i := 0; len(got) < len(want); i++ {
		if i == awaitWaitsMax {
			h.t.Fatalf("reads after arrivals: %d of %d bytes", len(got), len(want))
		}
		rd.Buf = nil
		if i%2 == 1 {
			rd.Buf = own
		}
		h.run(rd)
		if rd.Err != nil || rd.N < 1 || rd.N > poller.SharedReadBytes {
			h.t.Fatalf("read after %d of %d bytes that arrived with no read pending: N = %d, Err = %v; want 1..%d bytes",
				len(got), len(want), rd.N, rd.Err, poller.SharedReadBytes)
		}
		got = append(got, rd.Buf[:rd.N]...)
	}
	h.await(wr)
	if wr.Err != nil || wr.N != len(want) {
		h.t.Fatalf("write: N = %d, Err = %v; want %d, nil", wr.N, wr.Err, len(want))
	}
	h.closeSocket(pr.b)
	if !bytes.Equal(got, want) {
		h.t.Fatalf("read %d bytes that arrived with no read pending, not the %d written (first difference at %d)",
			len(got), len(want), firstDiff(got, want))
	}
	h.expectEOF(pr.a)
	h.expectEOF(pr.a)
}

// A connection closed while a shared Read is pending on it, with bytes arriving, is
// closed: the Read comes back once, with ErrClosed or the bytes, and the peer sees
// the connection end. The slot it held goes on to a new connection, which sees
// none of the old one's bytes.
func testCloseWithReadPending(h *harness) {
	ln, addr := h.listen("tcp")
	for round := range 3 {
		pr := h.connectTo("tcp", ln, addr)
		rd := &poller.Op{Kind: poller.Read, Socket: pr.a}
		h.start(rd)
		h.quiet("shared read pending")
		wr := &poller.Op{Kind: poller.Write, Socket: pr.b, Buf: []byte(fmt.Sprintf("round %d", round))}
		h.start(wr)
		if round > 0 {
			h.wait(0) // the bytes may have reached the read, or not yet
		}
		h.closeSocket(pr.a)
		h.await(rd)
		if rd.Err != poller.ErrClosed && (rd.Err != nil || rd.N < 1) {
			h.t.Fatalf("round %d: shared read pending at CloseSocket: N = %d, Err = %v; want ErrClosed or bytes", round, rd.N, rd.Err)
		}
		h.await(wr)
		for {
			op := h.run(&poller.Op{Kind: poller.Read, Socket: pr.b, Buf: make([]byte, 64)})
			if op.Err == io.EOF || isReset(op.Err) {
				break
			}
			if op.Err != nil {
				h.t.Fatalf("round %d: peer read after close: %v; want io.EOF or a reset", round, op.Err)
			}
		}
		h.closeSocket(pr.b)
	}
	pr := h.connectTo("tcp", ln, addr)
	h.send(pr.b, []byte("fresh"))
	rd := h.run(&poller.Op{Kind: poller.Read, Socket: pr.a})
	if rd.Err != nil || string(rd.Buf[:rd.N]) != "fresh" {
		h.t.Fatalf("read on a connection made after the closed ones: %q, %v; want \"fresh\"", rd.Buf[:rd.N], rd.Err)
	}
	h.quiet("after the fresh read")
}

func testCloseListenerInFlight(h *harness) {
	ln, _ := h.listen("tcp")
	acc := &poller.Op{Kind: poller.Accept, Socket: ln}
	h.start(acc)
	h.quiet("pending accept")
	h.closeSocket(ln)
	h.await(acc)
	if acc.Err != poller.ErrClosed {
		h.t.Fatalf("accept in flight at CloseSocket: Err = %v; want ErrClosed", acc.Err)
	}
	if acc.Conn != 0 {
		h.t.Errorf("closed accept: Conn = %#x; want 0", acc.Conn)
	}
}

func testStartErrors(h *harness) {
	pr := h.connect("tcp")
	refuse := func(what string, op *poller.Op) {
		h.t.Helper()
		if err := h.p.Start(op); err == nil {
			h.inflight[op] = true
			h.t.Errorf("Start(%s) = nil; want an error", what)
		}
	}
	refuse("read on the zero Socket", &poller.Op{Kind: poller.Read, Buf: make([]byte, 1)})
	refuse("unknown kind", &poller.Op{Kind: 99, Socket: pr.a})
	refuse("zero kind", &poller.Op{Socket: pr.a})
	refuse("read into an empty buffer", &poller.Op{Kind: poller.Read, Socket: pr.a, Buf: []byte{}})
	refuse("read on a listener", &poller.Op{Kind: poller.Read, Socket: pr.ln, Buf: make([]byte, 1)})
	refuse("accept on a connection", &poller.Op{Kind: poller.Accept, Socket: pr.a})
	refuse("connect to a bad network", &poller.Op{Kind: poller.Connect, Network: "bogus", Address: "127.0.0.1:1"})
	refuse("connect to a malformed address", &poller.Op{Kind: poller.Connect, Network: "tcp", Address: "127.0.0.1"})

	// A second read while one is in flight is refused; the first still finishes.
	rd := &poller.Op{Kind: poller.Read, Socket: pr.a, Buf: make([]byte, 8)}
	h.start(rd)
	refuse("a second read in flight", &poller.Op{Kind: poller.Read, Socket: pr.a, Buf: make([]byte, 8)})
	h.send(pr.b, []byte("ok"))
	h.await(rd)
	if rd.Err != nil || string(rd.Buf[:rd.N]) != "ok" {
		h.t.Fatalf("first read: %q, %v", rd.Buf[:rd.N], rd.Err)
	}
	h.quiet("after refused starts")
}

func testListenErrors(h *harness) {
	for _, tc := range []struct{ network, address string }{
		{"bogus", "127.0.0.1:0"},
		{"tcp", "127.0.0.1"},
		{"tcp", "127.0.0.1:notaport"},
		{"tcp4", "[::1]:0"},
	} {
		if s, _, err := h.p.Listen(tc.network, tc.address); err == nil {
			h.t.Errorf("Listen(%q, %q) = %#x, nil; want an error", tc.network, tc.address, s)
		}
	}
	// A port in use.
	_, addr := h.listen("tcp")
	if s, _, err := h.p.Listen("tcp", addr); err == nil {
		h.t.Errorf("Listen on %s, already bound = %#x, nil; want an error", addr, s)
	}
}

func testWakeBeforeWait(h *harness) {
	for range 3 {
		if err := h.p.Wake(); err != nil {
			h.t.Fatalf("Wake: %v", err)
		}
	}
	start := h.cfg.now()
	if n := h.wait(-1); n != 0 {
		h.t.Fatalf("woken Wait returned %d ops; want none", n)
	}
	if el := h.cfg.now().Sub(start); el > timeoutBound {
		h.t.Fatalf("Wait after Wake took %v", el)
	}
	// The wake-ups coalesced and were consumed: a timed Wait now runs its course.
	h.expectTimeout(50 * time.Millisecond)
}

func testWakeFromGoroutine(h *harness) {
	// A lost wake-up would block Wait(-1) forever. The watchdog turns that into
	// a failure instead of a hang, as far as a further Wake can.
	var stuck atomic.Bool
	watchdog := time.AfterFunc(awaitDeadline, func() {
		stuck.Store(true)
		for range 1000 {
			h.p.Wake()
			runtime.Gosched()
		}
	})
	defer watchdog.Stop()
	defer func() {
		if stuck.Load() {
			h.t.Fatalf("Wait(-1) did not return within %v of a Wake from another goroutine", awaitDeadline)
		}
	}()
	for i := range 20 {
		errc := make(chan error, 1)
		go func() { errc <- h.p.Wake() }()
		if n := h.wait(-1); n != 0 {
			h.t.Fatalf("round %d: woken Wait returned %d ops; want none", i, n)
		}
		if err := <-errc; err != nil {
			h.t.Fatalf("Wake: %v", err)
		}
	}
	// Many goroutines at once: at least one Wait returns, and no wake-up is lost
	// for a Wait that starts after they all finished.
	const wakers = 8
	errc := make(chan error, wakers)
	for range wakers {
		go func() { errc <- h.p.Wake() }()
	}
	h.wait(-1)
	for range wakers {
		if err := <-errc; err != nil {
			h.t.Fatalf("Wake: %v", err)
		}
	}
	// Every Wake above either was consumed or is pending; one more Wait(-1)
	// after a fresh Wake must return.
	go func() { errc <- h.p.Wake() }()
	h.wait(-1)
	if err := <-errc; err != nil {
		h.t.Fatalf("Wake: %v", err)
	}
}

// expectTimeout checks that a Wait(d) with nothing to do returns after about d.
// Timed waits may return early when interrupted, so a few attempts are allowed.
func (h *harness) expectTimeout(d time.Duration) {
	h.t.Helper()
	var el time.Duration
	for range 3 {
		start := h.cfg.now()
		n := h.wait(d)
		el = h.cfg.now().Sub(start)
		if n != 0 {
			h.t.Fatalf("idle Wait(%v) returned %d ops", d, n)
		}
		if el > timeoutBound {
			h.t.Fatalf("Wait(%v) returned after %v; want well under %v", d, el, timeoutBound)
		}
		if el >= d-timeoutSlack {
			return
		}
	}
	h.t.Fatalf("Wait(%v) returned after only %v", d, el)
}

func testWaitTimeout(h *harness) {
	start := h.cfg.now()
	if n := h.wait(0); n != 0 {
		h.t.Fatalf("idle Wait(0) returned %d ops", n)
	}
	if el := h.cfg.now().Sub(start); el > time.Second {
		h.t.Fatalf("Wait(0) took %v; want it to return at once", el)
	}
	h.expectTimeout(50 * time.Millisecond)
	h.expectTimeout(time.Millisecond)
	// A socket with nothing to report does not end a timed wait early.
	h.connect("tcp")
	h.wait(0)
	h.expectTimeout(30 * time.Millisecond)
}

func testManySockets(h *harness) {
	ln, addr := h.listen("tcp")
	cons := make([]*poller.Op, manyPairs)
	for i := range cons {
		cons[i] = &poller.Op{Kind: poller.Connect, Network: "tcp", Address: addr}
		h.start(cons[i])
	}
	accepted := make([]poller.Socket, 0, manyPairs)
	acc := &poller.Op{Kind: poller.Accept, Socket: ln}
	for len(accepted) < manyPairs {
		h.run(acc)
		if acc.Err != nil {
			h.t.Fatalf("accept %d: %v", len(accepted), acc.Err)
		}
		accepted = append(accepted, acc.Conn)
	}
	h.await(cons...)
	seen := map[poller.Socket]bool{}
	for i, c := range cons {
		if c.Err != nil {
			h.t.Fatalf("connect %d: %v", i, c.Err)
		}
		seen[c.Conn] = true
	}
	for _, a := range accepted {
		seen[a] = true
	}
	if len(seen) != 2*manyPairs {
		h.t.Fatalf("%d distinct sockets for %d pairs; want %d", len(seen), manyPairs, 2*manyPairs)
	}
	// Each connecting side sends its index; the accepting side echoes what it got.
	const msgBytes = 1024
	var writes, reads []*poller.Op
	for i, c := range cons {
		writes = append(writes, &poller.Op{Kind: poller.Write, Socket: c.Conn, Buf: pattern(msgBytes, i+2)})
	}
	for _, a := range accepted {
		reads = append(reads, &poller.Op{Kind: poller.Read, Socket: a, Buf: make([]byte, msgBytes)})
	}
	for i := range cons {
		h.start(reads[i])
		h.start(writes[i])
	}
	h.await(writes...)
	for i, w := range writes {
		if w.Err != nil || w.N != msgBytes {
			h.t.Fatalf("write %d: N = %d, Err = %v", i, w.N, w.Err)
		}
	}
	// Echo every read back, reading again until each accepted side has a whole
	// message; the accept order need not match the connect order.
	got := make([][]byte, manyPairs)
	pending := append([]*poller.Op(nil), reads...)
	echoes := []*poller.Op{}
	for len(pending) > 0 {
		op := h.awaitAny(pending...)
		i := indexOf(reads, op)
		if op.Err != nil {
			h.t.Fatalf("read on accepted socket %d: %v", i, op.Err)
		}
		got[i] = append(got[i], op.Buf[:op.N]...)
		pending = remove(pending, op)
		if len(got[i]) < msgBytes {
			op.Buf = make([]byte, msgBytes-len(got[i]))
			h.start(op)
			pending = append(pending, op)
			continue
		}
		echo := &poller.Op{Kind: poller.Write, Socket: op.Socket, Buf: got[i]}
		h.start(echo)
		echoes = append(echoes, echo)
	}
	h.await(echoes...)
	sent := map[string]bool{}
	for _, w := range writes {
		sent[string(w.Buf)] = true
	}
	for i := range cons {
		if !sent[string(got[i])] {
			h.t.Fatalf("accepted socket %d received %d bytes that no connecting socket sent", i, len(got[i]))
		}
	}
	for i, c := range cons {
		back := h.recv(c.Conn, msgBytes)
		if !bytes.Equal(back, writes[i].Buf) {
			h.t.Fatalf("pair %d: echo differs from what was sent", i)
		}
	}
	for i := range cons {
		h.closeSocket(cons[i].Conn)
		h.closeSocket(accepted[i])
	}
	h.quiet("after closing every pair")
}

func indexOf(ops []*poller.Op, op *poller.Op) int {
	for i, o := range ops {
		if o == op {
			return i
		}
	}
	return -1
}

func remove(ops []*poller.Op, op *poller.Op) []*poller.Op {
	i := indexOf(ops, op)
	return append(ops[:i], ops[i+1:]...)
}

func testNetworks(h *harness) {
	for _, network := range h.cfg.networks {
		h.t.Run(network, func(t *testing.T) {
			sub := *h
			sub.t = t
			sh := &sub
			ln, addr, err := h.p.Listen(network, sh.localAddress(network))
			if err != nil {
				if errors.Is(err, errors.ErrUnsupported) || network == "tcp6" {
					t.Skipf("Listen(%q): %v", network, err)
				}
				t.Fatalf("Listen(%q): %v", network, err)
			}
			if addr == nil || addr.Network() != netOf(network) {
				t.Fatalf("Listen(%q) address %v; want network %q", network, addr, netOf(network))
			}
			pr := sh.connectTo(network, ln, addr.String())
			msg := []byte(fmt.Sprintf("over %s", network))
			sh.send(pr.b, msg)
			if got := sh.recv(pr.a, len(msg)); !bytes.Equal(got, msg) {
				t.Fatalf("read %q; want %q", got, msg)
			}
			sh.send(pr.a, msg)
			if got := sh.recv(pr.b, len(msg)); !bytes.Equal(got, msg) {
				t.Fatalf("read %q; want %q", got, msg)
			}
			// Options are accepted on every network (a no-op where they mean
			// nothing, as on a unix-domain socket).
			for _, o := range []poller.Option{{Kind: poller.NoDelay, On: true}, {Kind: poller.KeepAlive, On: true, Delay: time.Minute}} {
				if err := h.p.SetOption(pr.a, o); err != nil {
					t.Fatalf("SetOption(%v) over %s: %v", o.Kind, network, err)
				}
			}
			sh.closeSocket(pr.a)
			sh.expectEOF(pr.b)
			sh.closeSocket(pr.b)
			sh.closeSocket(ln)
			h.done = sh.done
		})
	}
}

func netOf(network string) string {
	if network == "unix" {
		return "unix"
	}
	return "tcp"
}

func testClose(h *harness) {
	pr := h.connect("tcp")
	rd := &poller.Op{Kind: poller.Read, Socket: pr.a, Buf: make([]byte, 1)}
	h.start(rd)
	if err := h.p.Close(); err != nil {
		h.t.Fatalf("Close: %v", err)
	}
	h.closed = true
	if _, err := h.p.Wait(nil, 0); !errors.Is(err, poller.ErrClosed) {
		h.t.Errorf("Wait after Close: %v; want ErrClosed", err)
	}
	if err := h.p.Start(&poller.Op{Kind: poller.Read, Socket: pr.b, Buf: make([]byte, 1)}); !errors.Is(err, poller.ErrClosed) {
		h.t.Errorf("Start after Close: %v; want ErrClosed", err)
	}
	if _, _, err := h.p.Listen("tcp", "127.0.0.1:0"); !errors.Is(err, poller.ErrClosed) {
		h.t.Errorf("Listen after Close: %v; want ErrClosed", err)
	}
	if err := h.p.CloseSocket(pr.b); !errors.Is(err, poller.ErrClosed) {
		h.t.Errorf("CloseSocket after Close: %v; want ErrClosed", err)
	}
	h.p.Cancel(rd)
	_ = h.p.Wake() // does nothing, and must not crash
	if err := h.p.Close(); !errors.Is(err, poller.ErrClosed) {
		h.t.Errorf("second Close: %v; want ErrClosed", err)
	}
}
