// After an immediate threw and an 'uncaughtException' listener handled it, Node
// leaves the ticks and microtasks of the immediate where they are: the next
// immediate of the batch runs first, with no drain before it, and they run after
// it. The listener's own Immediate, which does nothing, is an active resource.

// The timers and immediates among the active resources (stdout may be a pipe's).
const res = () => process.getActiveResourcesInfo().filter((k) => k === 'Timeout' || k === 'Immediate').join();
process.on('uncaughtException', (e) => {
  console.log('caught', e.message, res());
});
setImmediate(() => {
  process.nextTick(() => console.log('tick of a'));
  Promise.resolve().then(() => console.log('micro of a'));
  throw new Error('a');
});
setImmediate(() => {
  console.log('imm b', res());
  process.nextTick(() => console.log('tick of b'));
  Promise.resolve().then(() => console.log('micro of b'));
});
setImmediate(() => console.log('imm c'));
setImmediate(() => {
  // A throw in the drain between two immediates: the next runs first.
  process.nextTick(() => { throw new Error('tick of d'); });
  process.nextTick(() => console.log('tick 2 of d'));
  Promise.resolve().then(() => console.log('micro of d'));
});
setImmediate(() => {
  console.log('imm e');
  setTimeout(() => {
    // The last immediate of its batch throws: the immediates queued since run in
    // this check phase, before the next tick's timers.
    setImmediate(() => {
      setImmediate(() => console.log('imm queued by the last'));
      setTimeout(() => console.log('timeout queued by the last'), 1);
      process.nextTick(() => console.log('tick of the last'));
      Promise.resolve().then(() => console.log('micro of the last'));
      throw new Error('last');
    });
  }, 1);
});
process.on('exit', () => console.log('exit', process.exitCode));
