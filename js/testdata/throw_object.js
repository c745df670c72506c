// A thrown object that is not an Error is reported by its inspection.
try { setTimeout(() => {}, Symbol('x')); } catch (e) { console.log(e.name, e.message); }
console.log(Promise.resolve(3), Promise.reject(new Error('r')).catch(() => {}) && 1);
throw { custom: 1 };
