// `runboard exec` from the built package (dist/), as deployed, for the benchmark.
import { parseExecArgv, runExecProcess } from '../dist/supervisor/index.js';

process.exitCode = await runExecProcess(parseExecArgv(process.argv.slice(2)));
