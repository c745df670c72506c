package properties_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/properties"
	"github.com/nodeloop/nodeloop/sim"
)

// Programs with a planted bug each, which Test must find and shrink to its cause: the
// shrink benchmark and the tests of Test's report run them.

// planted names the programs with their bug.
var planted = []struct {
	name    string
	program func(*nodeloop.Loop)
	cause   string // what the shrunk case's message says
	opts    []properties.TestOption
}{
	// On a calm world (no faults, no callback cost) only the workload and the pool
	// decide, and the failure shrinks to the planted bug; under Test's defaults it
	// also shrinks to a client that times out because callbacks took long.
	{"cache", cacheServer, "timed out", []properties.TestOption{slowReload, properties.WithoutFaults(), properties.WithCost(sim.Range{})}},
	{"cache-defaults", cacheServer, "timed out", []properties.TestOption{slowReload}},
	{"timer-job", timerRacesJob, "index out of range", nil},
	{"reply-timeout", replyRacesTimeout, "taken for the reply to request 2", nil},
}

// slowReload lets a pool job, cacheServer's reload, take up to 10 ms.
var slowReload = properties.WithJobTime(sim.Range{Min: 100 * time.Microsecond, Max: 10 * time.Millisecond})

// cacheServer is a small cache server refreshed by a timer, with a client that times
// out. Every 5 ms the server empties its cache and reloads it with a pool job (which
// takes up to 10 ms under slowReload); a request that finds the cache empty waits
// for the reload. The client draws how many requests it sends (up to 3) and when (up
// to 30 ms), and gives up on each after 5 ms, more than a round trip's latency. The
// planted bug: a request that arrives during a reload slower than the client's
// patience times out.
func cacheServer(l *nodeloop.Loop) {
	const (
		refreshEvery = 10 * time.Millisecond
		patience     = 5 * time.Millisecond
	)
	cache := "v0"
	var waiting []func(string)
	refresh := l.SetInterval(refreshEvery, func() {
		cache = ""
		nodeloop.Work(l, func() (string, error) { return "v1", nil }, func(v string, err error) {
			if err != nil {
				v = "stale" // an injected failure: serve something rather than nothing
			}
			cache = v
			for _, reply := range waiting {
				reply(v)
			}
			waiting = nil
		})
	})
	ln, err := l.Listen("tcp", "127.0.0.1:0", func(c *nodeloop.Conn, err error) {
		if err != nil {
			return
		}
		open := true
		var serve func()
		serve = func() {
			c.Read(func(b []byte, err error) {
				if err != nil {
					open = false
					c.Close(nil)
					return
				}
				for range strings.Count(string(b), ";") {
					reply := func(v string) {
						if open { // a reply that waited for the reload may find the client gone
							c.Write([]byte(v+";"), func(int, error) {})
						}
					}
					if cache == "" {
						waiting = append(waiting, reply)
					} else {
						reply(cache)
					}
				}
				serve()
			})
		}
		serve()
	})
	if err != nil {
		properties.Errorf(l, "listen: %v", err)
		l.ClearTimeout(refresh)
		return
	}
	requests := sim.Choose(l, "requests", 4)
	at := make([]time.Duration, requests)
	for i := range at {
		at[i] = sim.Duration(l, "request at", 0, 30*time.Millisecond)
	}
	var conn *nodeloop.Conn
	closed := false
	done := func() {
		if closed {
			return
		}
		closed = true
		l.ClearTimeout(refresh)
		ln.Close(nil)
		if conn != nil {
			conn.Close(nil)
			conn = nil
		}
	}
	if requests == 0 {
		done()
		return
	}
	l.Dial("tcp", ln.Addr().String(), func(c *nodeloop.Conn, err error) {
		if err != nil {
			done() // a refused connection is not the bug looked for
			return
		}
		conn = c
		sent, answered, finished := 0, 0, 0
		var read func()
		read = func() {
			c.Read(func(b []byte, err error) {
				if err != nil {
					done()
					return
				}
				answered += strings.Count(string(b), ";")
				read()
			})
		}
		read()
		for _, at := range at {
			l.SetTimeout(at, func() {
				if conn == nil {
					return
				}
				id := sent // replies come in the order of the requests
				sent++
				conn.Write([]byte("get;"), func(int, error) {})
				l.SetTimeout(patience, func() {
					if conn == nil {
						return
					}
					if answered <= id {
						properties.Errorf(l, "request %d (at %v) timed out: no reply within %v", id+1, at, patience)
					}
					if finished++; finished == requests {
						done()
					}
				})
			})
		}
	})
}

// timerRacesJob starts a pool job that computes a table and a timer, of a delay it
// draws (1 to 10 ms), that reads it. The planted bug: the timer assumes the job is
// done by then, and a job slower than the timer leaves it an empty table.
func timerRacesJob(l *nodeloop.Loop) {
	var table []int
	nodeloop.Work(l, func() ([]int, error) { return []int{1, 2, 3}, nil }, func(v []int, err error) {
		if err == nil {
			table = v
		}
	})
	l.SetTimeout(sim.Duration(l, "timer delay", time.Millisecond, 10*time.Millisecond), func() {
		l.Log(fmt.Sprintf("first entry: %d", firstEntry(table)))
	})
}

// firstEntry is where the timer of timerRacesJob fails.
func firstEntry(table []int) int { return table[0] }

// replyRacesTimeout is a client that retries a request on a connection when its
// reply is late, and takes the next reply for the retry's. The server computes each
// reply for a time it draws (up to 3 ms) and answers with the request's number; the
// client draws its timeout (1 to 5 ms). The planted bug: when the first reply
// arrives after the timeout, the client reads it as the reply to the retry.
func replyRacesTimeout(l *nodeloop.Loop) {
	ln, err := l.Listen("tcp", "127.0.0.1:0", func(c *nodeloop.Conn, err error) {
		if err != nil {
			return
		}
		var serve func()
		serve = func() {
			c.Read(func(b []byte, err error) {
				if err != nil {
					c.Close(nil)
					return
				}
				sim.Busy(l, sim.Duration(l, "handler time", 0, 3*time.Millisecond))
				c.Write([]byte("reply to "+string(b)), func(int, error) {})
				serve()
			})
		}
		serve()
	})
	if err != nil {
		properties.Errorf(l, "listen: %v", err)
		return
	}
	timeout := sim.Duration(l, "timeout", time.Millisecond, 5*time.Millisecond)
	l.Dial("tcp", ln.Addr().String(), func(c *nodeloop.Conn, err error) {
		ln.Close(nil)
		if err != nil {
			return
		}
		request := 1
		c.Write([]byte("request 1;"), func(int, error) {})
		retry := l.SetTimeout(timeout, func() {
			request = 2
			c.Write([]byte("request 2;"), func(int, error) {})
		})
		c.Read(func(b []byte, err error) {
			l.ClearTimeout(retry)
			c.Close(nil)
			if err != nil {
				return
			}
			first, _, _ := strings.Cut(string(b), ";")
			if request == 2 && first == "reply to request 1" {
				properties.Errorf(l, "%q taken for the reply to request 2", first)
			}
		})
	})
}
