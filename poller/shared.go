package poller

// Sizes of the buffer that the Reads started with a nil Buf share.
const (
	// sharedChunkBytes is the size of one piece of the shared buffer: the reads
	// one Wait finishes fill it one after the other.
	sharedChunkBytes = 4 * SharedReadBytes
	// sharedChunksMax bounds the pieces, made only when one Wait's reads fill
	// those there are and kept for the next; past it, a read waits for the next
	// Wait, which starts the buffer afresh.
	sharedChunksMax = 64
	// sharedReadMinBytes is the least room a shared Read is given; with less left
	// in a piece, the read goes on to the next.
	sharedReadMinBytes = 4 << 10
)

// sharedBuf is the buffer of the Reads started with a nil Buf. The bytes it handed
// out since reset stay valid until the next reset, which Wait makes as it begins.
type sharedBuf struct {
	chunks [][]byte
	chunk  int // the piece being filled
	used   int // its bytes handed out
}

// room returns where the next shared Read may put its bytes, at most
// SharedReadBytes, or nil when every piece is full and no more may be made.
func (b *sharedBuf) room() []byte {
	for {
		if b.chunk == len(b.chunks) {
			if len(b.chunks) == sharedChunksMax {
				return nil
			}
			b.chunks = append(b.chunks, make([]byte, sharedChunkBytes))
		}
		c := b.chunks[b.chunk]
		if len(c)-b.used >= sharedReadMinBytes {
			end := min(b.used+SharedReadBytes, len(c))
			return c[b.used:end:end]
		}
		b.chunk, b.used = b.chunk+1, 0
	}
}

// took records that a read put n bytes at the start of the last room.
func (b *sharedBuf) took(n int) { b.used += n }

// reset makes the whole buffer free again: the bytes handed out are consumed.
func (b *sharedBuf) reset() { b.chunk, b.used = 0, 0 }
