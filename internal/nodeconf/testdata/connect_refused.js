// Connecting to a port nobody listens on fails with ECONNREFUSED, reported to the
// 'error' listener after the call that started the connect returned.
const net = require('net');
const srv = net.createServer();
srv.listen(0, '127.0.0.1', () => {
  const port = srv.address().port;
  srv.close(() => {
    const c = net.connect(port, '127.0.0.1');
    c.on('error', (e) => console.log('error ' + e.code));
    console.log('after connect call');
  });
});
