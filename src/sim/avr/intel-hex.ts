/**
 * A small Intel HEX reader (record types 00 data, 01 end of file, 02 extended segment address, 04 extended linear
 * address; 03 and 05, start addresses, are ignored as an AVR starts at 0). Every record's checksum is verified.
 */
export class IntelHexError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IntelHexError';
  }
}

/** Parses `text` into a memory image of `size` bytes (unprogrammed bytes read 0xFF, as on a chip's flash). */
export function parseIntelHex(text: string, size: number): Uint8Array {
  const image = new Uint8Array(size).fill(0xff);
  let base = 0;
  let ended = false;
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === '') continue;
    const where = `line ${n + 1}`;
    if (ended) throw new IntelHexError(`${where}: data after the end-of-file record`);
    if (!/^:([0-9A-Fa-f]{2})+$/.test(line)) throw new IntelHexError(`${where}: not an Intel HEX record`);
    const bytes = Buffer.from(line.slice(1), 'hex');
    const count = bytes[0]!;
    if (bytes.length !== count + 5) throw new IntelHexError(`${where}: length ${count} does not match the record`);
    const sum = bytes.reduce((a, b) => (a + b) & 0xff, 0);
    if (sum !== 0) throw new IntelHexError(`${where}: bad checksum`);
    const address = (bytes[1]! << 8) | bytes[2]!;
    const type = bytes[3]!;
    const data = bytes.subarray(4, 4 + count);
    switch (type) {
      case 0x00: {
        const at = base + address;
        if (at + count > size) throw new IntelHexError(`${where}: data at 0x${at.toString(16)} does not fit ${size} bytes`);
        image.set(data, at);
        break;
      }
      case 0x01:
        ended = true;
        break;
      case 0x02:
        base = ((data[0]! << 8) | data[1]!) * 16;
        break;
      case 0x04:
        base = ((data[0]! << 8) | data[1]!) << 16;
        break;
      case 0x03:
      case 0x05:
        break;
      default:
        throw new IntelHexError(`${where}: unknown record type ${type}`);
    }
  }
  if (!ended) throw new IntelHexError('no end-of-file record: the file is truncated');
  return image;
}
