// util.promisify and the assert functions.
const util = require('util');
const assert = require('assert');
function cb(x, done) { setTimeout(() => (x ? done(null, x * 2) : done(new Error('zero'))), 1); }
const p = util.promisify(cb);
p(21).then((v) => console.log('promisified', v));
p(0).catch((e) => console.log('promisified error', e.message));
assert(true);
assert.ok(1);
assert.equal(1, '1');
assert.strictEqual(NaN, NaN);
assert.notStrictEqual(1, '1');
assert.deepStrictEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] });
assert.throws(() => { throw new TypeError('bad'); }, TypeError);
assert.throws(() => { throw new Error('msg'); }, /msg/);
assert.throws(() => { throw new Error('m'); }, { message: 'm' });
const tries = [
  () => assert.strictEqual(1, 2),
  () => assert.deepStrictEqual({ a: 1 }, { a: 2 }),
  () => assert.ok(0),
  () => assert.equal(1, 2, 'custom message'),
  () => assert.fail('boom'),
  () => assert.throws(() => {}),
  () => assert.notStrictEqual(1, 1),
];
for (const f of tries) {
  try {
    f();
    console.log('no throw');
  } catch (e) {
    console.log(e instanceof assert.AssertionError, e.name, e.code, JSON.stringify(e.message.split('\n')[0]));
  }
}
