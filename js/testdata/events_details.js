// EventEmitter's details that Node's own tests pin: _events's shape, method
// names, the 'removeListener' events, errorMonitor, the unhandled 'error' of an
// object that cannot be inspected, the maximum of listeners and its warning.
'use strict';
const EventEmitter = require('events');
const util = require('util');

const e = new EventEmitter();
function a() {}
function b() {}
e.on('x', a);
console.log('one listener is the function:', e._events.x === a);
e.prependListener('x', b);
console.log('two are an array:', Array.isArray(e._events.x), e.listeners('x').map((f) => f.name));
e.removeListener('x', a);
console.log('one again:', e._events.x === b, e.listenerCount('x'), e.rawListeners('x').length);

const proto = EventEmitter.prototype;
console.log(proto.on.name, proto.on === proto.addListener, proto.off === proto.removeListener, proto.off.name);

const r = new EventEmitter();
r.on('removeListener', (name, fn) => console.log('removeListener', name, fn.name));
r.once('hello', function listener1() {});
r.emit('hello');
r.on('foo', function f1() {});
r.on('foo', function f2() {});
r.on('bar', function b1() {});
r.removeAllListeners('foo');
r.removeAllListeners();
console.log('left:', r.eventNames());

const m = new EventEmitter();
m.on(EventEmitter.errorMonitor, (err) => console.log('monitor saw', err.message));
try {
  m.emit('error', new Error('boom'));
} catch (err) {
  console.log('thrown', err.message);
}
try {
  m.emit('error', { [util.inspect.custom]() { throw new Error('no'); } });
} catch (err) {
  console.log(err.code, err.message);
}

for (const v of [NaN, -1, 'ten']) {
  try {
    e.setMaxListeners(v);
  } catch (err) {
    console.log('setMaxListeners', String(v), err.name, err.code);
  }
  try {
    EventEmitter.defaultMaxListeners = v;
  } catch (err) {
    console.log('defaultMaxListeners', String(v), err.name, err.code);
  }
}
console.log('default max:', EventEmitter.defaultMaxListeners);
e.setMaxListeners(1);
e.on('y', a);
e.on('y', b);
e.on('y', () => {});
console.log('warned:', e._events.y.warned);
process.on('exit', () => console.log('exit'));
