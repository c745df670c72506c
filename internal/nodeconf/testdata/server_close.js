// server.close(cb) with no connection: 'listening' and 'close' are emitted from
// nextTicks, so the callback comes before a later nextTick and the immediates.
const net = require('net');
const srv = net.createServer();
srv.listen(0, '127.0.0.1', () => {
  console.log('listening');
  srv.close(() => console.log('close callback'));
  process.nextTick(() => console.log('tick'));
  setImmediate(() => console.log('immediate'));
  console.log('after close');
});
console.log('main');
