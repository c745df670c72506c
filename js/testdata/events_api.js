// EventEmitter: on, once, off, emit, removeAllListeners, listenerCount, error.
const EventEmitter = require('events');
const { EventEmitter: Named } = require('events');
console.log(EventEmitter === Named);
const e = new EventEmitter();
function a(x) { console.log('a', x, this === e); }
e.on('ev', a);
e.once('ev', (x) => console.log('once', x));
e.prependListener('ev', (x) => console.log('first', x));
console.log(e.emit('ev', 1), e.listenerCount('ev'));
console.log(e.emit('ev', 2), e.listenerCount('ev'));
e.off('ev', a);
console.log(e.listenerCount('ev'), e.emit('none'));
e.on('ev', () => { e.on('ev', () => console.log('added during emit')); console.log('adder'); });
e.emit('ev', 3);
e.removeAllListeners('ev');
console.log(e.listenerCount('ev'), e.eventNames());
try {
  e.emit('error', new Error('unhandled'));
} catch (err) {
  console.log('thrown', err.message);
}
class Sub extends EventEmitter {}
const s = new Sub();
s.on('x', function () { console.log('sub', this instanceof Sub); });
s.emit('x');
EventEmitter.once(s, 'y').then((args) => console.log('once promise', args));
s.emit('y', 1, 2);
