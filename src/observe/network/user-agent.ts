/**
 * A Polycom phone's provisioning User-Agent, e.g. `FileTransport PolycomVVX-VVX_410-UA/5.9.5.0614 Type/Updater` or
 * `FileTransport PolycomSoundPointIP-SPIP_335-UA/4.0.15.1009 Type/Application` (public captures and Poly's guides):
 * the product (platform and model), the version of the stage that speaks, and the stage.
 */
export interface PolycomUserAgent {
  /** e.g. `PolycomVVX-VVX_410`. */
  product: string;
  /** The model as the phone names it: `VVX_410`. */
  model: string;
  software: string;
  stage?: 'updater' | 'application';
}

const UA_RE = /(?:^|\s)(\S+?)-UA\/([0-9][0-9A-Za-z.]*)(?:.*?\bType\/(\w+))?/;

export function parseUserAgent(ua: string | undefined): PolycomUserAgent | undefined {
  if (!ua) return undefined;
  const m = UA_RE.exec(ua);
  if (!m) return undefined;
  const product = m[1]!;
  const out: PolycomUserAgent = { product, model: product.split('-').pop() ?? product, software: m[2]! };
  const type = m[3]?.toLowerCase();
  if (type === 'updater') out.stage = 'updater';
  else if (type === 'application') out.stage = 'application';
  return out;
}
