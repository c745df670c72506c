// Long arrays of short items are laid out in columns, as util.inspect does.
console.log([1,2,3,4,5,6,7,8,9,10]);
console.log(Array.from({length: 30}, (_, i) => i * 37));
console.log(['a','bb','ccc','dddd','eeeee','ffffff','g']);
console.log({ list: [1,2,3,4,5,6,7], x: 1 });
console.log([1,2,3,4,5,6]);
console.log(Array.from({length: 120}, (_, i) => i));
console.log([[1,2,3,4,5,6,7,8],[1]]);
console.log(['alpha beta gamma', 'delta epsilon', 'zeta', 'eta theta iota kappa', 'lambda', 'mu', 'nu xi omicron']);
