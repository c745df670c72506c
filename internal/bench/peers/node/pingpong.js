'use strict';
// TCP ping-pong over 127.0.0.1 with the client and the server in one process, on one
// loop: the client writes a 4-byte message, the server answers each whole 4-byte
// message it has gathered with one of its own, and the client sends its next message
// when the whole answer is back. N round trips (argv[2], default 200,000). Both
// sockets set TCP_NODELAY, as in the libuv and Go peers.
//
// Prints: RESULT name=pingpong impl=node ops=N ns=WALL cpu_ns=CPU version=V uv=U
const net = require('net');
const peer = require('./peer.js');

const MSG_LEN = 4;
const n = peer.ops(200_000);
const ping = Buffer.from('PING');
const pong = Buffer.from('PONG');
let finished = false; // errors while closing down after the last round trip are moot

// onMessages calls fn once for every whole message in the chunks it is given.
function onMessages(fn) {
  let have = 0;
  return (chunk) => {
    for (let i = 0; i < chunk.length; i++) {
      if (++have < MSG_LEN) continue;
      have = 0;
      fn();
    }
  };
}

const server = net.createServer({ noDelay: true }, (conn) => {
  conn.setNoDelay(true);
  conn.on('data', onMessages(() => conn.write(pong)));
  conn.on('error', (err) => finished || peer.fail(`pingpong server: ${err.message}`));
});
server.on('error', (err) => peer.fail(`pingpong listen: ${err.message}`));

server.listen(0, '127.0.0.1', () => {
  const client = net.connect({ host: '127.0.0.1', port: server.address().port, noDelay: true });
  let trips = 0;
  let t;
  client.on('error', (err) => finished || peer.fail(`pingpong client: ${err.message}`));
  client.on('connect', () => {
    client.setNoDelay(true);
    t = peer.start();
    client.write(ping);
  });
  client.on('data', onMessages(() => {
    if (++trips < n) {
      client.write(ping);
      return;
    }
    if (trips === n) {
      peer.result('pingpong', n, t);
      finished = true;
      client.destroy();
      server.close();
    }
  }));
});
