package kv

import (
	"bytes"
	"errors"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/nodeloop/nodeloop"
)

// The store's names, ports and files.
const (
	primaryName = "db1"
	clientName  = "client"
	clientPort  = "7000" // the primary's, for clients
	backupPort  = "7001" // each backup's, for the primary
	logFile     = "log"
	logTemp     = "log.tmp"
)

// backupNames are the backups, in the order the primary dials them.
var backupNames = []string{"db2", "db3"}

// The store's timing.
const (
	// groupCommit is how long the primary collects puts before it writes and
	// syncs them together.
	groupCommit = 5 * time.Millisecond
	// ackTimeout is how long the primary waits for a backup to answer (its hello,
	// or an acknowledgement of what it was sent) before it takes it for not live.
	ackTimeout = 100 * time.Millisecond
	// redialPause is how long the primary waits before dialling a backup that is
	// not live again.
	redialPause = 100 * time.Millisecond
	// recoveryWindow bounds how long a primary that starts waits for the backups'
	// logs before it serves.
	recoveryWindow = 100 * time.Millisecond
)

// entry is one put in a log.
type entry struct{ id, key, val string }

// encodeLog returns the lines of a log file holding es.
func encodeLog(es []entry) []byte {
	var b []byte
	for _, e := range es {
		b = append(b, e.id...)
		b = append(b, ' ')
		b = append(b, e.key...)
		b = append(b, ' ')
		b = append(b, e.val...)
		b = append(b, '\n')
	}
	return b
}

// parseLog returns the entries of a log file: its whole lines, up to the first
// that is not an entry (a line a crash tore, say).
func parseLog(b []byte) []entry {
	var es []entry
	for {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return es
		}
		f := strings.Fields(string(b[:i]))
		if len(f) != 3 {
			return es
		}
		es = append(es, entry{f[0], f[1], f[2]})
		b = b[i+1:]
	}
}

// recoverLog reads the host's log file and makes it hold exactly the entries it
// keeps, durably (a crash may have left a torn line, or no file at all), then
// calls done with them.
func recoverLog(l *nodeloop.Loop, fail func(error), done func([]entry)) {
	l.ReadFile(logFile, func(b []byte, err error) {
		missing := errors.Is(err, fs.ErrNotExist)
		if err != nil && !missing {
			fail(err)
			return
		}
		es := parseLog(b)
		if !missing && bytes.Equal(b, encodeLog(es)) {
			done(es)
			return
		}
		rewriteLog(l, es, fail, func() { done(es) })
	})
}

// rewriteLog replaces the log file by one holding es, atomically and durably: a
// new file, synced, renamed over the old one, and the directory synced.
func rewriteLog(l *nodeloop.Loop, es []entry, fail func(error), done func()) {
	step := func(next func()) func(error) {
		return func(err error) {
			if err != nil {
				fail(err)
				return
			}
			next()
		}
	}
	l.WriteFile(logTemp, encodeLog(es), step(func() {
		l.Fsync(logTemp, step(func() {
			l.Rename(logTemp, logFile, step(func() {
				l.Fsync(".", step(done))
			}))
		}))
	}))
}

// appendLog appends es to the log file and syncs it, then calls done.
func appendLog(l *nodeloop.Loop, es []entry, done func(error)) {
	l.AppendFile(logFile, encodeLog(es), func(err error) {
		if err != nil {
			done(err)
			return
		}
		l.Fsync(logFile, done)
	})
}

// lineConn is a connection that carries lines: it reads until the connection
// ends, passing each line to onLine, and calls onEnd once when it fails.
type lineConn struct {
	c      *nodeloop.Conn
	buf    []byte
	onLine func(lc *lineConn, fields []string)
	onEnd  func(lc *lineConn)
	dead   bool
}

func newLineConn(c *nodeloop.Conn, onLine func(*lineConn, []string), onEnd func(*lineConn)) *lineConn {
	lc := &lineConn{c: c, onLine: onLine, onEnd: onEnd}
	lc.read()
	return lc
}

func (lc *lineConn) read() {
	lc.c.Read(func(b []byte, err error) {
		if lc.dead {
			return
		}
		if err != nil {
			lc.fail()
			return
		}
		lc.buf = append(lc.buf, b...)
		for !lc.dead {
			i := bytes.IndexByte(lc.buf, '\n')
			if i < 0 {
				break
			}
			f := strings.Fields(string(lc.buf[:i]))
			lc.buf = lc.buf[i+1:]
			if len(f) > 0 {
				lc.onLine(lc, f)
			}
		}
		if !lc.dead {
			lc.read()
		}
	})
}

// send writes s; a connection that fails ends.
func (lc *lineConn) send(s string) {
	if lc.dead {
		return
	}
	lc.c.Write([]byte(s), func(_ int, err error) {
		if err != nil {
			lc.fail()
		}
	})
}

// close closes the connection without calling onEnd.
func (lc *lineConn) close() {
	if !lc.dead {
		lc.dead = true
		lc.c.Close(nil)
	}
}

func (lc *lineConn) fail() {
	if lc.dead {
		return
	}
	lc.close()
	lc.onEnd(lc)
}

// entryLine is the line that sends entry e at index i.
func entryLine(i int, e entry) string {
	return "ent " + strconv.Itoa(i) + " " + e.id + " " + e.key + " " + e.val + "\n"
}

// primary is the state of the primary during one run of its program.
type primary struct {
	s          *Store
	l          *nodeloop.Loop
	log        []entry
	ids        map[string]int // the index of each put's identifier in log
	synced     int            // the entries of log durable on the primary's disk
	committed  int            // the entries durable on the primary and every live backup
	flushing   bool
	flushTimer *nodeloop.Timer
	links      []*link
	recovering bool
	recovery   *nodeloop.Timer
	queued     []queuedRequest // requests that came during recovery
	waits      []waiter        // puts waiting to be committed
}

// queuedRequest is a request that came during the primary's recovery, on lc.
type queuedRequest struct {
	lc     *lineConn
	fields []string
}

// waiter is a put waiting to be committed, to be acknowledged on lc.
type waiter struct {
	idx int
	lc  *lineConn
	id  string
}

// Link states.
const (
	linkDown    = iota // not connected; a redial is due
	linkDialing        // dialling
	linkHello          // connected, reading the backup's log
	linkHeard          // its log read, during the primary's recovery
	linkUp             // live: sent entries, acknowledging them
)

// link is the primary's connection to one backup.
type link struct {
	p      *primary
	name   string
	lc     *lineConn
	state  int
	theirs []entry // the backup's log, as its hello said
	acked  int     // the entries the backup has durably
	sent   int     // the entries sent to it
	timer  *nodeloop.Timer
}

func (s *Store) runPrimary(l *nodeloop.Loop) {
	p := &primary{s: s, l: l, ids: map[string]int{}, recovering: true}
	_, err := l.Listen("tcp", ":"+clientPort, func(c *nodeloop.Conn, err error) {
		if err == nil {
			newLineConn(c, p.request, func(*lineConn) {})
		}
	})
	if err != nil {
		s.errorf("%s: listen: %v", primaryName, err)
		return
	}
	recoverLog(l, p.fail, func(es []entry) {
		// What the primary finds on its disk it may have committed before the
		// crash, with no backup live: it is committed from now on, whatever the
		// backups have.
		p.log, p.synced, p.committed = es, len(es), len(es)
		for i, e := range es {
			p.ids[e.id] = i
		}
		for _, name := range backupNames {
			k := &link{p: p, name: name}
			p.links = append(p.links, k)
			k.dial()
		}
		p.recovery = l.SetTimeout(recoveryWindow, p.recovered)
	})
}

func (p *primary) fail(err error) { p.s.errorf("%s: disk: %v", primaryName, err) }

// recovered ends the primary's recovery: it adopts the longest log a backup holds
// that extends its own, brings the backups it heard from up to date, and serves
// the requests that waited.
func (p *primary) recovered() {
	if !p.recovering {
		return
	}
	p.recovering = false
	p.l.ClearTimeout(p.recovery)
	var longest []entry
	for _, k := range p.links {
		if k.state == linkHeard && len(k.theirs) > len(p.log) && len(k.theirs) > len(longest) && extends(k.theirs, p.log) {
			longest = k.theirs
		}
	}
	if longest != nil {
		for _, e := range longest[len(p.log):] {
			p.add(e)
		}
	}
	for _, k := range p.links {
		if k.state == linkHeard {
			k.sync()
		}
	}
	p.commit()
	for _, q := range p.queued {
		p.request(q.lc, q.fields)
	}
	p.queued = nil
	p.scheduleFlush()
}

// extends reports whether log a begins with the entries of b.
func extends(a, b []entry) bool {
	if len(a) < len(b) {
		return false
	}
	for i := range b {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// add appends e to the log in memory.
func (p *primary) add(e entry) int {
	p.ids[e.id] = len(p.log)
	p.log = append(p.log, e)
	return len(p.log) - 1
}

// visible is how much of the log gets see.
func (p *primary) visible() int {
	if p.s.opts.LostWrite {
		return len(p.log) // the planted bug: what is only in memory
	}
	return p.committed
}

// request serves one request of a client.
func (p *primary) request(lc *lineConn, f []string) {
	if p.recovering {
		p.queued = append(p.queued, queuedRequest{lc, f})
		return
	}
	switch {
	case f[0] == "put" && len(f) == 4:
		id := f[1]
		idx, ok := p.ids[id]
		if !ok {
			idx = p.add(entry{id, f[2], f[3]})
			p.scheduleFlush()
		}
		if p.s.opts.LostWrite || idx < p.committed {
			lc.send("ok " + id + "\n") // the planted bug acknowledges here, at once
			return
		}
		p.waits = append(p.waits, waiter{idx, lc, id})
	case f[0] == "get" && len(f) == 3:
		val := "-"
		for i := p.visible() - 1; i >= 0; i-- {
			if p.log[i].key == f[2] {
				val = p.log[i].val
				break
			}
		}
		lc.send("val " + f[1] + " " + val + "\n")
	default:
		lc.close()
	}
}

// scheduleFlush starts a group commit, if there is something to write and none is
// under way.
func (p *primary) scheduleFlush() {
	if p.flushTimer == nil && !p.flushing && p.synced < len(p.log) {
		p.flushTimer = p.l.SetTimeout(groupCommit, p.flush)
	}
}

// flush writes and syncs the entries not yet durable, then sends them to the
// backups.
func (p *primary) flush() {
	p.flushTimer = nil
	if p.flushing || p.synced == len(p.log) {
		return
	}
	p.flushing = true
	end := len(p.log)
	appendLog(p.l, p.log[p.synced:end], func(err error) {
		p.flushing = false
		if err != nil {
			p.fail(err)
			return
		}
		p.synced = end
		for _, k := range p.links {
			k.push()
		}
		p.commit()
		p.scheduleFlush()
	})
}

// commit moves the committed index to what the primary and every live backup have
// durably, and acknowledges the puts it commits.
func (p *primary) commit() {
	c := p.synced
	for _, k := range p.links {
		if k.state == linkUp {
			c = min(c, k.acked)
		}
	}
	if c <= p.committed {
		return
	}
	p.committed = c
	rest := p.waits[:0]
	for _, w := range p.waits {
		if w.idx < c {
			w.lc.send("ok " + w.id + "\n")
		} else {
			rest = append(rest, w)
		}
	}
	p.waits = rest
}

// dial connects to the backup.
func (k *link) dial() {
	k.timer = nil
	k.state = linkDialing
	k.p.l.DialTimeout("tcp", k.name+":"+backupPort, ackTimeout, func(c *nodeloop.Conn, err error) {
		if err != nil {
			k.down()
			return
		}
		k.state, k.theirs = linkHello, nil
		k.lc = newLineConn(c, k.line, func(*lineConn) { k.down() })
		k.timer = k.p.l.SetTimeout(ackTimeout, k.down)
	})
}

// down takes the backup for not live: its connection closed, a redial due.
func (k *link) down() {
	if k.lc != nil {
		k.lc.close()
		k.lc = nil
	}
	if k.timer != nil {
		k.p.l.ClearTimeout(k.timer)
	}
	wasUp := k.state == linkUp
	k.state, k.theirs = linkDown, nil
	k.timer = k.p.l.SetTimeout(redialPause, k.dial)
	if wasUp {
		k.p.commit()
	}
}

// line handles a line from the backup.
func (k *link) line(_ *lineConn, f []string) {
	switch {
	case f[0] == "have" && k.state == linkHello:
	case f[0] == "ent" && len(f) == 5 && k.state == linkHello:
		k.theirs = append(k.theirs, entry{f[2], f[3], f[4]})
	case f[0] == "end" && k.state == linkHello:
		k.p.l.ClearTimeout(k.timer)
		k.timer = nil
		if !k.p.recovering {
			k.sync()
			return
		}
		k.state = linkHeard
		for _, o := range k.p.links {
			if o.state != linkHeard {
				return
			}
		}
		k.p.recovered()
	case f[0] == "ack" && len(f) == 2 && k.state == linkUp:
		n, err := strconv.Atoi(f[1])
		if err != nil || n <= k.acked {
			return
		}
		k.acked = min(n, k.sent)
		if k.acked >= k.sent {
			k.p.l.ClearTimeout(k.timer)
			k.timer = nil
		} else {
			k.timer.Refresh()
		}
		k.p.commit()
	}
}

// sync brings a backup whose log was read up to date: it truncates what it has
// past the common prefix, and sends it the rest of the primary's durable log.
func (k *link) sync() {
	p := k.p
	pre := 0
	for pre < len(k.theirs) && pre < p.synced && k.theirs[pre] == p.log[pre] {
		pre++
	}
	if pre < len(k.theirs) {
		k.lc.send("trunc " + strconv.Itoa(pre) + "\n")
	}
	k.state, k.theirs, k.acked, k.sent = linkUp, nil, pre, pre
	k.push()
}

// push sends the backup the durable entries it was not sent.
func (k *link) push() {
	if k.state != linkUp || k.sent >= k.p.synced {
		return
	}
	var b strings.Builder
	for i := k.sent; i < k.p.synced; i++ {
		b.WriteString(entryLine(i, k.p.log[i]))
	}
	k.lc.send(b.String())
	k.sent = k.p.synced
	if k.timer == nil {
		k.timer = k.p.l.SetTimeout(ackTimeout, k.down)
	}
}

// backup is the state of a backup during one run of its program.
type backup struct {
	s     *Store
	l     *nodeloop.Loop
	name  string
	log   []entry
	busy  bool // recovering, or writing to the disk
	tasks []task
	cur   *lineConn // the primary's latest connection
}

// task is one thing the primary asked of a backup, done in order.
type task struct {
	lc   *lineConn
	kind string // "hello", "trunc" or "ent"
	idx  int
	e    entry
}

func (s *Store) runBackup(l *nodeloop.Loop, name string) {
	b := &backup{s: s, l: l, name: name, busy: true}
	_, err := l.Listen("tcp", ":"+backupPort, func(c *nodeloop.Conn, err error) {
		if err != nil {
			return
		}
		if b.cur != nil {
			b.cur.close() // the primary dialled again: what the old connection still brings is stale
		}
		b.cur = newLineConn(c, b.line, func(*lineConn) {})
		b.tasks = append(b.tasks, task{lc: b.cur, kind: "hello"})
		b.next()
	})
	if err != nil {
		s.errorf("%s: listen: %v", name, err)
		return
	}
	recoverLog(l, b.fail, func(es []entry) {
		b.log, b.busy = es, false
		b.next()
	})
}

func (b *backup) fail(err error) { b.s.errorf("%s: disk: %v", b.name, err) }

func (b *backup) line(lc *lineConn, f []string) {
	switch {
	case f[0] == "trunc" && len(f) == 2:
		n, err := strconv.Atoi(f[1])
		if err != nil {
			lc.close()
			return
		}
		b.tasks = append(b.tasks, task{lc: lc, kind: "trunc", idx: n})
	case f[0] == "ent" && len(f) == 5:
		n, err := strconv.Atoi(f[1])
		if err != nil {
			lc.close()
			return
		}
		b.tasks = append(b.tasks, task{lc: lc, kind: "ent", idx: n, e: entry{f[2], f[3], f[4]}})
	default:
		lc.close()
		return
	}
	b.next()
}

// next does the tasks in order, one disk operation at a time; the entries that
// follow each other go to the disk in one write and one sync.
func (b *backup) next() {
	for !b.busy && len(b.tasks) > 0 {
		t := b.tasks[0]
		if t.lc != b.cur || t.lc.dead {
			b.tasks = b.tasks[1:]
			continue
		}
		switch t.kind {
		case "hello":
			b.tasks = b.tasks[1:]
			var s strings.Builder
			s.WriteString("have " + strconv.Itoa(len(b.log)) + "\n")
			for i, e := range b.log {
				s.WriteString(entryLine(i, e))
			}
			s.WriteString("end\n")
			t.lc.send(s.String())
		case "trunc":
			b.tasks = b.tasks[1:]
			if t.idx >= len(b.log) {
				continue
			}
			b.busy = true
			kept := b.log[:t.idx:t.idx]
			rewriteLog(b.l, kept, b.fail, func() {
				b.log, b.busy = kept, false
				b.next()
			})
		case "ent":
			var batch []entry
			for len(b.tasks) > 0 && b.tasks[0].lc == t.lc && b.tasks[0].kind == "ent" {
				u := b.tasks[0]
				b.tasks = b.tasks[1:]
				if u.idx == len(b.log)+len(batch) {
					batch = append(batch, u.e)
				}
			}
			if len(batch) == 0 {
				t.lc.send("ack " + strconv.Itoa(len(b.log)) + "\n")
				continue
			}
			b.busy = true
			appendLog(b.l, batch, func(err error) {
				b.busy = false
				if err != nil {
					b.fail(err)
					return
				}
				b.log = append(b.log, batch...)
				t.lc.send("ack " + strconv.Itoa(len(b.log)) + "\n")
				b.next()
			})
		}
	}
}
