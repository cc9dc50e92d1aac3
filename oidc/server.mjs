// The embedded OpenID Connect provider for Utväg's demo (`make run`) and tests.
//
// A real provider (panva's certified `oidc-provider`), bound to 127.0.0.1: discovery,
// JWKS, authorization code with PKCE (required), the device authorization grant,
// refresh tokens, revocation, RP-initiated logout, and JWT access tokens for the case
// service carrying utvag_org / utvag_roles / preferred_username / name. Production uses
// the organisation's own provider (Keycloak, Entra ID...) by configuration instead.
//
//   node oidc/server.mjs --port 0 --keys .data/oidc-keys.json --users oidc/users.json \
//        --console-redirect http://127.0.0.1:8000/auth/callback
//
// Prints one JSON line {"issuer": ...} on stdout once it answers.

import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

import {
  loadKeys, loadUsers, checkPassword, lockedOut, recordFailure, forgetFailures,
} from './accounts.mjs';
import { loginPage, devicePages, simplePage, escapeHtml } from './pages.mjs';

const { values: opts } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.OIDC_PORT ?? '9400' },
    keys: { type: 'string', default: process.env.OIDC_KEYS ?? '.data/oidc-keys.json' },
    users: { type: 'string', default: process.env.OIDC_USERS ?? new URL('./users.json', import.meta.url).pathname },
    audience: { type: 'string', default: process.env.OIDC_AUDIENCE ?? 'utvag-case-service' },
    'access-ttl': { type: 'string', default: process.env.OIDC_ACCESS_TTL ?? '600' },
    'refresh-ttl': { type: 'string', default: process.env.OIDC_REFRESH_TTL ?? String(8 * 3600) },
    'cli-client': { type: 'string', default: 'utvag-cli' },
    'console-client': { type: 'string', default: 'utvag-console' },
    'console-redirect': { type: 'string', multiple: true, default: [] },
    'console-post-logout': { type: 'string', multiple: true, default: [] },
    'console-secret-env': { type: 'string', default: 'OIDC_CONSOLE_SECRET' },
    // Exit when standard input closes: the parent that started us is gone.
    'exit-with-stdin': { type: 'boolean', default: false },
  },
});

const RESOURCE = 'urn:utvag:case-service'; // the resource indicator; its audience is opts.audience
const RESOURCE_SCOPE = 'utvag';

function fail(message) {
  process.stderr.write(`oidc: ${message}\n`);
  process.exit(2);
}

function positive(name) {
  const value = Number.parseInt(opts[name], 10);
  if (!Number.isInteger(value) || value <= 0) fail(`--${name}: a positive number of seconds`);
  return value;
}

let users;
let jwks;
try {
  users = loadUsers(opts.users);
  jwks = loadKeys(opts.keys);
} catch (err) {
  fail(err.message);
}
const accessTtl = positive('access-ttl');
const refreshTtl = positive('refresh-ttl');

function clients() {
  const cli = {
    client_id: opts['cli-client'],
    client_name: 'utvag (kommandoraden)',
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
    response_types: ['code'],
    // RFC 8252: any port on the loopback address.
    redirect_uris: ['http://127.0.0.1/callback'],
  };
  const secret = process.env[opts['console-secret-env']];
  const consoleClient = {
    client_id: opts['console-client'],
    client_name: 'Utväg (webbkonsolen)',
    application_type: 'web',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: opts['console-redirect'].length ? opts['console-redirect']
      : ['http://127.0.0.1:8000/auth/callback'],
    post_logout_redirect_uris: opts['console-post-logout'].length ? opts['console-post-logout']
      : ['http://127.0.0.1:8000/'],
    ...(secret ? { client_secret: secret, token_endpoint_auth_method: 'client_secret_basic' }
      : { token_endpoint_auth_method: 'none' }),
  };
  return [cli, consoleClient];
}

function account(user) {
  return {
    accountId: user.sub,
    async claims() {
      return {
        sub: user.sub,
        name: user.name,
        preferred_username: user.username,
        utvag_org: user.org,
        utvag_roles: user.roles,
      };
    },
  };
}

const configuration = {
  clients: clients(),
  jwks,
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    [RESOURCE_SCOPE]: ['utvag_org', 'utvag_roles'],
  },
  scopes: ['openid', 'offline_access', 'profile', RESOURCE_SCOPE],
  responseTypes: ['code'],
  pkce: { required: () => true },
  clientBasedCORS: () => false,
  async findAccount(ctx, sub) {
    const user = users.bySub.get(sub);
    return user ? account(user) : undefined;
  },
  // The case service reads who is acting from the access token itself.
  async extraTokenClaims(ctx, token) {
    if (token.kind !== 'AccessToken' || !token.accountId) return undefined;
    const user = users.bySub.get(token.accountId);
    if (!user) return undefined;
    return {
      preferred_username: user.username, name: user.name,
      utvag_org: user.org, utvag_roles: user.roles,
    };
  },
  async issueRefreshToken(ctx, client) {
    return client.grantTypeAllowed('refresh_token');
  },
  features: {
    devInteractions: { enabled: false },
    revocation: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: async (ctx, form) => {
        ctx.body = simplePage('Logga ut', `${form}<p>Vill du logga ut från Utväg?</p>
          <button type="submit" form="op.logoutForm" value="yes" name="logout">Ja, logga ut</button>
          <button type="submit" form="op.logoutForm">Nej</button>`);
      },
      postLogoutSuccessSource: async (ctx) => {
        ctx.body = simplePage('Utloggad', '<p>Du är utloggad.</p>');
      },
    },
    deviceFlow: { enabled: true, charset: 'base-20', mask: '****-****', ...devicePages },
    resourceIndicators: {
      enabled: true,
      defaultResource: async () => RESOURCE,
      useGrantedResource: async () => true,
      getResourceServerInfo: async (ctx, indicator) => {
        if (indicator !== RESOURCE) throw new Provider.errors.InvalidTarget();
        return {
          scope: RESOURCE_SCOPE,
          audience: opts.audience,
          accessTokenTTL: accessTtl,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        };
      },
    },
  },
  ttl: {
    AccessToken: accessTtl,
    AuthorizationCode: 60,
    DeviceCode: 600,
    IdToken: accessTtl,
    RefreshToken: refreshTtl,
    Interaction: 600,
    Session: refreshTtl,
    Grant: refreshTtl,
  },
  renderError: async (ctx, out) => {
    ctx.type = 'html';
    ctx.body = simplePage('Något gick fel', `<p>${escapeHtml(out.error)}: ${escapeHtml(out.error_description ?? '')}</p>`);
  },
};

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 16 * 1024) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res, status, html) {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
  });
  res.end(html);
}

// The login interaction: the form, then an automatic grant for these first-party clients.
async function interaction(provider, req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return send(res, 400, simplePage('Fel', '<p>Okänd inloggning.</p>'));
  const { prompt, params, session } = details;
  if (prompt.name === 'login') {
    if (req.method === 'GET') return send(res, 200, loginPage(uid, params.client_id, ''));
    if (action === 'abort') {
      return provider.interactionFinished(req, res, {
        error: 'access_denied', error_description: 'inloggningen avbröts',
      }, { mergeWithLastSubmission: false });
    }
    const form = await readForm(req);
    const name = (form.get('username') ?? '').slice(0, 200);
    if (lockedOut(name)) {
      return send(res, 429, loginPage(uid, params.client_id, 'För många misslyckade försök. Vänta några minuter.'));
    }
    const user = users.byName.get(name);
    if (!checkPassword(user, form.get('password') ?? '') || !user) {
      recordFailure(name);
      return send(res, 401, loginPage(uid, params.client_id, 'Fel användarnamn eller lösenord.'));
    }
    forgetFailures(name);
    return provider.interactionFinished(req, res, { login: { accountId: user.sub } },
      { mergeWithLastSubmission: false });
  }
  if (prompt.name === 'consent') {
    const grant = details.grantId ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const missing = prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: { grantId } },
      { mergeWithLastSubmission: true });
  }
  return send(res, 400, simplePage('Fel', '<p>Okänt steg.</p>'));
}

const server = createServer();
server.on('error', (err) => fail(`127.0.0.1:${opts.port}: ${err.code ?? err.message}`));
server.listen(Number.parseInt(opts.port, 10), '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, configuration);
  provider.on('server_error', (ctx, err) => process.stderr.write(`oidc: server error: ${err}\n`));
  const handle = provider.callback();
  server.on('request', (req, res) => {
    const match = /^\/interaction\/([\w-]+)(?:\/(login|abort))?$/.exec(req.url.split('?')[0]);
    if (!match) return handle(req, res);
    return interaction(provider, req, res, match[1], match[2]).catch((err) => {
      process.stderr.write(`oidc: interaction: ${err.name}\n`);
      if (!res.headersSent) send(res, 400, simplePage('Fel', '<p>Inloggningen gick inte att slutföra. Börja om.</p>'));
    });
  });
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

function shutdown() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, shutdown);
if (opts['exit-with-stdin']) process.stdin.on('end', shutdown).on('error', shutdown).resume();
