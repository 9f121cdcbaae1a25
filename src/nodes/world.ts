/**
 * A world: everything one scenario run needs — the kernel, the network, a DNS server with the
 * scripted zone, the mail hosts with their services, the users' client (MUA), the fault timeline and
 * the traffic — built from a normalised scenario (src/scenario), knowing nothing of YAML.
 *
 * Two helper hosts exist besides the scenario's: the DNS server (`dns.mailsim.invalid`) every
 * resolver queries over the network — so a partition or a `down` of it matters — and the MUA host
 * (`mua.mailsim.invalid`) the users' clients connect from. Both can be named in faults.
 */
import { DnsServer, StubResolver, Zone, type ZoneEntryInput, type ZoneInput } from '../dns/index.js';
import { Network } from '../net/network.js';
import { zoneEntry } from '../dns/record-set.js';
import { type FaultSpec, faultHappens, kindOf } from '../faults/index.js';
import type { FaultTarget } from '../faults/kind.js';
import type { TrafficItem, WorldSpec } from './config.js';
import { ActiveWindows, type RunResult, Simulator } from '../sim/index.js';
import { MailHost } from './mail-host.js';
import { MailLog } from '../mail/log.js';
import { Mua } from './mua.js';
import { MailReader } from './mua-fetch.js';
import type { FetchRecord } from '../mail/fetch-record.js';
import type { QueuedRecipient } from '../mail/records.js';


export const dnsHostName = 'dns.mailsim.invalid';
export const dnsHostAddress = '192.0.2.53';
export const muaHostName = 'mua.mailsim.invalid';
export const muaHostAddress = '192.0.2.1';

export interface WorldOptions {
  /** Overrides the scenario's seed (`mailsim run --seed`). */
  seed?: number;
  /** Keep every trace event in memory (for `--trace` and the HTML report's transcripts). */
  keepTrace?: boolean;
  /** Bound on kernel events per run. */
  eventsMax?: number;
}

export class World {
  readonly sim: Simulator;
  readonly net: Network;
  readonly log: MailLog;
  readonly dns: DnsServer;
  readonly hosts = new Map<string, MailHost>();
  readonly mua: Mua;
  readonly reader: MailReader;
  readonly seed: number;
  /** The results of the scenario's `fetch` actions, in order. */
  readonly fetches: FetchRecord[] = [];
  /** The `down`/`up` windows in force per host name. */
  private readonly powerWindows = new Map<string, ActiveWindows<'down' | 'up'>>();
  private started = false;

  constructor(
    readonly scenario: WorldSpec,
    options: WorldOptions = {},
  ) {
    this.seed = options.seed ?? scenario.seed;
    this.sim = new Simulator({ seed: this.seed, keepTrace: options.keepTrace ?? false, ...(options.eventsMax ? { eventsMax: options.eventsMax } : {}) });
    this.net = new Network(this.sim, { latency: scenario.network.latency });
    this.log = new MailLog(this.sim);

    const zone = new Zone(zoneInput(scenario));
    this.dns = new DnsServer(this.net.addHost(dnsHostName, dnsHostAddress), zone);
    const resolverFor = (host: ReturnType<Network['addHost']>) => new StubResolver(this.sim, host, dnsHostAddress);

    const muaHost = this.net.addHost(muaHostName, muaHostAddress);
    for (const config of scenario.hosts) {
      const netHost = this.net.addHost(config.name, config.address);
      this.hosts.set(config.name, new MailHost(config, this.sim, netHost, resolverFor(netHost), this.log));
    }
    for (const link of scenario.network.links) this.net.configureLinkLatency(link.between[0], link.between[1], link.latency);

    this.mua = new Mua({
      sim: this.sim,
      host: muaHost,
      resolver: resolverFor(muaHost),
      log: this.log,
      hostConfig: (name) => this.hosts.get(name)?.config,
      addressOf: (name) => this.hosts.get(name)?.netHost.address ?? this.net.hosts().find((h) => h.name === name)?.address,
    });
    this.reader = new MailReader({
      sim: this.sim,
      host: muaHost,
      hostConfig: (name) => this.hosts.get(name)?.config,
      addressOf: (name) => this.hosts.get(name)?.netHost.address,
    });
  }

  /** Boots every host and schedules the fault timeline and the traffic. */
  start(): void {
    if (this.started) throw new Error('world already started');
    this.started = true;
    for (const host of this.hosts.values()) host.boot();
    for (const fault of this.scenario.faults) this.scheduleFault(fault);
    for (const item of this.scenario.traffic) this.scheduleTraffic(item);
  }

  /**
   * Schedules one traffic item (a `send` and its repeats, or a `fetch`) at its time, which must not be
   * in the past: at start for the scenario's own, later for `withWorld` (src/testing/with-world.ts).
   */
  scheduleTraffic(item: TrafficItem): void {
    if (item.kind === 'send') {
      // Each repeat schedules the next, in the place in the event order set aside for it now: they run
      // exactly as if all had been scheduled now, without a million pending events (and a closure
      // each) held from the start of a million-message run (issue 21).
      const spec = item.send;
      const first = this.sim.reserveSeqs(spec.count);
      const send = (i: number) => {
        if (i + 1 < spec.count) this.sim.atReserved(item.atMs + (i + 1) * spec.everyMs, first + i + 1, send, i + 1);
        this.mua.send(spec, i);
      };
      if (spec.count > 0) this.sim.atReserved(item.atMs, first, send, 0);
    } else {
      const fetch = item.fetch;
      this.sim.at(item.atMs, () => this.reader.fetch(fetch, (result) => this.fetches.push(result)));
    }
  }

  /** Runs until the scenario's `until`, or until nothing is pending. */
  run(): RunResult {
    if (!this.started) this.start();
    return this.sim.runUntil(this.scenario.untilMs);
  }

  /** Faults whose `chance` drew that they do not happen in this run (docs/reference.md §6). */
  readonly skippedFaults = new Set<number>();

  /** Virtual time of the last event that ran (the end of a run that went idle before `until`). */
  lastActivityMs(): number {
    return this.sim.lastEventTimeMs;
  }

  /**
   * Schedules one fault of the timeline at its time (not in the past), its undo at its `until`: at
   * start for the scenario's own, later for `withWorld`'s `inject`.
   */
  scheduleFault(fault: FaultSpec): void {
    this.sim.at(fault.atMs, () => {
      if (!faultHappens(fault, this.sim.rng)) {
        this.sim.trace.record('fault-skipped', { index: fault.index, chance: fault.chance ?? 1 });
        this.skippedFaults.add(fault.index);
        return;
      }
      const undo = this.applyFault(fault);
      if (fault.untilMs !== null && undo !== null) this.sim.at(Math.max(fault.untilMs, this.sim.nowMs), undo);
    });
  }

  /** Applies one fault now (its kind's mechanism, src/faults/); returns what undoes it. */
  private applyFault(fault: FaultSpec): (() => void) | null {
    const action = fault.action;
    this.sim.trace.record('fault', { index: fault.index, action: action.kind });
    return kindOf(action).apply(action, { ...this.faultTarget, random: () => this.sim.rng.stream(`fault:${fault.index}`) });
  }

  /** What the fault kinds act on in this world (each fault adds its own random stream). */
  private readonly faultTarget: Omit<FaultTarget, 'random'> = {
    power: (host, state) => this.openPowerWindow(host, state),
    net: {
      refuse: (host, port) => this.net.refuse(host, port),
      partition: (groups) => this.net.partition(groups),
      setLinkLatency: (a, b, spec) => this.net.setLinkLatency(a, b, spec),
      setFlaky: (host, probability) => this.net.setFlaky(host, probability),
    },
    dns: {
      setFault: (fault) => this.dns.setFault(fault),
      replace: (name, records) => this.dns.replace(name, records),
    },
    smtp: (host) => this.mailHost(host).faults,
    after: (delayMs, fn) => {
      const timer = this.sim.after(delayMs, fn);
      return () => {
        this.sim.cancel(timer);
      };
    },
  };

  /**
   * `down` and `up` are windows, not switches (docs/reference.md §6): while windows are open on a
   * host, the one opened last says whether it is powered; with none open it is up. So overlapping or
   * back-to-back `down` windows keep the host down throughout, an open-ended `down` lasts until an
   * `up`, and an `up` inside a `down` window boots the host there. The host crashes or boots only
   * when that state changes.
   */
  private openPowerWindow(host: string, state: 'down' | 'up'): () => void {
    let windows = this.powerWindows.get(host);
    if (windows === undefined) {
      windows = new ActiveWindows<'down' | 'up'>();
      this.powerWindows.set(host, windows);
    }
    const close = windows.add(state);
    this.settlePower(host, windows);
    return () => {
      close();
      this.settlePower(host, windows);
    };
  }

  private settlePower(host: string, windows: ActiveWindows<'down' | 'up'>): void {
    if ((windows.latest() ?? 'up') === 'down') this.net.setDown(host);
    else this.net.setUp(host);
  }

  private mailHost(name: string): MailHost {
    const host = this.hosts.get(name);
    if (host === undefined) throw new Error(`fault names ${name}, which is not a mail host of this scenario`);
    return host;
  }

  /** Recipients still queued anywhere when the run ended. */
  queuedRecipients(): QueuedRecipient[] {
    const out: QueuedRecipient[] = [];
    for (const host of this.hosts.values()) {
      for (const pending of host.queue.pendingRecipients()) {
        const { messageId, address, status, diagnostic, remoteMta } = pending;
        out.push({ host: host.name, messageId, address, status, diagnostic, remoteMta });
      }
    }
    return out;
  }
}

function zoneInput(scenario: WorldSpec): ZoneInput {
  const input: Record<string, ZoneEntryInput> = {};
  for (const entry of scenario.dns) input[entry.name] = zoneEntry(entry.records);
  return input;
}
