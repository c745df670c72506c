// Runaway recursion ends the program with a RangeError; the Go process survives.
process.on('exit', (code) => console.log('exit', code));
function down(n) {
  return down(n + 1) + 1;
}
setTimeout(() => down(0), 1);
