import { describe, expect, it } from 'vitest';
import { json, mockApi, problem } from './test/mockApi';
import { currentModel, evaluation, modelVersion, myKey } from './test/fixtures';
import { mountApp, settle, until } from './test/mount';
import { buttonByText, navLabels } from './test/dom';
import { apiKey, restoreSession, storeKey } from './composables/sessionState';

const backend = (owner = myKey(['admin'])) =>
  mockApi({
    'GET /v1/keys/me': (req: Request) =>
      req.headers.get('x-api-key') === 'hp_good' ? owner : problem(401, 'invalid API key'),
    'GET /v1/models/current': currentModel,
    'GET /v1/models': [modelVersion(1, 'production')],
    'GET /v1/models/:name/versions/:version/evaluation': evaluation,
    'GET /v1/batch-jobs': { items: [], total: 0, limit: 50, offset: 0 },
    'GET /v1/batch-evaluations': { items: [], total: 0, limit: 20, offset: 0 },
    'GET /v1/keys': [],
  });

describe('sign-in flow', () => {
  it('sends a signed-out visitor to sign-in, then to the page asked for', async () => {
    const api = backend(myKey(['predict']));
    const { wrapper, router } = await mountApp('/predict');
    expect(router.currentRoute.value.name).toBe('sign-in');
    expect(router.currentRoute.value.query.redirect).toBe('/predict');
    expect(wrapper.find('nav').exists()).toBe(false);

    await wrapper.get('#api-key').setValue('hp_good');
    await wrapper.get('form').trigger('submit');
    await until(() => router.currentRoute.value.name === 'predict');

    const [me] = api.calls('GET /v1/keys/me');
    expect(me!.headers.get('x-api-key')).toBe('hp_good');
    expect(sessionStorage.getItem('housing.apiKey')).toBe('hp_good');
    await until(() => expect(wrapper.text()).toContain('Predict a price'));
    expect(wrapper.text()).toContain('test key');
    // Every later call carries the key.
    expect(api.calls('GET /v1/models/current')[0]!.headers.get('x-api-key')).toBe('hp_good');
  });

  it("shows the server's reason when the key is refused, and stores nothing", async () => {
    backend();
    const { wrapper, router } = await mountApp('/sign-in');
    await wrapper.get('#api-key').setValue('hp_wrong');
    await wrapper.get('form').trigger('submit');
    await settle();
    expect(router.currentRoute.value.name).toBe('sign-in');
    expect(wrapper.get('#api-key-error').text()).toBe('invalid API key');
    expect(wrapper.get('#api-key').attributes('aria-invalid')).toBe('true');
    expect(sessionStorage.getItem('housing.apiKey')).toBeNull();
  });

  it('asks for a key before calling the server', async () => {
    const api = backend();
    const { wrapper } = await mountApp('/sign-in');
    await wrapper.get('form').trigger('submit');
    await settle();
    expect(wrapper.get('#api-key-error').text()).toBe('Enter an API key.');
    expect(api.fetch).not.toHaveBeenCalled();
  });

  it('restores the session of this tab after a reload', async () => {
    const api = backend(myKey(['models:read']));
    // A fresh page load: only sessionStorage knows the key, not what it may do.
    sessionStorage.setItem('housing.apiKey', 'hp_good');
    apiKey.value = 'hp_good';
    const { router, wrapper } = await mountApp('/');
    expect(api.calls('GET /v1/keys/me')).toHaveLength(1);
    expect(router.currentRoute.value.name).toBe('home');
    await until(() => expect(wrapper.text()).toContain('Overview'));
  });

  it('shows the page at once after a reload when the tab holds the key description, then revalidates it', async () => {
    // What sign-in left in the tab: the key and the server's description of it.
    sessionStorage.setItem('housing.apiKey', 'hp_good');
    sessionStorage.setItem('housing.apiKeyOwner', JSON.stringify(myKey(['admin'])));
    restoreSession();
    let answerMe: (owner: unknown) => void = () => undefined;
    const api = mockApi({
      'GET /v1/keys/me': () => new Promise((resolve) => (answerMe = resolve)),
      'GET /v1/models/current': currentModel,
      'GET /v1/models': [modelVersion(1, 'production')],
      'GET /v1/batch-jobs': { items: [], total: 0, limit: 50, offset: 0 },
    });
    const { wrapper, router } = await mountApp('/models');
    // The view's own calls are made while /v1/keys/me is still unanswered.
    expect(router.currentRoute.value.name).toBe('models');
    await until(() => api.calls('GET /v1/models').length > 0);
    expect(api.calls('GET /v1/keys/me')).toHaveLength(1);
    expect(navLabels(wrapper)).toContain('API keys');
    // The server now says the key may only predict: the page says which scope is missing.
    answerMe(json(myKey(['predict'])));
    await until(() => wrapper.find('[data-testid="missing-scope"]').exists());
    expect(navLabels(wrapper)).toEqual(['Predict']);
    expect(JSON.parse(sessionStorage.getItem('housing.apiKeyOwner')!).effectiveScopes).toEqual(['predict']);
    // Once verified, later navigations ask no more.
    await router.push('/predict');
    await settle();
    expect(api.calls('GET /v1/keys/me')).toHaveLength(1);
  });

  it('signs out a remembered key whose stored description the server refuses (401) on a reload', async () => {
    localStorage.setItem('housing.apiKey', 'hp_good');
    localStorage.setItem('housing.apiKeyOwner', JSON.stringify(myKey(['admin'])));
    restoreSession();
    mockApi({
      'GET /v1/keys/me': problem(401, 'API key revoked'),
      'GET /v1/models/current': currentModel,
    });
    const { wrapper, router } = await mountApp('/predict');
    await until(() => router.currentRoute.value.name === 'sign-in');
    expect(wrapper.get('[role="alert"]').text()).toContain('API key revoked');
    expect(localStorage.getItem('housing.apiKey')).toBeNull();
    expect(localStorage.getItem('housing.apiKeyOwner')).toBeNull();
  });

  it('keeps the key in this tab only, unless asked to remember it on this device', async () => {
    backend();
    const first = await mountApp('/sign-in');
    await first.wrapper.get('#api-key').setValue('hp_good');
    await first.wrapper.get('form').trigger('submit');
    await until(() => first.router.currentRoute.value.name === 'home');
    expect(sessionStorage.getItem('housing.apiKey')).toBe('hp_good');
    expect(localStorage.getItem('housing.apiKey')).toBeNull();
    await buttonByText(first.wrapper, 'Sign out').trigger('click');
    await settle();
    first.wrapper.unmount();

    const second = await mountApp('/sign-in');
    await second.wrapper.get('#api-key').setValue('hp_good');
    await second.wrapper.get('input[name="remember"]').setValue(true);
    await second.wrapper.get('form').trigger('submit');
    await until(() => second.router.currentRoute.value.name === 'home');
    expect(localStorage.getItem('housing.apiKey')).toBe('hp_good');
    expect(sessionStorage.getItem('housing.apiKey')).toBeNull();
    // Signing out forgets it on the device too.
    await buttonByText(second.wrapper, 'Sign out').trigger('click');
    await settle();
    expect(localStorage.getItem('housing.apiKey')).toBeNull();
  });

  it('forgets a remembered key when the server answers 401', async () => {
    mockApi({ 'GET /v1/models/current': problem(401, 'API key revoked') });
    storeKey('hp_good', myKey(['predict']), true);
    expect(localStorage.getItem('housing.apiKey')).toBe('hp_good');
    const { router } = await mountApp('/predict');
    await settle();
    expect(router.currentRoute.value.name).toBe('sign-in');
    expect(localStorage.getItem('housing.apiKey')).toBeNull();
    expect(sessionStorage.getItem('housing.apiKey')).toBeNull();
  });

  it('sends the user back to sign-in with the reason when a call answers 401', async () => {
    mockApi({ 'GET /v1/models/current': problem(401, 'API key revoked') });
    const { wrapper, router } = await mountApp('/predict', myKey(['predict']));
    await settle();
    expect(router.currentRoute.value.name).toBe('sign-in');
    expect(router.currentRoute.value.query.redirect).toBe('/predict');
    expect(wrapper.get('[role="alert"]').text()).toContain('API key revoked');
    expect(sessionStorage.getItem('housing.apiKey')).toBeNull();
  });

  it('treats a 403 the same way, saying the key is not allowed', async () => {
    mockApi({ 'GET /v1/models': problem(403, 'this key lacks scope models:read') });
    const { wrapper, router } = await mountApp('/models', myKey(['models:read']));
    await settle();
    expect(router.currentRoute.value.name).toBe('sign-in');
    expect(wrapper.text()).toContain('not allowed');
    expect(wrapper.text()).toContain('this key lacks scope models:read');
  });

  it('signs out: the key is forgotten and sign-in shows again', async () => {
    backend();
    const { wrapper, router } = await mountApp('/predict', myKey(['predict']));
    expect(sessionStorage.getItem('housing.apiKey')).not.toBeNull();
    await buttonByText(wrapper, 'Sign out').trigger('click');
    await settle();
    expect(sessionStorage.getItem('housing.apiKey')).toBeNull();
    expect(router.currentRoute.value.name).toBe('sign-in');
    expect(wrapper.find('nav').exists()).toBe(false);
  });
});

describe('navigation by scope', () => {
  it('shows only Predict to a predict key, and says which scope another page needs', async () => {
    const api = backend();
    const { wrapper, router } = await mountApp('/', myKey(['predict']));
    expect(router.currentRoute.value.name).toBe('home');
    expect(navLabels(wrapper)).toEqual(['Predict']);
    await router.push('/keys');
    await settle();
    expect(router.currentRoute.value.fullPath).toBe('/keys');
    expect(wrapper.get('[data-testid="missing-scope"]').text()).toMatch(/needs the scope admin.*predict/s);
    // The page itself never loaded (no call of the keys list).
    expect(api.calls('GET /v1/keys')).toHaveLength(0);
    // The key's scopes are in the header menu.
    expect(wrapper.get('[data-testid="key-scopes"]').text()).toContain('predict');
  });

  it('shows the views of each scope a key has', async () => {
    backend();
    const { wrapper } = await mountApp('/', myKey(['batch', 'models:read']));
    expect(navLabels(wrapper)).toEqual(['Explore', 'Batch jobs', 'Models', 'Monitoring']);
  });

  it('shows every view to an admin key (admin implies every scope)', async () => {
    backend();
    const { wrapper } = await mountApp('/', myKey(['admin']));
    expect(navLabels(wrapper)).toEqual([
      'Predict',
      'Explore',
      'Batch jobs',
      'Models',
      'Runs',
      'Monitoring',
      'API keys',
    ]);
  });

  it('shows the overview: serving model with its accuracy, health, and where keys and docs are', async () => {
    backend();
    const { wrapper, router } = await mountApp('/', myKey(['models:write']));
    expect(router.currentRoute.value.name).toBe('home');
    expect(navLabels(wrapper)).toEqual([]);
    await until(() => expect(wrapper.get('[data-testid="serving-model"]').text()).toContain('v'));
    expect(wrapper.get('[data-testid="serving-mape"]').text()).toMatch(/%/);
    expect(wrapper.find('a[href="/docs"]').exists()).toBe(true);
    expect(wrapper.text()).toContain('Ask an administrator');
  });

  it("breaks the overview's recent file names only between words, as the Batch view does", async () => {
    const recent = {
      id: '6f1c2a4e-0b7d-4a55-9a55-2f0a3d1c9b11',
      status: 'completed',
      rowsDone: 990,
      rowsFailed: 10,
      createdAt: '2026-11-23T03:00:00.000Z',
      input: { uri: 'file:///a/x.csv', name: 'housets_listings-june.2026.csv', bytes: 10 },
    };
    mockApi({
      'GET /v1/keys/me': myKey(['admin']),
      'GET /v1/models/current': currentModel,
      'GET /v1/models': [modelVersion(1, 'production')],
      'GET /v1/batch-jobs': { items: [recent], total: 1, limit: 5, offset: 0 },
    });
    const { wrapper } = await mountApp('/', myKey(['admin']));
    await until(() => wrapper.find('th.filename').exists());
    const cell = wrapper.get('th.filename');
    expect(cell.text()).toBe('housets_listings-june.2026.csv');
    // Parts end at _ - . . (and the last one): a <wbr> after each, none inside a word.
    expect(cell.findAll('wbr')).toHaveLength(5);
    expect(cell.html()).toContain('listings-<wbr>june.<wbr>');
  });

  it('answers unknown addresses with a page, not a blank screen', async () => {
    backend();
    const { wrapper } = await mountApp('/no/such/page', myKey(['predict']));
    expect(wrapper.text()).toContain('Page not found');
  });
});
