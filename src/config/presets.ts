import type { PresetName } from './preset-names.ts';
import type { MockwaveConfigInput } from './schema.ts';

export { PRESET_NAMES, type PresetName } from './preset-names.ts';

/**
 * Built-in starting points. `guide` is what `npm start` serves with no configuration: the guide's ticker
 * and notifications streams on ws://localhost:3000/ws, with data that moves.
 */
export const PRESETS = {
  guide: {
    port: 3000,
    endpoints: [
      {
        path: '/ws',
        dialect: 'guide',
        streams: [
          { name: 'ticker', interval: 2000, generator: 'ticker' },
          { name: 'notifications', interval: 5000, generator: 'notification' },
        ],
      },
    ],
  },
  /**
   * The Cerberus dashboard's mock server: port 3001, any path, `{type, payload}` messages, generated events
   * every 2-5 s, metrics every 3 s, status every 10 s, and the console lines its users know.
   */
  cerberus: {
    port: 3001,
    log: { traffic: true },
    endpoints: [
      {
        path: '/*',
        dialect: 'cerberus',
        streams: [
          { name: 'events', interval: '2000-5000', generator: 'cerberus.event', messageType: 'event' },
          { name: 'metrics', interval: 3000, generator: 'cerberus.metric', messageType: 'metric' },
          { name: 'status', interval: 10000, generator: 'cerberus.status', messageType: 'status' },
        ],
      },
    ],
  },
} as const satisfies Record<PresetName, MockwaveConfigInput>;
