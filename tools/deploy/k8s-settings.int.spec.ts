// Renders every kustomize overlay (deploy/k8s/validate.sh installs kustomize and kubeconform into
// .cache/deploy and validates the manifests against the Kubernetes / CloudNativePG schemas), then
// checks that every CRM_* setting a container gets is one its process's config class accepts, and
// that the config loads with the secrets stubbed.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, PlatformConfig, settingNames } from '@crm/config';
import { serviceConfigClass, type ServiceConfig } from '@crm/service-kit';
import { RelayConfig } from '@crm/relay';

const root = path.resolve(__dirname, '../..');
const script = path.join(root, 'deploy/k8s/validate.sh');
const OVERLAYS = ['local', 'production', 'local-eventstoredb', 'production-eventstoredb'] as const;
const SERVICES: Record<string, number> = { sales: 3001, service: 3002, marketing: 3003, 'partner-portal': 3004, analytics: 3005 };
const DLQ_GROUPS = [
  ...Object.keys(SERVICES).flatMap((s) => ['timeline', 'customer-directory', 'partner-access'].map((p) => `projection.${s}.${p}`)),
  'projection.analytics.customer-metrics',
];
/** Values for settings that come from Secrets (never in the manifests). */
const SECRET_STUBS: Record<string, string> = {
  CRM_DATABASE_URL: 'postgresql://app:stub@crm-postgres-rw:5432/app',
  CRM_PARTNER_WEBHOOK_KEY: 'stub-partner-webhook-key-0123456789abcdef',
};

// ---- a minimal typed view of the rendered manifests ----------------------------------------------
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };
const isObj = (v: Json | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: Json | undefined): Obj => (isObj(v) ? v : {});
const arr = (v: Json | undefined): Json[] => (Array.isArray(v) ? v : []);
const str = (v: Json | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
const at = (v: Json | undefined, ...keys: (string | number)[]): Json | undefined =>
  keys.reduce<Json | undefined>((cur, k) => (typeof k === 'number' ? arr(cur)[k] : obj(cur)[k]), v);

interface Resource {
  kind: string;
  name: string;
  doc: Obj;
}

// js-yaml is in node_modules through jest; typed here to what we use.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require('js-yaml') as { loadAll(text: string): unknown[] };

function render(overlay: string): Resource[] {
  const text = execFileSync('bash', [script, '--render', overlay], { cwd: root, encoding: 'utf8', timeout: 240_000, maxBuffer: 64 << 20 });
  return yaml
    .loadAll(text)
    .map((d) => d as Json)
    .filter(isObj)
    .map((doc) => ({ kind: str(doc.kind) ?? '', name: str(at(doc, 'metadata', 'name')) ?? '', doc }));
}

type ConfigClass = new () => object;
function configClassOf(workload: Resource): { label: string; cls: ConfigClass; port?: number } {
  const app = str(at(workload.doc, 'metadata', 'labels', 'app.kubernetes.io/name')) ?? workload.name;
  if (app in SERVICES) return { label: app, cls: serviceConfigClass(SERVICES[app]), port: SERVICES[app] };
  if (app === 'relay') return { label: app, cls: RelayConfig };
  if (app === 'migrate') return { label: app, cls: PlatformConfig };
  throw new Error(`${workload.kind}/${workload.name}: no config class known for app "${app}"`);
}

/** The environment one container gets: its envFrom ConfigMaps, then its env (secrets stubbed). */
function containerEnv(resources: Resource[], container: Obj, where: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of arr(container.envFrom)) {
    const cmName = str(at(from, 'configMapRef', 'name'));
    if (at(from, 'secretRef') !== undefined) throw new Error(`${where}: envFrom secretRef hides which settings it sets; use secretKeyRef per setting`);
    const cm = resources.find((r) => r.kind === 'ConfigMap' && r.name === cmName);
    if (!cm) throw new Error(`${where}: envFrom ConfigMap ${cmName} is not in the rendered overlay`);
    for (const [k, v] of Object.entries(obj(cm.doc.data))) env[k] = String(v);
  }
  for (const e of arr(container.env)) {
    const name = str(at(e, 'name')) ?? '';
    const value = at(e, 'value');
    if (value !== undefined) env[name] = String(value);
    else if (at(e, 'valueFrom', 'secretKeyRef') !== undefined) {
      if (!(name in SECRET_STUBS)) throw new Error(`${where}: ${name} comes from a Secret; add a stub for it to this test`);
      env[name] = SECRET_STUBS[name];
    } else env[name] = 'from-the-downward-api';
  }
  return env;
}

const crmWorkloads = (resources: Resource[]): Resource[] =>
  resources.filter((r) => ['Deployment', 'Job'].includes(r.kind) && at(r.doc, 'metadata', 'labels', 'app.kubernetes.io/part-of') === 'crm');
const podSpec = (r: Resource): Obj => obj(at(r.doc, 'spec', 'template', 'spec'));
const find = (resources: Resource[], kind: string, name: string): Resource => {
  const r = resources.find((x) => x.kind === kind && x.name === name);
  if (!r) throw new Error(`no ${kind}/${name} in the rendered overlay`);
  return r;
};

jest.setTimeout(300_000);

describe('deploy/k8s/validate.sh', () => {
  it('renders every overlay and validates it against the Kubernetes and CloudNativePG schemas', () => {
    const run = spawnSync('bash', [script], { cwd: root, encoding: 'utf8', timeout: 280_000 });
    if (run.status !== 0) throw new Error(`validate.sh exited ${run.status ?? run.signal}:\n${run.stderr}\n${run.stdout}`);
    expect(run.stderr).toContain('all overlays valid');
    expect(run.stdout.match(/Invalid: 0, Errors: 0/g)).toHaveLength(OVERLAYS.length);
  });

  it('fails, naming the problem, on a manifest with an unknown field', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-k8s-'));
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(
      file,
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: bad }\nspec:\n  replicas: 1\n  replicaz: 2\n  selector: { matchLabels: { a: b } }\n  template:\n    metadata: { labels: { a: b } }\n    spec: { containers: [{ name: c, image: i }] }\n',
    );
    const run = spawnSync('bash', [script, '--validate', file], { cwd: root, encoding: 'utf8', timeout: 240_000 });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(run.status).not.toBe(0);
    expect(`${run.stdout}${run.stderr}`).toMatch(/replicaz/);
    expect(run.stderr).toContain('schema validation failed');
  });
});

describe.each(OVERLAYS)('overlay %s', (overlay) => {
  let resources: Resource[] = [];
  beforeAll(() => {
    resources = render(overlay);
  });
  const production = overlay.startsWith('production');
  const esdb = overlay.endsWith('eventstoredb');

  it('has a Deployment per service, the relay and the migration Job', () => {
    const names = crmWorkloads(resources)
      .map((r) => `${r.kind}/${r.name}`)
      .sort();
    expect(names).toEqual([...Object.keys(SERVICES).map((s) => `Deployment/${s}`), 'Deployment/relay', 'Job/crm-migrate'].sort());
  });

  it('gives each process only settings its config class declares, and the config loads', () => {
    for (const w of crmWorkloads(resources)) {
      const { label, cls, port } = configClassOf(w);
      const known = new Set(settingNames(cls));
      for (const c of arr(podSpec(w).containers).filter(isObj)) {
        const where = `${overlay}: ${w.kind}/${w.name} container ${str(c.name)}`;
        const env = containerEnv(resources, c, where);
        const unknown = Object.keys(env).filter((k) => k.startsWith('CRM_') && !known.has(k));
        expect({ where, unknown }).toEqual({ where, unknown: [] });
        let config: object;
        try {
          config = loadConfig(cls, env);
        } catch (e) {
          throw new Error(`${where} (${label}): ${(e as Error).message}`);
        }
        expect(config).toMatchObject({ CRM_MODE: 'distributed', CRM_EVENT_STORE: esdb ? 'eventstoredb' : 'postgres' });
        if (port !== undefined) {
          expect((config as ServiceConfig).CRM_HTTP_PORT).toBe(port);
          expect(at(c, 'ports', 0, 'containerPort')).toBe(port);
        }
      }
    }
  });

  it('sets in every CRM ConfigMap only names some config class declares', () => {
    const all = new Set([...settingNames(PlatformConfig), ...settingNames(serviceConfigClass(3000))]);
    const platform = new Set(settingNames(PlatformConfig));
    for (const cm of resources.filter((r) => r.kind === 'ConfigMap')) {
      for (const key of Object.keys(obj(cm.doc.data))) {
        if (key.startsWith('CRM_')) expect(`${cm.name}: ${key} ${all.has(key) ? 'known' : 'UNKNOWN'}`).toBe(`${cm.name}: ${key} known`);
        // crm-platform reaches the relay too: PlatformConfig settings only
        if (cm.name.startsWith('crm-platform')) expect(`${key} ${platform.has(key)}`).toBe(`${key} true`);
      }
    }
  });

  it('probes each service on /health (startup, liveness) and /health/ready (readiness)', () => {
    for (const s of Object.keys(SERVICES)) {
      const c = at(podSpec(find(resources, 'Deployment', s)), 'containers', 0);
      expect(at(c, 'livenessProbe', 'httpGet', 'path')).toBe('/health');
      expect(at(c, 'startupProbe', 'httpGet', 'path')).toBe('/health');
      expect(at(c, 'readinessProbe', 'httpGet', 'path')).toBe('/health/ready');
      expect(at(c, 'livenessProbe', 'httpGet', 'port')).toBe('http');
      expect(at(c, 'resources', 'requests')).toBeDefined();
      expect(at(c, 'resources', 'limits', 'memory')).toBeDefined();
      expect(at(podSpec(find(resources, 'Deployment', s)), 'serviceAccountName')).toBe(`crm-${s}`);
      expect(resources.some((r) => r.kind === 'ServiceAccount' && r.name === `crm-${s}`)).toBe(true);
    }
  });

  it('runs every CRM container as non-root with a read-only root file system', () => {
    for (const w of crmWorkloads(resources)) {
      expect(at(podSpec(w), 'securityContext', 'runAsNonRoot')).toBe(true);
      for (const c of arr(podSpec(w).containers)) expect(at(c, 'securityContext', 'readOnlyRootFilesystem')).toBe(true);
    }
  });

  it('runs exactly one relay, replaced with Recreate, never autoscaled', () => {
    const relay = find(resources, 'Deployment', 'relay');
    expect(at(relay.doc, 'spec', 'replicas')).toBe(1);
    expect(at(relay.doc, 'spec', 'strategy', 'type')).toBe('Recreate');
    const targets = resources.filter((r) => r.kind === 'HorizontalPodAutoscaler').map((r) => str(at(r.doc, 'spec', 'scaleTargetRef', 'name')));
    expect(targets).not.toContain('relay');
  });

  it('exposes only partner-portal outside the namespace, through a TLS Ingress', () => {
    const ingresses = resources.filter((r) => r.kind === 'Ingress');
    expect(ingresses.map((r) => r.name)).toEqual(['partner-portal']);
    expect(at(ingresses[0].doc, 'spec', 'rules', 0, 'http', 'paths', 0, 'backend', 'service', 'name')).toBe('partner-portal');
    expect(at(ingresses[0].doc, 'spec', 'tls', 0, 'secretName')).toBeTruthy();
    expect(at(ingresses[0].doc, 'spec', 'tls', 0, 'hosts', 0)).toBe(at(ingresses[0].doc, 'spec', 'rules', 0, 'host'));
    for (const s of Object.keys(SERVICES)) {
      const np = find(resources, 'NetworkPolicy', `crm-${s}`);
      const peers = arr(at(np.doc, 'spec', 'ingress')).flatMap((rule) => arr(at(rule, 'from')));
      const outside = peers.filter((p) => at(p, 'namespaceSelector') !== undefined || at(p, 'ipBlock') !== undefined);
      expect(`${s}: ${outside.length}`).toBe(`${s}: ${s === 'partner-portal' ? 1 : 0}`);
      expect(at(find(resources, 'Service', s).doc, 'spec', 'type')).toBe('ClusterIP');
    }
    expect(at(find(resources, 'NetworkPolicy', 'crm-default-deny-ingress').doc, 'spec', 'ingress')).toBeUndefined();
  });

  it('declares Kafka (KRaft, node pool) and the event topic plus one dead-letter topic per consumer group, sized like the settings', () => {
    const kafka = find(resources, 'Kafka', 'crm-kafka');
    // Strimzi's current API (v1beta2 goes with Strimzi 1.0) and a Kafka 4 release, which only the
    // @platformatic/kafka adapter reaches: the platform settings must pick it.
    for (const r of resources.filter((r) => /^Kafka/.test(r.kind))) expect(`${r.kind} ${at(r.doc, 'apiVersion')}`).toBe(`${r.kind} kafka.strimzi.io/v1`);
    expect(str(at(kafka.doc, 'spec', 'kafka', 'version'))).toMatch(/^4\./);
    expect(str(at(kafka.doc, 'spec', 'kafka', 'metadataVersion'))).toMatch(/^4\.\d+-IV\d+$/);
    expect(at(kafka.doc, 'spec', 'zookeeper')).toBeUndefined();
    const pool = find(resources, 'KafkaNodePool', 'dual-role');
    expect(at(pool.doc, 'metadata', 'labels', 'strimzi.io/cluster')).toBe('crm-kafka');
    expect(arr(at(pool.doc, 'spec', 'roles'))).toEqual(['controller', 'broker']);
    expect(at(pool.doc, 'spec', 'replicas')).toBe(production ? 3 : 1);

    const platform = resources.find((r) => r.kind === 'ConfigMap' && r.name.startsWith('crm-platform'));
    const settings = obj(platform?.doc.data);
    expect(settings.CRM_KAFKA_BROKERS).toBe('crm-kafka-kafka-bootstrap:9092');
    expect(settings.CRM_KAFKA_CLIENT).toBe('platformatic');
    const topics = resources.filter((r) => r.kind === 'KafkaTopic');
    expect(topics.map((t) => str(at(t.doc, 'spec', 'topicName'))).sort()).toEqual(
      [String(settings.CRM_KAFKA_TOPIC), ...DLQ_GROUPS.map((g) => `crm.dlq.${g}`)].sort(),
    );
    for (const t of topics) {
      expect(at(t.doc, 'metadata', 'labels', 'strimzi.io/cluster')).toBe('crm-kafka');
      expect(at(t.doc, 'spec', 'replicas')).toBe(Number(settings.CRM_KAFKA_REPLICATION_FACTOR));
      expect(Number(at(t.doc, 'spec', 'config', 'retention.ms'))).toBeGreaterThan(0);
    }
    const events = topics.find((t) => at(t.doc, 'spec', 'topicName') === settings.CRM_KAFKA_TOPIC);
    expect(at(events?.doc, 'spec', 'partitions')).toBe(Number(settings.CRM_KAFKA_PARTITIONS));
  });

  it('declares the CloudNativePG cluster whose app secret gives CRM_DATABASE_URL', () => {
    const pg = find(resources, 'Cluster', 'crm-postgres');
    expect(at(pg.doc, 'spec', 'instances')).toBe(production ? 3 : 1);
    expect(at(pg.doc, 'spec', 'bootstrap', 'initdb', 'owner')).toBe('app');
    for (const w of crmWorkloads(resources)) {
      const ref = arr(at(podSpec(w), 'containers', 0, 'env')).find((e) => at(e, 'name') === 'CRM_DATABASE_URL');
      expect(at(ref, 'valueFrom', 'secretKeyRef')).toEqual({ name: 'crm-postgres-app', key: 'uri' });
    }
  });

  it(esdb ? 'uses KurrentDB as the event store' : 'uses the PostgreSQL event store, no KurrentDB', () => {
    const settings = obj(resources.find((r) => r.kind === 'ConfigMap' && r.name.startsWith('crm-platform'))?.doc.data);
    const kurrent = resources.find((r) => r.kind === 'StatefulSet' && r.name === 'kurrentdb');
    if (!esdb) {
      expect(kurrent).toBeUndefined();
      expect(settings.CRM_ESDB_CONNECTION_STRING).toBeUndefined();
      return;
    }
    const nodes = production ? 3 : 1;
    expect(at(kurrent?.doc, 'spec', 'replicas')).toBe(nodes);
    const clusterSize = arr(at(kurrent?.doc, 'spec', 'template', 'spec', 'containers', 0, 'env')).find((e) => at(e, 'name') === 'KURRENTDB_CLUSTER_SIZE');
    expect(at(clusterSize, 'value')).toBe(String(nodes));
    expect(String(settings.CRM_ESDB_CONNECTION_STRING).match(/kurrentdb-\d\.kurrentdb:2113/g)).toHaveLength(nodes);
  });

  if (production) {
    it('autoscales, protects and spreads every service', () => {
      for (const s of Object.keys(SERVICES)) {
        const d = find(resources, 'Deployment', s);
        const hpa = find(resources, 'HorizontalPodAutoscaler', s);
        expect(at(hpa.doc, 'spec', 'scaleTargetRef', 'name')).toBe(s);
        expect(at(hpa.doc, 'spec', 'minReplicas')).toBe(at(d.doc, 'spec', 'replicas'));
        expect(Number(at(hpa.doc, 'spec', 'minReplicas'))).toBeGreaterThanOrEqual(2);
        const pdb = find(resources, 'PodDisruptionBudget', s);
        expect(at(pdb.doc, 'spec', 'selector', 'matchLabels', 'app.kubernetes.io/name')).toBe(s);
        expect(at(podSpec(d), 'affinity', 'podAntiAffinity')).toBeDefined();
        expect(at(podSpec(d), 'containers', 0, 'resources', 'limits', 'cpu')).toBeDefined();
      }
    });
  } else {
    it('runs one replica of each service', () => {
      for (const s of Object.keys(SERVICES)) expect(at(find(resources, 'Deployment', s).doc, 'spec', 'replicas')).toBe(1);
      expect(resources.filter((r) => r.kind === 'HorizontalPodAutoscaler')).toHaveLength(0);
    });
  }
});
