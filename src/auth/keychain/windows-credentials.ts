/**
 * Windows Credential Manager (generic credentials of the signed-in user) without a native module: Windows PowerShell
 * P/Invokes advapi32's CredWriteW, CredReadW and CredDeleteW. PowerShell runs as `-Command -`, so the script, and the
 * secret inside it, arrive on stdin; its answer is one line per fact on stdout. A credential blob holds at most
 * CRED_MAX_CREDENTIAL_BLOB_SIZE (5 * 512 = 2560) bytes and ID plus refresh tokens often exceed it (Entra's do), so a
 * sign-in is kept as parts (keychain.ts): the secrets stay in the vault instead of falling back to a file on exactly
 * the accounts (Entra) most Windows users have. One PowerShell run reads, writes or removes all parts: it starts in
 * about a second, and compiling the P/Invoke type is most of that.
 */
import { runTool } from '../../shared/run-tool';
import {
  failureOf,
  firstLine,
  joinParts,
  type Keychain,
  KeychainError,
  MAX_PARTS,
  SERVICE,
  splitSecret,
  TOOL_MAX_OUTPUT,
  TOOL_TIMEOUT_MS,
} from './keychain';

export const CRED_MAX_CREDENTIAL_BLOB_SIZE = 5 * 512;
export const POWERSHELL_ARGS = ['-NoProfile', '-NonInteractive', '-Command', '-'] as const;

export interface PowerShellOptions {
  readonly path: string;
  readonly timeoutMs?: number;
  /** The tool's environment (the Secret Service is found through DBUS_SESSION_BUS_ADDRESS). */
  readonly env?: NodeJS.ProcessEnv;
}

/** The P/Invoke declarations (CREDENTIALW as in wincred.h; CRED_TYPE_GENERIC = 1, CRED_PERSIST_LOCAL_MACHINE = 2). */
const NATIVE = `Add-Type -TypeDefinition @'
using System;
using System.Runtime.InteropServices;
public static class KeylessAwsCred {
  [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
  struct CREDENTIAL {
    public int Flags; public int Type; public string TargetName; public string Comment;
    public System.Runtime.InteropServices.ComTypes.FILETIME LastWritten;
    public int CredentialBlobSize; public IntPtr CredentialBlob; public int Persist;
    public int AttributeCount; public IntPtr Attributes; public string TargetAlias; public string UserName;
  }
  [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
  static extern bool CredWriteW(ref CREDENTIAL credential, int flags);
  [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
  static extern bool CredReadW(string target, int type, int flags, out IntPtr credential);
  [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
  static extern bool CredDeleteW(string target, int type, int flags);
  [DllImport("advapi32.dll")]
  static extern void CredFree(IntPtr buffer);
  public static int Write(string target, string user, byte[] blob) {
    var c = new CREDENTIAL();
    c.Type = 1; c.TargetName = target; c.UserName = user; c.Persist = 2;
    c.CredentialBlobSize = blob.Length; c.CredentialBlob = Marshal.AllocHGlobal(blob.Length);
    try { Marshal.Copy(blob, 0, c.CredentialBlob, blob.Length); return CredWriteW(ref c, 0) ? 0 : Marshal.GetLastWin32Error(); }
    finally { Marshal.FreeHGlobal(c.CredentialBlob); }
  }
  public static string Read(string target) {
    IntPtr p;
    if (!CredReadW(target, 1, 0, out p)) return "ERROR " + Marshal.GetLastWin32Error();
    try {
      var c = (CREDENTIAL)Marshal.PtrToStructure(p, typeof(CREDENTIAL));
      var blob = new byte[c.CredentialBlobSize];
      Marshal.Copy(c.CredentialBlob, blob, 0, blob.Length);
      return "PART " + Convert.ToBase64String(blob);
    } finally { CredFree(p); }
  }
  public static int Delete(string target) { return CredDeleteW(target, 1, 0) ? 0 : Marshal.GetLastWin32Error(); }
}
'@
`;

/** ERROR_NOT_FOUND: no credential with that target name. */
const NOT_FOUND = 1168;

/**
 * A PowerShell single-quoted string. PowerShell also ends such a string at the typographic single quotes
 * (U+2018-U+201B), so each of them is doubled like `'`; otherwise a name holding one would end the string and
 * the rest would run as code.
 */
function quoted(text: string): string {
  return `'${text.replace(/['\u2018\u2019\u201a\u201b]/g, (q) => q + q)}'`;
}

/** The script for one operation; `targets` are the parts' target names, `blobs` their contents (base64). */
export function operationScript(operation: 'read' | 'write' | 'remove', base: string, blobs: string[] = []): string {
  const targets = Array.from({ length: MAX_PARTS }, (_, i) => quoted(i === 0 ? base : `${base}:${i}`)).join(',');
  const body: Record<typeof operation, string> = {
    // Reads parts until one is missing; the caller checks they belong together.
    read: `foreach ($t in $targets) { $r = [KeylessAwsCred]::Read($t); if ($r -eq 'ERROR ${NOT_FOUND}') { break }; $r; if ($r.StartsWith('ERROR')) { break } }; 'END'`,
    // The first part last (see keychain.ts), then the parts of a longer earlier write go.
    write:
      `$blobs = @(${blobs.map(quoted).join(',')}); ` +
      `for ($i = $blobs.Count - 1; $i -ge 0; $i--) { $e = [KeylessAwsCred]::Write($targets[$i], ${quoted(SERVICE)}, [Convert]::FromBase64String($blobs[$i])); if ($e -ne 0) { "ERROR $e"; exit } }; ` +
      `for ($i = $blobs.Count; $i -lt $targets.Count; $i++) { if ([KeylessAwsCred]::Delete($targets[$i]) -ne 0) { break } }; 'END'`,
    remove: `$n = 0; foreach ($t in $targets) { $e = [KeylessAwsCred]::Delete($t); if ($e -eq ${NOT_FOUND}) { break }; if ($e -ne 0) { "ERROR $e"; exit }; $n++ }; "REMOVED $n"; 'END'`,
  };
  return `$ErrorActionPreference = 'Stop'\n${NATIVE}$targets = @(${targets})\n${body[operation]}\n`;
}

/**
 * What goes on PowerShell's stdin: one line that decodes and runs the script. `-Command -` runs its input line by
 * line as typed at a prompt, where a here-string or a block split across lines needs an extra blank line to end;
 * one line has none of that.
 */
export function stdinFor(script: string): string {
  return `Invoke-Expression ([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('${Buffer.from(script, 'utf8').toString('base64')}')))\n`;
}

export function windowsCredentials(options: PowerShellOptions): Keychain {
  const label = 'Windows Credential Manager';
  const run = async (script: string): Promise<string[]> => {
    const result = await runTool(options.path, POWERSHELL_ARGS, {
      input: stdinFor(script),
      timeoutMs: options.timeoutMs ?? TOOL_TIMEOUT_MS,
      maxOutputBytes: TOOL_MAX_OUTPUT,
      env: options.env,
    });
    const failure = failureOf(label, 'powershell.exe', result);
    if (failure || result.outcome !== 'exited') throw failure;
    const lines = result.stdout.split(/\r?\n/).filter((line) => line !== '');
    const error = lines.find((line) => line.startsWith('ERROR '));
    if (error) throw new KeychainError(label, `Credential Manager refused (Win32 error ${Number(error.slice(6))})`);
    if (result.code !== 0 || !lines.includes('END')) {
      throw new KeychainError(label, `powershell.exe failed (exit ${result.code}): ${firstLine(result.stderr)}`);
    }
    return lines.filter((line) => line !== 'END');
  };
  const target = (account: string) => `${SERVICE}:${account}`;
  return {
    label,
    async read(account) {
      const parts = (await run(operationScript('read', target(account))))
        .filter((line) => line.startsWith('PART '))
        .map((line) => Buffer.from(line.slice(5), 'base64').toString('utf8'));
      return parts.length === 0 ? undefined : joinParts(parts);
    },
    async write(account, secret) {
      const blobs = splitSecret(secret, CRED_MAX_CREDENTIAL_BLOB_SIZE).map((part) =>
        Buffer.from(part, 'utf8').toString('base64'),
      );
      await run(operationScript('write', target(account), blobs));
    },
    async remove(account) {
      const lines = await run(operationScript('remove', target(account)));
      return lines.some((line) => /^REMOVED [1-9]/.test(line));
    },
  };
}
