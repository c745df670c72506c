// Countdown calls a function once, when dec has been called limit times, for
// Node's own tests that require '../common/countdown'.
'use strict';

const assert = require('assert');
const common = require('./');

class Countdown {
  #left;
  #done;

  constructor(limit, callback) {
    assert.strictEqual(typeof limit, 'number');
    assert.strictEqual(typeof callback, 'function');
    this.#left = limit;
    this.#done = common.mustCall(callback);
  }

  // dec counts one down, calls the function at zero and returns what is left.
  dec() {
    assert.ok(this.#left > 0, 'Countdown expired');
    this.#left--;
    if (this.#left === 0) this.#done();
    return this.#left;
  }

  get remaining() {
    return this.#left;
  }
}

module.exports = Countdown;
