import { beforeAll, describe, expect, it } from 'vitest';
import { dynamoCustomerRepository } from '#adapters/customer-repository';
import { NotFound } from '#domain/errors';
import { sha256 } from '#domain/secrets';
import { DEFAULT_SETTINGS, mergeSettings } from '#domain/settings';
import { freshTable, manualClock } from './fixtures.ts';

/** A customer's settings changed after creation (the admin CLI's update-settings and set-branding). */

let table: Awaited<ReturnType<typeof freshTable>>;
beforeAll(async () => {
  table = await freshTable();
});

describe('customer repository: updateSettings', () => {
  it('replaces the settings, which read back as written', async () => {
    const repo = dynamoCustomerRepository(table.db, table.tableName, manualClock());
    await repo.create(
      { customerId: 's1', name: 'Bank', settings: DEFAULT_SETTINGS, createdAt: '2026-11-22T10:00:00.000Z' },
      {
        tokenHash: sha256('token-s1'),
        secretHash: sha256('secret-s1'),
        customerId: 's1',
        tokenHint: 'ovk_s1',
        createdAt: '2026-11-22T10:00:00.000Z',
      },
    );
    const settings = mergeSettings(DEFAULT_SETTINGS, {
      acceptedIds: { default: ['PASSPORT'], countries: { AUT: 'ALL', RUS: 'NONE' } },
      branding: { de: { primaryColor: '#123456', headerImage: 'header-0123456789abcdef.png' } },
    });
    await repo.updateSettings('s1', settings);
    expect((await repo.get('s1'))?.settings).toEqual(settings);
  });

  it('refuses a customer that does not exist, creating nothing', async () => {
    const repo = dynamoCustomerRepository(table.db, table.tableName, manualClock());
    await expect(repo.updateSettings('nobody', DEFAULT_SETTINGS)).rejects.toBeInstanceOf(NotFound);
    expect(await repo.get('nobody')).toBeUndefined();
  });
});
