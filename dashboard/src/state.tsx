import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api.ts';

interface ScopeFigures {
  readonly scope: string;
  readonly keys: number;
  readonly bytes: number;
}

interface StateOverview {
  readonly figures: { readonly scopes: number; readonly bytes: number; readonly transitions: number; readonly evicted: number };
  readonly scopes: readonly ScopeFigures[];
}

/** How often the list of scopes is read again while the tab is open. */
const REFRESH_MS = 1000;

const pretty = (value: unknown) => JSON.stringify(value, null, 2);

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/**
 * The state (docs/state.md): its figures, every scope with its keys and bytes, and one scope's document as
 * JSON a person can edit and save (`PUT /admin/state/<scope>`) or forget (`DELETE`). The document on screen
 * is not replaced while it has edits that are not saved.
 */
export function StatePanel() {
  const [overview, setOverview] = useState<StateOverview | undefined>(undefined);
  const [scope, setScope] = useState('global');
  const [text, setText] = useState('');
  const [edited, setEdited] = useState(false);
  const [status, setStatus] = useState('');
  const area = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    let stopped = false;
    const read = () =>
      api<StateOverview>('GET', '/admin/state').then(
        (next) => !stopped && setOverview(next),
        (error: Error) => !stopped && setStatus(error.message),
      );
    void read();
    const timer = setInterval(read, REFRESH_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, []);

  const transitions = overview?.figures.transitions;
  useEffect(() => {
    if (edited) return undefined;
    // An answer that comes after the scope changed, or after an edit began, is not shown: it would put one
    // scope's document under another's name, or overwrite what a person is typing.
    let stale = false;
    api<{ state: unknown }>('GET', `/admin/state/${encodeURIComponent(scope)}`).then(
      (one) => !stale && setText(pretty(one.state)),
      (error: Error) => !stale && setStatus(error.message),
    );
    return () => {
      stale = true;
    };
  }, [scope, transitions, edited]);

  const save = async () => {
    // What the box holds now: a click right after typing can come before the render that puts it in `text`.
    const written = area.current?.value ?? text;
    let document: unknown;
    try {
      document = JSON.parse(written);
    } catch (error) {
      setStatus(`not saved: the document is not JSON (${(error as Error).message})`);
      return;
    }
    try {
      const saved = await api<{ state: unknown }>('PUT', `/admin/state/${encodeURIComponent(scope)}`, document);
      setText(pretty(saved.state));
      setEdited(false);
      setStatus(`saved ${scope}`);
    } catch (error) {
      setStatus(`not saved: ${(error as Error).message}`);
    }
  };
  const forget = async () => {
    try {
      await api('DELETE', `/admin/state/${encodeURIComponent(scope)}`);
      setEdited(false);
      setStatus(`forgot ${scope}`);
    } catch (error) {
      setStatus((error as Error).message);
    }
  };
  const pick = (next: string) => {
    setScope(next);
    setEdited(false);
    setStatus('');
  };

  // Global first, listed even while it holds nothing (the store lists only scopes that hold something).
  const scopes = overview === undefined ? [] : [overview.scopes.find((s) => s.scope === 'global') ?? { scope: 'global', keys: 0, bytes: 0 }, ...overview.scopes.filter((s) => s.scope !== 'global')];
  return (
    <div class="split">
      <section>
        <p data-testid="state-figures">
          {overview === undefined ? 'reading the state…' : `${overview.figures.scopes} scope${overview.figures.scopes === 1 ? '' : 's'} besides global, ${overview.figures.bytes} bytes, ${overview.figures.transitions} transitions, ${overview.figures.evicted} evicted`}
        </p>
        <div class="scopes">
          {scopes.map((s) => (
            <button key={s.scope} class={`client${s.scope === scope ? ' selected' : ''}`} data-testid="state-scope" onClick={() => pick(s.scope)}>
              <span>{s.scope}</span><span>{plural(s.keys, 'key')}</span><span>{plural(s.bytes, 'byte')}</span>
            </button>
          ))}
        </div>
      </section>
      <section class="detail">
        <h2 data-testid="state-title">{scope}{edited ? ' (edited, not saved)' : ''}</h2>
        <textarea ref={area} class="state-document" data-testid="state-document" spellcheck={false} value={text} onInput={(e) => { setText((e.target as HTMLTextAreaElement).value); setEdited(true); }} />
        <div class="toolbar">
          <button onClick={() => void save()}>Save</button>
          <button onClick={() => void forget()}>Forget this scope</button>
          {edited && <button onClick={() => setEdited(false)}>Discard edits</button>}
          <span role="status" data-testid="state-status">{status}</span>
        </div>
      </section>
    </div>
  );
}
