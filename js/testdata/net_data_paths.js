// net: who gets each chunk as the socket's listeners, flow, encoding and emit
// change between reads, and what each form of write sends and returns. The client
// asks for one reply at a time: each step changes something and asks, its
// listeners log what they saw, and the next step starts once the reply was read
// and the socket flows.
const net = require('net');
const log = (...a) => console.log(...a);
const received = [];

const srv = net.createServer((s) => {
  s.on('data', (d) => {
    for (const line of d.toString().split('\n')) {
      if (line === '') continue;
      received.push(line);
      if (line.startsWith('ask ')) s.write('reply ' + line.slice(4));
    }
  });
  s.on('end', () => s.end());
});

srv.listen(0, '127.0.0.1', () => {
  const c = net.connect(srv.address().port, '127.0.0.1');
  let n = 0;
  const ask = () => c.write('ask ' + ++n + '\n');
  const show = (who) => function (d) {
    const own = Buffer.isBuffer(d) ? d.buffer.byteLength === d.length && d.byteOffset === 0 : '';
    log(who, this === c, arguments.length, Buffer.isBuffer(d) ? 'buffer' : typeof d, String(d), own);
  };
  const a = show('a');
  const b = show('b');
  const onError = (e) => log('error', e.code);
  const steps = [
    () => { c.on('data', a); ask(); },
    () => { c.on('data', b); ask(); },
    () => { c.removeListener('data', a); ask(); },
    () => { c.once('data', show('once')); ask(); },
    () => { c.prependListener('data', a); ask(); },
    () => { c.off('data', a); c.off('data', b); c.addListener('data', a); ask(); },
    () => {
      c.emit = function (name, ...args) {
        if (name === 'data') log('own emit', name, String(args[0]));
        return net.Socket.prototype.emit.call(this, name, ...args);
      };
      ask();
    },
    () => { delete c.emit; ask(); },
    () => {
      c.pause();
      ask();
      setTimeout(() => {
        log('paused: nothing yet', c.isPaused());
        c.resume();
      }, 50);
    },
    () => { c.removeAllListeners('data'); c.on('data', b); ask(); },
    () => { c.off('data', b); ask(); },
    () => { c.removeAllListeners(); c.on('data', a); c.on('error', onError); c.on('close', closed); ask(); },
    () => { c.setEncoding('utf8'); ask(); },
    () => { c.setEncoding('hex'); ask(); },
    () => writes(),
  ];
  let step = 0;
  let seen = 0;
  let watch;
  c.on('connect', () => {
    log('connect', c.bytesRead);
    steps[step++]();
    watch = setInterval(() => {
      if (c.bytesRead > seen && !c.isPaused()) {
        seen = c.bytesRead;
        setImmediate(() => steps[step++]());
      }
    }, 5);
  });
  c.on('error', onError);

  function writes() {
    clearInterval(watch);
    log('bytesRead', c.bytesRead);
    log('write', c.write.name, c.write.length, c.write === net.Socket.prototype.write);
    log('string', c.write('s1\n'));
    log('string utf8', c.write('s2 é\n', 'utf8'));
    log('string hex', c.write('73330a', 'hex'));
    log('string latin1', c.write('s4 \xe9\n', 'latin1'));
    log('uint8array', c.write(new Uint8Array([115, 53, 10])));
    log('buffer with encoding', c.write(Buffer.from('s6\n'), 'hex'));
    log('empty', c.write(''));
    log('callback', c.write('s7\n', () => log('callback of s7')));
    log('encoding and callback', c.write('s8\n', 'utf8', () => log('callback of s8')));
    log('uint16array', c.write(new Uint16Array([0x3173, 0x0a31])));
    const b12 = Buffer.from('s12\n');
    log('dataview', c.write(new DataView(b12.buffer, b12.byteOffset, b12.length)));
    for (const bad of [42, null, {}, undefined]) {
      try {
        c.write(bad);
      } catch (e) {
        log('bad', e.code, e.name);
      }
    }
    c.end('s9\n');
    log('after end', c.write('s10\n', (err) => log('callback of s10', err.code)));
  }

  // The server's lines are printed once both sides are closed.
  function closed() {
    const counts = [c.bytesWritten, c.bytesRead];
    srv.close(() => {
      log('close', ...counts);
      log('server received', received.join(' | '));
    });
  }
});
