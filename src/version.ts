/** memtop's version, as package.json gives it (--version, and every JSON document). */
export const VERSION = '0.1.0';
