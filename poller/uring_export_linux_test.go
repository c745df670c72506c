package poller

// The io_uring setup flags the tests look at.
const (
	URingSetupCoopTaskrun = uringSetupCoopTaskrun
	URingSetupSubmitAll   = uringSetupSubmitAll
)

// SetURingSetupHook makes every io_uring_setup first call refuse with the flags
// it is about to try, and fail with refuse's error when that is not nil, until
// the returned function is called: a kernel or a container that refuses io_uring,
// or some of its flags.
func SetURingSetupHook(refuse func(flags uint32) error) (restore func()) {
	uringSetupHook = refuse
	return func() { uringSetupHook = nil }
}

// URingFlags returns the setup flags of p's ring, and false when p runs on epoll.
func URingFlags(p *System) (uint32, bool) {
	if p.uring == nil {
		return 0, false
	}
	return p.uring.flags, true
}

// URingCompletion reports whether p's connections read and write through
// io_uring requests (the completion model) rather than readiness.
func URingCompletion(p *System) bool { return p.uring != nil && p.uring.bufs != nil }

// SetURingOpsHook makes New ask refuse whether to try the completion model, until
// the returned function is called: a kernel without it.
func SetURingOpsHook(allow func() bool) (restore func()) {
	uringOpsHook = allow
	return func() { uringOpsHook = nil }
}

// URingArmedHere reports whether the receive of connection so is armed from the
// thread p last saw the loop run on.
func URingArmedHere(p *System, so Socket) bool {
	slot, _ := splitToken(uint64(so))
	c := p.uring.conn(slot)
	return c.recv == recvArmed && !p.uring.moved(c.armGen)
}

// URingFixedFiles returns the size of the table of fixed files of p's ring, 0
// without one.
func URingFixedFiles(p *System) uint32 { return p.uring.files }
