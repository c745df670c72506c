// The runtime's own JavaScript: console, process, the timer functions and the
// built-in modules. It runs once, as a function of the Go binding, and returns
// what the Go side needs. Frames of this file are dropped from printed stacks.
(function (binding, global) {
  'use strict';

  const builtins = Object.create(null);

  // ---- errors -----------------------------------------------------------------

  function describeReceived(v) {
    if (v === undefined) return 'Received undefined';
    if (v === null) return 'Received null';
    if (typeof v === 'function') return 'Received function ' + (v.name || '<anonymous>');
    if (typeof v === 'object') {
      if (v.constructor && v.constructor.name) return 'Received an instance of ' + v.constructor.name;
      return 'Received ' + inspect(v, { depth: -1 });
    }
    let shown = inspect(v, { colors: false });
    if (shown.length > 28) shown = shown.slice(0, 25) + '...';
    return 'Received type ' + typeof v + ' (' + shown + ')';
  }

  function invalidArgType(name, expected, actual) {
    const e = new TypeError('The "' + name + '" argument must be of type ' + expected + '. ' + describeReceived(actual));
    e.code = 'ERR_INVALID_ARG_TYPE';
    return e;
  }

  // internal/errors is what the modules of lib/ share to describe a wrong argument,
  // as Node's lib/internal/errors.js: received says what was given, invalidArgType
  // makes the ERR_INVALID_ARG_TYPE TypeError, expected being the whole phrase after
  // "must be". require does not reach it.
  builtins['internal/errors'] = {
    received: function (v) {
      if (v === undefined || v === null) return 'Received ' + v;
      if (typeof v === 'function') return 'Received function ' + (v.name || '<anonymous>');
      if (typeof v === 'object') return 'Received an instance of ' + (v.constructor && v.constructor.name || 'Object');
      let s = inspect(v);
      if (s.length > 28) s = s.slice(0, 25) + '...';
      return 'Received type ' + typeof v + ' (' + s + ')';
    },
    invalidArgType: function (name, expected, v) {
      const e = new TypeError('The "' + name + '" argument must be ' + expected + '. ' + builtins['internal/errors'].received(v));
      e.code = 'ERR_INVALID_ARG_TYPE';
      return e;
    },
  };

  function validateFunction(fn, name) {
    if (typeof fn !== 'function') throw invalidArgType(name, 'function', fn);
  }

  // ---- events -----------------------------------------------------------------

  function EventEmitter() {
    EventEmitter.init.call(this);
  }
  EventEmitter.init = function () {
    if (this._events === undefined || this._events === Object.getPrototypeOf(this)._events) {
      this._events = Object.create(null);
    }
    this._maxListeners = this._maxListeners || undefined;
  };
  EventEmitter.EventEmitter = EventEmitter;
  // errorMonitor's listeners see every 'error' before the 'error' listeners do,
  // and do not count as handling it.
  EventEmitter.errorMonitor = Symbol('events.errorMonitor');

  function outOfRange(name, range, v) {
    const e = new RangeError('The value of "' + name + '" is out of range. It must be ' + range + '. Received ' + inspect(v));
    e.code = 'ERR_OUT_OF_RANGE';
    return e;
  }

  // validateMaxListeners checks a count of listeners: a number, not negative.
  function validateMaxListeners(n, name) {
    if (typeof n !== 'number') throw invalidArgType(name, 'number', n);
    if (n < 0 || n !== n) throw outOfRange(name, 'a non-negative number', n);
  }

  let defaultMaxListeners = 10;
  Object.defineProperty(EventEmitter, 'defaultMaxListeners', {
    enumerable: true,
    get: function () { return defaultMaxListeners; },
    set: function (n) {
      validateMaxListeners(n, 'defaultMaxListeners');
      defaultMaxListeners = n;
    },
  });
  EventEmitter.setMaxListeners = function setMaxListeners(n, ...targets) {
    if (n === undefined) n = defaultMaxListeners;
    validateMaxListeners(n, 'n');
    if (targets.length === 0) {
      defaultMaxListeners = n;
      return;
    }
    for (const t of targets) {
      if (t === null || typeof t !== 'object' || typeof t.setMaxListeners !== 'function') {
        throw builtins['internal/errors'].invalidArgType('eventTargets', 'an instance of EventEmitter or EventTarget', t);
      }
      t.setMaxListeners(n);
    }
  };

  // _events holds, by event name, the one listener of an event that has one and
  // an array of them when it has more, as Node's emitters do. An emitter with a
  // _listenersChanged method (net's Socket) has it called with the event's name
  // after its listeners changed, with undefined after all of them were removed.
  function listenersOf(ee, name) {
    if (ee._events === undefined) ee._events = Object.create(null);
    const list = ee._events[name];
    return typeof list === 'function' ? [list] : list;
  }

  function addTo(ee, name, fn, prepend) {
    validateFunction(fn, 'listener');
    if (ee._events === undefined) ee._events = Object.create(null);
    if (ee._events.newListener !== undefined) {
      ee.emit('newListener', name, fn.listener ? fn.listener : fn);
    }
    let list = ee._events[name];
    if (list === undefined) {
      ee._events[name] = fn;
      if (ee._listenersChanged !== undefined) ee._listenersChanged(name);
      return ee;
    }
    if (typeof list === 'function') list = ee._events[name] = prepend ? [fn, list] : [list, fn];
    else if (prepend) list.unshift(fn);
    else list.push(fn);
    if (ee._listenersChanged !== undefined) ee._listenersChanged(name);
    // Past the emitter's maximum, a warning, once per event name.
    const max = ee._maxListeners === undefined ? defaultMaxListeners : ee._maxListeners;
    if (max > 0 && list.length > max && !list.warned) {
      list.warned = true;
      const w = new Error('Possible EventEmitter memory leak detected. ' + list.length + ' ' + String(name) +
        ' listeners added to ' + inspect(ee, { depth: -1 }) + '. MaxListeners is ' + max +
        '. Use emitter.setMaxListeners() to increase limit');
      w.name = 'MaxListenersExceededWarning';
      w.emitter = ee;
      w.type = name;
      w.count = list.length;
      process.emitWarning(w);
    }
    return ee;
  }

  function onceWrapper(ee, name, fn) {
    const state = { fired: false };
    function wrapped(...args) {
      if (state.fired) return undefined;
      state.fired = true;
      ee.removeListener(name, wrapped);
      return fn.apply(ee, args);
    }
    wrapped.listener = fn;
    return wrapped;
  }

  EventEmitter.prototype.addListener = function addListener(name, fn) { return addTo(this, name, fn, false); };
  EventEmitter.prototype.on = EventEmitter.prototype.addListener;
  EventEmitter.prototype.prependListener = function prependListener(name, fn) { return addTo(this, name, fn, true); };
  EventEmitter.prototype.once = function once(name, fn) {
    validateFunction(fn, 'listener');
    return addTo(this, name, onceWrapper(this, name, fn), false);
  };
  EventEmitter.prototype.prependOnceListener = function prependOnceListener(name, fn) {
    validateFunction(fn, 'listener');
    return addTo(this, name, onceWrapper(this, name, fn), true);
  };
  EventEmitter.prototype.removeListener = function removeListener(name, fn) {
    validateFunction(fn, 'listener');
    if (this._events === undefined) return this;
    const list = this._events[name];
    if (list === undefined) return this;
    // The event names what was listening, as Node's does: for an event's only
    // listener, the function once wrapped.
    if (list === fn || list.listener === fn) {
      delete this._events[name];
      if (this._listenersChanged !== undefined) this._listenersChanged(name);
      if (this._events.removeListener !== undefined) this.emit('removeListener', name, list.listener || fn);
      return this;
    }
    if (typeof list === 'function') return this;
    for (let i = list.length - 1; i >= 0; i--) {
      if (list[i] === fn || list[i].listener === fn) {
        list.splice(i, 1);
        if (list.length === 1) this._events[name] = list[0];
        if (this._listenersChanged !== undefined) this._listenersChanged(name);
        if (this._events.removeListener !== undefined) this.emit('removeListener', name, fn);
        break;
      }
    }
    return this;
  };
  EventEmitter.prototype.off = EventEmitter.prototype.removeListener;
  EventEmitter.prototype.removeAllListeners = function removeAllListeners(name) {
    if (this._events === undefined) return this;
    if (this._events.removeListener === undefined) {
      if (arguments.length === 0) this._events = Object.create(null);
      else delete this._events[name];
      if (this._listenersChanged !== undefined) this._listenersChanged(arguments.length === 0 ? undefined : name);
      return this;
    }
    // With 'removeListener' listeners, each removal is an event, those
    // listeners' own last.
    if (arguments.length === 0) {
      for (const key of Reflect.ownKeys(this._events)) {
        if (key !== 'removeListener') this.removeAllListeners(key);
      }
      this.removeAllListeners('removeListener');
      this._events = Object.create(null);
      if (this._listenersChanged !== undefined) this._listenersChanged(undefined);
      return this;
    }
    const list = this._events[name];
    if (typeof list === 'function') this.removeListener(name, list);
    else if (list !== undefined) {
      for (let i = list.length - 1; i >= 0; i--) this.removeListener(name, list[i]);
    }
    return this;
  };
  EventEmitter.prototype.emit = function emit(name, ...args) {
    if (name === 'error' && this._events !== undefined && this._events[EventEmitter.errorMonitor] !== undefined) {
      this.emit(EventEmitter.errorMonitor, ...args);
    }
    if (this._events === undefined) this._events = Object.create(null);
    const list = this._events[name];
    if (typeof list === 'function') {
      list.apply(this, args);
      return true;
    }
    if (list === undefined || list.length === 0) {
      if (name === 'error') {
        const er = args[0];
        if (er instanceof Error) throw er;
        let shown;
        try {
          shown = inspect(er);
        } catch (_) {
          shown = String(er);
        }
        const e = new Error('Unhandled error. (' + shown + ')');
        e.code = 'ERR_UNHANDLED_ERROR';
        e.context = er;
        throw e;
      }
      return false;
    }
    const snapshot = list.slice();
    for (let i = 0; i < snapshot.length; i++) snapshot[i].apply(this, args);
    return true;
  };
  EventEmitter.prototype.listenerCount = function listenerCount(name) {
    const list = listenersOf(this, name);
    return list === undefined ? 0 : list.length;
  };
  EventEmitter.listenerCount = function (ee, name) { return ee.listenerCount(name); };
  EventEmitter.prototype.listeners = function listeners(name) {
    const list = listenersOf(this, name);
    return list === undefined ? [] : list.map((f) => f.listener || f);
  };
  EventEmitter.prototype.rawListeners = function rawListeners(name) {
    const list = listenersOf(this, name);
    return list === undefined ? [] : list.slice();
  };
  EventEmitter.prototype.eventNames = function eventNames() {
    return this._events === undefined ? [] : Reflect.ownKeys(this._events);
  };
  EventEmitter.prototype.setMaxListeners = function setMaxListeners(n) {
    validateMaxListeners(n, 'n');
    this._maxListeners = n;
    return this;
  };
  EventEmitter.prototype.getMaxListeners = function getMaxListeners() {
    return this._maxListeners === undefined ? defaultMaxListeners : this._maxListeners;
  };
  EventEmitter.once = function (ee, name) {
    return new Promise((resolve, reject) => {
      const onError = (err) => { ee.removeListener(name, onEvent); reject(err); };
      const onEvent = (...args) => { if (name !== 'error') ee.removeListener('error', onError); resolve(args); };
      ee.once(name, onEvent);
      if (name !== 'error') ee.once('error', onError);
    });
  };
  builtins.events = EventEmitter;

  // ---- util.inspect and util.format -----------------------------------------

  const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

  function quote(s) {
    let q = "'";
    if (s.includes("'")) {
      if (!s.includes('"')) q = '"';
      else if (!s.includes('`') && !s.includes('${')) q = '`';
    }
    let out = '';
    for (const ch of s) {
      if (ch === q || ch === '\\') out += '\\' + ch;
      else if (ch === '\n') out += '\\n';
      else if (ch === '\t') out += '\\t';
      else if (ch === '\r') out += '\\r';
      else if (ch === '\b') out += '\\b';
      else if (ch === '\f') out += '\\f';
      else if (ch === '\v') out += '\\v';
      else if (ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f) out += '\\x' + ch.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase();
      else out += ch;
    }
    return q + out + q;
  }

  function formatPrimitive(v) {
    switch (typeof v) {
      case 'string': return quote(v);
      case 'number': return Object.is(v, -0) ? '-0' : String(v);
      case 'bigint': return String(v) + 'n';
      case 'boolean': return String(v);
      case 'undefined': return 'undefined';
      case 'symbol': return v.toString();
    }
    return String(v);
  }

  function functionBase(fn) {
    const src = Function.prototype.toString.call(fn);
    if (src.startsWith('class') && /^class\s*[\s{A-Za-z_$]/.test(src)) {
      return fn.name ? '[class ' + fn.name + ']' : '[class (anonymous)]';
    }
    let kind = 'Function';
    const tag = fn[Symbol.toStringTag];
    if (tag === 'AsyncFunction') kind = 'AsyncFunction';
    else if (tag === 'GeneratorFunction') kind = 'GeneratorFunction';
    return fn.name ? '[' + kind + ': ' + fn.name + ']' : '[' + kind + ' (anonymous)]';
  }

  function formatKey(k) {
    if (typeof k === 'symbol') return '[' + k.toString() + ']';
    return identifier.test(k) ? k : quote(k);
  }

  const noFrames = Symbol.for('nodeloop.noFrames');

  function errorText(err) {
    const stack = err.stack;
    // An error made with no frame at all (a callback's error of the loop) is
    // shown in brackets, as Node does.
    if (err[noFrames] === true) return '[' + Error.prototype.toString.call(err) + ']';
    if (typeof stack === 'string' && stack !== '') return binding.nodeStack(stack);
    return Error.prototype.toString.call(err);
  }

  // reduce joins an object's entries: on one line when they, their separators and
  // the braces fit in 80 columns and the object holds fewer than three levels of
  // nesting, else one entry a line.
  function reduce(ctx, entries, open, close, prefix, depthBelow) {
    const head = prefix ? prefix + ' ' : '';
    if (depthBelow < 3 && !head.includes('\n')) {
      let total = entries.length + ctx.indent + open.length + head.length + 10;
      let multiline = false;
      for (const e of entries) {
        total += e.length;
        if (e.includes('\n')) multiline = true;
      }
      if (!multiline && total <= 80) return head + open + ' ' + entries.join(', ') + ' ' + close;
    }
    const pad = '\n' + ' '.repeat(ctx.indent);
    return head + open + pad + '  ' + entries.join(',' + pad + '  ') + pad + close;
  }

  // groupColumns lays the entries of a long array of short items out in aligned
  // columns, as Node does for arrays of more than six entries: the number of
  // columns grows with the square root of the entries and shrinks as they widen;
  // numbers are aligned right, anything else left. It returns the rows, or the
  // entries unchanged when they are too wide to group.
  function groupColumns(ctx, entries, arr) {
    const more = entries.length > 0 && entries[entries.length - 1].startsWith('... ') ? 1 : 0;
    const n = entries.length - more;
    const sep = 2;
    let widest = 0;
    let total = 0;
    for (let i = 0; i < n; i++) {
      widest = Math.max(widest, entries[i].length);
      total += entries[i].length + sep;
    }
    const cell = widest + sep;
    if (!(cell * 3 + ctx.indent < 80 && (total / cell > 5 || widest <= 6))) return entries;
    const bias = Math.sqrt(cell - total / entries.length);
    const biased = Math.max(cell - 3 - bias, 1);
    const columns = Math.min(
      Math.round(Math.sqrt(2.5 * biased * n) / biased),
      Math.floor((80 - ctx.indent) / cell),
      12,
      15);
    if (columns <= 1) return entries;
    const widths = [];
    for (let c = 0; c < columns; c++) {
      let w = 0;
      for (let i = c; i < n; i += columns) w = Math.max(w, entries[i].length);
      widths.push(w + sep);
    }
    let right = true;
    for (let i = 0; i < n; i++) {
      if (typeof arr[i] !== 'number' && typeof arr[i] !== 'bigint') { right = false; break; }
    }
    const rows = [];
    for (let start = 0; start < n; start += columns) {
      const end = Math.min(start + columns, n);
      let row = '';
      for (let i = start; i < end; i++) {
        const w = widths[i - start];
        const last = i === end - 1;
        if (right) row += last ? entries[i].padStart(w - sep) : (entries[i] + ', ').padStart(w);
        else row += last ? entries[i] : (entries[i] + ', ').padEnd(w);
      }
      rows.push(row);
    }
    if (more) rows.push(entries[entries.length - 1]);
    return rows;
  }

  function formatValue(ctx, v, depth, top) {
    if (v === null) return 'null';
    if (typeof v !== 'object' && typeof v !== 'function') {
      if (top && typeof v === 'string') return v;
      return formatPrimitive(v);
    }
    if (ctx.seen.includes(v)) return '[Circular *1]';
    if (typeof v[inspect.custom] === 'function' && v[inspect.custom] !== inspect) return String(v[inspect.custom](ctx.depth - depth, {}, inspect));
    const keys = Object.keys(v);
    if (typeof v === 'function') {
      const base = functionBase(v);
      const own = keys.filter((k) => k !== 'prototype');
      if (own.length === 0) { ctx.levels = Math.max(ctx.levels, 0); return base; }
      return formatEntries(ctx, v, own, depth, '{', '}', base, false);
    }
    if (v instanceof Error) {
      const text = errorText(v);
      const own = keys.filter((k) => k !== 'stack' && k !== 'message');
      if (own.length === 0) return text;
      return formatEntries(ctx, v, own, depth, '{', '}', text, false);
    }
    if (Array.isArray(v)) {
      return formatEntries(ctx, v, keys, depth, '[', ']', '', true);
    }
    if (v instanceof Map) {
      if (depth > ctx.depth) return '[Map]';
      const entries = [];
      ctx.seen.push(v); ctx.indent += 2;
      let below = 0;
      for (const [k, val] of v) {
        ctx.levels = 0;
        const s = formatValue(ctx, k, depth + 1, false) + ' => ' + formatValue(ctx, val, depth + 1, false);
        below = Math.max(below, ctx.levels);
        entries.push(s);
      }
      ctx.seen.pop(); ctx.indent -= 2;
      ctx.levels = below + 1;
      if (entries.length === 0) return 'Map(0) {}';
      return reduce(ctx, entries, '{', '}', 'Map(' + v.size + ')', below);
    }
    if (v instanceof Set) {
      if (depth > ctx.depth) return '[Set]';
      const entries = [];
      ctx.seen.push(v); ctx.indent += 2;
      let below = 0;
      for (const val of v) {
        ctx.levels = 0;
        entries.push(formatValue(ctx, val, depth + 1, false));
        below = Math.max(below, ctx.levels);
      }
      ctx.seen.pop(); ctx.indent -= 2;
      ctx.levels = below + 1;
      if (entries.length === 0) return 'Set(0) {}';
      return reduce(ctx, entries, '{', '}', 'Set(' + v.size + ')', below);
    }
    if (v instanceof Date) return isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
    if (v instanceof RegExp) return v.toString();
    if (v instanceof Promise) return 'Promise { ' + binding.promiseState(v) + ' }';
    if (typeof v.constructor === 'function' && v.constructor.name === 'Symbol') return v.toString();
    let prefix = '';
    const proto = Object.getPrototypeOf(v);
    if (proto === null) prefix = '[Object: null prototype]';
    else if (proto.constructor && proto.constructor.name && proto.constructor !== Object) prefix = proto.constructor.name;
    const tag = v[Symbol.toStringTag];
    if (typeof tag === 'string' && tag !== '' && tag !== prefix) prefix = prefix ? prefix + ' [' + tag + ']' : 'Object [' + tag + ']';
    const symbols = Object.getOwnPropertySymbols(v).filter((s) => Object.prototype.propertyIsEnumerable.call(v, s));
    return formatEntries(ctx, v, keys.concat(symbols), depth, '{', '}', prefix, false);
  }

  function formatEntries(ctx, v, keys, depth, open, close, prefix, isArray) {
    if (keys.length === 0 && !isArray) {
      ctx.levels = 0;
      return prefix && open === '{' && prefix.startsWith('[') && !prefix.startsWith('[Object') ? prefix : (prefix ? prefix + ' {}' : '{}');
    }
    if (isArray && v.length === 0 && keys.length === 0) { ctx.levels = 0; return '[]'; }
    if (depth > ctx.depth) {
      ctx.levels = 0;
      if (isArray) return '[Array]';
      return '[' + (prefix && !prefix.startsWith('[') ? prefix : 'Object') + ']';
    }
    ctx.seen.push(v);
    ctx.indent += 2;
    const entries = [];
    let below = 0;
    const add = (s) => { below = Math.max(below, ctx.levels); entries.push(s); };
    if (isArray) {
      let holes = 0;
      const shown = Math.min(v.length, 100);
      for (let i = 0; i < shown; i++) {
        if (!Object.prototype.hasOwnProperty.call(v, i)) { holes++; continue; }
        if (holes > 0) { entries.push('<' + holes + ' empty item' + (holes > 1 ? 's' : '') + '>'); holes = 0; }
        ctx.levels = 0;
        add(formatValue(ctx, v[i], depth + 1, false));
      }
      if (holes > 0) entries.push('<' + holes + ' empty item' + (holes > 1 ? 's' : '') + '>');
      if (v.length > shown) entries.push('... ' + (v.length - shown) + ' more item' + (v.length - shown > 1 ? 's' : ''));
      keys = keys.filter((k) => typeof k === 'symbol' || !(String(k >>> 0) === k && (k >>> 0) < 4294967295));
    }
    for (const k of keys) {
      ctx.levels = 0;
      const desc = Object.getOwnPropertyDescriptor(v, k);
      let shown;
      if (desc && desc.get !== undefined) shown = desc.set !== undefined ? '[Getter/Setter]' : '[Getter]';
      else if (desc && desc.set !== undefined) shown = '[Setter]';
      else shown = formatValue(ctx, v[k], depth + 1, false);
      add(formatKey(k) + ': ' + shown);
    }
    ctx.seen.pop();
    ctx.indent -= 2;
    ctx.levels = below + 1;
    if (entries.length === 0) return prefix ? prefix + ' ' + open + close : open + close;
    if (isArray && entries.length > 6) {
      const rows = groupColumns(ctx, entries, v);
      if (rows.length !== entries.length) return reduce(ctx, rows, open, close, prefix, Infinity);
    }
    return reduce(ctx, entries, open, close, prefix, below);
  }

  function inspect(v, opts) {
    let depth = 2;
    if (opts && typeof opts === 'object' && opts.depth !== undefined) depth = opts.depth === null ? Infinity : opts.depth;
    const ctx = { depth: depth, seen: [], indent: 0, levels: 0 };
    return formatValue(ctx, v, 0, false);
  }
  inspect.custom = Symbol.for('nodejs.util.inspect.custom');

  function formatWithOptions(opts, ...args) {
    const first = args[0];
    let out = '';
    let next = 0;
    if (typeof first === 'string') {
      next = 1;
      if (args.length === 1) return first;
      let last = 0;
      for (let i = 0; i < first.length - 1; i++) {
        if (first.charCodeAt(i) !== 37) continue; // '%'
        const c = first[i + 1];
        if (c === '%') { out += first.slice(last, i) + '%'; last = i + 2; i++; continue; }
        if (next >= args.length) continue;
        let s;
        const a = args[next];
        switch (c) {
          case 's':
            if (typeof a === 'number') s = formatPrimitive(a);
            else if (typeof a === 'bigint') s = String(a) + 'n';
            else if (typeof a === 'object' && a !== null) s = inspect(a, { depth: 0 });
            else s = String(a);
            break;
          case 'd': {
            if (typeof a === 'bigint') s = String(a) + 'n';
            else if (typeof a === 'symbol') s = 'NaN';
            else s = formatPrimitive(Number(a));
            break;
          }
          case 'i': {
            if (typeof a === 'bigint') s = String(a) + 'n';
            else if (typeof a === 'symbol') s = 'NaN';
            else s = formatPrimitive(parseInt(a));
            break;
          }
          case 'f':
            s = typeof a === 'symbol' ? 'NaN' : formatPrimitive(parseFloat(a));
            break;
          case 'j':
            try { s = JSON.stringify(a); } catch (e) { s = '[Circular]'; }
            break;
          case 'o':
            s = inspect(a, { depth: 4 });
            break;
          case 'O':
            s = inspect(a);
            break;
          case 'c':
            s = '';
            break;
          default:
            continue;
        }
        out += first.slice(last, i) + s;
        last = i + 2;
        i++;
        next++;
      }
      out += first.slice(last);
    }
    for (; next < args.length; next++) {
      const a = args[next];
      if (out !== '' || next > 0) out += ' ';
      out += typeof a === 'string' ? a : inspect(a, opts);
    }
    return out;
  }

  function format(...args) { return formatWithOptions(undefined, ...args); }

  function promisify(original) {
    validateFunction(original, 'original');
    if (original[promisify.custom]) return original[promisify.custom];
    function fn(...args) {
      return new Promise((resolve, reject) => {
        Reflect.apply(original, this, [...args, (err, value) => (err ? reject(err) : resolve(value))]);
      });
    }
    Object.setPrototypeOf(fn, Object.getPrototypeOf(original));
    return Object.defineProperties(fn, Object.getOwnPropertyDescriptors(original));
  }
  promisify.custom = Symbol.for('nodejs.util.promisify.custom');

  function isDeepStrictEqual(a, b) { return deepEqual(a, b, []); }

  builtins.util = {
    format: format,
    formatWithOptions: formatWithOptions,
    inspect: inspect,
    promisify: promisify,
    isDeepStrictEqual: isDeepStrictEqual,
    inherits: function inherits(ctor, superCtor) {
      Object.defineProperty(ctor, 'super_', { value: superCtor, writable: true, configurable: true });
      Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
    },
    types: {
      isPromise: (v) => v instanceof Promise,
      isDate: (v) => v instanceof Date,
      isRegExp: (v) => v instanceof RegExp,
      isMap: (v) => v instanceof Map,
      isSet: (v) => v instanceof Set,
      isNativeError: (v) => v instanceof Error,
    },
  };

  // ---- assert -----------------------------------------------------------------

  class AssertionError extends Error {
    constructor(options) {
      super(options.message);
      this.generatedMessage = options.generated === true;
      this.code = 'ERR_ASSERTION';
      this.actual = options.actual;
      this.expected = options.expected;
      this.operator = options.operator;
    }
  }
  Object.defineProperty(AssertionError.prototype, 'name', { value: 'AssertionError', writable: true, configurable: true });

  function fail(actual, expected, message, operator, generated) {
    if (message instanceof Error) throw message;
    throw new AssertionError({ message: message, actual: actual, expected: expected, operator: operator, generated: generated });
  }

  function deepEqual(a, b, seen) {
    if (Object.is(a, b)) return true;
    if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
    if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
    if (Object.prototype.toString.call(a) !== Object.prototype.toString.call(b)) return false;
    for (const [x, y] of seen) if (x === a && y === b) return true;
    seen.push([a, b]);
    if (a instanceof Date && a.getTime() !== b.getTime()) return false;
    if (a instanceof RegExp && String(a) !== String(b)) return false;
    if (a instanceof Error && (a.message !== b.message || a.name !== b.name)) return false;
    if (Array.isArray(a) && a.length !== b.length) return false;
    if (a instanceof Map) {
      if (a.size !== b.size) return false;
      for (const [k, v] of a) if (!b.has(k) || !deepEqual(v, b.get(k), seen)) return false;
    }
    if (a instanceof Set) {
      if (a.size !== b.size) return false;
      for (const v of a) if (!b.has(v)) return false;
    }
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    for (const k of ka) {
      if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
      if (!deepEqual(a[k], b[k], seen)) return false;
    }
    return true;
  }

  function shown(v) { return inspect(v); }

  function ok(value, message) {
    if (!value) {
      fail(value, true, message === undefined ? (arguments.length === 0 ? 'No value argument passed to `assert.ok()`' : shown(value) + ' == true') : message, '==', message === undefined);
    }
  }
  function assert(value, message) { ok.apply(null, arguments.length === 0 ? [] : [value, message]); }
  assert.ok = ok;
  assert.AssertionError = AssertionError;
  assert.fail = function (message) {
    if (arguments.length === 0) message = 'Failed';
    fail(undefined, undefined, message, 'fail', arguments.length === 0);
  };
  assert.equal = function equal(actual, expected, message) {
    if (!(actual == expected || (actual !== actual && expected !== expected))) {
      fail(actual, expected, message === undefined ? shown(actual) + ' == ' + shown(expected) : message, '==', message === undefined);
    }
  };
  assert.notEqual = function notEqual(actual, expected, message) {
    if (actual == expected || (actual !== actual && expected !== expected)) {
      fail(actual, expected, message === undefined ? shown(actual) + ' != ' + shown(expected) : message, '!=', message === undefined);
    }
  };
  assert.strictEqual = function strictEqual(actual, expected, message) {
    if (!Object.is(actual, expected)) {
      fail(actual, expected, message === undefined ? 'Expected values to be strictly equal:\n\n' + shown(actual) + ' !== ' + shown(expected) + '\n' : message, 'strictEqual', message === undefined);
    }
  };
  assert.notStrictEqual = function notStrictEqual(actual, expected, message) {
    if (Object.is(actual, expected)) {
      fail(actual, expected, message === undefined ? 'Expected "actual" to be strictly unequal to: ' + shown(expected) : message, 'notStrictEqual', message === undefined);
    }
  };
  assert.deepStrictEqual = function deepStrictEqual(actual, expected, message) {
    if (!deepEqual(actual, expected, [])) {
      fail(actual, expected, message === undefined ? 'Expected values to be strictly deep-equal:\n' + shown(actual) + '\n\nshould equal\n\n' + shown(expected) : message, 'deepStrictEqual', message === undefined);
    }
  };
  assert.deepEqual = assert.deepStrictEqual;
  assert.notDeepStrictEqual = function notDeepStrictEqual(actual, expected, message) {
    if (deepEqual(actual, expected, [])) {
      fail(actual, expected, message === undefined ? 'Expected "actual" not to be strictly deep-equal to: ' + shown(expected) : message, 'notDeepStrictEqual', message === undefined);
    }
  };

  function matches(err, expected) {
    if (expected === undefined) return true;
    if (typeof expected === 'function') {
      if (expected.prototype !== undefined && err instanceof expected) return true;
      if (Error.isPrototypeOf(expected) || expected === Error) return false;
      return expected.call({}, err) === true;
    }
    if (expected instanceof RegExp) return expected.test(String(err));
    if (typeof expected === 'object' && expected !== null) {
      for (const k of Object.keys(expected)) {
        const want = expected[k];
        const got = err === null || err === undefined ? undefined : err[k];
        if (want instanceof RegExp && typeof got === 'string') { if (!want.test(got)) return false; }
        else if (!deepEqual(got, want, [])) return false;
      }
      return true;
    }
    return true;
  }

  assert.throws = function throws(fn, expected, message) {
    validateFunction(fn, 'fn');
    if (typeof expected === 'string') { message = expected; expected = undefined; }
    try {
      fn();
    } catch (err) {
      if (!matches(err, expected)) {
        if (typeof expected === 'function' && (expected.prototype === undefined || !(err instanceof Error) || Error.isPrototypeOf(expected) || expected === Error)) throw err;
        fail(err, expected, message === undefined ? 'The error did not match the expected value' : message, 'throws', message === undefined);
      }
      return;
    }
    fail(undefined, expected, message === undefined ? 'Missing expected exception.' : 'Missing expected exception: ' + message, 'throws', message === undefined);
  };
  assert.doesNotThrow = function doesNotThrow(fn, message) {
    validateFunction(fn, 'fn');
    try { fn(); } catch (err) {
      fail(err, undefined, 'Got unwanted exception.\nActual message: "' + (err && err.message) + '"', 'doesNotThrow', true);
    }
  };
  assert.rejects = async function rejects(promiseOrFn, expected, message) {
    let p = promiseOrFn;
    if (typeof p === 'function') p = p();
    try {
      await p;
    } catch (err) {
      if (!matches(err, expected)) fail(err, expected, message === undefined ? 'The error did not match the expected value' : message, 'rejects', message === undefined);
      return;
    }
    fail(undefined, expected, 'Missing expected rejection.', 'rejects', true);
  };
  assert.match = function match(string, regexp, message) {
    if (typeof string !== 'string' || !regexp.test(string)) {
      fail(string, regexp, message === undefined ? 'The input did not match the regular expression ' + String(regexp) + '. Input:\n\n' + shown(string) + '\n' : message, 'match', message === undefined);
    }
  };
  assert.ifError = function ifError(err) { if (err !== null && err !== undefined) throw err; };
  assert.strict = assert;
  builtins.assert = assert;

  // ---- console ----------------------------------------------------------------

  const console = {
    log: function log(...args) { binding.write(1, format(...args) + '\n'); },
    info: function info(...args) { binding.write(1, format(...args) + '\n'); },
    debug: function debug(...args) { binding.write(1, format(...args) + '\n'); },
    error: function error(...args) { binding.write(2, format(...args) + '\n'); },
    warn: function warn(...args) { binding.write(2, format(...args) + '\n'); },
    trace: function trace(...args) { binding.write(2, 'Trace: ' + format(...args) + '\n'); },
    dir: function dir(v, opts) { binding.write(1, inspect(v, opts) + '\n'); },
  };

  // ---- timers -----------------------------------------------------------------

  // Symbol.dispose and Symbol.asyncDispose, which Node 20 defines where the engine
  // has not: the timers are disposable.
  for (const [name, description] of [['dispose', 'nodejs.dispose'], ['asyncDispose', 'nodejs.asyncDispose']]) {
    if (typeof Symbol[name] !== 'symbol') {
      Object.defineProperty(Symbol, name, { value: Symbol.for(description), writable: false, enumerable: false, configurable: false });
    }
  }

  const timeoutMax = 2 ** 31 - 1;

  function coerceDelay(after) {
    after *= 1;
    if (!(after >= 1 && after <= timeoutMax)) {
      if (after > timeoutMax) {
        process.emitWarning(after + ' does not fit into a 32-bit signed integer.\nTimeout duration was set to 1.', 'TimeoutOverflowWarning');
      }
      after = 1;
    }
    return after;
  }

  // A Timeout or an Immediate is made by the binding's setTimeout, setInterval and
  // setImmediate, with these classes' prototypes: the classes are never constructed.
  class Timeout {
    // Called on another object (unref.bind({})), the methods do nothing, as
    // Node's do.
    ref() { binding.timerRef(this, true); return this; }
    unref() { binding.timerRef(this, false); return this; }
    hasRef() { return binding.timerHasRef(this); }
    refresh() { binding.timerRefresh(this); return this; }
    close() { binding.timerClear(this); return this; }
    [Symbol.dispose]() { clearTimeout(this); }
    [Symbol.toPrimitive]() { return this._id; }
  }

  class Immediate {
    ref() { binding.immediateRef(this, true); return this; }
    unref() { binding.immediateRef(this, false); return this; }
    hasRef() { return binding.immediateHasRef(this); }
    [Symbol.dispose]() { clearImmediate(this); }
  }

  // named gives a function of the binding the name and length of Node's.
  function named(fn, name, length) {
    Object.defineProperty(fn, 'name', { value: name, configurable: true });
    Object.defineProperty(fn, 'length', { value: length, configurable: true });
    return fn;
  }

  binding.timerSetup(Timeout.prototype, Immediate.prototype, validateFunction, coerceDelay);
  const setTimeout = named(binding.setTimeout, 'setTimeout', 2);
  const setInterval = named(binding.setInterval, 'setInterval', 2);
  const setImmediate = named(binding.setImmediate, 'setImmediate', 1);
  function clearTimeout(timer) {
    if (timer instanceof Timeout && binding.timerClear(timer)) return;
    if (typeof timer === 'number' || typeof timer === 'string') binding.timerClearID(Number(timer));
  }
  function clearImmediate(immediate) {
    if (!immediate || !(immediate instanceof Immediate) || immediate._destroyed) return;
    immediate._destroyed = true;
    binding.immediateClear(immediate);
  }

  // ---- the deprecated timers API --------------------------------------------
  //
  // enroll, unenroll, active and _unrefActive time an object of the script's
  // own, which has _onTimeout and _idleTimeout, as Node 20 still does: a Timeout
  // made by active, kept under a symbol, calls the object's _onTimeout. Each
  // warns once that it is deprecated.

  const enrolledTimer = Symbol('nodeloop.enrolledTimer');
  const deprecationsWarned = new Set();

  function deprecated(code, message) {
    if (deprecationsWarned.has(code)) return;
    deprecationsWarned.add(code);
    process.emitWarning(message, 'DeprecationWarning', code);
  }

  function enroll(item, msecs) {
    deprecated('DEP0095', 'timers.enroll() is deprecated. Please use setTimeout instead.');
    if (typeof msecs !== 'number') throw invalidArgType('msecs', 'number', msecs);
    if (msecs < 0 || !isFinite(msecs)) throw outOfRange('msecs', 'a non-negative finite number', msecs);
    if (msecs > timeoutMax) {
      process.emitWarning(msecs + ' does not fit into a 32-bit signed integer.\nTimer duration was truncated to ' + timeoutMax + '.', 'TimeoutOverflowWarning');
      msecs = timeoutMax;
    }
    if (item._idleNext) stopEnrolled(item);
    item._idleTimeout = msecs;
  }

  function stopEnrolled(item) {
    const t = item[enrolledTimer];
    if (t !== undefined) {
      item[enrolledTimer] = undefined;
      clearTimeout(t);
    }
    item._idleNext = null;
    item._idlePrev = null;
  }

  function unenroll(item) {
    deprecated('DEP0096', 'timers.unenroll() is deprecated. Please use clearTimeout instead.');
    if (item._destroyed) return;
    if (item instanceof Timeout) clearTimeout(item);
    else stopEnrolled(item);
    item._destroyed = true;
    item._idleTimeout = -1;
  }

  function activate(item, refed) {
    const msecs = item._idleTimeout;
    if (msecs === undefined || msecs < 0) return;
    if (item instanceof Timeout) {
      item.refresh();
      if (!refed) item.unref();
      return;
    }
    stopEnrolled(item);
    const t = setTimeout(function enrolledTimeout() {
      if (item[enrolledTimer] !== t) return;
      item[enrolledTimer] = undefined;
      item._idleNext = null;
      item._idlePrev = null;
      // An object without _onTimeout is dropped, as Node drops it.
      if (item._onTimeout) item._onTimeout();
      if (item[enrolledTimer] === undefined) item._destroyed = true;
    }, Math.min(Math.max(msecs, 1), timeoutMax));
    if (!refed) t.unref();
    item[enrolledTimer] = t;
    item._idleStart = Math.floor(binding.performanceNow());
    item._idleNext = item;
    item._idlePrev = item;
    item._destroyed = false;
  }

  builtins.timers = {
    setTimeout: setTimeout,
    setInterval: setInterval,
    setImmediate: setImmediate,
    clearTimeout: clearTimeout,
    clearInterval: clearTimeout,
    clearImmediate: clearImmediate,
    enroll: enroll,
    unenroll: unenroll,
    active: function active(item) {
      deprecated('DEP0126', 'timers.active() is deprecated. Please use timeout.refresh() instead.');
      activate(item, true);
    },
    _unrefActive: function _unrefActive(item) {
      deprecated('DEP0127', 'timers._unrefActive() is deprecated. Please use timeout.refresh() instead.');
      activate(item, false);
    },
  };

  // A microtask is a reaction of a promise already resolved, so it shares the
  // engine's one job queue with every other promise reaction.
  const resolved = Promise.resolve();
  // Its queueing and its run are traced, as a nextTick's are.
  function queueMicrotask(callback) {
    validateFunction(callback, 'callback');
    const id = binding.microtaskQueued(callback);
    resolved.then(function runMicrotask() {
      binding.microtaskRuns(id);
      try {
        callback();
      } catch (err) {
        binding.uncaught(err, 'uncaughtException');
      }
    });
  }

  // ---- process ----------------------------------------------------------------

  const process = Object.create(EventEmitter.prototype);
  EventEmitter.init.call(process);
  process.title = 'node';
  process.version = binding.version;
  process.versions = { node: binding.version.slice(1), nodeloop: 'dev' };
  process.arch = binding.arch;
  process.platform = binding.platform;
  process.pid = binding.pid;
  process.argv = binding.argv;
  process.execArgv = [];
  process.execPath = binding.argv[0];
  process.env = binding.env;
  process.exitCode = undefined;
  process._exiting = false;
  process.release = { name: 'node' };
  process.features = {};
  process.config = { variables: {} };
  process.cwd = function cwd() { return binding.cwd; };
  process.nextTick = named(binding.nextTick, 'nextTick', 1);
  process.exit = function exit(code) {
    if (code !== undefined) process.exitCode = code;
    if (!process._exiting) {
      process._exiting = true;
      process.emit('exit', process.exitCode | 0);
    }
    binding.reallyExit(process.exitCode | 0);
  };
  process.reallyExit = function reallyExit(code) { binding.reallyExit(code | 0); };
  process.abort = function abort() { binding.reallyExit(134); };
  process.hrtime = function hrtime(prev) {
    const t = binding.hrtime();
    if (prev === undefined) return t;
    if (!Array.isArray(prev)) throw builtins['internal/errors'].invalidArgType('time', 'an instance of Array', prev);
    if (prev.length !== 2) throw outOfRange('time', '2', prev.length);
    let s = t[0] - prev[0];
    let ns = t[1] - prev[1];
    if (ns < 0) { s--; ns += 1e9; }
    return [s, ns];
  };
  process.hrtime.bigint = function bigint() { return binding.hrtimeBigint(); };
  process.uptime = function uptime() { return binding.uptime(); };
  process.cpuUsage = function cpuUsage(prev) {
    const [user, system] = binding.cpuUsage();
    if (prev === undefined) return { user, system };
    return { user: user - prev.user, system: system - prev.system };
  };
  process.memoryUsage = function memoryUsage() { return binding.memoryUsage(); };
  process.emitWarning = function emitWarning(warning, type, code) {
    if (typeof type === 'object' && type !== null) { code = type.code; type = type.type; }
    let w = warning;
    if (!(w instanceof Error)) {
      w = new Error(String(warning));
      w.name = typeof type === 'string' ? type : 'Warning';
      if (code !== undefined) w.code = code;
    }
    process.nextTick(() => {
      process.emit('warning', w);
    });
  };
  // The hint to trace warnings follows the first warning printed, as Node's.
  let warningHinted = false;
  process.on('warning', function defaultWarning(w) {
    if (process.listenerCount('warning') > 1) return;
    const code = w.code ? '[' + w.code + '] ' : '';
    let text = '(node:' + process.pid + ') ' + code + w.name + ': ' + w.message + '\n';
    if (!warningHinted) {
      warningHinted = true;
      const flag = w.name === 'DeprecationWarning' ? '--trace-deprecation' : '--trace-warnings';
      text += '(Use `node ' + flag + ' ...` to show where the warning was created)\n';
    }
    binding.write(2, text);
  });
  process.stdout = { write: function write(s) { binding.write(1, String(s)); return true; }, isTTY: false, fd: 1 };
  process.stderr = { write: function write(s) { binding.write(2, String(s)); return true; }, isTTY: false, fd: 2 };
  process.getActiveResourcesInfo = function getActiveResourcesInfo() { return binding.activeResources(); };
  process.binding = function () { throw new Error('nodeloop: process.binding is not supported'); };

  builtins.process = process;

  const performance = {
    now: function now() { return binding.performanceNow(); },
    timeOrigin: binding.timeOrigin,
  };
  builtins.perf_hooks = { performance: performance };

  // exitNormally runs the 'exit' listeners with the exit code and ends the run.
  function exitNormally() {
    if (!process._exiting) {
      process._exiting = true;
      process.emit('exit', process.exitCode | 0);
    }
    binding.reallyExit(process.exitCode | 0);
  }

  function emitBeforeExit() {
    process.emit('beforeExit', process.exitCode | 0);
  }

  // uncaught hands an exception to the 'uncaughtException' listeners and reports
  // whether there were any.
  // Once a listener handled it, an Immediate that does nothing makes sure that the
  // next check phase is not empty, as Node's handler does: the ticks and
  // microtasks the exception left run when it has run, at the latest.
  function uncaught(err, origin) {
    if (process.listenerCount('uncaughtException') === 0) return false;
    process.emit('uncaughtException', err, origin);
    setImmediate(noop);
    return true;
  }
  function noop() {}

  // rejectionsMode is Node's --unhandled-rejections, which Node also takes from
  // NODE_OPTIONS when it starts: throw (the default), strict, warn, none or
  // warn-with-error-code.
  const rejectionsMode = (function () {
    const options = binding.env.NODE_OPTIONS;
    const m = typeof options === 'string' ? /(?:^|\s)--unhandled-rejections=(\S+)/.exec(options) : null;
    if (m !== null && ['throw', 'strict', 'warn', 'none', 'warn-with-error-code'].includes(m[1])) return m[1];
    return 'throw';
  })();
  // Each rejection reported unhandled has an id, for its warnings, until a
  // handler is added to it.
  const rejectionIds = new WeakMap();
  let lastRejectionId = 0;

  function warnUnhandledRejection(reason, id) {
    const name = 'UnhandledPromiseRejectionWarning';
    let stack;
    try {
      if (typeof reason === 'object' && reason !== null && typeof reason.stack === 'string') stack = binding.nodeStack(reason.stack);
      process.emitWarning(stack !== undefined ? stack : String(reason), name);
    } catch (_) {
      // A reason that cannot be shown is warned about only by the second warning.
    }
    const w = new Error('Unhandled promise rejection. This error originated either by throwing inside of an async function ' +
      'without a catch block, or by rejecting a promise which was not handled with .catch(). To terminate the node process ' +
      'on unhandled promise rejection, use the CLI flag `--unhandled-rejections=strict` ' +
      '(see https://nodejs.org/api/cli.html#cli_unhandled_rejections_mode). (rejection id: ' + id + ')');
    w.name = name;
    if (stack !== undefined) w.stack = stack;
    process.emitWarning(w);
  }

  // unhandledRejection reports whether a rejection nobody handled is dealt with;
  // when it is not, Go raises it as an uncaught exception.
  function unhandledRejection(reason, promise) {
    const id = ++lastRejectionId;
    rejectionIds.set(promise, id);
    switch (rejectionsMode) {
      case 'strict':
        // Uncaught first (the program ends unless a listener handles it), then
        // the event.
        binding.uncaught(reason instanceof Error ? reason : makeUnhandledRejection(reason), 'unhandledRejection');
        process.emit('unhandledRejection', reason, promise);
        return true;
      case 'none':
        process.emit('unhandledRejection', reason, promise);
        return true;
      case 'warn':
        process.emit('unhandledRejection', reason, promise);
        warnUnhandledRejection(reason, id);
        return true;
      case 'warn-with-error-code':
        if (!process.emit('unhandledRejection', reason, promise)) {
          warnUnhandledRejection(reason, id);
          process.exitCode = 1;
        }
        return true;
    }
    return process.emit('unhandledRejection', reason, promise);
  }

  // rejectionHandled is called when a handler is added to a promise reported
  // unhandled: 'rejectionHandled' is emitted, or without a listener a
  // PromiseRejectionHandledWarning, once the microtasks queued meanwhile ran, as
  // Node emits it after its checkpoint.
  builtins['internal/rejections'] = {
    handled: function rejectionHandled(promise) {
      const id = rejectionIds.get(promise);
      if (id === undefined) return;
      rejectionIds.delete(promise);
      const warning = new Error('Promise rejection was handled asynchronously (rejection id: ' + id + ')');
      warning.name = 'PromiseRejectionHandledWarning';
      warning.id = id;
      resolved.then(() => process.nextTick(() => {
        if (!process.emit('rejectionHandled', promise)) process.emitWarning(warning);
      }));
    },
  };

  function makeUnhandledRejection(reason) {
    const e = new Error('This error originated either by throwing inside of an async function without a catch block, ' +
      'or by rejecting a promise which was not handled with .catch(). The promise rejected with the reason "' + inspect(reason) + '".');
    Object.defineProperty(e, 'name', { value: 'UnhandledPromiseRejection', writable: true, configurable: true });
    e.stack = 'UnhandledPromiseRejection: ' + e.message;
    e.code = 'ERR_UNHANDLED_REJECTION';
    return e;
  }

  function rangeError(message) { return new RangeError(message); }

  global.console = console;
  global.process = process;
  global.performance = performance;
  global.setTimeout = setTimeout;
  global.setInterval = setInterval;
  global.setImmediate = setImmediate;
  global.clearTimeout = clearTimeout;
  global.clearInterval = clearTimeout;
  global.clearImmediate = clearImmediate;
  global.queueMicrotask = queueMicrotask;

  // Error.captureStackTrace, which V8 has and the engine does not: obj gets the
  // stack of where it is called, without the frames from fn's up when fn is
  // given, headed, as V8 does it, by obj's name and message when first read.
  if (typeof Error.captureStackTrace !== 'function') {
    Object.defineProperty(Error, 'captureStackTrace', {
      writable: true,
      configurable: true,
      value: function captureStackTrace(obj, fn) {
        if (obj === null || (typeof obj !== 'object' && typeof obj !== 'function')) {
          throw new TypeError('Error.captureStackTrace needs an object, not ' + (obj === null ? 'null' : typeof obj));
        }
        let frames = binding.nodeStack(new Error().stack).split('\n').slice(1);
        if (typeof fn === 'function' && fn.name) {
          const i = frames.findIndex((f) => f.trim().startsWith('at ' + fn.name + ' '));
          if (i >= 0) frames = frames.slice(i + 1);
        }
        let stack;
        Object.defineProperty(obj, 'stack', {
          configurable: true,
          get: function () {
            if (stack === undefined) {
              let head = 'Error';
              try {
                const name = obj.name === undefined ? 'Error' : String(obj.name);
                const message = obj.message === undefined ? '' : String(obj.message);
                head = name === '' ? message : (message === '' ? name : name + ': ' + message);
              } catch (_) {
                // A name or message that cannot be read leaves "Error".
              }
              stack = [head].concat(frames).join('\n');
            }
            return stack;
          },
          set: function (v) {
            Object.defineProperty(obj, 'stack', { value: v, writable: true, configurable: true });
          },
        });
      },
    });
  }
  global.global = global;
  global.globalThis = global;

  return {
    builtins: builtins,
    exitNormally: exitNormally,
    emitBeforeExit: emitBeforeExit,
    uncaught: uncaught,
    unhandledRejection: unhandledRejection,
    makeUnhandledRejection: makeUnhandledRejection,
    rangeError: rangeError,
    inspect: inspect,
  };
})
