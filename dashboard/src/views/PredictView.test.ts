import { describe, expect, it } from 'vitest';
import { json, mockApi, problem } from '../test/mockApi';
import { currentModel, myKey } from '../test/fixtures';
import { mountApp, until } from '../test/mount';
import { fieldOf } from '../test/dom';

async function openPredict(routes: Record<string, object> = {}) {
  const api = mockApi({ 'GET /v1/models/current': currentModel, ...routes });
  const { wrapper } = await mountApp('/predict', myKey(['predict']));
  await until(() => wrapper.find('form[aria-label="Record to price"]').exists());
  return { api, wrapper };
}

describe('predict form', () => {
  it('renders a labelled input per signature field, prefilled from the example record', async () => {
    const { wrapper } = await openPredict();
    for (const field of currentModel.signature) {
      const input = wrapper.get(`[name="${field.name}"]`);
      expect(wrapper.find(`label[for="${input.attributes('id')}"]`).exists()).toBe(true);
    }
    expect((wrapper.get('[name="date"]').element as HTMLInputElement).value).toBe('2022-01-31');
    // One date format: a text input that shows and hints YYYY-MM-DD (a native picker shows the locale's).
    expect(wrapper.get('[name="date"]').attributes('type')).toBe('text');
    expect(wrapper.get('[name="date"]').attributes('placeholder')).toBe('YYYY-MM-DD');
    expect(fieldOf(wrapper, 'date').text()).toContain('Written YYYY-MM-DD');
    expect((wrapper.get('[name="median_list_price"]').element as HTMLInputElement).value).toBe('227400');
    expect(fieldOf(wrapper, 'median_list_price').text()).toContain('(USD)');
    expect(fieldOf(wrapper, 'median_list_price').text()).toContain('Seen in training: 94,300 to 792,900');
    expect(fieldOf(wrapper, 'avg_sale_to_list').text()).toContain('Accepted 0 to 3');
    // Categories: a searchable input with a datalist of the known values.
    const zip = wrapper.get('[name="zipcode"]');
    const list = wrapper.get(`datalist#${CSS.escape(zip.attributes('list')!)}`);
    expect(list.findAll('option').map((o) => o.attributes('value'))).toEqual(['10010', '30014', '75003']);
  });

  it('checks the record in the browser first and shows each error beside its field', async () => {
    const { api, wrapper } = await openPredict();
    await wrapper.get('[name="date"]').setValue('');
    await wrapper.get('[name="median_list_price"]').setValue('cheap');
    await wrapper.get('[name="avg_sale_to_list"]').setValue('4');
    await wrapper.get('form[aria-label="Record to price"]').trigger('submit');
    await until(() => wrapper.text().includes('3 fields need a fix'));

    expect(fieldOf(wrapper, 'date').get('.field-error').text()).toBe('Required.');
    expect(fieldOf(wrapper, 'median_list_price').get('.field-error').text()).toMatch(/Enter a number/);
    expect(fieldOf(wrapper, 'avg_sale_to_list').get('.field-error').text()).toBe('Must be at most 3.');
    expect(wrapper.get('[name="avg_sale_to_list"]').attributes('aria-invalid')).toBe('true');
    expect(wrapper.get('[name="zipcode"]').attributes('aria-invalid')).toBe('false');
    expect(api.calls('POST /v1/predictions')).toHaveLength(0);
    // The first bad field gets the focus.
    expect(document.activeElement).toBe(wrapper.get('[name="date"]').element);
  });

  it('groups the fields: essential ones first, the others behind a disclosure per group', async () => {
    const { wrapper } = await openPredict();
    const essential = wrapper.get('fieldset.field-group');
    expect(essential.find('legend').text()).toBe('Essential fields');
    expect(essential.find('[name="date"]').exists()).toBe(true);
    expect(essential.find('[name="zipcode"]').exists()).toBe(true);
    const market = wrapper.get('details.field-group[data-group="Market"]');
    expect(market.find('[name="avg_sale_to_list"]').exists()).toBe(true);
    expect((market.element as HTMLDetailsElement).open).toBe(false);
    expect(market.get('summary').text()).toMatch(/\d+ fields, optional/);
  });

  it('groups required numbers by theme too, and says how many each group requires', async () => {
    const model = structuredClone(currentModel);
    for (const field of model.signature) field.required = true;
    const { wrapper } = await openPredict({ 'GET /v1/models/current': model });
    const essential = wrapper.get('fieldset.field-group');
    expect(essential.find('[name="avg_sale_to_list"]').exists()).toBe(false);
    const market = wrapper.get('details.field-group[data-group="Market"]');
    expect(market.find('[name="avg_sale_to_list"]').exists()).toBe(true);
    expect(market.get('summary').text()).toMatch(/(\d+) fields, \1 required/);
  });

  it('puts points of interest and census numbers in their own groups when the signature has them', async () => {
    const model = structuredClone(currentModel);
    model.signature.push(
      {
        name: 'bank',
        type: 'number',
        required: true,
        description: 'Points of interest of kind bank in the zip code',
        example: 7,
      },
      {
        name: 'school',
        type: 'number',
        required: true,
        description: 'Points of interest of kind school in the zip code',
        example: 9,
      },
      { name: 'Median Home Value', type: 'number', required: true, example: 217624 },
    );
    const { wrapper } = await openPredict({ 'GET /v1/models/current': model });
    expect(wrapper.findAll('details.field-group').map((d) => d.attributes('data-group'))).toEqual([
      'Market',
      'Points of interest',
      'Census of the zip code',
    ]);
    const poi = wrapper.get('details.field-group[data-group="Points of interest"]');
    expect(poi.findAll('input').map((i) => i.attributes('name'))).toEqual(['bank', 'school']);
    expect(poi.get('summary').text()).toMatch(/2 fields, 2 required/);
    const census = wrapper.get('details.field-group[data-group="Census of the zip code"]');
    expect(census.find('[name="Median Home Value"]').exists()).toBe(true);
  });

  it('explains that grouped fields are required and prefilled when the model requires every field', async () => {
    const model = structuredClone(currentModel);
    for (const field of model.signature) field.required = true;
    const { wrapper } = await openPredict({ 'GET /v1/models/current': model });
    const lead = wrapper.get('[data-testid="predict-lead"]').text();
    expect(lead).toContain('requires every field');
    expect(lead).not.toMatch(/optional/);
    // A model with optional fields says what an empty one means instead.
    const optional = await openPredict();
    expect(optional.wrapper.get('[data-testid="predict-lead"]').text()).toContain(
      'optional field left empty',
    );
  });

  it('hides the groups in "essential fields only" mode and still sends their values', async () => {
    const model = structuredClone(currentModel);
    for (const field of model.signature) field.required = true;
    const { api, wrapper } = await openPredict({
      'GET /v1/models/current': model,
      'POST /v1/predictions': { price: 1, model: { name: 'housets-xgboost', version: 3 }, requestId: 'r' },
    });
    await wrapper.get('[name="avg_sale_to_list"]').setValue('1.002');
    await wrapper.get('input[name="essential-only"]').setValue(true);
    expect(wrapper.findAll('details.field-group')).toHaveLength(0);
    expect(wrapper.find('[name="avg_sale_to_list"]').exists()).toBe(false);
    expect(wrapper.get('#essential-hint').text()).toContain('Market (2)');
    await wrapper.get('form[aria-label="Record to price"]').trigger('submit');
    await until(() => api.calls('POST /v1/predictions').length === 1);
    const [request] = api.calls('POST /v1/predictions');
    expect(await request!.json()).toEqual({
      record: { date: '2022-01-31', median_list_price: 227400, avg_sale_to_list: 1.002, zipcode: '30001' },
    });
  });

  it('shows the groups again when a hidden field is wrong, and focuses it', async () => {
    const { wrapper } = await openPredict();
    await wrapper.get('[name="avg_sale_to_list"]').setValue('4');
    await wrapper.get('input[name="essential-only"]').setValue(true);
    await wrapper.get('form[aria-label="Record to price"]').trigger('submit');
    await until(() => document.activeElement === wrapper.find('[name="avg_sale_to_list"]').element);
    expect((wrapper.get('input[name="essential-only"]').element as HTMLInputElement).checked).toBe(false);
  });

  it('prefills typical values from the signature, so nothing is flagged outside the training range', async () => {
    const model = structuredClone(currentModel);
    model.signature[1]!.example = 310000;
    model.exampleRecord.median_list_price = 990000; // outside the observed range
    const { wrapper } = await openPredict({ 'GET /v1/models/current': model });
    expect((wrapper.get('[name="median_list_price"]').element as HTMLInputElement).value).toBe('310000');
    expect(wrapper.findAll('.warn')).toHaveLength(0);
  });

  it('refuses a day-first date with the accepted format, never reading it as another year', async () => {
    const { api, wrapper } = await openPredict();
    await wrapper.get('[name="date"]').setValue('30/06/2022');
    await wrapper.get('form[aria-label="Record to price"]').trigger('submit');
    await until(() => fieldOf(wrapper, 'date').get('.field-error').text() !== '');
    const error = fieldOf(wrapper, 'date').get('.field-error').text();
    expect(error).toContain('YYYY-MM-DD');
    expect(error).toContain('2022-06-30');
    expect(api.calls('POST /v1/predictions')).toHaveLength(0);
  });

  it('opens the group of the first bad field and focuses it', async () => {
    const { wrapper } = await openPredict();
    await wrapper.get('[name="avg_sale_to_list"]').setValue('4');
    await wrapper.get('form[aria-label="Record to price"]').trigger('submit');
    await until(() => document.activeElement === wrapper.get('[name="avg_sale_to_list"]').element);
    expect((wrapper.get('details.field-group[data-group="Market"]').element as HTMLDetailsElement).open).toBe(
      true,
    );
  });

  it('clears a field error once it is corrected', async () => {
    const { wrapper } = await openPredict();
    await wrapper.get('[name="avg_sale_to_list"]').setValue('4');
    await wrapper.get('form[aria-label="Record to price"]').trigger('submit');
    await until(() => fieldOf(wrapper, 'avg_sale_to_list').get('.field-error').text() !== '');
    await wrapper.get('[name="avg_sale_to_list"]').setValue('1');
    await wrapper.get('[name="avg_sale_to_list"]').trigger('blur');
    expect(fieldOf(wrapper, 'avg_sale_to_list').get('.field-error').text()).toBe('');
  });

  it('sends a typed record and shows the price with the model version', async () => {
    const { api, wrapper } = await openPredict({
      'POST /v1/predictions': {
        price: 401234.56,
        model: { name: 'housets-xgboost', version: 3 },
        requestId: 'r-1',
      },
    });
    await wrapper.get('[name="zipcode"]').setValue('10010');
    await wrapper.get('[name="median_list_price"]').setValue('389,000');
    await wrapper.get('form[aria-label="Record to price"]').trigger('submit');
    await until(() => wrapper.find('[data-testid="price"]').exists());

    const [request] = api.calls('POST /v1/predictions');
    expect(await request!.json()).toEqual({
      record: { date: '2022-01-31', median_list_price: 389000, avg_sale_to_list: 0.9947, zipcode: '10010' },
    });
    expect(wrapper.get('[data-testid="price"]').text()).toBe('$401,235');
    expect(wrapper.text()).toContain('housets-xgboost v3');
    // The focus goes to the result, not to <body> (the button disabled itself while predicting).
    await until(() => document.activeElement?.id === 'result-title');
  });

  it('asks for the explanation and shows the price range and the waterfall of reasons', async () => {
    const { api, wrapper } = await openPredict({
      'POST /v1/predictions': {
        price: 401234.56,
        interval: { low: 362100.1, high: 441870.9, level: 0.9 },
        explanation: {
          space: 'log1p',
          bias: 12.6,
          basePrice: 300000,
          price: 401234.56,
          columns: [
            {
              source: 'median_list_price',
              columns: ['median_list_price'],
              contribution: 0.28,
              priceContribution: 101234.56,
            },
          ],
          rest: { columns: 0, contribution: 0, priceContribution: 0 },
        },
        warnings: [],
        model: { name: 'housets-xgboost', version: 3 },
        requestId: 'r-2',
      },
    });
    await wrapper.get('form[aria-label="Record to price"]').trigger('submit');
    await until(() => wrapper.find('[data-testid="price-range"]').exists());
    expect(new URL(api.calls('POST /v1/predictions')[0]!.url).searchParams.get('explain')).toBe('true');
    expect(wrapper.get('[data-testid="price-range"]').text()).toBe('90 % range: $362,100 – $441,871');
    const rows = wrapper.findAll('[data-testid="waterfall-row"]').map((r) => r.text());
    expect(rows[0]).toContain('Base price');
    expect(rows[1]).toContain('Median list price');
    expect(rows[1]).toContain('+$101,235');
    expect(rows.at(-1)).toContain('$401,235');
  });

  it("shows the server's validation errors beside their fields", async () => {
    const { wrapper } = await openPredict({
      'POST /v1/predictions': problem(400, '2 fields are invalid: record.zipcode, record.date', [
        { field: 'record.zipcode', message: 'must be a string, got number' },
        { field: 'record.date', message: 'must be a date written YYYY-MM-DD, got "2022-01-31x"' },
        { field: 'record', message: 'has an unknown field "colour"' },
      ]),
    });
    await wrapper.get('form[aria-label="Record to price"]').trigger('submit');
    await until(() => fieldOf(wrapper, 'zipcode').get('.field-error').text() !== '');

    expect(fieldOf(wrapper, 'zipcode').get('.field-error').text()).toBe('must be a string, got number');
    expect(fieldOf(wrapper, 'date').get('.field-error').text()).toMatch(/YYYY-MM-DD/);
    expect(wrapper.get('[name="zipcode"]').attributes('aria-invalid')).toBe('true');
    const alert = wrapper.get('.result [role="alert"]');
    expect(alert.text()).toContain('2 fields are invalid');
    expect(alert.text()).toContain('record: has an unknown field "colour"');
    expect(wrapper.find('[data-testid="price"]').exists()).toBe(false);
  });

  it('says in plain words when no model is served', async () => {
    mockApi({
      'GET /v1/models/current': problem(
        503,
        'no model version is in production: register one and promote it',
      ),
    });
    const { wrapper } = await mountApp('/predict', myKey(['predict']));
    await until(() => wrapper.find('[role="alert"]').exists());
    expect(wrapper.get('[role="alert"]').text()).toContain('no model version is in production');
    expect(wrapper.get('[role="alert"]').text()).toContain('Try again');
  });

  it('says when the rate limit is used up', async () => {
    const { wrapper } = await openPredict({
      'POST /v1/predictions': json({ type: 'x', title: 'Too Many Requests', status: 429 }, 429, {
        'retry-after': '12',
      }),
    });
    await wrapper.get('form[aria-label="Record to price"]').trigger('submit');
    await until(() => wrapper.find('.result [role="alert"]').exists());
    expect(wrapper.get('.result [role="alert"]').text()).toContain('Wait 12 s and try again');
  });
});
