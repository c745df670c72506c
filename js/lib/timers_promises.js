// timers/promises: setTimeout, setImmediate and scheduler as promises, setInterval as
// an async iterator (its next and return; the engine has no for await...of).
(function (binding, builtins, global) {
  'use strict';

  const timers = builtins.timers;

  class AbortError extends Error {
    constructor(message, options) {
      super(message === undefined ? 'The operation was aborted' : message, options);
      this.code = 'ABORT_ERR';
      Object.defineProperty(this, 'name', { value: 'AbortError', writable: true, configurable: true });
    }
  }

  function invalidArgType(name, expected, v) {
    const got = v === undefined || v === null ? 'Received ' + v : 'Received type ' + typeof v + ' (' + builtins.util.inspect(v) + ')';
    const e = new TypeError('The "' + name + '" argument must be ' + expected + '. ' + got);
    e.code = 'ERR_INVALID_ARG_TYPE';
    return e;
  }

  function checkOptions(options) {
    if (options === null || typeof options !== 'object') throw invalidArgType('options', 'of type object', options);
    const { signal, ref } = options;
    if (signal !== undefined && (signal === null || typeof signal !== 'object' || !('aborted' in signal))) {
      throw invalidArgType('options.signal', 'an instance of AbortSignal', signal);
    }
    if (ref !== undefined && typeof ref !== 'boolean') throw invalidArgType('options.ref', 'of type boolean', ref);
    return { signal: signal, ref: ref };
  }

  function later(start, clear, value, options) {
    let opts;
    try {
      opts = checkOptions(options);
    } catch (e) {
      return Promise.reject(e);
    }
    const { signal, ref } = opts;
    if (signal && signal.aborted) return Promise.reject(new AbortError(undefined, { cause: signal.reason }));
    return new Promise((resolve, reject) => {
      let onAbort;
      const handle = start(() => {
        if (signal) signal.removeEventListener('abort', onAbort);
        resolve(value);
      });
      if (ref === false) handle.unref();
      if (signal) {
        onAbort = () => {
          clear(handle);
          reject(new AbortError(undefined, { cause: signal.reason }));
        };
        signal.addEventListener('abort', onAbort, { once: true });
      }
    });
  }

  function setTimeout(delay, value, options = {}) {
    return later((fn) => timers.setTimeout(fn, delay), timers.clearTimeout, value, options);
  }

  function setImmediate(value, options = {}) {
    return later((fn) => timers.setImmediate(fn), timers.clearImmediate, value, options);
  }

  function setInterval(delay, value, options = {}) {
    const { signal, ref } = checkOptions(options);
    let fired = 0;
    let waiting = null;
    let done = false;
    let handle = null;
    const finish = () => {
      done = true;
      if (handle) timers.clearInterval(handle);
      if (signal && onAbort) signal.removeEventListener('abort', onAbort);
    };
    let onAbort;
    if (!(signal && signal.aborted)) {
      handle = timers.setInterval(() => {
        fired++;
        if (waiting) {
          const w = waiting;
          waiting = null;
          fired--;
          w.resolve({ value: value, done: false });
        }
      }, delay);
      if (ref === false) handle.unref();
      if (signal) {
        onAbort = () => {
          finish();
          if (waiting) {
            const w = waiting;
            waiting = null;
            w.reject(new AbortError(undefined, { cause: signal.reason }));
          }
        };
        signal.addEventListener('abort', onAbort, { once: true });
      }
    }
    const iterator = {
      next() {
        if (signal && signal.aborted) {
          finish();
          return Promise.reject(new AbortError(undefined, { cause: signal.reason }));
        }
        if (done) return Promise.resolve({ value: undefined, done: true });
        if (fired > 0) {
          fired--;
          return Promise.resolve({ value: value, done: false });
        }
        return new Promise((resolve, reject) => { waiting = { resolve: resolve, reject: reject }; });
      },
      return() {
        finish();
        if (waiting) {
          const w = waiting;
          waiting = null;
          w.resolve({ value: undefined, done: true });
        }
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]() { return this; },
    };
    return iterator;
  }

  // Scheduler is scheduler's class, as Node's: a script cannot make another.
  const schedulerToken = Symbol('scheduler');
  class Scheduler {
    constructor(token) {
      if (token !== schedulerToken) {
        const e = new TypeError('Illegal constructor');
        e.code = 'ERR_ILLEGAL_CONSTRUCTOR';
        throw e;
      }
    }
    wait(delay, options) { return setTimeout(delay, undefined, options === undefined ? {} : options); }
    yield() { return setImmediate(); }
  }
  const scheduler = new Scheduler(schedulerToken);

  return { setTimeout: setTimeout, setImmediate: setImmediate, setInterval: setInterval, scheduler: scheduler };
})
