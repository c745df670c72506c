// The helpers Node's own tests require as '../common', written for nodeloop from
// what those tests call: each keeps the contract the tests rely on, nothing more.
'use strict';

const assert = require('assert');
const util = require('util');

// The process as it was when the test started: a test may replace the global.
const proc = process;

const noop = () => {};

// The functions made by mustCall and its kin, checked when the process exits.
const expectations = [];
let checking = false;

// checkCalls runs at exit. A test that already failed, or that means to exit with
// another code, is not checked: its exit code decides.
function checkCalls(code) {
  if (code !== 0) return;
  const failed = [];
  for (const e of expectations) {
    if (e.exact !== undefined && e.actual !== e.exact) {
      failed.push('Mismatched ' + e.name + ' function calls. Expected exactly ' + e.exact + ', actual ' + e.actual + '.\n' + e.at);
    } else if (e.minimum !== undefined && e.actual < e.minimum) {
      failed.push('Mismatched ' + e.name + ' function calls. Expected at least ' + e.minimum + ', actual ' + e.actual + '.\n' + e.at);
    }
  }
  if (failed.length > 0) {
    console.log(failed.join('\n'));
    proc.exit(1);
  }
}

// where is the first frame of the stack outside this file: the test's line that
// made the function.
function where() {
  const lines = String(new Error().stack).split('\n').slice(1);
  for (const l of lines) {
    if (!l.includes(__filename)) return l.trim();
  }
  return '';
}

function expectCalls(fn, count, kind) {
  if (typeof fn === 'number') {
    count = fn;
    fn = noop;
  } else if (fn === undefined) {
    fn = noop;
  }
  if (count === undefined) count = 1;
  if (typeof count !== 'number') throw new TypeError('the count of calls must be a number, not ' + typeof count);
  if (proc._exiting) throw new Error('common.mustCall and its kin cannot be used once the process is exiting');
  if (!checking) {
    checking = true;
    proc.on('exit', checkCalls);
  }
  const e = { name: fn.name || '<anonymous>', actual: 0, at: where() };
  e[kind] = count;
  expectations.push(e);
  const wrapped = function (...args) {
    e.actual++;
    return fn.apply(this, args);
  };
  Object.defineProperties(wrapped, {
    name: { value: fn.name, configurable: true },
    length: { value: fn.length, configurable: true },
  });
  return wrapped;
}

// mustCall returns fn wrapped so that the process fails at exit unless it was
// called exactly `exact` times (1 when omitted). A number alone is the count of a
// function that does nothing.
function mustCall(fn, exact) {
  return expectCalls(fn, exact, 'exact');
}

// mustCallAtLeast is mustCall with a minimum count of calls (1 when omitted).
function mustCallAtLeast(fn, minimum) {
  return expectCalls(fn, minimum, 'minimum');
}

// mustNotCall returns a function that fails the test when it is called.
function mustNotCall(msg) {
  const at = where();
  return function mustNotCall(...args) {
    const shown = args.length > 0 ? '\nReceived arguments: ' + args.map((a) => util.inspect(a)).join(', ') : '';
    assert.fail((msg || 'function should not have been called') + ' at ' + at + shown);
  };
}

// mustSucceed is mustCall of a Node-style callback whose error must be empty; fn,
// when given, gets the other arguments.
function mustSucceed(fn, exact) {
  return mustCall(function (err, ...args) {
    assert.ifError(err);
    if (typeof fn === 'function') return fn.apply(this, args);
  }, exact);
}

// expectsError returns a function of an error that asserts it matches validation
// (assert.throws's forms) and that must be called `exact` times.
function expectsError(validation, exact) {
  return mustCall(function (actual) {
    assert.throws(() => { throw actual; }, validation);
    return true;
  }, exact);
}

// expectWarning makes every 'warning' the process emits match the next one
// expected of its name, and the test fail at exit unless every expected warning
// came. It takes (name, message, code), { name: message }, or
// { name: [[message, code], ...] }.
function expectWarning(nameOrMap, expected, code) {
  let map = nameOrMap;
  if (typeof nameOrMap === 'string') map = { [nameOrMap]: code === undefined ? [[expected]] : [[expected, code]] };
  const pending = new Map();
  let total = 0;
  for (const name of Object.keys(map)) {
    let list = map[name];
    if (!Array.isArray(list)) list = [[list]];
    else if (list.length > 0 && !Array.isArray(list[0])) list = [list];
    pending.set(name, list.slice());
    total += list.length;
  }
  proc.on('warning', mustCall((warning) => {
    const list = pending.get(warning.name);
    assert.ok(list !== undefined && list.length > 0, 'unexpected warning ' + warning.name + ': ' + warning.message);
    const [message, wantCode] = list.shift();
    if (message instanceof RegExp) assert.match(warning.message, message);
    else assert.strictEqual(warning.message, message);
    assert.strictEqual(warning.code, wantCode);
  }, total));
}

// platformTimeout is the time a test waits for something, scaled for a slow
// platform; nodeloop's is not scaled.
function platformTimeout(ms) {
  return ms;
}

// skip reports the test as skipped, as Node's test runner reads it.
function skip(msg) {
  console.log('1..0 # Skipped: ' + msg);
}

// spawnPromisified would run a child process, which nodeloop does not provide.
function spawnPromisified() {
  throw new Error('nodeloop: common.spawnPromisified needs child_process, which is not supported');
}

module.exports = {
  mustCall,
  mustCallAtLeast,
  mustNotCall,
  mustSucceed,
  expectsError,
  expectWarning,
  platformTimeout,
  skip,
  skipIfWorker: noop,
  allowGlobals: noop,
  spawnPromisified,
  isWindows: proc.platform === 'win32',
  isMacOS: proc.platform === 'darwin',
  isOSX: proc.platform === 'darwin',
  isLinux: proc.platform === 'linux',
  isFreeBSD: proc.platform === 'freebsd',
  isOpenBSD: proc.platform === 'openbsd',
  isSunOS: proc.platform === 'sunos',
  isAIX: proc.platform === 'aix',
  isMainThread: true,
};
