// `runboard exec` from the built package (dist/), as deployed, for the launcher benchmark:
// run without the source condition, the fixture entry loads `@runboard/launcher/supervisor`
// from dist/.
import '../test/fixtures/exec-entry.mjs';
