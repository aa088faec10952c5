import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { parseConfig } from '@netloom/cni';
import { runCli, type CliIO } from '@netloom/runtime';

// The manifests under deploy/ are what operators apply: every document parses and is a well-formed object, the
// pieces refer to each other correctly, and the controller's profile is a valid netloom profile.
const deployDir = path.resolve(__dirname, '..', '..', 'deploy');

interface Manifest {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  [k: string]: unknown;
}

function manifests(): { file: string; doc: Manifest }[] {
  const out: { file: string; doc: Manifest }[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.yaml')) {
        for (const d of parseAllDocuments(fs.readFileSync(full, 'utf8'))) {
          assert.deepEqual(d.errors.map((x) => x.message), [], `${full}: YAML errors`);
          const doc = d.toJS() as Manifest | null;
          if (doc !== null) out.push({ file: path.relative(deployDir, full), doc });
        }
      }
    }
  };
  walk(deployDir);
  return out;
}

const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'Subnet', 'VpcPeering']);
const find = (kind: string, name: string): Manifest => {
  const m = manifests().find((x) => x.doc.kind === kind && x.doc.metadata?.name === name);
  assert.ok(m, `deploy/ has no ${kind} ${name}`);
  return m.doc;
};

describe('deploy/ manifests', () => {
  it('every document is a Kubernetes object with apiVersion, kind, name, and a namespace when namespaced', () => {
    const all = manifests();
    assert.ok(all.length >= 15, `only ${all.length} documents`);
    for (const { file, doc } of all) {
      assert.match(doc.apiVersion ?? '', /^[a-z0-9.]*\/?v\d+(alpha\d+|beta\d+)?$/, `${file}: apiVersion`);
      assert.match(doc.kind ?? '', /^[A-Z][A-Za-z]+$/, `${file}: kind`);
      assert.match(doc.metadata?.name ?? '', /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, `${file}: ${doc.kind} metadata.name`);
      if (!CLUSTER_SCOPED.has(doc.kind!)) assert.ok(doc.metadata?.namespace !== undefined, `${file}: ${doc.kind} ${doc.metadata?.name} needs a namespace`);
    }
  });

  it('the controller: 3 replicas of netloom run on the mounted profile, as the netloom service account, with a Lease it may use', () => {
    const dep = find('Deployment', 'netloom-controller') as { spec: { replicas: number; template: { spec: { serviceAccountName: string; containers: { args: string[]; volumeMounts: { name: string; mountPath: string }[] }[]; volumes: { name: string; configMap?: { name: string } }[] } } } };
    assert.equal(dep.spec.replicas, 3);
    const pod = dep.spec.template.spec;
    find('ServiceAccount', pod.serviceAccountName);
    const c = pod.containers[0]!;
    assert.equal(c.args[0], 'run');
    const profilePath = c.args[c.args.indexOf('--profile') + 1]!;
    const mount = c.volumeMounts.find((m) => profilePath.startsWith(`${m.mountPath}/`));
    assert.ok(mount, `no volume mounted at ${path.dirname(profilePath)}`);
    const cmName = pod.volumes.find((v) => v.name === mount.name)?.configMap?.name;
    const cm = find('ConfigMap', cmName!) as { data: Record<string, string> };
    assert.ok(cm.data[path.basename(profilePath)] !== undefined, `ConfigMap ${cmName} has no key ${path.basename(profilePath)}`);
    const roles = manifests().filter((m) => m.doc.kind === 'Role' || m.doc.kind === 'ClusterRole');
    const leaseRule = roles.flatMap((r) => (r.doc['rules'] as { apiGroups: string[]; resources: string[]; verbs: string[] }[]) ?? []).find((r) => r.apiGroups.includes('coordination.k8s.io') && r.resources.includes('leases'));
    assert.ok(leaseRule && ['get', 'create', 'update'].every((v) => leaseRule.verbs.includes(v)), 'no Role lets the controller get/create/update Leases');
  });

  it('the controller profile in the ConfigMap is a valid netloom profile (leader election on, in-cluster source)', async () => {
    const cm = find('ConfigMap', 'netloom-profile') as { data: Record<string, string> };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netloom-deploy-'));
    try {
      const file = path.join(dir, 'profile.yaml');
      fs.writeFileSync(file, cm.data['profile.yaml']!);
      let out = '';
      const io: CliIO = { stdout: (s) => void (out += s), stderr: (s) => void (out += s) };
      const code = await runCli(['profile', 'validate', file, '--json'], io);
      assert.equal(code, 0, out);
      const r = JSON.parse(out) as { ok: boolean; problems: unknown[]; adapters: { package: string }[] };
      assert.equal(r.ok, true, out);
      assert.deepEqual(r.problems, []);
      assert.deepEqual(r.adapters.map((a) => a.package).sort(), ['@netloom/adapter-arista-eos', '@netloom/adapter-ovs', '@netloom/adapter-sqlite']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the CNI DaemonSet installs netloom-cni with a CNI 1.0 configuration list naming it', () => {
    const cm = find('ConfigMap', 'netloom-cni-config') as { data: Record<string, string> };
    const conf = JSON.parse(cm.data['10-netloom.conflist']!) as { cniVersion: string; name: string; plugins: { type: string; bridge: string }[] };
    assert.equal(conf.cniVersion, '1.0.0');
    assert.equal(conf.plugins[0]?.type, 'netloom-cni');
    // The plugin's own parser accepts the configuration the kubelet will hand it (name and version from the list).
    const parsed = parseConfig(JSON.stringify({ cniVersion: conf.cniVersion, name: conf.name, ...conf.plugins[0] }));
    assert.equal(parsed.bridge, 'br-int');
    const ds = find('DaemonSet', 'netloom-cni') as { spec: { template: { spec: { serviceAccountName: string; initContainers: { args: string[] }[] } } } };
    find('ServiceAccount', ds.spec.template.spec.serviceAccountName);
    assert.match(ds.spec.template.spec.initContainers[0]!.args.join(' '), /netloom-cni/);
  });
});
