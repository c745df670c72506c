//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package poller

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"
)

// The kqueue event rule applied to the shared emulation, on any Unix: a read-filter
// event alone leaves a waiting write alone, and one with EV_EOF retries it, which
// then learns that the peer is gone.
func TestKeventEOFRetriesWaitingWrite(t *testing.T) {
	s, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	defer s.Close()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatalf("socketpair: %v", err)
	}
	peer := fds[1]
	defer func() {
		if peer >= 0 {
			unix.Close(peer)
		}
	}()
	if err := unix.SetNonblock(fds[0], true); err != nil {
		t.Fatalf("set non-blocking: %v", err)
	}
	tok, sk, err := s.add(fds[0], "unix", false)
	if err != nil {
		t.Fatalf("add: %v", err)
	}
	// More than any socket buffer holds: the write waits for the next edge.
	wr := &Op{Kind: Write, Socket: Socket(tok), Buf: make([]byte, 16<<20)}
	if err := s.Start(wr); err != nil {
		t.Fatalf("Start write: %v", err)
	}
	if sk.ops[Write] != wr || len(s.ready) != 0 {
		t.Fatalf("write of %d bytes finished at once (%d written, err %v); want it waiting",
			len(wr.Buf), wr.N, wr.Err)
	}

	unix.Close(peer)
	peer = -1
	r, w, h := keventWakes(filterRead, false, false)
	if done := s.ioReady(nil, tok, r, w, h); len(done) != 0 || sk.ops[Write] != wr {
		t.Fatalf("a read-filter event without EV_EOF finished %d operations; want the write still waiting", len(done))
	}
	r, w, h = keventWakes(filterRead, true, false)
	done := s.ioReady(nil, tok, r, w, h)
	if len(done) != 1 || done[0] != wr {
		t.Fatalf("a read-filter EV_EOF finished %d operations; want the waiting write", len(done))
	}
	if !errors.Is(wr.Err, unix.EPIPE) && !errors.Is(wr.Err, unix.ECONNRESET) {
		t.Fatalf("retried write: err %v; want EPIPE or ECONNRESET, the peer being gone", wr.Err)
	}
	if !sk.hup {
		t.Fatalf("after EV_EOF the socket is not marked hung up; want every Read to try its system call")
	}
}
