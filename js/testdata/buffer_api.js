// Buffer: constructors, encodings, views, comparisons, integer access, inspection.
const { Buffer: B } = require('buffer');
const util = require('util');
console.log(B === Buffer, Buffer.isBuffer(Buffer.alloc(1)), Buffer.isBuffer(new Uint8Array(1)));
const b = Buffer.from('hello, wörld');
console.log(b.length, b[0], b instanceof Uint8Array);
console.log(b);
console.log(util.inspect(b));
console.log(b.toString(), b.toString('hex'), b.toString('base64'));
console.log(b.toString('utf8', 1, 4), b.toString('latin1'));
console.log(Buffer.from('68656c6c6f', 'hex').toString());
console.log(Buffer.from('aGVsbG8=', 'base64').toString(), Buffer.from('aGVsbG8', 'base64').toString());
console.log(Buffer.from('héllo', 'latin1'), Buffer.from('héllo', 'latin1').toString('latin1'));
console.log(Buffer.from([1, 2, 3, 256, -1]));
console.log(Buffer.from(new Uint8Array([9, 8]).buffer));
const copy = Buffer.from(b);
copy[0] = 72;
console.log(b.toString(), copy.toString());
console.log(Buffer.alloc(3), Buffer.alloc(4, 'ab'), Buffer.alloc(2, 7), Buffer.allocUnsafe(5).length);
console.log(Buffer.concat([Buffer.from('ab'), Buffer.from('cd')]).toString(), Buffer.concat([Buffer.from('abc')], 2).toString());
console.log(Buffer.byteLength('wörld'), Buffer.byteLength('abcd', 'hex'), Buffer.byteLength('aGVsbG8=', 'base64'));
const s = b.slice(0, 5);
const sub = b.subarray(7);
s[0] = 74;
console.log(b.toString(), s.toString(), sub.toString(), Buffer.isBuffer(sub));
console.log(Buffer.from('abc').equals(Buffer.from('abc')), Buffer.from('abc').equals(Buffer.from('abd')));
console.log(Buffer.from('abc').compare(Buffer.from('abd')), Buffer.compare(Buffer.from('b'), Buffer.from('a')), Buffer.from('a').compare(Buffer.from('a')));
const dst = Buffer.alloc(6, '.');
console.log(Buffer.from('xyz').copy(dst, 2), dst.toString());
const w = Buffer.alloc(8);
console.log(w.write('hi'), w.write('there', 2), w.write('zz', 6, 1), w);
const n = Buffer.alloc(8);
console.log(n.writeUInt8(255, 0), n.writeUInt16BE(0x1234, 1), n.writeUInt16LE(0x1234, 3), n);
console.log(n.readUInt8(0), n.readUInt16BE(1), n.readUInt16LE(3));
n.writeUInt32BE(0xdeadbeef, 0);
n.writeUInt32LE(0xdeadbeef, 4);
console.log(n, n.readUInt32BE(0), n.readUInt32LE(4), n.readUInt32BE(4));
try { n.readUInt32BE(6); } catch (e) { console.log(e.code, e.message); }
try { n.writeUInt8(256, 0); } catch (e) { console.log(e.code, e.message); }
try { Buffer.from(5); } catch (e) { console.log(e.code, e.message); }
console.log(JSON.stringify(Buffer.from('hi')), Buffer.from('hi').toJSON());
console.log(Buffer.from(JSON.parse(JSON.stringify(Buffer.from('ok')))).toString());
console.log(Buffer.alloc(60));
console.log({ buf: Buffer.from('x') }, [Buffer.from('y')]);
console.log(String(Buffer.from('str')), Buffer.from('abcabc').indexOf('ca'), Buffer.from('abc').includes('d'));
