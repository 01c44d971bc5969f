/**
 * A recording an endpoint replays, read when the endpoint is built.
 */
import { MockwaveError } from '../errors/catalog.ts';
import { errorMessage } from '../errors/error-message.ts';
import { readRecording, type Recording } from '../replay/format.ts';

/** A recording that cannot be read is a configuration problem, reported before the server listens. */
export function loadRecording(file: string, endpoint: string): Recording {
  try {
    return readRecording(file);
  } catch (error) {
    throw new MockwaveError('MW_CONFIG_FILE_UNREADABLE', `endpoint ${endpoint}: replay.file: cannot load the recording: ${errorMessage(error)}`, { cause: error });
  }
}

