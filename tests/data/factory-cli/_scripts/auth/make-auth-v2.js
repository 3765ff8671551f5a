#!/usr/bin/env node
// Writes an auth v2 pair the way the droid CLI does (AES-256-GCM, iv 16 B, "iv:tag:ct" in base64, key = base64 of 32 B):
//   node make-auth-v2.js DIR ACCESS_TOKEN REFRESH_TOKEN [active_organization_id]
'use strict';
const fs = require('fs'), path = require('path'), crypto = require('crypto');
const [dir, access, refresh, org] = process.argv.slice(2);
fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
const key = crypto.randomBytes(32);
const iv = crypto.randomBytes(16);
const c = crypto.createCipheriv('aes-256-gcm', key, iv);
const plain = JSON.stringify({ access_token: access, refresh_token: refresh, ...(org ? { active_organization_id: org } : {}) });
const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
fs.writeFileSync(path.join(dir, 'auth.v2.key'), key.toString('base64'), { mode: 0o600 });
fs.writeFileSync(path.join(dir, 'auth.v2.file'), `${iv.toString('base64')}:${c.getAuthTag().toString('base64')}:${ct.toString('base64')}`, { mode: 0o600 });
