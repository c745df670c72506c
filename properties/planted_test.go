package properties_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/properties"
)

// Programs with a planted bug each, which Test must find and shrink to its cause: the
// shrink benchmark and the tests of Test's report run them.

// planted names the programs with their bug.
var planted = []struct {
	name    string
	program func(*nodeloop.Loop)
	cause   string // what the shrunk case's message says
}{
	{"cache", cacheServer, "timed out"},
	{"timer-job", timerRacesJob, "index out of range"},
	{"reply-timeout", replyRacesTimeout, "taken for the reply to request 2"},
}

// cacheServer is a small cache server refreshed by a timer, with a client that times
// out. Every 10 ms the server empties its cache and reloads it with a pool job; a
// request that finds the cache empty waits for the reload. The client sends a request
// at 5 ms and one at 10 ms, and gives up on each after 2 ms. The planted bug: a
// request that arrives during a reload slower than the client's patience times out.
func cacheServer(l *nodeloop.Loop) {
	const (
		refreshEvery = 10 * time.Millisecond
		patience     = 2 * time.Millisecond
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
		var serve func()
		serve = func() {
			c.Read(func(b []byte, err error) {
				if err != nil {
					c.Close(nil)
					return
				}
				reply := func(v string) { c.Write([]byte(v+";"), func(int, error) {}) }
				if cache == "" {
					waiting = append(waiting, reply)
				} else {
					reply(cache)
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
	var conn *nodeloop.Conn
	done := func() {
		l.ClearTimeout(refresh)
		ln.Close(nil)
		if conn != nil {
			conn.Close(nil)
			conn = nil
		}
	}
	l.Dial("tcp", ln.Addr().String(), func(c *nodeloop.Conn, err error) {
		if err != nil {
			done() // a refused connection is not the bug looked for
			return
		}
		conn = c
		replies := 0
		var read func()
		read = func() {
			c.Read(func(b []byte, err error) {
				if err != nil {
					return
				}
				replies += strings.Count(string(b), ";")
				read()
			})
		}
		read()
		for i, at := range []time.Duration{5 * time.Millisecond, 10 * time.Millisecond} {
			l.SetTimeout(at, func() {
				if conn == nil {
					return
				}
				conn.Write([]byte("get"), func(int, error) {})
				l.SetTimeout(patience, func() {
					if conn == nil {
						return
					}
					if replies <= i {
						properties.Errorf(l, "request %d timed out: no reply within %v", i+1, patience)
					}
					if i == 1 {
						done()
					}
				})
			})
		}
	})
}

// timerRacesJob starts a pool job that computes a table and a 3 ms timer that reads
// it. The planted bug: the timer assumes the job is done by then, and a job slower
// than 3 ms leaves it an empty table.
func timerRacesJob(l *nodeloop.Loop) {
	var table []int
	nodeloop.Work(l, func() ([]int, error) { return []int{1, 2, 3}, nil }, func(v []int, err error) {
		if err == nil {
			table = v
		}
	})
	l.SetTimeout(3*time.Millisecond, func() {
		l.Log(fmt.Sprintf("first entry: %d", firstEntry(table)))
	})
}

// firstEntry is where the timer of timerRacesJob fails.
func firstEntry(table []int) int { return table[0] }

// replyRacesTimeout is a client that retries a request on a connection when its
// reply is late, and takes the next reply for the retry's. The server answers each
// request with its number. The planted bug: when the first reply arrives after the
// 2 ms timeout, the client reads it as the reply to the retry.
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
	l.Dial("tcp", ln.Addr().String(), func(c *nodeloop.Conn, err error) {
		ln.Close(nil)
		if err != nil {
			return
		}
		request := 1
		c.Write([]byte("request 1;"), func(int, error) {})
		retry := l.SetTimeout(2*time.Millisecond, func() {
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
