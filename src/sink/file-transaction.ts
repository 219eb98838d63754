/**
 * Edits several files as one change: all of them or none. Under the files' locks, each file is re-read (what
 * another writer committed a moment ago is kept), every new content is computed, then each file is replaced
 * atomically; if any write, or the caller's follow-up under the same locks, fails, the files already replaced get
 * their original bytes and mode back, files we created are deleted, and directories we created are removed.
 */
import { mkdirSync, rmdirSync, unlinkSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { type LockOptions, withFileLocks } from '../shared/file-lock';
import { type FileSnapshot, readSnapshot, removeOrphanTempFiles, writeFileAtomic } from './atomic-file';

export interface FileEdit {
  readonly path: string;
  /** How errors name the file: "The credentials file". */
  readonly what: string;
  /** Will hold a secret: the file ends up owner-only whatever mode it had. */
  readonly secret: boolean;
  /** New text from the current text ('' when the file does not exist). */
  readonly edit: (text: string) => string;
  /** The file is ours (we created it): delete it rather than leave it holding nothing but blank lines. */
  readonly removeWhenEmpty?: boolean;
}

/** What one edit changed, enough to undo it later (see profile-write's undo record). */
export interface EditedFile {
  readonly path: string;
  /** The text before the edit ('' when the file did not exist). */
  readonly before: string;
  readonly created: boolean;
  /** Directories created for it, outermost first. */
  readonly createdDirs: readonly string[];
}

interface Staged {
  readonly edit: FileEdit;
  readonly snapshot: FileSnapshot | undefined;
  readonly before: string;
  readonly after: string;
}

export function commitFileEdits(
  allEdits: readonly FileEdit[],
  afterCommit: (files: readonly EditedFile[]) => void = () => undefined,
  lockOptions?: LockOptions,
): EditedFile[] {
  // A file the edit would leave as it is now is not locked, nor its directory created: it may sit on a read-only
  // mount. Should another writer change it meanwhile, that is the same as its change landing just after ours.
  const edits = allEdits.filter((edit) => !leavesUnchanged(edit));
  const createdDirs = new Map<string, string[]>();
  try {
    // The lock files live beside their targets, so the directories must exist before anything else.
    for (const { path } of edits) createdDirs.set(path, ensureDirectory(dirname(path)));
    const files = withFileLocks(
      edits.map((e) => e.path),
      () => {
        for (const { path } of edits) removeOrphanTempFiles(path);
        const staged = edits.map(stage);
        const edited = staged.map(({ edit, before, snapshot, after }) => ({
          path: edit.path,
          before,
          created: snapshot === undefined && after !== '',
          createdDirs: createdDirs.get(edit.path) ?? [],
        }));
        const written: Staged[] = [];
        try {
          for (const change of staged) {
            if (change.after === change.before) continue;
            written.push(change);
            write(change);
          }
          afterCommit(edited);
        } catch (error) {
          for (const change of written.reverse()) undoWrite(change);
          throw error;
        }
        return edited;
      },
      lockOptions,
    );
    // A directory made only to hold a lock, for a file that needed no change once re-read, does not outlive the write.
    for (const dirs of createdDirs.values()) removeEmptyDirectories(dirs);
    return files;
  } catch (error) {
    for (const dirs of createdDirs.values()) removeEmptyDirectories(dirs);
    throw error;
  }
}

function leavesUnchanged(edit: FileEdit): boolean {
  try {
    const { before, after } = stage(edit);
    return after === before;
  } catch {
    return false; // whatever went wrong is raised again, under the lock
  }
}

function stage(edit: FileEdit): Staged {
  const snapshot = readSnapshot(edit.path, edit.what);
  const before = snapshot?.content.toString('utf8') ?? '';
  return { edit, snapshot, before, after: edit.edit(before) };
}

/** An existing file keeps its mode (an owner-only one if it will hold a secret); a new one is 0600. */
function write({ edit, snapshot, after }: Staged): void {
  const mode = snapshot === undefined ? 0o600 : edit.secret ? snapshot.mode & 0o700 : snapshot.mode;
  try {
    if (edit.removeWhenEmpty && after.trim() === '') unlinkSync(edit.path);
    else writeFileAtomic(edit.path, after, mode);
  } catch (error) {
    throw new Error(
      `Could not write ${edit.what.toLowerCase()} ${edit.path} (${(error as NodeJS.ErrnoException).code ?? String(error)}); every file was left as it was.`,
      { cause: error },
    );
  }
}

/** Best effort: the write that failed is the error the user sees; a restore that fails as well cannot do more. */
function undoWrite({ edit, snapshot }: Staged): void {
  try {
    if (snapshot === undefined) unlinkSync(edit.path);
    else writeFileAtomic(edit.path, snapshot.content, snapshot.mode);
  } catch {
    // see above
  }
}

/** Creates `dir` (0700) and returns the directories that did not exist before, outermost first. */
export function ensureDirectory(dir: string): string[] {
  const first = mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (first === undefined) return [];
  const created = [first];
  for (const part of relative(first, dir).split(sep).filter(Boolean)) created.push(join(created.at(-1)!, part));
  return created;
}

/** Removes directories (innermost first) that are empty; one holding anything, even a file not ours, stays. */
export function removeEmptyDirectories(dirs: readonly string[]): void {
  for (const dir of [...dirs].reverse()) {
    try {
      rmdirSync(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      return; // not empty: its parents are not empty either
    }
  }
}
