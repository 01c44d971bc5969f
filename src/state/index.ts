export { MemoryStateStore, DEFAULT_STATE_BOUNDS, type StateBounds } from './memory.ts';
export { Positions } from './positions.ts';
export { clientScope, GLOBAL_SCOPE, testScope, type Document, type ScopeFigures, type StateChange, type StateEvent, type StateFigures, type StateStore } from './store.ts';
