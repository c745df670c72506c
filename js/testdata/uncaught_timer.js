// An exception thrown from a timer ends the program with 1 and a report on stderr;
// the 'exit' listeners run first.
process.on('exit', (code) => console.log('exit', code));
function fail() {
  throw new Error('boom');
}
setTimeout(fail, 1);
setTimeout(() => console.log('never: later timer'), 5);
