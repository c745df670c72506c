// 'beforeExit' runs when the loop has no more work; work it schedules runs the loop
// again, and it is emitted again when that is done.
let rounds = 0;
process.on('beforeExit', (code) => {
  console.log('beforeExit', code, rounds);
  if (rounds++ < 2) {
    setTimeout(() => console.log('timer from beforeExit', rounds), 1);
    process.nextTick(() => console.log('tick from beforeExit'));
  }
});
process.on('exit', (code) => console.log('exit', code));
console.log('main');
