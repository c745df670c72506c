// A timer's callback may be any function: a plain one, with this the Timeout and
// its extra arguments, an arrow, a bound function, an async function, a generator
// (whose body does not run), or a class, which throws; a callback that throws does
// not keep the next timers of its list from running.
const out = [];
class C {}
process.on('uncaughtException', (e) => out.push(e.constructor.name));
setTimeout(function (a) { out.push(this.constructor.name + (a === undefined ? '' : ':' + a)); }, 1);
setTimeout(function (a, b) { out.push(this.constructor.name + ':' + a + b); }, 1, 'x', 'y');
setTimeout(() => out.push('arrow'), 1);
setTimeout(out.push.bind(out, 'bound'), 1);
setTimeout(async function () { out.push('async'); }, 1);
setTimeout(function* () { out.push('never: a generator body'); }, 1);
setTimeout(C, 1);
setTimeout(() => { throw new RangeError('x'); }, 1);
setTimeout(() => out.push('after the throw'), 1);
setTimeout(() => console.log(out.join(' ')), 5);
