// path: POSIX paths, as Node's path.posix (also on Windows, where Node would use
// its win32 rules).
(function (binding, builtins, global) {
  'use strict';

  function check(p, name) {
    if (typeof p !== 'string') {
      let got;
      if (p === undefined || p === null) got = 'Received ' + p;
      else if (typeof p === 'function') got = 'Received function ' + (p.name || '<anonymous>');
      else if (typeof p === 'object') got = 'Received an instance of ' + (p.constructor && p.constructor.name || 'Object');
      else got = 'Received type ' + typeof p + ' (' + builtins.util.inspect(p) + ')';
      const e = new TypeError('The "' + name + '" argument must be of type string. ' + got);
      e.code = 'ERR_INVALID_ARG_TYPE';
      throw e;
    }
  }

  function normalizeParts(p, absolute) {
    const out = [];
    for (const seg of p.split('/')) {
      if (seg === '' || seg === '.') continue;
      if (seg === '..') {
        if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
        else if (!absolute) out.push('..');
        continue;
      }
      out.push(seg);
    }
    return out;
  }

  const path = {
    sep: '/',
    delimiter: ':',
    normalize(p) {
      check(p, 'path');
      if (p === '') return '.';
      const abs = p[0] === '/';
      const trailing = p[p.length - 1] === '/';
      let s = normalizeParts(p, abs).join('/');
      if (s === '' && !abs) s = '.';
      if (s !== '' && trailing) s += '/';
      return abs ? '/' + s : s;
    },
    join(...parts) {
      for (const p of parts) check(p, 'path');
      const joined = parts.filter((p) => p !== '').join('/');
      return joined === '' ? '.' : path.normalize(joined);
    },
    resolve(...parts) {
      let resolved = '';
      for (let i = parts.length - 1; i >= -1 && resolved[0] !== '/'; i--) {
        const p = i >= 0 ? parts[i] : process.cwd();
        check(p, 'paths[' + i + ']');
        if (p === '') continue;
        resolved = p + (resolved === '' ? '' : '/' + resolved);
      }
      const s = normalizeParts(resolved, true).join('/');
      return '/' + s;
    },
    isAbsolute(p) { check(p, 'path'); return p.length > 0 && p[0] === '/'; },
    dirname(p) {
      check(p, 'path');
      if (p === '') return '.';
      let end = p.length;
      while (end > 1 && p[end - 1] === '/') end--;
      const i = p.lastIndexOf('/', end - 1);
      if (i === -1) return '.';
      if (i === 0) return '/';
      return p.slice(0, i);
    },
    basename(p, ext) {
      check(p, 'path');
      let end = p.length;
      while (end > 0 && p[end - 1] === '/') end--;
      if (end === 0) return '';
      const base = p.slice(p.lastIndexOf('/', end - 1) + 1, end);
      if (ext !== undefined && ext !== base && base.endsWith(ext)) return base.slice(0, base.length - ext.length);
      return base;
    },
    extname(p) {
      check(p, 'path');
      const base = path.basename(p);
      const i = base.lastIndexOf('.');
      if (i <= 0) return '';
      return base.slice(i);
    },
    relative(from, to) {
      const a = normalizeParts(path.resolve(from), true);
      const b = normalizeParts(path.resolve(to), true);
      let i = 0;
      while (i < a.length && i < b.length && a[i] === b[i]) i++;
      return a.slice(i).map(() => '..').concat(b.slice(i)).join('/');
    },
    parse(p) {
      check(p, 'path');
      const root = p[0] === '/' ? '/' : '';
      const base = path.basename(p);
      const ext = path.extname(p);
      let dir = path.dirname(p);
      if (dir === '.' && !p.includes('/')) dir = '';
      return { root: root, dir: dir, base: base, ext: ext, name: ext ? base.slice(0, base.length - ext.length) : base };
    },
    format(o) {
      const dir = o.dir || o.root || '';
      const base = o.base || (o.name || '') + (o.ext || '');
      if (!dir) return base;
      return dir === o.root ? dir + base : dir + '/' + base;
    },
    toNamespacedPath(p) { return p; },
  };
  path.posix = path;
  path.win32 = path;
  return path;
})
