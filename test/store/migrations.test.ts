// Shipped migrations are what existing databases already ran: editing one would leave those databases on a schema
// the code no longer describes. Each shipped entry is pinned by its SHA-256; a new version is a new entry (add its
// hash here once it ships).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/store/db.js';
import { MIGRATIONS } from '../../src/store/migrations.js';

const SHIPPED = [
  'a58917bb3c2f3a985559a5e96bcd1e1661caa9330d5b4aed93a52ef892075976',
  '1a4c2d8fd5553aa87e612e31dafaf7236694477a96a18b5ca0aa73949e7ff856',
  'ed616ff31023828bfc3bc5cca15c2d291bac8b8853c96c1a8fc72c8807c33d58',
  'e34fb9bb8f193312e3b0bd51ff105e2c73a4ef7ab2a22972012cc5618ce63935',
  '3700eac6f6602926988d451ee3e03c44d4b6a8720c4da555834544a48081ecc7',
  '9a6454017c4e8831eb1b1e713aecdad38961f572506135e979b065159ef73560',
  '7989dbb512ca5c4b661a18cf75201323d05c642d0c699a9d002b525080eb707c',
  'b8f484e783bfbe63e71a3f6f71582ef2e3fc124ba874e32a0ca170155d278cdd',
  '53c7e4a58ca4081ec67342086830202898e7a5b9424ba5119abc584c62928843',
  'd497701616c74ea0af0320730844910dd1b7edeb7c00a70254d5a25b85ed70f8',
  // The analyst's notes (explanations).
  '8977324eb1dc4b17e62ec213317b3a68f74c670716e3d82eb5179dbe5c403e94',
  // A pool question's figures (escalations.batch_figures).
  'e1ea8babb2a588141f2370818047600f7bdf60e41d4ad3e6011c58691665fc2e',
];

const sha256 = (sql: string) => createHash('sha256').update(sql).digest('hex');

describe('store/migrations.ts', () => {
  it('keeps every shipped migration byte for byte, in its place', () => {
    expect(MIGRATIONS.length).toBeGreaterThanOrEqual(SHIPPED.length);
    expect(MIGRATIONS.slice(0, SHIPPED.length).map(sha256)).toEqual(SHIPPED);
  });

  it('brings a fresh database to the last version', () => {
    const db = openDb(':memory:');
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    } finally {
      db.close();
    }
  });
});
