// AbortController and AbortSignal; timers/promises with and without a signal;
// setInterval's async iterator driven by next and return; scheduler.
const tp = require('timers/promises');
const { scheduler } = tp;

const ac = new AbortController();
const seen = [];
ac.signal.addEventListener('abort', (e) => seen.push('listener ' + e.type + ' ' + (e.target === ac.signal)));
ac.signal.onabort = () => seen.push('onabort');
ac.signal.addEventListener('abort', () => seen.push('once'), { once: true });
console.log('before', ac.signal.aborted, ac.signal.reason);
ac.abort();
ac.abort('again');
console.log('after', ac.signal.aborted, ac.signal.reason.name, ac.signal.reason.message, ac.signal.reason.code, seen);
try { ac.signal.throwIfAborted(); } catch (e) { console.log('throwIfAborted', e.name, e instanceof DOMException, e instanceof Error); }
const ac2 = new AbortController();
ac2.abort(new Error('custom'));
console.log('custom reason', ac2.signal.reason.message);
const pre = AbortSignal.abort('why');
console.log('AbortSignal.abort', pre.aborted, pre.reason);
try { new AbortSignal(); } catch (e) { console.log(e.name, e.code, e.message); }

async function main() {
  console.log('timeout value', await tp.setTimeout(5, 'five'));
  console.log('immediate value', await tp.setImmediate('now'));
  const order = [];
  const b = tp.setImmediate().then(() => order.push('immediate'));
  process.nextTick(() => order.push('tick'));
  Promise.resolve().then(() => order.push('promise'));
  await b;
  console.log('order', order);

  const c = new AbortController();
  const p = tp.setTimeout(1000, 'late', { signal: c.signal });
  setTimeout(() => c.abort(), 5);
  try { await p; } catch (e) { console.log('aborted timeout', e.name, e.code, e.message, e.cause.name); }
  try { await tp.setImmediate('x', { signal: AbortSignal.abort() }); } catch (e) { console.log('pre-aborted immediate', e.code); }
  try { await tp.setTimeout(1, 'x', { signal: 'no' }); } catch (e) { console.log('bad signal', e.code); }

  const it = tp.setInterval(5, 'tick');
  const values = [];
  for (let i = 0; i < 3; i++) values.push(await it.next());
  console.log('interval', values);
  console.log('return', await it.return(), await it.next());

  const c2 = new AbortController();
  const it2 = tp.setInterval(5, 'v', { signal: c2.signal });
  console.log('first', await it2.next());
  const pending = it2.next();
  c2.abort();
  try { await pending; } catch (e) { console.log('interval aborted', e.code); }

  const t = AbortSignal.timeout(10);
  const keep = setTimeout(() => {}, 1000);
  await new Promise((resolve) => t.addEventListener('abort', resolve));
  clearTimeout(keep);
  console.log('AbortSignal.timeout', t.aborted, t.reason.name, t.reason.message, t.reason.code);

  await scheduler.wait(5);
  console.log('scheduler.wait done');
  const y = [];
  setImmediate(() => y.push('immediate'));
  await scheduler.yield();
  console.log('scheduler.yield after an immediate', y);
}
main();
