/**
 * Writing a profile as one change (both files or neither, under their locks) and undoing it exactly: the post step
 * puts back each section as it was before, deletes files and directories the write created, and leaves everything
 * else — other profiles, comments, files that were there before — as it finds it. Loaded only where a profile is
 * written or undone, so other runs do not pay for the lock and transaction code.
 */
import { lstatSync } from 'node:fs';
import { commitFileEdits, type EditedFile, type FileEdit, removeEmptyDirectories } from './file-transaction';
import { restoreSection, sectionLines } from './ini';
import { type ProfilePlan, sectionIn } from './profile';

/** Everything needed to undo one profile write. Holds the overwritten sections, so it is stored 0600, never logged. */
export interface ProfileUndo {
  readonly name: string;
  readonly files: ReadonlyArray<{
    readonly path: string;
    readonly section: string;
    /** The section's lines before the write; absent when the write added it. */
    readonly original?: readonly string[];
    readonly created: boolean;
    readonly createdDirs: readonly string[];
  }>;
}

/**
 * Commits `edits`; `afterCommit` runs while the locks are still held and its failure rolls the files back too (the
 * action records the undo and writes the runner files there, so that either all of it happened or none).
 */
export function writeProfile(
  plan: ProfilePlan,
  edits: readonly FileEdit[],
  afterCommit: (undo: ProfileUndo) => void = () => undefined,
): ProfileUndo {
  return writeProfiles([{ plan, edits }], ([undo]) => afterCommit(undo!))[0]!;
}

export interface ProfileWrite {
  readonly plan: ProfilePlan;
  readonly edits: readonly FileEdit[];
}

/**
 * Several profiles as one change: every profile's edits of the same file are applied in one read-modify-write under
 * that file's lock, so the files hold all of the profiles or none of them.
 */
export function writeProfiles(
  writes: readonly ProfileWrite[],
  afterCommit: (undos: ProfileUndo[]) => void = () => undefined,
): ProfileUndo[] {
  let undos: ProfileUndo[] = [];
  commitFileEdits(editsPerFile(writes.flatMap((w) => w.edits)), (files) => {
    undos = writes.map(({ plan }) => undoRecord(plan, files));
    afterCommit(undos);
  });
  return undos;
}

/** One edit per path, doing what each edit of that path did, in order. */
function editsPerFile(edits: readonly FileEdit[]): FileEdit[] {
  const byPath = new Map<string, FileEdit>();
  for (const edit of edits) {
    const earlier = byPath.get(edit.path);
    byPath.set(
      edit.path,
      earlier
        ? { ...earlier, secret: earlier.secret || edit.secret, edit: (text) => edit.edit(earlier.edit(text)) }
        : edit,
    );
  }
  return [...byPath.values()];
}

/** The sections the write changed in this profile's files, as they were before. */
function undoRecord(plan: ProfilePlan, files: readonly EditedFile[]): ProfileUndo {
  const own = files.filter((file) => file.path === plan.credentialsFile || file.path === plan.configFile);
  return {
    name: plan.name,
    files: own.map((file) => {
      const section = sectionIn(plan, file.path);
      const original = sectionLines(file.before, section);
      return {
        path: file.path,
        section,
        ...(original ? { original } : {}),
        created: file.created,
        createdDirs: file.createdDirs,
      };
    }),
  };
}

/** Puts every section back as it was; a file (and its directories) the write created goes once nothing else is in it. */
export function undoProfile(undo: ProfileUndo): void {
  // A file removed since is left removed: recreating it to hold an old section would be a new file nobody asked for.
  const present = undo.files.filter((file) => exists(file.path));
  commitFileEdits(
    present.map((file) => ({
      path: file.path,
      what: 'The profile file',
      // Keeps the mode the file has now: the write already made a credentials file owner-only.
      secret: false,
      removeWhenEmpty: file.created,
      edit: (text) => restoreSection(text, file.section, file.original),
    })),
  );
  for (const file of undo.files) removeEmptyDirectories(file.createdDirs);
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
