// crypto: hashes, HMAC, pbkdf2 on the pool and at once, random bytes.
const crypto = require('crypto');
for (const alg of ['md5', 'sha1', 'sha256', 'sha512']) {
  console.log(alg, crypto.createHash(alg).update('hello').update(' world').digest('hex'));
}
console.log(crypto.createHash('sha256').update('68656c6c6f', 'hex').digest('base64'));
console.log(crypto.createHash('sha1').update(Buffer.from('abc')).digest());
console.log(crypto.createHmac('sha256', 'key').update('data').digest('hex'));
const h = crypto.createHash('md5');
h.digest();
try { h.digest(); } catch (e) { console.log(e.code, e.message); }
try { crypto.createHash('nope'); } catch (e) { console.log(e.message); }
console.log(crypto.pbkdf2Sync('secret', 'salt', 1000, 32, 'sha256').toString('hex'));
console.log(crypto.pbkdf2Sync('secret', 'salt', 1, 0, 'sha1'));
try { crypto.pbkdf2('a', 'b', 1, 8, 'bogus', () => {}); } catch (e) { console.log(e.code, e.message); }
try { crypto.pbkdf2('a', 'b', 0, 8, 'sha1', () => {}); } catch (e) { console.log(e.code, e.message); }
const r = crypto.randomBytes(16);
console.log(Buffer.isBuffer(r), r.length, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID()));
crypto.pbkdf2('secret', 'salt', 1, 16, 'sha512', (err, key) => {
  console.log('pbkdf2', err, key.toString('hex'));
  process.nextTick(() => console.log('tick after pbkdf2'));
  Promise.resolve().then(() => console.log('promise after pbkdf2'));
  crypto.randomBytes(8, (err, b) => {
    console.log('randomBytes', err, b.length);
  });
});
console.log('main');
