package replay

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/nodeloop/nodeloop/poller"
)

// The inputs a real run takes from outside, as the trace records them (kind input,
// Msg the name below, Input the JSON of the struct).
const (
	inClock  = "clock"  // clockInput: a reading of the clock
	inListen = "listen" // listenInput: what Listen returned
	inStart  = "start"  // errInput: what Start returned
	inClose  = "close"  // errInput: what CloseSocket returned
	inWait   = "wait"   // waitInput: what Wait returned
)

type clockInput struct {
	NS int64 `json:"ns"` // since the first reading
}

type listenInput struct {
	Socket  uint64    `json:"socket"`
	Network string    `json:"network,omitempty"`
	Addr    string    `json:"addr,omitempty"`
	Err     *errInput `json:"err,omitempty"`
}

type waitInput struct {
	Ops  []opInput  `json:"ops,omitempty"`
	Jobs []jobInput `json:"jobs,omitempty"`
	Err  *errInput  `json:"err,omitempty"`
}

// opInput is a finished operation's results.
type opInput struct {
	ID      uint64    `json:"id"`
	N       int       `json:"n,omitempty"`
	Data    []byte    `json:"data,omitempty"` // a read's bytes
	Conn    uint64    `json:"conn,omitempty"`
	Network string    `json:"network,omitempty"`
	Local   string    `json:"local,omitempty"`
	Remote  string    `json:"remote,omitempty"`
	Err     *errInput `json:"err,omitempty"`
}

// jobInput is a pool job that finished before a wait returned, in the order the loop
// took it.
type jobInput struct {
	ID      uint64        `json:"id"`
	Worker  int           `json:"worker"`
	Started time.Duration `json:"started"` // on the loop's time line
	Err     *errInput     `json:"err,omitempty"`
	line    int           // the trace line of its pool_done
	index   int           // its position among the trace's pool_done events
}

// errInput is an error as the trace keeps it: its text, and what errors.Is must still
// match after a replay: a sentinel or a system error number.
type errInput struct {
	Text     string `json:"text"`
	Errno    int    `json:"errno,omitempty"`
	Sentinel string `json:"sentinel,omitempty"`
}

var sentinels = map[string]error{
	"eof": io.EOF, "closed": poller.ErrClosed, "canceled": poller.ErrCanceled,
}

func encodeErr(err error) *errInput {
	if err == nil {
		return nil
	}
	e := &errInput{Text: err.Error()}
	for _, name := range []string{"eof", "closed", "canceled"} {
		if err == sentinels[name] {
			e.Sentinel = name
			return e
		}
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		e.Errno = int(errno)
	}
	return e
}

func (e *errInput) decode() error {
	if e == nil {
		return nil
	}
	if s, ok := sentinels[e.Sentinel]; ok {
		return s
	}
	return &replayedError{text: e.Text, errno: syscall.Errno(e.Errno)}
}

// replayedError is a recorded error: the same text, and errors.Is matches the same
// errno.
type replayedError struct {
	text  string
	errno syscall.Errno
}

func (e *replayedError) Error() string { return e.text }

func (e *replayedError) Unwrap() error {
	if e.errno == 0 {
		return nil
	}
	return os.NewSyscallError("replayed", e.errno)
}

func addrString(a net.Addr) (network, s string) {
	if a == nil {
		return "", ""
	}
	return a.Network(), a.String()
}

// decodeAddr turns a recorded address back into the net.Addr the poller returned,
// and reports whether the recording could hold it. It never resolves a name: a
// recorded TCP address is numeric. A Unix socket's address is never nil, even
// unnamed, as the pollers give it.
func decodeAddr(network, s string) (net.Addr, bool) {
	switch {
	case strings.HasPrefix(network, "unix"):
		return &net.UnixAddr{Net: network, Name: s}, true
	case s == "":
		return nil, true
	case strings.HasPrefix(network, "tcp"):
		ap, err := netip.ParseAddrPort(s)
		if err != nil {
			return nil, false
		}
		return net.TCPAddrFromAddrPort(ap), true
	default:
		return nil, false
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // the input types always encode
	}
	return string(b)
}
