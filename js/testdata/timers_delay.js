// Delays are coerced as Node does: Number() first, NaN and out of range become 1 ms.
const order = [];
setTimeout(() => order.push('"30"'), '30');
setTimeout(() => order.push('null'), null);
setTimeout(() => order.push('undefined'), undefined);
setTimeout(() => order.push('"abc"'), 'abc');
setTimeout(() => order.push('[20]'), [20]);
setTimeout(() => order.push('true'), true);
setTimeout(() => order.push('{valueOf: 40}'), { valueOf: () => 40 });
setTimeout(() => order.push('10.9'), 10.9);
setTimeout(() => order.push('-1'), -1);
setTimeout(() => console.log(order.join(' ')), 60);
