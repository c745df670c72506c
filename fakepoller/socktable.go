package fakepoller

import "github.com/nodeloop/nodeloop/poller"

// sockTable holds the open sockets of a network by their handles. A socket is in
// near, at its handle modulo sockTableNear, when that place was free as it opened,
// and in rest otherwise: the few sockets of most simulated runs are found by one
// index and one comparison, and a run of many holds those open at once, never those
// closed. It is only looked up, never iterated in an order that could leak into a
// run: all returns the sockets for its caller to sort.
type sockTable struct {
	near [sockTableNear]*sock
	rest map[poller.Socket]*sock
}

// sockTableNear is how many places near has, a power of two.
const sockTableNear = 64

// get returns the open socket named by id, or nil.
func (t *sockTable) get(id poller.Socket) *sock {
	if s := t.near[id%sockTableNear]; s != nil && s.id == id {
		return s
	}
	if len(t.rest) == 0 {
		return nil
	}
	return t.rest[id]
}

// put adds s, just opened.
func (t *sockTable) put(s *sock) {
	if i := s.id % sockTableNear; t.near[i] == nil {
		t.near[i] = s
		return
	}
	if t.rest == nil {
		t.rest = map[poller.Socket]*sock{}
	}
	t.rest[s.id] = s
}

// remove removes s, closed; a socket that is not there stays absent.
func (t *sockTable) remove(s *sock) {
	if i := s.id % sockTableNear; t.near[i] == s {
		t.near[i] = nil
		return
	}
	delete(t.rest, s.id)
}

// all appends every open socket to dst, in no order, and returns it.
func (t *sockTable) all(dst []*sock) []*sock {
	for _, s := range t.near {
		if s != nil {
			dst = append(dst, s)
		}
	}
	for _, s := range t.rest { // the caller sorts them
		dst = append(dst, s)
	}
	return dst
}

// clear removes every socket.
func (t *sockTable) clear() {
	clear(t.near[:])
	clear(t.rest)
}
