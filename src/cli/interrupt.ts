/**
 * Ctrl-C handling: the first SIGINT asks the run to stop (it releases every solenoid and switches the relay off, then
 * ends as `aborted`); a second one releases what it can at once and exits with 130.
 */
export function onInterrupt(stop: () => void, releaseNow: () => Promise<void>): () => void {
  let count = 0;
  const handler = () => {
    count++;
    if (count === 1) {
      process.stderr.write('resetbot: stopping: releasing every solenoid (Ctrl-C again to exit at once)\n');
      stop();
      return;
    }
    void releaseNow().finally(() => process.exit(130));
  };
  process.on('SIGINT', handler);
  return () => process.off('SIGINT', handler);
}
