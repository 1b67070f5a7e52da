// Prints how fast the committed firmware runs in the emulated board (avr8js on a VirtualClock): emulated seconds per
// wall-clock second, for an idle board, a board typing (a press every 200 ms, like multi-tap entry), and a board
// holding all 32 channels. Run: npx tsx firmware/emulation-speed.ts
import { VirtualClock } from '../src/clock/clock.js';
import { AvrBoard } from '../src/sim/avr/board.js';

function measure(name: string, emulatedMs: number, drive: (board: AvrBoard, clock: VirtualClock, step: number) => void): void {
  const clock = new VirtualClock();
  const board = new AvrBoard({ clock });
  board.onSerialData(() => {});
  board.powerOn();
  clock.advance(50);
  const start = performance.now();
  for (let t = 0; t < emulatedMs; t += 100) {
    drive(board, clock, t / 100);
    clock.advance(100);
  }
  const wall = (performance.now() - start) / 1000;
  const { cycles, idleCycles } = board.stats;
  const speed = emulatedMs / 1000 / wall;
  console.log(
    `${name.padEnd(34)} ${(emulatedMs / 1000).toFixed(0)} s emulated in ${wall.toFixed(2)} s: ` +
      `${speed.toFixed(1)} emulated s per wall s (CPU asleep ${((100 * idleCycles) / cycles).toFixed(0)} % of cycles)`,
  );
  board.powerOff();
}

measure('idle', 60_000, () => {});
measure('typing (press 100 ms every 200 ms)', 60_000, (board, _clock, step) => {
  if (step % 2 === 0) board.write(`press ${step + 1} 100 ${step % 12}\n`);
});
measure('holding 32 channels (pinged 1/s)', 19_000, (board, _clock, step) => {
  if (step === 0) board.write(`hold 1 ${Array.from({ length: 32 }, (_, i) => i).join(',')}\n`);
  else if (step % 10 === 0) board.write(`ping ${step + 1}\n`);
});
