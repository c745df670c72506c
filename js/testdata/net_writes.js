// net: writes past the high-water mark and 'drain', write callbacks, bytesWritten
// once the writes are done, and chunks that keep their bytes while later reads
// arrive: the server keeps every chunk and checks them all at the end. Every chunk
// is a Buffer over an ArrayBuffer of its own length.
const net = require('net');
const size = 4 << 20;
const big = Buffer.alloc(size);
for (let i = 0; i < size; i++) big[i] = i % 251;

const srv = net.createServer((s) => {
  const chunks = [];
  let shared = 0;
  s.on('data', (d) => {
    if (d.buffer.byteLength !== d.length || d.byteOffset !== 0) shared++;
    chunks.push(d);
  });
  s.on('end', () => {
    const all = Buffer.concat(chunks);
    let bad = -1;
    for (let i = 0; i < size && bad < 0; i++) if (all[i] !== i % 251) bad = i;
    console.log('server: got', all.length, 'first bad byte', bad, 'tail', all.subarray(size).toString(), 'chunks not alone in their ArrayBuffer', shared);
    s.end();
  });
});

srv.listen(0, '127.0.0.1', () => {
  const c = net.connect(srv.address().port, '127.0.0.1', () => {
    console.log('write big', c.write(big));
    console.log('write small', c.write('xyz'));
    let drains = 0;
    c.on('drain', () => {
      drains++;
      console.log('drain', drains, c.writableLength, c.bytesWritten);
      if (drains > 1) return;
      const ok = c.write('more', (err) => {
        console.log('more callback', err, c.bytesWritten);
        c.end();
      });
      console.log('write more', ok);
    });
  });
  c.on('data', () => {});
  c.on('close', () => {
    console.log('client close', c.bytesWritten);
    srv.close();
  });
});
