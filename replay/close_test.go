package replay_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/replay"
	"github.com/nodeloop/nodeloop/traces"
)

// closeMidWrite writes far more than a socket's buffers hold, closes the connection
// with the write in flight and prints what the write's callback counted; it also
// sets the connection's options and prints what they returned.
func closeMidWrite(out *[]string) func(*nodeloop.Loop) {
	return func(l *nodeloop.Loop) {
		var ln *nodeloop.Listener
		var peer *nodeloop.Conn // reads nothing: the writer's buffers fill up
		ln, err := l.Listen("tcp", "127.0.0.1:0", func(c *nodeloop.Conn, err error) {
			if err != nil {
				return
			}
			ln.Close(nil)
			peer = c
		})
		if err != nil {
			panic(err)
		}
		l.Dial("tcp", ln.Addr().String(), func(c *nodeloop.Conn, err error) {
			if err != nil {
				panic(err)
			}
			*out = append(*out, fmt.Sprintf("nodelay: %v", c.SetNoDelay(true)))
			c.Write(make([]byte, 64<<20), func(n int, err error) {
				*out = append(*out, fmt.Sprintf("write: %d %v", n, err))
			})
			l.SetTimeout(10*time.Millisecond, func() {
				c.Close(nil)
				if peer != nil {
					peer.Close(nil)
				}
			})
		})
	}
}

// A run that closes a connection with a write in flight replays with the write's
// count and the options' results as recorded.
func TestReplayCloseMidWrite(t *testing.T) {
	var recOut []string
	var buf bytes.Buffer
	if err := replay.Record(&buf, traces.NewHeader("real"), closeMidWrite(&recOut)); err != nil {
		t.Fatalf("Record: %v", err)
	}
	_, recorded, err := traces.Decode(&buf)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	closeWrites := 0
	for _, e := range recorded {
		if e.Kind == traces.KindInput && e.Input == "close_writes" {
			closeWrites++
		}
	}
	if closeWrites != 1 {
		t.Fatalf("the recording has %d close_writes inputs; want 1 (output %q)", closeWrites, recOut)
	}
	var repOut []string
	got, err := replay.Replay(recorded, closeMidWrite(&repOut))
	if err != nil {
		t.Fatalf("Replay: %v", err)
	}
	if diff := cmp.Diff(recOut, repOut); diff != "" {
		t.Errorf("the program printed otherwise under replay (-recorded +replayed):\n%s", diff)
	}
	if diff := cmp.Diff(recorded, got); diff != "" {
		t.Errorf("the replay differs (-recorded +replayed):\n%s", diff)
	}
}
