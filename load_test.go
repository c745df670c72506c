package nodeloop_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop"
)

// openFDs counts the process's open file descriptors, from /proc/self/fd, or returns
// -1 where there is no such count: on systems other than Linux, and on Windows even
// under Wine, whose /proc is the Linux host's and lists Wine's own descriptors, not
// the program's handles.
func openFDs() int {
	if runtime.GOOS != "linux" {
		return -1
	}
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

// A thousand concurrent loopback connections on one loop, each echoing 100 messages
// of random sizes up to 64 KiB: every byte comes back intact and in order; after
// Close no descriptor and no goroutine is left.
func TestLoadThousandEchoConnections(t *testing.T) {
	conns, msgs := 1000, 100
	if s := os.Getenv("LOADTEST_MSGS"); s != "" {
		fmt.Sscan(s, &msgs)
	}
	if testing.Short() {
		conns, msgs = 100, 10
	}
	fdsBefore, goroutinesBefore := openFDs(), runtime.NumGoroutine()
	l, err := nodeloop.New()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var total int64
	finished := 0
	err = l.Run(func() {
		var ln *nodeloop.Listener
		accepted := 0
		ln, err := l.Listen("tcp", "127.0.0.1:0", func(c *nodeloop.Conn, err error) {
			if err != nil {
				t.Errorf("accept: %v", err)
				return
			}
			if accepted++; accepted == conns {
				ln.Close(nil)
			}
			var echo func()
			echo = func() {
				c.Read(func(b []byte, err error) {
					if err != nil {
						c.Close(nil)
						return
					}
					c.Write(bytes.Clone(b), func(_ int, err error) {
						if err != nil {
							t.Errorf("server write: %v", err)
						}
					})
					echo()
				})
			}
			echo()
		})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < conns; i++ {
			// The connection's messages: sizes from a PCG, contents from a ChaCha8, both
			// seeded by the connection's number.
			rng := rand.New(rand.NewPCG(uint64(i), 1))
			sizes := make([]int, msgs)
			n := 0
			for m := range sizes {
				sizes[m] = 1 + rng.IntN(64<<10)
				n += sizes[m]
			}
			var seed [32]byte
			seed[0], seed[1] = byte(i), byte(i>>8)
			data := make([]byte, n)
			rand.NewChaCha8(seed).Read(data)
			total += int64(n)
			l.Dial("tcp", ln.Addr().String(), func(c *nodeloop.Conn, err error) {
				if err != nil {
					t.Errorf("dial %d: %v", i, err)
					return
				}
				// Send the messages one write each, and check what comes back as it comes.
				off := 0
				for _, size := range sizes {
					c.Write(data[off:off+size], func(_ int, err error) {
						if err != nil {
							t.Errorf("client %d write: %v", i, err)
						}
					})
					off += size
				}
				got := 0
				var read func()
				read = func() {
					c.Read(func(b []byte, err error) {
						if err != nil {
							t.Errorf("client %d read after %d of %d bytes: %v", i, got, len(data), err)
							c.Close(nil)
							return
						}
						if len(b) > len(data)-got || !bytes.Equal(b, data[got:got+len(b)]) {
							t.Errorf("client %d: bytes %d to %d came back changed", i, got, got+len(b))
							c.Close(nil)
							return
						}
						if got += len(b); got < len(data) {
							read()
							return
						}
						finished++
						c.Close(nil)
					})
				}
				read()
			})
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if finished != conns {
		t.Fatalf("%d of %d connections got all their bytes back", finished, conns)
	}
	elapsed := time.Since(start)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if fdsBefore >= 0 {
		if after := openFDs(); after != fdsBefore {
			t.Errorf("%d descriptors open before, %d after Close", fdsBefore, after)
		}
	} else {
		t.Logf("descriptors not counted: no /proc/self/fd on %s", runtime.GOOS)
	}
	if after := waitGoroutines(goroutinesBefore); after > goroutinesBefore {
		t.Errorf("%d goroutines before, %d after Close", goroutinesBefore, after)
	}
	t.Logf("%d connections × %d messages, %d MiB each way, in %v", conns, msgs, total>>20, elapsed)
}

// waitGoroutines waits, up to a generous deadline, for the goroutine count to fall
// to want (goroutines that finished may take a moment to be reaped), and returns it.
func waitGoroutines(want int) int {
	deadline := time.Now().Add(5 * time.Second)
	n := runtime.NumGoroutine()
	for n > want && time.Now().Before(deadline) {
		runtime.Gosched()
		time.Sleep(time.Millisecond)
		n = runtime.NumGoroutine()
	}
	return n
}
