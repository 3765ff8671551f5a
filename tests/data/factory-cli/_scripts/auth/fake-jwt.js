// node fake-jwt.js EXP_OFFSET_SECONDS  -> prints an RS256-looking JWT with junk signature and exp = now + offset
const b=(o)=>Buffer.from(JSON.stringify(o)).toString('base64url');const now=Math.floor(Date.now()/1000);
const off=Number(process.argv[2]||-3600);
process.stdout.write(`${b({alg:'RS256',typ:'JWT',kid:'fake'})}.${b({iss:'https://api.workos.com',sub:'user_FAKE0000000000000000000000',sid:'session_FAKE0000000000000000000000',jti:'FAKEJTI0',org_id:'org_FAKE0000000000000000000000',external_org_id:'factory-org-fake',email:'fake@example.invalid',iat:now+off-3600,exp:now+off})}.RkFLRV9TSUdOQVRVUkU`);
