package poller

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// SetOption reaches the kernel: TCP_NODELAY, SO_KEEPALIVE and TCP_KEEPIDLE read back
// as set, the delay rounded up to the second.
func TestSetOptionReachesTheSocket(t *testing.T) {
	s, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, addr, err := s.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	con := &Op{Kind: Connect, Network: "tcp", Address: addr.String()}
	if err := s.Start(con); err != nil {
		t.Fatal(err)
	}
	var done []*Op
	for range 1000 {
		if done, err = s.Wait(done[:0], 10*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		if len(done) > 0 {
			break
		}
	}
	if len(done) != 1 || done[0] != con || con.Err != nil {
		t.Fatalf("connect: %d ops back, Err %v", len(done), con.Err)
	}
	sk, err := s.lookup(con.Conn)
	if err != nil {
		t.Fatal(err)
	}
	get := func(level, opt int) int {
		t.Helper()
		v, err := unix.GetsockoptInt(sk.fd, level, opt)
		if err != nil {
			t.Fatalf("getsockopt: %v", err)
		}
		return v
	}
	steps := []struct {
		set           Option
		nodelay, keep int
		idleSecs      int // -1: not checked
	}{
		{Option{Kind: NoDelay}, 0, 0, -1},
		{Option{Kind: NoDelay, On: true}, 1, 0, -1},
		{Option{Kind: KeepAlive, On: true, Delay: 90 * time.Second}, 1, 1, 90},
		{Option{Kind: KeepAlive, On: true, Delay: 1500 * time.Millisecond}, 1, 1, 2},
		{Option{Kind: KeepAlive}, 1, 0, 2},
	}
	for i, st := range steps {
		if err := s.SetOption(con.Conn, st.set); err != nil {
			t.Fatalf("step %d: SetOption: %v", i, err)
		}
		if got := get(unix.IPPROTO_TCP, unix.TCP_NODELAY); (got != 0) != (st.nodelay != 0) {
			t.Errorf("step %d: TCP_NODELAY = %d; want %d", i, got, st.nodelay)
		}
		if got := get(unix.SOL_SOCKET, unix.SO_KEEPALIVE); (got != 0) != (st.keep != 0) {
			t.Errorf("step %d: SO_KEEPALIVE = %d; want %d", i, got, st.keep)
		}
		if got := get(unix.IPPROTO_TCP, unix.TCP_KEEPIDLE); st.idleSecs >= 0 && got != st.idleSecs {
			t.Errorf("step %d: TCP_KEEPIDLE = %d; want %d", i, got, st.idleSecs)
		}
	}
}
