import { ref } from 'vue';

/**
 * The point of a chart a reader is looking at, by mouse or keyboard: the chart is one tab stop and
 * the arrow keys move between its points (native `<title>` tooltips reach neither keyboards nor
 * touch). The chart shows the point's text in a visible tooltip and announces it politely.
 */
export function useChartCursor(count: () => number) {
  const index = ref<number | null>(null);

  function onKeydown(event: KeyboardEvent): void {
    const n = count();
    if (n === 0) return;
    const at = index.value ?? -1;
    const moves: Record<string, number> = {
      ArrowRight: Math.min(n - 1, at + 1),
      ArrowUp: Math.min(n - 1, at + 1),
      ArrowLeft: Math.max(0, at - 1),
      ArrowDown: Math.max(0, at - 1),
      Home: 0,
      End: n - 1,
    };
    if (event.key === 'Escape') index.value = null;
    else if (event.key in moves) index.value = moves[event.key]!;
    else return;
    event.preventDefault();
  }

  return {
    index,
    onKeydown,
    show: (i: number) => (index.value = i),
    hide: () => (index.value = null),
  };
}
