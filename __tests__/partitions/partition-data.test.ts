import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { partition as sdkPartition } from '@aws-sdk/core/client';
import { partitionOfRegion } from '../../src/partitions/partition';
import { PARTITIONS } from '../../src/partitions/partition-data';

// The SDK's own table, read the way scripts/partitions.mjs reads it (the package exports only `partition()`).
function sdkTable(): {
  partitions: { id: string; outputs: { dnsSuffix: string }; regionRegex: string; regions: object }[];
} {
  const clientDir = dirname(require.resolve('@aws-sdk/core/client'));
  const file = join(clientDir, '../../../dist-cjs/submodules/client/index.js');
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf('{\n    "partitions"');
  expect(start).toBeGreaterThan(0);
  let depth = 0;
  let end = start;
  for (; end < text.length; end++) {
    if (text[end] === '{') depth++;
    if (text[end] === '}' && --depth === 0) break;
  }
  return JSON.parse(text.slice(start, end + 1));
}

describe('partition data: the copy generated from the SDK', () => {
  it('is the SDK table, partition by partition (else run node scripts/partitions.mjs)', () => {
    const sdk = sdkTable().partitions.map((p) => ({
      name: p.id,
      dnsSuffix: p.outputs.dnsSuffix,
      regionRegex: p.regionRegex,
      regions: Object.keys(p.regions),
    }));
    expect(PARTITIONS).toEqual(sdk);
    expect(PARTITIONS.map((p) => p.name)).toEqual(expect.arrayContaining(['aws', 'aws-cn', 'aws-us-gov', 'aws-eusc']));
  });

  it('resolves every known region, and unknown ones by pattern, as the SDK does', () => {
    const regions = [
      ...PARTITIONS.flatMap((p) => p.regions),
      'cn-south-7',
      'us-gov-north-3',
      'eusc-de-west-2',
      'us-isob-west-9',
      'eu-new-4',
      'local',
      'xx-yy-1',
    ];
    for (const region of regions) {
      const sdk = sdkPartition(region);
      expect({ region, ...partitionOfRegion(region) }).toEqual({ region, name: sdk.name, dnsSuffix: sdk.dnsSuffix });
    }
  });
});
