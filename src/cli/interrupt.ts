/** The signals that stop a run the way Ctrl-C does: a terminal closed (SIGHUP) or a service manager's stop (SIGTERM). */
const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Ctrl-C handling: the first SIGINT (or SIGTERM, SIGHUP) asks the run to stop: it releases every solenoid and switches
 * the relay off, then ends as `aborted`. A second one releases what it can at once and exits with 130.
 */
export function onInterrupt(stop: () => void, releaseNow: () => Promise<void>): () => void {
  let count = 0;
  const handler = (signal: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      process.stderr.write(`resetbot: ${signal}: stopping, releasing every solenoid (Ctrl-C again to exit at once)\n`);
      stop();
      return;
    }
    void releaseNow().finally(() => process.exit(130));
  };
  for (const s of STOP_SIGNALS) process.on(s, handler);
  return () => {
    for (const s of STOP_SIGNALS) process.off(s, handler);
  };
}
