// bench:download's floor: the least a Node process can peak at while saving the same attachment,
// measured in the same run as the action. No msgraph-mail code: Node's own http client gets a
// token, lists the message's attachments and pipes the first one's `$value` into a file.
// Usage: MSGRAPH_FLOOR_SECRET=... node bench/download-floor.mjs LOGIN_URL TENANT CLIENT_ID GRAPH_URL MAILBOX MESSAGE_ID OUT_FILE
import { createWriteStream } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { pipeline } from 'node:stream/promises';

const [login, tenant, clientId, graph, mailbox, messageId, out] = process.argv.slice(2);

function send(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = (url.startsWith('https:') ? https : http).request(url, { method, headers }, resolve);
    req.on('error', reject);
    req.end(body);
  });
}

async function json(res) {
  const chunks = [];
  for await (const c of res) chunks.push(c);
  if (res.statusCode >= 300) throw new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks)}`);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

const form = new URLSearchParams({ client_id: clientId, client_secret: process.env.MSGRAPH_FLOOR_SECRET ?? '', scope: `${graph}/.default`, grant_type: 'client_credentials' }).toString();
const token = await json(await send(`${login}/${tenant}/oauth2/v2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form }));
const auth = { authorization: `Bearer ${token.access_token}` };
const base = `${graph}/v1.0/users/${encodeURIComponent(mailbox)}/messages/${encodeURIComponent(messageId)}/attachments`;
const list = await json(await send(`${base}?$select=id`, { headers: auth }));
const res = await send(`${base}/${encodeURIComponent(list.value[0].id)}/$value`, { headers: auth });
if (res.statusCode !== 200) throw new Error(`$value: HTTP ${res.statusCode}`);
await pipeline(res, createWriteStream(out));
