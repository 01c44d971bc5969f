/**
 * The response class of mockwave's HTTP server: it carries headers every answer of its request gets (CORS's
 * `Vary` and grant) and gives them to `writeHead` together with the answer's own. Setting them with
 * `setHeader` before `writeHead`, as before, sends Node down its slow merge of the two (every header of the
 * answer set again one by one): 6-10 us a request measured under `wrk` on a bare `node:http` handler, a
 * fifth of a request's whole cost. The answer's own header wins over a preset one of the same name, whatever
 * its case, as `setHeader` then `writeHead` had it.
 */
import { ServerResponse, type IncomingMessage, type OutgoingHttpHeader, type OutgoingHttpHeaders } from 'node:http';

type Headers = OutgoingHttpHeaders | OutgoingHttpHeader[];

export class AnswerResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
  #preset: Readonly<Record<string, string>> | undefined;

  /** Headers for whatever answer is written (before its head is written; later ones win). */
  preset(headers: Readonly<Record<string, string>>): void {
    this.#preset = this.#preset === undefined ? headers : { ...this.#preset, ...headers };
  }

  override writeHead(statusCode: number, message?: string | Headers, headers?: Headers): this {
    const preset = this.#preset;
    if (preset === undefined || this.headersSent) return super.writeHead(statusCode, message as string, headers);
    this.#preset = undefined;
    const text = typeof message === 'string' ? message : undefined;
    const own = typeof message === 'string' ? headers : message;
    if (own === undefined) return super.writeHead(statusCode, text, preset);
    if (Array.isArray(own)) {
      // A flat [name, value, ...] list: rare (no answer of ours writes one); the progressive API merges it.
      for (const [name, value] of Object.entries(preset)) if (!this.hasHeader(name)) this.setHeader(name, value);
      return super.writeHead(statusCode, text, own);
    }
    return super.writeHead(statusCode, text, merged(preset, own));
  }
}

/** `own` with each preset header it does not name itself (names compared without case). */
function merged(preset: Readonly<Record<string, string>>, own: OutgoingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = { ...preset };
  const taken = Object.keys(preset);
  for (const name of Object.keys(own)) {
    const lower = name.toLowerCase();
    for (const key of taken) if (key !== name && key.toLowerCase() === lower) delete out[key];
    out[name] = own[name];
  }
  return out;
}

/** Headers for whatever answer a response gets: preset on mockwave's responses, set at once on any other. */
export function presetHeaders(response: ServerResponse, headers: Readonly<Record<string, string>>): void {
  if (response instanceof AnswerResponse) response.preset(headers);
  else for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
}
