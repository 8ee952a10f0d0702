import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

export interface ConfigProblem {
  setting: string;
  message: string;
}

/** A setting is missing, malformed or unknown: the process must not start. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p.setting}: ${p.message}`).join('\n')}`);
  }
}

type Ctor<T> = new () => T;

/**
 * Builds a typed config from environment variables. Property names of the config class ARE the
 * variable names, so the class is the one list of settings a process accepts (deploy manifests are
 * checked against it). Any `CRM_*` variable the class does not declare is refused: a typo must not
 * silently fall back to a default.
 */
export function loadConfig<T extends object>(cls: Ctor<T>, env: Record<string, string | undefined> = process.env, prefix = 'CRM_'): T {
  const known = new Set(settingNames(cls));
  const problems: ConfigProblem[] = [];
  for (const name of Object.keys(env)) {
    if (name.startsWith(prefix) && !known.has(name)) problems.push({ setting: name, message: 'unknown setting' });
  }
  const raw: Record<string, string> = {};
  for (const name of known) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[name] = value;
  }
  const config = plainToInstance(cls, raw, { enableImplicitConversion: true, exposeDefaultValues: true });
  problems.push(...flatten(validateSync(config, { forbidUnknownValues: false })));
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/** The settings a config class declares (its own properties with decorators or defaults). */
export function settingNames<T extends object>(cls: Ctor<T>): string[] {
  // class-validator's metadata knows every decorated property, including inherited ones.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { getMetadataStorage } = require('class-validator') as typeof import('class-validator');
  const targets: Function[] = [];
  for (let p: Function | null = cls; p && p !== Object && p !== Function.prototype; p = Object.getPrototypeOf(p) as Function | null) targets.push(p);
  const names = new Set<string>();
  for (const target of targets) {
    for (const m of getMetadataStorage().getTargetValidationMetadatas(target, '', true, false)) names.add(m.propertyName);
  }
  return [...names].sort();
}

function flatten(errors: ValidationError[]): ConfigProblem[] {
  return errors.map((e) => ({ setting: e.property, message: Object.values(e.constraints ?? {}).join('; ') || 'invalid' }));
}

/** Loads config or exits: the message names each bad setting. For process entry points. */
export function loadConfigOrExit<T extends object>(cls: Ctor<T>, env: Record<string, string | undefined> = process.env): T {
  try {
    return loadConfig(cls, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}
