/**
 * Faults through the admin API (docs/faults.md): `GET /admin/faults` every endpoint's profile and what it
 * injected; `PUT /admin/faults?endpoint=<path>` a profile on (or changed), `DELETE` it off. `endpoint` may be
 * left out when the server has one endpoint.
 */
import { z } from 'zod';
import { jsonBody } from './body.ts';
import { query, type AdminRoute } from './route.ts';

const PATH = /^\/admin\/faults$/;

export const FAULT_ROUTES: readonly AdminRoute[] = [
  { method: 'GET', pattern: PATH, handler: ({ view }) => ({ status: 200, data: { endpoints: view.faults() } }) },
  {
    method: 'PUT',
    pattern: PATH,
    handler: async ({ view, request }) => ({ status: 200, data: view.putFaults(query(request, 'endpoint'), await jsonBody(request, z.unknown())) }),
  },
  { method: 'DELETE', pattern: PATH, handler: ({ view, request }) => ({ status: 200, data: view.removeFaults(query(request, 'endpoint')) }) },
];
