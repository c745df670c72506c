package pollertest

import (
	"bytes"

	"github.com/nodeloop/nodeloop/poller"
)

// tryWriteChunkBytes is what each TryWrite of the full-buffer part offers, and
// tryWriteChunksMax how many it offers before it calls the buffer endless.
const (
	tryWriteChunkBytes = 1 << 20
	tryWriteChunksMax  = 64
)

// streamByte is the byte at offset i of the stream the full-buffer part writes.
func streamByte(i int) byte { return byte(i % 251) }

// testTryWrite checks a poller.TryWriter: it writes what the system takes at once,
// nothing behind a Write in flight (writes keep their order), nothing on a
// listener, a shut write side or a closed socket, and a short count once the
// system's buffer is full, every byte it counted arriving in order.
func testTryWrite(h *harness) {
	w, ok := h.p.(poller.TryWriter)
	if !ok {
		h.t.Skip("the poller is not a poller.TryWriter")
	}
	pr := h.connect("tcp")
	if n := w.TryWrite(pr.a, []byte("hello")); n != 5 {
		h.t.Fatalf("TryWrite of 5 bytes on an idle connection = %d; want 5", n)
	}
	if n := w.TryWrite(pr.a, nil); n != 0 {
		h.t.Fatalf("TryWrite of nothing = %d; want 0", n)
	}
	big := pattern(largeWriteBytes, 11)
	wr := &poller.Op{Kind: poller.Write, Socket: pr.a, Buf: big}
	h.start(wr)
	if n := w.TryWrite(pr.a, []byte("x")); n != 0 {
		h.t.Fatalf("TryWrite with a Write in flight = %d; want 0", n)
	}
	want := append([]byte("hello"), big...)
	if got := h.recv(pr.b, len(want)); !bytes.Equal(got, want) {
		h.t.Fatalf("the peer read %d bytes differing from hello and the Write at byte %d", len(got), firstDiff(got, want))
	}
	h.await(wr)
	if wr.Err != nil || wr.N != len(big) {
		h.t.Fatalf("write: N = %d, Err = %v; want %d, nil", wr.N, wr.Err, len(big))
	}

	// Fill the system's buffer: TryWrite comes up short, and the peer reads
	// exactly the bytes it counted.
	src := make([]byte, tryWriteChunkBytes+251)
	for i := range src {
		src[i] = streamByte(i)
	}
	written, full := 0, false
	for range tryWriteChunksMax {
		n := w.TryWrite(pr.a, src[written%251:][:tryWriteChunkBytes])
		if n < 0 || n > tryWriteChunkBytes {
			h.t.Fatalf("TryWrite of %d bytes = %d", tryWriteChunkBytes, n)
		}
		written += n
		if n < tryWriteChunkBytes {
			full = true
			break
		}
	}
	if !full {
		h.t.Fatalf("TryWrite took %d MiB with the peer not reading; want a short count once the buffer is full", tryWriteChunksMax*tryWriteChunkBytes>>20)
	}
	got := h.recv(pr.b, written)
	for i, c := range got {
		if c != streamByte(i) {
			h.t.Fatalf("the peer read byte %d of the %d TryWrite counted as %d; want %d", i, written, c, streamByte(i))
		}
	}
	h.quiet("after the peer read every byte TryWrite counted")

	ln, _ := h.listen("tcp")
	if n := w.TryWrite(ln, []byte("x")); n != 0 {
		h.t.Fatalf("TryWrite on a listener = %d; want 0", n)
	}
	if sh := h.run(&poller.Op{Kind: poller.Shutdown, Socket: pr.a}); sh.Err != nil {
		h.t.Fatalf("shutdown: %v", sh.Err)
	}
	if n := w.TryWrite(pr.a, []byte("x")); n != 0 {
		h.t.Fatalf("TryWrite after Shutdown = %d; want 0", n)
	}
	h.expectEOF(pr.b)
	h.closeSocket(pr.b)
	if n := w.TryWrite(pr.b, []byte("x")); n != 0 {
		h.t.Fatalf("TryWrite on a closed socket = %d; want 0", n)
	}
}
