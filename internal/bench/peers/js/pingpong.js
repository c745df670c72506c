'use strict';
// TCP ping-pong over 127.0.0.1 with the client and the server in one process: the
// client writes a 4-byte message, the server answers each whole 4-byte message with
// one of its own, and the client sends its next message when the whole answer is
// back. N round trips (argv[2], default 100,000), both sockets with TCP_NODELAY,
// timed from the connected client's first write.
//
// Prints: RESULT name=js_pingpong impl=IMPL ops=N ns=WALL cpu_ns=CPU version=V
const net = require('net');
const peer = require('./peer.js');

const MSG_LEN = 4;
const n = peer.ops(100_000);
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

const server = net.createServer((conn) => {
  conn.setNoDelay(true);
  conn.on('data', onMessages(() => conn.write(pong)));
  conn.on('error', (err) => finished || peer.fail(`js_pingpong server: ${err.message}`));
});
server.on('error', (err) => peer.fail(`js_pingpong listen: ${err.message}`));

server.listen(0, '127.0.0.1', () => {
  const client = net.connect({ host: '127.0.0.1', port: server.address().port });
  let trips = 0;
  let t;
  client.on('error', (err) => finished || peer.fail(`js_pingpong client: ${err.message}`));
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
      peer.result('js_pingpong', n, t);
      finished = true;
      client.destroy();
      server.close();
    }
  }));
});
