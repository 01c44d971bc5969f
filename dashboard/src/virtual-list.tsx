import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';

/**
 * Renders only the rows in view (plus a few): thousands of clients or log lines stay as cheap to show as a
 * screenful. Rows have a fixed height. Without `height` the list fills its box (CSS gives it one: the log
 * fills the window) and measures it. With `follow`, a list scrolled to its end stays there as rows arrive.
 */
export function VirtualList<T>({ items, rowHeight, height, render, follow = false }: { items: readonly T[]; rowHeight: number; height?: number; render: (item: T, index: number) => ComponentChildren; follow?: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  const [measured, setMeasured] = useState(400);
  const atEnd = useRef(true);
  useLayoutEffect(() => {
    const element = box.current;
    if (height !== undefined || element === null) return undefined;
    const observer = new ResizeObserver(() => setMeasured(element.clientHeight));
    observer.observe(element);
    setMeasured(element.clientHeight);
    return () => observer.disconnect();
  }, [height]);
  useLayoutEffect(() => {
    const element = box.current;
    if (!follow || element === null || !atEnd.current) return;
    element.scrollTop = element.scrollHeight;
    setTop(element.scrollTop);
  }, [items, follow]);
  const view = height ?? measured;
  const first = Math.max(0, Math.floor(top / rowHeight) - 5);
  const last = Math.min(items.length, Math.ceil((top + view) / rowHeight) + 5);
  return (
    <div
      ref={box}
      class={height === undefined ? 'virtual fill' : 'virtual'}
      style={height === undefined ? undefined : { height: `${height}px` }}
      onScroll={(e) => {
        const element = e.currentTarget as HTMLDivElement;
        setTop(element.scrollTop);
        atEnd.current = element.scrollTop + element.clientHeight >= element.scrollHeight - rowHeight;
      }}
    >
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
