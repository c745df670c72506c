module.exports = { parent: require('./data.json').dir === 'lib' ? __dirname.slice(0, -4) : '' };
