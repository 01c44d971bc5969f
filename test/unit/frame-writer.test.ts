import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as ws from 'ws';
import type { Socket } from 'node:net';
import { BroadcastWriter, frame, writeFrameNow, type FrameTarget } from '../../src/transport/frame-writer.ts';
import { ManualClock } from '../../src/util/clock.ts';

// ws exports its frame parser but @types/ws does not declare it.
const { Receiver } = ws as unknown as {
  Receiver: new (options: { isServer: boolean; skipUTF8Validation: boolean }) => NodeJS.WritableStream & { on(event: string, listener: (...args: never[]) => void): void };
};

/** Parses frames with ws's own receiver (the client side), so the framing is checked by a real parser. */
function parseFrame(wire: Buffer): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve, reject) => {
    const receiver = new Receiver({ isServer: false, skipUTF8Validation: false });
    receiver.on('message', (data: Buffer, isBinary: boolean) => resolve({ data, isBinary }));
    receiver.on('error', reject);
    receiver.write(wire);
  });
}

async function parse(wire: Buffer): Promise<string> {
  const { data, isBinary } = await parseFrame(wire);
  assert.equal(isBinary, false, 'a text frame');
  return data.toString();
}

describe('text frames', () => {
  for (const length of [0, 1, 125, 126, 127, 65_535, 65_536, 200_000]) {
    it(`frames a ${length}-byte text payload as one final, unmasked text frame`, async () => {
      const text = 'é'.repeat(Math.floor(length / 2)) + (length % 2 === 1 ? 'x' : '');
      const payload = Buffer.from(text);
      assert.equal(payload.length, length);
      const wire = frame(payload);
      assert.equal(wire[0], 0x81);
      assert.equal(await parse(wire), text);
    });
  }

  for (const length of [10, 16 * 1024, 16 * 1024 + 1, 200_000]) {
    it(`writes a ${length}-byte reply as one frame: copied when small, header then payload when large`, async () => {
      const writes: Buffer[] = [];
      let corks = 0;
      const tcp = { write: (chunk: Buffer) => writes.push(chunk), cork: () => corks++, uncork: () => corks-- } as unknown as Socket;
      const payload = Buffer.from('y'.repeat(length));
      writeFrameNow({ tcp, written: false, corked: false }, payload);
      assert.equal(writes.length, length <= 16 * 1024 ? 1 : 2);
      assert.equal(corks, 0, 'every cork is undone');
      if (writes.length === 2) assert.equal(writes[1], payload, 'the payload itself, not a copy');
      assert.equal(await parse(Buffer.concat(writes)), payload.toString());
    });
  }
});

describe('binary frames', () => {
  for (const length of [0, 125, 126, 65_536]) {
    it(`frames ${length} bytes that are not UTF-8 as one final, unmasked binary frame`, async () => {
      const payload = Buffer.alloc(length, 0xff);
      const wire = frame(payload, true);
      assert.equal(wire[0], 0x82);
      const parsed = await parseFrame(wire);
      assert.ok(parsed.isBinary);
      assert.ok(parsed.data.equals(payload));
    });
  }
});

describe('broadcasts (BroadcastWriter)', () => {
  /** A target whose socket records its writes and whether it is corked. */
  function target() {
    const writes: Buffer[] = [];
    const state = { corks: 0 };
    const tcp = { write: (chunk: Buffer) => writes.push(chunk), cork: () => state.corks++, uncork: () => state.corks-- } as unknown as Socket;
    return { target: { tcp, written: false, corked: false } as FrameTarget, writes, state };
  }

  it('the first broadcast of a turn leaves at once; later ones are corked until the clock\'s next turn', async () => {
    const clock = new ManualClock();
    const writer = new BroadcastWriter(clock);
    const one = target();
    writer.write(one.target, Buffer.from('a'));
    assert.equal(one.state.corks, 0);
    writer.write(one.target, Buffer.from('b'));
    writer.write(one.target, Buffer.from('c'));
    assert.equal(one.state.corks, 1, 'corked once for the rest of the turn');
    clock.advance(0);
    assert.deepEqual([one.state.corks, one.target.written, one.target.corked], [0, false, false]);
    assert.deepEqual(await Promise.all(one.writes.map(parse)), ['a', 'b', 'c']);
  });

  it('one frame per broadcast for every subscriber, and two servers in one process keep their own', () => {
    const clock = new ManualClock();
    const [serverA, serverB] = [new BroadcastWriter(clock), new BroadcastWriter(clock)];
    const [a1, a2, b1] = [target(), target(), target()];
    const fromA = Buffer.from('tick of server A');
    serverA.write(a1.target, fromA);
    // Server B broadcasts while server A is between two of its subscribers.
    serverB.write(b1.target, Buffer.from('tick of server B'));
    serverA.write(a2.target, fromA);
    assert.equal(a2.writes[0], a1.writes[0], 'the very frame Buffer server A built for its first subscriber');
  });

  it('the same payload as text, then as binary, is framed anew', async () => {
    const writer = new BroadcastWriter(new ManualClock());
    const [a, b] = [target(), target()];
    const payload = Buffer.from('same bytes');
    writer.write(a.target, payload);
    writer.write(b.target, payload, true);
    assert.equal((await parseFrame(a.writes[0] as Buffer)).isBinary, false);
    assert.equal((await parseFrame(b.writes[0] as Buffer)).isBinary, true);
  });

  it('one flush at the turn\'s end for every target written in it', () => {
    const clock = new ManualClock();
    const writer = new BroadcastWriter(clock);
    const [a, b] = [target(), target()];
    writer.write(a.target, Buffer.from('x'));
    writer.write(b.target, Buffer.from('x'));
    writer.write(a.target, Buffer.from('y'));
    assert.equal(clock.pending, 1);
    clock.advance(0);
    assert.deepEqual([a.target.written, b.target.written, a.state.corks, clock.pending], [false, false, 0, 0]);
    writer.write(b.target, Buffer.from('z'));
    assert.equal(clock.pending, 1, 'the next turn has its own');
  });
});
