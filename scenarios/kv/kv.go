package kv

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/nodeloop/nodeloop"
	"github.com/nodeloop/nodeloop/fakeclock"
	"github.com/nodeloop/nodeloop/sim"
)

// The client's workload and timing.
const (
	// DefaultSessions, DefaultOps and DefaultKeys are the workload of the zero
	// Options.
	DefaultSessions = 3
	DefaultOps      = 12
	DefaultKeys     = 3
	// thinkMax bounds the pause a session draws before each operation.
	thinkMax = 80 * time.Millisecond
	// attemptTimeout bounds one attempt of an operation: the dial and the answer.
	attemptTimeout = 200 * time.Millisecond
	// retryPause is the pause before the next attempt.
	retryPause = 50 * time.Millisecond
	// attemptsMax bounds the attempts of one operation; one that never succeeds
	// is left unanswered in the history.
	attemptsMax = 40
	// quietAfter is when the world's faults stop (sim.Liveness.After), after every
	// crash, partition and clog the partition and crash faults draw; doneWithin
	// bounds the time after it by which the client must be done.
	quietAfter = 5 * time.Second
	doneWithin = 60 * time.Second
)

// Options configure a store and its client; the zero Options are the correct
// store with the default workload.
type Options struct {
	// LostWrite plants the bug: the primary acknowledges a put, and lets gets see
	// it, before it is durable anywhere.
	LostWrite bool
	// Sessions is how many sessions the client runs at once, Ops how many
	// operations each makes and Keys how many keys they use; 0 means
	// DefaultSessions, DefaultOps and DefaultKeys.
	Sessions, Ops, Keys int

	_ struct{}
}

// Store is one run of the store and its client in a world: the hosts' programs
// and the history the client records.
type Store struct {
	opts Options
	hist []Op
	tick int64    // the order of the client's calls and returns
	next []int    // per session, the operations drawn so far
	fin  []bool   // per session, whether it made all its operations
	done int      // the sessions that made all their operations
	errs []string // what went wrong inside the store (a disk error, say)
}

// Op is one operation of the client's history.
type Op struct {
	// Session is the client session that made it.
	Session int
	// Put tells a put from a get.
	Put bool
	// Key is the key; Value is the put's value, or the value the get returned
	// ("" for none).
	Key, Value string
	// Call and Return order the operation's call and return among the client's
	// others; Return is 0 for an operation that never returned (a put that may or
	// may not have happened, a get that says nothing).
	Call, Return int64
	// CallAt and ReturnAt are the virtual times since the start of the world.
	CallAt, ReturnAt time.Duration
}

// String describes the operation on one line: the session, the call with its
// time, and the answer with its time, or that none came.
func (o Op) String() string {
	s := fmt.Sprintf("session %d: ", o.Session)
	if o.Put {
		s += fmt.Sprintf("put(%s, %s)", o.Key, o.Value)
	} else {
		s += fmt.Sprintf("get(%s)", o.Key)
	}
	s += fmt.Sprintf(" called at %v", o.CallAt)
	switch {
	case o.Return == 0:
		s += ", no answer"
	case o.Put:
		s += fmt.Sprintf(", ok at %v", o.ReturnAt)
	case o.Value == "":
		s += fmt.Sprintf(", none at %v", o.ReturnAt)
	default:
		s += fmt.Sprintf(", %s at %v", o.Value, o.ReturnAt)
	}
	return s
}

// New adds the store's hosts to w, db1, db2 and db3, each with an empty disk, and
// the client host, client, and puts w in liveness mode (sim.Liveness): the faults
// stop 5 s into the run, and the world ends as soon as the client has made every
// operation. The world then runs as w.Run runs it; Check judges the history.
func New(w *sim.World, opts Options) (*Store, error) {
	if opts.Sessions == 0 {
		opts.Sessions = DefaultSessions
	}
	if opts.Ops == 0 {
		opts.Ops = DefaultOps
	}
	if opts.Keys == 0 {
		opts.Keys = DefaultKeys
	}
	if opts.Sessions < 0 || opts.Ops < 0 || opts.Keys < 0 {
		return nil, fmt.Errorf("kv: want Sessions, Ops and Keys of 0 or more, got %d, %d, %d", opts.Sessions, opts.Ops, opts.Keys)
	}
	s := &Store{opts: opts}
	for _, name := range append([]string{primaryName}, backupNames...) {
		disk, err := sim.NewDisk(sim.DiskOptions{})
		if err != nil {
			return nil, err
		}
		if name == primaryName {
			w.HostWith(name, s.runPrimary, sim.HostOptions{Disk: disk})
			continue
		}
		w.HostWith(name, func(l *nodeloop.Loop) { s.runBackup(l, name) }, sim.HostOptions{Disk: disk})
	}
	w.Host(clientName, s.runClient)
	w.SetLiveness(sim.Liveness{After: quietAfter, Within: doneWithin, Done: s.finished})
	return s, nil
}

// finished reports whether every session made all its operations.
func (s *Store) finished() bool { return s.done == s.opts.Sessions }

func (s *Store) errorf(format string, args ...any) {
	s.errs = append(s.errs, fmt.Sprintf(format, args...))
}

// History returns the client's operations, in the order they were called.
func (s *Store) History() []Op { return s.hist }

// runClient is the client's program. Its first run in a world, at the start (or
// after a crash before it ever ran), starts the history afresh (a world may run
// twice: again from its choice log, to say where a stuck host's handles were
// made); a run after a crash goes on with the operations left, the ones the crash
// cut short staying unanswered.
func (s *Store) runClient(l *nodeloop.Loop) {
	if s.next == nil || !l.Now().After(fakeclock.Epoch) {
		s.hist, s.tick, s.done, s.errs = nil, 0, 0, nil
		s.next, s.fin = make([]int, s.opts.Sessions), make([]bool, s.opts.Sessions)
	}
	for i := range s.opts.Sessions {
		ss := &session{s: s, l: l, id: i}
		ss.think()
	}
}

// session is one client session during one run of the client's program.
type session struct {
	s       *Store
	l       *nodeloop.Loop
	id      int
	lc      *lineConn
	op      int    // the index in the history of the operation under way
	req     string // its request line
	reqID   string
	attempt int
	timer   *nodeloop.Timer
}

func (ss *session) think() {
	s := ss.s
	if s.next[ss.id] >= s.opts.Ops {
		if !s.fin[ss.id] {
			s.fin[ss.id] = true
			s.done++
		}
		if ss.lc != nil {
			ss.lc.close()
		}
		return
	}
	ss.l.SetTimeout(sim.Duration(ss.l, "kv.think", 0, thinkMax), ss.start)
}

// start draws the next operation and makes its first attempt.
func (ss *session) start() {
	s := ss.s
	n := s.next[ss.id]
	s.next[ss.id]++
	put := sim.Choose(ss.l, "kv.put", 2) == 1
	key := "k" + strconv.Itoa(sim.Choose(ss.l, "kv.key", s.opts.Keys))
	ss.reqID = "c" + strconv.Itoa(ss.id) + "." + strconv.Itoa(n)
	op := Op{Session: ss.id, Put: put, Key: key}
	if put {
		op.Value = "v" + strconv.Itoa(ss.id) + "." + strconv.Itoa(n)
		ss.req = "put " + ss.reqID + " " + key + " " + op.Value + "\n"
	} else {
		ss.req = "get " + ss.reqID + " " + key + "\n"
	}
	s.tick++
	op.Call, op.CallAt = s.tick, ss.l.Now().Sub(fakeclock.Epoch)
	s.hist = append(s.hist, op)
	ss.op = len(s.hist) - 1
	ss.attempt = 0
	ss.try()
}

// try makes one attempt of the operation under way: on the session's connection,
// dialled anew when it has none.
func (ss *session) try() {
	ss.attempt++
	ss.timer = ss.l.SetTimeout(attemptTimeout, func() {
		ss.timer = nil
		ss.retry()
	})
	if ss.lc != nil {
		ss.lc.send(ss.req)
		return
	}
	attempt := ss.attempt
	ss.l.DialTimeout("tcp", primaryName+":"+clientPort, attemptTimeout, func(c *nodeloop.Conn, err error) {
		if err != nil || attempt != ss.attempt || ss.timer == nil {
			if c != nil {
				c.Close(nil)
			}
			return // the attempt's timer retries
		}
		ss.lc = newLineConn(c, ss.answer, func(lc *lineConn) {
			if ss.lc == lc {
				ss.lc = nil
			}
		})
		ss.lc.send(ss.req)
	})
}

// retry gives the attempt up, on a new connection after a pause, or the
// operation, unanswered, after attemptsMax attempts.
func (ss *session) retry() {
	if ss.lc != nil {
		ss.lc.close()
		ss.lc = nil
	}
	if ss.attempt >= attemptsMax {
		ss.think()
		return
	}
	ss.l.SetTimeout(retryPause, ss.try)
}

// answer takes the primary's answer to the operation under way.
func (ss *session) answer(_ *lineConn, f []string) {
	if len(f) < 2 || f[1] != ss.reqID || ss.timer == nil {
		return // the answer to an attempt given up
	}
	op := &ss.s.hist[ss.op]
	switch {
	case f[0] == "ok" && op.Put:
	case f[0] == "val" && len(f) == 3 && !op.Put:
		if f[2] != "-" {
			op.Value = f[2]
		}
	default:
		return
	}
	ss.l.ClearTimeout(ss.timer)
	ss.timer = nil
	ss.s.tick++
	op.Return, op.ReturnAt = ss.s.tick, ss.l.Now().Sub(fakeclock.Epoch)
	ss.think()
}

// The model of the store for porcupine: a register per key.
type kvInput struct {
	put      bool
	key, val string
}

var model = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[string][]porcupine.Operation{}
		var keys []string
		for _, op := range history {
			k := op.Input.(kvInput).key
			if _, ok := byKey[k]; !ok {
				keys = append(keys, k)
			}
			byKey[k] = append(byKey[k], op)
		}
		out := make([][]porcupine.Operation, len(keys))
		for i, k := range keys {
			out[i] = byKey[k]
		}
		return out
	},
	Init: func() any { return "" },
	Step: func(state, input, output any) (bool, any) {
		in := input.(kvInput)
		if in.put {
			return true, in.val
		}
		return output.(string) == state.(string), state
	},
	Equal: func(a, b any) bool { return a == b },
	DescribeOperation: func(input, output any) string {
		in := input.(kvInput)
		if in.put {
			return fmt.Sprintf("put(%s, %s)", in.key, in.val)
		}
		return fmt.Sprintf("get(%s) -> %q", in.key, output)
	},
}

// Check judges the history of the run that ended: nil when it is linearizable
// (and nothing went wrong inside the store), else an error that says which key's
// history is not, with its operations.
func (s *Store) Check() error {
	if len(s.errs) > 0 {
		return fmt.Errorf("kv: %s", strings.Join(s.errs, "; "))
	}
	var ops []porcupine.Operation
	end := s.tick + 1
	for _, o := range s.hist {
		if o.Return == 0 && !o.Put {
			continue // a get that never returned says nothing
		}
		ret := o.Return
		if ret == 0 {
			ret = end // a put that may have happened at any time after its call
		}
		ops = append(ops, porcupine.Operation{ClientId: o.Session, Input: kvInput{o.Put, o.Key, o.Value}, Call: o.Call, Output: o.Value, Return: ret})
	}
	if porcupine.CheckOperations(model, ops) {
		return nil
	}
	// Find the first key whose history fails, to show it.
	for _, part := range model.Partition(ops) {
		if porcupine.CheckOperations(model, part) {
			continue
		}
		key := part[0].Input.(kvInput).key
		var lines []string
		for _, o := range s.hist {
			if o.Key == key && (o.Put || o.Return != 0) {
				lines = append(lines, "  "+o.String())
			}
		}
		return fmt.Errorf("kv: the history of key %s is not linearizable:\n%s", key, strings.Join(lines, "\n"))
	}
	return fmt.Errorf("kv: the history is not linearizable")
}

// Verdict is one line on the history of the run that ended, for a person: how many
// operations, how many answered, and whether it is linearizable (Check has the
// operations of a key that is not).
func (s *Store) Verdict() string {
	answered := 0
	for _, o := range s.hist {
		if o.Return != 0 {
			answered++
		}
	}
	v := "linearizable"
	if err := s.Check(); err != nil {
		v, _, _ = strings.Cut(err.Error(), "\n")
		v = strings.TrimPrefix(strings.TrimSuffix(v, ":"), "kv: ")
	}
	return fmt.Sprintf("history: %d operations, %d answered: %s", len(s.hist), answered, v)
}
