import { afterEach } from 'vitest';
import { clearKey } from '../composables/sessionState';

// Every test starts signed out with an empty sessionStorage.
afterEach(() => {
  clearKey();
  sessionStorage.clear();
  document.body.innerHTML = '';
});
