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
} as const satisfies Record<PresetName, MockwaveConfigInput>;
