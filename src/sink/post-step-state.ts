/**
 * What the main step leaves for the post step in GITHUB_STATE (the runner hands it back as STATE_<name>). Its own
 * module so that the post step's bundle does not pull in the delivery code.
 */
export const STATE_EXPORTED = 'exported-variables';
export const STATE_PROFILE = 'profile';
export const STATE_FILES = 'temporary-files';

/** STATE_PROFILE: the profile's name, and the 0600 file (in a private directory) that says how to undo the write. */
export interface ProfileState {
  readonly name: string;
  readonly undoFile: string;
}
