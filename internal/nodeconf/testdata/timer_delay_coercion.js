// Delays below 1 ms, NaN and above 2**31-1 ms become 1 ms; fractions are truncated.
// All of these share the 1 ms list and fire in start order, before a 3 ms timer.
setTimeout(() => console.log('delay 0'), 0);
setTimeout(() => console.log('delay -5'), -5);
setTimeout(() => console.log('delay NaN'), NaN);
setTimeout(() => console.log('delay 2**31'), 2 ** 31);
setTimeout(() => console.log('delay 1.7'), 1.7);
setTimeout(() => console.log('delay 3'), 3);
console.log('main');
