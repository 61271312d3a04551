import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

// CPU time of named processes (each with its descendants) and of the whole machine, read from
// /proc (Linux), and the split between two snapshots: which process used the cores over a window,
// and how much went to processes outside the run (this machine is shared).

const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface CpuSnapshot {
  /** Date.now() when read. */
  at: number;
  /** CPU seconds (user + system) per name: the process and its live descendants not listed under another name. */
  processes: Record<string, number>;
  /** Machine-wide CPU seconds since boot: busy (not idle, not iowait), iowait, all. */
  machine: { busySec: number; iowaitSec: number; totalSec: number };
}

interface ProcStat {
  ppid: number;
  cpuSec: number;
}

function readProcStat(pid: string): ProcStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), cpuSec: (Number(fields[11]) + Number(fields[12])) / ticksPerSecond };
  } catch {
    return undefined; // exited between the listing and the read
  }
}

function machineCpu(): CpuSnapshot['machine'] {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  const totalSec = (user + nice + system + idle + iowait + irq + softirq + steal) / ticksPerSecond;
  return { busySec: totalSec - (idle + iowait) / ticksPerSecond, iowaitSec: iowait / ticksPerSecond, totalSec };
}

/** CPU seconds used so far by each named process and its descendants (a name whose process is gone reads 0). */
export function cpuSnapshot(roots: Record<string, number>): CpuSnapshot {
  const stats = new Map<number, ProcStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(entry);
    if (stat) stats.set(Number(entry), stat);
  }
  // Each process counts for the nearest listed ancestor (itself included), so a listed process that
  // started the others (the benchmark's own) counts only what its other children do not.
  const nameOf = new Map(Object.entries(roots).map(([name, pid]) => [pid, name]));
  const processes: Record<string, number> = Object.fromEntries(Object.keys(roots).map((name) => [name, 0]));
  for (const [pid, stat] of stats) {
    for (let at: number | undefined = pid; at !== undefined && at > 1; at = stats.get(at)?.ppid) {
      const name = nameOf.get(at);
      if (name === undefined) continue;
      processes[name] = (processes[name] ?? 0) + stat.cpuSec;
      break;
    }
  }
  return { at: Date.now(), processes, machine: machineCpu() };
}

export interface CpuSplit {
  wallSec: number;
  /** Cores the machine has, as /proc/stat counted them over the window. */
  cores: number;
  /** Per name: CPU seconds over the window and the share of one core (100 % = one core busy the whole window). */
  processes: Record<string, { cpuSec: number; percentOfCore: number }>;
  /** Busy CPU on the whole machine, and the part no named process used (other work on the machine). */
  machineBusyPercentOfCore: number;
  othersPercentOfCore: number;
  iowaitPercentOfCore: number;
}

const percent = (sec: number, wallSec: number) => Math.round((sec / wallSec) * 1000) / 10;

export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): CpuSplit {
  const wallSec = (after.at - before.at) / 1000;
  const processes = Object.fromEntries(
    Object.entries(after.processes).map(([name, sec]) => {
      const cpuSec = Math.max(0, sec - (before.processes[name] ?? 0));
      return [name, { cpuSec: Math.round(cpuSec * 100) / 100, percentOfCore: percent(cpuSec, wallSec) }];
    }),
  );
  const busySec = after.machine.busySec - before.machine.busySec;
  const ours = Object.values(processes).reduce((sum, p) => sum + p.cpuSec, 0);
  return {
    wallSec,
    cores: Math.round((after.machine.totalSec - before.machine.totalSec) / wallSec),
    processes,
    machineBusyPercentOfCore: percent(busySec, wallSec),
    othersPercentOfCore: percent(Math.max(0, busySec - ours), wallSec),
    iowaitPercentOfCore: percent(after.machine.iowaitSec - before.machine.iowaitSec, wallSec),
  };
}

/** Each process's CPU milliseconds per unit of work (`count` connects, starts, posts). */
export function cpuMsPer(processes: Record<string, { cpuSec: number }>, count: number): Record<string, number> {
  return Object.fromEntries(Object.entries(processes).map(([name, p]) => [name, (p.cpuSec * 1000) / count]));
}

/** One line for a report: each process's share of a core (and CPU ms per `unit` when given), the machine's, the rest. */
export function describeCpu(split: CpuSplit, per?: { count: number; unit: string }): string {
  const perUnit = (sec: number) => (per && per.count > 0 ? `, ${Math.round((sec * 1000) / per.count)} ms per ${per.unit}` : '');
  const processes = Object.entries(split.processes)
    .sort(([, a], [, b]) => b.cpuSec - a.cpuSec)
    .map(([name, p]) => `${name} ${p.percentOfCore} %${perUnit(p.cpuSec)}`)
    .join('; ');
  return (
    `over ${split.wallSec.toFixed(2)} s, in % of one core: ${processes}; ` +
    `other processes on the machine ${split.othersPercentOfCore} %; machine busy ${split.machineBusyPercentOfCore} % of ${split.cores * 100} %, iowait ${split.iowaitPercentOfCore} %`
  );
}
