/**
 * mockwave's own paths (src/util/own-paths.ts): which request paths each entry answers, and which route paths
 * route loading refuses because of it, read from the one list.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OWN_PATHS, ownPathAt, reservedPathProblem } from '../../src/util/own-paths.ts';

describe("mockwave's own paths", () => {
  it('answers each entry as it says: the tree, the path itself, or what is below it', () => {
    const at = (path: string, dashboard = true): string | undefined => ownPathAt(path, dashboard)?.path;
    assert.deepEqual(['/admin', '/admin/', '/admin/websocket/stats'].map((p) => at(p)), ['/admin', '/admin', '/admin']);
    assert.deepEqual(['/metrics', '/metrics/x'].map((p) => at(p)), ['/metrics', undefined]);
    assert.deepEqual(['/dashboard', '/dashboard/app.js'].map((p) => at(p)), [undefined, '/dashboard']);
    assert.deepEqual([at('/'), at('/', false)], ['/', undefined], 'the root only while the dashboard is on');
    assert.deepEqual(['/administrator', '/metricsx', '/api', '/x/admin'].map((p) => at(p)), [undefined, undefined, undefined, undefined]);
  });

  it('refuses a route at or below each entry, whatever it serves; the root only itself, only while the dashboard is on', () => {
    for (const own of OWN_PATHS.filter((o) => o.path !== '/')) {
      assert.equal(reservedPathProblem(own.path, true), `${own.path} would shadow mockwave's own ${own.path}: choose another path`);
      assert.equal(reservedPathProblem(`${own.path}/x/:id`, false), `${own.path}/x/:id would shadow mockwave's own ${own.path}: choose another path`);
      assert.equal(reservedPathProblem(`${own.path}x`, true), undefined, `${own.path}x is another path`);
    }
    assert.equal(reservedPathProblem('/', true), "/ is the dashboard's while it is on: set dashboard.enabled to false to claim it");
    assert.equal(reservedPathProblem('/', false), undefined);
    assert.equal(reservedPathProblem('/api/orders', true), undefined, 'below the root is not the root');
    assert.equal(reservedPathProblem('/*', true), undefined, 'a wildcard may cover them: they are answered first');
  });

  it('says what each is for', () => {
    for (const own of OWN_PATHS) assert.ok(own.purpose.length > 0, own.path);
  });
});
