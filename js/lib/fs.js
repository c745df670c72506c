// fs: the file functions on the loop's pool, their promise forms and the Sync forms,
// with Node's errors.
(function (binding, builtins, global) {
  'use strict';

  const { Buffer } = builtins.buffer;

  // asyncError is the error of a callback: made on the loop, it has no frame of
  // the script, as Node's.
  const noFrames = Symbol.for('nodeloop.noFrames');
  function asyncError(d) {
    const e = uvError(d);
    e.stack = 'Error: ' + e.message;
    Object.defineProperty(e, noFrames, { value: true });
    return e;
  }

  function uvError(d) {
    let msg = d.code + ': ' + d.desc + ', ' + d.syscall;
    if (d.path !== undefined) msg += " '" + d.path + "'";
    if (d.dest !== undefined) msg += " -> '" + d.dest + "'";
    const e = new Error(msg);
    e.errno = d.errno;
    e.code = d.code;
    e.syscall = d.syscall;
    if (d.path !== undefined) e.path = d.path;
    if (d.dest !== undefined) e.dest = d.dest;
    return e;
  }

  const { received, invalidArgType } = builtins['internal/errors'];

  function pathArg(p, name) {
    if (typeof p === 'string') return p;
    if (p instanceof Uint8Array) return Buffer.from(p).toString();
    if (p instanceof URL_) return decodeURIComponent(p.pathname);
    throw invalidArgType(name || 'path', 'of type string or an instance of Buffer or URL', p);
  }
  const URL_ = typeof URL === 'function' ? URL : function NoURL() {};

  function fdArg(fd) {
    if (typeof fd !== 'number') throw invalidArgType('fd', 'of type number', fd);
    return fd;
  }

  function callbackArg(cb) {
    if (typeof cb !== 'function') throw invalidArgType('cb', 'of type function', cb);
    return cb;
  }

  function encodingOf(options, dflt) {
    if (typeof options === 'string') return options;
    if (options && typeof options === 'object' && options.encoding !== undefined) return options.encoding;
    return dflt;
  }

  function dataBytes(data, encoding) {
    if (typeof data === 'string') return Buffer.from(data, encoding || 'utf8');
    if (data instanceof Uint8Array) return data;
    if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    throw invalidArgType('data', 'of type string or an instance of Buffer, TypedArray, or DataView', data);
  }

  // call runs an operation: with a callback (err, value), or as the Sync form.
  function call(name, args, cb, map) {
    if (cb === undefined) {
      let v;
      try {
        v = binding[name](...args);
      } catch (d) {
        throw d instanceof Error ? d : uvError(d);
      }
      return map ? map(v) : v;
    }
    binding[name](...args, function (d, v) {
      if (d) cb(asyncError(d));
      else if (map) cb(null, map(v));
      else cb(null);
    });
    return undefined;
  }

  function lastCallback(args) {
    const cb = args[args.length - 1];
    return callbackArg(cb);
  }

  class Stats {
    constructor(a) {
      this.dev = a[0]; this.mode = a[1]; this.nlink = a[2]; this.uid = a[3]; this.gid = a[4];
      this.rdev = a[5]; this.blksize = a[6]; this.ino = a[7]; this.size = a[8]; this.blocks = a[9];
      this.atimeMs = a[10]; this.mtimeMs = a[11]; this.ctimeMs = a[12]; this.birthtimeMs = a[13];
      this.atime = new Date(a[10]); this.mtime = new Date(a[11]); this.ctime = new Date(a[12]); this.birthtime = new Date(a[13]);
    }
    isFile() { return (this.mode & 0o170000) === 0o100000; }
    isDirectory() { return (this.mode & 0o170000) === 0o040000; }
    isSymbolicLink() { return (this.mode & 0o170000) === 0o120000; }
    isFIFO() { return (this.mode & 0o170000) === 0o010000; }
    isSocket() { return (this.mode & 0o170000) === 0o140000; }
    isCharacterDevice() { return (this.mode & 0o170000) === 0o020000; }
    isBlockDevice() { return (this.mode & 0o170000) === 0o060000; }
  }
  const toStats = (a) => new Stats(a);

  class Dirent {
    constructor(name, dir, file, link) { this.name = name; this._t = dir ? 2 : link ? 3 : file ? 1 : 0; }
    isFile() { return this._t === 1; }
    isDirectory() { return this._t === 2; }
    isSymbolicLink() { return this._t === 3; }
  }
  Object.defineProperty(Dirent.prototype, '_t', { writable: true, enumerable: false, value: 0 });

  function dirMap(options) {
    const types = options && typeof options === 'object' && options.withFileTypes;
    const enc = encodingOf(options, 'utf8');
    return (list) => list.map((e) => {
      if (types) {
        const d = new Dirent(e[0], e[1], e[2], e[3]);
        Object.defineProperty(d, '_t', { enumerable: false, writable: true, value: d._t });
        return d;
      }
      return enc === 'buffer' ? Buffer.from(e[0]) : e[0];
    });
  }

  function contentMap(options) {
    const enc = encodingOf(options, null);
    return (buf) => (enc && enc !== 'buffer' ? buf.toString(enc) : buf);
  }

  const constants = { F_OK: 0, R_OK: 4, W_OK: 2, X_OK: 1, O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2 };

  function flagOf(options, dflt) {
    if (options && typeof options === 'object' && options.flag !== undefined) return options.flag;
    return dflt;
  }

  function writeArgs(path, data, options, append) {
    const flag = flagOf(options, append ? 'a' : 'w');
    return [pathArg(path, 'file'), dataBytes(data, encodingOf(options, 'utf8')), append || flag[0] === 'a'];
  }

  function optionalCallback(args, n) {
    // The options argument before the callback is optional.
    const cb = args[args.length - 1];
    const opts = args.length > n ? args[n - 1] : undefined;
    return [opts, callbackArg(cb)];
  }

  const fs = {
    constants: constants,
    F_OK: 0, R_OK: 4, W_OK: 2, X_OK: 1,
    Stats: Stats,
    Dirent: Dirent,

    readFile(path, ...rest) {
      const [opts, cb] = optionalCallback(rest, 1);
      if (typeof path === 'number') return fs._readFd(path, contentMap(opts), cb);
      call('readFile', [pathArg(path)], cb, contentMap(opts));
    },
    readFileSync(path, options) {
      if (typeof path === 'number') {
        const chunks = [];
        for (;;) {
          const b = call('read', [path, 65536, -1]);
          if (b.length === 0) break;
          chunks.push(b);
        }
        return contentMap(options)(Buffer.concat(chunks));
      }
      return call('readFile', [pathArg(path)], undefined, contentMap(options));
    },
    _readFd(fd, map, cb) {
      const chunks = [];
      const next = () => binding.read(fd, 65536, -1, (d, b) => {
        if (d) return cb(asyncError(d));
        if (b.length === 0) return cb(null, map(Buffer.concat(chunks)));
        chunks.push(b);
        next();
      });
      next();
    },
    writeFile(path, data, ...rest) {
      const [opts, cb] = optionalCallback(rest, 1);
      call('writeFile', writeArgs(path, data, opts, false), cb);
    },
    writeFileSync(path, data, options) {
      if (typeof path === 'number') { fs.writeSync(path, data); return; }
      call('writeFile', writeArgs(path, data, options, false));
    },
    appendFile(path, data, ...rest) {
      const [opts, cb] = optionalCallback(rest, 1);
      call('writeFile', writeArgs(path, data, opts, true), cb);
    },
    appendFileSync(path, data, options) { call('writeFile', writeArgs(path, data, options, true)); },
    stat(path, ...rest) { const [, cb] = optionalCallback(rest, 1); call('stat', [pathArg(path), false], cb, toStats); },
    lstat(path, ...rest) { const [, cb] = optionalCallback(rest, 1); call('stat', [pathArg(path), true], cb, toStats); },
    fstat(fd, ...rest) { const [, cb] = optionalCallback(rest, 1); call('fstat', [fdArg(fd)], cb, toStats); },
    statSync(path, options) {
      try {
        return call('stat', [pathArg(path), false], undefined, toStats);
      } catch (e) {
        if (options && options.throwIfNoEntry === false && e.code === 'ENOENT') return undefined;
        throw e;
      }
    },
    lstatSync(path) { return call('stat', [pathArg(path), true], undefined, toStats); },
    fstatSync(fd) { return call('fstat', [fdArg(fd)], undefined, toStats); },
    existsSync(path) {
      try { return binding.exists(pathArg(path)); } catch (e) { return false; }
    },
    exists(path, cb) {
      callbackArg(cb);
      let p;
      try { p = pathArg(path); } catch (e) { process.nextTick(cb, false); return; }
      binding.access(p, 0, (d) => cb(!d));
    },
    access(path, ...rest) {
      const cb = lastCallback(rest);
      const mode = rest.length > 1 && typeof rest[0] === 'number' ? rest[0] : 0;
      call('access', [pathArg(path), mode], cb);
    },
    accessSync(path, mode) { call('access', [pathArg(path), mode === undefined ? 0 : mode]); },
    mkdir(path, ...rest) {
      const [opts, cb] = optionalCallback(rest, 1);
      const recursive = !!(opts && typeof opts === 'object' && opts.recursive);
      const p = pathArg(path);
      call('mkdir', [p, recursive], cb ? (e) => (e ? cb(e) : recursive ? cb(null, p) : cb(null)) : cb);
    },
    mkdirSync(path, options) {
      const recursive = !!(options && typeof options === 'object' && options.recursive);
      const p = pathArg(path);
      call('mkdir', [p, recursive]);
      return recursive ? p : undefined;
    },
    readdir(path, ...rest) {
      const [opts, cb] = optionalCallback(rest, 1);
      call('readdir', [pathArg(path)], cb, dirMap(opts));
    },
    readdirSync(path, options) { return call('readdir', [pathArg(path)], undefined, dirMap(options)); },
    unlink(path, cb) { call('remove', [pathArg(path), 'unlink'], callbackArg(cb)); },
    unlinkSync(path) { call('remove', [pathArg(path), 'unlink']); },
    rmdir(path, ...rest) { const [, cb] = optionalCallback(rest, 1); call('remove', [pathArg(path), 'rmdir'], cb); },
    rmdirSync(path) { call('remove', [pathArg(path), 'rmdir']); },
    rename(from, to, cb) { call('rename', [pathArg(from, 'oldPath'), pathArg(to, 'newPath')], callbackArg(cb)); },
    renameSync(from, to) { call('rename', [pathArg(from, 'oldPath'), pathArg(to, 'newPath')]); },
    open(path, ...rest) {
      const cb = lastCallback(rest);
      const flags = rest.length > 1 && rest[0] !== undefined && rest[0] !== null ? rest[0] : 'r';
      const mode = rest.length > 2 && rest[1] !== undefined && rest[1] !== null ? rest[1] : 0o666;
      call('open', [pathArg(path), String(flags), mode], cb, (fd) => fd);
    },
    openSync(path, flags, mode) {
      return call('open', [pathArg(path), String(flags === undefined || flags === null ? 'r' : flags), mode === undefined ? 0o666 : mode]);
    },
    close(fd, cb) { call('close', [fdArg(fd)], cb === undefined ? () => {} : callbackArg(cb)); },
    closeSync(fd) { call('close', [fdArg(fd)]); },
    fsync(fd, cb) { call('fsync', [fdArg(fd)], callbackArg(cb)); },
    fsyncSync(fd) { call('fsync', [fdArg(fd)]); },
    fdatasync(fd, cb) { call('fsync', [fdArg(fd)], callbackArg(cb)); },
    fdatasyncSync(fd) { call('fsync', [fdArg(fd)]); },
    read(fd, buffer, offset, length, position, cb) {
      if (typeof buffer === 'function') { cb = buffer; buffer = Buffer.alloc(16384); offset = 0; length = buffer.length; position = -1; }
      else if (typeof offset === 'function') { cb = offset; offset = 0; length = buffer.length - 0; position = -1; }
      else if (offset !== null && typeof offset === 'object') {
        const o = offset; cb = length;
        offset = o.offset || 0; length = o.length === undefined ? buffer.length - offset : o.length; position = o.position;
      }
      callbackArg(cb);
      const pos = typeof position === 'number' ? position : typeof position === 'bigint' ? Number(position) : -1;
      binding.read(fdArg(fd), length, pos, (d, b) => {
        if (d) return cb(asyncError(d));
        for (let i = 0; i < b.length; i++) buffer[offset + i] = b[i];
        cb(null, b.length, buffer);
      });
    },
    readSync(fd, buffer, offset, length, position) {
      if (offset !== null && typeof offset === 'object') {
        const o = offset; offset = o.offset || 0; length = o.length; position = o.position;
      }
      offset = offset === undefined ? 0 : offset;
      length = length === undefined ? buffer.length - offset : length;
      const pos = typeof position === 'number' ? position : -1;
      const b = call('read', [fdArg(fd), length, pos]);
      for (let i = 0; i < b.length; i++) buffer[offset + i] = b[i];
      return b.length;
    },
    write(fd, data, ...rest) {
      const cb = lastCallback(rest);
      const args = rest.slice(0, -1);
      let bytes;
      let position = -1;
      if (typeof data === 'string') {
        if (typeof args[0] === 'number') position = args[0];
        bytes = Buffer.from(data, typeof args[1] === 'string' ? args[1] : 'utf8');
      } else {
        const offset = typeof args[0] === 'number' ? args[0] : 0;
        const length = typeof args[1] === 'number' ? args[1] : data.length - offset;
        if (typeof args[2] === 'number') position = args[2];
        bytes = dataBytes(data).subarray(offset, offset + length);
      }
      binding.write(fdArg(fd), bytes, position, (d, n) => (d ? cb(asyncError(d)) : cb(null, n, data)));
    },
    writeSync(fd, data, a, b, c) {
      let bytes;
      let position = -1;
      if (typeof data === 'string') {
        if (typeof a === 'number') position = a;
        bytes = Buffer.from(data, typeof b === 'string' ? b : 'utf8');
      } else {
        const offset = typeof a === 'number' ? a : 0;
        const length = typeof b === 'number' ? b : data.length - offset;
        if (typeof c === 'number') position = c;
        bytes = dataBytes(data).subarray(offset, offset + length);
      }
      return call('write', [fdArg(fd), bytes, position]);
    },
  };

  function promised(fn) {
    return function (...args) {
      return new Promise((resolve, reject) => {
        fn(...args, (err, v) => (err ? reject(err) : resolve(v)));
      });
    };
  }

  class FileHandle {
    constructor(fd) { this.fd = fd; }
    async read(buffer, offset, length, position) {
      if (buffer === undefined) buffer = Buffer.alloc(16384);
      return new Promise((resolve, reject) => {
        fs.read(this.fd, buffer, offset === undefined ? 0 : offset, length === undefined ? buffer.length : length, position === undefined ? null : position,
          (err, bytesRead) => (err ? reject(err) : resolve({ bytesRead: bytesRead, buffer: buffer })));
      });
    }
    async write(data, ...args) {
      return new Promise((resolve, reject) => {
        fs.write(this.fd, data, ...args, (err, n) => (err ? reject(err) : resolve(typeof data === 'string' ? { bytesWritten: n, buffer: data } : { bytesWritten: n, buffer: data })));
      });
    }
    readFile(options) { return promised(fs.readFile)(this.fd, options); }
    async writeFile(data, options) {
      const bytes = dataBytes(data, encodingOf(options, 'utf8'));
      await this.write(bytes, 0, bytes.length, null);
    }
    stat() { return promised(fs.fstat)(this.fd); }
    sync() { return promised(fs.fsync)(this.fd); }
    datasync() { return promised(fs.fdatasync)(this.fd); }
    close() { return promised(fs.close)(this.fd); }
  }

  fs.promises = {
    constants: constants,
    readFile: promised(fs.readFile),
    writeFile: promised(fs.writeFile),
    appendFile: promised(fs.appendFile),
    stat: promised(fs.stat),
    lstat: promised(fs.lstat),
    access: promised(fs.access),
    mkdir: promised(fs.mkdir),
    readdir: promised(fs.readdir),
    unlink: promised(fs.unlink),
    rmdir: promised(fs.rmdir),
    rename: promised(fs.rename),
    open(path, flags, mode) {
      return new Promise((resolve, reject) => {
        fs.open(path, flags, mode, (err, fd) => (err ? reject(err) : resolve(new FileHandle(fd))));
      });
    },
  };
  builtins['fs/promises'] = fs.promises;
  return fs;
})
