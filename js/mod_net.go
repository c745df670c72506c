package js

import (
	_ "embed"
	"errors"
	"io"
	"net"
	"strconv"
	"time"

	"github.com/dop251/goja"

	"github.com/nodeloop/nodeloop"
)

//go:embed lib/net.js
var netSource string

func init() {
	registerModule(nativeModule{name: "net", file: "net", source: netSource, binding: (*Runtime).netBinding})
}

// netListener is the Go side of a net.Server's listening socket.
type netListener struct {
	ln *nodeloop.Listener
}

// netConn is the Go side of a net.Socket: its connection once made, and the JS
// socket whose _on* methods the loop's callbacks call.
type netConn struct {
	rt      *Runtime
	slab    *readSlab
	c       *nodeloop.Conn
	dial    *nodeloop.DialRequest
	owner   *goja.Object
	reading bool
	closed  bool

	// written counts the bytes of the writes finished, the socket's bytesWritten.
	written int64
	// wantDrain is set while the socket owes a 'drain': every write's completion
	// then goes to JavaScript, which emits it once the writes are done.
	wantDrain bool
	// writing counts the writes in flight; while none is, the next one copies its
	// bytes into wbuf, which the finished writes no longer need.
	writing int
	wbuf    []byte

	// The chunk the data callback hands to _onData, an ArrayBuffer of dataLen bytes.
	dataBuf  goja.Value
	dataLen  int
	onData   goja.Callable // the owner's _onData, looked up once
	dataArgs [2]goja.Value // its arguments, kept for the next chunk

	// The connection's callbacks as func values made once, not one per operation:
	// writeFn is that of a write with no JavaScript callback.
	readFn  func([]byte, error)
	writeFn func(int, error)
}

// newNetConn returns the Go side of a socket, with its connection once made.
func (rt *Runtime) newNetConn(slab *readSlab, c *nodeloop.Conn, owner *goja.Object) *netConn {
	nc := &netConn{rt: rt, slab: slab, c: c, owner: owner}
	nc.readFn = nc.readDone
	nc.writeFn = func(n int, err error) { nc.writeDone(n, err, goja.Undefined()) }
	return nc
}

// setOwner makes o the socket the loop's callbacks call.
func (nc *netConn) setOwner(o *goja.Object) {
	nc.owner = o
	nc.onData = nil
}

// netDataRunner is a connection's data callback as a runner, so that handing a
// chunk to JavaScript makes no closure.
type netDataRunner netConn

func (r *netDataRunner) run() {
	nc := (*netConn)(r)
	rt := nc.rt
	if nc.onData == nil {
		if nc.owner == nil {
			return
		}
		fn, ok := goja.AssertFunction(nc.owner.Get("_onData"))
		if !ok {
			return
		}
		nc.onData = fn
	}
	nc.dataArgs = [2]goja.Value{nc.dataBuf, rt.vm.ToValue(nc.dataLen)}
	rt.call(nc.onData, nc.owner, nc.dataArgs[:]...)
	nc.dataArgs = [2]goja.Value{}
}

// readSlab is where a runtime's connections copy the bytes they read: each chunk
// is an ArrayBuffer of its own, of its length as in Node, over its own part of a
// slab, so that a read makes no byte slice of its own; a chunk that JavaScript
// holds on to keeps its whole slab alive. A slab is never written twice at the
// same place; a full one is replaced.
type readSlab struct {
	buf []byte
	off int
}

// readSlabSize is the size of a slab of read bytes, in bytes: the most a read
// returns.
const readSlabSize = 64 << 10

// writeCopyMax is the size, in bytes, up to which a connection keeps the buffer it
// copies a write's bytes into for the next write.
const writeCopyMax = 16 << 10

// put copies b into the slab and returns the copy, whose capacity is its length.
func (s *readSlab) put(b []byte) []byte {
	if len(s.buf)-s.off < len(b) {
		s.buf = make([]byte, max(readSlabSize, len(b)))
		s.off = 0
	}
	off := s.off
	s.off += copy(s.buf[off:], b)
	return s.buf[off:s.off:s.off]
}

// emit calls the owner's method name as one loop callback.
func (nc *netConn) emit(name string, args ...goja.Value) {
	nc.rt.callback(func() { nc.rt.callMethod(nc.owner, name, args...) })
}

// callMethod calls o[name](args...) from a callback.
func (rt *Runtime) callMethod(o *goja.Object, name string, args ...goja.Value) {
	if o == nil {
		return
	}
	fn, ok := goja.AssertFunction(o.Get(name))
	if !ok {
		return
	}
	rt.call(fn, o, args...)
}

// netErrDesc is what lib/net.js makes Node's error of: fsErrno's fields and the
// syscall.
func (rt *Runtime) netErrDesc(err error, syscall string) goja.Value {
	e := errnoOf(err)
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "dial" {
		syscall = "connect"
	}
	d := rt.vm.NewObject()
	_ = d.Set("code", e.code)
	_ = d.Set("errno", e.errno)
	_ = d.Set("desc", e.desc)
	_ = d.Set("syscall", syscall)
	return d
}

// addrValue is an address as Node's address(): address, family, port.
func (rt *Runtime) addrValue(a net.Addr) goja.Value {
	o := rt.vm.NewObject()
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return o
	}
	family := "IPv4"
	ip := tcp.IP.String()
	if tcp.IP.To4() == nil {
		family = "IPv6"
	}
	_ = o.Set("address", ip)
	_ = o.Set("family", family)
	_ = o.Set("port", tcp.Port)
	return o
}

// netBinding adds the sockets of net on the loop's.
func (rt *Runtime) netBinding(set func(string, any)) {
	slab := &readSlab{}
	hostPort := func(host goja.Value, port goja.Value) string {
		return net.JoinHostPort(host.String(), strconv.FormatInt(port.ToInteger(), 10))
	}
	set("listen", func(call goja.FunctionCall) goja.Value {
		owner := call.Argument(2).ToObject(rt.vm)
		nl := &netListener{}
		ln, err := rt.loop.Listen("tcp", hostPort(call.Argument(0), call.Argument(1)), func(c *nodeloop.Conn, err error) {
			if err != nil {
				return
			}
			nc := rt.newNetConn(slab, c, nil)
			rt.callback(func() { rt.callMethod(owner, "_onConnection", rt.vm.ToValue(nc), rt.addrValue(c.RemoteAddr())) })
		})
		if err != nil {
			panic(rt.netErrDesc(err, "listen"))
		}
		nl.ln = ln
		return rt.vm.ToValue(nl)
	})
	set("listenerAddress", func(nl *netListener) goja.Value { return rt.addrValue(nl.ln.Addr()) })
	set("listenerClose", func(nl *netListener) {
		if !nl.ln.Closed() {
			nl.ln.Close(nil)
		}
	})
	set("listenerRef", func(nl *netListener, ref bool) {
		if nl.ln.Closed() {
			return
		}
		if ref {
			nl.ln.Ref()
		} else {
			nl.ln.Unref()
		}
	})
	set("connOwn", func(nc *netConn, owner *goja.Object) { nc.setOwner(owner) })
	set("dial", func(call goja.FunctionCall) goja.Value {
		nc := rt.newNetConn(slab, nil, call.Argument(2).ToObject(rt.vm))
		nc.dial = rt.loop.Dial("tcp", hostPort(call.Argument(0), call.Argument(1)), func(c *nodeloop.Conn, err error) {
			nc.dial = nil
			if nc.closed {
				if c != nil {
					c.Close(nil)
				}
				return
			}
			if err != nil {
				nc.closed = true
				nc.emit("_onConnectError", rt.netErrDesc(err, "connect"))
				return
			}
			nc.c = c
			nc.emit("_onConnect", rt.addrValue(c.LocalAddr()), rt.addrValue(c.RemoteAddr()))
		})
		return rt.vm.ToValue(nc)
	})
	set("connRead", func(call goja.FunctionCall) goja.Value {
		nc := call.Argument(0).Export().(*netConn)
		if nc.c != nil && !nc.closed && !nc.reading {
			nc.read()
		}
		return goja.Undefined()
	})
	set("connWrite", func(call goja.FunctionCall) goja.Value {
		nc := call.Argument(0).Export().(*netConn)
		cb := call.Argument(2)
		if nc.c == nil || nc.closed {
			return rt.vm.ToValue(0)
		}
		b := nc.copyWrite(bytesOf(call.Argument(1)))
		if goja.IsUndefined(cb) {
			nc.c.Write(b, nc.writeFn)
		} else {
			nc.c.Write(b, func(n int, err error) { nc.writeDone(n, err, cb) })
		}
		return rt.vm.ToValue(nc.c.WritableLength())
	})
	// connTryWrite writes what the system takes of the bytes at once and returns
	// the count left to write (0: all of them went out), which the script reads
	// without asking a typed array for its length; -1 when it wrote nothing
	// because the write must queue (an empty one, one behind a write in flight,
	// one with no connection).
	set("connTryWrite", func(call goja.FunctionCall) goja.Value {
		nc := call.Argument(0).Export().(*netConn)
		b := bytesOf(call.Argument(1))
		if len(b) == 0 || nc.c == nil || nc.closed || nc.writing > 0 {
			return rt.vm.ToValue(-1)
		}
		n := nc.c.TryWrite(b)
		nc.written += int64(n)
		return rt.vm.ToValue(len(b) - n)
	})
	set("connBytesWritten", func(nc *netConn) int64 { return nc.written })
	set("connWantDrain", func(nc *netConn, on bool) { nc.wantDrain = on })
	set("connWritableLength", func(call goja.FunctionCall) goja.Value {
		nc := call.Argument(0).Export().(*netConn)
		if nc.c == nil || nc.closed {
			return rt.vm.ToValue(0)
		}
		return rt.vm.ToValue(nc.c.WritableLength())
	})
	set("connEnd", func(call goja.FunctionCall) goja.Value {
		nc := call.Argument(0).Export().(*netConn)
		fn, _ := goja.AssertFunction(call.Argument(1))
		if nc.c == nil || nc.closed {
			return goja.Undefined()
		}
		nc.c.End(func(err error) {
			if errors.Is(err, nodeloop.ErrClosed) {
				return
			}
			rt.callback(func() {
				if err != nil {
					rt.call(fn, goja.Undefined(), rt.netErrDesc(err, "shutdown"))
					return
				}
				rt.call(fn, goja.Undefined(), goja.Null())
			})
		})
		return goja.Undefined()
	})
	set("connClose", func(nc *netConn) {
		if nc.closed {
			return
		}
		nc.closed = true
		if nc.c == nil {
			if nc.dial != nil {
				nc.dial.Cancel()
			}
			// A socket destroyed before it connected closes in the close phase too.
			rt.loop.SetImmediate(func() { nc.emit("_onClose") })
			return
		}
		nc.c.Close(func() { nc.emit("_onClose") })
	})
	set("connNoDelay", func(nc *netConn, on bool) {
		if nc.c != nil && !nc.closed {
			_ = nc.c.SetNoDelay(on)
		}
	})
	set("connKeepAlive", func(nc *netConn, on bool, ms int64) {
		if nc.c != nil && !nc.closed {
			_ = nc.c.SetKeepAlive(on, time.Duration(ms)*time.Millisecond)
		}
	})
	set("connTimeout", func(nc *netConn, ms float64) {
		if nc.c == nil || nc.closed {
			return
		}
		if ms <= 0 {
			nc.c.SetTimeout(0, nil)
			return
		}
		nc.c.SetTimeout(delayDuration(ms), func() { nc.emit("_onTimeout") })
	})
	set("connRef", func(nc *netConn, ref bool) {
		if nc.c == nil || nc.closed {
			return
		}
		if ref {
			nc.c.Ref()
		} else {
			nc.c.Unref()
		}
	})
}

// read reads until the end of the stream, an error or the close, handing each
// chunk to the owner's _onData, the end to _onEnd and an error to _onError.
func (nc *netConn) read() {
	nc.reading = true
	nc.c.Read(nc.readFn)
}

// readDone is the callback of read's Read.
func (nc *netConn) readDone(b []byte, err error) {
	nc.reading = false
	if nc.closed || errors.Is(err, nodeloop.ErrClosed) {
		return
	}
	rt := nc.rt
	switch {
	case err == nil:
		nc.dataBuf = rt.vm.ToValue(rt.vm.NewArrayBuffer(nc.slab.put(b)))
		nc.dataLen = len(b)
		rt.callbackOf((*netDataRunner)(nc))
		nc.dataBuf = nil
		if !nc.closed && !nc.c.Closed() {
			nc.read()
		}
	case errors.Is(err, io.EOF):
		nc.emit("_onEnd")
	default:
		nc.emit("_onError", rt.netErrDesc(err, "read"))
	}
}

// writeDone is the end of a write whose JavaScript callback is cb (undefined for
// none): it counts the bytes written and calls the socket's _onWritten or
// _onWriteError when JavaScript has something to do. A write nobody waits for,
// with no 'drain' owed, has nothing to tell it.
func (nc *netConn) writeDone(n int, err error, cb goja.Value) {
	nc.writing--
	nc.written += int64(n)
	rt := nc.rt
	switch {
	case err != nil && !errors.Is(err, nodeloop.ErrClosed):
		d := rt.netErrDesc(err, "write")
		rt.callback(func() { rt.callMethod(nc.owner, "_onWriteError", d, cb) })
	case !goja.IsUndefined(cb) || nc.wantDrain:
		rt.callback(func() { rt.callMethod(nc.owner, "_onWritten", cb) })
	}
}

// copyWrite returns a copy of b for a write, which b may change after: into the
// connection's reused buffer when no write is in flight, else a new one.
func (nc *netConn) copyWrite(b []byte) []byte {
	nc.writing++
	if nc.writing > 1 || len(b) > writeCopyMax {
		return append([]byte(nil), b...)
	}
	nc.wbuf = append(nc.wbuf[:0], b...)
	return nc.wbuf
}
