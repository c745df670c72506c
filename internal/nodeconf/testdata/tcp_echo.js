// A TCP echo over 127.0.0.1, server and client in one process. The two sides'
// events interleave differently from run to run, so each side's events are
// collected and printed once the server has closed.
const net = require('net');
const server = [];
const client = [];
let closed = 0;
const srv = net.createServer((sock) => {
  server.push('connection');
  sock.on('data', (d) => {
    server.push('data ' + d);
    sock.write(d);
  });
  sock.on('end', () => server.push('end'));
  sock.on('close', () => {
    server.push('close');
    done();
  });
});
srv.listen(0, '127.0.0.1', () => {
  console.log('listening');
  const c = net.connect(srv.address().port, '127.0.0.1', () => {
    client.push('connect');
    c.write('hello');
  });
  c.on('data', (d) => {
    client.push('data ' + d);
    c.destroy();
  });
  c.on('close', () => {
    client.push('close');
    done();
  });
});
function done() {
  if (++closed < 2) return;
  srv.close(() => {
    for (const line of client) console.log('client: ' + line);
    for (const line of server) console.log('server: ' + line);
    console.log('server closed');
  });
}
