/**
 * What a simulated Polycom phone puts in DHCP option 60 (Vendor Class Identifier), written from Polycom's
 * administrator guides ("Parsing Vendor ID Information", SoundPoint IP / SoundStation IP Administrator's Guide SIP
 * 3.x, appendix C; the same text in the CX5500 guide): an RFC 3925 style block, not a string:
 *
 *   00 00 36 3d            the enterprise number 13885 (Polycom)
 *   <len>                  length of the sub-options
 *   01 <len> "Polycom"     sub-option 1: company
 *   02 <len> "SoundPointIP-SPIP_601"   sub-option 2: part (the platform and model)
 *   03 <len> "2345-11605-001,2"        sub-option 3: part number (and revision)
 *   04 <len> "SIP/Tip.XXXX/08-Jun-07 10:44"   sub-option 4: application version
 *   05 <len> "BR/3.1.0.XXXX/28-Apr-05 13:30"  sub-option 5: BootROM version
 *   ff                     end of sub-options
 *
 * "For the BootROM, sub-option 4 and sub-option 5 will contain the same string", formatted
 * `<apptype>/<buildid>/<date+time>` where apptype is 'BR' (BootROM) or 'SIP' (SIP application). On phones with an
 * Updater (UC Software 3.3 and later) the Updater takes the BootROM's place; we keep its 'BR' apptype (assumption:
 * no public capture of an Updater's option 60 was found).
 */

export const POLYCOM_ENTERPRISE = 13885;

export interface VendorClassFields {
  company: string;
  part: string;
  partNumber: string;
  application: string;
  bootrom: string;
}

export function encodeVendorClass(f: VendorClassFields): Buffer {
  const subs: Buffer[] = [];
  const add = (code: number, text: string): void => {
    const v = Buffer.from(text, 'latin1');
    subs.push(Buffer.from([code, v.length]), v);
  };
  add(1, f.company);
  add(2, f.part);
  add(3, f.partNumber);
  add(4, f.application);
  add(5, f.bootrom);
  subs.push(Buffer.from([0xff]));
  const body = Buffer.concat(subs);
  const head = Buffer.alloc(5);
  head.writeUInt32BE(POLYCOM_ENTERPRISE, 0);
  head[4] = body.length;
  return Buffer.concat([head, body]);
}
