exports.dir = require('./up.js').up;
