package js

import (
	"bytes"
	"testing"

	"github.com/nodeloop/nodeloop"
)

// A runtime with a Random source draws its random bytes from it, 6 bytes a draw, so
// that the same source gives the same bytes; without one the bytes are the
// operating system's.
func TestFillRandomDrawsFromConfigRandom(t *testing.T) {
	l, err := nodeloop.New()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	draws := 0
	rt, err := New(l, Config{Random: func() float64 { draws++; return 0.5 }})
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 13)
	rt.fillRandom(b)
	// 0.5 * 2^48 is 2^47: five zero bytes, then 0x80, in each draw of 6.
	want := []byte{0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0x80, 0}
	if !bytes.Equal(b, want) || draws != 3 {
		t.Fatalf("fillRandom: % x after %d draws; want % x after 3", b, draws, want)
	}
	fromOS, err := New(l, Config{})
	if err != nil {
		t.Fatal(err)
	}
	c := make([]byte, 32)
	fromOS.fillRandom(c)
	if bytes.Equal(c, make([]byte, 32)) {
		t.Fatalf("fillRandom without a source left 32 zero bytes")
	}
}
