// Buffer.concat's length is checked as Node checks it; copy within one buffer is a memmove.
try { console.log(Buffer.concat([Buffer.from('ab'), Buffer.from('cd')], 2.5)); } catch (e) { console.log(e.name, e.code, e.message); }
const b = Buffer.from('abcdef'); b.copy(b, 2, 0, 4); console.log(b.toString());
const c = Buffer.from('abcdef'); c.copy(c, 0, 2); console.log(c.toString());
try { Buffer.concat([Buffer.from('ab')], -1); } catch (e) { console.log(e.name, e.code, e.message); }
console.log(Buffer.concat([Buffer.from('ab'), Buffer.from('cd')], 3).toString(), Buffer.concat([Buffer.from('ab')], 5));
