// A real OpenID Connect provider for the tests: panva's oidc-provider (OpenID Certified),
// standing in for a provincial unified identity platform that vouches for who acts for a
// company. The tests start it on a free port (tests/directory/conftest.py):
//
//   node provider.mjs PORT CLIENTS_JSON
//
// CLIENTS_JSON is the list of registered clients (client_id, client_secret, redirect_uris).
// Accounts and their claims are in accounts.json. The login and consent steps are this
// script's own small HTML forms (the library's devInteractions accept any password).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const [port, clientsJson] = process.argv.slice(2);
if (!port || !clientsJson) {
  console.error('usage: node provider.mjs PORT CLIENTS_JSON');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;
const accounts = JSON.parse(readFileSync(new URL('./accounts.json', import.meta.url), 'utf8'));
const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
  format: 'jwk',
});

const provider = new Provider(issuer, {
  clients: JSON.parse(clientsJson).map((client) => ({
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...client,
  })),
  jwks: { keys: [{ ...signingKey, kid: 'test-signing-key', use: 'sig', alg: 'RS256' }] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  // The company claims travel in the ID token too (signed), not only through userinfo.
  conformIdTokenClaims: false,
  claims: {
    openid: ['sub'],
    profile: ['name'],
    enterprise: ['uscc', 'enterprise_name', 'enterprise_role'],
  },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  pkce: { required: () => false },
  async findAccount(ctx, id) {
    if (!Object.hasOwn(accounts, id)) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, ...accounts[id].claims };
      },
    };
  },
});

const page = (title, body) => `<!DOCTYPE html><html><head><meta charset="utf-8">
<title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  const { prompt, params, session } = details;
  if (req.method === 'GET') {
    const form = prompt.name === 'login'
      ? `<form method="post" action="/interaction/${uid}/login">
         <input name="login"><input name="password" type="password"><button>Log in</button></form>`
      : `<form method="post" action="/interaction/${uid}/confirm"><button>Allow</button></form>`;
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(page(prompt.name, form));
    return;
  }
  const form = await readForm(req);
  if (action === 'login' && prompt.name === 'login') {
    const account = accounts[form.get('login')];
    if (!account || account.password !== form.get('password')) {
      res.writeHead(401, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(page('login', '<p>Wrong login or password.</p>'));
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: form.get('login') } }, {
      mergeWithLastSubmission: false,
    });
    return;
  }
  if (action === 'confirm' && prompt.name === 'consent') {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, {
      mergeWithLastSubmission: true,
    });
    return;
  }
  res.writeHead(400, { 'Content-Type': 'text/plain' });
  res.end(`unexpected ${action} at prompt ${prompt.name}`);
}

const handle = provider.callback();
const interactionPath = /^\/interaction\/([^/]+)(?:\/(login|confirm))?$/;

createServer((req, res) => {
  const match = interactionPath.exec(new URL(req.url, issuer).pathname);
  if (!match) {
    handle(req, res);
    return;
  }
  interaction(req, res, match[1], match[2]).catch((error) => {
    res.writeHead(400, { 'Content-Type': 'text/plain' });
    res.end(String(error));
  });
}).listen(Number(port), '127.0.0.1', () => {
  console.log(`identity provider listening at ${issuer}`);
});
