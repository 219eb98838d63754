/**
 * Stand-in for macOS /usr/bin/security, emulating what our code relies on (this machine has no macOS):
 * - `security -i` reads one command per line from stdin and cuts a line at 4095 bytes (a longer one stores a
 *   truncated item); it exits 0 even when a command fails, the failure going to stderr.
 * - `add-generic-password -U -s SERVICE -a ACCOUNT -X HEX` creates or updates the item with the hex-decoded data.
 * - `find-generic-password -s SERVICE -a ACCOUNT -w` prints the password and a newline (as hex when it is not
 *   printable text); `delete-generic-password -s SERVICE -a ACCOUNT` removes it. Both exit 44 with
 *   "security: SecKeychainSearchCopyNext: The specified item could not be found in the keychain." when it is absent.
 * - A locked keychain without a way to prompt: "User interaction is not allowed." and exit 36.
 * The items live in the JSON file FAKE_SECURITY_DB; FAKE_SECURITY_LOCKED=1 locks the keychain.
 */
const { existsSync, readFileSync, writeFileSync } = require('node:fs');

const NOT_FOUND = 'security: SecKeychainSearchCopyNext: The specified item could not be found in the keychain.\n';
const LOCKED = 'User interaction is not allowed.';

module.exports = (argv, stdin) => {
  const dbPath = process.env.FAKE_SECURITY_DB;
  const db = existsSync(dbPath) ? JSON.parse(readFileSync(dbPath, 'utf8')) : {};
  const save = () => writeFileSync(dbPath, JSON.stringify(db));
  const locked = process.env.FAKE_SECURITY_LOCKED === '1';
  const option = (args, flag) => args[args.indexOf(flag) + 1];
  const key = (args) => `${option(args, '-s')}/${option(args, '-a')}`;

  if (argv[0] === '-i') {
    for (const raw of stdin.split('\n').filter((l) => l !== '')) {
      const line = Buffer.from(raw).subarray(0, 4095).toString();
      const args = line.split(/\s+/);
      if (args[0] !== 'add-generic-password' || !args.includes('-U') || !args.includes('-X')) {
        process.stderr.write(`security: unknown command line ${args[0]}\n`);
        continue;
      }
      if (locked) {
        process.stderr.write(`security: SecKeychainItemCreateFromContent (<default>): ${LOCKED}\n`);
        continue;
      }
      const hex = option(args, '-X');
      db[key(args)] = Buffer.from(hex.slice(0, hex.length - (hex.length % 2)), 'hex').toString('latin1');
    }
    save();
    process.exit(0);
  }
  if (locked) {
    process.stderr.write(`security: SecKeychainSearchCopyNext: ${LOCKED}\n`);
    process.exit(36);
  }
  if (argv[0] === 'find-generic-password' && argv.includes('-w')) {
    const value = db[key(argv)];
    if (value === undefined) {
      process.stderr.write(NOT_FOUND);
      process.exit(44);
    }
    const printable = /^[\x20-\x7e]*$/.test(value);
    process.stdout.write(`${printable ? value : Buffer.from(value, 'latin1').toString('hex')}\n`);
    process.exit(0);
  }
  if (argv[0] === 'delete-generic-password') {
    if (db[key(argv)] === undefined) {
      process.stderr.write(NOT_FOUND);
      process.exit(44);
    }
    delete db[key(argv)];
    save();
    process.stdout.write(`keychain: "/Users/person/Library/Keychains/login.keychain-db"\nclass: "genp"\n`);
    process.exit(0);
  }
  process.stderr.write(`security: unexpected arguments ${argv.join(' ')}\n`);
  process.exit(2);
};
