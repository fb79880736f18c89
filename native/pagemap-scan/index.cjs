// The compiled module; memtop falls back to plain pagemap reads when it is missing.
module.exports = require('./build/Release/pagemap_scan.node');
