/** The package version, kept beside package.json's and checked by a test. */
export const VERSION = '0.1.0';
