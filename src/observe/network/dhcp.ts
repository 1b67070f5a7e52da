/**
 * The bench's reading of the DHCP messages dnsmasq saw (its `--dumpfile` capture, pcap.ts): who asked (the client's
 * hardware address), what (DISCOVER, REQUEST...), and what the phone said of itself in option 60.
 *
 * Polycom's option 60 (SoundPoint IP / SoundStation IP Administrator's Guide, "Parsing Vendor ID Information"; the
 * same in later guides) is not a string but an RFC 3925 style block: the enterprise number 13885 (00 00 36 3d), the
 * length of the sub-options, then sub-options code/length/value until 0xff: 1 company, 2 part (`SoundPointIP-SPIP_601`,
 * `PolycomVVX-VVX_410`), 3 part number, 4 application version, 5 BootROM version, the versions as
 * `<apptype>/<buildid>/<date+time>` with apptype `BR` (BootROM) or `SIP` (the application).
 *
 * dnsmasq's `--dhcp-script` cannot carry it: the script's DNSMASQ_VENDOR_CLASS stops at the first NUL byte, and this
 * block starts with two. Hence the capture.
 */

export const POLYCOM_ENTERPRISE = 13885;

export const DHCP_TYPES: Record<number, string> = { 1: 'DISCOVER', 2: 'OFFER', 3: 'REQUEST', 4: 'DECLINE', 5: 'ACK', 6: 'NAK', 7: 'RELEASE', 8: 'INFORM' };

export interface DhcpSeen {
  /** 1: from a client, 2: from a server. */
  op: number;
  type: string;
  xid: number;
  /** 12 lower-case hex digits. */
  mac: string;
  yiaddr: string;
  /** Option 50 (the address a client asks for). */
  requested?: string;
  hostname?: string;
  vendorClass?: Buffer;
}

export interface PolycomVendorClass {
  company?: string;
  /** Sub-option 2, e.g. `PolycomVVX-VVX_410`. */
  part?: string;
  /** The model as the phone names it, from the part: `VVX_410`, `SPIP_335`. */
  model?: string;
  partNumber?: string;
  /** Sub-option 4. */
  application?: string;
  /** Sub-option 5. */
  bootrom?: string;
  /** The version of the stage that spoke (from sub-option 4's build id). */
  software?: string;
  bootromVersion?: string;
  /** `BR`: the BootROM / Updater; `SIP`: the application. */
  stage?: 'updater' | 'application';
}

function ip(b: Buffer, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

/** A DHCP message from a UDP payload, or undefined when it is not one. */
export function decodeDhcpMessage(b: Buffer): DhcpSeen | undefined {
  if (b.length < 240 || b.readUInt32BE(236) !== 0x63825363) return undefined;
  const options = new Map<number, Buffer>();
  for (let i = 240; i < b.length; ) {
    const code = b[i]!;
    if (code === 255) break;
    if (code === 0) {
      i++;
      continue;
    }
    const len = b[i + 1];
    if (len === undefined || i + 2 + len > b.length) break;
    options.set(code, b.subarray(i + 2, i + 2 + len));
    i += 2 + len;
  }
  const t = options.get(53)?.[0];
  const seen: DhcpSeen = {
    op: b[0]!,
    type: (t !== undefined ? DHCP_TYPES[t] : undefined) ?? 'BOOTP',
    xid: b.readUInt32BE(4),
    mac: b.subarray(28, 34).toString('hex'),
    yiaddr: ip(b, 16),
  };
  const req = options.get(50);
  if (req && req.length === 4) seen.requested = ip(req, 0);
  const host = options.get(12);
  if (host) seen.hostname = host.toString('latin1');
  const vc = options.get(60);
  if (vc) seen.vendorClass = Buffer.from(vc);
  return seen;
}

/** `<apptype>/<buildid>/<date>` -> its parts. */
function versionString(text: string | undefined): { apptype?: string; version?: string } {
  if (!text) return {};
  const [apptype, build] = text.split('/');
  const version = build?.match(/\d+(?:\.\d+)+/)?.[0];
  return { ...(apptype ? { apptype } : {}), ...(version ? { version } : {}) };
}

/** Polycom's option 60 block, or undefined when it is not Polycom's. */
export function parsePolycomVendorClass(b: Buffer): PolycomVendorClass | undefined {
  if (b.length < 5 || b.readUInt32BE(0) !== POLYCOM_ENTERPRISE) return undefined;
  const end = Math.min(b.length, 5 + b[4]!);
  const subs = new Map<number, string>();
  for (let i = 5; i < end; ) {
    const code = b[i]!;
    if (code === 0xff) break;
    const len = b[i + 1];
    if (len === undefined || i + 2 + len > end) break;
    subs.set(code, b.subarray(i + 2, i + 2 + len).toString('latin1'));
    i += 2 + len;
  }
  const out: PolycomVendorClass = {};
  const company = subs.get(1);
  if (company) out.company = company;
  const part = subs.get(2);
  if (part) {
    out.part = part;
    const model = part.split('-').pop();
    if (model) out.model = model;
  }
  const pn = subs.get(3);
  if (pn) out.partNumber = pn;
  const app = subs.get(4);
  const boot = subs.get(5);
  if (app) out.application = app;
  if (boot) out.bootrom = boot;
  const a = versionString(app);
  const br = versionString(boot);
  if (a.version) out.software = a.version;
  if (br.version) out.bootromVersion = br.version;
  if (a.apptype === 'BR') out.stage = 'updater';
  else if (a.apptype) out.stage = 'application';
  return out;
}
