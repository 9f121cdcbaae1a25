/**
 * The Kubernetes example (examples/kubernetes/) holds together without a cluster: the files parse as
 * YAML; the sweep Job is an Indexed Job whose completions equal the --shard-count its pods pass to
 * `mailsim sweep` (a pod's shard is JOB_COMPLETION_INDEX of that count) and whose pods write
 * /out/shard-$(JOB_COMPLETION_INDEX); the merge Job names exactly the shards 0..completions−1 on the
 * same claim; every volume a container mounts is declared, and pods are not restarted in place.
 * Then the Jobs' own commands run as processes, as Kubernetes would run them: each pod with its
 * JOB_COMPLETION_INDEX (and `$(JOB_COMPLETION_INDEX)` in its args expanded), every volume a folder
 * (the ConfigMap holding a sweep file and its scenario); the merged folder must be byte for byte what
 * one machine's `mailsim sweep` writes.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { run, tempDir } from '../interop/harness.js';
import { expectSameOutputs, noShardVariables } from '../sweep/same-outputs.js';

const repo = join(import.meta.dirname, '..', '..');
const examples = join(repo, 'examples', 'kubernetes');
const bin = join(repo, 'bin', 'mailsim.js');

interface Container {
  name: string;
  command: string[];
  args: string[];
  volumeMounts: Array<{ name: string; mountPath: string }>;
}
interface PodSpec {
  restartPolicy: string;
  containers: Container[];
  volumes: Array<{ name: string; configMap?: { name: string }; persistentVolumeClaim?: { claimName: string } }>;
}
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: { completionMode?: string; completions?: number; parallelism?: number; template: { spec: PodSpec } };
}

function manifests(file: string): Manifest[] {
  const documents = parseAllDocuments(readFileSync(join(examples, file), 'utf8'));
  for (const document of documents) expect(document.errors, file).toEqual([]);
  return documents.map((document) => document.toJS() as Manifest);
}

function theJob(file: string): Manifest {
  const jobs = manifests(file).filter((m) => m.kind === 'Job');
  expect(jobs, `${file}: one Job`).toHaveLength(1);
  expect(jobs[0]!.apiVersion).toBe('batch/v1');
  return jobs[0]!;
}

/** The value after `flag` in a container's args. */
function option(container: Container, flag: string): string | undefined {
  const at = container.args.indexOf(flag);
  return at < 0 ? undefined : container.args[at + 1];
}

/** The claim mounted at `path` in the pod, checking every mount names a declared volume. */
function claimAt(pod: PodSpec, path: string): string | undefined {
  const volumes = new Map(pod.volumes.map((v) => [v.name, v]));
  for (const container of pod.containers) for (const mount of container.volumeMounts) expect(volumes.has(mount.name), `volume ${mount.name}`).toBe(true);
  const mount = pod.containers[0]!.volumeMounts.find((m) => m.mountPath === path);
  return mount === undefined ? undefined : volumes.get(mount.name)?.persistentVolumeClaim?.claimName;
}

describe('examples/kubernetes', () => {
  const sweep = theJob('sweep-job.yaml');
  const merge = theJob('merge-job.yaml');
  const shardPod = sweep.spec.template.spec;
  const shard = shardPod.containers[0]!;

  it('the sweep is an Indexed Job whose completions are the --shard-count its pods use', () => {
    expect(sweep.spec.completionMode).toBe('Indexed');
    expect(shard.command).toEqual(['mailsim']);
    expect(shard.args[0]).toBe('sweep');
    expect(Number(option(shard, '--shard-count'))).toBe(sweep.spec.completions);
    expect(sweep.spec.parallelism).toBeGreaterThanOrEqual(1);
    expect(sweep.spec.parallelism).toBeLessThanOrEqual(sweep.spec.completions!);
    expect(shard.args).not.toContain('--shard'); // the index comes from JOB_COMPLETION_INDEX
    expect(shard.args).toContain('--resume'); // a pod that replaces a failed one continues its shard
    expect(shardPod.restartPolicy).toBe('Never');
  });

  it('each pod writes /out/shard-INDEX on the shared claim, which the file declares', () => {
    expect(option(shard, '--out')).toBe('/out/shard-$(JOB_COMPLETION_INDEX)');
    const claim = claimAt(shardPod, '/out');
    expect(claim).toBeDefined();
    const declared = manifests('sweep-job.yaml').filter((m) => m.kind === 'PersistentVolumeClaim');
    expect(declared.map((m) => m.metadata.name)).toEqual([claim]);
    const sweepFile = shard.args[1]!;
    expect(shardPod.containers[0]!.volumeMounts.some((m) => sweepFile.startsWith(`${m.mountPath}/`))).toBe(true);
  });

  it('the merge Job joins exactly shards 0..completions−1 of the same claim', () => {
    const pod = merge.spec.template.spec;
    const container = pod.containers[0]!;
    expect(container.command).toEqual(['mailsim']);
    expect(container.args[0]).toBe('merge');
    const shards = Array.from({ length: sweep.spec.completions! }, (_, index) => `/out/shard-${index}`);
    expect(container.args.slice(1, container.args.indexOf('--out'))).toEqual(shards);
    expect(option(container, '--out')).toBe('/out/merged');
    expect(claimAt(pod, '/out')).toBe(claimAt(shardPod, '/out'));
    expect(pod.restartPolicy).toBe('Never');
  });
});

/** The container's command and args as this machine runs them: volumes are folders under `root`. */
function podCommand(pod: PodSpec, root: string, index?: number): string[] {
  const container = pod.containers[0]!;
  expect(container.command).toEqual(['mailsim']);
  const mounts = container.volumeMounts.map((mount) => ({ path: mount.mountPath, dir: join(root, mount.name) }));
  const local = (arg: string) => {
    const expanded = index === undefined ? arg : arg.replaceAll('$(JOB_COMPLETION_INDEX)', String(index));
    const mount = mounts.find((m) => expanded === m.path || expanded.startsWith(`${m.path}/`));
    return mount === undefined ? expanded : mount.dir + expanded.slice(mount.path.length);
  };
  return [bin, ...container.args.map(local)];
}

describe('examples/kubernetes run as processes', () => {
  it(
    'the Indexed Job’s pods and the merge Job write what one machine writes, byte for byte',
    async () => {
      const sweepJob = theJob('sweep-job.yaml');
      const mergeJob = theJob('merge-job.yaml');
      const temp = tempDir('mailsim-kubernetes-');
      try {
        // The ConfigMap of the comment at the top of sweep-job.yaml: a sweep file and its scenario.
        const configMap = join(temp.path, 'sweep');
        mkdirSync(configMap);
        copyFileSync(join(repo, 'scenarios', 'backup-mx.yaml'), join(configMap, 'backup-mx.yaml'));
        writeFileSync(join(configMap, 'sweep.yaml'), 'name: backup-mx-until\nscenario: backup-mx.yaml\nseeds: 3\nvary:\n  /faults/0/until: [30m, 3h]\nmeasure:\n  bootstrap: 200\n');
        mkdirSync(join(temp.path, 'out'));
        const env = { ...noShardVariables, NO_COLOR: '1' };
        const pods = await Promise.all(
          Array.from({ length: sweepJob.spec.completions! }, (_, index) =>
            run(process.execPath, podCommand(sweepJob.spec.template.spec, temp.path, index), { env: { ...env, JOB_COMPLETION_INDEX: String(index) }, timeoutMs: 60_000 }),
          ),
        );
        for (const pod of pods) expect(pod.code, pod.stderr).toBe(0);
        const merge = await run(process.execPath, podCommand(mergeJob.spec.template.spec, temp.path), { env, timeoutMs: 60_000 });
        expect(merge.code, merge.stderr).toBe(0);
        const single = join(temp.path, 'single');
        const local = await run(process.execPath, [bin, 'sweep', join(configMap, 'sweep.yaml'), '--workers', '1', '--out', single], { env, timeoutMs: 60_000 });
        expect(local.code, local.stderr).toBe(0);
        expectSameOutputs(join(temp.path, 'out', 'merged'), single);
      } finally {
        temp.remove();
      }
    },
    120_000,
  );
});
