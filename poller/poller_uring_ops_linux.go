package poller

import (
	"io"
	"os"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The completion model of the io_uring back end. Where the kernel has
// IORING_OP_SEND, IORING_OP_RECV and provided-buffer rings (IORING_REGISTER_PBUF_RING,
// Linux 5.19), a connection's Reads and Writes are requests to the kernel rather than
// readiness the back end acts on: Start queues a submission, and the next Wait
// submits every queued request and waits for completions in one io_uring_enter. A
// turn of a busy connection then costs one system call where the readiness model
// costs three (the wait, the read and the write).
//
//   - A Write is one IORING_OP_SEND of what is left of Buf; a send that took part of
//     it is submitted again for the rest, and the Write finishes once, when all is
//     written or on the first error.
//   - A connection's receive is one multishot IORING_OP_RECV (Linux 6.0) that picks
//     its buffer from a ring the loop registers (IOSQE_BUFFER_SELECT), armed at the
//     connection's first Read and kept: every message fills a buffer of the ring and
//     posts a completion, with no request per message. A Read started with a nil Buf
//     gets that buffer itself, valid until the next Wait, which gives it back to the
//     ring; one with a Buf of its own gets a copy. Bytes that arrive while no Read is
//     pending are copied out and held for the next one, and a connection that holds
//     uringHeldBytesMax of them has its receive canceled until a Read takes them, so
//     the kernel keeps the rest, as it does for a socket nobody reads. The ring's
//     buffers are the loop's, not a connection's: an idle connection with a Read
//     pending holds no buffer. A ring run dry ends the multishot receives that find
//     it so (ENOBUFS); the next Wait arms them again once it has given the buffers
//     of the last one back. Where the kernel refuses multishot receives, each Read
//     submits one receive of its own.
//   - Cancel of a Read leaves the receive armed: what it receives is held. Cancel of
//     a Write and CloseSocket cancel the requests (IORING_OP_ASYNC_CANCEL) and run
//     the kernel's completion work before they return, so that a Write's count is
//     final then, and the socket's last reference is the descriptor CloseSocket
//     closes. Close cancels every request before it releases the ring.
//
// Listeners and connecting sockets keep the readiness model: a listener has its
// multishot poll, and a connection gets one one-shot POLLOUT poll when it is made,
// which reports a Connect's outcome (and says nothing for an accepted connection).
// A kernel without what the completion model needs gets the readiness model for
// every socket.

// More constants of the io_uring ABI.
const (
	uringOpSend = 26
	uringOpRecv = 27

	uringSQEBufferSelect = 1 << 5

	uringRecvMultishot = 1 << 1

	uringAsyncCancelAny = 1 << 2

	uringCQEFBuffer      = 1 << 0
	uringCQEBufferShift  = 16
	uringRegisterProbe   = 8
	uringRegisterPbuf    = 22
	uringProbeOpsLen     = 256
	uringProbeSupported  = 1 << 0
	uringProbeHeaderSize = 16
)

// Sizes of the provided-buffer ring and of what a connection holds.
const (
	// uringBufBytes is the size of one buffer of the ring: a receive fills at
	// most one, so it is also the most a Read returns.
	uringBufBytes = SharedReadBytes
	// uringBufsCount is the number of buffers of the ring, a power of two: the
	// most receives one Wait returns before the ring runs dry.
	uringBufsCount = 128
	// uringHeldBytesMax is how much a connection with no Read pending holds
	// before its receive is canceled.
	uringHeldBytesMax = SharedReadBytes
)

// uringOpBit marks the user data of a connection's receive or send:
// uringOpBit | uringSendBit (for a send) | slot<<31 | seq, where seq, 31 bits,
// names the request among the slot's. Socket tokens have a slot below 2^31 in
// their upper half, so the top bit never is set in them.
const (
	uringOpBit   = 1 << 63
	uringSendBit = 1 << 62
	uringSeqMask = 1<<31 - 1
)

func uringOpToken(slot uint32, send bool, seq uint32) uint64 {
	tok := uringOpBit | uint64(slot)<<31 | uint64(seq&uringSeqMask)
	if send {
		tok |= uringSendBit
	}
	return tok
}

func splitOpToken(tok uint64) (slot uint32, send bool, seq uint32) {
	return uint32(tok>>31) & uringSeqMask, tok&uringSendBit != 0, uint32(tok) & uringSeqMask
}

// The states of a connection's receive.
const (
	recvIdle   uint8 = iota // no receive in the kernel
	recvArmed               // a receive that will post more
	recvEnding              // a receive asked to end, whose last completion is to come
)

// uringConn is the completion model's state of a connection, kept per slot.
type uringConn struct {
	// recvSeq and sendSeq name the slot's latest receive and send; a completion
	// of an earlier one is stale.
	recvSeq, sendSeq uint32
	recv             uint8
	// sending is true while a send is in the kernel; sendBuf is its buffer.
	sending bool
	sendBuf []byte
	// polled is true while the connection's one-shot POLLOUT poll is armed.
	polled bool
	// fixed is true while the connection is in the ring's table of fixed files.
	fixed bool
	// armGen is the thread generation (uring.threadGen) the receive, or a
	// listener's poll, was armed at.
	armGen uint32
	// held is what arrived while no Read was pending; heldErr the end of the
	// stream or the error that came after it.
	held    []byte
	heldErr error
}

// uringBufs is the provided-buffer ring and its buffers, memory of the back end's
// own mapping, which the kernel writes into.
type uringBufs struct {
	ring []byte // uringBufsCount struct io_uring_buf; the tail shares the first
	mem  []byte // the buffers, one after the other
	tail uint16
	// handed are the buffers the last Wait gave to Reads, given back by the next.
	handed []uint16
}

// uringProbe is struct io_uring_probe with room for every opcode.
type uringProbe struct {
	lastOp, opsLen uint8
	_              uint16
	_              [3]uint32
	ops            [uringProbeOpsLen]struct {
		op    uint8
		_     uint8
		flags uint16
		_     uint32
	}
}

// uringBufReg is struct io_uring_buf_reg.
type uringBufReg struct {
	ringAddr    uint64
	ringEntries uint32
	bgid, flags uint16
	_           [3]uint64
}

func (u *uring) register(opcode uintptr, arg unsafe.Pointer, n uintptr) error {
	_, _, e := unix.Syscall6(unix.SYS_IO_URING_REGISTER, uintptr(u.fd), opcode, uintptr(arg), n, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// uringOpsHook, when set, is asked whether to try the completion model; tests
// make it refuse to see the readiness model on a kernel that has both.
var uringOpsHook func() bool

// setupOps gives the ring the completion model where the kernel has what it needs:
// the opcodes (IORING_REGISTER_PROBE) and a provided-buffer ring. It reports
// whether it did; on false the ring works in the readiness model.
func (u *uring) setupOps() bool {
	if uringOpsHook != nil && !uringOpsHook() {
		return false
	}
	var p uringProbe
	if u.register(uringRegisterProbe, unsafe.Pointer(&p), uringProbeOpsLen) != nil {
		return false
	}
	for _, op := range [...]uint8{uringOpSend, uringOpRecv, uringOpAsyncCancel, uringOpPollAdd} {
		if op > p.lastOp || p.ops[op].flags&uringProbeSupported == 0 {
			return false
		}
	}
	ringBytes := uringBufsCount * 16
	ring, err := unix.Mmap(-1, 0, ringBytes, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_POPULATE)
	if err != nil {
		return false
	}
	mem, err := unix.Mmap(-1, 0, uringBufsCount*uringBufBytes, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_NORESERVE)
	if err != nil {
		unix.Munmap(ring)
		return false
	}
	reg := uringBufReg{ringAddr: uint64(uintptr(unsafe.Pointer(&ring[0]))), ringEntries: uringBufsCount}
	if u.register(uringRegisterPbuf, unsafe.Pointer(&reg), 1) != nil {
		unix.Munmap(mem)
		unix.Munmap(ring)
		return false
	}
	u.bufs = &uringBufs{ring: ring, mem: mem, handed: make([]uint16, 0, uringBufsCount)}
	for bid := range uint16(uringBufsCount) {
		u.bufs.put(bid)
	}
	u.bufs.publish()
	return true
}

// put writes buffer bid into the ring's entry at the tail; publish makes the
// kernel see the entries put since the last.
func (b *uringBufs) put(bid uint16) {
	e := b.ring[int(b.tail&(uringBufsCount-1))*16:]
	*(*uint64)(unsafe.Pointer(&e[0])) = uint64(uintptr(unsafe.Pointer(&b.mem[int(bid)*uringBufBytes])))
	*(*uint32)(unsafe.Pointer(&e[8])) = uringBufBytes
	*(*uint16)(unsafe.Pointer(&e[12])) = bid
	b.tail++
}

// publish stores the tail, which is the last half-word of the first entry, with
// an atomic store of that entry's last word (its bid and the tail), so that the
// kernel sees the entries before the tail that covers them.
func (b *uringBufs) publish() {
	w := (*uint32)(unsafe.Pointer(&b.ring[12]))
	bid0 := *(*uint16)(unsafe.Pointer(&b.ring[12]))
	v := uint32(bid0) | uint32(b.tail)<<16
	if bigEndian {
		v = uint32(bid0)<<16 | uint32(b.tail)
	}
	atomic.StoreUint32(w, v)
}

// buf returns the first n bytes of buffer bid.
func (b *uringBufs) buf(bid uint16, n int) []byte {
	off := int(bid) * uringBufBytes
	return b.mem[off : off+n : off+n]
}

// recycle gives back to the kernel the buffers the last Wait handed to Reads.
func (b *uringBufs) recycle() {
	if len(b.handed) == 0 {
		return
	}
	for _, bid := range b.handed {
		b.put(bid)
	}
	b.handed = b.handed[:0]
	b.publish()
}

// giveBack returns one buffer to the ring at once.
func (b *uringBufs) giveBack(bid uint16) {
	b.put(bid)
	b.publish()
}

func (b *uringBufs) release() {
	unix.Munmap(b.mem)
	unix.Munmap(b.ring)
	b.mem, b.ring = nil, nil
}

// conn returns the completion state of slot, growing the table as needed.
func (u *uring) conn(slot uint32) *uringConn {
	if int(slot) >= len(u.conns) {
		u.conns = append(u.conns, make([]uringConn, int(slot)+1-len(u.conns))...)
	}
	return &u.conns[slot]
}

// Fixed files: a ring for one thread has a table of the connections' descriptors
// (IORING_REGISTER_FILES2, sparse), indexed by slot, so that a receive or a send
// names its socket by index and the kernel skips looking the descriptor up and
// taking a reference to its file for each request.
const (
	uringRegisterFiles2      = 13
	uringRegisterFilesUpdate = 6
	uringRsrcRegisterSparse  = 1 << 0
	uringSQEFixedFile        = 1 << 0

	// uringFilesMax is the most slots the table covers; a connection in a slot
	// past it, or past the process's limit of descriptors, is named by its
	// descriptor.
	uringFilesMax = 1 << 16
)

// setupFiles registers the sparse table of fixed files, sized to the process's
// limit of descriptors; where the kernel refuses (before 5.19), requests name
// descriptors.
func (u *uring) setupFiles() {
	var lim unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &lim) != nil {
		return
	}
	n := uint32(min(lim.Cur, uringFilesMax))
	// struct io_uring_rsrc_register: nr, flags, resv2, data, tags.
	reg := struct {
		nr, flags         uint32
		resv2, data, tags uint64
	}{nr: n, flags: uringRsrcRegisterSparse}
	if u.register(uringRegisterFiles2, unsafe.Pointer(&reg), unsafe.Sizeof(reg)) == nil {
		u.files = n
	}
}

// setFile puts fd (or -1: none) in the table's entry slot, and reports whether the
// slot is in the table.
func (u *uring) setFile(slot uint32, fd int32) bool {
	if slot >= u.files {
		return false
	}
	// struct io_uring_files_update: offset, resv, fds (a pointer to the array).
	upd := struct {
		offset, resv uint32
		fds          uint64
	}{offset: slot, fds: uint64(uintptr(unsafe.Pointer(&fd)))}
	err := u.register(uringRegisterFilesUpdate, unsafe.Pointer(&upd), 1)
	return err == nil
}

// target sets e's descriptor: the connection's index in the table where it has
// one, else fd.
func (u *uring) target(e *uringSQE, slot uint32, fd int, c *uringConn) {
	if c.fixed {
		e.fd, e.flags = int32(slot), e.flags|uringSQEFixedFile
		return
	}
	e.fd = int32(fd)
}

// armRecv queues the receive of connection slot on fd.
func (u *uring) armRecv(slot uint32, fd int, c *uringConn) error {
	e, err := u.sqe()
	if err != nil {
		return err
	}
	c.recvSeq++
	e.opcode, e.flags, e.userData = uringOpRecv, uringSQEBufferSelect, uringOpToken(slot, false, c.recvSeq)
	u.target(e, slot, fd, c)
	if !u.singleShot {
		e.ioprio = uringRecvMultishot
	}
	c.recv, c.armGen = recvArmed, u.threadGen
	return nil
}

// submitSend queues the send of what op has left to write.
func (u *uring) submitSend(slot uint32, fd int, c *uringConn, op *Op) error {
	e, err := u.sqe()
	if err != nil {
		return err
	}
	c.sendSeq++
	rest := op.Buf[op.N:]
	e.opcode, e.addr, e.len, e.opFlags = uringOpSend, uint64(uintptr(unsafe.Pointer(&rest[0]))), uint32(min(len(rest), 1<<30)), unix.MSG_NOSIGNAL
	u.target(e, slot, fd, c)
	e.userData = uringOpToken(slot, true, c.sendSeq)
	c.sending, c.sendBuf = true, op.Buf
	return nil
}

// cancelReq queues the cancellation of the request whose user data is tok.
func (u *uring) cancelReq(tok uint64) error {
	return u.pollRemove(tok)
}

// uringStart starts a Read or a Write of a connection in the completion model; it
// reports false for what the readiness model does. sk.ops already holds op.
func (s *System) uringStart(tok uint64, sk *sock, op *Op) bool {
	u := s.uring
	if u == nil || u.bufs == nil || (op.Kind != Read && op.Kind != Write) {
		return false
	}
	slot, _ := splitToken(tok)
	c := u.conn(slot)
	var err error
	switch op.Kind {
	case Read:
		if len(c.held) > 0 || c.heldErr != nil {
			s.fromHeld(c, op)
			sk.ops[Read] = nil
			s.ready = append(s.ready, op)
			return true
		}
		if c.recv == recvIdle {
			err = u.armRecv(slot, sk.fd, c)
		}
	case Write:
		if len(op.Buf) == 0 {
			sk.ops[Write] = nil
			s.ready = append(s.ready, op)
			return true
		}
		err = u.submitSend(slot, sk.fd, c, op)
	}
	if err != nil {
		op.Err = err
		sk.ops[op.Kind] = nil
		s.ready = append(s.ready, op)
	}
	return true
}

// fromHeld finishes the Read op with what c holds.
func (s *System) fromHeld(c *uringConn, op *Op) {
	if len(c.held) == 0 {
		op.Err, c.heldErr = c.heldErr, nil
		return
	}
	if op.Buf != nil {
		op.N = copy(op.Buf, c.held)
	} else {
		op.N = min(len(c.held), SharedReadBytes)
		op.Buf = c.held[:op.N:op.N]
	}
	c.held = c.held[op.N:]
	if len(c.held) == 0 {
		c.held = nil // a shared Read may still read its bytes until the next Wait
	}
}

// uringCancel settles a Write that Cancel is about to end: it cancels the send and
// has the kernel finish its work, so that the count is final. A send that finished
// before the cancellation finishes the Write as it is, which Cancel then leaves.
func (s *System) uringCancel(tok uint64, sk *sock, op *Op) {
	u := s.uring
	if u == nil || u.bufs == nil || op.Kind != Write || sk.listener {
		return
	}
	slot, _ := splitToken(tok)
	c := u.conn(slot)
	if !c.sending {
		return
	}
	stok := uringOpToken(slot, true, c.sendSeq)
	res, found := s.settle(stok)
	c.sending, c.sendBuf = false, nil
	if !found {
		return // abandoned: its late completion is stale
	}
	switch {
	case res > 0:
		op.N += int(res)
		if op.N < len(op.Buf) {
			return
		}
	case res == -int32(unix.ECANCELED), res == -int32(unix.EINTR), res == -int32(unix.EAGAIN):
		return
	default:
		op.Err = os.NewSyscallError("write", unix.Errno(-res))
	}
	sk.ops[Write] = nil
	s.ready = append(s.ready, op)
}

// settle queues the cancellation of the request stok, submits it with the kernel's
// completion work, and finds the request's completion in the queue without taking
// it. The completion, read later, is stale to the caller, which moves the
// connection's state on.
func (s *System) settle(stok uint64) (res int32, found bool) {
	u := s.uring
	if u.cancelReq(stok) != nil {
		return 0, false
	}
	u.enter(0, true, 0)
	return u.peek(stok)
}

// peek looks for the completion with user data tok among those not yet read.
func (u *uring) peek(tok uint64) (int32, bool) {
	head, tail := atomic.LoadUint32(u.cqHead), atomic.LoadUint32(u.cqTail)
	for ; head != tail; head++ {
		if c := &u.cqes[head&u.cqMask]; c.userData == tok {
			return c.res, true
		}
	}
	return 0, false
}

// uringCloseConn settles the requests of the connection slot, about to be closed:
// the send's count is added to the Write's N (CloseSocket has already finished it
// with ErrClosed), and the receive is canceled. Completions that come later are
// stale.
func (s *System) uringCloseConn(tok uint64) {
	u := s.uring
	slot, _ := splitToken(tok)
	c := u.conn(slot)
	sk := s.socks[slot]
	if c.recv != recvIdle {
		u.cancelReq(uringOpToken(slot, false, c.recvSeq))
	}
	if c.polled {
		u.pollRemove(tok)
	}
	if c.sending {
		if res, found := s.settle(uringOpToken(slot, true, c.sendSeq)); found && res > 0 {
			if op := sk.ops[Write]; op != nil {
				op.N += int(res)
			}
		}
	} else {
		u.enter(0, true, 0)
	}
	if c.fixed {
		// The table's reference to the file goes, so that closing the
		// descriptor closes the socket.
		u.setFile(slot, -1)
	}
	*c = uringConn{recvSeq: c.recvSeq, sendSeq: c.sendSeq}
}

// uringConnPolled is the completion of a connection's one-shot poll, which
// matters to a Connect in flight.
func (s *System) uringConnPolled(done []*Op, tok uint64, sk *sock, res int32) []*Op {
	slot, _ := splitToken(tok)
	c := s.uring.conn(slot)
	c.polled = false
	op := sk.ops[Connect]
	if op == nil || res == -int32(unix.ECANCELED) {
		return done
	}
	if s.tryConnect(tok, sk, op) {
		if sk.ops[Connect] == op {
			sk.ops[Connect] = nil
		}
		return append(done, op)
	}
	if sk.fd >= 0 && !c.polled {
		c.polled = s.uring.pollOnce(sk.fd, tok) == nil
	}
	return done
}

// pollOnce queues a one-shot poll of fd for writing, reported with user data tok.
func (u *uring) pollOnce(fd int, tok uint64) error {
	e, err := u.sqe()
	if err != nil {
		return err
	}
	events := uint32(unix.POLLOUT)
	if bigEndian {
		events = events<<16 | events>>16
	}
	e.opcode, e.fd, e.opFlags, e.userData = uringOpPollAdd, int32(fd), events, tok
	return nil
}

// uringOpEvent acts on the completion of a receive or a send.
func (s *System) uringOpEvent(done []*Op, cq uringCQE) []*Op {
	u := s.uring
	slot, send, seq := splitOpToken(cq.userData)
	var c *uringConn
	var sk *sock
	if int(slot) < len(u.conns) && int(slot) < len(s.socks) {
		c, sk = &u.conns[slot], s.socks[slot]
	}
	if send {
		if c == nil || !c.sending || seq != c.sendSeq&uringSeqMask || sk.fd < 0 {
			return done
		}
		return s.sent(done, slot, sk, c, cq.res)
	}
	hasBuf := cq.flags&uringCQEFBuffer != 0
	bid := uint16(cq.flags >> uringCQEBufferShift)
	if c == nil || c.recv == recvIdle || seq != c.recvSeq&uringSeqMask || sk.fd < 0 {
		if hasBuf {
			u.bufs.giveBack(bid)
		}
		return done
	}
	if cq.flags&uringCQEFMore == 0 {
		c.recv = recvIdle
	} else if c.recv == recvArmed && u.moved(c.armGen) && u.cancelReq(cq.userData) == nil {
		// Armed from a thread the loop has left: armed again from this one
		// once its last completion comes.
		c.recv = recvEnding
	}
	op := sk.ops[Read]
	switch res := cq.res; {
	case res > 0 && hasBuf:
		data := u.bufs.buf(bid, int(res))
		if op != nil && len(c.held) == 0 && c.heldErr == nil {
			op.N = int(res)
			if op.Buf == nil {
				op.Buf = data
				u.bufs.handed = append(u.bufs.handed, bid)
			} else {
				op.N = copy(op.Buf, data)
				c.held = append(c.held, data[op.N:]...)
				u.bufs.giveBack(bid)
			}
			sk.ops[Read] = nil
			done = append(done, op)
			op = nil
		} else {
			c.held = append(c.held, data...)
			u.bufs.giveBack(bid)
			if len(c.held) >= uringHeldBytesMax && c.recv == recvArmed {
				if u.cancelReq(cq.userData) == nil {
					c.recv = recvEnding
				}
			}
		}
	case res == 0:
		if hasBuf {
			u.bufs.giveBack(bid)
		}
		c.heldErr = io.EOF
	case res == -int32(unix.ECANCELED):
	case res == -int32(unix.ENOBUFS):
		if op != nil && c.recv == recvIdle {
			u.rearm = append(u.rearm, makeToken(slot, sk.gen))
		}
		return done
	case res == -int32(unix.EINVAL) && !u.singleShot && c.recv == recvIdle:
		// A kernel without multishot receives (before 6.0): one per Read.
		u.singleShot = true
	case res < 0:
		c.heldErr = os.NewSyscallError("read", unix.Errno(-res))
	}
	if op != nil && (len(c.held) > 0 || c.heldErr != nil) {
		s.fromHeld(c, op)
		sk.ops[Read] = nil
		return append(done, op)
	}
	if op != nil && c.recv == recvIdle && len(c.held) == 0 {
		if err := u.armRecv(slot, sk.fd, c); err != nil {
			op.Err = err
			sk.ops[Read] = nil
			done = append(done, op)
		}
	}
	return done
}

// sent acts on the completion of a connection's send.
func (s *System) sent(done []*Op, slot uint32, sk *sock, c *uringConn, res int32) []*Op {
	c.sending, c.sendBuf = false, nil
	op := sk.ops[Write]
	if op == nil {
		return done
	}
	switch {
	case res > 0:
		op.N += int(res)
		if op.N < len(op.Buf) {
			if err := s.uring.submitSend(slot, sk.fd, c, op); err != nil {
				op.Err = err
				break
			}
			return done
		}
	case res == 0, res == -int32(unix.EAGAIN), res == -int32(unix.EINTR):
		if err := s.uring.submitSend(slot, sk.fd, c, op); err != nil {
			op.Err = err
			break
		}
		return done
	case res == -int32(unix.ECANCELED):
		op.Err = ErrCanceled
	default:
		op.Err = os.NewSyscallError("write", unix.Errno(-res))
	}
	sk.ops[Write] = nil
	return append(done, op)
}

// uringRearm arms again the receives that found the ring dry, once the buffers
// of the last Wait are back.
func (s *System) uringRearm() {
	u := s.uring
	for _, tok := range u.rearm {
		slot, gen := splitToken(tok)
		sk := s.socks[slot]
		if sk.gen != gen || sk.fd < 0 || sk.ops[Read] == nil {
			continue
		}
		if c := u.conn(slot); c.recv == recvIdle && len(c.held) == 0 && c.heldErr == nil {
			if err := u.armRecv(slot, sk.fd, c); err != nil {
				op := sk.ops[Read]
				op.Err = err
				sk.ops[Read] = nil
				s.ready = append(s.ready, op)
			}
		}
	}
	u.rearm = u.rearm[:0]
}

// cancelAll cancels every request of the ring and has the kernel finish them, so
// that none writes into the buffers after Close.
func (u *uring) cancelAll() error {
	e, err := u.sqe()
	if err != nil {
		return err
	}
	e.opcode, e.fd, e.opFlags, e.userData = uringOpAsyncCancel, -1, uringAsyncCancelAny, removeToken
	return u.enter(0, true, 0)
}
