// Profiles: which checks count, how much, and what each must show. A lab
// built in (--lab NAME) or a JSON file a teacher writes (--profile FILE),
// which may extend a lab. A bad file gets one line naming the field.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { check_ids, type Settings } from './checks.js';

/** pass: the property must hold; fail: the model's known weakness must show; any: reported, not counted; skip: not run. */
export type Expect = 'pass' | 'fail' | 'any' | 'skip';
const EXPECTS: Expect[] = ['pass', 'fail', 'any', 'skip'];

export interface Rule {
  expect: Expect;
  weight: number;
}

export interface Profile {
  name: string;
  settings: Settings;
  rules: Record<string, Rule>;
}

export const default_settings: Settings = { clients: 20, connections: 50, startMs: 10_000, replyMs: 3000, stopMs: 5000 };

const weights: Record<string, number> = {
  echo: 3, pipelined: 1, lunch: 2, 'half-line': 1, clients: 2, refcount: 2, zombies: 1, fds: 1, threads: 1, memory: 1,
  reset: 1, 'never-reads': 1, sigterm: 1, sigint: 1,
};

function lab(name: string, expects: Record<string, Expect> = {}): Profile {
  const rules: Record<string, Rule> = {};
  for (const id of check_ids) rules[id] = { expect: expects[id] ?? 'pass', weight: weights[id] ?? 1 };
  return { name, settings: { ...default_settings }, rules };
}

/** The labs of the course: each model passes its properties and shows its known weakness. */
export const labs: Record<string, { summary: string; profile: Profile }> = {
  concurrent: { summary: 'every check must pass (the default)', profile: lab('concurrent') },
  'echo-iterative': {
    summary: 'one client at a time: lunch and half-line must fail',
    profile: lab('echo-iterative', { lunch: 'fail', 'half-line': 'fail' }),
  },
  'echo-fork': { summary: 'a process per client (fork, reap, close connfd)', profile: lab('echo-fork') },
  'echo-threads': { summary: 'a thread per client (detached)', profile: lab('echo-threads') },
  'echo-prethreaded': { summary: 'a pool of threads and a bounded buffer', profile: lab('echo-prethreaded') },
  'echo-select': {
    summary: "the book's select: half-line and pipelined must fail",
    profile: lab('echo-select', { 'half-line': 'fail', pipelined: 'fail' }),
  },
  'echo-select-hardened': { summary: 'select with partial lines kept per client', profile: lab('echo-select-hardened') },
  'echo-epoll': { summary: 'epoll, non-blocking, partial lines per client', profile: lab('echo-epoll') },
};

export class ProfileError extends Error {}

function field_error(file: string, field: string, want: string, got: unknown): never {
  throw new ProfileError(`${file}: ${field}: ${want}, got ${JSON.stringify(got) ?? String(got)}`);
}

const SETTING_LIMITS: Record<keyof Settings, [number, number]> = {
  clients: [1, 500], connections: [1, 5000], startMs: [100, 120_000], replyMs: [100, 60_000], stopMs: [100, 60_000],
};

/**
 * Reads a teacher's profile, JSON or YAML (by its extension, .yaml or .yml):
 * { extends: lab, settings: {...}, checks: { id: { expect, weight } }, description }.
 */
export function load_profile(file: string): Profile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ProfileError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const yaml = /\.ya?ml$/i.test(file);
  let json: unknown;
  try {
    json = yaml ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new ProfileError(`${file}: not ${yaml ? 'YAML' : 'JSON'} (${(err as Error).message.split('\n')[0].replace(/:$/, '')})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) field_error(file, '(top level)', 'must be an object', json);
  const o = json as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!['extends', 'settings', 'checks', 'description'].includes(key)) field_error(file, key, 'unknown field (extends, settings, checks, description)', o[key]);
  }
  const base = o.extends ?? 'concurrent';
  if (typeof base !== 'string' || !labs[base]) field_error(file, 'extends', `must be one of ${Object.keys(labs).join(', ')}`, base);
  const src = labs[base].profile;
  const profile: Profile = { name: file, settings: { ...src.settings }, rules: structuredClone(src.rules) };
  if (o.settings !== undefined) {
    if (typeof o.settings !== 'object' || o.settings === null || Array.isArray(o.settings)) field_error(file, 'settings', 'must be an object', o.settings);
    for (const [key, value] of Object.entries(o.settings as Record<string, unknown>)) {
      const limits = SETTING_LIMITS[key as keyof Settings];
      if (!limits) field_error(file, `settings.${key}`, `unknown setting (${Object.keys(SETTING_LIMITS).join(', ')})`, value);
      if (typeof value !== 'number' || !Number.isInteger(value) || value < limits[0] || value > limits[1]) {
        field_error(file, `settings.${key}`, `must be an integer from ${limits[0]} to ${limits[1]}`, value);
      }
      profile.settings[key as keyof Settings] = value;
    }
  }
  if (o.checks !== undefined) {
    if (typeof o.checks !== 'object' || o.checks === null || Array.isArray(o.checks)) field_error(file, 'checks', 'must be an object', o.checks);
    for (const [id, rule] of Object.entries(o.checks as Record<string, unknown>)) {
      if (!profile.rules[id]) field_error(file, `checks.${id}`, `no such check (${check_ids.join(', ')})`, rule);
      if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) field_error(file, `checks.${id}`, 'must be an object', rule);
      for (const [key, value] of Object.entries(rule as Record<string, unknown>)) {
        if (key === 'expect') {
          if (!EXPECTS.includes(value as Expect)) field_error(file, `checks.${id}.expect`, `must be ${EXPECTS.join(', ')}`, value);
          profile.rules[id].expect = value as Expect;
        } else if (key === 'weight') {
          if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1000) field_error(file, `checks.${id}.weight`, 'must be a number from 0 to 1000', value);
          profile.rules[id].weight = value;
        } else {
          field_error(file, `checks.${id}.${key}`, 'unknown field (expect, weight)', value);
        }
      }
    }
  }
  return profile;
}
