package fakepoller_test

import (
	"errors"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/poller"
)

// settle runs the network to quiescence, as a world driver would between steps.
func settle(clock *fakeclock.Clock, n *fakepoller.Network) {
	for {
		n.RunDue()
		at, ok := n.Next()
		if !ok {
			return
		}
		clock.Set(at)
	}
}

// A host dials another by name and reaches its listener, the addresses being the
// hosts'; each host's loopback reaches only its own listeners; each host's Poller
// returns only its own host's operations.
func TestNetworkOfHosts(t *testing.T) {
	clock := fakeclock.New()
	n, err := fakepoller.NewNetwork(clock, fakepoller.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := n.AddHost("db1")
	if err != nil {
		t.Fatal(err)
	}
	cli, err := n.AddHost("app")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.AddHost("db1"); err == nil {
		t.Fatal("a second host db1 was added")
	}
	ln, addr, err := srv.Listen("tcp", ":5432")
	if err != nil || addr.String() != "[::]:5432" {
		t.Fatalf("Listen = %v, %v", addr, err)
	}
	// The client host can bind the same port: ports are per host.
	if _, _, err := cli.Listen("tcp", ":5432"); err != nil {
		t.Fatalf("the second host's Listen on the same port: %v", err)
	}
	if _, _, err := cli.Listen("tcp", "db1:6000"); !errors.Is(err, syscall.EADDRNOTAVAIL) {
		t.Fatalf("Listen on another host's address = %v, want EADDRNOTAVAIL", err)
	}

	accept := &poller.Op{Kind: poller.Accept, Socket: ln}
	dial := &poller.Op{Kind: poller.Connect, Network: "tcp", Address: "db1:5432"}
	if err := srv.Start(accept); err != nil {
		t.Fatal(err)
	}
	if err := cli.Start(dial); err != nil {
		t.Fatal(err)
	}
	settle(clock, n)
	if !srv.Ready() || !cli.Ready() {
		t.Fatalf("ready: server %v, client %v; want both", srv.Ready(), cli.Ready())
	}
	got, _ := srv.Wait(nil, -1)
	if len(got) != 1 || got[0] != accept || accept.Err != nil {
		t.Fatalf("the server's Wait returned %v (%v), want its accept", got, accept.Err)
	}
	got, _ = cli.Wait(nil, -1)
	if len(got) != 1 || got[0] != dial || dial.Err != nil {
		t.Fatalf("the client's Wait returned %v (%v), want its connect", got, dial.Err)
	}
	if a, b := accept.Remote.String(), dial.Local.String(); a != b || a[:9] != "10.0.0.2:" {
		t.Fatalf("the server sees %s, the client is at %s; want the client host's 10.0.0.2", a, b)
	}
	if dial.Remote.String() != "10.0.0.1:5432" {
		t.Fatalf("the client reached %s, want 10.0.0.1:5432", dial.Remote)
	}
	if name, ok := n.HostAt(netip.MustParseAddr("10.0.0.2")); !ok || name != "app" {
		t.Fatalf("HostAt(10.0.0.2) = %q, %v; want app", name, ok)
	}

	// db1's loopback is not app's: a dial of localhost:5432 from app reaches app's
	// own listener, and localhost:7000 nothing at all.
	for _, tc := range []struct {
		addr string
		err  error
	}{{"localhost:5432", nil}, {"localhost:7000", syscall.ECONNREFUSED}, {"10.0.0.9:5432", syscall.ECONNREFUSED}} {
		op := &poller.Op{Kind: poller.Connect, Network: "tcp", Address: tc.addr}
		if err := cli.Start(op); err != nil {
			t.Fatal(err)
		}
		settle(clock, n)
		if srv.Ready() {
			t.Fatalf("%s from app made db1 ready", tc.addr)
		}
		cli.Wait(nil, -1)
		if (tc.err == nil) != (op.Err == nil) || tc.err != nil && !errors.Is(op.Err, tc.err) {
			t.Fatalf("dial %s from app: %v, want %v", tc.addr, op.Err, tc.err)
		}
	}

	// A Poller of its own still resolves no names.
	p := fakepoller.New(fakeclock.New())
	if err := p.Start(&poller.Op{Kind: poller.Connect, Network: "tcp", Address: "db1:5432"}); err == nil {
		t.Fatal("a single Poller resolved a host name")
	}
}

// Crash, Restart, Cut, Heal and Clog refuse what makes no sense, naming it.
func TestNetworkFaultsRefuse(t *testing.T) {
	n, err := fakepoller.NewNetwork(fakeclock.New(), fakepoller.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a", "b"} {
		if _, err := n.AddHost(name); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := n.Restart("a"); err == nil {
		t.Fatalf("Restart of a host that is up: no error")
	}
	if err := n.Crash("a"); err != nil || !n.Down("a") {
		t.Fatalf("Crash(a) = %v, Down %v; want nil, true", err, n.Down("a"))
	}
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"Crash of a host down", n.Crash("a")},
		{"Crash of no host", n.Crash("zz")},
		{"Cut from itself", n.Cut("b", "b")},
		{"Cut to no host", n.Cut("b", "zz")},
		{"Heal from no host", n.Heal("zz", "b")},
		{"Clog by a negative latency", n.Clog("a", "b", -time.Second)},
		{"SetCutTimeout negative", n.SetCutTimeout(-time.Second)},
	} {
		if tc.err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	if _, err := n.Restart("a"); err != nil || n.Down("a") {
		t.Fatalf("Restart(a) = %v, Down %v; want nil, false", err, n.Down("a"))
	}
}
