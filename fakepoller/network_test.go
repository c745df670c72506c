package fakepoller_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/poller"
)

// world drives one fake poller's network from a test.
type world struct {
	t     *testing.T
	clock *fakeclock.Clock
	p     *fakepoller.Poller
	done  []*poller.Op
	// order lists the ops Wait returned, in the order it returned them.
	order []*poller.Op
}

func newWorld(t *testing.T, opts fakepoller.Options) *world {
	t.Helper()
	c := fakeclock.New()
	p, err := fakepoller.NewWith(c, opts)
	if err != nil {
		t.Fatalf("NewWith: %v", err)
	}
	return &world{t: t, clock: c, p: p}
}

func (w *world) start(op *poller.Op) *poller.Op {
	w.t.Helper()
	if err := w.p.Start(op); err != nil {
		w.t.Fatalf("Start(%v): %v", op.Kind, err)
	}
	return op
}

// await waits until every op in ops has come back.
func (w *world) await(ops ...*poller.Op) {
	w.t.Helper()
	for {
		missing := 0
		for _, op := range ops {
			if !containsOp(w.order, op) {
				missing++
			}
		}
		if missing == 0 {
			return
		}
		var err error
		w.done, err = w.p.Wait(w.done[:0], -1)
		if err != nil {
			w.t.Fatalf("Wait with %d ops missing at %v: %v", missing, since(w.clock), err)
		}
		w.order = append(w.order, w.done...)
	}
}

func containsOp(ops []*poller.Op, op *poller.Op) bool {
	for _, o := range ops {
		if o == op {
			return true
		}
	}
	return false
}

// run starts op and waits for it.
func (w *world) run(op *poller.Op) *poller.Op {
	w.t.Helper()
	w.start(op)
	w.await(op)
	return op
}

// listen listens on 127.0.0.1 and returns the listener and its address.
func (w *world) listen() (poller.Socket, string) {
	w.t.Helper()
	ln, addr, err := w.p.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		w.t.Fatalf("Listen: %v", err)
	}
	return ln, addr.String()
}

// pair returns the accepted and the connecting end of a new connection.
func (w *world) pair() (a, b poller.Socket) {
	w.t.Helper()
	ln, addr := w.listen()
	acc := w.start(&poller.Op{Kind: poller.Accept, Socket: ln})
	con := w.start(&poller.Op{Kind: poller.Connect, Network: "tcp", Address: addr})
	w.await(acc, con)
	if acc.Err != nil || con.Err != nil {
		w.t.Fatalf("connecting: accept %v, connect %v", acc.Err, con.Err)
	}
	return acc.Conn, con.Conn
}

// script is a Choices that answers each decision with the values listed for its
// name, in turn, and 0 once they run out or for names it does not list.
type script map[string][]int

func (s script) Choose(what string, n int) int {
	q := s[what]
	if len(q) == 0 {
		return 0
	}
	s[what] = q[1:]
	return min(q[0], n-1)
}

// recorder is a Choices that logs every decision another one makes.
type recorder struct {
	c   fakepoller.Choices
	log []string
}

func (r *recorder) Choose(what string, n int) int {
	v := r.c.Choose(what, n)
	r.log = append(r.log, fmt.Sprintf("%s/%d=%d", what, n, v))
	return v
}

// A socket handle is never reused, and ports count up from a fixed base.
func TestHandlesAndPorts(t *testing.T) {
	w := newWorld(t, fakepoller.Options{})
	seen := map[poller.Socket]bool{}
	var ports []int
	for i := range 3 {
		ln, addr, err := w.p.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("Listen %d: %v", i, err)
		}
		if seen[ln] {
			t.Fatalf("Listen %d returned handle %#x again", i, ln)
		}
		seen[ln] = true
		ports = append(ports, addr.(*net.TCPAddr).Port)
		if err := w.p.CloseSocket(ln); err != nil {
			t.Fatalf("CloseSocket: %v", err)
		}
	}
	if want := []int{32768, 32769, 32770}; fmt.Sprint(ports) != fmt.Sprint(want) {
		t.Fatalf("ports %v; want %v", ports, want)
	}
}

// Listen rejects what net.Listen rejects, names it cannot resolve without a
// resolver, and addresses in use, with errors that match the system's.
func TestListenAddresses(t *testing.T) {
	w := newWorld(t, fakepoller.Options{})
	_, wild, err := w.p.Listen("tcp", ":0")
	if err != nil || wild.String() != "[::]:32768" {
		t.Fatalf(`Listen("tcp", ":0") = %v, %v; want [::]:32768`, wild, err)
	}
	for _, tc := range []struct{ network, address string }{
		{"tcp4", "127.0.0.1:32768"}, // the dual-stack wildcard holds the port
		{"tcp6", "[::1]:32768"},
		{"tcp", "localhost:32768"},
	} {
		if _, _, err := w.p.Listen(tc.network, tc.address); !errors.Is(err, syscall.EADDRINUSE) {
			t.Errorf("Listen(%q, %q) = %v; want EADDRINUSE", tc.network, tc.address, err)
		}
	}
	for _, tc := range []struct{ network, address string }{
		{"tcp", "example.com:80"},
		{"tcp", "127.0.0.1:http"},
		{"tcp", "127.0.0.1:65536"},
		{"tcp6", "127.0.0.1:0"},
		{"unix", ""},
		{"udp", "127.0.0.1:0"},
	} {
		if s, _, err := w.p.Listen(tc.network, tc.address); err == nil {
			t.Errorf("Listen(%q, %q) = %#x, nil; want an error", tc.network, tc.address, s)
		}
	}
	if _, addr, err := w.p.Listen("tcp4", "0.0.0.0:0"); err != nil || addr.String() != "0.0.0.0:32769" {
		t.Fatalf(`Listen("tcp4", "0.0.0.0:0") = %v, %v; want 0.0.0.0:32769`, addr, err)
	}
}

// A wildcard listener accepts connections to any address of its family, and the
// accepted socket reports the address that was dialed.
func TestWildcardListener(t *testing.T) {
	w := newWorld(t, fakepoller.Options{})
	ln, addr, err := w.p.Listen("tcp4", ":0")
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	port := addr.(*net.TCPAddr).Port
	acc := w.start(&poller.Op{Kind: poller.Accept, Socket: ln})
	con := w.run(&poller.Op{Kind: poller.Connect, Network: "tcp", Address: fmt.Sprintf("10.1.2.3:%d", port)})
	w.await(acc)
	if con.Err != nil || acc.Err != nil {
		t.Fatalf("connect %v, accept %v", con.Err, acc.Err)
	}
	if got, want := acc.Local.String(), fmt.Sprintf("10.1.2.3:%d", port); got != want {
		t.Errorf("accepted Local = %s; want %s", got, want)
	}
	if acc.Remote.String() != con.Local.String() || con.Remote.String() != acc.Local.String() {
		t.Errorf("addresses do not mirror: accept %v→%v, connect %v→%v", acc.Local, acc.Remote, con.Local, con.Remote)
	}
	v6 := w.run(&poller.Op{Kind: poller.Connect, Network: "tcp", Address: fmt.Sprintf("[::1]:%d", port)})
	if !errors.Is(v6.Err, syscall.ECONNREFUSED) {
		t.Errorf("connect over IPv6 to an IPv4 wildcard: %v; want ECONNREFUSED", v6.Err)
	}
}

// Connecting where nobody listens fails with an *os.SyscallError matching
// ECONNREFUSED, after the request's round trip.
func TestRefusedWithoutListener(t *testing.T) {
	w := newWorld(t, fakepoller.Options{MinLatency: 3 * time.Millisecond, MaxLatency: 3 * time.Millisecond})
	con := w.run(&poller.Op{Kind: poller.Connect, Network: "unix", Address: "/nobody"})
	var se *os.SyscallError
	if !errors.Is(con.Err, syscall.ECONNREFUSED) || !errors.As(con.Err, &se) || con.Conn != 0 {
		t.Fatalf("connect: Conn %#x, Err %v; want 0 and an *os.SyscallError matching ECONNREFUSED", con.Conn, con.Err)
	}
	if got := since(w.clock); got != 6*time.Millisecond {
		t.Fatalf("refused after %v; want 6ms, a round trip", got)
	}
}

// Connect, data and the end of the stream each take the latency, and the first
// choice takes the lower bound; a scripted choice takes another.
func TestLatency(t *testing.T) {
	opts := fakepoller.Options{
		Choices:    script{"net.latency": {0, 0, 4}},
		MinLatency: time.Millisecond,
		MaxLatency: 5 * time.Millisecond,
	}
	w := newWorld(t, opts)
	a, b := w.pair() // request and answer: 1ms each
	if got := since(w.clock); got != 2*time.Millisecond {
		t.Fatalf("connected at %v; want 2ms", got)
	}
	rd := w.start(&poller.Op{Kind: poller.Read, Socket: a, Buf: make([]byte, 8)})
	w.run(&poller.Op{Kind: poller.Write, Socket: b, Buf: []byte("hi")}) // scripted 4: 1ms + 4µs
	w.await(rd)
	if got, want := since(w.clock), 2*time.Millisecond+time.Millisecond+4*time.Microsecond; got != want || string(rd.Buf[:rd.N]) != "hi" {
		t.Fatalf("read %q at %v; want hi at %v", rd.Buf[:rd.N], got, want)
	}
}

// A write larger than the buffer finishes once, when the reader has made room
// for all of it, and the bytes arrive in order.
func TestBufferBytes(t *testing.T) {
	w := newWorld(t, fakepoller.Options{BufferBytes: 1000})
	a, b := w.pair()
	data := bytes.Repeat([]byte("0123456789"), 350)
	wr := w.start(&poller.Op{Kind: poller.Write, Socket: b, Buf: data})
	var got []byte
	buf := make([]byte, 4096)
	for len(got) < len(data) {
		rd := w.run(&poller.Op{Kind: poller.Read, Socket: a, Buf: buf})
		if rd.Err != nil || rd.N > 1000 {
			t.Fatalf("read after %d bytes: N %d, Err %v; want at most the 1000-byte buffer", len(got), rd.N, rd.Err)
		}
		if containsOp(w.order, wr) && len(got)+rd.N+1000 < len(data) {
			t.Fatalf("the write finished with %d bytes unread beyond the buffer", len(data)-len(got)-rd.N)
		}
		got = append(got, buf[:rd.N]...)
	}
	w.await(wr)
	if wr.N != len(data) || wr.Err != nil || !bytes.Equal(got, data) {
		t.Fatalf("write N %d Err %v, data equal %v; want %d, nil, true", wr.N, wr.Err, bytes.Equal(got, data), len(data))
	}
}

// Each fault shows when its probability is 1 and not when it is 0.
func TestFaults(t *testing.T) {
	type check func(w *world) (struck bool, detail string)
	refused := func(w *world) (bool, string) {
		ln, addr := w.listen()
		acc := w.start(&poller.Op{Kind: poller.Accept, Socket: ln})
		con := w.run(&poller.Op{Kind: poller.Connect, Network: "tcp", Address: addr})
		if con.Err == nil {
			w.await(acc)
			return false, "connected"
		}
		if !errors.Is(con.Err, syscall.ECONNREFUSED) {
			w.t.Fatalf("connect failed with %v; want ECONNREFUSED", con.Err)
		}
		w.quiet()
		return true, con.Err.Error()
	}
	reset := func(w *world) (bool, string) {
		a, b := w.pair()
		wr := w.run(&poller.Op{Kind: poller.Write, Socket: b, Buf: []byte("data")})
		if wr.Err == nil {
			rd := w.run(&poller.Op{Kind: poller.Read, Socket: a, Buf: make([]byte, 8)})
			if rd.Err == nil && string(rd.Buf[:rd.N]) == "data" {
				return false, "data arrived"
			}
			w.t.Fatalf("read after a write that was not reset: N %d, Err %v", rd.N, rd.Err)
		}
		if !errors.Is(wr.Err, syscall.ECONNRESET) {
			w.t.Fatalf("write failed with %v; want ECONNRESET", wr.Err)
		}
		// The peer hears of it once the reset arrives: its reads fail with
		// ECONNRESET, and a read on a socket already reset draws no fault.
		w.advance(time.Millisecond)
		rd := &poller.Op{Kind: poller.Read, Socket: a, Buf: make([]byte, 8)}
		w.run(rd)
		if !errors.Is(rd.Err, syscall.ECONNRESET) {
			w.t.Fatalf("peer read after the reset: N %d, Err %v; want ECONNRESET", rd.N, rd.Err)
		}
		again := w.run(&poller.Op{Kind: poller.Write, Socket: b, Buf: []byte("more")})
		if !errors.Is(again.Err, syscall.EPIPE) {
			w.t.Fatalf("write on the reset socket: %v; want EPIPE", again.Err)
		}
		return true, wr.Err.Error()
	}
	shortRead := func(w *world) (bool, string) {
		a, b := w.pair()
		w.run(&poller.Op{Kind: poller.Write, Socket: b, Buf: []byte("0123456789")})
		w.advance(time.Millisecond) // let the data arrive
		rd := w.run(&poller.Op{Kind: poller.Read, Socket: a, Buf: make([]byte, 64)})
		if rd.Err != nil || rd.N < 1 || rd.N > 10 {
			w.t.Fatalf("read: N %d, Err %v", rd.N, rd.Err)
		}
		if rest := w.recv(a, 10-rd.N); string(rd.Buf[:rd.N])+string(rest) != "0123456789" {
			w.t.Fatalf("read %q then %q; want 0123456789 in order", rd.Buf[:rd.N], rest)
		}
		return rd.N < 10, fmt.Sprintf("read %d of 10 available bytes", rd.N)
	}
	shortWrite := func(w *world) (bool, string) {
		a, b := w.pair()
		rd := w.start(&poller.Op{Kind: poller.Read, Socket: a, Buf: make([]byte, 64)})
		wr := w.run(&poller.Op{Kind: poller.Write, Socket: b, Buf: []byte("0123456789")})
		if wr.Err != nil || wr.N != 10 {
			w.t.Fatalf("write: N %d, Err %v; want 10, nil", wr.N, wr.Err)
		}
		w.await(rd)
		if rd.Err != nil || rd.N < 1 {
			w.t.Fatalf("read: N %d, Err %v", rd.N, rd.Err)
		}
		if rest := w.recv(a, 10-rd.N); string(rd.Buf[:rd.N])+string(rest) != "0123456789" {
			w.t.Fatalf("read %q then %q; want 0123456789 in order", rd.Buf[:rd.N], rest)
		}
		w.quiet() // the write came back once
		return rd.N < 10, fmt.Sprintf("first piece %d of 10 bytes", rd.N)
	}
	spike := func(w *world) (bool, string) {
		w.pair()
		took := since(w.clock)
		return took >= 2*time.Second, fmt.Sprintf("connected after %v", took)
	}
	for _, tc := range []struct {
		name   string
		faults func(p float64) fakepoller.Faults
		check  check
	}{
		{"Refused", func(p float64) fakepoller.Faults { return fakepoller.Faults{Refused: p} }, refused},
		{"Reset", func(p float64) fakepoller.Faults { return fakepoller.Faults{Reset: p} }, reset},
		{"ShortRead", func(p float64) fakepoller.Faults { return fakepoller.Faults{ShortRead: p} }, shortRead},
		{"ShortWrite", func(p float64) fakepoller.Faults { return fakepoller.Faults{ShortWrite: p} }, shortWrite},
		{"Spike", func(p float64) fakepoller.Faults { return fakepoller.Faults{Spike: p, SpikeLatency: time.Second} }, spike},
	} {
		for _, p := range []float64{0, 1} {
			t.Run(fmt.Sprintf("%s=%v", tc.name, p), func(t *testing.T) {
				rec := &recorder{c: fakepoller.First{}}
				w := newWorld(t, fakepoller.Options{Choices: rec, Faults: tc.faults(p)})
				struck, detail := tc.check(w)
				if struck != (p == 1) {
					t.Fatalf("fault struck = %v (%s) with probability %v", struck, detail, p)
				}
				if p == 0 {
					for _, c := range rec.log {
						if strings.HasPrefix(c, "fault.") {
							t.Fatalf("probability 0 still drew choice %s", c)
						}
					}
				}
			})
		}
	}
}

// advance lets d of virtual time pass, failing if an operation finishes.
func (w *world) advance(d time.Duration) {
	w.t.Helper()
	var err error
	w.done, err = w.p.Wait(w.done[:0], d)
	if err != nil || len(w.done) != 0 {
		w.t.Fatalf("Wait(%v): %d ops, %v; want none", d, len(w.done), err)
	}
}

// quiet fails if anything is ready or scheduled to finish.
func (w *world) quiet() {
	w.t.Helper()
	var err error
	w.done, err = w.p.Wait(w.done[:0], time.Hour)
	if err != nil || len(w.done) != 0 {
		w.t.Fatalf("Wait: %d ops (%v), %v; want none", len(w.done), w.done, err)
	}
}

// recv reads n bytes from s.
func (w *world) recv(s poller.Socket, n int) []byte {
	w.t.Helper()
	var got []byte
	for len(got) < n {
		rd := w.run(&poller.Op{Kind: poller.Read, Socket: s, Buf: make([]byte, n-len(got))})
		if rd.Err != nil {
			w.t.Fatalf("read after %d of %d bytes: %v", len(got), n, rd.Err)
		}
		got = append(got, rd.Buf[:rd.N]...)
	}
	return got
}

// Operations that finish at the same instant come back in the order the choice
// "wait.order" makes; the first choice keeps the order in which they finished.
func TestSimultaneousOrder(t *testing.T) {
	for _, tc := range []struct {
		name  string
		order []int
		want  string
	}{
		{"first", nil, "A B C"},
		{"scripted", []int{2, 0}, "C B A"},
		{"rotated", []int{1, 1}, "B C A"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			choices := script{}
			w := newWorld(t, fakepoller.Options{Choices: choices})
			var reads []*poller.Op
			var writers []poller.Socket
			for range 3 {
				a, b := w.pair()
				reads = append(reads, w.start(&poller.Op{Kind: poller.Read, Socket: a, Buf: make([]byte, 4)}))
				writers = append(writers, b)
			}
			var writes []*poller.Op
			for i, b := range writers {
				writes = append(writes, w.start(&poller.Op{Kind: poller.Write, Socket: b, Buf: []byte{'A' + byte(i)}}))
			}
			// The three writes finish inside Start, so a first Wait returns them
			// before any data arrives; a second returns the three reads, whose data
			// arrive together.
			w.await(writes...)
			w.order = w.order[:0]
			choices["wait.order"] = tc.order
			w.await(reads...)
			if len(w.order) != 3 {
				t.Fatalf("%d ops came back with the reads; want the 3 reads together", len(w.order))
			}
			var got []string
			for _, op := range w.order {
				if op.Kind == poller.Read {
					got = append(got, string(op.Buf[:op.N]))
				}
			}
			if s := strings.Join(got, " "); s != tc.want {
				t.Fatalf("reads came back as %s; want %s", s, tc.want)
			}
		})
	}
}

// exchange runs a small world of several clients sending to one server under
// drawn latencies and every fault, and returns a log of every completion and of
// every choice, as text.
func exchange(t *testing.T, seed uint64) string {
	t.Helper()
	return exchangeOn(t, seed, nil)
}

// exchangeOn is exchange on reused, a closed Poller that it resets, or on a new
// Poller when reused is nil.
func exchangeOn(t *testing.T, seed uint64, reused *fakepoller.Poller) string {
	t.Helper()
	const (
		clients      = 6
		messageBytes = 5000
		stepsMax     = 100_000
	)
	rec := &recorder{c: newSeeded(seed)}
	opts := fakepoller.Options{
		Choices:     rec,
		MinLatency:  100 * time.Microsecond,
		MaxLatency:  3 * time.Millisecond,
		BufferBytes: 2048,
		Faults: fakepoller.Faults{
			Refused: 0.1, Reset: 0.02, ShortRead: 0.3, ShortWrite: 0.3,
			Spike: 0.05, SpikeLatency: 20 * time.Millisecond,
		},
	}
	var w *world
	if reused == nil {
		w = newWorld(t, opts)
	} else {
		w = &world{t: t, clock: fakeclock.New(), p: reused}
		if err := reused.Reset(w.clock, opts); err != nil {
			t.Fatalf("Reset: %v", err)
		}
	}
	var log strings.Builder
	ln, addr := w.listen()
	acc := w.start(&poller.Op{Kind: poller.Accept, Socket: ln})
	for i := range clients {
		w.start(&poller.Op{ID: uint64(100 + i), Kind: poller.Connect, Network: "tcp", Address: addr})
	}
	nextID := uint64(200)
	for range stepsMax {
		var err error
		w.done, err = w.p.Wait(w.done[:0], -1)
		if errors.Is(err, fakepoller.ErrStuck) {
			fmt.Fprintf(&log, "%v stuck\n", since(w.clock))
			break
		}
		if err != nil {
			t.Fatalf("Wait: %v", err)
		}
		for _, op := range w.done {
			fmt.Fprintf(&log, "%v %s #%d conn=%d local=%v remote=%v n=%d err=%v\n",
				since(w.clock), op.Kind, op.ID, op.Conn, op.Local, op.Remote, op.N, op.Err)
			nextID++
			switch {
			case op.Kind == poller.Accept && op.Err == nil:
				w.start(&poller.Op{ID: nextID, Kind: poller.Read, Socket: op.Conn, Buf: make([]byte, 700)})
				op.ID = nextID + 1000
				w.start(op)
			case op.Kind == poller.Connect && op.Err == nil:
				w.start(&poller.Op{ID: nextID, Kind: poller.Write, Socket: op.Conn, Buf: bytes.Repeat([]byte{byte(op.ID)}, messageBytes)})
			case op.Kind == poller.Read && op.Err == nil:
				fmt.Fprintf(&log, "  data %q\n", op.Buf[:min(op.N, 8)])
				op.ID = nextID
				w.start(op)
			case op.Kind == poller.Read, op.Kind == poller.Write:
				w.p.CloseSocket(op.Socket)
			}
		}
	}
	if acc != nil {
		w.p.Close()
	}
	fmt.Fprintf(&log, "choices %s\n", strings.Join(rec.log, " "))
	return log.String()
}

// The same choices give the same run, completion for completion and byte for
// byte; other choices give another run.
func TestDeterminism(t *testing.T) {
	first := exchange(t, 1)
	again := exchange(t, 1)
	if first != again {
		a, b := strings.Split(first, "\n"), strings.Split(again, "\n")
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				t.Fatalf("seed 1 ran differently twice; first difference at line %d:\n%s\n%s", i+1, a[i], b[i])
			}
		}
		t.Fatalf("seed 1 ran differently twice: %d lines, then %d", len(a), len(b))
	}
	for _, want := range []string{"accept", "connect", "read", "write", "data"} {
		if !strings.Contains(first, want) {
			t.Fatalf("the run of seed 1 has no %q; the exchange tests too little:\n%s", want, first)
		}
	}
	if exchange(t, 2) == first {
		t.Fatalf("seeds 1 and 2 ran identically; the choices have no effect")
	}
}

// A Poller reset after its Close runs as a new one, seed after seed, whatever the
// run before it left in it.
func TestResetRunsAsNew(t *testing.T) {
	p, err := fakepoller.NewWith(fakeclock.New(), fakepoller.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	for _, seed := range []uint64{1, 2, 1, 3, 3} {
		if got, want := exchangeOn(t, seed, p), exchange(t, seed); got != want {
			a, b := strings.Split(got, "\n"), strings.Split(want, "\n")
			for i := range min(len(a), len(b)) {
				if a[i] != b[i] {
					t.Fatalf("seed %d on a reset Poller: first difference at line %d:\n%s\n%s", seed, i+1, a[i], b[i])
				}
			}
			t.Fatalf("seed %d on a reset Poller: %d lines, on a new one %d", seed, len(a), len(b))
		}
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Reset of an open Poller did not panic")
		}
	}()
	p.Reset(fakeclock.New(), fakepoller.Options{})
	p.Reset(fakeclock.New(), fakepoller.Options{})
}

// Wake is safe from many goroutines at once, and the wake-ups coalesce into one.
func TestWakeFromGoroutines(t *testing.T) {
	const wakers, wakes = 8, 100
	w := newWorld(t, fakepoller.Options{})
	var wg sync.WaitGroup
	for range wakers {
		wg.Go(func() {
			for range wakes {
				w.p.Wake()
			}
		})
	}
	wg.Wait()
	w.advance(0)
	if since(w.clock) != 0 {
		t.Fatalf("a woken Wait moved the clock to %v", since(w.clock))
	}
	w.advance(time.Second)
	if since(w.clock) != time.Second {
		t.Fatalf("after the wake-ups were consumed, Wait(1s) moved the clock to %v; want 1s", since(w.clock))
	}
}

// NewWith rejects Options that make no sense.
func TestOptionsValidation(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts fakepoller.Options
	}{
		{"negative latency", fakepoller.Options{MinLatency: -1}},
		{"inverted latency", fakepoller.Options{MinLatency: 2, MaxLatency: 1}},
		{"negative buffer", fakepoller.Options{BufferBytes: -1}},
		{"probability above 1", fakepoller.Options{Faults: fakepoller.Faults{Reset: 1.5}}},
		{"negative probability", fakepoller.Options{Faults: fakepoller.Faults{ShortRead: -0.1}}},
		{"negative spike", fakepoller.Options{Faults: fakepoller.Faults{SpikeLatency: -1}}},
		{"negative late wake", fakepoller.Options{Faults: fakepoller.Faults{LateWakeLatency: -1}}},
		{"NaN probability", fakepoller.Options{Faults: fakepoller.Faults{Spike: math.NaN()}}},
	} {
		if p, err := fakepoller.NewWith(fakeclock.New(), tc.opts); err == nil {
			t.Errorf("NewWith with %s = %v, nil; want an error", tc.name, p)
		}
	}
}

// A probability finer than Chance can draw is refused, naming the fault, the value
// and the resolution; one a whole number of millionths is accepted.
func TestOptionsRejectFinerProbabilities(t *testing.T) {
	for _, tc := range []struct {
		faults fakepoller.Faults
		field  string
		value  string
	}{
		{fakepoller.Faults{Reset: 0.0005}, "", ""},
		{fakepoller.Faults{Refused: 0.000001}, "", ""},
		{fakepoller.Faults{LateWake: 0.999999}, "", ""},
		{fakepoller.Faults{Reset: 0.0000005}, "Reset", "5e-07"},
		{fakepoller.Faults{ShortWrite: 0.1234565}, "ShortWrite", "0.1234565"},
		{fakepoller.Faults{LateWake: 0.9999999}, "LateWake", "0.9999999"},
	} {
		_, err := fakepoller.NewWith(fakeclock.New(), fakepoller.Options{Faults: tc.faults})
		if tc.field == "" {
			if err != nil {
				t.Errorf("NewWith(%+v): %v; want it accepted", tc.faults, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("NewWith(%+v) accepted a probability finer than one in a million", tc.faults)
			continue
		}
		for _, want := range []string{"Faults." + tc.field, tc.value, "one in a million"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("NewWith(%+v): %q does not say %q", tc.faults, err, want)
			}
		}
	}
}

// Every field of Faults is checked: each probability field set to 2 and each
// latency field set to -1 is refused with an error that names it, whatever faults
// are added later.
func TestOptionsValidateEveryFault(t *testing.T) {
	typ := reflect.TypeFor[fakepoller.Faults]()
	checked := 0
	for i := range typ.NumField() {
		field := typ.Field(i)
		if !field.IsExported() {
			continue
		}
		var f fakepoller.Faults
		v := reflect.ValueOf(&f).Elem().Field(i)
		switch field.Type {
		case reflect.TypeFor[float64]():
			v.SetFloat(2)
		case reflect.TypeFor[time.Duration]():
			v.SetInt(-1)
		default:
			t.Fatalf("Faults.%s is a %v: want a probability (float64) or a latency (time.Duration)", field.Name, field.Type)
		}
		_, err := fakepoller.NewWith(fakeclock.New(), fakepoller.Options{Faults: f})
		if err == nil || !strings.Contains(err.Error(), "Faults."+field.Name) {
			t.Errorf("NewWith with a bad Faults.%s: %v; want an error naming it", field.Name, err)
		}
		checked++
	}
	if checked < 8 {
		t.Fatalf("checked %d fields of Faults; want at least 8", checked)
	}
}

// A closed connection's peer reads what was sent, then io.EOF, even when the
// latencies differ from message to message.
func TestEOFAfterData(t *testing.T) {
	w := newWorld(t, fakepoller.Options{
		Choices:    script{"net.latency": {900, 0}}, // the data is slow, the end of stream fast
		MinLatency: 0,
		MaxLatency: time.Millisecond,
	})
	a, b := w.pair()
	w.run(&poller.Op{Kind: poller.Write, Socket: b, Buf: []byte("bye")})
	if err := w.p.CloseSocket(b); err != nil {
		t.Fatalf("CloseSocket: %v", err)
	}
	if got := w.recv(a, 3); string(got) != "bye" {
		t.Fatalf("read %q; want bye", got)
	}
	rd := w.run(&poller.Op{Kind: poller.Read, Socket: a, Buf: make([]byte, 8)})
	if rd.Err != io.EOF || rd.N != 0 {
		t.Fatalf("read after the data: N %d, Err %v; want 0, io.EOF", rd.N, rd.Err)
	}
}

// SetOption records a connection's options on its socket, one end at a time, where
// SocketOption reads them back: a connection starts with NoDelay on and KeepAlive
// off, and turning KeepAlive off forgets its delay.
func TestSocketOptionsRecorded(t *testing.T) {
	w := newWorld(t, fakepoller.Options{})
	a, b := w.pair()
	get := func(s poller.Socket, k poller.OptionKind) poller.Option {
		t.Helper()
		o, err := w.p.SocketOption(s, k)
		if err != nil {
			t.Fatalf("SocketOption(%#x, %v): %v", s, k, err)
		}
		return o
	}
	if o := get(a, poller.NoDelay); !o.On {
		t.Errorf("a new connection's NoDelay is off; want on")
	}
	if o := get(a, poller.KeepAlive); o.On || o.Delay != 0 {
		t.Errorf("a new connection's KeepAlive is on=%v delay=%v; want off", o.On, o.Delay)
	}
	steps := []struct {
		set     poller.Option
		noDelay bool
		keep    bool
		delay   time.Duration
	}{
		{poller.Option{Kind: poller.NoDelay}, false, false, 0},
		{poller.Option{Kind: poller.KeepAlive, On: true, Delay: 30 * time.Second}, false, true, 30 * time.Second},
		{poller.Option{Kind: poller.NoDelay, On: true}, true, true, 30 * time.Second},
		{poller.Option{Kind: poller.KeepAlive, Delay: time.Minute}, true, false, 0},
	}
	for i, st := range steps {
		if err := w.p.SetOption(a, st.set); err != nil {
			t.Fatalf("step %d: SetOption: %v", i, err)
		}
		nd, ka := get(a, poller.NoDelay), get(a, poller.KeepAlive)
		if nd.On != st.noDelay || ka.On != st.keep || ka.Delay != st.delay {
			t.Fatalf("step %d: NoDelay %v, KeepAlive %v delay %v; want %v, %v delay %v", i, nd.On, ka.On, ka.Delay, st.noDelay, st.keep, st.delay)
		}
	}
	if o := get(b, poller.NoDelay); !o.On {
		t.Errorf("the other end's NoDelay changed with this end's")
	}
	ln, _ := w.listen()
	if _, err := w.p.SocketOption(ln, poller.NoDelay); err == nil {
		t.Errorf("SocketOption of a listener = nil error; want one")
	}
	if err := w.p.CloseSocket(a); err != nil {
		t.Fatal(err)
	}
	if _, err := w.p.SocketOption(a, poller.NoDelay); !errors.Is(err, poller.ErrClosed) {
		t.Errorf("SocketOption of a closed socket: %v; want ErrClosed", err)
	}
}
