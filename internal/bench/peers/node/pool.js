'use strict';
// N small jobs (argv[2], default 200,000) on libuv's threadpool, all submitted before
// the loop runs, then run to completion. Each job is crypto.pbkdf2 with one iteration
// of HMAC-SHA-1 and a 4-byte key: Node runs it as a threadpool job (uv_queue_work)
// whose work is a couple of microseconds of hashing, so the figure is mostly the
// pool's and the binding's cost per job. The pool has four threads unless
// UV_THREADPOOL_SIZE says otherwise.
//
// Prints: RESULT name=pool impl=node ops=N ns=WALL cpu_ns=CPU version=V uv=U
//         threads=T work=pbkdf2-sha1-1iter
const crypto = require('crypto');
const peer = require('./peer.js');

const n = peer.ops(200_000);
const password = Buffer.from('nodeloop');
const salt = Buffer.from('salt');
let done = 0;
const t = peer.start();

function onDone(err, key) {
  if (err) peer.fail(`pool: ${err.message}`);
  if (key.length !== 4) peer.fail(`pool: key of ${key.length} bytes, want 4`);
  if (++done === n) {
    peer.result('pool', n, t, {
      threads: Number(process.env.UV_THREADPOOL_SIZE) || 4,
      work: 'pbkdf2-sha1-1iter',
    });
  }
}

for (let i = 0; i < n; i++) crypto.pbkdf2(password, salt, 1, 4, 'sha1', onDone);
