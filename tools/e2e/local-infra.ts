import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const script = (name: string) => path.join(root, 'deploy/local', `${name}.sh`);

/** The local brokers: Kafka 3.9 (kafka.sh) and Kafka 4.x (kafka4.sh). */
type Broker = 'kafka' | 'kafka4';

/**
 * The local servers of deploy/local, for tests and the chaos run that stop and restart them. Only
 * usable when deploy/local started them (test-infra.sh says so with DEPLOY_LOCAL_INFRA=1); against
 * servers someone else runs, `available` is false and such tests say why they cannot run.
 */
export const localInfra = {
  available: process.env.DEPLOY_LOCAL_INFRA === '1',

  /** SIGKILL of the broker's JVM: no controlled shutdown, as a crashed node. `kafka4`: the Kafka 4.x broker. */
  killBroker(broker: Broker = 'kafka'): void {
    const pidFile = path.join(process.env.CRM_LOCAL_DIR ?? path.join(root, '.local'), broker, 'kafka.pid');
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
    // Let the script notice it is gone (and clean its pid file) before the next `up`.
    execFileSync('bash', [script(broker), 'down'], { stdio: 'ignore' });
  },

  stopBroker(broker: Broker = 'kafka'): void {
    execFileSync('bash', [script(broker), 'down'], { stdio: 'ignore' });
  },

  startBroker(broker: Broker = 'kafka'): void {
    execFileSync('bash', [script(broker), 'up'], { stdio: 'ignore' });
  },

  /** An immediate-mode restart (no checkpoint, connections cut), as after a crash. */
  restartPostgres(): void {
    execFileSync('bash', [script('postgres'), 'restart-immediate'], { stdio: 'ignore' });
  },
};
