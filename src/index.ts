/** The library API: everything a test or an embedding program needs, through one entry point. */
export { createMockServer } from './server/mock-server.ts';
export type { ClientInfo, EndpointInfo, MockServer, MockServerOptions, StartInfo } from './server/mock-server.ts';
export { loadConfig } from './config/load.ts';
export type { LoadOptions, LoadedConfig, Override } from './config/load.ts';
export { configSchema, endpointSchema, streamSchema } from './config/schema.ts';
export type { EndpointConfig, EndpointConfigInput, MockwaveConfig, MockwaveConfigInput, StreamConfig } from './config/schema.ts';
export { checkConfig, validateConfig } from './config/validate.ts';
export { PRESETS, PRESET_NAMES } from './config/presets.ts';
export { ERROR_CATALOG, MockwaveError, isMockwaveError } from './errors/catalog.ts';
export type { ErrorCode } from './errors/catalog.ts';
export { DIALECT_TABLE, DIALECT_NAMES } from './dialects/index.ts';
export type { Command, ServerMessage, WireDialect } from './dialects/index.ts';
export { GENERATOR_TABLE, GENERATOR_NAMES } from './streams/generators/index.ts';
export { ManualClock, systemClock } from './util/clock.ts';
export type { Clock } from './util/clock.ts';
export { createLogger } from './log/logger.ts';
export type { Logger, LogFormat, LogLevel } from './log/logger.ts';
export { VERSION } from './version.ts';
