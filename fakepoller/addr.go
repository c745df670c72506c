package fakepoller

import (
	"net"
	"net/netip"
	"strconv"
)

// endpoint is a resolved address of the simulated network: a unix-domain path, or
// an IP address and port. An IP endpoint with no address (ip not valid) is a
// wildcard that listens on every address of the families v4 and v6 say.
type endpoint struct {
	unix   bool
	path   string
	ip     netip.Addr
	v4, v6 bool
	port   int
}

// errNoHostNames is the error of an address whose host is a name: the simulated
// network has no resolver, so that no run depends on the machine's DNS.
const errNoHostNames = "fakepoller resolves no host names; use an IP address or localhost"

// splitHostPort splits an IP address as net.Listen and net.Dial take it. The host
// is an IP literal, "localhost", or empty; the port a decimal number, empty
// meaning 0. Service names are not looked up.
func splitHostPort(address string) (host netip.Addr, localhost bool, port int, err error) {
	h, ps, err := net.SplitHostPort(address)
	if err != nil {
		return netip.Addr{}, false, 0, err
	}
	if ps != "" {
		n, perr := strconv.ParseUint(ps, 10, 16)
		if perr != nil {
			return netip.Addr{}, false, 0, &net.AddrError{Err: "invalid port", Addr: address}
		}
		port = int(n)
	}
	switch h {
	case "":
		return netip.Addr{}, false, port, nil
	case "localhost":
		return netip.Addr{}, true, port, nil
	}
	ip, perr := netip.ParseAddr(h)
	if perr != nil {
		return netip.Addr{}, false, 0, &net.AddrError{Err: errNoHostNames, Addr: address}
	}
	return ip.Unmap(), false, port, nil
}

func isTCP(network string) bool {
	return network == "tcp" || network == "tcp4" || network == "tcp6"
}

// unixEndpoint resolves a network that is not TCP: a unix socket's path, or an error
// for a network the fake does not have.
func unixEndpoint(network, address string) (endpoint, error) {
	if network != "unix" {
		return endpoint{}, net.UnknownNetworkError(network)
	}
	if address == "" {
		return endpoint{}, &net.AddrError{Err: "missing address", Addr: address}
	}
	return endpoint{unix: true, path: address}, nil
}

// resolveListen resolves Listen's arguments as net.Listen does: an empty or
// unspecified host is a wildcard, dual-stack for "tcp" unless it is 0.0.0.0.
func resolveListen(network, address string) (endpoint, error) {
	if !isTCP(network) {
		return unixEndpoint(network, address)
	}
	ip, localhost, port, err := splitHostPort(address)
	if err != nil {
		return endpoint{}, err
	}
	if localhost {
		ip = loopback(network == "tcp6")
	}
	ep := endpoint{port: port}
	switch {
	case ip.IsValid() && !ip.IsUnspecified():
		if (network == "tcp4" && !ip.Is4()) || (network == "tcp6" && ip.Is4()) {
			return endpoint{}, &net.AddrError{Err: "no suitable address", Addr: address}
		}
		ep.ip, ep.v4, ep.v6 = ip, ip.Is4(), !ip.Is4()
	case network == "tcp4" || (network == "tcp" && ip.Is4()):
		ep.v4 = true
	case network == "tcp6":
		ep.v6 = true
	default:
		ep.v4, ep.v6 = true, true
	}
	return ep, nil
}

// resolveDial resolves Connect's Network and Address as net.Dial does: an empty or
// unspecified host is this machine's loopback address.
func resolveDial(network, address string) (endpoint, error) {
	if !isTCP(network) {
		return unixEndpoint(network, address)
	}
	ip, _, port, err := splitHostPort(address)
	if err != nil {
		return endpoint{}, err
	}
	if !ip.IsValid() || ip.IsUnspecified() {
		ip = loopback(network == "tcp6" || (ip.IsValid() && ip.Is6()))
	}
	if (network == "tcp4" && !ip.Is4()) || (network == "tcp6" && ip.Is4()) {
		return endpoint{}, &net.AddrError{Err: "no suitable address", Addr: address}
	}
	return endpoint{ip: ip, v4: ip.Is4(), v6: !ip.Is4(), port: port}, nil
}

// loopback returns ::1 or 127.0.0.1.
func loopback(v6 bool) netip.Addr {
	if v6 {
		return netip.IPv6Loopback()
	}
	return netip.AddrFrom4([4]byte{127, 0, 0, 1})
}

// overlaps reports whether listeners at a and b could not both be bound.
func (a endpoint) overlaps(b endpoint) bool {
	if a.unix || b.unix {
		return a.unix && b.unix && a.path == b.path
	}
	if a.port != b.port {
		return false
	}
	if a.ip.IsValid() && b.ip.IsValid() {
		return a.ip == b.ip
	}
	return (a.v4 && b.v4) || (a.v6 && b.v6)
}

// accepts reports whether a listener bound at l takes connections to dst.
func (l endpoint) accepts(dst endpoint) bool {
	if l.unix || dst.unix {
		return l.unix && dst.unix && l.path == dst.path
	}
	if l.port != dst.port {
		return false
	}
	if l.ip.IsValid() {
		return l.ip == dst.ip
	}
	return (l.v4 && dst.ip.Is4()) || (l.v6 && !dst.ip.Is4())
}

// addr returns the net.Addr of e, as the system reports a bound address.
func (e endpoint) addr() net.Addr {
	if e.unix {
		return &net.UnixAddr{Name: e.path, Net: "unix"}
	}
	if !e.ip.IsValid() {
		if e.v6 {
			return &net.TCPAddr{IP: net.IPv6unspecified, Port: e.port}
		}
		return &net.TCPAddr{IP: net.IPv4zero.To4(), Port: e.port}
	}
	a := new(tcpAddr)
	a.set(e)
	return &a.addr
}

// addrPair returns the net.Addr of a and of b, IP endpoints with an address, as addr
// does, both made in one allocation: a connection's two ends.
func addrPair(a, b endpoint) (net.Addr, net.Addr) {
	pair := new([2]tcpAddr)
	pair[0].set(a)
	pair[1].set(b)
	return &pair[0].addr, &pair[1].addr
}

// set makes t the address of e, an IP endpoint with an address.
func (t *tcpAddr) set(e endpoint) {
	n := net.IPv6len
	if e.ip.Is4() {
		n = net.IPv4len
		b := e.ip.As4()
		copy(t.ip[:], b[:])
	} else {
		t.ip = e.ip.As16()
	}
	t.addr = net.TCPAddr{IP: t.ip[:n:n], Port: e.port, Zone: e.ip.Zone()}
}

// tcpAddr is a TCP address made with the bytes of its IP, in one allocation.
type tcpAddr struct {
	addr net.TCPAddr
	ip   [net.IPv6len]byte
}
