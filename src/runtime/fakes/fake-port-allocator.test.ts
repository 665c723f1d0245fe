import { describe, expect, it } from 'vitest';
import { FakePortAllocator } from './fake-port-allocator.js';

describe('FakePortAllocator', () => {
  it('follows the real rules: strict fails, non-strict moves up past occupied and held ports', async () => {
    const ports = new FakePortAllocator({ occupied: [3000] });
    expect(await ports.allocate('web', 3000, true)).toEqual({ error: { message: 'port 3000 is already in use (strict_port: true)' } });
    expect(await ports.allocate('web', 3000, false)).toEqual({ port: 3001 });
    expect(await ports.allocate('api', 3001, true)).toEqual({ error: { message: 'port 3001 is already in use by unit web (strict_port: true)' } });
    expect(await ports.allocate('api', 3000, false)).toEqual({ port: 3002 });
    expect(await ports.allocate('any', null, false)).toEqual({ port: 40000 });
    expect(ports.portOf('web')).toBe(3001);
  });

  it('frees a released port and reports occupancy', async () => {
    const ports = new FakePortAllocator();
    expect(await ports.allocate('web', 8080, true)).toEqual({ port: 8080 });
    ports.release('web');
    expect(await ports.allocate('api', 8080, true)).toEqual({ port: 8080 });
    ports.occupy(9000);
    expect(await ports.isFree(9000)).toBe(false);
    ports.vacate(9000);
    expect(await ports.isFree(9000)).toBe(true);
    expect(ports.releases).toEqual(['web']);
  });
});
