/**
 * Which simulcast layer a receiver should get. Cameras are sent in three spatial layers (about
 * 320, 640 and 1280 px wide); a tile is served the smallest layer that still fills it, the active
 * speaker always the highest, and a tile that is not visible nothing at all (paused).
 */
export type TileDecision = { visible: false } | { visible: true; spatialLayer: 0 | 1 | 2 };

export function layerForTile(width: number, height: number): TileDecision {
  if (width <= 0 || height <= 0) return { visible: false };
  if (width >= 640) return { visible: true, spatialLayer: 2 };
  if (width >= 320) return { visible: true, spatialLayer: 1 };
  return { visible: true, spatialLayer: 0 };
}

export const HIGHEST_SPATIAL_LAYER = 2;

/**
 * The preferred spatial layer of a consumer: the viewport's choice, raised to the highest for the
 * active speaker's camera. Undefined leaves mediasoup's default (the highest the network allows).
 */
export function preferredSpatialLayer(
  viewportLayer: number | undefined,
  isActiveSpeakerCamera: boolean,
): number | undefined {
  if (isActiveSpeakerCamera) return HIGHEST_SPATIAL_LAYER;
  return viewportLayer;
}
