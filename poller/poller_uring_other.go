//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package poller

// kqueue has no io_uring: every Read and Write follows the readiness model.

func (s *System) pollStart(tok uint64, sk *sock, op *Op) bool { return false }

func (s *System) pollCancel(tok uint64, sk *sock, op *Op) {}
