package poller

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The io_uring back end. A connection's Reads and Writes are requests to the
// kernel where it has them (the completion model, poller_uring_ops_linux.go);
// the rest, and every socket on an older kernel, keep the readiness model of the
// epoll back end, with io_uring in place of epoll: a socket gets one multishot,
// edge-triggered IORING_OP_POLL_ADD, whose user data is the socket's token, and
// each completion is an edge that retries the operations waiting on it, as an
// epoll event does. Either way the completion queue is memory shared
// with the kernel, so a Wait that does not block reads it without a system call,
// and enters the kernel only when it has requests to submit or the kernel has
// completions it has not yet posted (the IORING_SQ_TASKRUN and
// IORING_SQ_CQ_OVERFLOW flags of the submission ring say so). A Wait that blocks
// submits and waits in one io_uring_enter, its timeout passed as an extended
// argument.
//
// The ring is made IORING_SETUP_COOP_TASKRUN|IORING_SETUP_TASKRUN_FLAG where the
// kernel accepts it (Linux 5.19): the kernel does not interrupt a running thread to
// post a completion, but flags the ring, and the next Wait asks for it. It is not
// made IORING_SETUP_SINGLE_ISSUER|IORING_SETUP_DEFER_TASKRUN: only the thread that
// enabled such a ring may enter it, and a goroutine moves between threads, and
// the loop's methods may be called from one goroutine, then another.
//
// A poll request holds a reference to its socket's file, so that closing the
// descriptor alone would not close the socket: CloseSocket removes the poll
// (IORING_OP_ASYNC_CANCEL) and runs the kernel's completion work before it closes
// the descriptor. Wake writes to an eventfd that has a multishot poll of its own.

// Constants of the io_uring ABI (include/uapi/linux/io_uring.h).
const (
	uringSetupCQSize      = 1 << 3
	uringSetupClamp       = 1 << 4
	uringSetupSubmitAll   = 1 << 7
	uringSetupCoopTaskrun = 1 << 8
	uringSetupTaskrunFlag = 1 << 9
	uringSetupOneIssuer   = 1 << 12 // IORING_SETUP_SINGLE_ISSUER, 6.0
	uringSetupDeferTask   = 1 << 13 // IORING_SETUP_DEFER_TASKRUN, 6.1

	uringFeatSingleMmap = 1 << 0
	uringFeatNoDrop     = 1 << 1
	uringFeatExtArg     = 1 << 8
	uringFeatRsrcTags   = 1 << 10 // 5.13, the release that brought multishot poll

	uringEnterGetEvents  = 1 << 0
	uringEnterExtArg     = 1 << 3
	uringEnterRegistered = 1 << 4 // IORING_ENTER_REGISTERED_RING, 5.18

	uringRegisterRingFds   = 20
	uringUnregisterRingFds = 21

	uringSQCQOverflow = 1 << 1
	uringSQTaskrun    = 1 << 2

	uringOpPollAdd     = 6
	uringOpAsyncCancel = 14

	uringPollAddMulti = 1 << 0
	uringCQEFMore     = 1 << 1

	uringOffSQRing = 0
	uringOffCQRing = 0x8000000
	uringOffSQEs   = 0x10000000

	uringSQEBytes = 64
	uringCQEBytes = 16
)

// Sizes of the ring.
const (
	// uringSQEntries is the submission queue's size; a full queue is submitted
	// at once to make room.
	uringSQEntries = 256
	// uringCQEntries is the completion queue's size. The kernel keeps what does
	// not fit (IORING_FEAT_NODROP) and posts it when asked.
	uringCQEntries = 4096
)

// uringParams is struct io_uring_params.
type uringParams struct {
	sqEntries, cqEntries, flags, sqThreadCPU, sqThreadIdle, features, wqFd uint32
	resv                                                                   [3]uint32
	sqOff                                                                  uringSQOffsets
	cqOff                                                                  uringCQOffsets
}

// uringSQOffsets is struct io_sqring_offsets.
type uringSQOffsets struct {
	head, tail, ringMask, ringEntries, flags, dropped, array, resv1 uint32
	userAddr                                                        uint64
}

// uringCQOffsets is struct io_cqring_offsets.
type uringCQOffsets struct {
	head, tail, ringMask, ringEntries, overflow, cqes, flags, resv1 uint32
	userAddr                                                        uint64
}

// uringSQE is struct io_uring_sqe, as far as the back end fills it.
type uringSQE struct {
	opcode, flags uint8
	ioprio        uint16
	fd            int32
	off, addr     uint64
	len, opFlags  uint32
	userData      uint64
	_             [3]uint64
}

// uringCQE is struct io_uring_cqe.
type uringCQE struct {
	userData uint64
	res      int32
	flags    uint32
}

// uringGeteventsArg is struct io_uring_getevents_arg.
type uringGeteventsArg struct {
	sigmask   uint64
	sigmaskSz uint32
	minWait   uint32
	ts        uint64
}

// uringSetupFlags are the ring's flags, the most wanted first: openURing takes the first
// the kernel accepts. uringThreadFlags go before them for a ring that one thread
// alone enters (NewForThread): its completion work waits for that thread to ask
// for completions.
var (
	uringSetupFlags = [...]uint32{
		uringSetupCoopTaskrun | uringSetupTaskrunFlag,
		0,
	}
	uringThreadFlags = uint32(uringSetupOneIssuer | uringSetupDeferTask | uringSetupTaskrunFlag)
)

// removeToken is the user data of the poll removals, whose completions say
// nothing the back end needs. Like wakeToken it has generation 0, which no socket
// has.
const removeToken uint64 = 1 << 32

// uringSetupHook, when set, is asked before each io_uring_setup with the flags
// about to be tried, and an error from it is that setup's: tests make setup fail
// to see the fallbacks.
var uringSetupHook func(flags uint32) error

// uring is the io_uring back end's state.
type uring struct {
	fd      int
	flags   uint32 // the setup flags the kernel took
	sqRing  []byte
	cqRing  []byte // the same memory as sqRing with IORING_FEAT_SINGLE_MMAP
	sqeMem  []byte
	sqHead  *uint32
	sqTail  *uint32
	sqFlags *uint32
	sqMask  uint32
	sqes    []uringSQE
	cqHead  *uint32
	cqTail  *uint32
	cqMask  uint32
	cqes    []uringCQE
	// tail is the submission tail as written so far; the ring's own tail is
	// moved to it when the entries are submitted.
	tail uint32

	arg uringGeteventsArg
	ts  unix.Timespec

	// oneThread is set on a ring made for one thread (uringThreadFlags). Such a
	// ring is entered through a descriptor registered for that thread, enterFd,
	// with enterFlags; otherwise enterFd is fd and enterFlags 0.
	oneThread  bool
	enterFd    uintptr
	enterFlags uintptr
	// files is the size of the table of fixed files (poller_uring_ops_linux.go),
	// 0 without one.
	files uint32

	// The completion model (poller_uring_ops_linux.go): bufs is nil where the
	// ring works in the readiness model only.
	bufs  *uringBufs
	conns []uringConn
	// rearm holds the connections whose receive found the ring dry.
	rearm []uint64
	// singleShot is set once the kernel refused a multishot receive.
	singleShot bool

	// thread is the thread the loop last ran on, as last looked at, and
	// threadGen counts its changes; checks counts the Waits since the look.
	thread    int
	threadGen uint32
	checks    int
}

// uringThreadCheckWaits is how many Waits that do not block go by between two
// looks at the thread the loop runs on; a Wait that blocked always looks.
//
// The kernel runs the completion work of a request (the copy of a receive, the
// posting of a poll's completion) on the thread that submitted it, and wakes that
// thread for it. A multishot request armed from a thread the loop's goroutine has
// since left has every completion wait for that thread to wake and run it: two
// thread switches per completion. So a multishot request found armed from a
// thread the loop no longer runs on is canceled and armed again from the loop's
// thread, once, when its next completion comes.
const uringThreadCheckWaits = 64

// checkThread looks at the thread the loop runs on, and counts a change. The wake
// poll then moves at once: its cancellation's completion arms it again.
func (u *uring) checkThread() {
	u.checks = 0
	if tid := unix.Gettid(); tid != u.thread {
		u.thread = tid
		u.threadGen++
		u.pollRemove(wakeToken)
	}
}

// moved reports whether a multishot request armed at thread generation gen was
// armed from a thread the loop has left.
func (u *uring) moved(gen uint32) bool { return gen != u.threadGen }

// errURingUnusable is the error of a kernel whose io_uring lacks what the back end
// needs.
var errURingUnusable = errors.New("poller: io_uring lacks IORING_FEAT_EXT_ARG or multishot poll (Linux 5.13)")

func uringSetup(p *uringParams) (int, error) {
	if uringSetupHook != nil {
		if err := uringSetupHook(p.flags); err != nil {
			return -1, err
		}
	}
	fd, _, e := unix.Syscall(unix.SYS_IO_URING_SETUP, uringSQEntries, uintptr(unsafe.Pointer(p)), 0)
	if e != 0 {
		return -1, e
	}
	return int(fd), nil
}

// openURing makes the ring with the best flags the kernel takes, and maps it; with
// oneThread, a ring for the calling thread alone where the kernel has it.
func openURing(oneThread bool) (*uring, error) {
	var p uringParams
	var fd int
	var err error
	flags := uringSetupFlags[:]
	if oneThread {
		flags = append([]uint32{uringThreadFlags}, flags...)
	}
	for _, fl := range flags {
		p = uringParams{flags: fl | uringSetupCQSize | uringSetupClamp | uringSetupSubmitAll, cqEntries: uringCQEntries}
		fd, err = uringSetup(&p)
		if err == unix.EINVAL {
			// SUBMIT_ALL came in 5.18: try once more without it.
			p = uringParams{flags: fl | uringSetupCQSize | uringSetupClamp, cqEntries: uringCQEntries}
			fd, err = uringSetup(&p)
		}
		if err != unix.EINVAL {
			break
		}
	}
	if err != nil {
		return nil, os.NewSyscallError("io_uring_setup", err)
	}
	u := &uring{fd: fd, flags: p.flags, enterFd: uintptr(fd)}
	if p.features&(uringFeatExtArg|uringFeatRsrcTags|uringFeatNoDrop) != uringFeatExtArg|uringFeatRsrcTags|uringFeatNoDrop {
		unix.Close(fd)
		return nil, errURingUnusable
	}
	if err := u.mapRings(&p); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return u, nil
}

func (u *uring) mapRings(p *uringParams) error {
	sqBytes := int(p.sqOff.array + p.sqEntries*4)
	cqBytes := int(p.cqOff.cqes + p.cqEntries*uringCQEBytes)
	single := p.features&uringFeatSingleMmap != 0
	if single {
		sqBytes = max(sqBytes, cqBytes)
	}
	var err error
	u.sqRing, err = unix.Mmap(u.fd, uringOffSQRing, sqBytes, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE)
	if err != nil {
		return os.NewSyscallError("mmap", err)
	}
	u.cqRing = u.sqRing
	if !single {
		if u.cqRing, err = unix.Mmap(u.fd, uringOffCQRing, cqBytes, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE); err != nil {
			u.unmap()
			return os.NewSyscallError("mmap", err)
		}
	}
	if u.sqeMem, err = unix.Mmap(u.fd, uringOffSQEs, int(p.sqEntries*uringSQEBytes), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE); err != nil {
		u.unmap()
		return os.NewSyscallError("mmap", err)
	}
	u32 := func(b []byte, off uint32) *uint32 { return (*uint32)(unsafe.Pointer(&b[off])) }
	u.sqHead, u.sqTail, u.sqFlags = u32(u.sqRing, p.sqOff.head), u32(u.sqRing, p.sqOff.tail), u32(u.sqRing, p.sqOff.flags)
	u.sqMask = *u32(u.sqRing, p.sqOff.ringMask)
	u.cqHead, u.cqTail = u32(u.cqRing, p.cqOff.head), u32(u.cqRing, p.cqOff.tail)
	u.cqMask = *u32(u.cqRing, p.cqOff.ringMask)
	u.sqes = unsafe.Slice((*uringSQE)(unsafe.Pointer(&u.sqeMem[0])), p.sqEntries)
	u.cqes = unsafe.Slice((*uringCQE)(unsafe.Pointer(&u.cqRing[p.cqOff.cqes])), p.cqEntries)
	// The index array maps each submission slot to the entry of the same index,
	// once and for all.
	array := unsafe.Slice(u32(u.sqRing, p.sqOff.array), p.sqEntries)
	for i := range array {
		array[i] = uint32(i)
	}
	u.tail = atomic.LoadUint32(u.sqTail)
	return nil
}

func (u *uring) unmap() {
	if u.sqeMem != nil {
		unix.Munmap(u.sqeMem)
	}
	if u.cqRing != nil && &u.cqRing[0] != &u.sqRing[0] {
		unix.Munmap(u.cqRing)
	}
	if u.sqRing != nil {
		unix.Munmap(u.sqRing)
	}
	u.sqeMem, u.cqRing, u.sqRing, u.sqes, u.cqes = nil, nil, nil, nil, nil
}

// pending is the number of entries written but not yet submitted.
func (u *uring) pending() uint32 { return u.tail - atomic.LoadUint32(u.sqHead) }

// sqe returns the next free submission entry, zeroed, submitting the queue first
// when it is full.
func (u *uring) sqe() (*uringSQE, error) {
	if u.tail-atomic.LoadUint32(u.sqHead) > u.sqMask {
		if err := u.enter(0, false, 0); err != nil {
			return nil, err
		}
		if u.tail-atomic.LoadUint32(u.sqHead) > u.sqMask {
			return nil, os.NewSyscallError("io_uring_enter", unix.EBUSY)
		}
	}
	e := &u.sqes[u.tail&u.sqMask]
	*e = uringSQE{}
	u.tail++
	return e, nil
}

// pollAdd queues a multishot, edge-triggered poll of fd for events, reported
// with user data tok.
func (u *uring) pollAdd(fd int, events uint32, tok uint64) error {
	e, err := u.sqe()
	if err != nil {
		return err
	}
	if bigEndian {
		// The kernel reads poll32_events with its 16-bit halves swapped on a
		// big-endian machine, for the sake of the older 16-bit poll_events.
		events = events<<16 | events>>16
	}
	e.opcode, e.fd, e.len, e.opFlags, e.userData = uringOpPollAdd, int32(fd), uringPollAddMulti, events, tok
	return nil
}

// bigEndian is true on a big-endian machine.
var bigEndian = binary.NativeEndian.Uint16([]byte{0, 1}) == 1

// pollRemove queues the removal of the poll whose user data is tok. It is an
// IORING_OP_ASYNC_CANCEL rather than an IORING_OP_POLL_REMOVE, which fails with
// EALREADY, leaving the poll armed, while the kernel is posting the poll's
// completion; a cancel marks the poll, and the kernel ends it once posted.
func (u *uring) pollRemove(tok uint64) error {
	e, err := u.sqe()
	if err != nil {
		return err
	}
	e.opcode, e.fd, e.addr, e.userData = uringOpAsyncCancel, -1, tok, removeToken
	return nil
}

// enter submits what is queued and, with getEvents, has the kernel post its
// completions, waiting for one up to timeout when wait is set (<0 forever).
// The ring's tail is published with an atomic store, which orders the entries'
// contents before it.
func (u *uring) enter(timeout time.Duration, getEvents bool, wait int) error {
	atomic.StoreUint32(u.sqTail, u.tail)
	toSubmit := u.pending()
	var flags uintptr
	if getEvents {
		flags |= uringEnterGetEvents
	}
	flags |= u.enterFlags
	if wait == 0 {
		_, _, e := unix.RawSyscall6(unix.SYS_IO_URING_ENTER, u.enterFd, uintptr(toSubmit), 0, flags, 0, 0)
		if e != 0 {
			return e
		}
		return nil
	}
	var argp uintptr
	if timeout >= 0 {
		u.ts = unix.NsecToTimespec(int64(timeout))
		u.arg = uringGeteventsArg{ts: uint64(uintptr(unsafe.Pointer(&u.ts)))}
		argp = uintptr(unsafe.Pointer(&u.arg))
	} else {
		u.arg = uringGeteventsArg{}
		argp = uintptr(unsafe.Pointer(&u.arg))
	}
	flags |= uringEnterExtArg
	_, _, e := unix.Syscall6(unix.SYS_IO_URING_ENTER, u.enterFd, uintptr(toSubmit), uintptr(wait), flags, argp, unsafe.Sizeof(u.arg))
	runtime.KeepAlive(u)
	if e != 0 {
		return e
	}
	return nil
}

// registerRing registers the ring's descriptor for the calling thread, the one a
// ring for one thread is entered from: an enter through it skips the lookup of
// the descriptor. Where the kernel refuses (before 5.18), enters use the
// descriptor itself.
func (u *uring) registerRing() {
	// struct io_uring_rsrc_update: offset (all ones: the kernel picks it, and
	// writes it back), resv, data (the descriptor).
	upd := [2]uint64{uint64(^uint32(0)), uint64(u.fd)}
	if u.register(uringRegisterRingFds, unsafe.Pointer(&upd), 1) == nil {
		u.enterFd, u.enterFlags = uintptr(uint32(upd[0])), uringEnterRegistered
	}
}

// kernelHasMore reports whether the kernel holds completions it posts only when
// asked: deferred completion work, or entries that overflowed the queue.
func (u *uring) kernelHasMore() bool {
	return atomic.LoadUint32(u.sqFlags)&(uringSQTaskrun|uringSQCQOverflow) != 0
}

// ready reports whether the completion queue holds entries not yet read.
func (u *uring) ready() bool {
	return atomic.LoadUint32(u.cqTail) != atomic.LoadUint32(u.cqHead)
}

// uringTimeout converts Wait's positive timeout into the wait's duration as epoll
// would wait it: rounded up to the millisecond and clamped to epollWaitMsMax, so
// that the two back ends wake a loop at the same moments, and never before the
// millisecond a timer is due in has passed.
func uringTimeout(timeout time.Duration) time.Duration {
	return time.Duration(epollTimeout(timeout)) * time.Millisecond
}

func (u *uring) close() error {
	keepBufs := false
	if u.bufs != nil {
		// No request may write into the buffers once they are unmapped. A ring
		// for one thread closed from another cannot cancel them: its buffers are
		// left mapped, for the kernel to finish with.
		keepBufs = u.cancelAll() != nil
	}
	u.unmap()
	var err error
	if u.enterFlags != 0 {
		// The thread's table of registered rings would hold the ring alive,
		// and the index would name it, after the close.
		upd := [2]uint64{uint64(uint32(u.enterFd)), 0}
		u.register(uringUnregisterRingFds, unsafe.Pointer(&upd), 1)
		u.enterFd, u.enterFlags = uintptr(u.fd), 0
	}
	if e := unix.Close(u.fd); e != nil {
		err = os.NewSyscallError("close", e)
	}
	u.fd = -1
	if u.bufs != nil && !keepBufs {
		u.bufs.release()
	}
	u.bufs = nil
	return err
}

// uringPollEvents is the interest of every socket, as epollFlags is for epoll:
// POLLIN, POLLOUT and POLLRDHUP, which share their values with the EPOLL ones.
// io_uring's polls are edge-triggered unless asked otherwise.
const uringPollEvents = unix.POLLIN | unix.POLLOUT | unix.POLLRDHUP

func (s *System) uringOpen() error {
	u, err := openURing(s.oneThread)
	if err != nil {
		return err
	}
	if u.flags&uringSetupOneIssuer != 0 {
		u.oneThread = true
		u.registerRing()
	}
	wfd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		u.close()
		return os.NewSyscallError("eventfd", err)
	}
	if err := u.pollAdd(wfd, unix.POLLIN, wakeToken); err != nil {
		unix.Close(wfd)
		u.close()
		return err
	}
	if u.setupOps() && u.oneThread {
		u.setupFiles()
	}
	u.thread = unix.Gettid()
	s.uring, s.wakeFd = u, wfd
	return nil
}

func (s *System) uringRegister(fd int, tok uint64) error {
	u := s.uring
	slot, _ := splitToken(tok)
	if u.bufs != nil && !s.socks[slot].listener {
		// A connection: its Reads and Writes are requests, and its one poll
		// reports a Connect's outcome.
		if err := u.pollOnce(fd, tok); err != nil {
			return err
		}
		c := u.conn(slot)
		c.polled = true
		c.fixed = u.files > 0 && u.setFile(slot, int32(fd))
		return nil
	}
	u.conn(slot).armGen = u.threadGen
	return u.pollAdd(fd, uringPollEvents, tok)
}

// uringUnregister removes the poll of the socket tok, whose descriptor fd is about
// to be closed, and has the kernel finish the removal at once, so that the close
// is the socket's last reference and closes it. An error here only delays that
// until the next Wait, or Close, so it is not returned.
func (s *System) uringUnregister(tok uint64) {
	u := s.uring
	if slot, _ := splitToken(tok); u.bufs != nil && !s.socks[slot].listener {
		s.uringCloseConn(tok)
		return
	}
	if u.pollRemove(tok) != nil {
		return
	}
	u.enter(0, true, 0)
}

// uringPending reports whether a Wait is sure to find completions: entries in the
// queue, or entries that overflowed it. Requests waiting to be submitted, and the
// kernel's flag of completion work it has yet to run, promise none (the requests
// may wait, the work may be another thread's), and a loop that took them for
// completions would block in a Wait that no Wake it relies on ends.
func (s *System) uringPending() bool {
	u := s.uring
	return u.ready() || atomic.LoadUint32(u.sqFlags)&uringSQCQOverflow != 0
}

// uringCQEsMax bounds the completions one Wait reads; the rest stay in the
// queue, and make the next Wait not block.
const uringCQEsMax = pollEventsMax

func (s *System) uringWait(done []*Op, timeout time.Duration) (_ []*Op, interrupted bool, _ error) {
	u := s.uring
	if u.bufs != nil {
		// The bytes of the last Wait's Reads are consumed: their buffers go back
		// to the kernel, and the receives that found none are armed again.
		u.bufs.recycle()
		if len(u.rearm) > 0 {
			s.uringRearm()
		}
	}
	var err error
	switch {
	case u.ready():
		if u.tail != atomic.LoadUint32(u.sqHead) {
			err = u.enter(0, false, 0)
		}
	case timeout == 0:
		if u.tail != atomic.LoadUint32(u.sqHead) || u.kernelHasMore() {
			err = u.enter(0, true, 0)
		}
	default:
		if timeout > 0 {
			timeout = uringTimeout(timeout)
		}
		err = u.enter(timeout, true, 1)
		u.checks = uringThreadCheckWaits // a thread that blocked may come back on another
	}
	if u.checks++; u.checks >= uringThreadCheckWaits && !u.oneThread {
		u.checkThread()
	}
	switch err {
	case nil, unix.ETIME, unix.EBUSY, unix.EAGAIN:
		// A wait that timed out finds nothing; a kernel short of room for
		// completions is asked again by the next Wait, after this one read them.
	case unix.EINTR:
		return done, true, nil
	default:
		if _, ok := err.(unix.Errno); ok {
			err = os.NewSyscallError("io_uring_enter", err)
		}
		// The kernel refuses another thread's enter with EEXIST, and the
		// registered descriptor, which another thread does not have, with
		// EBADF or EINVAL.
		if u.oneThread && (errors.Is(err, unix.EEXIST) || errors.Is(err, unix.EBADF) || errors.Is(err, unix.EINVAL)) {
			err = fmt.Errorf("poller: a System made by NewForThread was waited on from another thread than its own: %w", err)
		}
		return done, false, err
	}
	head := atomic.LoadUint32(u.cqHead)
	tail := atomic.LoadUint32(u.cqTail)
	for n := 0; head != tail && n < uringCQEsMax; n++ {
		c := u.cqes[head&u.cqMask]
		head++
		// Release the entry before acting on it: the actions below may
		// submit, and the kernel may then post into this slot.
		atomic.StoreUint32(u.cqHead, head)
		done = s.uringEvent(done, c)
	}
	return done, false, nil
}

// uringEvent acts on one completion.
func (s *System) uringEvent(done []*Op, c uringCQE) []*Op {
	tok := c.userData
	switch {
	case tok == wakeToken:
		if c.flags&uringCQEFMore == 0 {
			s.uring.pollAdd(s.wakeFd, unix.POLLIN, wakeToken)
		}
		if c.res > 0 {
			// Drain first, then clear the flag, as on epoll.
			unix.Read(s.wakeFd, s.wakeBuf[:])
			s.wakeSig.Store(0)
		}
		return done
	case tok == removeToken:
		return done
	case tok&uringOpBit != 0:
		return s.uringOpEvent(done, c)
	}
	slot, gen := splitToken(tok)
	if int(slot) >= len(s.socks) {
		return done
	}
	sk := s.socks[slot]
	if sk.gen != gen || sk.fd < 0 {
		return done // a socket closed since
	}
	if s.uring.bufs != nil && !sk.listener {
		return s.uringConnPolled(done, tok, sk, c.res)
	}
	u := s.uring
	if cn := u.conn(slot); c.flags&uringCQEFMore == 0 {
		// The kernel ended the multishot poll (it does when it runs short of
		// room for completions, and when it was moved to the loop's thread):
		// arm it again. An edge that came in between is reported by the new
		// poll, which reports the socket's state at once.
		u.pollAdd(sk.fd, uringPollEvents, tok)
		cn.armGen = u.threadGen
	} else if u.moved(cn.armGen) && u.pollRemove(tok) == nil {
		cn.armGen = u.threadGen // the removal's completion arms it again
	}
	if c.res < 0 {
		if c.res == -int32(unix.ECANCELED) {
			return done
		}
		// The poll failed: let every operation try its system call, which
		// reports what is wrong.
		return s.ioReady(done, tok, true, true, true)
	}
	ev := uint32(c.res)
	r := ev&(unix.POLLIN|unix.POLLRDHUP|unix.POLLHUP|unix.POLLERR) != 0
	w := ev&(unix.POLLOUT|unix.POLLHUP|unix.POLLERR) != 0
	h := ev&(unix.POLLRDHUP|unix.POLLHUP|unix.POLLERR) != 0
	return s.ioReady(done, tok, r, w, h)
}

// uringKindName is what Name reports for the io_uring back end.
const uringKindName = "io_uring"
