/**
 * Recorded or copied data written into a configuration as a template that renders to itself: every `{{` is
 * escaped as `\{{` (Handlebars' own escape). Without this a recorded "{{" would be read as a template, and the
 * generated configuration would render something else or not load at all.
 */

/** `value` with every string in it (keys left alone) escaped. */
export function literalTemplate(value: unknown): unknown {
  if (typeof value === 'string') return value.includes('{{') ? value.replace(/\{\{/g, '\\{{') : value;
  if (Array.isArray(value)) return value.map(literalTemplate);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, literalTemplate(child)]));
  return value;
}

/**
 * True when `text` has a backslash right before `{{`: Handlebars has no escaped form for that, so such text
 * cannot be written as a template that renders to itself (whoever writes it says so).
 */
export function hasUnwritableBraces(text: string): boolean {
  return text.includes('\\{{');
}
