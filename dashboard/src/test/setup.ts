import { afterEach } from 'vitest';
import { clearKey } from '../composables/sessionState';

import { clearEvaluationCache } from '../composables/useModelVersions';

// Every test starts signed out with empty storages and no cached evaluation.
afterEach(() => {
  clearKey();
  clearEvaluationCache();
  sessionStorage.clear();
  localStorage.clear();
  document.body.innerHTML = '';
});
