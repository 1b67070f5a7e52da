/**
 * How a simulated phone names itself on the network: the part string of its DHCP option 60 and of its provisioning
 * User-Agent, its part number, and its versions. The simulator's own table (the controller's catalog is not read).
 *
 * Sources: Polycom's administrator guides give option 60's part as `SoundPointIP-SPIP_601` (sub-option 2) and the
 * application / BootROM strings as `<apptype>/<buildid>/<date+time>`; public captures and forum posts show User-Agents
 * such as `FileTransport PolycomVVX-VVX_410-UA/5.9.5.0614 Type/Updater` and `FileTransport
 * PolycomSoundPointIP-SPIP_335-UA/4.0.15.1009 Type/Application`. Part numbers and the parts of the newer platforms
 * (Trio, CCX, Edge) are assumptions in the same shape (`3111-NNNNN-001,R`).
 */
import type { Rng } from '../rng.js';

export interface NetIdentity {
  /** e.g. `PolycomVVX-VVX_410`: the UA's product (before `-UA/`). */
  uaProduct: string;
  /** option 60 sub-option 2, e.g. `PolycomVVX-VVX_410` (`SoundPointIP-SPIP_335` on SoundPoint). */
  part: string;
  /** e.g. `3111-46162-001,1`. */
  partNumber: string;
  /** x.y.z.build */
  software: string;
  /** BootROM / Updater version, x.y.z.build */
  bootrom: string;
}

function tail(id: string): string {
  // A model's revision (`vvx-250-nh`, the new hardware) names itself as the model it revises: VVX_250.
  const segs = id.split('-').filter((s) => s !== 'nh');
  return (segs.pop() ?? id).toUpperCase();
}

/** The platform and model parts for a simulated model id. */
function parts(modelId: string): { ua: string; part: string } {
  const n = tail(modelId);
  if (modelId.startsWith('vvx-d')) return { ua: `PolycomVVX-VVX_${modelId.split('-')[1]!.toUpperCase()}`, part: `PolycomVVX-VVX_${modelId.split('-')[1]!.toUpperCase()}` };
  if (modelId.startsWith('vvx-')) return { ua: `PolycomVVX-VVX_${n}`, part: `PolycomVVX-VVX_${n}` };
  if (modelId.startsWith('soundpoint-ip-')) return { ua: `PolycomSoundPointIP-SPIP_${n}`, part: `SoundPointIP-SPIP_${n}` };
  if (modelId.startsWith('soundstation-ip-')) return { ua: `PolycomSoundStationIP-SSIP_${n}`, part: `SoundStationIP-SSIP_${n}` };
  if (modelId === 'soundstation-duo') return { ua: 'PolycomSoundStationIP-SSDuo', part: 'SoundStationIP-SSDuo' };
  if (modelId.startsWith('edge-')) return { ua: `PolyEdge-Edge_${n}`, part: `PolyEdge-Edge_${n}` };
  if (modelId.startsWith('trio-')) return { ua: `PolycomRealPresenceTrio-Trio_${n}`, part: `RealPresenceTrio-Trio_${n}` };
  if (modelId.startsWith('ccx-')) return { ua: `PolyCCX-CCX_${n}`, part: `PolyCCX-CCX_${n}` };
  if (modelId.startsWith('spectralink-')) return { ua: `SpectraLink-SL_${n}`, part: `SpectraLink-SL_${n}` };
  if (modelId.startsWith('rove-')) return { ua: `PolyRove-Rove_${n}`, part: `PolyRove-Rove_${n}` };
  return { ua: `Polycom-${n}`, part: `Polycom-${n}` };
}

/** The phone's network identity: fixed per instance (drawn from its own seeded stream). */
export function netIdentity(modelId: string, software: string, rng: Rng): NetIdentity {
  const { ua, part } = parts(modelId);
  const build = String(rng.int(1, 9999)).padStart(4, '0');
  const bootBuild = String(rng.int(1, 9999)).padStart(4, '0');
  const partNumber = `3111-${String(rng.int(10000, 99999))}-001,${rng.int(1, 9)}`;
  const [major] = software.split('.');
  return {
    uaProduct: ua,
    part,
    partNumber,
    software: `${software}.${build}`,
    // The Updater ships with the application since UC Software 3.3; older phones have a BootROM of their own series.
    bootrom: Number(major) >= 4 ? `${software}.${bootBuild}` : `4.4.0.${bootBuild}`,
  };
}
