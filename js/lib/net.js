// net: TCP servers and sockets on the loop's, with Node's events. A Socket is an
// EventEmitter with the stream methods a script uses (write, end, destroy, pause,
// resume, setEncoding), not a full Duplex stream.
(function (binding, builtins, global) {
  'use strict';

  const EventEmitter = builtins.events;
  const emit = EventEmitter.prototype.emit;
  const { Buffer } = builtins.buffer;
  const highWaterMark = 16384;

  const { received, invalidArgType } = builtins['internal/errors'];

  function netError(d, host, port) {
    let msg = d.syscall + ' ' + d.code;
    if (d.syscall === 'listen') msg += ': ' + d.desc;
    if (host !== undefined) msg += ' ' + host + ':' + port;
    const e = new Error(msg);
    e.errno = d.errno;
    e.code = d.code;
    e.syscall = d.syscall;
    if (host !== undefined) { e.address = host; e.port = port; }
    return e;
  }

  function codeError(Ctor, code, msg) {
    const e = new Ctor(msg);
    e.code = code;
    return e;
  }

  function portOf(port) {
    if (typeof port === 'string' && /^\d+$/.test(port)) port = Number(port);
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
      throw codeError(RangeError, 'ERR_SOCKET_BAD_PORT', 'Port should be >= 0 and < 65536. Received ' + received(port).replace(/^Received /, '') + '.');
    }
    return port;
  }

  function hostOf(host) {
    if (host === undefined || host === null || host === '' || host === 'localhost') return '127.0.0.1';
    return host;
  }

  // utf8Tail is how many bytes at the end of b start a character not yet complete.
  function utf8Tail(b) {
    const n = b.length;
    for (let i = 1; i <= Math.min(3, n); i++) {
      const c = b[n - i];
      if ((c & 0xc0) === 0x80) continue;
      const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
      return need > i ? i : 0;
    }
    return 0;
  }

  class Socket extends EventEmitter {
    constructor(options) {
      super();
      options = options || {};
      this._handle = null;
      this.connecting = false;
      this.destroyed = false;
      this.readable = false;
      this.writable = false;
      this.allowHalfOpen = !!options.allowHalfOpen;
      this.remoteAddress = undefined;
      this.remotePort = undefined;
      this.remoteFamily = undefined;
      this.localAddress = undefined;
      this.localPort = undefined;
      this._server = null;
      this._encoding = null;
      this._pending = Buffer.alloc(0);
      this._flowing = null;
      this._queue = [];
      this._ended = false; // the peer ended: 'end' was or will be emitted
      this._endEmitted = false;
      this._writableEnded = false; // end() was called
      this._finished = false;
      this._needDrain = false;
      this._afterWrite = null; // the nextTick owed to writes that went out at once
      this._timeout = 0;
      this._refed = true;
      this._hadError = false;
      this._closed = false;
    }

    get pending() { return this._handle === null || this.connecting; }
    get readyState() {
      if (this.connecting) return 'opening';
      if (this.readable && this.writable) return 'open';
      if (this.readable) return 'readOnly';
      if (this.writable) return 'writeOnly';
      return 'closed';
    }
    get bytesRead() { return this._handle ? binding.connBytesRead(this._handle) : 0; }
    get bytesWritten() { return this._handle ? binding.connBytesWritten(this._handle) : 0; }
    get writableLength() { return this._handle ? binding.connWritableLength(this._handle) : 0; }
    get writableEnded() { return this._writableEnded; }
    get writableFinished() { return this._finished; }
    get readableEnded() { return this._endEmitted; }
    get closed() { return this._closed; }

    address() {
      if (this.localAddress === undefined) return {};
      return { address: this.localAddress, family: this.localFamily, port: this.localPort };
    }

    connect(...args) {
      let options = args[0];
      let cb = args[args.length - 1];
      if (typeof cb !== 'function') cb = undefined;
      if (options === null || typeof options !== 'object') {
        options = { port: args[0], host: typeof args[1] === 'string' ? args[1] : undefined };
      }
      const port = portOf(options.port);
      const host = hostOf(options.host);
      if (cb) this.once('connect', cb);
      this.connecting = true;
      this.writable = true;
      this._host = host;
      this._port = port;
      this._handle = binding.dial(host, port, this);
      this._syncData();
      return this;
    }

    _attach(handle, remote) {
      this._handle = handle;
      binding.connOwn(handle, this);
      this._syncData();
      this.readable = true;
      this.writable = true;
      if (remote) this._setRemote(remote);
      binding.connRead(handle);
      binding.connFast(handle, true);
    }

    _setRemote(r) {
      this.remoteAddress = r.address;
      this.remotePort = r.port;
      this.remoteFamily = r.family;
    }

    _onConnect(local, remote) {
      if (this.destroyed) return;
      this.connecting = false;
      this.localAddress = local.address;
      this.localPort = local.port;
      this.localFamily = local.family;
      this._setRemote(remote);
      this.readable = true;
      binding.connOwn(this._handle, this);
      if (!this._refed) binding.connRef(this._handle, false);
      if (this._noDelay !== undefined) binding.connNoDelay(this._handle, this._noDelay);
      if (this._timeout > 0) binding.connTimeout(this._handle, this._timeout);
      if (this._needDrain) binding.connWantDrain(this._handle, true);
      binding.connRead(this._handle);
      this.emit('connect');
      this.emit('ready');
      for (const w of this._queue.splice(0)) this._write(w.bytes, w.cb);
      if (this._writableEnded && !this._endSent) this._sendEnd();
      else if (!this.destroyed) binding.connFast(this._handle, true);
    }

    _onConnectError(d) {
      this.connecting = false;
      const e = netError(d, this._host, this._port);
      this._handle = null;
      this._destroyWith(e, true);
    }

    // _onData is given each chunk read, a Buffer over an ArrayBuffer of its own,
    // unless the binding calls the one 'data' listener itself, which it does when
    // _onData would do nothing else: when the socket is flowing, has no encoding,
    // emits with the emitter's emit, and has one listener of 'data'. _syncData
    // tells the binding that listener, or null, whenever one of those changes but
    // the emit, which the binding compares itself.
    _onData(chunk) {
      if (this._flowing === false || (this._flowing === null && this.listenerCount('data') === 0)) {
        this._queue_in(chunk);
        return;
      }
      this._deliver(chunk);
    }

    _syncData() {
      if (this._handle === null) return;
      const events = this._events;
      const fn = events !== undefined ? events.data : undefined;
      binding.connData(this._handle, this._flowing === true && !this._encoding && typeof fn === 'function' ? fn : null);
    }

    // _listenersChanged is the emitter's call after the listeners of name, or of
    // every event when name is undefined, changed.
    _listenersChanged(name) {
      if (name === 'data' || name === undefined) this._syncData();
    }

    _queue_in(chunk) {
      if (this._inbox === undefined) this._inbox = [];
      this._inbox.push(chunk);
    }

    _deliver(chunk) {
      if (this._encoding) {
        let bytes = chunk;
        if (this._pending.length > 0) bytes = Buffer.concat([this._pending, chunk]);
        let keep = 0;
        if (this._encoding === 'utf8') keep = utf8Tail(bytes);
        this._pending = keep > 0 ? Buffer.from(bytes.subarray(bytes.length - keep)) : Buffer.alloc(0);
        const s = bytes.toString(this._encoding, 0, bytes.length - keep);
        if (s !== '') this.emit('data', s);
        return;
      }
      // One listener of the emitter's own emit (which keeps a lone listener as
      // the function itself) is called as emit would call it, without the array
      // emit makes for its arguments.
      const list = this.emit === emit && this._events !== undefined ? this._events.data : undefined;
      if (typeof list === 'function') list.call(this, chunk);
      else this.emit('data', chunk);
    }

    _flush() {
      const inbox = this._inbox || [];
      while (inbox.length > 0 && this._flowing !== false && !this.destroyed) this._deliver(inbox.shift());
      if (inbox.length === 0 && this._ended && !this._endEmitted) this._emitEnd();
    }

    _onEnd() {
      this._ended = true;
      this.readable = false;
      if ((this._inbox && this._inbox.length > 0) || this._flowing === false || (this._flowing === null && this.listenerCount('data') === 0 && this.listenerCount('end') === 0 && this.listenerCount('readable') === 0)) {
        if (this._flowing === null && !(this._inbox && this._inbox.length)) process.nextTick(() => this._maybeEndAfterResume());
        return;
      }
      process.nextTick(() => this._emitEnd());
    }

    _maybeEndAfterResume() {
      // A socket nobody reads from still ends: Node ends a paused stream only once
      // it is read, but a socket with no 'data' listener and no buffer has nothing
      // to wait for.
      if (this._flowing === false || this._endEmitted) return;
      this._emitEnd();
    }

    _emitEnd() {
      if (this._endEmitted || this.destroyed) return;
      this._endEmitted = true;
      this.emit('end');
      if (!this.allowHalfOpen && !this._writableEnded) this.end();
      else if (this._finished) this.destroy();
    }

    _onError(d) {
      this._destroyWith(netError(d), true);
    }

    _onTimeout() { this.emit('timeout'); }

    _onClose() {
      this._closed = true;
      if (this._server) this._server._socketClosed();
      this.emit('close', this._hadError);
    }

    setEncoding(encoding) {
      this._encoding = Buffer.isEncoding(encoding) ? String(encoding).toLowerCase().replace('-', '') : 'utf8';
      if (this._encoding === 'utf-8') this._encoding = 'utf8';
      this._syncData();
      return this;
    }

    on(name, fn) {
      super.on(name, fn);
      if (name === 'data' && this._flowing !== false) this.resume();
      return this;
    }

    pause() { this._flowing = false; this._syncData(); return this; }
    resume() {
      const was = this._flowing;
      this._flowing = true;
      if (was !== true) this._syncData();
      if (was !== true || (this._inbox && this._inbox.length > 0)) process.nextTick(() => this._flush());
      return this;
    }
    isPaused() { return this._flowing === false; }

    // _writeSlow is write, which the binding does itself in the plain case (see
    // the binding's write below, where Socket.prototype.write is set).
    _writeSlow(data, encoding, cb) {
      if (typeof encoding === 'function') { cb = encoding; encoding = undefined; }
      if (data === null) throw codeError(TypeError, 'ERR_STREAM_NULL_VALUES', 'May not write null values to stream');
      if (typeof data !== 'string' && !ArrayBuffer.isView(data)) {
        throw invalidArgType('chunk', 'of type string or an instance of Buffer, TypedArray, or DataView', data);
      }
      if (this._writableEnded) {
        const e = codeError(Error, 'ERR_STREAM_WRITE_AFTER_END', 'write after end');
        process.nextTick(() => { if (cb) cb(e); this._destroyWith(e, true); });
        return false;
      }
      if (this.destroyed) {
        const e = codeError(Error, 'ERR_STREAM_DESTROYED', 'Cannot call write after a stream was destroyed');
        process.nextTick(() => { if (cb) cb(e); });
        return false;
      }
      // As Node's, a socket writes the bytes of any typed array or DataView.
      let bytes = data;
      if (typeof data === 'string') bytes = Buffer.from(data, encoding || 'utf8');
      else if (!(data instanceof Uint8Array)) bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      let writable;
      if (this.connecting || this._handle === null) {
        this._queue.push({ bytes: bytes, cb: cb });
        this._queuedBytes = (this._queuedBytes || 0) + bytes.length;
        writable = this.writableLength;
      } else {
        writable = this._write(bytes, cb);
      }
      const ok = writable + (this._queuedBytes || 0) < highWaterMark;
      if (!ok && !this._needDrain) {
        this._needDrain = true;
        if (this._handle !== null) binding.connWantDrain(this._handle, true);
      }
      return ok;
    }

    // _write starts a write and returns the socket's writableLength after it. As
    // Node's, it first writes what the system takes at once; a write that went out
    // whole that way calls back in a nextTick (one for a run of writes with the
    // same callback), the rest of one that did not is written and calls back when
    // it is done.
    _write(bytes, cb) {
      if (this._queuedBytes) this._queuedBytes -= bytes.length;
      const left = binding.connTryWrite(this._handle, bytes);
      if (left !== 0) {
        const rest = left > 0 && left < bytes.length ? bytes.subarray(bytes.length - left) : bytes;
        return binding.connWrite(this._handle, rest, cb);
      }
      // As in Node, a write with no callback owes nothing once it went out whole
      // ('drain' is not due), and leaves a run of writes with one callback whole.
      if (cb) this._afterSyncWrite(cb);
      return 0; // nothing was queued, or the write would have waited
    }

    _afterSyncWrite(cb) {
      const info = this._afterWrite;
      if (info !== null && info.cb === cb) {
        info.count++;
        return;
      }
      this._afterWrite = { socket: this, cb: cb, count: 1 };
      process.nextTick(afterWriteTick, this._afterWrite);
    }

    // _onWritten runs when a write finished that has a callback, or while a
    // 'drain' is owed; _onWriteError when one failed. As in Node, 'drain' comes
    // before the callback, and not once end() was called.
    _onWritten(cb) {
      if (this._needDrain && this.writableLength === 0 && !this.destroyed && !this._writableEnded) {
        this._needDrain = false;
        binding.connWantDrain(this._handle, false);
        this.emit('drain');
      }
      if (cb) cb(null);
    }

    _onWriteError(d, cb) {
      const e = netError(d);
      if (cb) cb(e);
      this._destroyWith(e, true);
    }

    end(data, encoding, cb) {
      if (typeof data === 'function') { cb = data; data = undefined; }
      else if (typeof encoding === 'function') { cb = encoding; encoding = undefined; }
      if (data !== undefined && data !== null) this.write(data, encoding);
      if (this._writableEnded) {
        if (cb) process.nextTick(cb);
        return this;
      }
      this._writableEnded = true;
      this.writable = false;
      if (this._handle !== null) binding.connFast(this._handle, false);
      if (cb) this.once('finish', cb);
      if (!this.connecting && this._handle !== null && !this.destroyed) this._sendEnd();
      return this;
    }

    _sendEnd() {
      this._endSent = true;
      binding.connEnd(this._handle, (d) => {
        if (d) { this._destroyWith(netError(d), true); return; }
        this._finished = true;
        this.emit('finish');
        if (this._endEmitted || this.allowHalfOpen === false && this._ended) this.destroy();
      });
    }

    destroy(err) {
      if (this.destroyed) return this;
      this._destroyWith(err, false);
      return this;
    }

    _destroyWith(err, fromLoop) {
      if (this.destroyed) return;
      this.destroyed = true;
      this.readable = false;
      this.writable = false;
      this.connecting = false;
      if (err) {
        this._hadError = true;
        process.nextTick(() => this.emit('error', err));
      }
      if (this._handle !== null) binding.connClose(this._handle);
      else process.nextTick(() => this._onClose());
    }

    destroySoon() { if (this.writable) this.end(); else this.destroy(); }
    resetAndDestroy() { return this.destroy(); }

    setNoDelay(noDelay) {
      const on = noDelay === undefined ? true : !!noDelay;
      this._noDelay = on;
      if (this._handle !== null && !this.connecting) binding.connNoDelay(this._handle, on);
      return this;
    }

    setKeepAlive(enable, delay) {
      if (this._handle !== null && !this.connecting) binding.connKeepAlive(this._handle, !!enable, ~~(delay / 1000) * 1000);
      return this;
    }

    setTimeout(ms, cb) {
      if (typeof ms !== 'number') throw invalidArgType('msecs', 'of type number', ms);
      this._timeout = ms;
      if (cb !== undefined) {
        if (typeof cb !== 'function') throw invalidArgType('callback', 'of type function', cb);
        if (ms === 0) this.removeListener('timeout', cb);
        else this.once('timeout', cb);
      }
      if (this._handle !== null && !this.connecting) binding.connTimeout(this._handle, ms);
      return this;
    }

    ref() { this._refed = true; if (this._handle && !this.connecting) binding.connRef(this._handle, true); return this; }
    unref() { this._refed = false; if (this._handle && !this.connecting) binding.connRef(this._handle, false); return this; }
  }

  // write is the binding's, nameless as Node's: it writes a Buffer, a Uint8Array
  // or a UTF-8 string to a connected socket itself, and calls _writeSlow for
  // every other write.
  const write = binding.write;
  Object.defineProperty(write, 'name', { value: '', configurable: true });
  Object.defineProperty(write, 'length', { value: 3, configurable: true });
  Object.defineProperty(Socket.prototype, 'write', { value: write, writable: true, configurable: true });
  binding.setup({
    emit: emit,
    Buffer: Buffer,
    Uint8Array: Uint8Array,
    writeSlow: Socket.prototype._writeSlow,
    afterSyncWrite: Socket.prototype._afterSyncWrite,
  });

  class Server extends EventEmitter {
    constructor(options, listener) {
      super();
      if (typeof options === 'function') { listener = options; options = {}; }
      this._options = options || {};
      this._handle = null;
      this._connections = 0;
      this._closing = false;
      this.listening = false;
      this.maxConnections = undefined;
      if (listener) this.on('connection', listener);
    }

    listen(...args) {
      let cb = args[args.length - 1];
      if (typeof cb === 'function') args.pop(); else cb = undefined;
      let port = 0;
      let host;
      if (args[0] !== null && typeof args[0] === 'object') {
        port = args[0].port === undefined ? 0 : args[0].port;
        host = args[0].host;
      } else {
        if (args[0] !== undefined) port = args[0];
        if (typeof args[1] === 'string') host = args[1];
      }
      port = portOf(port);
      if (cb) this.once('listening', cb);
      if (this._handle !== null) throw codeError(Error, 'ERR_SERVER_ALREADY_LISTEN', 'Listen method has been called more than once without closing.');
      host = host === undefined ? '0.0.0.0' : host === 'localhost' ? '127.0.0.1' : host;
      try {
        this._handle = binding.listen(host, port, this);
      } catch (d) {
        if (d instanceof Error) throw d;
        const e = netError(d, host, port);
        process.nextTick(() => this.emit('error', e));
        return this;
      }
      this._closing = false;
      this.listening = true;
      process.nextTick(() => { if (this.listening) this.emit('listening'); });
      return this;
    }

    address() {
      if (this._handle === null) return null;
      return binding.listenerAddress(this._handle);
    }

    _onConnection(handle, remote) {
      const s = new Socket({ allowHalfOpen: this._options.allowHalfOpen });
      s._server = this;
      s.server = this;
      s._attach(handle, remote);
      if (this._noDelay) s.setNoDelay(true);
      this._connections++;
      this.emit('connection', s);
    }

    _socketClosed() {
      this._connections--;
      if (this._closing && this._connections === 0) this._emitClose();
    }

    _emitClose() {
      process.nextTick(() => this.emit('close'));
    }

    close(cb) {
      if (typeof cb === 'function') {
        if (this._handle === null) {
          this.once('close', function onClose() {
            cb(codeError(Error, 'ERR_SERVER_NOT_RUNNING', 'Server is not running.'));
          });
        } else {
          this.once('close', cb);
        }
      }
      if (this._handle !== null) {
        binding.listenerClose(this._handle);
        this._handle = null;
      }
      this.listening = false;
      this._closing = true;
      if (this._connections === 0) this._emitClose();
      return this;
    }

    getConnections(cb) { process.nextTick(cb, null, this._connections); return this; }
    ref() { if (this._handle) binding.listenerRef(this._handle, true); return this; }
    unref() { if (this._handle) binding.listenerRef(this._handle, false); return this; }
  }

  // afterWriteTick calls back the writes that went out at once, in the nextTick
  // their first queued, as Node's stream does.
  function afterWriteTick(info) {
    const s = info.socket;
    s._afterWrite = null;
    for (let i = 0; i < info.count; i++) {
      s._onWritten(info.cb);
    }
  }

  function createServer(options, listener) { return new Server(options, listener); }

  function connect(...args) {
    let options = args[0];
    const s = new Socket(options !== null && typeof options === 'object' ? options : {});
    if (options !== null && typeof options === 'object' && options.timeout) s.setTimeout(options.timeout);
    return s.connect(...args);
  }

  function isIPv4(s) { return /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(s); }
  function isIPv6(s) { return typeof s === 'string' && s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s); }

  return {
    Socket: Socket,
    Stream: Socket,
    Server: Server,
    createServer: createServer,
    connect: connect,
    createConnection: connect,
    isIP: (s) => (isIPv4(s) ? 4 : isIPv6(s) ? 6 : 0),
    isIPv4: isIPv4,
    isIPv6: isIPv6,
  };
})
