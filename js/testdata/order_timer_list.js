// The timers of one list run one after the other, each followed by its nextTicks,
// its microtasks and its rejections before the next: whatever the callback before
// queued, cleared, refreshed or threw, and whether it queued anything at all.
const log = (...a) => console.log(...a);
const t = [];
process.on('uncaughtException', (err) => log('uncaught', err.message));
process.on('unhandledRejection', (reason) => log('unhandled', reason.message));
const on = (i, fn) => { t[i] = setTimeout(function () { log('timer', i, this === t[i]); if (fn) fn(); }, 5); };

on(0);
on(1, () => Promise.resolve().then(() => log('micro of 1', t[0]._destroyed, t[1]._destroyed)));
on(2, () => process.nextTick(() => log('tick of 2')));
on(3, () => { process.nextTick(() => log('tick of 3')); Promise.resolve().then(() => log('micro of 3')); });
on(4, () => { throw new Error('from 4'); });
on(5, () => clearTimeout(t[6]));
on(6);
on(7, () => t[8].refresh());
on(8, () => log('8 after its refresh'));
on(9, () => Promise.reject(new Error('rejected in 9')));
on(10, () => queueMicrotask(() => log('queued by 10')));
on(11, () => log('destroyed before 11:', t.slice(0, 11).map((x) => x._destroyed).join(' ')));
on(12, () => { setTimeout(() => log('started by 12'), 5); log('12 sees 13 active', t[13].hasRef()); });
on(13, () => process.nextTick(() => Promise.resolve().then(() => process.nextTick(() => log('tick of micro of tick of 13')))));
let n = 0;
const iv = setInterval(() => { log('interval', ++n); if (n === 2) clearInterval(iv); }, 5);
on(14, () => log('last'));
