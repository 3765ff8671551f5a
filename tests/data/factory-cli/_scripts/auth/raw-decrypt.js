// prints the exact decrypted plaintext of DIR/auth.v2.file with DIR/auth.v2.key (no reformatting)
const fs=require('fs'),c=require('crypto'),p=require('path');const d=process.argv[2];
const k=Buffer.from(fs.readFileSync(p.join(d,'auth.v2.key'),'utf8').trim(),'base64');
const [iv,tag,ct]=fs.readFileSync(p.join(d,'auth.v2.file'),'utf8').split(':').map(x=>Buffer.from(x,'base64'));
const x=c.createDecipheriv('aes-256-gcm',k,iv);x.setAuthTag(tag);process.stdout.write(Buffer.concat([x.update(ct),x.final()]));
