// net: a server and a client on 127.0.0.1, step by step: connect, data with an
// encoding, end and the automatic end of our side, write callbacks,
// setTimeout, addresses, listen and connect errors.
const net = require('net');
// The two sides' events interleave differently from run to run: the server's are
// printed at the end.
const log = (...a) => console.log(...a);
const serverLines = [];
const slog = (...a) => serverLines.push(a);

const srv = net.createServer((sock) => {
  slog('server: connection', sock.remoteAddress, typeof sock.remotePort, sock.remoteFamily);
  sock.setEncoding('utf8');
  let got = '';
  sock.on('data', (d) => { got += d; });
  sock.on('end', () => {
    slog('server: end, got', JSON.stringify(got), typeof got);
    sock.end('bye', () => slog('server: end callback'));
  });
  sock.on('close', (hadError) => slog('server: close', hadError));
});
srv.on('listening', () => log('listening event', srv.listening));
srv.listen(0, '127.0.0.1', () => {
  const addr = srv.address();
  log('address', addr.address, addr.family, typeof addr.port);
  const c = net.createConnection(addr.port, '127.0.0.1');
  c.on('connect', () => {
    log('client: connect', c.remoteAddress, c.remotePort === addr.port, c.readyState);
    c.setNoDelay(true);
    const ok = c.write('héllo ', 'utf8', (err) => log('client: write callback', err));
    log('client: write returned', ok);
    c.end(Buffer.from('world'));
  });
  c.on('data', (d) => log('client: data', d, Buffer.isBuffer(d)));
  c.on('end', () => log('client: end'));
  c.on('finish', () => log('client: finish'));
  c.on('close', (hadError) => {
    log('client: close', hadError, c.destroyed, c.bytesWritten, c.bytesRead);
    step2(addr.port);
  });
});

function step2(port) {
  const other = net.createServer();
  other.on('error', (e) => {
    log('listen error', e.code, e.syscall, e.message.replace(String(port), 'PORT'));
    step3(port);
  });
  other.listen(port, '127.0.0.1');
}

function step3(port) {
  // A big write calls back once all of it is written; an idle socket times out.
  srv.removeAllListeners('connection');
  srv.once('connection', (sock) => {
    sock.on('data', () => {});
    sock.on('end', () => slog('server2: end'));
  });
  const c = net.connect({ port: port, host: '127.0.0.1' }, () => {
    c.write(Buffer.alloc(1 << 20, 'x'), () => {
      log('big write callback', c.writableLength);
      c.setTimeout(20, () => {
        log('timeout', c.destroyed);
        c.destroy();
      });
    });
  });
  c.on('close', () => {
    log('client2: close');
    srv.close(() => {
      log('server closed');
      step4(port);
    });
  });
}

function step4(port) {
  const c = net.connect(port, '127.0.0.1');
  c.on('error', (e) => log('connect error', e.code, e.errno, e.syscall, e.address, e.port === port, e.message.replace(String(port), 'PORT')));
  c.on('close', (hadError) => {
    log('client3: close', hadError);
    for (const a of serverLines) log(...a);
  });
  try { net.connect(70000); } catch (e) { log(e.code, e.message); }
}
