/**
 * The `stateStore:` section: the bounds of the state (src/state/memory.ts) and the file it is kept in across
 * restarts (src/server/state-file.ts). Not the rule-level `state:` condition, which says what a rule needs.
 */
import { z } from 'zod';
import { callerSchema } from './caller.ts';
import { DEFAULT_STATE_BOUNDS } from './memory.ts';

export const stateSettingsSchema = z
  .strictObject({
    file: z.string().min(1).optional().describe('A JSON file (relative to the configuration\'s folder) the state is loaded from at start and saved to after each change (written whole, then renamed into place): global, test and caller scopes, not connections\' own.'),
    caller: callerSchema.optional(),
    maxScopes: z.number().int().min(1).max(1_000_000).default(DEFAULT_STATE_BOUNDS.maxScopes).describe('Client, caller and test scopes held; past it the least recently used is forgotten (and counted).'),
    maxScopeBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(DEFAULT_STATE_BOUNDS.maxScopeBytes).describe('Bytes (as JSON) one scope may hold; a change past it is refused (MW_STATE_REFUSED).'),
    maxBytes: z.number().int().min(1024).max(1024 * 1024 * 1024).default(DEFAULT_STATE_BOUNDS.maxBytes).describe('Bytes all scopes may hold together; past it the least recently used scopes are forgotten.'),
  })
  .prefault({})
  .describe('The state rules, routes and templates read and setState writes (docs/state.md).');

export type StateSettings = z.infer<typeof stateSettingsSchema>;
