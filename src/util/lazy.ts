/**
 * Dependencies loaded on first use, synchronously. Start-up time is a product figure (a mock server is
 * started hundreds of times a day by test suites), and faker, prom-client, handlebars and yaml together
 * took 0.45 s to import when most runs use none or one of them. `require` of an ES module works from
 * Node 20.19 (the engines floor), so callers stay synchronous.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const load = createRequire(import.meta.url);

export function lazy<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => {
    if (loaded === undefined) {
      try {
        loaded = load(specifier) as T;
      } catch (error) {
        // A package that exports only an `import` condition (json-schema-faker) is resolved the ESM way,
        // then required by its path.
        if ((error as { code?: string }).code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw error;
        loaded = load(fileURLToPath(import.meta.resolve(specifier))) as T;
      }
    }
    return loaded;
  };
}
