// path: POSIX joins, normalisation and the parts of a path.
const path = require('path');
const cases = ['', '/', '/a/b/', 'a/./b/../c', '../x/../../y', '/a//b', 'file.txt', '.hidden', 'a/b.tar.gz', '/x/y/'];
for (const p of cases) {
  console.log(JSON.stringify(p), path.normalize(p), path.dirname(p), path.basename(p), JSON.stringify(path.extname(p)), path.isAbsolute(p), JSON.stringify(path.parse(p)));
}
console.log(path.join('a', 'b', '../c', ''), path.join(), path.join('/a/', '/b'), path.join('..', 'x'));
console.log(path.resolve('/a', 'b', '../c'), path.resolve('/x', '/y', 'z'), path.resolve('/') );
console.log(path.relative('/a/b/c', '/a/d'), JSON.stringify(path.relative('/a', '/a')), path.relative('/a', '/a/b/c'));
console.log(path.basename('/a/b.js', '.js'), path.format({ dir: '/x', base: 'y.z' }), path.format({ root: '/', name: 'n', ext: '.e' }));
console.log(path.sep, path.delimiter, path.posix === path);
try { path.join(1); } catch (e) { console.log(e.code, e.message); }
