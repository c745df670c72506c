module.exports = { up: require('../lib').parent };
