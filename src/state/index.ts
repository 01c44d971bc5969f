export { MemoryStateStore, DEFAULT_STATE_BOUNDS, type StateBounds } from './memory.ts';
export { Positions } from './positions.ts';
export { pathParts, readAt } from './paths.ts';
export { stateSettingsSchema, type StateSettings } from './settings.ts';
export { clientScope, GLOBAL_SCOPE, isScopeName, layerOf, testScope, type Document, type ScopeFigures, type StateChange, type StateEvent, type StateFigures, type StateStore } from './store.ts';
export { callerOf, callerSchema, type CallerOf } from './caller.ts';
