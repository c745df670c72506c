package bench

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nodeloop/nodeloop"
)

// HTTP is an HTTP/1.1 server answering N requests on keep-alive connections: the
// same load client, in this package, drives every implementation's server over
// loopback TCP, with httpConns connections each sending one request and reading
// its answer before the next, and checks every response byte for byte against the
// server's first, which must be a 200 whose body is httpBody. The server's and the
// client's CPU are counted together (the node server's as it reports it), so
// requests per wall second are the figure to compare.
const HTTP = "http"

const (
	httpConns   = 16
	httpBody    = "Hello, world!\n"
	httpRequest = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
	// httpResponse is what the nodeloop server answers to every request.
	httpResponse = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 14\r\n\r\n" + httpBody
	// httpHeaderMax bounds the header of the first response the client reads.
	httpHeaderMax = 4096
	// httpServerStartMax bounds how long the node server may take to say where it
	// listens.
	httpServerStartMax = 30 * time.Second
)

// httpLoad sends n requests in all to the server at addr on httpConns keep-alive
// connections and checks every response, from after each connection is made to the
// last response; it returns the Span of that part, measured from when the
// connections are made.
func httpLoad(addr string, n int) (Span, error) {
	conns := make([]net.Conn, min(httpConns, n))
	for i := range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			for _, c := range conns[:i] {
				c.Close()
			}
			return Span{}, err
		}
		conns[i] = c
	}
	span := StartSpan()
	errs := make([]error, len(conns))
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			errs[i] = httpClient(c, n/len(conns)+b2i(i < n%len(conns)))
		}()
	}
	wg.Wait()
	return span, errors.Join(errs...)
}

// httpClient sends n requests on c, one at a time, and checks each response against
// the first.
func httpClient(c net.Conn, n int) error {
	br := bufio.NewReader(c)
	req := []byte(httpRequest)
	var want, got []byte
	for i := range n {
		if _, err := c.Write(req); err != nil {
			return fmt.Errorf("request %d: %w", i, err)
		}
		if want == nil {
			var err error
			if want, err = httpFirstResponse(br); err != nil {
				return fmt.Errorf("response %d: %w", i, err)
			}
			got = make([]byte, len(want))
			continue
		}
		if _, err := io.ReadFull(br, got); err != nil {
			return fmt.Errorf("response %d: %w", i, err)
		}
		if !bytes.Equal(got, want) {
			return fmt.Errorf("response %d is %q, the first was %q", i, got, want)
		}
	}
	if br.Buffered() > 0 {
		return fmt.Errorf("%d bytes more than %d responses", br.Buffered(), n)
	}
	return nil
}

// httpFirstResponse reads one response from br and returns its bytes: a 200 with a
// Content-Length and the body httpBody.
func httpFirstResponse(br *bufio.Reader) ([]byte, error) {
	var raw []byte
	length := -1
	for first := true; ; first = false {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return nil, fmt.Errorf("reading the header: %w", err)
		}
		if raw = append(raw, line...); len(raw) > httpHeaderMax {
			return nil, fmt.Errorf("a header longer than %d bytes: %q", httpHeaderMax, raw)
		}
		text := strings.TrimRight(string(line), "\r\n")
		if first {
			if !strings.HasPrefix(text, "HTTP/1.1 200 ") {
				return nil, fmt.Errorf("status line %q, want HTTP/1.1 200", text)
			}
			continue
		}
		if text == "" {
			break
		}
		if k, v, ok := strings.Cut(text, ":"); ok && strings.EqualFold(k, "Content-Length") {
			if length, err = strconv.Atoi(strings.TrimSpace(v)); err != nil || length < 0 {
				return nil, fmt.Errorf("Content-Length %q", v)
			}
		}
	}
	if length != len(httpBody) {
		return nil, fmt.Errorf("Content-Length %d, want %d, in %q", length, len(httpBody), raw)
	}
	body := make([]byte, length)
	if _, err := io.ReadFull(br, body); err != nil {
		return nil, fmt.Errorf("reading the body: %w", err)
	}
	if string(body) != httpBody {
		return nil, fmt.Errorf("body %q, want %q", body, httpBody)
	}
	return append(raw, body...), nil
}

// nodeloopHTTP serves [HTTP] on a loop: a minimal HTTP/1.1 server on the loop's
// sockets that answers httpResponse to every request it reads (each ending at its
// blank line; the client sends no body), the loop running on its own goroutine while
// the client runs.
func nodeloopHTTP(n int) (Result, error) {
	l, err := nodeloop.New()
	if err != nil {
		return Result{}, err
	}
	defer l.Close()
	var (
		ln      *nodeloop.Listener
		addr    = make(chan string, 1)
		failure error
		served  int
	)
	resp := []byte(httpResponse)
	ran := make(chan error, 1)
	go func() {
		ran <- l.Run(func() {
			var lerr error
			ln, lerr = l.Listen("tcp", "127.0.0.1:0", func(c *nodeloop.Conn, err error) {
				if err != nil {
					failure = err
					return
				}
				httpServe(c, resp, &served)
			})
			if lerr != nil {
				failure = lerr
				addr <- ""
				return
			}
			addr <- ln.Addr().String()
		})
	}()
	a := <-addr
	if a == "" {
		<-ran
		return Result{}, failure
	}
	span, err := httpLoad(a, n)
	r := span.Result(HTTP, ImplNodeloop, n)
	if perr := l.Post(func() { ln.Close(nil) }); err == nil {
		err = perr
	}
	if rerr := <-ran; err == nil {
		err = rerr
	}
	if err == nil {
		err = failure
	}
	if err == nil && served != n {
		err = fmt.Errorf("served %d of %d requests", served, n)
	}
	r.Version = version()
	r.Extra = map[string]string{"conns": fmt.Sprint(httpConns)}
	return r, err
}

// httpServe answers resp to every request c brings, counting them in served, until
// the client closes c. A request ends at its first blank line; match counts how much
// of "\r\n\r\n" the bytes read so far end with, across reads.
func httpServe(c *nodeloop.Conn, resp []byte, served *int) {
	const end = "\r\n\r\n"
	match := 0
	written := func(_ int, err error) {
		if err != nil {
			c.Close(nil)
		}
	}
	var read func(b []byte, err error)
	read = func(b []byte, err error) {
		if err != nil {
			c.Close(nil)
			return
		}
		for _, ch := range b {
			switch {
			case ch == end[match]:
				if match++; match == len(end) {
					match = 0
					*served++
					c.Write(resp, written)
				}
			case ch == '\r':
				match = 1
			default:
				match = 0
			}
		}
		c.Read(read)
	}
	c.Read(read)
}

// goHTTP serves [HTTP] with net/http: a Server whose handler writes the same header
// and body as the nodeloop server (its Date header suppressed, so that every
// response is the same).
func goHTTP(n int) (Result, error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Result{}, err
	}
	body := []byte(httpBody)
	var (
		mu     sync.Mutex
		served int
	)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h["Date"] = nil
		h["Content-Type"] = []string{"text/plain"}
		h["Content-Length"] = []string{"14"}
		w.Write(body)
		mu.Lock()
		served++
		mu.Unlock()
	})}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(lis) }()
	span, err := httpLoad(lis.Addr().String(), n)
	r := span.Result(HTTP, ImplGo, n)
	if cerr := srv.Close(); err == nil {
		err = cerr
	}
	if serr := <-done; err == nil && !errors.Is(serr, http.ErrServerClosed) {
		err = serr
	}
	mu.Lock()
	defer mu.Unlock()
	if err == nil && served != n {
		err = fmt.Errorf("served %d of %d requests", served, n)
	}
	r.Version = runtime.Version()
	r.Extra = map[string]string{"conns": fmt.Sprint(httpConns)}
	return r, err
}

// nodeHTTP serves [HTTP] with Node's http module (peers/node/http_server.js), run
// with the node on PATH. The script says where it listens, serves until its stdin
// closes, and then reports the CPU it used since it started listening, which is added
// to the client's.
func nodeHTTP(n int) (Result, error) {
	if _, err := exec.LookPath("node"); err != nil {
		return Result{}, fmt.Errorf("Node.js's HTTP server needs node, which is not on PATH: %w", ErrUnavailable)
	}
	dir, err := os.MkdirTemp("", "nodeloop-bench-http-")
	if err != nil {
		return Result{}, err
	}
	defer os.RemoveAll(dir)
	script, err := peerFS.ReadFile("peers/node/http_server.js")
	if err != nil {
		return Result{}, err
	}
	path := filepath.Join(dir, "http_server.js")
	if err := os.WriteFile(path, script, 0o644); err != nil {
		return Result{}, err
	}
	cmd := exec.Command("node", path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return Result{}, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return Result{}, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return Result{}, err
	}
	lines := bufio.NewScanner(stdout)
	// The script's lines: "LISTEN addr", then, after stdin closes, "SERVED n cpu_ns".
	field := func(word string, n int) ([]string, error) {
		if !lines.Scan() {
			return nil, fmt.Errorf("node %s: no %s line%s", path, word, tail(stderr.Bytes()))
		}
		f := strings.Fields(lines.Text())
		if len(f) != n+1 || f[0] != word {
			return nil, fmt.Errorf("node %s printed %q, want %s and %d fields", path, lines.Text(), word, n)
		}
		return f[1:], nil
	}
	started := make(chan error, 1)
	var listen []string
	go func() {
		var err error
		listen, err = field("LISTEN", 1)
		started <- err
	}()
	select {
	case err = <-started:
	case <-time.After(httpServerStartMax):
		err = fmt.Errorf("node %s did not say where it listens in %v", path, httpServerStartMax)
	}
	if err != nil {
		stdin.Close()
		cmd.Process.Kill()
		cmd.Wait()
		return Result{}, err
	}
	span, err := httpLoad(listen[0], n)
	r := span.Result(HTTP, ImplNode, n)
	stdin.Close()
	served, ferr := field("SERVED", 2)
	if werr := cmd.Wait(); ferr == nil && werr != nil {
		ferr = fmt.Errorf("node %s: %w%s", path, werr, tail(stderr.Bytes()))
	}
	if err == nil {
		err = ferr
	}
	if err != nil {
		return r, err
	}
	count, cerr := strconv.Atoi(served[0])
	cpu, nerr := strconv.ParseInt(served[1], 10, 64)
	if cerr != nil || nerr != nil {
		return r, fmt.Errorf("node %s printed SERVED %s %s, want two counts", path, served[0], served[1])
	}
	if count != n {
		return r, fmt.Errorf("served %d of %d requests", count, n)
	}
	r.CPU += time.Duration(cpu)
	out, _ := exec.Command("node", "--version").Output()
	r.Version = strings.TrimPrefix(strings.TrimSpace(string(out)), "v")
	r.Extra = map[string]string{"conns": fmt.Sprint(httpConns)}
	return r, nil
}
