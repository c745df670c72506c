package poller_test

import (
	"errors"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop/poller"
	"github.com/nodeloop/nodeloop/poller/pollertest"
)

// openForced returns a conformance-suite open function for the back end named by
// kind, forced through NODELOOP_POLLER. The io_uring one skips where the kernel
// has no usable io_uring.
func openForced(kind string) func(t *testing.T) poller.Poller {
	return func(t *testing.T) poller.Poller {
		t.Helper()
		p := newForced(t, kind)
		if got := p.Name(); got != kind {
			t.Fatalf("NODELOOP_POLLER=%s: Name() = %q", kind, got)
		}
		return p
	}
}

// newForced makes the back end kind with NODELOOP_POLLER set to it only for the
// call, so that the subtests of the suite, which run on goroutines of their own,
// do not see it.
func newForced(t *testing.T, kind string) *poller.System {
	t.Helper()
	p, err := newWithEnv(kind)
	if err != nil && kind == "io_uring" && uringMissing() {
		t.Skipf("no usable io_uring here: %v", err)
	}
	if err != nil {
		t.Fatalf("New with NODELOOP_POLLER=%s: %v", kind, err)
	}
	return p
}

// uringMissing reports whether NODELOOP_POLLER=auto gets epoll on this machine,
// which says io_uring is missing or forbidden here.
func uringMissing() bool {
	p, err := newWithEnv("auto")
	if err != nil {
		return true
	}
	defer p.Close()
	return p.Name() != "io_uring"
}

func TestSystemEpoll(t *testing.T) {
	pollertest.Run(t, openForced("epoll"), systemOptions()...)
}

func TestSystemURing(t *testing.T) {
	pollertest.Run(t, openForced("io_uring"), systemOptions()...)
}

func TestPollerEnv(t *testing.T) {
	for _, tc := range []struct {
		env     string
		want    string // Name of the poller, or "" for an error
		wantErr string // a part of the error
	}{
		{env: "", want: "epoll"},
		{env: "epoll", want: "epoll"},
		{env: "io_uring", want: "io_uring"},
		{env: "auto", want: "io_uring"},
		{env: "kqueue", wantErr: `NODELOOP_POLLER="kqueue"`},
		{env: "EPOLL", wantErr: `NODELOOP_POLLER="EPOLL"`},
		{env: " epoll", wantErr: `NODELOOP_POLLER=" epoll"`},
	} {
		if tc.want == "io_uring" && uringMissing() {
			continue
		}
		p, err := newWithEnv(tc.env)
		if tc.wantErr != "" {
			if err == nil {
				p.Close()
				t.Errorf("NODELOOP_POLLER=%q: New succeeded with %s; want an error", tc.env, p.Name())
			} else if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("NODELOOP_POLLER=%q: New error %q; want it to name %s", tc.env, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("NODELOOP_POLLER=%q: New: %v", tc.env, err)
			continue
		}
		if got := p.Name(); got != tc.want {
			t.Errorf("NODELOOP_POLLER=%q: Name() = %q; want %q", tc.env, got, tc.want)
		}
		p.Close()
	}
}

// The errors a kernel or a container gives when io_uring is missing, forbidden or
// short of memory make NODELOOP_POLLER=auto fall back to epoll, and
// NODELOOP_POLLER=io_uring fail.
func TestURingFallback(t *testing.T) {
	for _, errno := range []syscall.Errno{syscall.EPERM, syscall.ENOSYS, syscall.EINVAL, syscall.ENOMEM} {
		restore := poller.SetURingSetupHook(func(uint32) error { return errno })
		p, err := newWithEnv("auto")
		if err != nil {
			t.Errorf("io_uring_setup failing with %v: New: %v; want the epoll back end", errno, err)
		} else {
			if got := p.Name(); got != "epoll" {
				t.Errorf("io_uring_setup failing with %v: Name() = %q; want epoll", errno, got)
			}
			// The fallback works: a connection carries bytes.
			l := &loop{t: t, p: p, got: map[*poller.Op]bool{}}
			_, a, b, _ := l.pair()
			rd := &poller.Op{Kind: poller.Read, Socket: a, Buf: make([]byte, 8)}
			l.start(rd)
			wr := &poller.Op{Kind: poller.Write, Socket: b, Buf: []byte("fallback")}
			l.start(wr)
			l.await(rd, wr)
			if got := string(rd.Buf[:rd.N]); rd.Err != nil || got != "fallback" {
				t.Errorf("io_uring_setup failing with %v: read %q, %v; want %q", errno, got, rd.Err, "fallback")
			}
			p.Close()
		}
		p, err = newWithEnv("io_uring")
		if err == nil {
			t.Errorf("io_uring_setup failing with %v: NODELOOP_POLLER=io_uring made %s; want an error", errno, p.Name())
			p.Close()
		} else if !errors.Is(err, errno) || !strings.Contains(err.Error(), "NODELOOP_POLLER=io_uring") {
			t.Errorf("io_uring_setup failing with %v: NODELOOP_POLLER=io_uring: New error %q; want it to wrap %v and name the variable", errno, err, errno)
		}
		restore()
	}
}

// A kernel that refuses a setup flag with EINVAL (an older one) gets a ring with
// fewer flags, still io_uring.
func TestURingFewerFlags(t *testing.T) {
	if uringMissing() {
		t.Skip("no usable io_uring here")
	}
	for _, tc := range []struct {
		name   string
		refuse uint32 // flags the fake kernel refuses
	}{
		{"no COOP_TASKRUN", poller.URingSetupCoopTaskrun},
		{"no SUBMIT_ALL", poller.URingSetupSubmitAll},
		{"neither", poller.URingSetupCoopTaskrun | poller.URingSetupSubmitAll},
	} {
		restore := poller.SetURingSetupHook(func(flags uint32) error {
			if flags&tc.refuse != 0 {
				return syscall.EINVAL
			}
			return nil
		})
		p, err := newWithEnv("io_uring")
		restore()
		if err != nil {
			t.Errorf("%s: New: %v", tc.name, err)
			continue
		}
		flags, ok := poller.URingFlags(p)
		if !ok || flags&tc.refuse != 0 {
			t.Errorf("%s: ring made with flags %#x (io_uring %v); want none of %#x", tc.name, flags, ok, tc.refuse)
		}
		// The ring works: a connection carries bytes.
		l := &loop{t: t, p: p, got: map[*poller.Op]bool{}}
		_, a, b, _ := l.pair()
		rd := &poller.Op{Kind: poller.Read, Socket: a, Buf: make([]byte, 8)}
		l.start(rd)
		wr := &poller.Op{Kind: poller.Write, Socket: b, Buf: []byte("fewer")}
		l.start(wr)
		l.await(rd, wr)
		if got := string(rd.Buf[:rd.N]); rd.Err != nil || got != "fewer" {
			t.Errorf("%s: read %q, %v; want %q", tc.name, got, rd.Err, "fewer")
		}
		p.Close()
	}
}

// A Wait that does not block on io_uring finds a readiness the kernel posted
// without being asked, and a Wake.
func TestURingZeroWait(t *testing.T) {
	p := newForced(t, "io_uring")
	defer p.Close()
	l := &loop{t: t, p: p, got: map[*poller.Op]bool{}}
	_, a, b, _ := l.pair()
	rd := &poller.Op{Kind: poller.Read, Socket: a, Buf: make([]byte, 8)}
	l.start(rd)
	wr := &poller.Op{Kind: poller.Write, Socket: b, Buf: []byte("x")}
	l.start(wr)
	deadline := time.Now().Add(10 * time.Second)
	var done []*poller.Op
	seen := map[*poller.Op]bool{}
	for !seen[rd] && time.Now().Before(deadline) {
		var err error
		done, err = p.Wait(done[:0], 0)
		if err != nil {
			t.Fatalf("Wait(0): %v", err)
		}
		for _, op := range done {
			seen[op] = true
		}
	}
	if !seen[rd] || rd.N != 1 || rd.Err != nil {
		t.Fatalf("read through zero-timeout Waits: seen %v, N %d, Err %v; want 1 byte", seen[rd], rd.N, rd.Err)
	}
	if err := p.Wake(); err != nil {
		t.Fatal(err)
	}
	if !p.ReadyWithoutKernel() {
		t.Fatalf("ReadyWithoutKernel() = false after Wake")
	}
	for p.ReadyWithoutKernel() && time.Now().Before(deadline) {
		if _, err := p.Wait(done[:0], 0); err != nil {
			t.Fatalf("Wait(0): %v", err)
		}
	}
	if p.ReadyWithoutKernel() {
		t.Fatalf("ReadyWithoutKernel() still true after the Wake was consumed")
	}
}

// newWithEnv calls New with NODELOOP_POLLER set to env ("" unsets it), and puts
// the variable back as it was.
func newWithEnv(env string) (*poller.System, error) { return makeWithEnv(env, poller.New) }

// makeWithEnv calls newSystem, New or NewForThread, as newWithEnv calls New.
func makeWithEnv(env string, newSystem func() (*poller.System, error)) (*poller.System, error) {
	old, had := os.LookupEnv("NODELOOP_POLLER")
	if env == "" {
		os.Unsetenv("NODELOOP_POLLER")
	} else {
		os.Setenv("NODELOOP_POLLER", env)
	}
	defer func() {
		if had {
			os.Setenv("NODELOOP_POLLER", old)
		} else {
			os.Unsetenv("NODELOOP_POLLER")
		}
	}()
	return newSystem()
}

// A kernel whose io_uring lacks what the completion model needs (RECV, SEND,
// provided-buffer rings) gets the readiness model, which passes the suite too.
func TestSystemURingReadiness(t *testing.T) {
	restore := poller.SetURingOpsHook(func() bool { return false })
	defer restore()
	pollertest.Run(t, func(t *testing.T) poller.Poller {
		t.Helper()
		p := newForced(t, "io_uring")
		if poller.URingCompletion(p) {
			t.Fatalf("completion model refused, yet the ring reads and writes through requests")
		}
		return p
	}, systemOptions()...)
}

// pingPong returns a round of a 4-byte message sent from b to a with a shared
// Read pending on a, as the loop's ping-pong makes it.
func pingPong(t *testing.T, p *poller.System, a, b poller.Socket) func() {
	rd := &poller.Op{Kind: poller.Read, Socket: a}
	wr := &poller.Op{Kind: poller.Write, Socket: b, Buf: []byte("ping")}
	done := make([]*poller.Op, 0, 16)
	return func() {
		rd.Buf = nil
		if err := p.Start(rd); err != nil {
			t.Fatal(err)
		}
		if err := p.Start(wr); err != nil {
			t.Fatal(err)
		}
		readDone, writeDone := false, false
		for range 1000 {
			var err error
			done, err = p.Wait(done[:0], -1)
			if err != nil {
				t.Fatal(err)
			}
			for _, op := range done {
				readDone = readDone || op == rd
				writeDone = writeDone || op == wr
			}
			if readDone && writeDone {
				break
			}
		}
		if !readDone || !writeDone || rd.Err != nil || wr.Err != nil || string(rd.Buf[:rd.N]) != "ping" {
			t.Fatalf("read %v %q %v, write %v %v; want \"ping\" both ways", readDone, rd.Buf[:rd.N], rd.Err, writeDone, wr.Err)
		}
	}
}

// A round of a shared Read and a Write through io_uring's requests allocates
// nothing: the Read's bytes are a buffer of the ring.
func TestURingRequestsDoNotAllocate(t *testing.T) {
	p := newForced(t, "io_uring")
	defer p.Close()
	if !poller.URingCompletion(p) {
		t.Skip("this kernel's io_uring has no completion model")
	}
	l := &loop{t: t, p: p, got: map[*poller.Op]bool{}}
	_, a, b, _ := l.pair()
	round := pingPong(t, p, a, b)
	round() // warm up: grow internal slices
	if n := testing.AllocsPerRun(200, round); n != 0 {
		t.Fatalf("a round of a shared Read and a Write allocated %v times; want 0", n)
	}
}

// A Write canceled while the peer does not read finishes once, canceled with the
// count of what reached the system or finished with all of it; the peer then
// reads exactly that count of its bytes, then those of the next Write.
func TestCancelWrite(t *testing.T) {
	for _, kind := range []string{"epoll", "io_uring"} {
		t.Run(kind, func(t *testing.T) {
			p := newForced(t, kind)
			defer p.Close()
			l := &loop{t: t, p: p, got: map[*poller.Op]bool{}}
			_, a, b, _ := l.pair()
			big := make([]byte, 16<<20)
			for i := range big {
				big[i] = byte(i * 7)
			}
			wr := &poller.Op{Kind: poller.Write, Socket: b, Buf: big}
			l.start(wr)
			if _, err := p.Wait(nil, 0); err != nil {
				t.Fatal(err)
			}
			p.Cancel(wr)
			l.await(wr)
			n := wr.N
			if wr.Err != poller.ErrCanceled && (wr.Err != nil || n != len(big)) {
				t.Fatalf("canceled write: N = %d, Err = %v; want ErrCanceled, or all written", n, wr.Err)
			}
			tail := &poller.Op{Kind: poller.Write, Socket: b, Buf: []byte("tail")}
			l.start(tail)
			want := append(append([]byte(nil), big[:n]...), "tail"...)
			got := make([]byte, 0, len(want))
			buf := make([]byte, 64<<10)
			for len(got) < len(want) {
				rd := &poller.Op{Kind: poller.Read, Socket: a, Buf: buf}
				l.start(rd)
				l.await(rd)
				if rd.Err != nil {
					t.Fatalf("read after %d of %d bytes: %v", len(got), len(want), rd.Err)
				}
				got = append(got, buf[:rd.N]...)
			}
			l.await(tail)
			if string(got) != string(want) {
				t.Fatalf("the peer read %d bytes after the canceled write of %d; want the %d it counted, then \"tail\"", len(got), len(big), n)
			}
		})
	}
}

// A connection's multishot receive, armed while the loop ran on one thread, is
// armed again from the thread the loop runs on once it has moved, and bytes keep
// arriving all along.
func TestURingReceiveFollowsThread(t *testing.T) {
	p := newForced(t, "io_uring")
	defer p.Close()
	if !poller.URingCompletion(p) {
		t.Skip("this kernel's io_uring has no completion model")
	}
	var a, b poller.Socket
	var round func()
	onThread := func(f func()) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			runtime.LockOSThread() // the thread ends with the goroutine
			f()
		}()
		<-done
	}
	onThread(func() {
		l := &loop{t: t, p: p, got: map[*poller.Op]bool{}}
		_, a, b, _ = l.pair()
		round = pingPong(t, p, a, b)
		round()
	})
	onThread(func() {
		for range 200 {
			round()
		}
		round() // its receive's completion arms the receive here
		if !poller.URingArmedHere(p, a) {
			t.Errorf("after 200 rounds on another thread, the receive is still armed from the first")
		}
	})
}
