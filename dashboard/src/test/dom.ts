import type { DOMWrapper, VueWrapper } from '@vue/test-utils';

/** The form field (label, input, hint, error) around the input with this name. */
export function fieldOf(wrapper: VueWrapper, name: string): DOMWrapper<Element> {
  const input = wrapper.get(`[name="${name}"]`);
  const field = wrapper.findAll('.field').find((f) => f.element.contains(input.element));
  if (!field) throw new Error(`input ${name} is not inside a .field`);
  return field;
}

export function navLabels(wrapper: VueWrapper): string[] {
  return wrapper.findAll('nav[aria-label="Main"] a').map((a) => a.text());
}

/** The button whose accessible name (aria-label, else its text) is `name`. */
export function buttonByText(wrapper: VueWrapper, name: string | RegExp): DOMWrapper<HTMLButtonElement> {
  const nameOf = (b: DOMWrapper<HTMLButtonElement>) => b.attributes('aria-label') ?? b.text();
  const found = wrapper
    .findAll('button')
    .find((b) => (typeof name === 'string' ? nameOf(b) === name : name.test(nameOf(b))));
  if (!found) {
    const all = wrapper.findAll('button').map(nameOf);
    throw new Error(`no button ${String(name)}; buttons: ${all.join(' | ')}`);
  }
  return found;
}
