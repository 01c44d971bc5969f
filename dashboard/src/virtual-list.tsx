import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

/**
 * Renders only the rows in view (plus a few): thousands of clients or log lines stay as cheap to show as a
 * screenful. Rows have a fixed height.
 */
export function VirtualList<T>({ items, rowHeight, height, render }: { items: readonly T[]; rowHeight: number; height: number; render: (item: T, index: number) => ComponentChildren }) {
  const [top, setTop] = useState(0);
  const first = Math.max(0, Math.floor(top / rowHeight) - 5);
  const last = Math.min(items.length, Math.ceil((top + height) / rowHeight) + 5);
  return (
    <div class="virtual" style={{ height: `${height}px` }} onScroll={(e) => setTop((e.currentTarget as HTMLDivElement).scrollTop)}>
      <div style={{ height: `${items.length * rowHeight}px`, position: 'relative' }}>
        {items.slice(first, last).map((item, i) => (
          <div key={first + i} class="row" style={{ position: 'absolute', top: `${(first + i) * rowHeight}px`, height: `${rowHeight}px`, left: 0, right: 0 }}>
            {render(item, first + i)}
          </div>
        ))}
      </div>
    </div>
  );
}
