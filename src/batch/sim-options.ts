import { z } from 'zod';
import { isKnownKey } from '../bench/keys.js';

/**
 * The `sim` settings of a simulated station in a station file. The faults and options are the simulator's own
 * (src/sim/driver.ts SimFaults, src/sim/phone.ts SimPhoneOptions), given to every phone the station runs, plus
 * station-level faults:
 *   linkLost: true             the station's board never answers: the health check takes the station out;
 *   linkLostAtMs: T            the serial line drops at bench time T and stays down;
 *   linkLostAfterCommands: N   the serial line drops after the N-th command to the phone in the jig, and stays down.
 * A phone whose run needs the line after the drop ends in a bench error; either way the station fails its next check
 * and is taken out of the batch, and the other stations carry on.
 * `realMacs` maps a label's MAC to the phone's real one (a misread label: the password is rejected).
 * `options.adminPassword` and `options.software` override what a batch row says of its phone (by default the simulated
 * phone has the row's admin password and software version).
 */
const key = z.string().refine(isKnownKey, { message: 'is not a known key name (see src/bench/keys.ts)' });
const probability = z.number().min(0).max(1);

export const simFaultsSchema = z.strictObject({
  linkLost: z.boolean().optional(),
  slowBoot: z.number().min(1).optional(),
  misfire: z.array(z.strictObject({ key, p: probability })).optional(),
  bounce: probability.optional(),
  shortCancelWindowMs: z.number().positive().optional(),
  stuckOff: z.array(z.number().int().min(0)).optional(),
  linkLostAfterCommands: z.number().int().min(0).optional(),
  linkLostAtMs: z.number().min(0).optional(),
});

export const simPhoneOptionsSchema = z.strictObject({
  combo: z.array(key).min(1).optional(),
  caseRule: z.enum(['lower', 'either']).optional(),
  adminPassword: z.string().optional(),
  oldSoftware: z.boolean().optional(),
  software: z.string().regex(/^\d+\.\d+\.\d+$/, 'must be a version x.y.z, e.g. 4.0.15').optional(),
});

export const simStationSchema = z.strictObject({
  /** Mixed with the batch seed and each phone's MAC and run: one seed, one batch. */
  seed: z.union([z.number().int(), z.string()]).optional(),
  faults: simFaultsSchema.optional(),
  options: simPhoneOptionsSchema.optional(),
  realMacs: z.record(z.string(), z.string()).optional(),
  /** No camera: runs that complete are `unverified`. */
  blind: z.boolean().optional(),
  /**
   * Each phone on its own namespaced link facing the station's network observer (dnsmasq, provisioning, probe; root):
   * its identity is checked before anything is typed and its reset proven by the probe (issue 10).
   */
  network: z.boolean().optional(),
  /** See the phone through the rendered camera path (display rendered, photographed at this degradation, OCR). */
  camera: z.enum(['none', 'mild', 'moderate', 'severe']).optional(),
  /**
   * The simulated unit (a simulator model id, e.g. `vvx-410`) the station seats for a row that names no model: the
   * network names it (with `network`), as on a real zero-touch bench.
   */
  model: z.string().optional(),
  /** The simulated board's per-solenoid hold limit, ms. */
  maxHoldMs: z.number().int().positive().optional(),
});

export type SimStationOptions = z.infer<typeof simStationSchema>;
