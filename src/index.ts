/**
 * The library API of mailsim (SCENARIO.md §11). Everything a user imports from 'mailsim' is exported
 * here; modules under src/ import each other directly.
 */
export { VERSION } from './version.js';
