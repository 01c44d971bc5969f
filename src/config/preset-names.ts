/** Kept apart from the presets themselves, which are typed by the schema that validates this name. */
export const PRESET_NAMES = ['guide', 'cerberus'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];
