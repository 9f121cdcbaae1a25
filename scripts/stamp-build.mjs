// Marks dist/ as built from the sources as they are now: bin/mailsim.js runs dist/ only while no file
// under src/ is newer than this stamp. Run last in the build (package.json "build").
import { writeFileSync } from 'node:fs';

writeFileSync(new URL('../dist/.build-stamp', import.meta.url), 'built by npm run build; bin/mailsim.js compares src/ mtimes with this file\n');
