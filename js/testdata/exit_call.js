// process.exit runs the 'exit' listeners once, synchronously; what they queue never
// runs, and neither does the rest of the program.
process.on('exit', (code) => {
  console.log('exit listener', code);
  process.nextTick(() => console.log('never: tick from exit'));
  Promise.resolve().then(() => console.log('never: promise from exit'));
  setTimeout(() => console.log('never: timer from exit'), 0);
});
process.on('exit', () => console.log('second exit listener'));
process.on('beforeExit', () => console.log('never: beforeExit after process.exit'));
setTimeout(() => console.log('never: timer'), 1);
process.nextTick(() => {
  console.log('tick');
  process.exit(5);
  console.log('never: after exit');
});
Promise.resolve().then(() => console.log('never: promise after the exiting tick'));
console.log('main');
