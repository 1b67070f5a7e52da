/**
 * What a record says proved each thing about a phone (issue 10): who it is (the label's MAC, DHCP, a provisioning
 * request), that it reset (its screen, the network's reboots, the default-login probe), and what a provisioning run saw
 * in the Setup editors. One entry per proof, with
 * the observer's source and the bench time it was seen.
 */
export type EvidenceProof = 'dhcp' | 'provisioning' | 'probe' | 'screen' | 'password-accepted' | 'network-reboots' | 'label';

export interface EvidenceEntry {
  /** What it proves. */
  about: 'identity' | 'reset' | 'reboot' | 'setting';
  proof: EvidenceProof;
  /** The observer that made it, e.g. `network:dhcp`. */
  source: string;
  /** Clock time it was seen, ms. */
  t: number;
  detail: string;
  /** False when the proof speaks against (a probe that was refused, a MAC that differs). */
  holds: boolean;
}

export type Evidence = EvidenceEntry[];
