/**
 * The set-up most HTTP API tests share: one serve host in this process (every listener on a free
 * loopback port) with the HTTP API on a free port, started before the file's tests and stopped after.
 */
import { afterAll, beforeAll } from 'vitest';
import { type RunningHttpApi, startHttpApi } from '../../src/http/api.js';
import { type InProcessServe, serveInProcess } from '../interop/harness.js';

export interface ServedApi {
  serve: InProcessServe;
  http: RunningHttpApi;
  /** `http://127.0.0.1:PORT` */
  base: string;
}

/** Registers the file's beforeAll/afterAll; the fields are set once beforeAll ran. */
export function useServedApi(): ServedApi {
  const api = {} as ServedApi;
  beforeAll(async () => {
    api.serve = await serveInProcess();
    api.http = await startHttpApi({ host: api.serve.running.host, port: 0 });
    api.base = `http://127.0.0.1:${api.http.port}`;
  });
  afterAll(async () => {
    await api.http?.close();
    await api.serve?.stop();
  });
  return api;
}
