// A rejection an 'unhandledRejection' listener handles keeps Node's order; one the
// 'uncaughtException' listeners get (origin unhandledRejection) queues their
// Immediate too.

// The timers and immediates among the active resources (stdout may be a pipe's).
const res = () => process.getActiveResourcesInfo().filter((k) => k === 'Timeout' || k === 'Immediate').join();
process.on('unhandledRejection', (r) => console.log('rejection', r.message, res()));
setImmediate(() => {
  process.nextTick(() => console.log('tick of a'));
  Promise.resolve().then(() => console.log('micro of a'));
  Promise.reject(new Error('a'));
  process.nextTick(() => console.log('tick 2 of a'));
});
setImmediate(() => {
  console.log('imm b', res());
  process.nextTick(() => console.log('tick of b'));
});
setImmediate(() => {
  process.removeAllListeners('unhandledRejection');
  process.on('uncaughtException', (e, origin) => console.log('caught', e.message, origin, res()));
  Promise.reject(new Error('c'));
  process.nextTick(() => console.log('tick of c'));
});
setImmediate(() => console.log('imm d', res()));
