// Immediates run in the order they were queued; one queued during the check phase
// runs in the next tick's check phase, after the ones already queued.
setImmediate(() => {
  console.log('immediate a');
  setImmediate(() => {
    console.log('immediate from a');
    setImmediate(() => console.log('immediate from immediate from a'));
  });
});
setImmediate(() => console.log('immediate b'));
setImmediate(() => console.log('immediate c'));
console.log('main');
