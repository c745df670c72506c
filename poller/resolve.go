package poller

import (
	"net"
	"strconv"
)

// endpoint is an address resolved from the arguments of Listen or Connect, before a
// back end turns it into its system's socket address.
type endpoint struct {
	// network is "tcp" or "unix": the kind of net.Addr the socket reports.
	network string
	// path is the file of a unix-domain address.
	path string
	// v6 selects IPv6; ip holds the 4 or 16 address bytes, nil for the wildcard.
	v6   bool
	ip   net.IP
	port int
	zone string
	// v6only is for IPv6 listeners: 1 or 0 to set IPV6_V6ONLY, or -1 for a
	// dual-stack wildcard listener that falls back to IPv4 where the system has
	// no IPv6.
	v6only int
}

// resolveListen resolves Listen's arguments as net.Listen does. An empty or
// unspecified host listens on every local address: dual-stack for "tcp".
func resolveListen(network, address string) (endpoint, error) {
	switch network {
	case "tcp", "tcp4", "tcp6":
		a, err := net.ResolveTCPAddr(network, address)
		if err != nil {
			return endpoint{}, err
		}
		ip := a.IP
		switch {
		case network == "tcp4" || (network == "tcp" && ip.To4() != nil):
			ep := endpoint{network: "tcp", port: a.Port}
			if ip != nil {
				ep.ip = ip.To4()
			}
			return ep, nil
		case network == "tcp6" && ip.To4() != nil && !ip.Equal(net.IPv4zero):
			return endpoint{}, &net.AddrError{Err: "no suitable address", Addr: address}
		default:
			ep := endpoint{network: "tcp", v6: true, port: a.Port, zone: a.Zone, v6only: 1}
			if ip != nil && !ip.IsUnspecified() {
				ep.ip = ip.To16()
			}
			if network == "tcp" {
				ep.v6only = -1
			}
			return ep, nil
		}
	case "unix":
		a, err := net.ResolveUnixAddr(network, address)
		if err != nil {
			return endpoint{}, err
		}
		return endpoint{network: "unix", path: a.Name}, nil
	}
	return endpoint{}, net.UnknownNetworkError(network)
}

// resolveDial resolves Connect's Network and Address as net.Dial does. An empty or
// unspecified host means this machine's loopback address.
func resolveDial(network, address string) (endpoint, error) {
	switch network {
	case "tcp", "tcp4", "tcp6":
		a, err := net.ResolveTCPAddr(network, address)
		if err != nil {
			return endpoint{}, err
		}
		ip := a.IP
		if ip == nil || ip.IsUnspecified() {
			if network == "tcp6" || (ip != nil && ip.To4() == nil) {
				ip = net.IPv6loopback
			} else {
				ip = net.IPv4(127, 0, 0, 1)
			}
		}
		if ip4 := ip.To4(); ip4 != nil && network != "tcp6" {
			return endpoint{network: "tcp", ip: ip4, port: a.Port}, nil
		}
		if network == "tcp4" {
			return endpoint{}, &net.AddrError{Err: "no suitable address", Addr: address}
		}
		return endpoint{network: "tcp", v6: true, ip: ip.To16(), port: a.Port, zone: a.Zone}, nil
	case "unix":
		a, err := net.ResolveUnixAddr(network, address)
		if err != nil {
			return endpoint{}, err
		}
		if a.Name == "" {
			return endpoint{}, &net.AddrError{Err: "missing address", Addr: address}
		}
		return endpoint{network: "unix", path: a.Name}, nil
	}
	return endpoint{}, net.UnknownNetworkError(network)
}

// zoneIndex returns the interface index an IPv6 zone names, or 0.
func zoneIndex(zone string) uint32 {
	if zone == "" {
		return 0
	}
	if ifi, err := net.InterfaceByName(zone); err == nil {
		return uint32(ifi.Index)
	}
	if n, err := strconv.ParseUint(zone, 10, 32); err == nil {
		return uint32(n)
	}
	return 0
}

// zoneName returns the name of the interface with index i, or its number.
func zoneName(i uint32) string {
	if i == 0 {
		return ""
	}
	if ifi, err := net.InterfaceByIndex(int(i)); err == nil {
		return ifi.Name
	}
	return strconv.FormatUint(uint64(i), 10)
}

// tcpAddr builds the net.Addr of an IP socket address.
func tcpAddr(ip []byte, port int, zone uint32) *net.TCPAddr {
	return &net.TCPAddr{IP: append(net.IP(nil), ip...), Port: port, Zone: zoneName(zone)}
}
