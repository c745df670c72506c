package fakepoller_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/fakepoller"
	"github.com/nodeloop/nodeloop/poller"
)

// OnArrive is told of each message between two hosts when it arrives: a link cut
// while data is on its way holds it, and it is told at the heal with the time it
// was sent; one held past the cut timeout is never told, and a host's messages to
// itself are not told.
func TestNetworkOnArrive(t *testing.T) {
	clock := fakeclock.New()
	n, err := fakepoller.NewNetwork(clock, fakepoller.Options{MinLatency: time.Millisecond, MaxLatency: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := n.AddHost("db1")
	cli, _ := n.AddHost("app")
	var told []string
	n.OnArrive(func(m fakepoller.Message) {
		told = append(told, fmt.Sprintf("%d %s>%s %s %d sent %v at %v", m.ID, m.From, m.To, m.Segment, m.Bytes,
			m.Sent.Sub(fakeclock.Epoch), clock.Now().Sub(fakeclock.Epoch)))
	})
	ln, _, err := srv.Listen("tcp", ":5432")
	if err != nil {
		t.Fatal(err)
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
	cli.Wait(nil, 0)
	srv.Wait(nil, 0)
	if err := n.Cut("app", "db1"); err != nil {
		t.Fatal(err)
	}
	write := &poller.Op{Kind: poller.Write, Socket: dial.Conn, Buf: []byte("hello")}
	if err := cli.Start(write); err != nil {
		t.Fatal(err)
	}
	// Up to 10 ms: the data arrives at the cut link, which holds it.
	until := fakeclock.Epoch.Add(10 * time.Millisecond)
	for at, ok := n.Next(); ok && !at.After(until); at, ok = n.Next() {
		clock.Set(at)
		n.RunDue()
	}
	clock.Set(until)
	if err := n.Heal("app", "db1"); err != nil {
		t.Fatal(err)
	}
	settle(clock, n)
	// The server's own loopback is not between hosts.
	self := &poller.Op{Kind: poller.Connect, Network: "tcp", Address: "localhost:5432"}
	srv.Start(self)
	settle(clock, n)

	// Cut again past the cut timeout: the data held is never delivered, nor told.
	n.Cut("app", "db1")
	cli.Wait(nil, 0)
	again := &poller.Op{Kind: poller.Write, Socket: dial.Conn, Buf: []byte("lost")}
	if err := cli.Start(again); err != nil {
		t.Fatal(err)
	}
	settle(clock, n)

	want := []string{
		"1 app>db1 connect 0 sent 0s at 1ms",
		"2 db1>app accept 0 sent 1ms at 2ms",
		"3 app>db1 data 5 sent 2ms at 10ms",
	}
	if fmt.Sprint(told) != fmt.Sprint(want) {
		t.Fatalf("told\n  %q\nwant\n  %q", told, want)
	}
}
