/**
 * The Kubernetes example (examples/kubernetes/) holds together without a cluster: the files parse as
 * YAML; the sweep Job is an Indexed Job whose completions equal the --shard-count its pods pass to
 * `mailsim sweep` (a pod's shard is JOB_COMPLETION_INDEX of that count) and whose pods write
 * /out/shard-$(JOB_COMPLETION_INDEX); the merge Job names exactly the shards 0..completions−1 on the
 * same claim; every volume a container mounts is declared, and pods are not restarted in place.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const examples = join(import.meta.dirname, '..', '..', 'examples', 'kubernetes');

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
