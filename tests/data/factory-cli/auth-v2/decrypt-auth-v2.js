#!/usr/bin/env node
// Decrypts a droid CLI auth v2 pair: node decrypt-auth-v2.js DIR  (DIR holds auth.v2.file and auth.v2.key)
// Format: auth.v2.key = base64(32 random bytes); auth.v2.file = base64(iv, 16 B):base64(GCM tag, 16 B):base64(ciphertext),
// AES-256-GCM, no additional authenticated data, plaintext = UTF-8 JSON.
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const dir = process.argv[2] || '.';
const keyText = fs.readFileSync(path.join(dir, 'auth.v2.key'), 'utf8');
const key = Buffer.from(keyText.trim(), 'base64');
const parts = fs.readFileSync(path.join(dir, 'auth.v2.file'), 'utf8').split(':');
if (parts.length !== 3) throw new Error(`expected 3 colon-separated fields, got ${parts.length}`);
const [iv, tag, ct] = parts.map((p) => Buffer.from(p, 'base64'));
console.error(`key ${key.length} B (file ${keyText.length} chars, trailing newline: ${keyText.endsWith('\n')}), iv ${iv.length} B, tag ${tag.length} B, ciphertext ${ct.length} B`);
const d = crypto.createDecipheriv('aes-256-gcm', key, iv);
d.setAuthTag(tag);
const plain = Buffer.concat([d.update(ct), d.final()]).toString('utf8');
process.stdout.write(JSON.stringify(JSON.parse(plain), null, 2) + '\n');
