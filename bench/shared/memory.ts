import { readFileSync } from 'node:fs';

// Resident memory of another process, read from /proc (Linux).

export interface ProcessMemory {
  /** VmRSS: resident set size now. */
  rssBytes: number;
  /** VmHWM: the peak resident set size so far. */
  peakRssBytes: number;
}

function field(status: string, name: string): number {
  const match = new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
  if (!match) throw new Error(`/proc status has no ${name}`);
  return Number(match[1]) * 1024;
}

export function processMemory(pid: number): ProcessMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { rssBytes: field(status, 'VmRSS'), peakRssBytes: field(status, 'VmHWM') };
}

export const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
