/**
 * Stand-in for Windows PowerShell (this machine has no Windows), emulating Credential Manager behind the script our
 * code sends: it checks the invocation (`-NoProfile -NonInteractive -Command -`, the script on stdin as one line that
 * decodes and runs it), checks the script declares the advapi32 calls, then carries out the operation on the JSON file
 * FAKE_CREDMAN_DB the way CredWriteW/CredReadW/CredDeleteW would: a blob over CRED_MAX_CREDENTIAL_BLOB_SIZE (2560
 * bytes) is refused (ERROR_INVALID_PARAMETER, 87), a missing target is ERROR_NOT_FOUND (1168). Output lines end in
 * CRLF, as PowerShell's do. FAKE_CREDMAN_DENY=<code> makes every write fail with that Win32 error.
 */
const { existsSync, readFileSync, writeFileSync } = require('node:fs');

const ONE_LINE =
  /^Invoke-Expression \(\[Text\.Encoding\]::UTF8\.GetString\(\[Convert\]::FromBase64String\('([A-Za-z0-9+/=]+)'\)\)\)\n$/;

function fail(message) {
  process.stderr.write(`${message}\r\n`);
  process.exit(1);
}

/** PowerShell single-quoted strings inside @(…): '' is a quote. */
function quotedList(script, name) {
  const match = new RegExp(`\\$${name} = @\\(((?:'(?:[^']|'')*',?)*)\\)`).exec(script);
  if (!match) fail(`no $${name} list in the script`);
  return [...match[1].matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1].replace(/''/g, "'"));
}

module.exports = (argv, stdin) => {
  if (argv.join(' ') !== '-NoProfile -NonInteractive -Command -') fail(`unexpected arguments: ${argv.join(' ')}`);
  const line = ONE_LINE.exec(stdin);
  if (!line) fail('stdin is not the one-line Invoke-Expression of a base64 script');
  const script = Buffer.from(line[1], 'base64').toString('utf8');
  for (const needed of [
    "$ErrorActionPreference = 'Stop'",
    "Add-Type -TypeDefinition @'\n",
    "\n'@\n",
    '[DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]\n  static extern bool CredWriteW(ref CREDENTIAL credential, int flags);',
    'static extern bool CredReadW(string target, int type, int flags, out IntPtr credential);',
    'static extern bool CredDeleteW(string target, int type, int flags);',
  ]) {
    if (!script.includes(needed)) fail(`the script lacks ${JSON.stringify(needed)}`);
  }
  const dbPath = process.env.FAKE_CREDMAN_DB;
  const db = existsSync(dbPath) ? JSON.parse(readFileSync(dbPath, 'utf8')) : {};
  const out = [];
  const targets = quotedList(script, 'targets');
  if (script.includes('$blobs = @(')) {
    const blobs = quotedList(script, 'blobs').map((b) => Buffer.from(b, 'base64'));
    for (let i = blobs.length - 1; i >= 0; i--) {
      const denied = process.env.FAKE_CREDMAN_DENY;
      if (denied || blobs[i].length > 2560) {
        out.push(`ERROR ${denied ?? 87}`);
        break;
      }
      db[targets[i]] = blobs[i].toString('base64');
    }
    if (!out.length)
      for (let i = blobs.length; i < targets.length && db[targets[i]] !== undefined; i++) delete db[targets[i]];
  } else if (script.includes('[KeylessAwsCred]::Read(')) {
    for (const target of targets) {
      if (db[target] === undefined) break;
      out.push(`PART ${db[target]}`);
    }
  } else if (script.includes('REMOVED')) {
    let n = 0;
    for (const target of targets) {
      if (db[target] === undefined) break;
      delete db[target];
      n++;
    }
    out.push(`REMOVED ${n}`);
  } else {
    fail('unknown operation');
  }
  if (!out.some((l) => l.startsWith('ERROR'))) out.push('END');
  writeFileSync(dbPath, JSON.stringify(db));
  process.stdout.write(out.map((l) => `${l}\r\n`).join(''));
  process.exit(0);
};
