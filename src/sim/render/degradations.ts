/** How degraded a simulated camera's picture is (src/sim/render/camera.ts LEVELS): a module of its own, light to load. */
export type Degradation = 'none' | 'mild' | 'moderate' | 'severe';
export const DEGRADATIONS: readonly Degradation[] = ['none', 'mild', 'moderate', 'severe'];
