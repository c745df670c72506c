package nodeloop

import (
	"testing"
	"unsafe"
)

// TestTimerSize pins a Timer's size, so that a slab of timerSlabTimers timers fills
// one 4 KiB size class of the Go allocator and a million timers take 65 MB: a field
// added to Timer must pay for itself elsewhere.
func TestTimerSize(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("precondition: a 64-bit platform")
	}
	if got, want := unsafe.Sizeof(Timer{}), uintptr(64); got != want {
		t.Fatalf("a Timer takes %d bytes, want %d", got, want)
	}
	// Beside the slab, the allocator keeps an 8-byte header (its type) in the
	// object; the two together must fill the 4096-byte size class with less than a
	// timer to spare.
	const class, header = 4096, 8
	if got := unsafe.Sizeof(Timer{})*timerSlabTimers + header; got > class || class-got >= unsafe.Sizeof(Timer{}) {
		t.Fatalf("a slab of %d timers and its header take %d bytes, want at most %d and within a timer of it", timerSlabTimers, got, class)
	}
}
