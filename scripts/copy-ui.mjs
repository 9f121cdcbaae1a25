// Copies the web UI's static files (src/http/ui/: the page, its script and style) beside the compiled
// src/http/ui-routes.js in dist/, which reads them from ./ui/ (docs/testing.md). Run after tsc in the build.
import { cpSync } from 'node:fs';

cpSync(new URL('../src/http/ui/', import.meta.url), new URL('../dist/http/ui/', import.meta.url), { recursive: true });
