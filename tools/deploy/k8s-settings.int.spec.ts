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
// The web console's settings, loaded by its path as tools/embedded-host.ts does (an app, not a library).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const consoleSettings = require(path.join(root, 'apps/console/server/console-config.ts')) as typeof import('../../apps/console/server/console-config');
const { CONSOLE_SERVICES, ConsoleConfig, consoleConfigProblems, upstreamSetting } = consoleSettings;
type ConsoleConfig = InstanceType<typeof ConsoleConfig>;
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
  CRM_KAFKA_SASL_PASSWORD: 'stub-scram-password-from-the-user-operator',
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
  if (app === 'console') return { label: app, cls: ConsoleConfig };
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

  it('validates the documented PostgreSQL point-in-time restore against the CloudNativePG CRD', () => {
    const run = spawnSync('bash', [script, '--validate', path.join(root, 'deploy/k8s/restore/postgres-recovery.yaml')], {
      cwd: root,
      encoding: 'utf8',
      timeout: 240_000,
    });
    expect(`${run.status} ${run.stdout}`).toMatch(/^0 .*Valid: 1, Invalid: 0, Errors: 0, Skipped: 0/s);
  });

  it('--check-digests passes only when every image is pinned by digest, naming the others', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-k8s-digests-'));
    const digest = `sha256:${'a'.repeat(64)}`;
    const manifest = (sales: string) =>
      `kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: sales\n          image: ${sales}\n        - image: "registry.example.com/crm/relay@${digest}"\n---\nkind: Cluster\nspec:\n  imageName: ghcr.io/cloudnative-pg/postgresql:16.6@${digest}\n`;
    fs.writeFileSync(path.join(dir, 'pinned.yaml'), manifest(`registry.example.com/crm/sales@${digest}`));
    fs.writeFileSync(path.join(dir, 'tagged.yaml'), manifest('registry.example.com/crm/sales:0.1.0'));
    const check = (file: string) => spawnSync('bash', [script, '--check-digests', path.join(dir, file)], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    const pinned = check('pinned.yaml');
    const tagged = check('tagged.yaml');
    fs.rmSync(dir, { recursive: true, force: true });
    expect(pinned.status).toBe(0);
    expect(pinned.stderr).toContain('every image is pinned by digest (3 images)');
    expect(tagged.status).not.toBe(0);
    expect(tagged.stderr.trim().split('\n').slice(1)).toEqual(['registry.example.com/crm/sales:0.1.0']);
    // The committed production overlay names tags (a release pipeline pins them with
    // `kustomize edit set image`): the check sees every CRM image and the PostgreSQL image.
    const production = spawnSync('bash', [script, '--check-digests', 'production'], { cwd: root, encoding: 'utf8', timeout: 240_000 });
    expect(production.status).not.toBe(0);
    for (const image of [...Object.keys(SERVICES), 'relay']) expect(production.stderr).toContain(`registry.example.com/crm/${image}:`);
    expect(production.stderr).toContain('ghcr.io/cloudnative-pg/postgresql:');
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

  it('has a Deployment per service, the relay, the web console and the migration Job', () => {
    const names = crmWorkloads(resources)
      .map((r) => `${r.kind}/${r.name}`)
      .sort();
    expect(names).toEqual([...Object.keys(SERVICES).map((s) => `Deployment/${s}`), 'Deployment/relay', 'Deployment/console', 'Job/crm-migrate'].sort());
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
        if (label === 'console') {
          // The console knows no store: it forwards to the services' Services, in this namespace.
          expect(config).toMatchObject({ CRM_MODE: 'distributed', CRM_CONSOLE_PORT: at(c, 'ports', 0, 'containerPort') });
          expect(consoleConfigProblems(config as ConsoleConfig)).toEqual([]);
          for (const s of CONSOLE_SERVICES) {
            const target = new URL(String((config as ConsoleConfig)[upstreamSetting(s)]));
            expect(`${s} ${target.hostname}:${target.port || 80}`).toBe(`${s} ${s}:${at(find(resources, 'Service', s).doc, 'spec', 'ports', 0, 'port')}`);
          }
          continue;
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
    const all = new Set([...settingNames(PlatformConfig), ...settingNames(serviceConfigClass(3000)), ...settingNames(ConsoleConfig)]);
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

  it('gives every CRM Deployment (the relay too) liveness and readiness probes and a preStop drain within the grace period', () => {
    for (const d of crmWorkloads(resources).filter((r) => r.kind === 'Deployment')) {
      const c = at(podSpec(d), 'containers', 0);
      // the console answers /health/live (and /health): it has no store to be unhealthy about
      expect(`${d.name}: ${str(at(c, 'livenessProbe', 'httpGet', 'path'))}`).toBe(`${d.name}: ${d.name === 'console' ? '/health/live' : '/health'}`);
      expect(`${d.name}: ${str(at(c, 'readinessProbe', 'httpGet', 'path'))}`).toBe(`${d.name}: /health/ready`);
      const drain = Number(at(c, 'lifecycle', 'preStop', 'sleep', 'seconds'));
      expect({ deployment: d.name, preStopSleeps: drain > 0 }).toEqual({ deployment: d.name, preStopSleeps: true });
      // The process needs time to finish its requests after the pause: at least 20 s of the grace period are left.
      expect(Number(at(podSpec(d), 'terminationGracePeriodSeconds')) - drain).toBeGreaterThanOrEqual(20);
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

  it('exposes only partner-portal and the web console outside the namespace, through Gateway API HTTPRoutes (no Ingress)', () => {
    expect(resources.filter((r) => r.kind === 'Ingress')).toHaveLength(0);
    const routes = resources.filter((r) => r.kind === 'HTTPRoute');
    expect(routes.map((r) => r.name).sort()).toEqual(
      production ? ['console', 'partner-portal', 'partner-portal-https-redirect'] : ['console', 'partner-portal'],
    );
    const consoleRoute = find(resources, 'HTTPRoute', 'console');
    expect(at(consoleRoute.doc, 'spec', 'parentRefs', 0)).toMatchObject({ kind: 'Gateway', name: 'crm-gateway', sectionName: 'https' });
    expect(str(at(consoleRoute.doc, 'spec', 'hostnames', 0))).toBe(production ? 'console.crm.example.com' : 'console.crm.localhost');
    expect(arr(at(consoleRoute.doc, 'spec', 'rules')).flatMap((rule) => arr(at(rule, 'backendRefs')))).toEqual([
      { name: 'console', port: at(find(resources, 'Service', 'console').doc, 'spec', 'ports', 0, 'port') },
    ]);
    const route = find(resources, 'HTTPRoute', 'partner-portal');
    expect(at(route.doc, 'apiVersion')).toBe('gateway.networking.k8s.io/v1');
    expect(at(route.doc, 'spec', 'parentRefs', 0)).toMatchObject({ kind: 'Gateway', name: 'crm-gateway', sectionName: 'https' });
    expect(str(at(route.doc, 'spec', 'hostnames', 0))).toBe(production ? 'partners.crm.example.com' : 'partners.crm.localhost');
    const backends = arr(at(route.doc, 'spec', 'rules')).flatMap((rule) => arr(at(rule, 'backendRefs')));
    const service = find(resources, 'Service', 'partner-portal');
    expect(backends).toEqual([{ name: 'partner-portal', port: at(service.doc, 'spec', 'ports', 0, 'port') }]);
    for (const r of routes) {
      for (const ref of arr(at(r.doc, 'spec', 'parentRefs'))) expect(at(ref, 'namespace')).toBe(at(route.doc, 'spec', 'parentRefs', 0, 'namespace'));
    }
    if (production) {
      const redirect = find(resources, 'HTTPRoute', 'partner-portal-https-redirect');
      expect(at(redirect.doc, 'spec', 'rules', 0, 'filters', 0, 'requestRedirect', 'scheme')).toBe('https');
      expect(at(redirect.doc, 'spec', 'rules', 0, 'backendRefs')).toBeUndefined();
    }
    for (const s of Object.keys(SERVICES)) {
      const np = find(resources, 'NetworkPolicy', `crm-${s}`);
      const peers = arr(at(np.doc, 'spec', 'ingress')).flatMap((rule) => arr(at(rule, 'from')));
      const outside = peers.filter((p) => at(p, 'namespaceSelector') !== undefined || at(p, 'ipBlock') !== undefined);
      expect(`${s}: ${outside.length}`).toBe(`${s}: ${s === 'partner-portal' ? 1 : 0}`);
      expect(at(find(resources, 'Service', s).doc, 'spec', 'type')).toBe('ClusterIP');
    }
    const gatewayPeer = arr(at(find(resources, 'NetworkPolicy', 'crm-partner-portal').doc, 'spec', 'ingress', 0, 'from')).find((p) =>
      at(p, 'namespaceSelector'),
    );
    expect(at(gatewayPeer, 'namespaceSelector', 'matchLabels', 'kubernetes.io/metadata.name')).toBe(at(route.doc, 'spec', 'parentRefs', 0, 'namespace'));
    // Behind the Gateway the client address is the forwarded one, or every partner shares one rate-limit budget.
    const portalSettings = obj(resources.find((r) => r.kind === 'ConfigMap' && r.name.startsWith('crm-partner-portal'))?.doc.data);
    expect(portalSettings.CRM_TRUST_PROXY_HOPS).toBe('1');
    expect(at(find(resources, 'NetworkPolicy', 'crm-default-deny-ingress').doc, 'spec', 'ingress')).toBeUndefined();
  });

  it('restricts egress of every CRM pod to DNS, PostgreSQL, Kafka (and KurrentDB); only services reach outside, on HTTPS and SMTP; the console only the services', () => {
    const egressPolicies = resources.filter((r) => r.kind === 'NetworkPolicy' && arr(at(r.doc, 'spec', 'policyTypes')).includes('Egress'));
    const selects = (policy: Resource, labels: Obj) =>
      Object.entries(obj(at(policy.doc, 'spec', 'podSelector', 'matchLabels'))).every(([k, v]) => labels[k] === v) &&
      arr(at(policy.doc, 'spec', 'podSelector', 'matchExpressions')).every((e) => {
        const values = arr(at(e, 'values')).map(String);
        const value = str(labels[str(at(e, 'key')) ?? '']);
        const op = str(at(e, 'operator'));
        if (op === 'In') return value !== undefined && values.includes(value);
        if (op === 'NotIn') return value === undefined || !values.includes(value);
        throw new Error(`${policy.name}: operator ${op} not understood by this test`);
      });
    const portsTo = (labels: Obj) =>
      egressPolicies
        .filter((p) => selects(p, labels))
        .flatMap((p) => arr(at(p.doc, 'spec', 'egress')))
        .flatMap((rule) => arr(at(rule, 'ports')).map((port) => Number(at(port, 'port'))))
        .sort((a, b) => a - b);
    const pg = find(resources, 'Cluster', 'crm-postgres');
    expect(pg).toBeDefined();
    const settings = obj(resources.find((r) => r.kind === 'ConfigMap' && r.name.startsWith('crm-platform'))?.doc.data);
    const kafkaPort = Number(String(settings.CRM_KAFKA_BROKERS).split(':')[1]);
    for (const w of crmWorkloads(resources)) {
      const labels = obj(at(w.doc, 'spec', 'template', 'metadata', 'labels'));
      const ports = portsTo(labels);
      // Some egress policy selects every CRM pod, so whatever no rule allows is refused.
      expect(`${w.name}: ${ports.length > 0}`).toBe(`${w.name}: true`);
      if (w.name === 'console') {
        // DNS and the five services' HTTP ports: no PostgreSQL, no Kafka, nothing outside.
        expect([...new Set(ports)]).toEqual([53, ...Object.values(SERVICES)].sort((a, b) => a - b));
        continue;
      }
      for (const needed of [53, 5432, kafkaPort, ...(esdb ? [2113] : [])]) expect(`${w.name}: ${ports.includes(needed)}`).toBe(`${w.name}: true`);
      const outside = w.kind === 'Deployment' && labels['app.kubernetes.io/component'] === 'service';
      for (const external of [443, 587]) expect(`${w.name} ${external}: ${ports.includes(external)}`).toBe(`${w.name} ${external}: ${outside}`);
    }
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
    expect(settings.CRM_KAFKA_BROKERS).toBe(production ? 'crm-kafka-kafka-bootstrap:9093' : 'crm-kafka-kafka-bootstrap:9092');
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

  it(
    production
      ? 'connects every process to Kafka over TLS as its own SCRAM KafkaUser, with ACLs for what it does'
      : 'connects to Kafka in plaintext, no KafkaUser (local)',
    () => {
      const settings = obj(resources.find((r) => r.kind === 'ConfigMap' && r.name.startsWith('crm-platform'))?.doc.data);
      const users = resources.filter((r) => r.kind === 'KafkaUser');
      if (!production) {
        expect(users).toHaveLength(0);
        expect(settings.CRM_KAFKA_SSL).toBeUndefined();
        return;
      }
      expect(settings.CRM_KAFKA_SSL).toBe('true');
      const kafka = find(resources, 'Kafka', 'crm-kafka');
      const listeners = arr(at(kafka.doc, 'spec', 'kafka', 'listeners'));
      // Only the TLS + SCRAM listener, on the port the clients are given; the simple authorizer on.
      expect(listeners).toEqual([expect.objectContaining({ tls: true, authentication: { type: 'scram-sha-512' } })]);
      expect(String(settings.CRM_KAFKA_BROKERS).endsWith(`:${Number(at(listeners[0], 'port'))}`)).toBe(true);
      expect(at(kafka.doc, 'spec', 'kafka', 'authorization', 'type')).toBe('simple');
      const mounts = (d: Resource) => arr(at(podSpec(d), 'containers', 0, 'volumeMounts'));
      const aclsOf = (u: Resource) =>
        arr(at(u.doc, 'spec', 'authorization', 'acls')).map(
          (a) => `${str(at(a, 'resource', 'type'))}:${str(at(a, 'resource', 'name')) ?? ''}:${arr(at(a, 'operations')).join('+')}`,
        );
      for (const name of [...Object.keys(SERVICES), 'relay']) {
        const user = find(resources, 'KafkaUser', `crm-${name}`);
        expect(at(user.doc, 'apiVersion')).toBe(at(kafka.doc, 'apiVersion'));
        expect(at(user.doc, 'metadata', 'labels', 'strimzi.io/cluster')).toBe('crm-kafka');
        expect(at(user.doc, 'spec', 'authentication', 'type')).toBe('scram-sha-512');
        const acls = aclsOf(user);
        if (name === 'relay') expect(acls).toContain(`topic:${String(settings.CRM_KAFKA_TOPIC)}:Write+Describe+Create`);
        else {
          expect(acls).toContain(`topic:${String(settings.CRM_KAFKA_TOPIC)}:Read+Describe+Create`);
          expect(acls).toContain(`group:projection.${name}.:Read+Describe`);
          expect(acls).toContain(`topic:crm.dlq.projection.${name}.:Write+Describe+Create`);
          expect(acls.some((a) => a.includes(':Write') && a.includes(String(settings.CRM_KAFKA_TOPIC)))).toBe(false);
        }
        // The process logs in as that user, with the password of the Secret the User Operator writes.
        const d = find(resources, 'Deployment', name);
        const env = arr(at(podSpec(d), 'containers', 0, 'env'));
        const value = (n: string) => env.find((e) => at(e, 'name') === n);
        expect(at(value('CRM_KAFKA_SASL_USERNAME'), 'value')).toBe(`crm-${name}`);
        expect(at(value('CRM_KAFKA_SASL_PASSWORD'), 'valueFrom', 'secretKeyRef')).toEqual({ name: `crm-${name}`, key: 'password' });
        const ca = mounts(d).find((m) => at(m, 'name') === 'kafka-ca');
        expect(String(settings.CRM_KAFKA_CA_FILE).startsWith(`${str(at(ca, 'mountPath'))}/`)).toBe(true);
      }
      expect(users.map((u) => u.name).sort()).toEqual([...Object.keys(SERVICES), 'relay'].map((n) => `crm-${n}`).sort());
    },
  );

  it('declares the CloudNativePG cluster whose app secret gives CRM_DATABASE_URL', () => {
    const pg = find(resources, 'Cluster', 'crm-postgres');
    expect(at(pg.doc, 'spec', 'instances')).toBe(production ? 3 : 1);
    expect(at(pg.doc, 'spec', 'bootstrap', 'initdb', 'owner')).toBe('app');
    for (const w of crmWorkloads(resources)) {
      const ref = arr(at(podSpec(w), 'containers', 0, 'env')).find((e) => at(e, 'name') === 'CRM_DATABASE_URL');
      // the web console holds no data: no database secret at all
      if (w.name === 'console') expect(ref).toBeUndefined();
      else expect(at(ref, 'valueFrom', 'secretKeyRef')).toEqual({ name: 'crm-postgres-app', key: 'uri' });
    }
  });

  it(production ? 'backs PostgreSQL up to an object store nightly, with WAL archiving, and monitors it' : 'keeps local PostgreSQL without backups', () => {
    const pg = find(resources, 'Cluster', 'crm-postgres');
    const store = at(pg.doc, 'spec', 'backup', 'barmanObjectStore');
    const scheduled = resources.filter((r) => r.kind === 'ScheduledBackup');
    if (!production) {
      expect(store).toBeUndefined();
      expect(scheduled).toHaveLength(0);
      return;
    }
    expect(str(at(store, 'destinationPath'))).toMatch(/^s3:\/\/.+/);
    expect(at(store, 's3Credentials', 'accessKeyId', 'name')).toBe('crm-postgres-backup-s3');
    expect(at(pg.doc, 'spec', 'backup', 'retentionPolicy')).toBeTruthy();
    expect(scheduled).toHaveLength(1);
    expect(at(scheduled[0].doc, 'spec', 'cluster', 'name')).toBe('crm-postgres');
    expect(at(scheduled[0].doc, 'spec', 'method')).toBe('barmanObjectStore');
    // The documented restore reads the archive production writes (same bucket, the cluster's server name).
    const restore = yaml.loadAll(fs.readFileSync(path.join(root, 'deploy/k8s/restore/postgres-recovery.yaml'), 'utf8'))[0] as Json;
    const source = arr(at(restore, 'spec', 'externalClusters')).find((c) => at(c, 'name') === at(restore, 'spec', 'bootstrap', 'recovery', 'source'));
    expect(at(source, 'barmanObjectStore', 'destinationPath')).toBe(at(store, 'destinationPath'));
    expect(at(source, 'barmanObjectStore', 'serverName')).toBe(pg.name);
    expect(at(restore, 'spec', 'backup', 'barmanObjectStore', 'serverName')).not.toBe(pg.name);
    expect(at(restore, 'metadata', 'name')).toBe(pg.name);
    // PodMonitors (Prometheus Operator) for the services' /metrics and the PostgreSQL exporter.
    const monitors = resources.filter((r) => r.kind === 'PodMonitor');
    expect(monitors.map((m) => m.name).sort()).toEqual(['crm-postgres', 'crm-relay', 'crm-services']);
    expect(at(find(resources, 'PodMonitor', 'crm-services').doc, 'spec', 'podMetricsEndpoints', 0, 'path')).toBe('/metrics');
    // The relay's metrics (lag, publish failures) are on its probe port, which its Deployment names `health`.
    const relayMonitor = find(resources, 'PodMonitor', 'crm-relay').doc;
    expect(at(relayMonitor, 'spec', 'podMetricsEndpoints', 0, 'port')).toBe('health');
    expect(at(relayMonitor, 'spec', 'podMetricsEndpoints', 0, 'path')).toBe('/metrics');
    const relayPorts = at(find(resources, 'Deployment', 'relay').doc, 'spec', 'template', 'spec', 'containers', 0, 'ports') as { name: string }[];
    expect(relayPorts.map((p) => p.name)).toContain('health');
    expect(at(find(resources, 'PodMonitor', 'crm-postgres').doc, 'spec', 'selector', 'matchLabels', 'cnpg.io/cluster')).toBe('crm-postgres');
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
    // Production: TLS between clients and nodes and among nodes, the CRM trusting the issuer's CA.
    const connection = new URL(String(settings.CRM_ESDB_CONNECTION_STRING).replace(/^esdb:\/\/[^?]*/, 'esdb://x'));
    const kurrentEnv = arr(at(kurrent?.doc, 'spec', 'template', 'spec', 'containers', 0, 'env'));
    const envValue = (n: string) =>
      str(
        at(
          kurrentEnv.find((e) => at(e, 'name') === n),
          'value',
        ),
      );
    expect(connection.searchParams.get('tls')).toBe(String(production));
    expect(envValue('KURRENTDB_INSECURE')).toBe(String(!production));
    if (production) {
      const certificate = find(resources, 'Certificate', 'kurrentdb-tls');
      const secret = str(at(certificate.doc, 'spec', 'secretName'));
      const volumes = arr(at(kurrent?.doc, 'spec', 'template', 'spec', 'volumes'));
      expect(volumes.some((v) => at(v, 'secret', 'secretName') === secret)).toBe(true);
      expect(envValue('KURRENTDB_CERTIFICATE_RESERVED_NODE_COMMON_NAME')).toBe(at(certificate.doc, 'spec', 'commonName'));
      for (let i = 0; i < nodes; i++) expect(arr(at(certificate.doc, 'spec', 'dnsNames'))).toContain(`kurrentdb-${i}.kurrentdb`);
      expect(at(kurrent?.doc, 'spec', 'template', 'spec', 'containers', 0, 'readinessProbe', 'httpGet', 'scheme')).toBe('HTTPS');
      const caFile = connection.searchParams.get('tlsCAFile') ?? '';
      for (const d of crmWorkloads(resources).filter((r) => r.kind === 'Deployment')) {
        const mount = arr(at(podSpec(d), 'containers', 0, 'volumeMounts')).find((m) => caFile.startsWith(`${str(at(m, 'mountPath'))}/`));
        const volume = arr(at(podSpec(d), 'volumes')).find((v) => at(v, 'name') === at(mount, 'name'));
        expect(`${d.name}: ${str(at(volume, 'secret', 'secretName'))}`).toBe(`${d.name}: ${secret}`);
      }
    }
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
