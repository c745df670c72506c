// An interval whose callback takes longer than its period still fires at most once
// per timers phase: it alternates with a chain of immediates, one per check phase.
// Everything starts in an I/O callback, so the check phase comes first.
const fs = require('fs');
function busy(ms) {
  const end = performance.now() + ms;
  while (performance.now() < end) {}
}
fs.readFile(__filename, () => {
  let runs = 0;
  const iv = setInterval(() => {
    runs++;
    console.log('interval ' + runs);
    if (runs === 3) clearInterval(iv);
    else busy(3);
  }, 1);
  let ims = 0;
  const next = () => {
    ims++;
    console.log('immediate ' + ims);
    if (ims < 3) setImmediate(next);
  };
  setImmediate(next);
  busy(3);
});
