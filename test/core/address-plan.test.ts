import { AddressPlan, HubSubnet, TrustSubnet } from '../../src/core/address-plan';
import { BackboneSpec } from '../../src/core/backbone-spec';
import { Cidr } from '../../src/core/cidr';
import { BackboneError } from '../../src/core/errors';
import { nationalProps } from '../support/specs';

const POOL = '10.180.0.0/14';
const plan = (trusts: string[], lock?: AddressPlan['lock'], apps: string[] = []) =>
  AddressPlan.allocate({ addressPool: POOL, trusts, apps, lock });

describe('address plan', () => {
  const first = plan(['REM', 'RBS', 'R0A', 'RBT'], undefined, ['ai-triage', 'viewer']);

  test('hub block first, then a /22 per trust, subnets inside', () => {
    expect(first.hubBlock).toBe('10.180.0.0/19');
    expect(first.hubSubnet(HubSubnet.FIREWALL)).toBe('10.180.0.0/24');
    expect(first.hubSubnet(HubSubnet.DNS)).toBe('10.180.2.0/24');
    expect(first.hubSubnet(HubSubnet.SHARED)).toBe('10.180.8.0/22');
    expect(first.trustBlock('REM')).toBe('10.180.32.0/22');
    expect(first.trustBlock('RBS')).toBe('10.180.36.0/22');
    expect(first.trustSubnet('REM', TrustSubnet.WORKLOAD)).toBe('10.180.32.0/24');
    expect(first.trustSubnet('REM', TrustSubnet.DATA)).toBe('10.180.33.0/25');
    expect(first.trustSubnet('REM', TrustSubnet.IMAGING)).toBe('10.180.33.128/26');
    expect(first.trustSubnet('REM', TrustSubnet.TRANSIT)).toBe('10.180.33.192/26');
    expect(first.trustSubnet('REM', TrustSubnet.APPS)).toBe('10.180.34.0/23');
    expect(first.appSubnet('REM', 'ai-triage')).toBe('10.180.34.0/27');
    expect(first.appSubnet('RBS', 'viewer')).toBe('10.180.38.32/27');
  });

  test('no two blocks overlap and every block lies in the pool', () => {
    const p = AddressPlan.allocate({ addressPool: POOL, trusts: nationalProps(209).trusts.map((t) => t.odsCode), apps: [] });
    const blocks = [p.hubBlock, ...Object.values(p.trustBlocks)].map((b) => Cidr.parse(b));
    expect(blocks).toHaveLength(210);
    const pool = Cidr.parse(POOL);
    for (const [i, a] of blocks.entries()) {
      expect(pool.contains(a)).toBe(true);
      for (const b of blocks.slice(i + 1)) expect(a.overlaps(b)).toBe(false);
    }
  });

  describe('stability: no other trust moves', () => {
    const before = first.trustBlocks;
    const unchanged = (after: AddressPlan, except: string[] = []) => {
      for (const [ods, block] of Object.entries(before)) {
        if (!except.includes(ods)) expect(after.trustBlock(ods)).toBe(block);
      }
    };

    test('append a trust', () => {
      const after = plan(['REM', 'RBS', 'R0A', 'RBT', 'RJR'], first.lock);
      unchanged(after);
      expect(after.trustBlock('RJR')).toBe('10.180.48.0/22');
      expect(after.newAllocations).toEqual(['trust RJR']);
    });

    test('insert a trust in the middle', () => {
      const after = plan(['REM', 'RJR', 'RBS', 'R0A', 'RBT'], first.lock);
      unchanged(after);
      expect(Object.values(before)).not.toContain(after.trustBlock('RJR'));
    });

    test('remove a trust: the others stay, and its block is not handed to a newcomer', () => {
      const removed = plan(['REM', 'R0A', 'RBT'], first.lock);
      unchanged(removed, ['RBS']);
      const newcomer = plan(['REM', 'R0A', 'RBT', 'RJR'], removed.lock);
      unchanged(newcomer, ['RBS']);
      expect(newcomer.trustBlock('RJR')).not.toBe(before.RBS);
      // a trust that comes back gets its old block
      expect(plan(['REM', 'R0A', 'RBT', 'RJR', 'RBS'], newcomer.lock).trustBlock('RBS')).toBe(before.RBS);
    });

    test('reorder the trusts', () => {
      unchanged(plan(['RBT', 'R0A', 'REM', 'RBS'], first.lock));
    });

    test('apps keep their subnets when others are added before them', () => {
      const after = plan(['REM', 'RBS', 'R0A', 'RBT'], first.lock, ['new-app', 'viewer', 'ai-triage']);
      expect(after.appSubnet('REM', 'viewer')).toBe(first.appSubnet('REM', 'viewer'));
      expect(after.appSubnet('REM', 'ai-triage')).toBe(first.appSubnet('REM', 'ai-triage'));
      expect(after.appSubnet('REM', 'new-app')).toBe('10.180.34.64/27');
    });
  });

  test('the default pool fits 418 trusts (twice the NHS in England) and the hub', () => {
    const props = nationalProps(418, 84);
    const spec = BackboneSpec.fromProps({ ...props, addressPool: undefined });
    const p = spec.addressPlan();
    expect(p.addressPool).toBe('172.16.0.0/12');
    expect(Object.keys(p.trustBlocks)).toHaveLength(418);
    expect(Cidr.parse('172.16.0.0/12').contains(Cidr.parse(p.trustBlock(props.trusts[417].odsCode)))).toBe(true);
  });

  test('a pool change against the lock, and a pool full of retired slots, are refused', () => {
    expect(() => AddressPlan.allocate({ addressPool: '10.176.0.0/14', trusts: ['REM'], apps: [], lock: first.lock }))
      .toThrow(/^addressPool: 10\.176\.0\.0\/14 differs from the pool 10\.180\.0\.0\/14 recorded in the address lock/);
    const lock = { version: 1, pool: '10.180.0.0/18', trusts: Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`R${i}X`, i])), apps: {} };
    let err: unknown;
    try {
      AddressPlan.allocate({ addressPool: '10.180.0.0/18', trusts: ['NEW'], apps: [], lock });
    } catch (e) { err = e; }
    expect(BackboneError.isBackboneError(err)).toBe(true);
    expect((err as Error).message).toMatch(/^addressPool: 10\.180\.0\.0\/18 holds 8 trust blocks .* but 9 are needed \(1 trusts and slots kept for removed trusts\): use a \/17 or larger$/);
  });
});
