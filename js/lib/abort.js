// AbortController and AbortSignal, with the small EventTarget, Event and
// DOMException they need.
(function (binding, builtins, global) {
  'use strict';

  const domCodes = { AbortError: 20, TimeoutError: 23, NotSupportedError: 9, InvalidStateError: 11 };

  class DOMException extends Error {
    constructor(message, options) {
      super(message === undefined ? '' : String(message));
      const name = typeof options === 'string' ? options : options && options.name !== undefined ? String(options.name) : 'Error';
      Object.defineProperty(this, 'name', { value: name, writable: true, configurable: true });
      if (options && typeof options === 'object' && 'cause' in options) {
        Object.defineProperty(this, 'cause', { value: options.cause, writable: true, configurable: true });
      }
    }
    get code() { return domCodes[this.name] || 0; }
  }

  class Event {
    constructor(type, options) {
      if (arguments.length === 0) throw new TypeError('The "type" argument must be specified');
      this.type = String(type);
      this.bubbles = !!(options && options.bubbles);
      this.cancelable = !!(options && options.cancelable);
      this.defaultPrevented = false;
      this.timeStamp = performance.now();
      this.target = null;
      this.currentTarget = null;
      this.isTrusted = false;
    }
    preventDefault() { if (this.cancelable) this.defaultPrevented = true; }
    stopPropagation() {}
    stopImmediatePropagation() { this._stop = true; }
  }

  const kListeners = Symbol('listeners');

  class EventTarget {
    constructor() { Object.defineProperty(this, kListeners, { value: new Map() }); }
    addEventListener(type, listener, options) {
      if (listener === null || listener === undefined) return;
      const once = !!(options && typeof options === 'object' && options.once);
      let list = this[kListeners].get(type);
      if (list === undefined) { list = []; this[kListeners].set(type, list); }
      if (list.some((l) => l.fn === listener)) return;
      list.push({ fn: listener, once: once });
      const signal = options && typeof options === 'object' ? options.signal : undefined;
      if (signal) signal.addEventListener('abort', () => this.removeEventListener(type, listener), { once: true });
    }
    removeEventListener(type, listener) {
      const list = this[kListeners].get(type);
      if (list === undefined) return;
      const i = list.findIndex((l) => l.fn === listener);
      if (i >= 0) list.splice(i, 1);
    }
    dispatchEvent(event) {
      if (!(event instanceof Event)) throw new TypeError('The "event" argument must be an instance of Event. Received ' + typeof event);
      event.target = this;
      event.currentTarget = this;
      const list = (this[kListeners].get(event.type) || []).slice();
      const run = (fn) => {
        try {
          if (typeof fn === 'function') fn.call(this, event);
          else if (fn && typeof fn.handleEvent === 'function') fn.handleEvent(event);
        } catch (err) {
          process.nextTick(() => { throw err; });
        }
      };
      for (const l of list) {
        if (event._stop) break;
        if (l.once) this.removeEventListener(event.type, l.fn);
        run(l.fn);
      }
      event.currentTarget = null;
      return !event.defaultPrevented;
    }
  }

  const kCreate = Symbol('create');

  class AbortSignal extends EventTarget {
    constructor(key) {
      if (key !== kCreate) {
        const e = new TypeError('Illegal constructor');
        e.code = 'ERR_ILLEGAL_CONSTRUCTOR';
        throw e;
      }
      super();
      this._aborted = false;
      this._reason = undefined;
      this._onabort = null;
    }
    get aborted() { return this._aborted; }
    get reason() { return this._reason; }
    throwIfAborted() { if (this._aborted) throw this._reason; }
    static abort(reason) {
      const s = new AbortSignal(kCreate);
      s._aborted = true;
      s._reason = reason === undefined ? new DOMException('This operation was aborted', 'AbortError') : reason;
      return s;
    }
    static timeout(ms) {
      if (typeof ms !== 'number') {
        const e = new TypeError('The "delay" argument must be of type number. Received type ' + typeof ms);
        e.code = 'ERR_INVALID_ARG_TYPE';
        throw e;
      }
      const s = new AbortSignal(kCreate);
      setTimeout(() => abortSignal(s, new DOMException('The operation was aborted due to timeout', 'TimeoutError')), ms).unref();
      return s;
    }
    static any(signals) {
      const s = new AbortSignal(kCreate);
      for (const o of signals) {
        if (o.aborted) { abortSignal(s, o.reason); return s; }
      }
      for (const o of signals) o.addEventListener('abort', () => abortSignal(s, o.reason), { once: true });
      return s;
    }
    get [Symbol.toStringTag]() { return 'AbortSignal'; }
  }
  // onabort is an event handler attribute: it runs among the listeners at the
  // place of its first assignment.
  Object.defineProperty(AbortSignal.prototype, 'onabort', {
    get() { return this._onabort; },
    set(fn) {
      this._onabort = fn;
      if (this._onabortAdded) return;
      this._onabortAdded = true;
      this.addEventListener('abort', (e) => { if (typeof this._onabort === 'function') this._onabort.call(this, e); });
    },
    configurable: true,
  });

  function abortSignal(signal, reason) {
    if (signal._aborted) return;
    signal._aborted = true;
    signal._reason = reason;
    const ev = new Event('abort');
    ev.isTrusted = true;
    signal.dispatchEvent(ev);
  }

  class AbortController {
    constructor() { this._signal = new AbortSignal(kCreate); }
    get signal() { return this._signal; }
    abort(reason) {
      abortSignal(this._signal, reason === undefined ? new DOMException('This operation was aborted', 'AbortError') : reason);
    }
    get [Symbol.toStringTag]() { return 'AbortController'; }
  }

  global.AbortController = AbortController;
  global.AbortSignal = AbortSignal;
  global.EventTarget = EventTarget;
  global.Event = Event;
  global.DOMException = DOMException;
  return { AbortController: AbortController, AbortSignal: AbortSignal, EventTarget: EventTarget, Event: Event, DOMException: DOMException };
})
