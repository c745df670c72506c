package fakepoller

import (
	"cmp"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"time"

	"github.com/nodeloop/nodeloop/fakeclock"
)

// Network is one simulated network of several hosts on one clock, for a simulated
// world of several loops (sim.World): each host has a Poller of its own, its view
// of the network, that its loop waits on, and a connection from one host reaches a
// listener on another.
//
// Hosts have names and addresses. The host added k-th (from 0) has the IPv4 address
// 10.0.x.y with x.y = k+1 (10.0.0.1, 10.0.0.2, …); its name resolves to that
// address in the Listen and Connect of every host ("db1:5432"), and a connection's
// addresses are the hosts' (a server sees its client at 10.0.0.2 and an ephemeral
// port; HostAt names the host of an address). localhost, 127.0.0.1 and ::1 are
// each host's own loopback, and a unix path is each host's own: they reach only
// the host's own listeners. A name that is no host's is refused as it is by a
// Poller made by NewWith, and an address that is no host's finds nothing there.
//
// A host's Poller never moves the clock and never runs the network's events: its
// Wait returns at once the operations of its host that finished, or none. The
// driver steps the world instead: it runs the events due (RunDue), lets the hosts
// with completions (Ready) or due timers run, and moves the clock to the next
// instant something happens (Next, and the loops' own deadlines). Everything is
// called from the world's one goroutine, as for a single Poller.
type Network struct {
	base *Poller // the network's timeline and sockets; it is no host
}

// NewNetwork returns an empty network of hosts on clock, configured by opts as
// NewWith configures a Poller's: every host shares its latencies, faults and choices.
func NewNetwork(clock *fakeclock.Clock, opts Options) (*Network, error) {
	p, err := NewWith(clock, opts)
	if err != nil {
		return nil, err
	}
	p.network.cutTimeout = DefaultCutTimeout
	return &Network{base: p}, nil
}

// host is a host of a Network: its name and address.
type host struct {
	name string
	ip   netip.Addr
}

// maxHosts is how many hosts a Network addresses: 10.0.0.1 to 10.0.255.254.
const maxHosts = 1<<16 - 2

// AddHost adds a host named name and returns its Poller. It fails for a name that
// is empty, localhost, an IP address, has a colon or a bracket, or is a host's
// already, and past the last address.
func (n *Network) AddHost(name string) (*Poller, error) {
	switch _, ipErr := netip.ParseAddr(name); {
	case name == "" || name == "localhost" || ipErr == nil:
		return nil, fmt.Errorf("fakepoller: host name %q: want a name that is not empty, localhost or an IP address", name)
	case containsAny(name, ":[]/ "):
		return nil, fmt.Errorf("fakepoller: host name %q: a name has no colon, bracket, slash or space", name)
	case n.base.byName(name) != nil:
		return nil, fmt.Errorf("fakepoller: host name %q is taken", name)
	case len(n.base.network.hosts) >= maxHosts:
		return nil, errors.New("fakepoller: the network has no address left for another host")
	}
	k := len(n.base.network.hosts) + 1
	b := n.base
	p := &Poller{clock: b.clock, events: b.events, opts: b.opts, choices: b.choices, network: b.network, silent: b.silent,
		host: &host{name: name, ip: netip.AddrFrom4([4]byte{10, 0, byte(k >> 8), byte(k)})}}
	b.network.hosts = append(b.network.hosts, p)
	return p, nil
}

func containsAny(s, chars string) bool {
	for _, c := range s {
		for _, d := range chars {
			if c == d {
				return true
			}
		}
	}
	return false
}

// Next returns the instant of the network's next scheduled event, and false when
// nothing is scheduled.
func (n *Network) Next() (time.Time, bool) {
	at, ok := n.base.events.Min()
	if !ok {
		return time.Time{}, false
	}
	return n.base.timeOf(at), true
}

// RunDue runs every event due at the clock's reading, those they schedule for the
// same instant included, in the order they were scheduled: messages arrive, and
// the operations they finish go to their hosts' Pollers.
func (n *Network) RunDue() { n.base.runDue() }

// SetFaults makes f the faults of the network and of every host's Poller from now
// on: a driver's way to stop them all at once (sim.Liveness), or to start some.
// An f that is not valid, as NewWith checks Options.Faults, is refused.
func (n *Network) SetFaults(f Faults) error {
	o := n.base.opts
	o.Faults = f
	if err := o.validate(); err != nil {
		return err
	}
	n.base.opts.Faults = f
	for _, h := range n.base.network.hosts {
		h.opts.Faults = f
	}
	return nil
}

// Scheduled returns how many events are waiting.
func (n *Network) Scheduled() int { return n.base.events.Len() }

// HostAt returns the name of the host whose address is ip, and false when it is no
// host's.
func (n *Network) HostAt(ip netip.Addr) (string, bool) {
	if p := n.base.byIP(ip.Unmap()); p != nil {
		return p.host.name, true
	}
	return "", false
}

// Addr returns the address of the host named name, and false when there is none.
func (n *Network) Addr(name string) (netip.Addr, bool) {
	if p := n.base.byName(name); p != nil {
		return p.host.ip, true
	}
	return netip.Addr{}, false
}

// Ready reports whether a Wait would return something at once: an operation that
// finished, or a wake-up.
func (p *Poller) Ready() bool { return len(p.ready) > 0 || p.woken.Load() }

// Host returns the name of p's host, "" for a Poller that is a network of its own.
func (p *Poller) Host() string {
	if p.host == nil {
		return ""
	}
	return p.host.name
}

func (p *Poller) byName(name string) *Poller {
	for _, h := range p.network.hosts {
		if h.host.name == name {
			return h
		}
	}
	return nil
}

func (p *Poller) byIP(ip netip.Addr) *Poller {
	for _, h := range p.network.hosts {
		if h.host.ip == ip {
			return h
		}
	}
	return nil
}

// resolveName replaces the host of address by its IP address when it is the name of
// a host of p's network; any other address is returned as it is.
func (p *Poller) resolveName(address string) string {
	if p.host == nil {
		return address
	}
	h, port, err := net.SplitHostPort(address)
	if err != nil {
		return address
	}
	if at := p.byName(h); at != nil {
		return net.JoinHostPort(at.host.ip.String(), port)
	}
	return address
}

// hostAt returns the poller whose listeners a connection request to dst reaches:
// p itself for a network of its own, a unix path or a loopback address; the host
// of dst's address otherwise, or nil when it is no host's.
func (p *Poller) hostAt(dst endpoint) *Poller {
	if p.host == nil || dst.unix || dst.ip.IsLoopback() {
		return p
	}
	return p.byIP(dst.ip)
}

// Crash crashes the host named name, as a power cut does: its Poller is closed at
// once (its operations in flight are abandoned, never returned), its listeners and
// connections vanish, and the peer of each of its connections gets a reset, which
// arrives after a drawn latency as any message does; the peer's operations then fail
// with ECONNRESET (a read) or EPIPE (a write), as they do on a real network when the
// host answers the next segment with one. Messages still on their way to the host
// find nothing there and are answered with a reset, or dropped. Its sockets are taken
// in the order they were made. The host keeps its name and address; Restart gives it
// a new Poller. Crash fails for a name that is no host's or a host crashed already.
func (n *Network) Crash(name string) error {
	i := n.hostIndex(name)
	if i < 0 {
		return fmt.Errorf("fakepoller: crash: no host is named %q", name)
	}
	p := n.base.network.hosts[i]
	if p.closed {
		return fmt.Errorf("fakepoller: crash: host %q is down already", name)
	}
	p.Close()
	mine := n.base.network.socks.all(nil) // sorted below
	mine = slices.DeleteFunc(mine, func(s *sock) bool { return s.owner != p })
	slices.SortFunc(mine, func(a, b *sock) int { return cmp.Compare(a.id, b.id) })
	for _, s := range mine {
		for k := range s.ops {
			s.ops[k] = nil // the loop that waited for them is gone
		}
		s.closed = true
		n.base.network.socks.remove(s)
		if s.listener {
			if j := slices.Index(n.base.network.listeners, s); j >= 0 {
				n.base.network.listeners = slices.Delete(n.base.network.listeners, j, j+1)
			}
			s.backlog.drop()
			continue
		}
		if s.peer != nil && !s.reset {
			n.base.sendReset(s)
		}
	}
	return nil
}

// Restart gives the host named name, crashed by Crash, a new Poller, with nothing
// open and nothing in flight, and returns it: the host runs again at its address.
// It fails for a name that is no host's and a host that is not down.
func (n *Network) Restart(name string) (*Poller, error) {
	i := n.hostIndex(name)
	if i < 0 {
		return nil, fmt.Errorf("fakepoller: restart: no host is named %q", name)
	}
	old := n.base.network.hosts[i]
	if !old.closed {
		return nil, fmt.Errorf("fakepoller: restart: host %q is up", name)
	}
	b := n.base
	p := &Poller{clock: b.clock, events: b.events, opts: b.opts, choices: b.choices, network: b.network, silent: b.silent, host: old.host}
	b.network.hosts[i] = p
	return p, nil
}

// Down reports whether the host named name is crashed and not restarted.
func (n *Network) Down(name string) bool {
	i := n.hostIndex(name)
	return i >= 0 && n.base.network.hosts[i].closed
}

func (n *Network) hostIndex(name string) int {
	for i, h := range n.base.network.hosts {
		if h.host.name == name {
			return i
		}
	}
	return -1
}

// DefaultCutTimeout is how long a message a cut link holds waits, in a Network that
// SetCutTimeout did not change, before its connection fails with ETIMEDOUT: a
// kernel's retransmissions give up so, if later (Linux's take some 15 minutes, or
// TCP_USER_TIMEOUT).
const DefaultCutTimeout = 30 * time.Second

// SetCutTimeout makes d the time a message held by a cut link waits before its
// connection fails at both ends with ETIMEDOUT; 0 means it waits for the heal,
// however long. A negative d is refused.
func (n *Network) SetCutTimeout(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("fakepoller: cut timeout %v: want 0 (never) or more", d)
	}
	n.base.network.cutTimeout = d
	return nil
}

// Cut cuts the link from the host named from to the host named to, one way: the
// messages of connections and connection requests that arrive along it from now on
// (those on their way included) are held, not lost, in the order they were sent,
// and every later one of the same connection behind them, until Heal. A connection
// whose message is held longer than the cut timeout (SetCutTimeout) fails at both
// ends: reads and writes in flight and after fail with ETIMEDOUT, and a Connect in
// flight as ConnectTimeout makes it fail. Cutting both ways is two Cuts. Cut fails
// for a name that is no host's and for a host cut from itself.
func (n *Network) Cut(from, to string) error {
	ln, err := n.link("cut", from, to)
	if err != nil {
		return err
	}
	ln.cut = true
	return nil
}

// Heal heals the link from the host named from to the host named to, cut by Cut:
// what it held is delivered at once, in order, before anything sent later. Healing
// a link that is not cut does nothing; it fails for a name that is no host's.
func (n *Network) Heal(from, to string) error {
	ln, err := n.link("heal", from, to)
	if err != nil {
		return err
	}
	ln.cut = false
	n.release()
	return nil
}

// Clog adds latency to every message sent from now on along the link from the host
// named from to the host named to, one way, on top of the network's own; 0 unclogs
// it. It fails for a name that is no host's and a negative latency.
func (n *Network) Clog(from, to string, latency time.Duration) error {
	if latency < 0 {
		return fmt.Errorf("fakepoller: clog %s to %s: latency %v: want 0 or more", from, to, latency)
	}
	ln, err := n.link("clog", from, to)
	if err != nil {
		return err
	}
	ln.clog = latency
	return nil
}

// HealAll heals every cut link and unclogs every clogged one, as Heal and Clog do.
func (n *Network) HealAll() {
	for _, ln := range n.base.network.links {
		ln.cut, ln.clog = false, 0
	}
	n.release()
}

// release schedules, now, the delivery of what the healed links held, pipe by pipe
// in the order they first held a message.
func (n *Network) release() {
	b := n.base
	keep := b.network.holding[:0]
	for _, pp := range b.network.holding {
		if len(pp.held) == 0 {
			continue
		}
		keep = append(keep, pp)
		if ln := b.network.linkOf(pp.from, pp.to); ln == nil || !ln.cut {
			b.at(b.now(), func() { b.release(pp) })
		}
	}
	clear(b.network.holding[len(keep):])
	b.network.holding = keep
}

// link returns the state of the link between two hosts, made if need be.
func (n *Network) link(op, from, to string) (*link, error) {
	i, j := n.hostIndex(from), n.hostIndex(to)
	switch {
	case i < 0:
		return nil, fmt.Errorf("fakepoller: %s: no host is named %q", op, from)
	case j < 0:
		return nil, fmt.Errorf("fakepoller: %s: no host is named %q", op, to)
	case i == j:
		return nil, fmt.Errorf("fakepoller: %s: host %q from itself: a host always reaches itself", op, from)
	}
	a, b := n.base.network.hosts[i].host, n.base.network.hosts[j].host
	if ln := n.base.network.linkOf(a, b); ln != nil {
		return ln, nil
	}
	ln := &link{from: a, to: b}
	n.base.network.links = append(n.base.network.links, ln)
	return ln, nil
}

// The segments a Message is, by the name Message.Segment gives them.
const (
	segConnect = "connect"
	segAccept  = "accept"
	segRefuse  = "refuse"
	segData    = "data"
	segFin     = "fin"
	segReset   = "reset"
)

// Message is a message from one host of a Network to another that arrived, as
// OnArrive tells it: enough for a tool to draw it from its send to its receipt.
type Message struct {
	// ID numbers the messages between hosts, from 1, in the order they were sent.
	ID uint64
	// From and To are the names of the sending and the receiving host.
	From, To string
	// Sent is when it was sent; it arrives at the clock's reading when told.
	Sent time.Time
	// Segment is what it is: "connect" (a connection request), "accept" (its
	// answer), "refuse" (a refusal), "data", "fin" (the end of the sender's
	// stream) or "reset".
	Segment string
	// Bytes is how much data a "data" segment carries, 0 for the others.
	Bytes int
}

// OnArrive makes fn be told of every message between two hosts that is sent from
// now on, when it arrives: after its latency, or when the cut link that held it
// heals. A message that never arrives (its connection timed out on a cut link) is
// never told. fn runs inside RunDue, before the arrival does anything, and must
// not call the Network; nil stops the telling. Messages within one host (its
// loopback, its unix sockets) are not told.
func (n *Network) OnArrive(fn func(Message)) { n.base.network.onArrive = fn }

// told returns fn, the arrival of a segment seg with n bytes sent along pp at
// sent, made to tell the Network's OnArrive first, or fn itself when nothing
// listens.
func (nw *network) told(pp *pipe, seg string, n int, sent time.Time, fn func()) func() {
	tell := nw.onArrive
	if tell == nil {
		return fn
	}
	nw.lastMessage++
	m := Message{ID: nw.lastMessage, From: pp.from.name, To: pp.to.name, Sent: sent, Segment: seg, Bytes: n}
	return func() {
		tell(m)
		fn()
	}
}
