// crypto.pbkdf2 runs on the thread pool; its callback gets the derived key.
const crypto = require('crypto');
crypto.pbkdf2('secret', 'salt', 1, 16, 'sha256', (err, key) => {
  console.log('pbkdf2 error ' + err);
  console.log('key ' + key.toString('hex'));
});
console.log('main');
