// Runs the generated viewer-request and viewer-response functions on the events a spec lists
// (argv[2], JSON) and prints what they returned, for tests/edge_function.rs.
import { readFileSync } from 'node:fs';
import { store } from 'cloudfront';
import { handler as onRequest } from './request.mjs';
import { handler as onResponse } from './response.mjs';

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const out = { requests: [], responses: [], canary: {} };
for (const [k, v] of Object.entries(spec.kvs)) store.set(k, v);

for (const r of spec.requests) {
  const event = {
    version: '1.0',
    context: { eventType: 'viewer-request' },
    viewer: { ip: r.ip },
    request: { method: 'GET', uri: r.uri, querystring: {}, headers: {}, cookies: {} },
  };
  const got = await onRequest(event);
  out.requests.push({ uri: got.uri, alias: got.headers['x-shipdeck-alias']?.value ?? null });
}

for (const r of spec.responses) {
  const event = {
    version: '1.0',
    context: { eventType: 'viewer-response' },
    viewer: { ip: '192.0.2.1' },
    request: { method: 'GET', uri: r.uri, querystring: {}, headers: r.headers, cookies: {} },
    response: {
      statusCode: 200,
      statusDescription: 'OK',
      headers: { 'cache-control': { value: r.cache_control } },
      cookies: {},
    },
  };
  out.responses.push(onResponse(event).headers['cache-control'].value);
}

// The canary: which viewers of `spec.viewers` get the canary at each share.
for (const pct of spec.shares) {
  store.set('v1', `1.0.1;1.1.0=${pct}`);
  const picked = [];
  for (const ip of spec.viewers) {
    const got = await onRequest({
      version: '1.0',
      viewer: { ip },
      request: { method: 'GET', uri: '/msr-webchat/v1/msr-webchat.umd.js', querystring: {}, headers: {}, cookies: {} },
    });
    picked.push(got.uri.startsWith('/msr-webchat/v1.1.0/'));
  }
  out.canary[pct] = picked;
}
console.log(JSON.stringify(out));
