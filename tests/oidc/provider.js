// A real OpenID Connect provider for scc's sign-in tests: panva's certified oidc-provider on
// 127.0.0.1, with the test users of users.json (their groups in a "groups" claim, as Microsoft
// Entra ID sends them), its own sign-in and consent pages, and PKCE required.
//
// node provider.js  with  CLIENT_ID, CLIENT_SECRET, REDIRECT_URI in the environment; it prints
// "issuer <url>" on one line once it answers, and runs until it is killed.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import Provider from 'oidc-provider';

const { password: PASSWORD, users: USERS } = JSON.parse(
  readFileSync(new URL('./users.json', import.meta.url), 'utf8'));
const bySub = new Map(USERS.map((user) => [user.sub, user]));
const byEmail = new Map(USERS.map((user) => [user.email, user]));
const ORGANISATION = 'Fenmarsh Council';

const escape = (text) => String(text).replace(/[&<>"']/g,
  (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}`
    + `</title></head><body><h1>${escape(title)}</h1>${body}</body></html>`;
}

function signInPage(uid, error) {
  return page(`Sign in to ${ORGANISATION}`, `${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${uid}/login">
  <label for="login">Email address</label><input id="login" name="login" type="email">
  <label for="password">Password</label><input id="password" name="password" type="password">
  <button type="submit">Sign in</button>
</form>`);
}

function consentPage(uid, clientName) {
  return page(`Allow ${clientName} to know who you are`, `
<p>${escape(clientName)} will receive your name, email address and groups.</p>
<form method="post" action="/interaction/${uid}/confirm"><button type="submit">Allow</button></form>
<form method="post" action="/interaction/${uid}/abort"><button type="submit">Cancel</button></form>`);
}

async function formBody(req) {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  return new URLSearchParams(raw);
}

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: process.env.CLIENT_ID,
      client_secret: process.env.CLIENT_SECRET,
      client_name: 'scc',
      redirect_uris: process.env.REDIRECT_URI.split(' '),
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    pkce: { required: () => true },
    // Claims go in the ID token too, as Entra ID puts email, name and groups there.
    conformIdTokenClaims: false,
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
    cookies: { keys: ['scc test provider cookie key'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, sub) {
      const user = bySub.get(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        async claims() {
          return {
            sub, email: user.email, email_verified: true, name: user.name, groups: user.groups,
          };
        },
      };
    },
  });

  // The sign-in and consent pages: the provider hands over at /interaction/<uid>.
  provider.use(async (ctx, next) => {
    const match = ctx.path.match(/^\/interaction\/([^/]+)(?:\/(login|confirm|abort))?$/);
    if (!match) return next();
    ctx.set('Cache-Control', 'no-store');
    const [, uid, step] = match;
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const finish = async (result, merge) => {
      ctx.status = 303;
      ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, result,
        { mergeWithLastSubmission: merge }));
    };
    ctx.type = 'html';
    if (ctx.method === 'GET' && !step) {
      const client = await provider.Client.find(details.params.client_id);
      ctx.body = details.prompt.name === 'login'
        ? signInPage(uid) : consentPage(uid, client.clientName || client.clientId);
    } else if (ctx.method === 'POST' && step === 'login') {
      const form = await formBody(ctx.req);
      const user = byEmail.get((form.get('login') || '').trim().toLowerCase());
      if (!user || form.get('password') !== PASSWORD) {
        ctx.body = signInPage(uid, 'Enter a correct email address and password');
        return;
      }
      await finish({ login: { accountId: user.sub } }, false);
    } else if (ctx.method === 'POST' && step === 'confirm') {
      const { prompt: { details: missing }, params, session, grantId } = details;
      const grant = grantId ? await provider.Grant.find(grantId)
        : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      await finish({ consent: { grantId: await grant.save() } }, true);
    } else if (ctx.method === 'POST' && step === 'abort') {
      await finish({ error: 'access_denied', error_description: 'The user cancelled' }, false);
    } else {
      ctx.status = 405;
    }
  });

  const answer = provider.callback();
  server.on('request', answer);
  console.log(`issuer ${issuer}`);
});
