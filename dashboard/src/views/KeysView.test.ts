import { describe, expect, it, vi } from 'vitest';
import type { ApiKey, CreatedApiKey } from '../api/types';
import { json, mockApi, problem } from '../test/mockApi';
import { myKey } from '../test/fixtures';
import { mountApp, until } from '../test/mount';
import { buttonByText } from '../test/dom';

const me = myKey(['admin'], 'bootstrap-admin');

function key(name: string, over: Partial<ApiKey> = {}): ApiKey {
  return {
    id: `k-${name}`,
    name,
    prefix: 'hp_abcdefghi',
    scopes: ['predict'],
    status: 'active',
    rateLimitPerMinute: null,
    createdAt: '2026-11-23T03:00:00.000Z',
    expiresAt: null,
    revokedAt: null,
    lastUsedAt: null,
    createdBy: me.id,
    ...over,
  };
}

describe('API keys view', () => {
  it('creates a key with scopes and expiry, and shows the secret once with a copy button', async () => {
    let keys: ApiKey[] = [key('bootstrap-admin', { id: me.id, scopes: ['admin'] })];
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    const api = mockApi({
      'GET /v1/keys': () => keys,
      'POST /v1/keys': async (req: Request) => {
        const body = (await req.json()) as { name: string; scopes: ApiKey['scopes'] };
        const created: CreatedApiKey = {
          ...key(body.name, { scopes: body.scopes }),
          key: 'hp_secret_shown_once',
        };
        keys = [created, ...keys];
        return json(created, 201);
      },
    });
    const { wrapper } = await mountApp('/keys', me);
    await until(() => wrapper.find('tbody tr').exists());
    expect(wrapper.get('tbody tr').text()).toContain('(you)');

    // Client-side checks first.
    await wrapper.get('#key-name').setValue('');
    await wrapper
      .findAll('input[type="checkbox"]')
      .find((c) => c.attributes('value') === 'predict')!
      .setValue(false);
    await wrapper.get('form').trigger('submit');
    expect(wrapper.get('#key-name-error').text()).toMatch(/name/);
    expect(wrapper.get('#key-scopes-error').text()).toBe('Choose at least one scope.');
    expect(api.calls('POST /v1/keys')).toHaveLength(0);

    await wrapper.get('#key-name').setValue('pricing-app');
    await wrapper
      .findAll('input[type="checkbox"]')
      .find((c) => c.attributes('value') === 'batch')!
      .setValue(true);
    await wrapper.get('#key-expires').setValue('2099-12-31');
    await wrapper.get('#key-rate').setValue('600');
    await wrapper.get('form').trigger('submit');
    await until(() => wrapper.find('#new-secret').exists());

    const body = await api.calls('POST /v1/keys')[0]!.json();
    expect(body).toMatchObject({ name: 'pricing-app', scopes: ['batch'], rateLimitPerMinute: 600 });
    expect(new Date(body.expiresAt).getFullYear()).toBe(2099);
    expect((wrapper.get('#new-secret').element as HTMLInputElement).value).toBe('hp_secret_shown_once');
    await buttonByText(wrapper, 'Copy key').trigger('click');
    expect(writeText).toHaveBeenCalledWith('hp_secret_shown_once');
    await until(() => wrapper.findAll('tbody tr').length === 2);

    await buttonByText(wrapper, 'I have stored it').trigger('click');
    expect(wrapper.find('#new-secret').exists()).toBe(false);
    expect(wrapper.html()).not.toContain('hp_secret_shown_once');
  });

  it('refuses an expiry in the past before asking the server', async () => {
    const api = mockApi({ 'GET /v1/keys': [] });
    const { wrapper } = await mountApp('/keys', me);
    await until(() => wrapper.text().includes('No keys yet.'));
    await wrapper.get('#key-name').setValue('old');
    await wrapper.get('#key-expires').setValue('2001-01-01');
    await wrapper.get('form').trigger('submit');
    expect(wrapper.get('#key-expires-error').text()).toBe('The expiry must be in the future.');
    expect(api.calls('POST /v1/keys')).toHaveLength(0);
  });

  it("revokes a key after confirmation; one's own key has no revoke button", async () => {
    let keys: ApiKey[] = [key('nightly'), key('bootstrap-admin', { id: me.id })];
    const api = mockApi({
      'GET /v1/keys': () => keys,
      'DELETE /v1/keys/:id': (_req: Request, p: Record<string, string>) => {
        keys = keys.map((k) => (k.id === p.id ? { ...k, status: 'revoked' } : k));
        return new Response(null, { status: 204 });
      },
    });
    const { wrapper } = await mountApp('/keys', me);
    await until(() => wrapper.findAll('tbody tr').length === 2);
    expect(wrapper.findAll('tbody tr')[1]!.find('button').exists()).toBe(false);

    await buttonByText(wrapper, 'Revoke nightly').trigger('click');
    expect(wrapper.get('dialog').text()).toContain('“nightly”');
    await buttonByText(wrapper, 'Revoke').trigger('click');
    await until(() => wrapper.text().includes('The key “nightly” is revoked.'));
    expect(new URL(api.calls('DELETE /v1/keys/:id')[0]!.url).pathname).toBe('/v1/keys/k-nightly');
    expect(wrapper.findAll('tbody tr')[0]!.text()).toContain('revoked');
  });

  it('shows a failed list in plain words', async () => {
    mockApi({ 'GET /v1/keys': problem(500, 'the database is unreachable') });
    const { wrapper } = await mountApp('/keys', me);
    await until(() => wrapper.find('.state-error').exists());
    expect(wrapper.get('.state-error').text()).toContain('the database is unreachable');
  });
});
