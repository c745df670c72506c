// From a pool callback: nextTicks, then microtasks, then the check phase's
// immediates, then the next tick's timers.
const crypto = require('crypto');
crypto.pbkdf2('secret', 'salt', 1, 8, 'sha256', () => {
  console.log('pbkdf2 callback');
  setTimeout(() => console.log('timeout 0'), 0);
  setImmediate(() => {
    console.log('immediate');
    process.nextTick(() => console.log('tick from immediate'));
  });
  Promise.resolve().then(() => console.log('promise'));
  process.nextTick(() => console.log('tick'));
});
console.log('main');
