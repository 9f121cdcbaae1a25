/**
 * `import 'mailsim/testing/vitest/setup'` (or the path in vitest's `setupFiles`): registers the mail
 * matchers on vitest's `expect` (docs/testing.md, "Matchers") and brings their types.
 */
import { expect } from 'vitest';
import { mailMatchers } from './index.js';

export type { MailMatchers } from './index.js';

expect.extend(mailMatchers);
