package scenarios

import (
	"fmt"
	"io/fs"
	"sync"
	"time"

	"github.com/nodeloop/nodeloop"
)

// fib is the demo's deliberately slow "encryption": a recursive Fibonacci.
func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

// fibs remembers fib's results across runs: the first run of a process pays the
// recursion (about half a second for the demo's text), and the thousands of runs of a
// seed sweep, where the job's duration is virtual anyway, do not.
var fibs sync.Map

func encryptNumber(n int) int {
	if v, ok := fibs.Load(n); ok {
		return v.(int)
	}
	v := fib(n)
	fibs.Store(n, v)
	return v
}

// readFile reads name from Files on the pool, as the book's Fs::read, with the
// worker announcing the task.
func readFile(l *nodeloop.Loop, out Output, name string, cb func(string, error)) {
	nodeloop.WorkOn(l, func(worker int) (string, error) {
		thread := fmt.Sprintf("pool%d", worker)
		out.Print(thread, "received a task of type: File read")
		b, err := fs.ReadFile(Files, name)
		out.Print(thread, "finished running a task of type: File read.")
		return string(b), err
	}, cb)
}

// encrypt computes the book's "magic" number from n on the pool.
func encrypt(l *nodeloop.Loop, out Output, n int, cb func(int, error)) {
	nodeloop.WorkOn(l, func(worker int) (int, error) {
		thread := fmt.Sprintf("pool%d", worker)
		out.Print(thread, "received a task of type: Encrypt")
		v := encryptNumber(n)
		out.Print(thread, "finished running a task of type: Encrypt.")
		return v, nil
	}, cb)
}

// Demo is the example program of "The Node Experiment", the small Rust runtime
// nodeloop's design started from: two 0 ms timers, two reads of a text file on the
// pool (the first one's callback starts the "encrypt" job, a recursive Fibonacci; the
// second one's starts a third read), a 3000 ms timer whose callback sets a nested
// 500 ms one, and a 1000 ms timer. It returns the main callback for Loop.Run.
func Demo(l *nodeloop.Loop, out Output) func() {
	main := func(msg string) { out.Print("main", msg) }
	check := func(err error) bool {
		if err != nil {
			main("error: " + err.Error())
			return false
		}
		return true
	}
	return func() {
		main("First call to read test.txt")
		readFile(l, out, "test.txt", func(text string, err error) {
			if !check(err) {
				return
			}
			main(fmt.Sprintf("First count: %d characters.", len(text)))
			main(`I want to create a "magic" number based on the text.`)
			encrypt(l, out, len(text), func(n int, err error) {
				if check(err) {
					main(fmt.Sprintf(`"Encrypted" number is: %d`, n))
				}
			})
		})

		main("Registering immediate timeout 1")
		l.SetTimeout(0, func() { main("Immediate1 timed out") })
		main("Registering immediate timeout 2")
		l.SetTimeout(0, func() { main("Immediate2 timed out") })

		main("Second call to read test.txt")
		readFile(l, out, "test.txt", func(text string, err error) {
			if !check(err) {
				return
			}
			main(fmt.Sprintf("Second count: %d characters.", len(text)))
			main("Third call to read test.txt")
			readFile(l, out, "test.txt", func(text string, err error) {
				if check(err) {
					main("===== file read =====")
					main(text)
					main("=====================")
				}
			})
		})

		main("Registering a 3000 and a 500 ms timeout")
		l.SetTimeout(3000*time.Millisecond, func() {
			main("3000ms timer timed out")
			l.SetTimeout(500*time.Millisecond, func() { main("500ms timer(nested) timed out") })
		})

		main("Registering a 1000 ms timeout")
		l.SetTimeout(1000*time.Millisecond, func() { main("SETTIMEOUT") })

		main("Registering http get request to a slow server")
		httpGetSlow(l, 2000*time.Millisecond, func(body string, err error) {
			if check(err) {
				main("===== web call =====")
				main(body)
				main("====================")
			}
		})
	}
}
