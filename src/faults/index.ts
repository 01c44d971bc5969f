export { EndpointFaults, noFaults, type DoorFault, type FaultCounts, type FaultsContext, type FaultsView } from './faults.ts';
export { FAULT_KINDS, FaultLine, type FaultKind, type FaultReport } from './line.ts';
export { compileProfile, FAULT_CLOSE_CODE, type CompiledProfile } from './profile.ts';
export { faultProfileSchema, type FaultPhase, type FaultProfile, type FaultProfileInput, type FaultProfileKeys } from './schema.ts';
export { HeldBudget } from './held.ts';
export type { Framing } from './corrupt.ts';
