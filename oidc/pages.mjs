// The provider's pages: plain HTML forms a browser and an HTTP client can both fill in.

const STYLE = `body{font-family:system-ui,sans-serif;max-width:26rem;margin:3rem auto;padding:0 1rem}
label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.4rem;box-sizing:border-box}
button{margin-top:1rem;padding:.5rem 1rem}.error{color:#b00020}code{font-size:1.4rem}`;

export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function simplePage(title, body) {
  return `<!DOCTYPE html>
<html lang="sv"><head><meta charset="utf-8"><title>${escapeHtml(title)} – Utväg</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>
<body><h1>${escapeHtml(title)}</h1>
${body}
</body></html>`;
}

export function loginPage(uid, clientId, error) {
  const id = escapeHtml(uid);
  return simplePage('Logga in', `
<p>Inloggning till <strong>${escapeHtml(clientId)}</strong> (demonstrationsanvändare).</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${id}/login" autocomplete="off">
  <label for="username">Användarnamn</label>
  <input id="username" name="username" required autofocus>
  <label for="password">Lösenord</label>
  <input id="password" name="password" type="password" required>
  <button type="submit">Logga in</button>
</form>
<form method="post" action="/interaction/${id}/abort"><button type="submit">Avbryt</button></form>`);
}

// The device authorization grant's pages (oidc-provider hands in its own form element).
export const devicePages = {
  async userCodeInputSource(ctx, form, out, err) {
    const message = err ? '<p class="error" role="alert">Koden stämmer inte. Försök igen.</p>'
      : '<p>Skriv koden som visas i terminalen.</p>';
    ctx.body = simplePage('Logga in en enhet', `${message}${form}
<button type="submit" form="op.deviceInputForm">Fortsätt</button>`);
  },
  async userCodeConfirmSource(ctx, form, client, deviceInfo, userCode) {
    ctx.body = simplePage('Bekräfta enheten', `
<p><strong>${escapeHtml(client.clientName || client.clientId)}</strong> vill logga in med koden</p>
<p><code>${escapeHtml(userCode)}</code></p>
<p>Avbryt om koden inte är den som visas i din terminal.</p>
${form}
<button type="submit" form="op.deviceConfirmForm">Fortsätt</button>
<button type="submit" form="op.deviceConfirmForm" value="yes" name="abort">Avbryt</button>`);
  },
  async successSource(ctx) {
    ctx.body = simplePage('Klart', '<p>Enheten är inloggad. Du kan stänga sidan.</p>');
  },
};
