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
	st      *netState
	c       *nodeloop.Conn
	dial    *nodeloop.DialRequest
	owner   *goja.Object
	reading bool
	closed  bool
	// ended is set once End was called: no write may follow.
	ended bool
	// fast is set by the script while a write may go straight to the connection
	// (see netState.write): the socket is connected, not ended, not destroyed,
	// and has no write queued from before it connected.
	fast bool

	// bytesRead counts the bytes read, the socket's bytesRead; written counts
	// the bytes of the writes finished, its bytesWritten.
	bytesRead, written int64
	// wantDrain is set while the socket owes a 'drain': every write's completion
	// then goes to JavaScript, which emits it once the writes are done.
	wantDrain bool
	// writing counts the writes in flight; while none is, the next one copies its
	// bytes into wbuf, which the finished writes no longer need.
	writing int
	wbuf    []byte
	// sent is the last Buffer or Uint8Array of at most writeCopyMax bytes that
	// write wrote, sentBytes its bytes: a program that writes the same one again
	// and again has them without the engine's export, which allocates. A typed
	// array views the same bytes all its life: the engine neither resizes nor,
	// unless Go asks it to, detaches an ArrayBuffer.
	sent      *goja.Object
	sentBytes []byte

	// data is the chunk the data callback hands to JavaScript.
	data []byte
	// onData is the owner's _onData, looked up once. dataFn is the lone 'data'
	// listener the data callback calls itself, which the script sets (connData)
	// while the socket is flowing, has no encoding and has that one listener;
	// dataCall is the same as a Callable.
	onData   goja.Callable
	dataFn   *goja.Object
	dataCall goja.Callable

	// The connection's callbacks as func values made once, not one per operation:
	// writeFn is that of a write with no JavaScript callback.
	readFn  func([]byte, error)
	writeFn func(int, error)
}

// netState is what the sockets of a runtime share: the slab their chunks are
// copied into, the connected sockets by their JavaScript object, and the values
// of the script's net, events and buffer modules that the data and write paths
// compare with or call, looked up once.
type netState struct {
	rt   *Runtime
	slab readSlab
	// socks are the sockets whose connection is not closed, by their object, for
	// the write method, which is called with the socket as this.
	socks map[*goja.Object]*netConn

	emit        goja.Value       // EventEmitter.prototype.emit
	bufferCtor  *goja.Object     // Buffer: a chunk's new.target
	bufferProto *goja.Object     // Buffer.prototype
	uint8Proto  *goja.Object     // Uint8Array.prototype
	newUint8    goja.Constructor // Uint8Array's constructor
	writeSlow   goja.Callable    // Socket.prototype._writeSlow
	afterWrite  goja.Callable    // Socket.prototype._afterSyncWrite
	trueValue   goja.Value

	// args holds the argument of a call the data callback makes, cbArgs that of
	// write's call of _afterSyncWrite, which a data listener may make: each is
	// kept for the next call, and a native function called with one of them does
	// not see it change under it.
	args, cbArgs [1]goja.Value
	// sbuf holds the bytes of a string of at most writeCopyMax bytes that write
	// writes, kept for the next one.
	sbuf []byte
}

// newNetConn returns the Go side of a socket, with its connection once made.
func (st *netState) newNetConn(c *nodeloop.Conn, owner *goja.Object) *netConn {
	nc := &netConn{st: st, c: c}
	nc.readFn = nc.readDone
	nc.writeFn = func(n int, err error) { nc.writeDone(n, err, goja.Undefined()) }
	nc.setOwner(owner)
	return nc
}

// setOwner makes o the socket the loop's callbacks call.
func (nc *netConn) setOwner(o *goja.Object) {
	if o == nc.owner {
		return
	}
	if nc.owner != nil && nc.st.socks[nc.owner] == nc {
		delete(nc.st.socks, nc.owner)
	}
	nc.owner = o
	nc.onData = nil
	nc.dataFn, nc.dataCall = nil, nil
	if o != nil && !nc.closed {
		nc.st.socks[o] = nc
	}
}

// close marks the connection closed: no write goes to it any more.
func (nc *netConn) close() {
	nc.closed = true
	nc.fast = false
	nc.sent, nc.sentBytes = nil, nil
	if nc.owner != nil && nc.st.socks[nc.owner] == nc {
		delete(nc.st.socks, nc.owner)
	}
}

// netDataRunner is a connection's data callback as a runner, so that handing a
// chunk to JavaScript makes no closure.
type netDataRunner netConn

// run hands the chunk in data to the socket as a Buffer. In the plain case, a
// socket flowing with no encoding, one 'data' listener (dataFn) and the emitter's
// own emit, it calls that listener as _onData would, without the calls of _onData
// and emit; otherwise it calls _onData.
func (r *netDataRunner) run() {
	nc := (*netConn)(r)
	st := nc.st
	o := nc.owner
	if o == nil {
		return
	}
	chunk := st.newChunk(nc.data)
	if nc.dataCall != nil && o.Get("emit") == st.emit {
		st.args[0] = chunk
		st.rt.call(nc.dataCall, o, st.args[:]...)
		st.args[0] = nil
		return
	}
	if nc.onData == nil {
		fn, ok := goja.AssertFunction(o.Get("_onData"))
		if !ok {
			return
		}
		nc.onData = fn
	}
	st.args[0] = chunk
	st.rt.call(nc.onData, o, st.args[:]...)
	st.args[0] = nil
}

// newChunk returns a Buffer over b, made as new FastBuffer(arrayBuffer) makes it:
// a Uint8Array whose prototype is Buffer's, over an ArrayBuffer of its own.
func (st *netState) newChunk(b []byte) goja.Value {
	st.args[0] = st.rt.vm.ToValue(st.rt.vm.NewArrayBuffer(b))
	o, err := st.newUint8(st.bufferCtor, st.args[:]...)
	st.args[0] = nil
	if err != nil {
		panic(err)
	}
	return o
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
	rt := nc.st.rt
	rt.callback(func() { rt.callMethod(nc.owner, name, args...) })
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
	st := &netState{rt: rt, socks: make(map[*goja.Object]*netConn), trueValue: rt.vm.ToValue(true)}
	hostPort := func(host goja.Value, port goja.Value) string {
		return net.JoinHostPort(host.String(), strconv.FormatInt(port.ToInteger(), 10))
	}
	// setup is given, once, what the data and write paths compare with and call.
	set("setup", func(call goja.FunctionCall) goja.Value {
		o := call.Argument(0).ToObject(rt.vm)
		st.emit = o.Get("emit")
		st.bufferCtor = o.Get("Buffer").ToObject(rt.vm)
		st.bufferProto = st.bufferCtor.Get("prototype").ToObject(rt.vm)
		u8 := o.Get("Uint8Array").ToObject(rt.vm)
		st.uint8Proto = u8.Get("prototype").ToObject(rt.vm)
		var ok bool
		if st.newUint8, ok = goja.AssertConstructor(u8); !ok {
			panic(rt.vm.NewTypeError("nodeloop: net's setup needs the Uint8Array constructor"))
		}
		if st.writeSlow, ok = goja.AssertFunction(o.Get("writeSlow")); !ok {
			panic(rt.vm.NewTypeError("nodeloop: net's setup needs the socket's general write"))
		}
		if st.afterWrite, ok = goja.AssertFunction(o.Get("afterSyncWrite")); !ok {
			panic(rt.vm.NewTypeError("nodeloop: net's setup needs the socket's _afterSyncWrite"))
		}
		return goja.Undefined()
	})
	set("write", st.write)
	set("listen", func(call goja.FunctionCall) goja.Value {
		owner := call.Argument(2).ToObject(rt.vm)
		nl := &netListener{}
		ln, err := rt.loop.Listen("tcp", hostPort(call.Argument(0), call.Argument(1)), func(c *nodeloop.Conn, err error) {
			if err != nil {
				return
			}
			nc := st.newNetConn(c, nil)
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
	// connData sets the lone 'data' listener the data callback calls itself, or
	// none (null).
	set("connData", func(call goja.FunctionCall) goja.Value {
		nc := call.Argument(0).Export().(*netConn)
		nc.dataFn, nc.dataCall = nil, nil
		if fn, ok := call.Argument(1).(*goja.Object); ok {
			if c, ok := goja.AssertFunction(fn); ok {
				nc.dataFn, nc.dataCall = fn, c
			}
		}
		return goja.Undefined()
	})
	set("dial", func(call goja.FunctionCall) goja.Value {
		nc := st.newNetConn(nil, call.Argument(2).ToObject(rt.vm))
		nc.dial = rt.loop.Dial("tcp", hostPort(call.Argument(0), call.Argument(1)), func(c *nodeloop.Conn, err error) {
			nc.dial = nil
			if nc.closed {
				if c != nil {
					c.Close(nil)
				}
				return
			}
			if err != nil {
				nc.close()
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
	// the count left to write (0: all of them went out, as an empty write does),
	// which the script reads without asking a typed array for its length; -1 when
	// it wrote nothing because the write must queue (one behind a write in
	// flight, one with no connection).
	set("connTryWrite", func(call goja.FunctionCall) goja.Value {
		nc := call.Argument(0).Export().(*netConn)
		b := bytesOf(call.Argument(1))
		if nc.c == nil || nc.closed || nc.writing > 0 {
			return rt.vm.ToValue(-1)
		}
		if len(b) == 0 {
			return rt.vm.ToValue(0)
		}
		n := nc.c.TryWrite(b)
		nc.written += int64(n)
		return rt.vm.ToValue(len(b) - n)
	})
	// connFast says whether a write may go straight to the connection.
	set("connFast", func(nc *netConn, on bool) { nc.fast = on && nc.c != nil && !nc.closed && !nc.ended })
	set("connBytesRead", func(nc *netConn) int64 { return nc.bytesRead })
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
		nc.ended = true
		nc.fast = false
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
		nc.close()
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

// highWaterMark is the writable length, in bytes, from which a socket's write
// returns false and the socket owes a 'drain', as lib/net.js's.
const highWaterMark = 16384

// write is Socket.prototype.write. A write of a Buffer, a Uint8Array or a UTF-8
// string, with a callback or none, to a socket whose writes may go straight to
// the connection (netConn.fast), is done here as _writeSlow would do it: what
// the system takes at once, its callback then in a nextTick (_afterSyncWrite),
// else a write of the rest, with the same result and the same 'drain' owed.
// Every other write is _writeSlow's.
func (st *netState) write(call goja.FunctionCall) goja.Value {
	o, _ := call.This.(*goja.Object)
	nc := st.socks[o]
	if nc == nil || !nc.fast {
		return st.slowWrite(call)
	}
	data, enc, cb := call.Argument(0), call.Argument(1), call.Argument(2)
	if fn, ok := enc.(*goja.Object); ok {
		if _, isFn := goja.AssertFunction(fn); isFn {
			enc, cb = goja.Undefined(), enc
		}
	}
	if !goja.IsUndefined(cb) {
		if _, isFn := goja.AssertFunction(cb); !isFn {
			return st.slowWrite(call)
		}
	}
	var b []byte
	switch d := data.(type) {
	case *goja.Object:
		if p := d.Prototype(); p != st.bufferProto && p != st.uint8Proto {
			return st.slowWrite(call)
		}
		if d == nc.sent {
			b = nc.sentBytes
		} else if b = bytesOf(d); len(b) <= writeCopyMax {
			nc.sent, nc.sentBytes = d, b
		}
	case goja.String:
		if !goja.IsUndefined(enc) && !goja.IsNull(enc) {
			if s, ok := enc.(goja.String); !ok || s.String() != "utf8" {
				return st.slowWrite(call)
			}
		}
		if str := d.String(); len(str) > writeCopyMax {
			b = []byte(str)
		} else {
			st.sbuf = append(st.sbuf[:0], str...)
			b = st.sbuf
		}
	default:
		return st.slowWrite(call)
	}
	if nc.writing == 0 {
		n := 0
		if len(b) > 0 {
			n = nc.c.TryWrite(b)
			nc.written += int64(n)
		}
		if n == len(b) {
			if !goja.IsUndefined(cb) {
				st.afterSyncWrite(o, cb)
			}
			return st.trueValue
		}
		b = b[n:]
	}
	if goja.IsUndefined(cb) {
		nc.c.Write(nc.copyWrite(b), nc.writeFn)
	} else {
		nc.c.Write(nc.copyWrite(b), func(n int, err error) { nc.writeDone(n, err, cb) })
	}
	ok := nc.c.WritableLength() < highWaterMark
	if !ok && !o.Get("_needDrain").ToBoolean() {
		_ = o.Set("_needDrain", true)
		nc.wantDrain = true
	}
	return st.rt.vm.ToValue(ok)
}

// afterSyncWrite calls the socket's _afterSyncWrite with cb, the callback of a
// write that went out whole at once, and throws what it throws.
func (st *netState) afterSyncWrite(o *goja.Object, cb goja.Value) {
	st.cbArgs[0] = cb
	_, err := st.afterWrite(o, st.cbArgs[:]...)
	st.cbArgs[0] = nil
	if err != nil {
		st.rt.rethrow(err)
	}
}

// slowWrite calls _writeSlow with write's this and arguments, and throws what it
// throws.
func (st *netState) slowWrite(call goja.FunctionCall) goja.Value {
	v, err := st.writeSlow(call.This, call.Arguments...)
	if err != nil {
		st.rt.rethrow(err)
	}
	return v
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
	rt := nc.st.rt
	switch {
	case err == nil:
		nc.data = nc.st.slab.put(b)
		nc.bytesRead += int64(len(b))
		rt.callbackOf((*netDataRunner)(nc))
		nc.data = nil
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
	rt := nc.st.rt
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
