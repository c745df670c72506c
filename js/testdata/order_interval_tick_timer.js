// An interval is re-armed when its callback returns, before the callback's
// nextTicks run: a timeout of the same delay started by one of them comes after
// the interval's next run.
let n = 0;
const iv = setInterval(() => {
  n++;
  console.log('interval', n);
  if (n === 1) process.nextTick(() => setTimeout(() => console.log('timeout from tick'), 10));
  if (n === 2) clearInterval(iv);
}, 10);
