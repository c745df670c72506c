// An immediate cleared before it runs never runs, even when it was cleared by an
// earlier immediate of the same check phase; clearImmediate(undefined) is a no-op.
let b;
setImmediate(() => {
  console.log('a clears b');
  clearImmediate(b);
  clearImmediate(undefined);
});
b = setImmediate(() => console.log('b'));
setImmediate(() => console.log('c'));
const d = setImmediate(() => console.log('d'));
clearImmediate(d);
console.log('main');
