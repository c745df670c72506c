// A socket's idle timeout of the same delay as two timers started with it shares
// their list: it runs between them, its microtasks before its rejections are
// looked at (a rejection handled by a microtask is not reported) and before the
// second timer.
const net = require('net');
const server = net.createServer((c) => c.on('end', () => c.end()));
server.listen(0, () => {
  const s = net.connect(server.address().port, () => {
    setTimeout(() => console.log('timer a'), 20);
    s.setTimeout(20);
    setTimeout(() => console.log('timer b'), 20);
  });
  s.on('timeout', () => {
    console.log('socket timeout');
    Promise.resolve().then(() => console.log('microtask of the timeout'));
    process.nextTick(() => console.log('tick of the timeout'));
    const p = Promise.reject(new Error('handled by a microtask'));
    Promise.resolve().then(() => p.catch((err) => console.log('caught:', err.message)));
    s.setTimeout(0);
    s.end();
  });
  s.on('close', () => server.close());
});
