// The recipe's holder: takes the lock on argv[2] with proper-lockfile's defaults, prints
// `locked <pid>` and holds it until killed.
import { lock } from 'proper-lockfile';

await lock(process.argv[2] ?? '', { realpath: false });
console.log(`locked ${process.pid}`);
setInterval(() => {}, 1_000);
