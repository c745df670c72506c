// net: when a write's callback and 'drain' run. A write the system takes at once
// calls back in a nextTick, queued by the write itself: one tick for a run of
// writes with the same callback, which a write without one does not end. A write
// that waits for the system calls back in the poll phase once it is done, after
// 'drain'; no 'drain' follows end().
const net = require('net');
const log = (s) => console.log(s);

const srv = net.createServer((s) => {
  s.on('data', () => {});
  s.on('end', () => s.end());
});

srv.listen(0, '127.0.0.1', () => {
  const port = srv.address().port;
  const a = net.connect(port, '127.0.0.1', () => {
    log('a connect');
    const same = () => log('a callback of b and c');
    a.write('a', () => log('a callback of a'));
    process.nextTick(() => log('a tick 1'));
    a.write('b', same);
    process.nextTick(() => log('a tick 2'));
    a.write('c', same);
    Promise.resolve().then(() => log('a promise'));
    setImmediate(() => log('a immediate'));
    a.write('d');
    const again = () => log('a callback of e or g');
    a.write('e', again);
    process.nextTick(() => log('a tick 3'));
    a.write('f');
    a.write('g', again);
    log('a main done');
    a.end();
  });
  a.on('close', () => {
    log('a close');
    big();
  });

  function big() {
    const b = net.connect(port, '127.0.0.1', () => {
      log('b write big: ' + b.write(Buffer.alloc(8 << 20), () => {
        log('b callback of big');
        b.end();
      }));
      b.on('drain', () => log('b drain'));
    });
    b.on('close', () => {
      log('b close');
      ended();
    });
  }

  function ended() {
    const c = net.connect(port, '127.0.0.1', () => {
      log('c write big: ' + c.write(Buffer.alloc(8 << 20), () => log('c callback of big')));
      c.on('drain', () => log('c drain after end'));
      c.end(() => log('c end callback'));
    });
    c.on('close', () => {
      log('c close');
      srv.close();
    });
  }
});
