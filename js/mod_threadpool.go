package js

import (
	"strconv"
	"strings"

	"github.com/dop251/goja"

	"github.com/nodeloop/nodeloop"
)

// ThreadPoolEnv is the variable of a program's environment (process.env) that sizes
// its ThreadPool, as in libuv.
const ThreadPoolEnv = "UV_THREADPOOL_SIZE"

// ThreadPool is a nodeloop.Pool sized as libuv sizes its threadpool: by
// UV_THREADPOOL_SIZE in the program's process.env when the first job is
// submitted, so that a script that sets it before its first pool operation gets
// the pool it asked for. Unset or empty, the pool has nodeloop.DefaultWorkers
// workers; a value is read as C's atoi reads it, 0 meaning 1 and anything above
// nodeloop.MaxWorkers (a negative value too, as libuv's unsigned count) meaning
// MaxWorkers. Give it to the loop with nodeloop.WithPool and to the runtime with
// Bind. Like every Pool, it is used from the loop's goroutine only.
type ThreadPool struct {
	rt   *Runtime
	pool *nodeloop.WorkerPool
	size int
}

var _ nodeloop.Pool = (*ThreadPool)(nil)

// NewThreadPool returns a pool whose workers are made at its first job.
func NewThreadPool() *ThreadPool { return &ThreadPool{} }

// Bind makes the pool read rt's process.env. Without it, or once a job has been
// submitted, the environment is not read again.
func (p *ThreadPool) Bind(rt *Runtime) { p.rt = rt }

// Workers returns the number of workers, 0 before the first job.
func (p *ThreadPool) Workers() int {
	if p.pool == nil {
		return 0
	}
	return p.size
}

// Submit queues job, making the workers first if it is the first.
func (p *ThreadPool) Submit(job *nodeloop.Job) {
	if p.pool == nil {
		p.size = threadPoolSize(p.env())
		p.pool = nodeloop.NewPool(p.size)
	}
	p.pool.Submit(job)
}

// Cancel takes job off the queue if no worker has started it.
func (p *ThreadPool) Cancel(job *nodeloop.Job) bool {
	if p.pool == nil {
		return false
	}
	return p.pool.Cancel(job)
}

// Close stops the workers, if any, after their current jobs and waits for them.
func (p *ThreadPool) Close() error {
	if p.pool == nil {
		return nil
	}
	return p.pool.Close()
}

// env is the value of UV_THREADPOOL_SIZE in the bound runtime's process.env.
func (p *ThreadPool) env() string {
	if p.rt == nil {
		return ""
	}
	proc, ok := p.rt.internal.builtins.Get("process").(*goja.Object)
	if !ok {
		return ""
	}
	env, ok := proc.Get("env").(*goja.Object)
	if !ok {
		return ""
	}
	v := env.Get(ThreadPoolEnv)
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return ""
	}
	return v.String()
}

// threadPoolSize is libuv's reading of UV_THREADPOOL_SIZE.
func threadPoolSize(s string) int {
	if s == "" {
		return nodeloop.DefaultWorkers
	}
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	end := 0
	if end < len(s) && (s[end] == '-' || s[end] == '+') {
		end++
	}
	for end < len(s) && '0' <= s[end] && s[end] <= '9' {
		end++
	}
	n, err := strconv.ParseInt(s[:end], 10, 64)
	switch {
	case err != nil && end > 1:
		return nodeloop.MaxWorkers // out of int64's range
	case err != nil || n == 0:
		return 1
	case n < 0 || n > nodeloop.MaxWorkers:
		return nodeloop.MaxWorkers
	}
	return int(n)
}
