/**
 * The catalog model a phone names on the network (DHCP option 60's part, or its provisioning User-Agent): `VVX_410`,
 * `SPIP_335`, `SSIP_5000`, `SSDuo`, `Edge_E220`, `Trio_8800`, `CCX_500`, `Rove_B2`. Platform codes from Polycom's
 * administrator guides (`SoundPointIP-SPIP_601`) and public captures (`PolycomVVX-VVX_410`); the newer platforms in
 * the same shape. A name that more than one catalog model shares (a model and its new hardware revision, which name
 * themselves alike) is not guessed: the operator gives the model.
 */
import type { Catalog } from '../../catalog/catalog.js';
import type { PhoneModel } from '../../catalog/types.js';
import { ResetbotError } from '../../errors/errors.js';

const PLATFORMS: Record<string, string> = {
  VVX: 'VVX',
  SPIP: 'SoundPoint IP',
  SSIP: 'SoundStation IP',
  EDGE: 'Edge',
  TRIO: 'Trio',
  CCX: 'CCX',
  ROVE: 'Rove',
  SL: 'SpectraLink',
};

/** The catalog's spelling of a network model name: `SPIP_335` -> `SoundPoint IP 335`, `SSDuo` -> `SoundStation Duo`. */
export function catalogNameFor(networkModel: string): string {
  if (/^SSDuo$/i.test(networkModel)) return 'SoundStation Duo';
  const [platform, ...rest] = networkModel.split('_');
  const family = PLATFORMS[(platform ?? '').toUpperCase()];
  return family && rest.length > 0 ? `${family} ${rest.join(' ')}` : networkModel.replace(/_/g, ' ');
}

/** The catalog model the network named, or why there is none (unknown, or shared by several models). */
export function modelFromNetwork(networkModel: string, catalog: Catalog): { model: PhoneModel } | { problem: string } {
  const name = catalogNameFor(networkModel);
  let model: PhoneModel;
  try {
    model = catalog.find(name);
  } catch (err) {
    if (!(err instanceof ResetbotError)) throw err;
    return { problem: `the phone names itself ${networkModel} on the network, which is no model resetbot knows (${err.message})` };
  }
  const alike = catalog.models.filter((m) => m.name === model.name || m.name.startsWith(`${model.name} (`));
  if (alike.length > 1) {
    return { problem: `the phone names itself ${networkModel} on the network, which any of ${alike.map((m) => m.name).join(', ')} may be` };
  }
  return { model };
}
