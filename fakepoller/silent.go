package fakepoller

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// silentAddr is one entry of Options.Silent: a host, and a port or every port.
type silentAddr struct {
	ip        netip.Addr // unset for localhost
	localhost bool       // both loopback addresses
	port      int        // -1 for every port
}

// parseSilent parses Options.Silent, naming the first malformed entry.
func parseSilent(list []string) ([]silentAddr, error) {
	var out []silentAddr
	for _, entry := range list {
		a, err := parseSilentAddr(entry)
		if err != nil {
			return nil, fmt.Errorf("fakepoller: Silent address %q: %w", entry, err)
		}
		out = append(out, a)
	}
	return out, nil
}

func parseSilentAddr(entry string) (silentAddr, error) {
	if _, _, err := net.SplitHostPort(entry); err == nil {
		ip, localhost, port, err := splitHostPort(entry)
		if err != nil {
			return silentAddr{}, err
		}
		if !localhost && !ip.IsValid() {
			return silentAddr{}, fmt.Errorf("want an IP address or localhost before the port")
		}
		return silentAddr{ip: ip, localhost: localhost, port: port}, nil
	}
	host := strings.TrimSuffix(strings.TrimPrefix(entry, "["), "]")
	if host == "localhost" {
		return silentAddr{localhost: true, port: -1}, nil
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return silentAddr{}, fmt.Errorf("want host:port or a host alone, the host an IP address or localhost")
	}
	return silentAddr{ip: ip.Unmap(), port: -1}, nil
}

// silentAt reports whether a connection request to dst is lost: Options.Silent
// lists its address.
func (p *Poller) silentAt(dst endpoint) bool {
	if dst.unix {
		return false
	}
	for _, a := range p.silent {
		if a.port >= 0 && a.port != dst.port {
			continue
		}
		if a.localhost && dst.ip.IsLoopback() || !a.localhost && a.ip == dst.ip {
			return true
		}
	}
	return false
}
