package nodeconf

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/nodeloop/nodeloop"
)

// fs.readFile is Loop.ReadFile. crypto.pbkdf2 is nodeloop.Work running Go's
// crypto/pbkdf2 on the pool; both hand their result to a callback in the poll phase.

// derive is crypto.pbkdf2(password, salt, 1, n, 'sha256', cb) on the loop's pool.
func derive(l *nodeloop.Loop, password, salt string, n int, cb func([]byte, error)) {
	nodeloop.Work(l, func() ([]byte, error) {
		return pbkdf2.Key(sha256.New, password, []byte(salt), 1, n)
	}, cb)
}

func ioImmediateBeforeTimeout(l *nodeloop.Loop, c *console) {
	l.ReadFile(script("io_immediate_before_timeout"), func([]byte, error) {
		l.SetTimeout(0, func() { c.log("timeout 0") })
		l.SetImmediate(func() { c.log("immediate") })
		l.NextTick(func() { c.log("tick") })
		c.log("read callback")
	})
	c.log("main")
}

func poolReadFile(l *nodeloop.Loop, c *console) {
	l.ReadFile(script("pool_readfile"), func(data []byte, err error) {
		c.log("read error " + errCode(err))
		c.log("first line: " + firstLine(string(data)))
		c.log(fmt.Sprintf("bytes %d", len(data)))
	})
	c.log("main")
}

func poolPBKDF2(l *nodeloop.Loop, c *console) {
	derive(l, "secret", "salt", 16, func(key []byte, err error) {
		c.log("pbkdf2 error " + errCode(err))
		c.log("key " + hex.EncodeToString(key))
	})
	c.log("main")
}

func poolFIFOOneWorker(l *nodeloop.Loop, c *console) {
	// process.env.UV_THREADPOOL_SIZE = '1' is the scenario's workers field: the
	// loop is made with one worker.
	for _, name := range []string{"a", "b", "c"} {
		derive(l, "secret", name, 8, func(key []byte, err error) {
			c.log("job " + name + " " + hex.EncodeToString(key))
			l.NextTick(func() { c.log("tick " + name) })
		})
	}
	c.log("main")
}

func poolCallbackQueues(l *nodeloop.Loop, c *console) {
	derive(l, "secret", "salt", 8, func([]byte, error) {
		c.log("pbkdf2 callback")
		l.SetTimeout(0, func() { c.log("timeout 0") })
		l.SetImmediate(func() {
			c.log("immediate")
			l.NextTick(func() { c.log("tick from immediate") })
		})
		l.QueueMicrotask(func() { c.log("promise") })
		l.NextTick(func() { c.log("tick") })
	})
	c.log("main")
}

func readFileENOENT(l *nodeloop.Loop, c *console) {
	l.ReadFile("testdata/missing.txt", func(_ []byte, err error) {
		c.log("error " + errCode(err))
	})
	c.log("after readFile call")
}
