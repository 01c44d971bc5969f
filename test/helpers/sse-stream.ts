/** A Server-Sent Events client for tests: fetch (undici) and its reader, events parsed as they come. */

export interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
  retry?: string;
}

/** A fetch reader of an event stream: events as they are parsed (comments and retry too). */
export async function openStream(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  const queue: SseEvent[] = [];
  const parse = (block: string): SseEvent => {
    const event: SseEvent = {};
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) event.comment = line.slice(1).trim();
      else {
        const at = line.indexOf(':');
        const [field, value] = [line.slice(0, at), line.slice(at + 1).replace(/^ /, '')];
        if (field === 'data') event.data = event.data === undefined ? value : `${event.data}\n${value}`;
        else if (field === 'id' || field === 'event' || field === 'retry') event[field] = value;
      }
    }
    return event;
  };
  // A read that lost the race with a timeout is kept for the next call: dropping it lost its chunk (an event
  // went missing, or the rest of one was read as a new event).
  let pending: ReturnType<typeof reader.read> | undefined;
  const next = async (timeoutMs = 3000): Promise<SseEvent> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const ready = queue.shift();
      if (ready !== undefined) return ready;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no event within ${timeoutMs} ms from ${url}`);
      pending ??= reader.read();
      let timer: NodeJS.Timeout | undefined;
      const part = await Promise.race([pending, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no event within ${timeoutMs} ms from ${url}`)), left)))]).finally(() => clearTimeout(timer));
      pending = undefined;
      if (part.done) throw new Error(`${url}: the stream ended`);
      buffered += decoder.decode(part.value, { stream: true });
      const blocks = buffered.split('\n\n');
      buffered = blocks.pop() ?? '';
      queue.push(...blocks.filter((b) => b !== '').map(parse));
    }
  };
  return { response, next, close: () => controller.abort() };
}
