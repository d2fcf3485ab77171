import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CALLBACK_URL_MAX_LENGTH, CallbackUrlPolicy, CallbackUrlRefused } from '../../src/callbacks/index.js';

const names: Record<string, string[]> = {
  'hooks.example.com': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
  'internal.example.com': ['10.0.0.7'],
  'mixed.example.com': ['93.184.215.14', '127.0.0.1'],
};
const resolve = async (host: string): Promise<string[]> => {
  const found = names[host];
  if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return found;
};
const strict = new CallbackUrlPolicy({ allowPrivate: false, resolve });
const open = new CallbackUrlPolicy({ allowPrivate: true, resolve });

async function refused(policy: CallbackUrlPolicy, url: string, mention: RegExp): Promise<void> {
  await assert.rejects(policy.check(url), (err: unknown) => {
    assert.ok(err instanceof CallbackUrlRefused, String(err));
    assert.equal(err.code, 'callback_url_refused');
    assert.equal(err.field, 'callback_url');
    assert.match(err.message, /^callback_url /);
    assert.match(err.message, mention);
    return true;
  });
}

test('a public http or https URL is accepted', async () => {
  assert.equal((await strict.check('https://hooks.example.com/verdict?token=abc')).hostname, 'hooks.example.com');
  await strict.check('http://93.184.215.14:8080/hook');
  await strict.check('http://[2606:4700:4700::1111]/hook');
});

test('loopback, private and link-local destinations are refused, named with the address', async () => {
  await refused(strict, 'http://127.0.0.1:8080/hook', /127\.0\.0\.1.*non-public/);
  await refused(strict, 'http://[::1]/hook', /::1/);
  await refused(strict, 'http://169.254.169.254/latest/meta-data', /169\.254\.169\.254/);
  await refused(strict, 'https://internal.example.com/hook', /internal\.example\.com, which resolves to 10\.0\.0\.7/);
  await refused(strict, 'https://mixed.example.com/hook', /127\.0\.0\.1/);
});

test('other schemes, credentials, relative or over-long URLs and unknown hosts are refused', async () => {
  await refused(strict, 'ftp://hooks.example.com/x', /http or https.*ftp/);
  await refused(strict, 'file:///etc/passwd', /http or https/);
  await refused(strict, '/relative/path', /not an absolute URL/);
  await refused(strict, 'https://user:secret@hooks.example.com/', /user name or password/);
  await refused(strict, `https://hooks.example.com/${'a'.repeat(CALLBACK_URL_MAX_LENGTH)}`, /at most 2048/);
  await refused(strict, 'https://nowhere.invalid/hook', /does not resolve.*ENOTFOUND/);
});

test('a resolver that never answers does not hold the request', async () => {
  const stuck = new CallbackUrlPolicy({ allowPrivate: false, resolve: () => new Promise(() => undefined), resolveTimeoutMs: 50 });
  await refused(stuck, 'https://slow.example.com/', /does not resolve.*50 ms/);
});

test('with private destinations allowed, loopback passes but the URL rules still hold', async () => {
  await open.check('http://127.0.0.1:9/hook');
  await open.check('http://localhost/hook');
  await refused(open, 'gopher://127.0.0.1/', /http or https/);
});
