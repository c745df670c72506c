// crypto: createHash and createHmac, pbkdf2 on the loop's pool, randomBytes,
// randomUUID, randomInt and getRandomValues, every random byte from the runtime's
// source.
(function (binding, builtins, global) {
  'use strict';

  const { Buffer } = builtins.buffer;

  const { received, invalidArgType } = builtins['internal/errors'];

  function bytes(v, name, encoding) {
    if (typeof v === 'string') return Buffer.from(v, encoding || 'utf8');
    if (v instanceof Uint8Array) return v;
    if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    if (v instanceof ArrayBuffer) return new Uint8Array(v);
    throw invalidArgType(name, 'of type string or an instance of ArrayBuffer, Buffer, TypedArray, or DataView', v);
  }

  function checkDigest(name) {
    if (typeof name !== 'string') throw invalidArgType('digest', 'of type string', name);
    if (!binding.hasDigest(name)) {
      const e = new TypeError('Invalid digest: ' + name);
      e.code = 'ERR_CRYPTO_INVALID_DIGEST';
      throw e;
    }
  }

  function checkInt(v, name, min, max) {
    if (typeof v !== 'number') throw invalidArgType(name, 'of type number', v);
    if (!Number.isInteger(v) || v < min || v > max) {
      const e = new RangeError('The value of "' + name + '" is out of range. It must be ' +
        (Number.isInteger(v) ? '>= ' + min + ' && <= ' + max : 'an integer') + '. Received ' + String(v).replace(/\B(?=(\d{3})+(?!\d))/g, '_'));
      e.code = 'ERR_OUT_OF_RANGE';
      throw e;
    }
  }

  class Hash {
    constructor(algorithm, key) {
      if (typeof algorithm !== 'string') throw invalidArgType('algorithm', 'of type string', algorithm);
      if (!binding.hasDigest(algorithm)) {
        const e = new Error(key === undefined ? 'Digest method not supported' : 'Invalid digest: ' + algorithm);
        if (key !== undefined) e.code = 'ERR_CRYPTO_INVALID_DIGEST';
        throw e;
      }
      Object.defineProperty(this, '_h', { value: binding.hashNew(algorithm, key === undefined ? undefined : bytes(key, 'key')) });
      Object.defineProperty(this, '_done', { value: false, writable: true });
    }
    update(data, encoding) {
      if (this._done) {
        const e = new Error('Digest already called');
        e.code = 'ERR_CRYPTO_HASH_FINALIZED';
        throw e;
      }
      if (typeof data !== 'string' && !ArrayBuffer.isView(data)) throw invalidArgType('data', 'of type string or an instance of Buffer, TypedArray, or DataView', data);
      binding.hashUpdate(this._h, bytes(data, 'data', encoding));
      return this;
    }
    digest(encoding) {
      if (this._done) {
        const e = new Error('Digest already called');
        e.code = 'ERR_CRYPTO_HASH_FINALIZED';
        throw e;
      }
      this._done = true;
      const out = binding.hashDigest(this._h);
      return encoding === undefined || encoding === 'buffer' ? out : out.toString(encoding);
    }
  }
  class Hmac extends Hash {}

  function pbkdf2Args(password, salt, iterations, keylen, digest) {
    const p = bytes(password, 'password');
    const s = bytes(salt, 'salt');
    checkInt(iterations, 'iterations', 1, 2147483647);
    checkInt(keylen, 'keylen', 0, 2147483647);
    checkDigest(digest);
    return [p, s, iterations, keylen, digest];
  }

  const crypto = {
    createHash(algorithm) { return new Hash(algorithm); },
    createHmac(algorithm, key) {
      if (typeof algorithm !== 'string') throw invalidArgType('hmac', 'of type string', algorithm);
      return new Hmac(algorithm, key);
    },
    getHashes() { return ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512']; },
    pbkdf2(password, salt, iterations, keylen, digest, callback) {
      if (typeof digest === 'function') { callback = digest; digest = undefined; }
      if (typeof callback !== 'function') throw invalidArgType('callback', 'of type function', callback);
      binding.pbkdf2(...pbkdf2Args(password, salt, iterations, keylen, digest), callback);
    },
    pbkdf2Sync(password, salt, iterations, keylen, digest) {
      return binding.pbkdf2(...pbkdf2Args(password, salt, iterations, keylen, digest));
    },
    randomBytes(size, callback) {
      checkInt(size, 'size', 0, 2147483647);
      if (callback !== undefined && typeof callback !== 'function') throw invalidArgType('callback', 'of type function', callback);
      return binding.randomBytes(size, callback);
    },
    randomUUID() {
      const b = binding.randomBytes(16);
      b[6] = (b[6] & 0x0f) | 0x40;
      b[8] = (b[8] & 0x3f) | 0x80;
      const h = b.toString('hex');
      return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
    },
    randomInt(min, max, callback) {
      if (max === undefined || typeof max === 'function') { callback = max; max = min; min = 0; }
      const range = max - min;
      const b = binding.randomBytes(6);
      const v = min + Math.floor((b.readUInt32BE(0) * 65536 + b.readUInt16BE(4)) / 2 ** 48 * range);
      if (typeof callback === 'function') { process.nextTick(callback, null, v); return undefined; }
      return v;
    },
    getRandomValues(array) {
      if (!ArrayBuffer.isView(array) || array instanceof DataView ||
          array instanceof Float32Array || array instanceof Float64Array) {
        throw new DOMException('The data argument must be an integer-type TypedArray', 'TypeMismatchError');
      }
      if (array.byteLength > 65536) {
        throw new DOMException("The ArrayBufferView's byte length (" + array.byteLength +
          ') exceeds the number of bytes of entropy available via this API (65536)', 'QuotaExceededError');
      }
      binding.fillRandom(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
      return array;
    },
    Hash: Hash,
    Hmac: Hmac,
  };
  return crypto;
})
