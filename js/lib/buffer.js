// Buffer, a Uint8Array subclass as in Node, with its encodings done in Go.
(function (binding, builtins, global) {
  'use strict';

  const inspect = builtins.util.inspect;
  const encodings = ['utf8', 'hex', 'base64', 'base64url', 'latin1', 'ascii', 'utf16le'];

  function normalizeEncoding(enc) {
    if (enc === undefined || enc === null) return 'utf8';
    const e = String(enc).toLowerCase();
    switch (e) {
      case 'utf8': case 'utf-8': return 'utf8';
      case 'binary': case 'latin1': return 'latin1';
      case 'ucs2': case 'ucs-2': case 'utf16le': case 'utf-16le': return 'utf16le';
    }
    return encodings.includes(e) ? e : undefined;
  }

  function encodingOf(enc) {
    const e = normalizeEncoding(enc);
    if (e === undefined) {
      const err = new TypeError('Unknown encoding: ' + enc);
      err.code = 'ERR_UNKNOWN_ENCODING';
      throw err;
    }
    return e;
  }

  function invalidArgType(name, expected, v) {
    let got;
    if (v === undefined || v === null) got = 'Received ' + v;
    else if (typeof v === 'function') got = 'Received function ' + (v.name || '<anonymous>');
    else if (typeof v === 'object') got = 'Received an instance of ' + (v.constructor && v.constructor.name || 'Object');
    else got = 'Received type ' + typeof v + ' (' + inspect(v) + ')';
    const e = new TypeError('The ' + (name === 'first' ? 'first' : '"' + name + '"') + ' argument must be ' + expected + '. ' + got);
    e.code = 'ERR_INVALID_ARG_TYPE';
    return e;
  }

  function outOfRange(name, range, v) {
    const e = new RangeError('The value of "' + name + '" is out of range. It must be ' + range + '. Received ' + String(v).replace(/\B(?=(\d{3})+(?!\d))/g, '_'));
    e.code = 'ERR_OUT_OF_RANGE';
    return e;
  }

  class FastBuffer extends Uint8Array {}

  function Buffer(arg, encodingOrOffset, length) {
    if (typeof arg === 'number') return Buffer.alloc(arg);
    return Buffer.from(arg, encodingOrOffset, length);
  }
  Object.setPrototypeOf(Buffer, Uint8Array);
  Buffer.prototype = FastBuffer.prototype;
  Object.defineProperty(FastBuffer.prototype, 'constructor', { value: Buffer, writable: true, configurable: true });
  Buffer.poolSize = 8192;

  Buffer._fromArrayBuffer = function (ab) { return new FastBuffer(ab); };

  Buffer.from = function from(value, encodingOrOffset, length) {
    if (typeof value === 'string') return new FastBuffer(binding.encode(value, encodingOf(encodingOrOffset)));
    if (value instanceof ArrayBuffer) {
      const off = encodingOrOffset === undefined ? 0 : encodingOrOffset >>> 0;
      const len = length === undefined ? value.byteLength - off : length >>> 0;
      return new FastBuffer(value, off, len);
    }
    if (ArrayBuffer.isView(value)) {
      const n = value.length;
      const out = new FastBuffer(n);
      for (let i = 0; i < n; i++) out[i] = value[i];
      return out;
    }
    if (value !== null && typeof value === 'object') {
      if (value.type === 'Buffer' && Array.isArray(value.data)) return Buffer.from(value.data);
      if (typeof value.length === 'number' || Array.isArray(value)) {
        const n = value.length >>> 0;
        const out = new FastBuffer(n);
        for (let i = 0; i < n; i++) out[i] = value[i];
        return out;
      }
    }
    throw invalidArgType('first', 'of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object', value);
  };

  function checkSize(size) {
    if (typeof size !== 'number') throw invalidArgType('size', 'of type number', size);
    if (!(size >= 0 && size <= 4294967296)) throw outOfRange('size', '>= 0 && <= 4294967296', size);
  }

  Buffer.alloc = function alloc(size, fill, encoding) {
    checkSize(size);
    const b = new FastBuffer(size);
    if (fill !== undefined && fill !== 0 && size > 0) b.fill(fill, encoding);
    return b;
  };
  Buffer.allocUnsafe = function allocUnsafe(size) { checkSize(size); return new FastBuffer(size); };
  Buffer.allocUnsafeSlow = Buffer.allocUnsafe;
  Buffer.isBuffer = function isBuffer(b) { return b instanceof Buffer; };
  Buffer.isEncoding = function isEncoding(e) { return typeof e === 'string' && e !== '' && normalizeEncoding(e) !== undefined; };
  Buffer.byteLength = function byteLength(v, encoding) {
    if (typeof v !== 'string') {
      if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return v.byteLength;
      throw invalidArgType('string', 'of type string or an instance of Buffer or ArrayBuffer', v);
    }
    return binding.byteLength(v, normalizeEncoding(encoding) || 'utf8');
  };
  Buffer.concat = function concat(list, totalLength) {
    if (!Array.isArray(list)) throw invalidArgType('list', 'an instance of Array', list);
    if (totalLength === undefined) {
      totalLength = 0;
      for (const b of list) totalLength += b.length;
    } else {
      if (typeof totalLength !== 'number') throw invalidArgType('length', 'of type number', totalLength);
      if (totalLength !== Math.floor(totalLength)) throw outOfRange('length', 'an integer', totalLength);
      if (!(totalLength >= 0 && totalLength <= 4294967296)) throw outOfRange('length', '>= 0 && <= 4294967296', totalLength);
    }
    const out = Buffer.alloc(totalLength);
    const end = out.length;
    let pos = 0;
    for (let i = 0; i < list.length; i++) {
      const b = list[i];
      if (!(b instanceof Uint8Array)) throw invalidArgType('list[' + i + ']', 'an instance of Buffer or Uint8Array', b);
      const len = b.length;
      const n = Math.min(len, end - pos);
      if (n > 0) {
        out.set(n === len ? b : b.subarray(0, n), pos);
        pos += n;
      }
    }
    return out;
  };
  Buffer.compare = function compare(a, b) { return binding.compare(a, b); };

  const proto = FastBuffer.prototype;

  proto.toString = function toString(encoding, start, end) {
    if (arguments.length === 0) return binding.decode(this, 'utf8');
    const len = this.length;
    start = start === undefined || start < 0 ? 0 : Math.min(start | 0, len);
    end = end === undefined || end > len ? len : end | 0;
    if (end <= start) return '';
    const view = start === 0 && end === len ? this : this.subarray(start, end);
    return binding.decode(view, encodingOf(encoding));
  };
  proto.toLocaleString = proto.toString;
  proto.equals = function equals(other) {
    if (!(other instanceof Uint8Array)) throw invalidArgType('otherBuffer', 'an instance of Buffer or Uint8Array', other);
    return binding.compare(this, other) === 0;
  };
  proto.compare = function compare(target, targetStart, targetEnd, sourceStart, sourceEnd) {
    if (!(target instanceof Uint8Array)) throw invalidArgType('target', 'an instance of Buffer or Uint8Array', target);
    const t = target.subarray(targetStart || 0, targetEnd === undefined ? target.length : targetEnd);
    const s = this.subarray(sourceStart || 0, sourceEnd === undefined ? this.length : sourceEnd);
    return binding.compare(s, t);
  };
  proto.copy = function copy(target, targetStart, sourceStart, sourceEnd) {
    targetStart = targetStart === undefined ? 0 : targetStart | 0;
    sourceStart = sourceStart === undefined ? 0 : sourceStart | 0;
    sourceEnd = sourceEnd === undefined ? this.length : Math.min(sourceEnd | 0, this.length);
    // set copies as memmove does, so a copy within one buffer is right.
    const n = Math.min(sourceEnd - sourceStart, target.length - targetStart);
    if (!(n > 0)) return 0;
    target.set(sourceStart === 0 && n === this.length ? this : this.subarray(sourceStart, sourceStart + n), targetStart);
    return n;
  };
  proto.slice = function slice(start, end) { return this.subarray(start, end); };
  proto.write = function write(string, offset, length, encoding) {
    if (typeof offset === 'string') { encoding = offset; offset = 0; length = undefined; }
    else if (typeof length === 'string') { encoding = length; length = undefined; }
    offset = offset === undefined ? 0 : offset >>> 0;
    const bytes = new Uint8Array(binding.encode(String(string), encodingOf(encoding)));
    let n = Math.min(bytes.length, this.length - offset);
    if (length !== undefined) n = Math.min(n, length >>> 0);
    for (let i = 0; i < n; i++) this[offset + i] = bytes[i];
    return n;
  };
  proto.fill = function fill(value, offset, end, encoding) {
    if (typeof offset === 'string') { encoding = offset; offset = 0; end = this.length; }
    offset = offset === undefined ? 0 : offset;
    end = end === undefined ? this.length : end;
    if (typeof value === 'number') { Uint8Array.prototype.fill.call(this, value & 255, offset, end); return this; }
    const bytes = typeof value === 'string' ? new Uint8Array(binding.encode(value, encodingOf(encoding))) : value;
    const m = bytes.length;
    if (m === 0) { Uint8Array.prototype.fill.call(this, 0, offset, end); return this; }
    for (let i = offset, j = 0; i < end; i++, j = (j + 1) % m) this[i] = bytes[j];
    return this;
  };
  proto.toJSON = function toJSON() {
    const n = this.length;
    const data = new Array(n);
    for (let i = 0; i < n; i++) data[i] = this[i];
    return { type: 'Buffer', data: data };
  };
  proto.indexOf = function indexOf(value, byteOffset, encoding) {
    if (typeof value === 'number') return Uint8Array.prototype.indexOf.call(this, value & 255, byteOffset);
    const needle = typeof value === 'string' ? Buffer.from(value, encoding) : value;
    return binding.indexOf(this, needle, byteOffset === undefined ? 0 : byteOffset | 0);
  };
  proto.includes = function includes(value, byteOffset, encoding) { return this.indexOf(value, byteOffset, encoding) !== -1; };

  function checkOffset(buf, offset, size) {
    if (offset === undefined) offset = 0;
    if (typeof offset !== 'number') throw invalidArgType('offset', 'of type number', offset);
    if (offset !== Math.floor(offset) || offset < 0 || offset + size > buf.length) {
      if (offset !== Math.floor(offset)) throw outOfRange('offset', 'an integer', offset);
      if (buf.length - size < 0) {
        const e = new RangeError('Attempt to access memory outside buffer bounds');
        e.code = 'ERR_BUFFER_OUT_OF_BOUNDS';
        throw e;
      }
      throw outOfRange('offset', '>= 0 and <= ' + (buf.length - size), offset);
    }
    return offset;
  }
  function checkValue(value, max, size) {
    if (typeof value !== 'number') throw invalidArgType('value', 'of type number', value);
    if (!(value >= 0 && value <= max)) {
      const range = size > 4 ? '>= 0 and <= ' + max : '>= 0 and <= ' + max;
      throw outOfRange('value', range, value);
    }
  }

  proto.readUInt8 = function readUInt8(offset) { offset = checkOffset(this, offset, 1); return this[offset]; };
  proto.readUInt16BE = function readUInt16BE(offset) { offset = checkOffset(this, offset, 2); return this[offset] * 256 + this[offset + 1]; };
  proto.readUInt16LE = function readUInt16LE(offset) { offset = checkOffset(this, offset, 2); return this[offset] + this[offset + 1] * 256; };
  proto.readUInt32BE = function readUInt32BE(offset) {
    offset = checkOffset(this, offset, 4);
    return this[offset] * 0x1000000 + this[offset + 1] * 0x10000 + this[offset + 2] * 0x100 + this[offset + 3];
  };
  proto.readUInt32LE = function readUInt32LE(offset) {
    offset = checkOffset(this, offset, 4);
    return this[offset + 3] * 0x1000000 + this[offset + 2] * 0x10000 + this[offset + 1] * 0x100 + this[offset];
  };
  proto.readInt8 = function readInt8(offset) { const v = this.readUInt8(offset); return v > 127 ? v - 256 : v; };
  proto.readInt16BE = function readInt16BE(offset) { const v = this.readUInt16BE(offset); return v > 0x7fff ? v - 0x10000 : v; };
  proto.readInt16LE = function readInt16LE(offset) { const v = this.readUInt16LE(offset); return v > 0x7fff ? v - 0x10000 : v; };
  proto.readInt32BE = function readInt32BE(offset) { return this.readUInt32BE(offset) | 0; };
  proto.readInt32LE = function readInt32LE(offset) { return this.readUInt32LE(offset) | 0; };

  proto.writeUInt8 = function writeUInt8(value, offset) {
    checkValue(value, 0xff, 1); offset = checkOffset(this, offset, 1);
    this[offset] = value; return offset + 1;
  };
  proto.writeUInt16BE = function writeUInt16BE(value, offset) {
    checkValue(value, 0xffff, 2); offset = checkOffset(this, offset, 2);
    this[offset] = value >>> 8; this[offset + 1] = value; return offset + 2;
  };
  proto.writeUInt16LE = function writeUInt16LE(value, offset) {
    checkValue(value, 0xffff, 2); offset = checkOffset(this, offset, 2);
    this[offset] = value; this[offset + 1] = value >>> 8; return offset + 2;
  };
  proto.writeUInt32BE = function writeUInt32BE(value, offset) {
    checkValue(value, 0xffffffff, 4); offset = checkOffset(this, offset, 4);
    this[offset] = value >>> 24; this[offset + 1] = value >>> 16; this[offset + 2] = value >>> 8; this[offset + 3] = value;
    return offset + 4;
  };
  proto.writeUInt32LE = function writeUInt32LE(value, offset) {
    checkValue(value, 0xffffffff, 4); offset = checkOffset(this, offset, 4);
    this[offset + 3] = value >>> 24; this[offset + 2] = value >>> 16; this[offset + 1] = value >>> 8; this[offset] = value;
    return offset + 4;
  };
  for (const n of ['UInt8', 'UInt16BE', 'UInt16LE', 'UInt32BE', 'UInt32LE']) {
    proto['readUint' + n.slice(4)] = proto['readUInt' + n.slice(4)];
    proto['writeUint' + n.slice(4)] = proto['writeUInt' + n.slice(4)];
  }

  proto[inspect.custom] = function () {
    const max = 50;
    let s = '';
    const n = Math.min(this.length, max);
    for (let i = 0; i < n; i++) s += ' ' + (this[i] < 16 ? '0' : '') + this[i].toString(16);
    if (this.length > max) s += ' ... ' + (this.length - max) + ' more byte' + (this.length - max > 1 ? 's' : '');
    return '<Buffer' + (s === '' ? ' ' : s) + '>';
  };

  global.Buffer = Buffer;
  return {
    Buffer: Buffer,
    kMaxLength: 4294967296,
    constants: { MAX_LENGTH: 4294967296, MAX_STRING_LENGTH: 536870888 },
    isEncoding: Buffer.isEncoding,
  };
})
