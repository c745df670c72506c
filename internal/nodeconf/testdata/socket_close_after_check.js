// A socket destroyed in its data callback emits 'close' from the close phase:
// after the nextTicks and after the immediates queued in the same callback.
const net = require('net');
const srv = net.createServer((sock) => {
  sock.end('x');
  srv.close();
});
srv.listen(0, '127.0.0.1', () => {
  const c = net.connect(srv.address().port, '127.0.0.1');
  c.once('data', (d) => {
    console.log('client data ' + d);
    c.destroy();
    setImmediate(() => console.log('immediate'));
    process.nextTick(() => console.log('tick'));
  });
  c.on('close', () => console.log('client close'));
});
