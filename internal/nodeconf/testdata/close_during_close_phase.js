// A socket destroyed from another socket's 'close' listener, which runs in the close
// phase, finishes closing in the next tick's close phase: after that tick's
// immediates.
const net = require('net');
let accepted = 0;
const srv = net.createServer((sock) => {
  sock.on('error', () => {});
  sock.resume();
  if (++accepted === 2) srv.close();
});
srv.listen(0, '127.0.0.1', () => {
  const port = srv.address().port;
  let connected = 0;
  const onConnect = () => {
    if (++connected < 2) return;
    console.log('both connected');
    c1.destroy();
  };
  const c1 = net.connect(port, '127.0.0.1', onConnect);
  const c2 = net.connect(port, '127.0.0.1', onConnect);
  c1.on('close', () => {
    console.log('c1 close');
    c2.destroy();
    setImmediate(() => console.log('immediate from c1 close'));
    process.nextTick(() => console.log('tick from c1 close'));
  });
  c2.on('close', () => console.log('c2 close'));
});
