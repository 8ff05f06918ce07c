import { describe, expect, it } from 'vitest';
import { layerForTile, preferredSpatialLayer } from './layers';

describe('simulcast layer for a tile', () => {
  it.each([
    [1280, 720, { visible: true, spatialLayer: 2 }],
    [640, 360, { visible: true, spatialLayer: 2 }],
    [639, 360, { visible: true, spatialLayer: 1 }],
    [320, 180, { visible: true, spatialLayer: 1 }],
    [319, 180, { visible: true, spatialLayer: 0 }],
    [1, 1, { visible: true, spatialLayer: 0 }],
    [0, 0, { visible: false }],
    [640, 0, { visible: false }],
  ])('%i×%i → %o', (width, height, expected) => {
    expect(layerForTile(width, height)).toEqual(expected);
  });

  it('gives the active speaker’s camera the highest layer whatever its tile', () => {
    expect(preferredSpatialLayer(0, true)).toBe(2);
    expect(preferredSpatialLayer(0, false)).toBe(0);
    expect(preferredSpatialLayer(undefined, false)).toBeUndefined();
  });
});
