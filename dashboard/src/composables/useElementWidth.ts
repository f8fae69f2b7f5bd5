import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue';

/** The rendered width of an element, kept up to date (charts draw at their real pixel width). */
export function useElementWidth(target: Ref<HTMLElement | null>, fallback = 640): Ref<number> {
  const width = ref(fallback);
  let observer: ResizeObserver | undefined;
  onMounted(() => {
    const el = target.value;
    if (!el) return;
    width.value = el.clientWidth || fallback;
    if (typeof ResizeObserver === 'undefined') return;
    observer = new ResizeObserver((entries) => {
      const w = Math.round(entries[0]?.contentRect.width ?? 0);
      if (w > 0 && w !== width.value) width.value = w;
    });
    observer.observe(el);
  });
  onBeforeUnmount(() => observer?.disconnect());
  return width;
}
