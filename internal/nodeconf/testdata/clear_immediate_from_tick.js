// An immediate cleared by a nextTick of the previous immediate does not run.
let b;
setImmediate(() => {
  console.log('a');
  process.nextTick(() => {
    console.log('tick from a clears b');
    clearImmediate(b);
  });
});
b = setImmediate(() => console.log('b'));
setImmediate(() => console.log('c'));
