export { EndpointFaults, noFaults, type FaultCounts, type FaultsContext, type FaultsView } from './faults.ts';
export { FAULT_KINDS, FaultLine, type FaultKind, type FaultReport } from './line.ts';
export { compileProfile, FAULT_CLOSE_CODE, type CompiledProfile } from './profile.ts';
export { faultProfileSchema, type FaultProfile, type FaultProfileInput } from './schema.ts';
export { HeldBudget } from './held.ts';
export type { Framing } from './corrupt.ts';
