// `npm run bench`: writeJson / readJson against their peers. Each round runs one operation of
// every contender, in a rotating order, so load from other processes hits all of them alike;
// the table reports the median time per operation and runboard's speed relative to each peer.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFile as atomicallyWriteFile } from 'atomically';
import { Writer as StenoWriter } from 'steno';
import writeFileAtomic from 'write-file-atomic';
import { getWriteStats, readJson, readJsonSync, writeJson } from '../src/index.js';

interface Contender {
  name: string;
  /** The runboard contender this peer is compared with; runboard's own rows leave it out. */
  versus?: string;
  /** One operation on `file`, a path reserved for this contender. */
  run: (file: string, value: unknown) => Promise<unknown> | unknown;
}

interface Scenario {
  title: string;
  value: unknown;
  rounds: number;
  contenders: Contender[];
  /** Minimum speed of runboard relative to a peer, from the issue. */
  targets: Record<string, number>;
}

/** `BENCH_SCALE=0.2 npm run bench` for a quick look. */
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const root = mkdtempSync(join(tmpdir(), 'json-io-bench-'));
let next = 0;
const freshFile = () => join(root, `f${next++}`, 'progress.json');

/** A typical run record (~1 KB): the value of most writes. */
const progressRecord = JSON.parse(
  readFileSync(join(import.meta.dirname, 'progress-record.json'), 'utf8'),
) as Record<string, unknown>;
const history = Array.from({ length: 7000 }, (_, step) => ({
  step,
  loss: 1 / (step + 1),
  val: { iou: step / 7000, f1: step / 8000 },
  lr: 1e-4,
}));
const oneMegabyte = { ...progressRecord, history };

const stringify = (value: unknown) => JSON.stringify(value, null, 2);
const steno = new Map<string, StenoWriter>();
const stenoWrite = (file: string, value: unknown) => {
  let writer = steno.get(file);
  if (!writer) steno.set(file, (writer = new StenoWriter(file)));
  return writer.write(stringify(value));
};

const durableWriters: Contender[] = [
  { name: 'writeJson', run: (file, value) => writeJson(file, value) },
  {
    name: 'atomically',
    versus: 'writeJson',
    run: (file, value) => atomicallyWriteFile(file, stringify(value)),
  },
  {
    name: 'write-file-atomic',
    versus: 'writeJson',
    run: (file, value) => writeFileAtomic(file, stringify(value)),
  },
];
const fastWriters: Contender[] = [
  {
    name: 'writeJson durable:false',
    run: (file, value) => writeJson(file, value, { durable: false }),
  },
  { name: 'steno', versus: 'writeJson durable:false', run: stenoWrite },
  {
    name: 'fs.writeFile',
    versus: 'writeJson durable:false',
    run: (file, value) => writeFile(file, stringify(value)),
  },
];
const burst = (write: (file: string, value: unknown) => Promise<unknown>) => (file: string) =>
  Promise.all(
    Array.from({ length: 1000 }, (_, index) => write(file, { ...progressRecord, index })),
  );
const readers: Contender[] = [
  { name: 'readJson', run: (file) => readJson(file) },
  {
    name: 'readFile + JSON.parse',
    versus: 'readJson',
    run: async (file) => JSON.parse(await readFile(file, 'utf8')),
  },
  { name: 'readJsonSync', run: (file) => readJsonSync(file) },
  {
    name: 'readFileSync + JSON.parse',
    versus: 'readJsonSync',
    run: (file) => JSON.parse(readFileSync(file, 'utf8')),
  },
];

const physicalWritesPerBurst: number[] = [];
/** The same comparison with the ~1 KB record and with the 1 MB one. */
const bothSizes = (
  title: string,
  contenders: Contender[],
  targets: Record<string, number>,
  roundsAt1KB: number,
): Scenario[] => [
  { title: `${title}, 1 KB`, value: progressRecord, rounds: roundsAt1KB, contenders, targets },
  { title: `${title}, 1 MB`, value: oneMegabyte, rounds: 60, contenders, targets },
];
const scenarios: Scenario[] = [
  ...bothSizes(
    'durable, sequential',
    durableWriters,
    { atomically: 0.9, 'write-file-atomic': 1.5 },
    400,
  ),
  ...bothSizes('not durable, sequential', fastWriters, { steno: 1, 'fs.writeFile': 0.75 }, 1500),
  {
    title: 'burst of 1,000 concurrent writes, 1 KB',
    value: progressRecord,
    rounds: 60,
    contenders: [
      {
        name: 'writeJson',
        run: async (file) => {
          const before = getWriteStats().physicalWrites;
          await burst((path, value) => writeJson(path, value))(file);
          physicalWritesPerBurst.push(getWriteStats().physicalWrites - before);
        },
      },
      { name: 'steno (not durable)', versus: 'writeJson', run: burst(stenoWrite) },
      {
        name: 'writeJson durable:false',
        run: burst((path, value) => writeJson(path, value, { durable: false })),
      },
    ],
    targets: { 'steno (not durable)': 0.5 },
  },
  ...bothSizes('read', readers, { 'readFile + JSON.parse': 0.9 }, 2000),
];

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const formatTime = (ms: number) =>
  ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(0)} µs`;

async function runScenario(scenario: Scenario): Promise<string[]> {
  const files = scenario.contenders.map(() => freshFile());
  // Every contender starts from an existing file, as when a run record is updated.
  await Promise.all(files.map((file) => writeJson(file, scenario.value)));
  const perOp: number[][] = scenario.contenders.map(() => []);
  const rounds = Math.max(5, Math.round(scenario.rounds * SCALE));
  const warmup = Math.ceil(rounds / 10);
  for (let round = -warmup; round < rounds; round++) {
    for (let turn = 0; turn < scenario.contenders.length; turn++) {
      const index = (turn + Math.max(round, 0)) % scenario.contenders.length;
      const started = performance.now();
      await scenario.contenders[index].run(files[index], scenario.value);
      if (round >= 0) perOp[index].push(performance.now() - started);
    }
  }
  const medians = new Map(
    scenario.contenders.map(({ name }, index) => [name, median(perOp[index])]),
  );
  return scenario.contenders.map(({ name, versus }) => {
    const time = medians.get(name)!;
    if (versus === undefined)
      return `| ${scenario.title} | **${name}** | ${formatTime(time)} | | |`;
    const speed = time / medians.get(versus)!;
    const target = scenario.targets[name];
    const verdict = target === undefined ? '' : `≥ ${target}× ${speed >= target ? '✅' : '❌'}`;
    return `| ${scenario.title} | ${name} | ${formatTime(time)} | ${speed.toFixed(2)}× (${versus}) | ${verdict} |`;
  });
}

const lines = [
  `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, load average ${loadavg()
    .map((load) => load.toFixed(1))
    .join(
      ' ',
    )}, ${new Date().toISOString().slice(0, 16)}Z, temp folder ${tmpdir()}, BENCH_SCALE=${SCALE}`,
  '',
  '| scenario | contender | median per op | runboard speed vs this peer | target |',
  '|---|---|---|---|---|',
];
/** `BENCH_ONLY='1 KB' npm run bench` runs only the scenarios whose title contains it. */
const only = process.env.BENCH_ONLY;
try {
  for (const scenario of scenarios.filter(({ title }) => !only || title.includes(only))) {
    lines.push(...(await runScenario(scenario)));
    console.error(`done: ${scenario.title}`);
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
lines.push(
  '',
  physicalWritesPerBurst.length === 0
    ? ''
    : `Burst: 1,000 durable writeJson calls reached the disk as ${median(physicalWritesPerBurst)} physical write(s) (median).`,
);
console.log(lines.join('\n'));
