// What a throw left before the check phase runs before its first immediate, as
// Node's check phase drains first; an immediate whose drain throws leaves the rest
// to the next immediate of its batch.
process.on('uncaughtException', (e) => console.log('caught', e.message));
setImmediate(() => {
  console.log('imm 1');
  process.nextTick(() => { throw new Error('tick of imm 1'); });
  process.nextTick(() => console.log('tick 2 of imm 1'));
});
setImmediate(() => {
  console.log('imm 2');
  setImmediate(() => {
    console.log('imm 4');
    // A tick a microtask queued throws between two immediates: the next runs
    // first.
    setImmediate(() => {
      console.log('imm 5');
      Promise.resolve().then(() => {
        process.nextTick(() => { throw new Error('tick of a micro of imm 5'); });
        process.nextTick(() => console.log('tick 2 of a micro of imm 5'));
      });
    });
    setImmediate(() => console.log('imm 6'));
  });
  process.nextTick(() => { throw new Error('tick of imm 2'); });
  process.nextTick(() => console.log('tick 2 of imm 2'));
  Promise.resolve().then(() => console.log('micro of imm 2'));
});
process.nextTick(() => { throw new Error('main tick'); });
process.nextTick(() => console.log('tick 2 of main'));
Promise.resolve().then(() => console.log('micro of main'));
