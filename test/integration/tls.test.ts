import assert from 'node:assert/strict';
import { get } from 'node:https';
import { describe, it } from 'node:test';
import { selfSignedCertificate } from '../helpers/certificate.ts';
import { startServer, tickerEndpoint } from '../helpers/server.ts';
import { wsConnect } from '../helpers/ws-connect.ts';

describe('TLS', () => {
  it('serves wss and https on the same port with the configured certificate', async () => {
    const { certFile, keyFile, cert } = selfSignedCertificate();
    const { info } = await startServer({ endpoints: [tickerEndpoint], tls: { cert: certFile, key: keyFile } });
    assert.match(info.url, /^https:\/\//);
    assert.match(info.endpoints[0]?.url ?? '', /^wss:\/\//);
    const client = await wsConnect(`wss://127.0.0.1:${info.port}/ws`, { ca: cert });
    assert.equal((await client.next())['type'], 'connected');
    await client.close();
    const body = await new Promise<string>((resolve, reject) => {
      get(`https://127.0.0.1:${info.port}/admin/websocket/stats`, { ca: cert }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve(text));
      }).on('error', reject);
    });
    assert.equal((JSON.parse(body) as { success: boolean }).success, true);
    await assert.rejects(wsConnect(`wss://127.0.0.1:${info.port}/ws`), /self[- ]signed/i, 'an untrusted certificate is refused by the client');
  });

  it('a missing certificate file is a configuration error before listening', async () => {
    await assert.rejects(startServer({ tls: { cert: '/nonexistent/cert.pem', key: '/nonexistent/key.pem' } }), /tls: cannot read the certificate or key: .*ENOENT/);
  });
});
