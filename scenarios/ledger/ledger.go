// Package ledger is a simulated world whose server is a JavaScript program: the
// ledger service of examples/world/ledger.js, an append-only log that answers
// "ok ID" once an entry is written and fsynced, on one host, and Go clients on
// others that append entries and record each one the server acknowledged. The
// rule it checks is the one a durable store promises: every acknowledged entry
// survives, whatever crashes the server host, its disk losing what was not synced
// or failing an operation, and however the network between the hosts is cut. Run
// it under crash, partition and disk faults over many seeds; a server that acknowledges before its fsync
// (the script's planted bug, LEDGER_BUG=ack-before-fsync) loses an acknowledged
// entry on some of them, and the seed replays the loss.
//
// The server runs through js.Program, so everything it does, its sockets, its
// disk, its random numbers and its clock, is the world's: the same seed gives the
// same world, byte for byte.
package ledger

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/js"
	"github.com/nodeloop/nodeloop/sim"
)

// Port is where the ledger listens on its host, named Server.
const Port = 7000

// Server is the name of the ledger's host; the clients are "client1",
// "client2", and so on.
const Server = "server"

// LogFile is the ledger's log on the server host's disk: /data/ledger.log in the
// script, data/ledger.log on the disk (js.FSName).
const LogFile = "data/ledger.log"

// Options configure a ledger world. The zero value but for Script is two clients
// of ten entries each, the correct server, no output.
type Options struct {
	// Script is the path of the ledger's script, examples/world/ledger.js.
	Script string
	// Bug runs the script with its planted bug: it acknowledges an entry before
	// the entry is durable (LEDGER_BUG=ack-before-fsync).
	Bug bool
	// Clients is how many client hosts append entries; 0 means 2.
	Clients int
	// Entries is how many entries each client appends, one after the other; 0
	// means 10.
	Entries int
	// Stdout, if not nil, receives the server's console output, each line
	// prefixed by "server: ".
	Stdout io.Writer

	_ struct{}
}

// Liveness is the ledger world's liveness mode: its faults stop after FaultsFor,
// and the clients must then have every entry acknowledged within Within.
const (
	FaultsFor = 3 * time.Second
	Within    = 20 * time.Second
)

// retryAfter is how long a client waits before it dials again after a failure,
// and requestTimeout how long it waits for an answer before it gives the
// connection up.
const (
	retryAfter     = 50 * time.Millisecond
	requestTimeout = 2 * time.Second
)

// LostError is a ledger world's failure of its rule: entries the server
// acknowledged that its disk does not hold once the world ends and the server
// host loses power.
type LostError struct {
	Seed uint64
	// Lost are the acknowledged entries missing from the log, in the order they
	// were acknowledged.
	Lost []string
	// Acked is how many entries were acknowledged in all.
	Acked int
}

func (e *LostError) Error() string {
	return fmt.Sprintf("seed %d: the ledger lost %d of %d acknowledged entries: %s", e.Seed, len(e.Lost), e.Acked, strings.Join(e.Lost, ", "))
}

// Result is what one ledger world did.
type Result struct {
	// World is the world's result.
	World *sim.WorldResult
	// Acked are the acknowledgements the clients saw, in order.
	Acked []Ack
	// lastAck is the virtual time of the latest acknowledgement: a client that
	// starts before it is in a new run of the world (the one World.Run makes of a
	// world that did not end OK, to find where its handles were made), which
	// starts the history again.
	lastAck time.Time
	// Durable are the entries the server's log holds after a power cut at the
	// end, in the log's order: the disk's calm crash, which loses every write
	// not synced.
	Durable []string
}

// Ack is one acknowledgement a client saw: the entry, and when, in virtual time
// since the start.
type Ack struct {
	ID string
	At time.Duration
}

// Run runs one ledger world configured by cfg (its Seed, Faults, Swarm, Trace and
// the rest, as sim.NewWorld takes them) and opts, in liveness mode (FaultsFor,
// Within), and checks that every acknowledged entry is in the server's log after
// a power cut at the end. It returns the result and nil; or the result and the
// world's *sim.RunError when the world did not end OK; or the result and a
// *LostError when an acknowledged entry was lost. An error with a nil result is
// a configuration that makes no sense: a script that cannot be read, say.
func Run(cfg sim.Config, opts Options) (*Result, error) {
	w := sim.NewWorld(cfg)
	g, err := New(w, opts)
	if err != nil {
		return nil, err
	}
	res, runErr := w.Run()
	if res == nil {
		return nil, runErr
	}
	lostErr := g.Check(res)
	var lost *LostError
	if lostErr != nil && !errors.As(lostErr, &lost) {
		return g.Result(), lostErr // the disk could not be read
	}
	if runErr != nil {
		return g.Result(), runErr
	}
	return g.Result(), lostErr
}

// Ledger is a ledger world: its server and clients, added to a sim.World by New,
// and the clients' acknowledgements, which Check judges once the world has run.
type Ledger struct {
	out *Result
}

// New adds a ledger to w, as opts say: the server host running the script and the
// client hosts, and w's liveness mode (FaultsFor, Within, the clients done). Run
// w, then give its result to Check. It returns an error for options that make no
// sense: a script that cannot be read, say.
func New(w *sim.World, opts Options) (*Ledger, error) {
	if opts.Clients <= 0 {
		opts.Clients = 2
	}
	if opts.Entries <= 0 {
		opts.Entries = 10
	}
	jcfg := js.Config{Env: []string{fmt.Sprintf("PORT=%d", Port)}}
	if opts.Bug {
		jcfg.Env = append(jcfg.Env, "LEDGER_BUG=ack-before-fsync")
	}
	if opts.Stdout != nil {
		jcfg.Stdout = js.Prefix(opts.Stdout, Server+": ")
		jcfg.Stderr = jcfg.Stdout
	}
	prog, err := js.Program(opts.Script, jcfg)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	disk, err := serverDisk()
	if err != nil {
		return nil, err
	}
	out := &Result{}
	w.HostWith(Server, prog, sim.HostOptions{Disk: disk})
	clients := make([]*client, opts.Clients)
	for i := range clients {
		c := &client{name: fmt.Sprintf("client%d", i+1), entries: opts.Entries, out: out}
		clients[i] = c
		w.Host(c.name, c.program)
	}
	w.SetLiveness(sim.Liveness{After: FaultsFor, Within: Within, Done: func() bool {
		for _, c := range clients {
			if c.next < c.entries {
				return false
			}
		}
		return true
	}})
	return &Ledger{out: out}, nil
}

// Check judges res, the result of the world New built: nil when every entry the
// clients saw acknowledged is in the server's log after a power cut at the end
// (the disk's calm crash, which loses every write not synced), a *LostError
// when one is not, another error when the log cannot be read.
func (g *Ledger) Check(res *sim.WorldResult) error {
	out := g.out
	out.World = res
	var err error
	if out.Durable, err = durable(res.Hosts[0].Disk); err != nil {
		return fmt.Errorf("ledger: seed %d: %w", res.Seed, err)
	}
	have := map[string]bool{}
	for _, id := range out.Durable {
		have[id] = true
	}
	var lost []string
	for _, a := range out.Acked {
		if !have[a.ID] {
			lost = append(lost, a.ID)
		}
	}
	if len(lost) > 0 {
		return &LostError{Seed: res.Seed, Lost: lost, Acked: len(out.Acked)}
	}
	return nil
}

// Verdict is one line on the world Check judged: how many entries were
// acknowledged and how many of them the log holds.
func (g *Ledger) Verdict() string {
	out := g.out
	have := map[string]bool{}
	for _, id := range out.Durable {
		have[id] = true
	}
	kept := 0
	for _, a := range out.Acked {
		if have[a.ID] {
			kept++
		}
	}
	return fmt.Sprintf("ledger: %d entries acknowledged, %d of them in the log after a power cut", len(out.Acked), kept)
}

// Result returns what the world did, as Check saw it.
func (g *Ledger) Result() *Result { return g.out }

// serverDisk is the server host's disk as the world starts: the directory data,
// durable, and nothing in it.
func serverDisk() (*sim.Disk, error) {
	d, err := sim.NewDisk(sim.DiskOptions{})
	if err != nil {
		return nil, err
	}
	for _, step := range []func() error{
		func() error { return d.Mkdir("data", 0o777) },
		func() error { return d.Sync("data") },
		func() error { return d.Sync(".") },
	} {
		if err := step(); err != nil {
			return nil, fmt.Errorf("ledger: the server's disk: %w", err)
		}
	}
	return d, nil
}

// durable reads the entries of the log on d after a power cut: every whole
// record, skipping torn ones, as the server's recovery reads them.
func durable(d *sim.Disk) ([]string, error) {
	if d == nil {
		return nil, errors.New("the server host has no disk")
	}
	b, err := d.Crash().ReadFile(LogFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, line := range bytes.Split(b, []byte("\n")) {
		var rec struct {
			ID *string `json:"id"`
		}
		if json.Unmarshal(line, &rec) == nil && rec.ID != nil {
			ids = append(ids, *rec.ID)
		}
	}
	return ids, nil
}

// client is a Go client host: it appends entries NAME-0, NAME-1, … one after the
// other, each again on a new connection until the server acknowledges it, and
// records each acknowledgement. A client that crashes starts again from its first
// entry, as a program that keeps no state of its own.
type client struct {
	name    string
	entries int
	next    int // the entry being appended; entries when all are acknowledged
	out     *Result
}

func (c *client) program(l *nodeloop.Loop) {
	if sim.Now(l).Before(c.out.lastAck) {
		c.out.Acked, c.out.lastAck = nil, time.Time{}
	}
	c.next = 0
	c.dial(l)
}

// dial connects to the server and appends the entries from c.next on; a failure
// closes the connection and dials again after retryAfter.
func (c *client) dial(l *nodeloop.Loop) {
	l.DialTimeout("tcp", fmt.Sprintf("%s:%d", Server, Port), requestTimeout, func(conn *nodeloop.Conn, err error) {
		if err != nil {
			l.SetTimeout(retryAfter, func() { c.dial(l) })
			return
		}
		var timer *nodeloop.Timer
		failed := func() {
			l.ClearTimeout(timer)
			if !conn.Closed() {
				conn.Close(nil)
				l.SetTimeout(retryAfter, func() { c.dial(l) })
			}
		}
		var pending []byte
		send := func() {
			if c.next == c.entries {
				l.ClearTimeout(timer)
				conn.Close(nil)
				return
			}
			l.ClearTimeout(timer)
			timer = l.SetTimeout(requestTimeout, failed)
			conn.Write(fmt.Appendf(nil, "append %s-%d\n", c.name, c.next), func(_ int, err error) {
				if err != nil {
					failed()
				}
			})
		}
		var read func()
		read = func() {
			conn.Read(func(b []byte, err error) {
				if err != nil {
					failed()
					return
				}
				pending = append(pending, b...)
				for {
					i := bytes.IndexByte(pending, '\n')
					if i < 0 {
						break
					}
					line := string(pending[:i])
					pending = pending[i+1:]
					want := fmt.Sprintf("ok %s-%d", c.name, c.next)
					if line != want {
						continue // an answer to a request given up on
					}
					c.out.lastAck = sim.Now(l)
					c.out.Acked = append(c.out.Acked, Ack{ID: line[len("ok "):], At: c.out.lastAck.Sub(fakeclock.Epoch)})
					c.next++
					send()
				}
				if !conn.Closed() {
					read()
				}
			})
		}
		read()
		send()
	})
}
