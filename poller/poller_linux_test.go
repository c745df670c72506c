package poller_test

import (
	"errors"
	"io"
	"os"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nodeloop/nodeloop/poller"
)

// openFDs counts this process's open descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("cannot list descriptors: %v", err)
	}
	return len(ents) - 1 // the directory being read
}

func TestNoDescriptorLeak(t *testing.T) {
	openFDs(t) // let the runtime open what it keeps open
	before := openFDs(t)
	for range 3 {
		p, err := poller.New()
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		l := &loop{t: t, p: p, got: map[*poller.Op]bool{}}
		_, a, b, _ := l.pair()
		rd := &poller.Op{Kind: poller.Read, Socket: a, Buf: make([]byte, 8)}
		l.start(rd)
		wr := &poller.Op{Kind: poller.Write, Socket: b, Buf: []byte("x")}
		l.start(wr)
		l.await(rd, wr)
		// Leave a connection pending accept and a read in flight.
		if _, _, err := p.Listen("unix", t.TempDir()+"/s"); err != nil {
			t.Fatalf("Listen unix: %v", err)
		}
		l.start(&poller.Op{Kind: poller.Read, Socket: b, Buf: make([]byte, 8)})
		if err := p.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
	if after := openFDs(t); after != before {
		t.Fatalf("%d descriptors open after Close; want %d as before New", after, before)
	}
}

func TestAcceptEMFILE(t *testing.T) {
	var orig unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &orig); err != nil {
		t.Fatal(err)
	}
	l := newLoop(t)
	ln, la, err := l.p.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := la.String()

	// Connections that wait in the backlog, to be accepted when descriptors run
	// out.
	const pending = 3
	var clients []*poller.Op
	for range pending {
		con := &poller.Op{Kind: poller.Connect, Network: "tcp", Address: addr}
		l.start(con)
		clients = append(clients, con)
	}
	l.await(clients...)
	for _, c := range clients {
		if c.Err != nil {
			t.Fatalf("connect: %v", c.Err)
		}
	}

	// Use up every descriptor under a lowered limit.
	lim := orig
	lim.Cur = uint64(openFDs(t) + 16)
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		t.Skipf("cannot lower RLIMIT_NOFILE: %v", err)
	}
	t.Cleanup(func() { unix.Setrlimit(unix.RLIMIT_NOFILE, &orig) })
	var fillers []int
	t.Cleanup(func() {
		for _, fd := range fillers {
			unix.Close(fd)
		}
	})
	for range 64 {
		fd, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			if !errors.Is(err, unix.EMFILE) {
				t.Fatalf("open: %v", err)
			}
			break
		}
		fillers = append(fillers, fd)
	}

	// Accept finds no descriptor: the pending connections are accepted and
	// closed, the Accept stays in flight, and Wait neither fails nor spins.
	acc := &poller.Op{Kind: poller.Accept, Socket: ln}
	l.start(acc)
	for range 5 {
		var err error
		l.done, err = l.p.Wait(l.done[:0], 10*time.Millisecond)
		if err != nil {
			t.Fatalf("Wait while out of descriptors: %v", err)
		}
		for _, op := range l.done {
			if op == acc {
				t.Fatalf("Accept finished while out of descriptors: Conn %#x, Err %v", acc.Conn, acc.Err)
			}
		}
	}

	// The dropped clients see their connection end.
	for i, c := range clients {
		rd := &poller.Op{Kind: poller.Read, Socket: c.Conn, Buf: make([]byte, 8)}
		l.start(rd)
		l.await(rd)
		if rd.Err != io.EOF && !errors.Is(rd.Err, syscall.ECONNRESET) {
			t.Fatalf("client %d read: N = %d, Err = %v; want io.EOF or ECONNRESET", i, rd.N, rd.Err)
		}
	}

	// With descriptors free again, the same Accept takes the next connection.
	for _, fd := range fillers {
		unix.Close(fd)
	}
	fillers = nil
	con := &poller.Op{Kind: poller.Connect, Network: "tcp", Address: addr}
	l.start(con)
	l.await(con, acc)
	if con.Err != nil || acc.Err != nil || acc.Conn == 0 {
		t.Fatalf("after descriptors were freed: connect %v, accept %#x %v", con.Err, acc.Conn, acc.Err)
	}
}
