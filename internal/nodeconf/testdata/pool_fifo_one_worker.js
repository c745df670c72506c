// With a pool of one thread, jobs finish in the order they were submitted; each
// callback's nextTicks run before the next callback.
process.env.UV_THREADPOOL_SIZE = '1';
const crypto = require('crypto');
for (const name of ['a', 'b', 'c']) {
  crypto.pbkdf2('secret', name, 1, 8, 'sha256', (err, key) => {
    console.log('job ' + name + ' ' + key.toString('hex'));
    process.nextTick(() => console.log('tick ' + name));
  });
}
console.log('main');
