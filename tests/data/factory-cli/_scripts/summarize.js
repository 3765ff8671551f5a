// Summarises each capture: route, key headers, and reasoning-related body fields.
const fs=require('fs'),path=require('path');
const dir=process.argv[2];
const files=fs.readdirSync(dir).filter(f=>/\.1\.body$/.test(f)).sort();
const H=(hs,n)=>{const h=hs.find(([k])=>k.toLowerCase()===n);return h?h[1]:undefined};
for(const f of files){
  const label=f.replace(/\.1\.body$/,'');
  const b=JSON.parse(fs.readFileSync(path.join(dir,f),'utf8'));
  const h=JSON.parse(fs.readFileSync(path.join(dir,label+'.1.headers.json'),'utf8'));
  const hs=h.headers;
  const out={route:h.path,prov:H(hs,'x-api-provider'),src:H(hs,'x-provider-routing-source'),beta:H(hs,'anthropic-beta'),accept:H(hs,'accept'),oaiPlat:H(hs,'openai-platform'),stPkg:H(hs,'x-stainless-package-version'),stTimeout:H(hs,'x-stainless-timeout')};
  const pick=['model','max_tokens','max_output_tokens','max_completion_tokens','thinking','output_config','speed','reasoning','include','store','tool_choice','parallel_tool_calls','prompt_cache_key','prompt_cache_retention','safety_identifier','text','service_tier','reasoning_effort','reasoning_history','temperature','top_p','stream','stream_options','chat_template_args','generationConfig','fallbacks','metadata','truncation','user'];
  const body={};for(const k of pick)if(k in b)body[k]=b[k];
  body._keys=Object.keys(b).join(',');
  console.log('### '+label);console.log(JSON.stringify(out));console.log(JSON.stringify(body));
}
